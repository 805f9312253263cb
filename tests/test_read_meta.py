"""The unit of a hand-made report named only in its signature, as reports are signed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from toolkit.read.grid import load_grid
from toolkit.read.meta import from_signature, signature_date, typed_day


def _signed(path: Path, *lines: str) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "2025年度政府信息公开工作年度报告"
    for row, line in enumerate(lines, start=30):
        sheet.cell(row, 8, line)
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("line", "unit"),
    [
        ("某某镇人民政府", "某某镇人民政府"),
        ("宁川县卫生健康局（盖章）", "宁川县卫生健康局"),  # where the seal goes
        ("宁川县卫生健康局 (章)", "宁川县卫生健康局"),
        ("宁川县民政局（公章）", "宁川县民政局"),
        ("兰江街道办事处（单位盖章）", "兰江街道办事处"),
        ("（盖章）", None),  # a seal's place alone names nobody
        ("填报单位（盖章）：", None),
    ],
)
def test_a_signature_names_the_unit_whatever_note_of_the_seal_follows(
    tmp_path: Path, line: str, unit: str | None
) -> None:
    grid = load_grid(str(_signed(tmp_path / "报告.xlsx", line, "2026年1月22日")))
    found = from_signature(grid)
    assert (found.value if found else None) == unit


BOTH = {"填报人": "李红", "联系电话": "0574-87654321"}


@pytest.mark.parametrize(
    ("cell", "pairs"),
    [
        ("填报单位：兰江街道", {"填报单位": "兰江街道"}),
        ("填报人：李红 联系电话：0574-87654321", BOTH),
        ("填报人：李红　　联系电话: 0574-87654321", BOTH),  # ideographic spaces, a half colon
        ("填报日期：2026年1月5日 10:30", {"填报日期": "2026年1月5日 10:30"}),  # a time's colon
        ("填报人：李红，联系电话：0574-87654321", BOTH),
        ("填报人: 李红; 联系电话: 0574-87654321", BOTH),
        # a label left blank gives no value (it would hide 单位名称 given elsewhere)
        ("填报单位（盖章）：　　　　填报日期：2026年1月22日", {"填报日期": "2026年1月22日"}),
        ("单 位 名 称：测试街道", {"单位名称": "测试街道"}),
        ("填 报 人：张三", {"填报人": "张三"}),
        ("填报单位（盖章）：兰江街道", {"填报单位(盖章)": "兰江街道", "填报单位": "兰江街道"}),
    ],
)
def test_a_cell_may_hold_several_labelled_values(
    tmp_path: Path, cell: str, pairs: dict[str, str]
) -> None:
    """Staff often put 填报人 and 联系电话 on one line of one cell: each label gets its own
    value (the phone was read as part of the name)."""
    workbook = openpyxl.Workbook()
    workbook.active["B40"] = cell
    workbook.save(tmp_path / "a.xlsx")
    grid = load_grid(str(tmp_path / "a.xlsx"))
    assert {label: found[0][1] for label, found in grid.inline.items()} == pairs


def test_the_date_under_the_signature_is_the_report_date(tmp_path: Path) -> None:
    """A hand-made report signed "2026年1月22日": its 填报日期, which summary uses to tell
    which of a unit's returns is the latest when none came by mail."""
    grid = load_grid(str(_signed(tmp_path / "报告.xlsx", "宁川县卫生健康局", "2026年1月22日")))
    found = signature_date(grid)
    assert found is not None and found.value == dt.date(2026, 1, 22)
    assert (found.span.top, found.span.left) == (30, 7)  # H31, the line under the unit
    grid = load_grid(str(_signed(tmp_path / "无日期.xlsx", "宁川县卫生健康局", "2026年2月30日")))
    assert signature_date(grid) is None  # no such day


def test_the_date_under_the_signature_beats_a_date_elsewhere(tmp_path: Path) -> None:
    """A later sheet (an attachment, last year's notes) holding a date-only cell must not
    date the report: the date under its signature does."""
    path = _signed(tmp_path / "报告.xlsx", "宁川县卫生健康局", "2026年1月22日")
    workbook = openpyxl.load_workbook(path)
    notes = workbook.create_sheet("附件")
    notes["B3"] = "2025年3月1日"
    workbook.save(path)
    grid = load_grid(str(path))
    found = signature_date(grid, lambda: from_signature(grid))
    assert found is not None and found.value == dt.date(2026, 1, 22)
    assert signature_date(grid).value == dt.date(2025, 3, 1)  # no signature: the last date


def test_a_hand_made_returns_date_is_its_signatures_whatever_sheet_follows(
    tmp_path: Path,
) -> None:
    """The example hand-made report (signed 2021年1月26日) with a sheet of notes after it:
    `check` still dates it by its signature, which summary uses to tell the latest return."""
    import json

    from typer.testing import CliRunner

    from toolkit.cli import app

    hand = Path(__file__).parent.parent / "examples" / "兰江街道2020年报（手工表格）.xlsx"
    workbook = openpyxl.load_workbook(hand)
    workbook.create_sheet("说明")["A2"] = "2020年3月5日"
    workbook.save(tmp_path / "hand.xlsx")
    done = CliRunner().invoke(app, ["check", "--format", "json", str(tmp_path / "hand.xlsx")])
    assert json.loads(done.stdout)["results"][0]["meta"]["date"] == "2021-01-26"


@pytest.mark.parametrize(
    ("title", "unit", "year"),
    [
        ("附件：青山街道2025年度政府信息公开工作年度报告", "青山街道", 2025),
        ("附件2：青山街道2025年度政府信息公开工作年度报告", "青山街道", 2025),
        ("附件一：青山街道2025年度政府信息公开工作年度报告", "青山街道", 2025),
        ("关于青山街道2025年度政府信息公开工作年度报告", "青山街道", 2025),
        ("青山街道2025年度政府信息公开工作情况统计表", "青山街道", 2025),
        ("青山街道政府信息公开工作年度报告（2025年度）", "青山街道", 2025),
        ("宁川县水利局关于报送2025年度政府信息公开工作年度报告的函", "宁川县水利局", 2025),
        # words that name no unit: the signature names it
        ("附表1：2025年度政府信息公开情况统计表", None, 2025),
        ("附件：政府信息公开工作年度报告（2025年度）", None, 2025),
        ("二、2025年度政府信息公开情况统计表", None, 2025),
        ("关于政府信息公开工作年度报告（2025年）", None, 2025),
        # prose, not a title
        ("2025年，我局政府信息公开工作情况如下：", None, None),
        ("各单位政府信息公开工作年度报告报送时间为2026年", None, None),
    ],
)
def test_a_title_names_the_unit_and_year_however_it_is_led_or_ended(
    title: str, unit: str | None, year: int | None, tmp_path: Path
) -> None:
    from toolkit.read.meta import from_title

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = title
    workbook.save(tmp_path / "t.xlsx")
    named, found = from_title(load_grid(str(tmp_path / "t.xlsx")))
    assert (named.value if named else None, found.value if found else None) == (unit, year)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-01-20", dt.date(2026, 1, 20)),
        ("2026年1月20日", dt.date(2026, 1, 20)),
        ("2026 年 1 月 20 日", dt.date(2026, 1, 20)),
        ("２０２６年１月２０日", dt.date(2026, 1, 20)),
        ("2026.1.20", dt.date(2026, 1, 20)),
        ("2026/01/20", dt.date(2026, 1, 20)),
        ("2026-01-20 08:30:00", dt.date(2026, 1, 20)),
        (dt.datetime(2026, 1, 20, 8, 30), dt.date(2026, 1, 20)),
        ("20260125", dt.date(2026, 1, 25)),  # ISO's basic format
        ("2026.1.20.", dt.date(2026, 1, 20)),
        ("2026年2月30日", None),
        ("202601251", None),
        ("2026年1月", None),
        ("一月二十日", None),
        (46042.0, None),  # an Excel serial: no day named here
        (20260125, dt.date(2026, 1, 25)),  # typed as a number
    ],
)
def test_a_filling_date_is_read_as_typed(typed: object, day: dt.date | None) -> None:
    assert typed_day(typed) == day
