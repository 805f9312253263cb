"""The central promise: every rule's Excel formula and its pandas check agree, cell for cell.

For each form, fills (half consistent, half with one rule broken, plus edge cases: spaces,
numbers typed as text, error values, decimals) are typed into the template with openpyxl,
recalculated by LibreOffice in one batch, read back, and each rule instance's Excel verdict
(its hidden check cell) is compared with the pandas verdict on the same cells.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.fills import break_rule, breakable_rules, consistent_fill, edge_fill
from tests.libreoffice import recalculate
from tests.support import (
    build_template,
    error_cells,
    excel_verdicts,
    fill_workbook,
    frame_from_cells,
    pandas_verdicts,
    read_map,
    read_sheets,
)
from toolkit.forms.registry import load_form
from toolkit.template.writer import template_rules

FILLS = int(os.environ.get("TOOLKIT_EQUIVALENCE_FILLS", "200"))
EDGE_FILLS = max(FILLS // 4, 10)


def compare(form: str, tmp_path: Path, fills: int, edges: int) -> tuple[list[str], dict]:
    """Disagreements between Excel and pandas over random fills, and what the fills broke."""
    spec = load_form(form)
    template = tmp_path / "template.xlsx"
    build_template(spec, template)
    fields, checks = read_map(template)
    assert set(checks) == {r.instance for r in template_rules(spec)}
    rng = np.random.default_rng(20251125 + len(form))
    rules = breakable_rules(spec)
    plans: list[tuple[Path, str | None, dict]] = []
    for i in range(fills + edges):
        values = consistent_fill(spec, rng)
        expect: str | None = "ok"
        if i >= fills:
            values, expect = edge_fill(spec, values, rng), None
        elif i % 2:
            expect = rules[(i // 2) % len(rules)]
            values = break_rule(spec, expect, values, rng)
        path = tmp_path / f"fill-{i:04d}.xlsx"
        fill_workbook(template, path, values)
        plans.append((path, expect, values))

    recalculated = recalculate([p for p, _, _ in plans], tmp_path / "recalc")
    disagreements: list[str] = []
    broken_seen: dict[str, int] = {}
    for path, expect, values in plans:
        result = recalculated[path]
        sheets = read_sheets(result)
        excel = excel_verdicts(sheets, checks)
        frame = frame_from_cells(spec, sheets, fields, error_cells(result), typed=values)
        ours = pandas_verdicts(spec, frame)
        for instance, verdict in ours.items():
            if excel[instance] is not verdict:
                disagreements.append(
                    f"{path.name} {instance}: excel={excel[instance]!r} pandas={verdict}"
                )
        failed = {i.split("@")[0] for i, ok in ours.items() if not ok}
        if expect == "ok":
            assert not failed, f"{path.name}: a consistent fill fails {failed}"
        elif expect is not None:
            assert expect in failed, f"{path.name}: breaking {expect} left it holding"
            broken_seen[expect] = broken_seen.get(expect, 0) + 1
    return disagreements, broken_seen


@pytest.mark.libreoffice
@pytest.mark.parametrize("form", ["gov-2021", "gov-2019", "supp-stats"])
def test_excel_formulas_agree_with_pandas(form: str, soffice: str, tmp_path: Path) -> None:
    disagreements, broken_seen = compare(form, tmp_path, FILLS, EDGE_FILLS)
    assert not disagreements, "\n".join(disagreements[:20])
    assert set(broken_seen) == set(breakable_rules(load_form(form)))


@pytest.mark.libreoffice
def test_a_wrong_compiler_is_caught(
    soffice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison has teeth: compile <= as < in Excel only, and it must disagree."""
    from toolkit.forms import excel

    original = excel._tolerant
    monkeypatch.setattr(
        excel, "_tolerant", lambda op, left, right: original("<" if op == "<=" else op, left, right)
    )
    disagreements, _ = compare("supp-stats", tmp_path, 20, 0)
    assert disagreements
