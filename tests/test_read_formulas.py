"""A hand-made workbook's own formulas: what they show, computed from the file's cells."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.support import build_template, read_map
from toolkit.read.formulas import ErrorValue, Evaluator, Unsupported
from toolkit.template.writer import META_SHEET

CELLS = {
    ("s", 0, 0): 2.0,  # A1
    ("s", 0, 1): "3",  # B1: numeric text
    ("s", 0, 2): "abc",  # C1
    ("s", 0, 3): None,  # D1
    ("t", 0, 0): 10.0,  # t!A1
}


def evaluate(text: str, more: dict | None = None) -> float:
    formulas = {("s", 5, 5): text, **(more or {})}
    return Evaluator(formulas.get, lambda s, r, c: CELLS.get((s, r, c))).cell(("s", 5, 5))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("SUM(A1:D1)", 2.0),  # SUM skips text, even numeric text, in a range
        ("A1+B1", 5.0),  # arithmetic reads numeric text
        ("A1+D1", 2.0),  # and a blank as 0
        ("SUM(A1,t!A1)-1", 11.0),
        ("'t'!A1*2/4", 5.0),
        ("-(A1+1)", -3.0),
        ("N(C1)+N(A1)", 2.0),
        ("SUM($A$1:$B$1)+G7", 2.0 + 4.0),  # G7 is another formula
        ("SUM(D1:A1)", 2.0),  # a range written backwards is the same range
        ("SUBTOTAL(9,A1:D1)", 2.0),  # AutoSum in a filtered list
        ("SUBTOTAL(9,A1:A1,G7,t!A1)", 2.0 + 4.0 + 10.0),
        ("SUBTOTAL(9,A1:A1,G8)", 2.0),  # a SUBTOTAL in its range is not counted twice
        ("ROUND(A1/3,2)", 0.67),
        ("ROUND(2.675,2)", 2.68),  # on the decimal digits, as a spreadsheet rounds
        ("ROUND(23.205+0.99,2)", 24.2),  # 24.195 to 15 digits, as LibreOffice shows it
        ("ROUND(82.115+0.1,2)", 82.22),
        ("ROUND(-2.5,0)+ROUND(2.5,0)", 0.0),  # half away from zero: -3 + 3
        ("ROUND(1234,-2)", 1200.0),
        ("ROUND(SUM(A1,B1)*1.5,0)", 3.0),
    ],
)
def test_sums_people_write_are_evaluated_as_a_spreadsheet_would(text: str, value: float) -> None:
    more = {("s", 6, 6): "1+3", ("s", 7, 6): "SUBTOTAL(9,A1:A1)"}
    assert evaluate(text, more) == value


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("A1+C1", ErrorValue),
        ("A1/D1", ErrorValue),
        ("VLOOKUP(A1,B1:C1,2)", Unsupported),
        ("A1:B1+1", Unsupported),
        ("F6+1", Unsupported),
        ("SUM(A:A)", Unsupported),
        ("SUM(A1", Unsupported),
        ("SUM(A1:D1 B1:C1)", Unsupported),  # the intersection of two ranges, not a union
        ("SUM((A1:D1) (B1:C1))", Unsupported),
        ("SUBTOTAL(109,A1:D1)", Unsupported),  # leaves out hidden rows: not known here
        ("SUBTOTAL(1,A1:D1)", Unsupported),  # an average
        ("ROUND(A1)", Unsupported),
        ("ROUND(A1,1.5)", Unsupported),
        ("ROUND(1E+300*1E+300,0)", Unsupported),
    ],
)
def test_errors_cycles_and_anything_else_are_not_guessed(text: str, error: type) -> None:
    with pytest.raises(error):
        evaluate(text)


def test_a_subtotal_over_a_hidden_row_is_not_evaluated() -> None:
    """A filter's hidden rows are left out of SUBTOTAL, a hand's are not; which one hid the
    row is not known, so the caller recomputes such a total from its parts. SUM counts
    hidden rows whoever hid them."""
    formulas = {("s", 5, 5): "SUBTOTAL(9,A1:A2)", ("s", 6, 6): "SUM(A1:A2)"}
    values = {("s", 0, 0): 5.0, ("s", 1, 0): 3.0}
    hidden = Evaluator(formulas.get, lambda s, r, c: values.get((s, r, c)), lambda s, r: r == 1)
    with pytest.raises(Unsupported):
        hidden.cell(("s", 5, 5))
    assert hidden.cell(("s", 6, 6)) == 8.0
    shown = Evaluator(formulas.get, lambda s, r, c: values.get((s, r, c)), lambda s, r: False)
    assert shown.cell(("s", 5, 5)) == 8.0


@pytest.mark.parametrize("written", ["=SUM({})", "=SUBTOTAL(9,{})", "=ROUND(SUM({}),0)"])
def test_a_total_written_as_a_wrong_formula_is_reported_with_what_it_shows(
    tmp_path: Path, written: str
) -> None:
    """=SUM(D9:H9) leaves out the last applicant column: the file shows 3, not 7 (so does
    AutoSum's SUBTOTAL, or a ROUND around the sum). A correct formula with a stale saved
    result is not a finding: the result is recomputed."""
    template = tmp_path / "t.xlsx"
    build_template("gov-2021", template, unit="测试街道", year=2025)
    cells, _ = read_map(template)
    workbook = openpyxl.load_workbook(template)
    del workbook[META_SHEET]  # a hand-made copy: read by its labels
    sheet, total = cells["applications.new.total"]
    ws = workbook[sheet]
    for key, value in (("natural", 2), ("business", 1), ("other_org", 4)):
        ws[cells[f"applications.new.{key}"][1]] = value
        ws[cells[f"applications.granted.{key}"][1]] = value
    first, last = cells["applications.new.natural"][1], cells["applications.new.legal"][1]
    ws[total] = written.format(f"{first}:{last}")
    path = tmp_path / "hand.xlsx"
    workbook.save(path)
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(done.stdout)["results"][0]
    a3 = [f for f in result["findings"] if f["rule"] == "A3"]
    assert [(f["cell"], f["expected"], f["actual"]) for f in a3] == [(total, 7, 3)]
    assert result["values"]["applications.new.total"] == 3  # what the file shows
    assert result["values"]["applications.granted.total"] == 7  # template SUM, recomputed
