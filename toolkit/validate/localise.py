"""The one figure behind several findings: a part typed wrong under a total typed right.

In a unit's own table every total is a figure it typed. When 本年新收·自然人 is typed 21 for
12, the row's total (typed 16, right) fails A3, and the 自然人 column fails A1; A3 then says
"总计应为 25，表中为 16" and sends the unit to change a correct total. Where exactly one part
of a failing total, moved by what the total is off, makes that total's rule and every other
error reading that part hold, the total's finding names the part instead (``blamed``) and
the findings it explains are dropped. A lone total rule (no other error reads any of its
parts) stays as it is: which side is wrong cannot be told.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import Compiled, RuleFrame, compile_rules
from toolkit.validate.cascade import Formulas
from toolkit.validate.finding import Finding


def localised(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
    read_as: dict[int, set[str]] | None = None,
) -> list[Finding]:
    """``findings`` with each typed total's finding that one wrong part explains, together
    with the others that part breaks, said once at that part. ``read_as``: cells of each
    return taken for another number than they hold (a count typed 2.5, guesses.py), which
    are never the part blamed."""
    compiled: dict[str, Compiled] = {}

    def holds(instance: str, values: pd.DataFrame) -> bool:
        if instance not in compiled:
            compiled[instance] = compile_rules(spec, [rules[instance]])[instance]
        return bool(np.asarray(compiled[instance](RuleFrame(values)), dtype=bool)[0])

    computed = spec.computed_keys
    errors_at: dict[int, int] = {}
    for f in findings:
        if f.severity == "error":
            errors_at[f.position] = errors_at.get(f.position, 0) + 1
    out = list(findings)
    for finding in findings:
        total = rules[finding.instance].total
        if total is None or finding.severity != "error" or errors_at[finding.position] < 2:
            continue  # no other error to tell which side is wrong
        if finding not in out or formulas.at(total.total, finding.position):
            continue  # a formula follows its parts: it cannot be the one typed right
        others = [
            f
            for f in out
            if f is not finding and f.position == finding.position and f.severity == "error"
        ]
        row = frame.values.iloc[[finding.position]].reset_index(drop=True)
        numbers = RuleFrame(row)
        off = float(numbers.value(total.total)[0]) - sum(
            float(numbers.value(p)[0]) for p in total.parts
        )
        found = []
        guessed = (read_as or {}).get(finding.position, set())
        for part in (p for p in total.parts if p not in computed and p not in guessed):
            reading = [f for f in others if part in rules[f.instance].fields]
            corrected = float(numbers.value(part)[0]) + off
            if not reading or corrected < 0:
                continue
            moved = row.astype(object)
            moved[part] = corrected
            if all(holds(f.instance, moved) for f in (finding, *reading)):
                found.append((part, corrected, reading))
        if len(found) != 1:
            continue  # none, or several parts would do: the total's own finding says it
        part, corrected, reading = found[0]
        was = numbers.number(part)[0]
        blamed = dataclasses.replace(
            finding,
            blamed=part,
            expected=corrected,
            actual=None if np.isnan(was) else float(was),
            also=tuple(dict.fromkeys(f.rule for f in reading)),
        )
        out = [blamed if f is finding else f for f in out if f not in reading]
    return out
