"""The whole way a return travels, on real files: `toolkit template` → filled with openpyxl →
saved by LibreOffice (formulas recalculated, as Excel would) → `toolkit check --annotate` →
the marked copy re-opened and saved by LibreOffice → checked again: the same findings."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from tests.fills import consistent_fill
from tests.libreoffice import convert, recalculate
from tests.support import fill_workbook, read_map
from toolkit.forms.registry import load_form

SPEC = load_form("gov-2021")
COMPUTED = {k for k, f in SPEC.fields.items() if f.computed}


def toolkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, timeout=120
    )


def findings_of(path: Path) -> tuple[int, dict]:
    done = toolkit("check", str(path), "--format", "json")
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)["results"][0]


def where(result: dict) -> set[tuple]:
    return {
        (f["rule"], f["sheet"], f["cell"], f["expected"], f["actual"]) for f in result["findings"]
    }


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("trip")
    template = folder / "模板.xlsx"
    made = toolkit(
        "template",
        "--form",
        "gov-2021",
        "--year",
        "2025",
        "--unit",
        "兰江街道",
        "-o",
        str(template),
    )
    assert made.returncode == 0, made.stderr
    values = consistent_fill(SPEC, np.random.default_rng(11))
    values["applications.new.natural"] = values.get("applications.new.natural") or 0
    values["applications.new.natural"] += 5  # breaks A1 for 自然人 and the 总计 column
    values["applications.granted.total"] = 999  # typed over the row's SUM formula: A3
    values["review.appeal.corrected"] = 1  # W3
    values["review.appeal.upheld"] = "七"  # N1: text in a count cell
    filled = folder / "filled.xlsx"
    fill_workbook(template, filled, values)
    saved = recalculate([filled], folder / "lo")[filled]
    return {"template": template, "filled": filled, "saved": saved, "folder": folder}


def test_a_return_saved_by_a_spreadsheet_is_checked_at_the_cells_that_are_wrong(
    trip: dict[str, Path],
) -> None:
    code, result = findings_of(trip["saved"])
    assert code == 1 and result["status"] == "errors" and result["form"] == "gov-2021"
    assert result["meta"]["unit"] == "兰江街道" and result["meta"]["year"] == 2025
    fields, _ = read_map(trip["template"])
    by_rule = {(f["rule"], f["fields"][0]): f for f in result["findings"]}
    a3 = by_rule[("A3", "applications.granted.total")]
    assert (a3["sheet"], a3["cell"]) == fields["applications.granted.total"]
    assert a3["actual"] == 999 and a3["expected"] != 999
    assert ("A1", "applications.carried_out.natural") in by_rule
    n1 = by_rule[("N1", "review.appeal.upheld")]
    assert (n1["sheet"], n1["cell"]) == fields["review.appeal.upheld"] and "七" in n1["message"]
    assert ("W3", "review.appeal.corrected") in by_rule
    # totals that are formulas carry what the spreadsheet shows: recomputed from the inputs
    assert result["values"]["applications.granted.total"] == 999  # typed over: as typed
    natural = result["values"]["applications.new.natural"]
    business = result["values"]["applications.new.business"] or 0
    assert result["values"]["applications.new.total"] >= natural + business


def test_a_return_never_opened_in_a_spreadsheet_gives_the_same_findings(
    trip: dict[str, Path],
) -> None:
    """openpyxl saves formulas without results: the check recomputes, so nothing changes."""
    assert where(findings_of(trip["filled"])[1]) == where(findings_of(trip["saved"])[1])


def test_the_marked_copy_survives_a_spreadsheet_and_rechecks_the_same(
    trip: dict[str, Path],
) -> None:
    saved = trip["saved"]
    before = hashlib.sha256(saved.read_bytes()).hexdigest()
    marked = trip["folder"] / "marked.xlsx"
    done = toolkit("check", str(saved), "--annotate", str(marked))
    assert done.returncode == 1, done.stderr
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == before
    _, first = findings_of(saved)
    workbook = openpyxl.load_workbook(marked)
    assert workbook.sheetnames[0] == "问题清单"
    listed = [row for row in workbook["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert len(listed) == len(first["findings"])
    for finding in first["findings"]:
        if finding["cell"]:
            cell = workbook[finding["sheet"]][finding["cell"]]
            assert cell.comment is not None and finding["rule"] in cell.comment.text
    # the template's protection and formulas are kept
    fields, _ = read_map(trip["template"])
    sheet, ref = fields["applications.new.total"]
    assert workbook[sheet].protection.sheet
    assert str(workbook[sheet][ref].value).startswith("=")
    reopened = convert([marked], trip["folder"] / "lo2", "xlsx")[marked]
    assert where(findings_of(reopened)[1]) == where(first)
    assert "问题清单" in openpyxl.load_workbook(reopened, read_only=True).sheetnames


def test_an_ods_return_is_read_and_marked_as_xlsx(trip: dict[str, Path]) -> None:
    """An .ods keeps its formulas as an .xlsx does: the same findings at the same cells,
    and a total's saved result is never trusted (one made stale here changes nothing)."""
    ods = convert([trip["saved"]], trip["folder"] / "ods", "ods")[trip["saved"]]
    code, result = findings_of(ods)
    assert code == 1 and result["form"] == "gov-2021"
    assert where(result) == where(findings_of(trip["saved"])[1])
    stale = ods.with_name("过期结果.ods")
    _with_saved_result(ods, stale, "申请情况", "applications.new.total", trip["template"])
    assert where(findings_of(stale)[1]) == where(result)
    done = toolkit("check", str(ods), "--annotate")
    marked = ods.with_name(ods.stem + ".批注.xlsx")
    assert done.returncode == 1 and marked.is_file()
    assert openpyxl.load_workbook(marked).sheetnames[0] == "问题清单"


def test_an_xls_return_is_read_by_its_content_and_marked_as_xlsx(trip: dict[str, Path]) -> None:
    """Excel 97-2003 (.xls), and the same file saved under an .xlsx name: the type is taken
    from the bytes; the findings are those of the .xlsx return, cell for cell (its formulas
    are read from its records, so a formula total follows its parts there too)."""
    xls = convert([trip["saved"]], trip["folder"] / "xls", "xls")[trip["saved"]]
    disguised = xls.with_name("伪装.xlsx")
    disguised.write_bytes(xls.read_bytes())
    expected = where(findings_of(trip["saved"])[1])
    for path in (xls, disguised):
        code, result = findings_of(path)
        assert code == 1 and result["form"] == "gov-2021", path.name
        assert where(result) == expected, path.name
    marked = trip["folder"] / "xls标注.xlsx"
    done = toolkit("check", str(xls), "--annotate", str(marked))
    assert done.returncode == 1 and openpyxl.load_workbook(marked).sheetnames[0] == "问题清单"


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_a_marked_copy_of_an_xls_or_ods_return_follows_the_units_correction(
    trip: dict[str, Path], kind: str
) -> None:
    """The copy of an .xls or .ods return is rebuilt as .xlsx: its totals stay formulas (a
    figure left there made the next check blame the part the unit had just corrected), a
    total typed wrong stays the figure its finding quotes, and the hidden map is kept, so
    the copy sent back corrected is read as the template it is."""
    saved = trip["saved"]
    converted = convert([saved], trip["folder"] / f"{kind}-copy", kind)[saved]
    marked = converted.with_name(f"标注.{kind}.xlsx")
    done = toolkit("check", str(converted), "--annotate", str(marked))
    assert done.returncode == 1, done.stderr
    fields, _ = read_map(trip["template"])
    workbook = openpyxl.load_workbook(marked)
    assert workbook["_toolkit"].sheet_state == "hidden"
    sheet, ref = fields["applications.new.total"]
    assert str(workbook[sheet][ref].value).startswith("=SUM(")
    sheet, ref = fields["applications.granted.total"]
    assert workbook[sheet][ref].value == 999  # typed over its formula: kept as typed
    sheet, ref = fields["applications.new.natural"]
    workbook[sheet][ref].value -= 5  # the unit puts right the figure it mistyped
    corrected = marked.with_name(f"改正.{kind}.xlsx")
    workbook.save(corrected)
    _, before = findings_of(converted)
    _, after = findings_of(corrected)
    assert any(f["rule"] == "A1" for f in before["findings"])
    assert not any(f["rule"] == "A1" for f in after["findings"]), after["findings"]
    assert {(f["rule"], f["cell"]) for f in after["findings"]} >= {
        ("A3", fields["applications.granted.total"][1])
    }


def _with_saved_result(ods: Path, target: Path, sheet: str, key: str, template: Path) -> None:
    """A copy of ``ods`` whose formula cell for ``key`` says 999 as its saved result (as a
    file saved without recalculating may)."""
    import re
    import zipfile

    _, ref = read_map(template)[0][key]
    column = "".join(ch for ch in ref if ch.isalpha())
    row = int(ref[len(column) :])
    col = openpyxl.utils.column_index_from_string(column)
    with zipfile.ZipFile(ods) as source:
        content = source.read("content.xml").decode("utf-8")
        others = {n: source.read(n) for n in source.namelist() if n != "content.xml"}
    start = content.index(f'<table:table table:name="{sheet}"')
    rows = list(re.finditer(r"<table:table-row\b[^>]*>", content[start:]))
    at, count = None, 0
    for match in rows:  # rows are repeated only where blank: count them as LibreOffice does
        repeat = re.search(r'number-rows-repeated="(\d+)"', match.group(0))
        count += int(repeat.group(1)) if repeat else 1
        if count >= row:
            at = start + match.end()
            break
    assert at is not None
    cells = list(re.finditer(r"<table:(?:covered-)?table-cell\b[^>]*?/?>", content[at:]))
    count = 0
    for match in cells:
        repeat = re.search(r'number-columns-repeated="(\d+)"', match.group(0))
        count += int(repeat.group(1)) if repeat else 1
        if count >= col:
            tag = match.group(0)
            assert "table:formula" in tag, tag
            changed = re.sub(r'office:value="[^"]*"', 'office:value="999"', tag)
            content = content[: at + match.start()] + changed + content[at + match.end() :]
            break
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("mimetype", others.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        out.writestr("content.xml", content)
        for name, data in others.items():
            out.writestr(name, data)


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_an_error_value_in_an_xls_or_ods_is_an_error_not_a_blank(
    trip: dict[str, Path], kind: str
) -> None:
    """A part holding =1/0 shows #DIV/0! (and so does its row's total): N1 at the part, as
    in the .xlsx (the total, which follows it, is not blamed again); it had read as a blank,
    and its total as "left blank" (W6)."""
    broken = trip["folder"] / f"除零-{kind}.xlsx"
    fill_workbook(trip["filled"], broken, {"applications.new.natural": "=1/0"})
    saved = recalculate([broken], trip["folder"] / f"lo-{kind}")[broken]
    converted = convert([saved], trip["folder"] / f"{kind}-error", kind)[saved]
    fields, _ = read_map(trip["template"])
    _, result = findings_of(converted)
    at = {(f["rule"], f["cell"]) for f in result["findings"]}
    assert ("N1", fields["applications.new.natural"][1]) in at, result["findings"]
    assert not any(f["rule"] == "W6" for f in result["findings"])
    assert where(result) == where(findings_of(saved)[1])
