"""The central promise: every rule's Excel formula and its pandas check agree, cell for cell.

For each form, fills (half consistent, half with one rule broken) are typed into the template
with openpyxl, recalculated by LibreOffice in one batch, read back, and each rule instance's
Excel verdict (its hidden check cell) is compared with the pandas verdict on the same numbers.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.fills import break_rule, breakable_rules, consistent_fill
from tests.libreoffice import recalculate
from tests.support import (
    build_template,
    excel_verdicts,
    fill_workbook,
    frame_from_cells,
    pandas_verdicts,
    read_map,
    read_sheets,
)
from toolkit.forms.registry import load_form

FILLS = int(os.environ.get("TOOLKIT_EQUIVALENCE_FILLS", "200"))


@pytest.mark.libreoffice
@pytest.mark.parametrize("form", ["gov-2021", "gov-2019", "supp-stats"])
def test_excel_formulas_agree_with_pandas(form: str, soffice: str, tmp_path: Path) -> None:
    spec = load_form(form)
    template = tmp_path / "template.xlsx"
    build_template(spec, template)
    fields, checks = read_map(template)
    rng = np.random.default_rng(20251125 + len(form))
    rules = breakable_rules(spec)
    plans: list[tuple[Path, str | None]] = []
    for i in range(FILLS):
        values = consistent_fill(spec, rng)
        broken = None
        if i % 2:
            broken = rules[(i // 2) % len(rules)]
            values = break_rule(spec, broken, values, rng)
        path = tmp_path / f"fill-{i:04d}.xlsx"
        fill_workbook(template, path, values)
        plans.append((path, broken))

    recalculated = recalculate([p for p, _ in plans], tmp_path / "recalc")

    disagreements: list[str] = []
    broken_seen: dict[str, int] = {}
    for path, broken in plans:
        sheets = read_sheets(recalculated[path])
        excel = excel_verdicts(sheets, checks)
        ours = pandas_verdicts(spec, frame_from_cells(spec, sheets, fields))
        assert set(excel) == set(ours)
        for instance, verdict in ours.items():
            if excel[instance] is not verdict:
                disagreements.append(
                    f"{path.name} {instance}: excel={excel[instance]!r} pandas={verdict}"
                )
        failed = {i.split("@")[0] for i, ok in ours.items() if not ok}
        if broken is None:
            assert not failed, f"{path.name}: a consistent fill fails {failed}"
        else:
            assert broken in failed, f"{path.name}: breaking {broken} left it holding"
            broken_seen[broken] = broken_seen.get(broken, 0) + 1
    assert not disagreements, "\n".join(disagreements[:20])
    assert set(broken_seen) == set(rules)
