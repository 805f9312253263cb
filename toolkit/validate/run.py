"""Run a form's compiled rules over a frame of returns with pandera, lazily: every failure of
every return in one validation, each mapped to exactly one rule instance and one return.

pandera reports a DataFrame-wide check once per column per failing row (PITFALLS); each check
here is one rule instance returning one boolean per return, so failures are deduplicated on
(check, row) and nothing else is needed to map them back.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame, compile_rules
from toolkit.validate.finding import Explainer, Finding


def warm_up() -> None:
    """Validate one row with one check: pandera registers its pandas backends on the first
    validation (~0.1 s of imports), which a run then pays while its files are read."""
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(checks=[pa.Check(lambda df: df["x"] >= 0, name="warm")])
    schema.validate(pd.DataFrame({"x": [1.0]}), lazy=True)


def check_frame(
    spec: FormSpec, frame: RuleFrame, rules: Iterable[Rule] | None = None
) -> list[Finding]:
    """Findings for every return in ``frame`` (rows) against ``rules``.

    By default every rule of the form; the year-over-year rules (Y1–Y3) only when the frame
    carries last year's values (``last.<key>`` columns).
    """
    import pandera.pandas as pa  # costs ~0.7 s: only commands that validate pay it

    if rules is None:
        has_last_year = any(str(c).startswith("last.") for c in frame.values.columns)
        rules = [r for r in spec.rules if has_last_year or not r.uses_last_year]
    chosen = list(rules)
    compiled = compile_rules(spec, chosen)

    def make_check(name: str) -> pa.Check:
        fn = compiled[name]
        return pa.Check(lambda df: pd.Series(fn(frame), index=df.index), name=name)

    schema = pa.DataFrameSchema(checks=[make_check(r.instance) for r in chosen])
    # pandera needs a frame to report against: one row per return, by position (the returns'
    # own index may repeat), holding nothing the checks read.
    probe = pd.DataFrame({"return": np.arange(frame.size)})
    try:
        schema.validate(probe, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    by_name = {r.instance: r for r in chosen}
    explainer = Explainer()
    sides: dict[str, object] = {}
    findings: list[Finding] = []
    for name, position in failures[["check", "index"]].drop_duplicates().itertuples(index=False):
        rule = by_name[name]
        if name not in sides:
            sides[name] = explainer.sides(rule, frame)
        position = int(position)
        findings.append(explainer.finding(rule, position, frame.index[position], sides[name]))
    order = {r.instance: i for i, r in enumerate(chosen)}
    findings.sort(key=lambda f: (f.position, f.severity != "error", order[f.instance]))
    return findings
