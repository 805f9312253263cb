"""Plausible oddities in returns, each read as a spreadsheet would show it: a merged figure,
counts in date-formatted cells, control characters, a blank 填报单位, a user's own sheet
named like ours, a local spec standing in for a built-in form, repeated --annotate runs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from examples.make_examples import HANDMADE
from tests.libreoffice import convert, recalculate
from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
HAND = ROOT / "examples" / HANDMADE
GOV_2021 = ROOT / "examples" / "凤山街道2025年报.xlsx"
NATURAL, BUSINESS, TOTAL = "D", "E", "J"  # applicant columns of the hand-made example


def check(*args: str) -> tuple[int, list[dict[str, Any]]]:
    run = CliRunner().invoke(app, ["check", "--format", "json", *args])
    return run.exit_code, json.loads(run.stdout)["results"]


def row_of(sheet: Any, label: str) -> int:
    return next(c.row for row in sheet.iter_rows() for c in row if c.value == label)


def edited(tmp_path: Path, name: str, edit: Any) -> Path:
    workbook = openpyxl.load_workbook(HAND)
    edit(workbook.worksheets[0])
    path = tmp_path / name
    workbook.save(path)
    return path


def test_a_figure_merged_across_two_cells_counts_once(tmp_path: Path) -> None:
    def merge(sheet: Any) -> None:
        r = row_of(sheet, "（一）予以公开")
        sheet[f"{BUSINESS}{r}"] = None
        sheet.merge_cells(f"{NATURAL}{r}:{BUSINESS}{r}")  # 1 spread over 自然人 and 商业企业
        sheet[f"{TOTAL}{r}"] = f"=SUM({NATURAL}{r}:I{r})"

    code, [result] = check(str(edited(tmp_path, "merged.xlsx", merge)))
    values = result["values"]
    assert values["applications.granted.natural"] == 1
    assert values["applications.granted.business"] is None  # covered by the merge: empty
    assert values["applications.granted.total"] == 1  # what Excel shows for the SUM
    assert code == 0 and result["status"] == "ok", result["findings"]


def test_counts_in_date_formatted_cells_are_the_numbers_they_store(tmp_path: Path) -> None:
    def as_dates(sheet: Any) -> None:
        r = row_of(sheet, "一、本年新收到政府信息公开申请数量")
        cell = sheet[f"{NATURAL}{r}"]
        cell.value = dt.datetime(1900, 1, 2)  # Excel stores 2 and shows 1900/1/2
        cell.number_format = "yyyy/m/d"

    _, [result] = check(str(edited(tmp_path, "dates.xlsx", as_dates)))
    assert result["values"]["applications.new.natural"] == 2
    assert result["status"] == "warnings"
    (w5,) = [f for f in result["findings"] if f["rule"] == "W5"]
    assert "日期格式" in w5["message"] and w5["actual"] == 2


def test_control_characters_in_a_cell_never_break_the_marked_copy(tmp_path: Path) -> None:
    def bell(sheet: Any) -> None:
        r = row_of(sheet, "（一）予以公开")
        sheet[f"{BUSINESS}{r}"] = "1BELL2"

    plain = edited(tmp_path, "plain.xlsx", bell)
    path = tmp_path / "ctrl.xlsx"
    # openpyxl refuses to write a control character; Excel files may still carry one,
    # escaped as _x0007_ (which python-calamine reads back as the character)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/"):
                data = data.replace(b"1BELL2", b"1_x0007_2")
            target.writestr(item, data)
    marked = tmp_path / "ctrl.批注.xlsx"
    run = CliRunner().invoke(app, ["check", str(path), "--annotate", str(marked)])
    assert run.exit_code == 1, run.output
    listed = openpyxl.load_workbook(marked)["问题清单"]
    messages = [row[5] for row in listed.iter_rows(min_row=2, values_only=True)]
    (n1,) = [m for m in messages if "E" in m and "「1" in m]
    assert "「12」" in n1  # the character is dropped from what we write, the rest kept


def test_a_blank_unit_never_takes_the_next_label(tmp_path: Path) -> None:
    def cover(sheet: Any) -> None:  # a cover line right of the title: L1:O1
        sheet["L1"], sheet["N1"], sheet["O1"] = "填报单位", "填报人", "王丽"

    _, [result] = check(str(edited(tmp_path, "unit.xlsx", cover)))
    # 填报单位 left blank: the unit comes from the title, never from the next label
    assert result["meta"]["unit"] == "余姚市兰江街道"
    assert result["meta"]["preparer"] == "王丽"


def test_a_users_sheet_named_like_our_map_is_read_as_a_report(tmp_path: Path) -> None:
    path = edited(tmp_path, "named.xlsx", lambda sheet: setattr(sheet, "title", "_toolkit"))
    code, [result] = check(str(path))
    assert code == 0 and result["form"] == "gov-2019" and result["status"] == "ok"


def test_a_hidden_copy_of_last_years_tables_is_not_read(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(HAND)
    old = workbook.copy_worksheet(workbook.worksheets[0])
    old.title = "2019年"
    old["A1"] = "余姚市兰江街道2019年度政府信息公开工作年度报告"
    old.sheet_state = "hidden"
    workbook.move_sheet(old, offset=-1)  # first in the workbook
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    _, [result] = check(str(path))
    assert result["meta"]["year"] == 2020 and result["status"] == "ok"


def test_a_local_spec_stands_in_for_the_built_in_form_of_its_id(tmp_path: Path) -> None:
    local = tmp_path / "gov-2021.toml"
    # fragments (_header.toml …) are found in the built-in folder
    text = (ROOT / "workbook_templates" / "gov-2021.toml").read_text(encoding="utf-8")
    text += (
        '\n[[rules]]\nid = "X9"\nseverity = "error"\nmessage = "X9"\n'
        'assert = "applications.new.natural > 1000"\nat = "applications.new.natural"\n'
        '\n[messages.zh]\nX9 = "本地规则：自然人申请应超过 1000"\n'
    )
    local.write_text(text, encoding="utf-8")
    code, [result] = check(str(GOV_2021), "--spec", str(local))
    assert code == 1
    assert [f["rule"] for f in result["findings"] if f["severity"] == "error"] == ["X9"]


def test_a_second_annotate_run_over_an_inbox_does_not_annotate_the_marked_copies(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    shutil.copy(GOV_2021, inbox / "凤山.xlsx")
    shutil.copy(HAND, inbox / "兰江.xlsx")

    def run() -> subprocess.CompletedProcess[str]:
        files = sorted(str(p) for p in inbox.glob("*.xlsx"))
        return subprocess.run(
            [sys.executable, "-m", "toolkit", "check", *files, "--annotate", "--force"],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run().returncode == 0
    first = sorted(p.name for p in inbox.iterdir())
    assert first == ["兰江.xlsx", "兰江.批注.xlsx", "凤山.xlsx", "凤山.批注.xlsx"]
    again = run()
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in inbox.iterdir()) == first  # no 兰江.批注.批注.xlsx


def test_a_return_openpyxl_cannot_edit_still_gets_a_marked_copy(tmp_path: Path) -> None:
    """Found by the fuzz run: XML that python-calamine reads but openpyxl refuses (here the
    document properties) made --annotate, and summary's reply drafts, fail as an internal
    error. The copy is rebuilt from the values instead."""

    def spoil(sheet: Any) -> None:
        sheet[f"{TOTAL}{row_of(sheet, '（一）予以公开')}"] = 999

    plain = edited(tmp_path, "plain.xlsx", spoil)
    path = tmp_path / "坏属性.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = data.replace(b"</", b"<</", 1)
            target.writestr(item, data)
    marked = tmp_path / "坏属性.批注.xlsx"
    run = CliRunner().invoke(app, ["check", str(path), "--annotate", str(marked)])
    assert run.exit_code == 1, run.output  # the wrong total, not an internal error
    copy = openpyxl.load_workbook(marked)
    assert copy.sheetnames[0] == "问题清单" and copy.sheetnames[1] == "兰江街道年报"
    messages = [r[5] for r in copy["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert any("999" in m for m in messages)


def test_a_huge_unit_name_with_terminal_escapes_is_shown_short_and_clean(tmp_path: Path) -> None:
    """Found by the fuzz run: a 1 MB unit name was printed whole; an escape sequence in it
    would reach the terminal."""
    from tests.fuzzcorpus import entries, package

    parts = entries(GOV_2021.read_bytes())
    hostile = "_x001B_[2J_x001B_[31m凤山" + "街" * 30_000
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        "凤山街道办事处".encode(), hostile.encode()
    )
    path = tmp_path / "长名.xlsx"
    path.write_bytes(package(parts))
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "\x1b" not in done.stdout and len(done.stdout) < 5_000, len(done.stdout)
    code, [result] = check(str(path))
    assert code == 0
    unit = result["meta"]["unit"]
    assert unit.startswith("[2J[31m凤山街") and len(unit) == 100


@pytest.mark.libreoffice
def test_a_total_holding_a_formula_not_recomputed_is_checked_as_saved(
    tmp_path: Path, soffice: str
) -> None:
    """A hand-made total written as =COUNT(…) (AutoSum's 计数 picked for 求和) shows how many
    parts are filled, not their sum: that number is read (what the unit saw) and A3 says it
    is wrong; a total written as =IF(SUM(…)=0,"",SUM(…)) shows the sum, and passes. Both are
    said in one 说明 line."""
    rows: dict[str, int] = {}
    new_label = "一、本年新收到政府信息公开申请数量"

    def formulas(sheet: Any) -> None:
        rows["granted"], rows["new"] = row_of(sheet, "（一）予以公开"), row_of(sheet, new_label)
        r = rows["granted"]
        for column in "EFGHI":
            sheet[f"{column}{r}"] = 0  # 0 typed where nothing was asked for
        sheet[f"{TOTAL}{r}"] = f"=COUNT({NATURAL}{r}:I{r})"
        r = rows["new"]
        sheet[f"{TOTAL}{r}"] = f'=IF(SUM({NATURAL}{r}:I{r})=0,"",SUM({NATURAL}{r}:I{r}))'

    written = edited(tmp_path, "formulas.xlsx", formulas)
    saved = recalculate([written], tmp_path / "lo")[written]  # as a spreadsheet saves it
    granted, new = rows["granted"], rows["new"]
    run = CliRunner().invoke(app, ["check", str(saved)])
    said = f"J{new}、J{granted} 的合计是本工具不重算的公式（如 =IF(SUM(D{new}:I{new})=0"
    assert said in run.stdout, run.stdout
    code, [result] = check(str(saved))
    values = result["values"]
    assert values["applications.granted.total"] == 6  # the six parts filled, counted
    [a3] = [f for f in result["findings"] if f["rule"] == "A3"]
    assert a3["cell"] == f"{TOTAL}{granted}"
    assert (a3["expected"], a3["actual"]) == (values["applications.granted.natural"], 6)
    assert values["applications.new.total"] == values["applications.new.natural"] == 2
    assert code == 1
    # the same workbook saved as .xls, whose reader knows such formulas only as "some
    # formula": the same findings, the 说明 line without the formula's text
    xls = convert([saved], tmp_path / "xls", "xls")[saved]
    run = CliRunner().invoke(app, ["check", str(xls)])
    assert f"J{new}、J{granted} 的合计是本工具不能重算的公式，按文件中保存的结果" in run.stdout
    _, [as_xls] = check(str(xls))
    assert [(f["rule"], f["cell"], f["expected"], f["actual"]) for f in as_xls["findings"]] == [
        (f["rule"], f["cell"], f["expected"], f["actual"]) for f in result["findings"]
    ]
