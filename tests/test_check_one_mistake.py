"""Whatever single figure is typed wrong, check still says so, at that figure: the findings
one mistake explains are dropped (validate/cascade.py), never the mistake itself. Hundreds of
returns, each a consistent fill with one figure of the 申请 or 复议诉讼 table changed, read
as a unit's own table (every total a typed figure) and as a template (totals are formulas,
only inputs can be wrong), validated together as `summary` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fills import computed_values, consistent_fill
from toolkit.check.result import FileResult
from toolkit.check.run import validate
from toolkit.forms.registry import load_form
from toolkit.read.returns import Part, ReadReturn
from toolkit.read.sniff import Sniffed

SPEC = load_form("gov-2021")
TABLES = ("applications", "review")
RETURNS = 300


def _return(values: dict[str, Any], formulas: set[str], name: str) -> FileResult:
    cells = {key: ("表", f"A{i + 1}") for i, key in enumerate(SPEC.fields)}
    part = Part(SPEC, dict(values), cells, formulas=set(formulas))
    read = ReadReturn(Path(name), Sniffed("xlsx"), part)
    return FileResult(name, None, read=read)


def _cases(template: bool, wrong: int = 1) -> list[tuple[FileResult, list[str]]]:
    rng = np.random.default_rng(2026 if template else 2025)
    computed = set(SPEC.computed_keys)
    # in a template only inputs can be wrong, and a 复议诉讼 input alone breaks no rule (its
    # total follows it): there, the 申请 table's, which A1 balances
    tables = ("applications",) if template else TABLES
    keys = [
        k
        for k, f in SPEC.fields.items()
        if f.table in tables and f.numeric and not (template and k in computed)
    ]
    cases = []
    for i in range(RETURNS):
        good = consistent_fill(SPEC, rng)
        values = {**dict.fromkeys(SPEC.fields), **good, "meta.unit": "某街道", "meta.year": 2025}
        if template:  # totals are formulas: their cached values are no evidence
            values.update(dict.fromkeys(computed))
        else:
            values.update(computed_values(SPEC, good))
        chosen = [str(k) for k in rng.choice(keys, size=wrong, replace=False)]
        for key in chosen:
            values[key] = (values.get(key) or 0) + int(rng.integers(1, 6))
        cases.append((_return(values, computed if template else set(), f"{i}.xlsx"), chosen))
    return cases


@pytest.mark.parametrize("template", [False, True], ids=["typed totals", "template"])
def test_one_wrong_figure_is_always_an_error_at_that_figure(template: bool) -> None:
    cases = _cases(template)
    validate([result for result, _ in cases])
    for result, [key] in cases:
        errors = [f for f in result.findings if f.severity == "error"]
        assert errors, (key, result.findings)
        # the figure typed wrong is among those an error names, or inside a total it names
        named = {k for f in errors for k in _with_parts(f.fields)}
        assert key in named, (key, [f.message for f in errors])
        if not template and key.startswith("applications.") and key not in COMPUTED:
            # a part under totals typed right, in a row and a column that both check it:
            # one finding, at it (validate/localise.py)
            assert [f.fields[0] for f in errors] == [key], [f.message for f in errors]


COMPUTED = SPEC.computed_keys


@pytest.mark.parametrize("template", [False, True], ids=["typed totals", "template"])
def test_two_wrong_figures_are_never_both_dropped(
    template: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two mistakes may explain each other's findings; where any rule fails (two may cancel
    out), one of them is always said."""
    cases = _cases(template, wrong=2)
    validate([result for result, _ in cases])
    raw = _cases(template, wrong=2)  # the same returns, every finding kept
    monkeypatch.setattr("toolkit.check.run.without_cascades", lambda s, f, found, r, m: found)
    validate([result for result, _ in raw])
    for (result, keys), (unfiltered, _) in zip(cases, raw, strict=True):
        if not any(f.severity == "error" for f in unfiltered.findings):
            continue  # the two cancel out: no rule can tell
        errors = [f for f in result.findings if f.severity == "error"]
        named = {k for f in errors for k in _with_parts(f.fields)}
        assert named & set(keys), (keys, [f.message for f in errors])


def _with_parts(keys: list[str]) -> set[str]:
    """The keys and, for each total among them, its parts, theirs, and so on."""
    found, todo = set(), list(keys)
    while todo:
        key = todo.pop()
        if key not in found:
            found.add(key)
            todo.extend(p for parts in SPEC.declared_parts.get(key, ()) for p in parts)
    return found


def _findings_of(values: dict[str, Any]) -> list[Any]:
    result = _return(values, set(), "一.xlsx")
    validate([result])
    return result.findings


def test_a_word_typed_for_a_figure_is_quoted_and_a_refused_number_is_its_actual() -> None:
    """ "很多" typed into a part is quoted where the part is blamed (it was called blank),
    and the JSON `actual` of an N1 on -1 is -1 (it was null)."""
    good = consistent_fill(SPEC, np.random.default_rng(7))
    values = {**dict.fromkeys(SPEC.fields), **good, "meta.unit": "某街道", "meta.year": 2025}
    values.update(computed_values(SPEC, good))
    key = "applications.granted.natural"
    values[key] = "很多"
    cell = f"A{list(SPEC.fields).index(key) + 1}"  # as _return places the fields
    said = [f for f in _findings_of(values) if f.cell == cell]
    assert said and all("「很多」" in f.message and "表中为 空" not in f.message for f in said)
    assert {f.rule for f in said} == {"N1"}  # no number as typed: N1's, whatever it mends
    values[key] = -1
    n1 = [f for f in _findings_of(values) if f.rule == "N1"]
    assert [f.actual for f in n1] == [-1]
