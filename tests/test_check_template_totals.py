"""A total of our template whose formula the unit changed (the sheet unprotected, the SUM
retyped without its last column, or replaced by MAX): the cell shows what the changed formula
gives, and that is what the unit publishes. `check` holds that number against the parts and
says the formula was changed; a formula only spelled otherwise (as a spreadsheet program
saves it, or typed again without $) is the template's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from tests.fills import consistent_fill
from tests.libreoffice import convert, recalculate
from tests.support import build_template, fill_workbook, read_map
from toolkit.cli import app
from toolkit.forms.registry import load_form

NEW, CARRIED = "applications.new.total", "applications.carried_in.total"


def check(path: Path) -> tuple[int, str, dict[str, Any]]:
    runner = CliRunner()
    text = runner.invoke(app, ["check", str(path)]).stdout
    run = runner.invoke(app, ["check", "--format", "json", str(path)])
    (result,) = json.loads(run.stdout)["results"]
    return run.exit_code, text, result


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict]:
    """A consistently filled template, its values, and its field map."""
    folder = tmp_path_factory.mktemp("template_totals")
    spec = load_form("gov-2021")
    template = folder / "模板.xlsx"
    build_template(spec, template, unit="测试街道", year=2025)
    values = consistent_fill(spec, np.random.default_rng(3))
    path = folder / "填好的.xlsx"
    fill_workbook(template, path, values)
    fields, _ = read_map(template)
    return path, values, fields


def edited(filled: tuple[Path, dict, dict], target: Path, formulas: dict[str, str]) -> Path:
    """The filled template with the formulas of the named totals replaced."""
    path, _, fields = filled
    workbook = openpyxl.load_workbook(path)
    for key, formula in formulas.items():
        sheet, ref = fields[key]
        workbook[sheet][ref] = formula
    workbook.save(target)
    return target


def sum_and_max(filled: tuple[Path, dict, dict], folder: Path) -> Path:
    """The filled template with 一、本年新收's total leaving 其他 out (=SUM(D:H)) and
    二、上年结转's showing its largest part (=MAX)."""
    fields = filled[2]
    new_row, carried_row = fields[NEW][1][1:], fields[CARRIED][1][1:]
    formulas = {
        NEW: f"=SUM(D{new_row}:H{new_row})",
        CARRIED: f"=MAX(D{carried_row}:I{carried_row})",
    }
    return edited(filled, folder / "改了公式.xlsx", formulas)


def parts_of(values: dict[str, Any], total: str) -> list[float]:
    """The figures of the parts the template's formula adds up, in column order."""
    spec_total = load_form("gov-2021").total_of(total)
    assert spec_total is not None
    return [float(values.get(key) or 0) for key in spec_total.parts]


@pytest.mark.libreoffice
def test_a_changed_total_formula_is_checked_as_it_shows(
    filled: tuple[Path, dict, dict], tmp_path: Path, soffice: str
) -> None:
    """=SUM(D9:H9) leaves 其他 out, =MAX(…) shows the largest part: both numbers, as the
    spreadsheet saved them, are held against the parts (A3 at each), and one 说明 line says
    the formulas are no longer the template's. The same as .ods, converted by LibreOffice."""
    _, values, fields = filled
    new_row, carried_row = fields[NEW][1][1:], fields[CARRIED][1][1:]
    written = sum_and_max(filled, tmp_path)
    saved = recalculate([written], tmp_path / "lo")[written]
    new_parts = parts_of(values, NEW)
    carried_parts = parts_of(values, CARRIED)
    shown = {NEW: sum(new_parts[:-1]), CARRIED: max(carried_parts)}
    assert all(shown[k] != sum(p) for k, p in ((NEW, new_parts), (CARRIED, carried_parts)))
    for path in (saved, convert([saved], tmp_path / "ods", "ods")[saved]):
        code, text, result = check(path)
        said = f"工作表“申请情况”J{new_row}、J{carried_row} 的合计公式已不是模板原来的公式"
        assert said in text and f"=SUM($D${new_row}" not in text, text
        assert f"（如 =SUM(D{new_row}:H{new_row})）" in text, text
        a3 = {f["cell"]: (f["expected"], f["actual"]) for f in result["findings"]}
        assert a3 == {
            f"J{new_row}": (sum(new_parts), shown[NEW]),
            f"J{carried_row}": (sum(carried_parts), shown[CARRIED]),
        }, result["findings"]
        assert {f["rule"] for f in result["findings"]} == {"A3"}
        assert code == 1
        assert result["values"][NEW] == shown[NEW]


def test_a_changed_sum_without_saved_results_is_computed_from_the_cells(
    filled: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    """A file a script wrote holds no results: the changed SUM is computed from the file's
    own cells (never the template's formula in its place); a MAX, which this reader does not
    compute, without a saved number follows its parts like the template's, unsaid."""
    _, values, fields = filled
    new_row, carried_row = fields[NEW][1][1:], fields[CARRIED][1][1:]
    written = sum_and_max(filled, tmp_path)
    code, text, result = check(written)
    new_parts = parts_of(values, NEW)
    assert [(f["rule"], f["cell"], f["actual"]) for f in result["findings"]] == [
        ("A3", f"J{new_row}", sum(new_parts[:-1]))
    ]
    assert f"J{new_row} 的合计公式已不是模板原来的公式" in text and f"J{carried_row}" not in text
    assert code == 1


@pytest.mark.libreoffice
def test_the_template_formula_spelled_otherwise_is_the_template_s(
    filled: tuple[Path, dict, dict], tmp_path: Path, soffice: str
) -> None:
    """Retyped without $, in lower case, with spaces, or saved by LibreOffice as .xlsx,
    .ods and .xls: the template's formula, nothing said, nothing found."""
    path, _, fields = filled
    new_row, carried_row = fields[NEW][1][1:], fields[CARRIED][1][1:]
    written = edited(
        filled,
        tmp_path / "重写公式.xlsx",
        {
            NEW: f"=SUM(D{new_row}:I{new_row})",
            CARRIED: f"=sum( $d${carried_row}:$i${carried_row} )",
        },
    )
    saved = recalculate([written, path], tmp_path / "lo")
    checked = [written, *saved.values()]
    checked += convert(list(saved.values()), tmp_path / "ods", "ods").values()
    checked += convert(list(saved.values()), tmp_path / "xls", "xls").values()
    for each in checked:
        code, text, result = check(each)
        assert (code, result["findings"]) == (0, []), each
        assert "说明" not in text, (each, text)
