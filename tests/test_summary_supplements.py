"""A unit that sends its report and a local supplementary table as two files: both count.

A later return replaces an earlier one slot by slot (the report in either national format,
each supplementary form, whether in a file of its own or beside the report): a
supplementary table never pushes a unit's report out of the totals, nor the other way
round, and a table beside the report replaces an older one sent alone."""

from __future__ import annotations

import email
import json
import os
import shutil
from email import policy
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook
from tests.support import run_toolkit as toolkit
from toolkit.forms.registry import load_form

ROOT = Path(__file__).resolve().parent.parent
# 兰江's report laid out by hand, its supplementary table below it in the same workbook
HAND = ROOT / "examples" / "兰江街道2020年报（手工表格）.xlsx"
HAND_ACTIVE_TOTAL = 1038  # its 主动公开政府信息数, from the published report
# a 2020 collection: the hand-made example holds 兰江's 2020 report with its table beside it
MAIN = load_form("gov-2019")
YEAR = 2020
SUPP = load_form("supp-stats")
JANUARY = 1_610_236_800  # 10 January 2021, as an mtime: when 2020 reports are sent


def returned(folder: Path, name: str, spec: Any, unit: str, values: dict, day: int) -> Path:
    """A return of ``spec`` filled with ``values``, last modified ``day`` days into January."""
    template = folder / f"template-{name}"
    build_template(spec, template, unit=unit, year=YEAR)
    path = folder / name
    fill_workbook(template, path, values)
    template.unlink()
    os.utime(path, (JANUARY + day * 86400, JANUARY + day * 86400))
    return path


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("supplements")
    folder = root / "收件箱"
    folder.mkdir()
    roster = root / "名单.csv"
    roster.write_text(
        "单位名称,邮箱\n兰江街道办事处,lj@example.cn\n凤山街道办事处,fs@example.cn\n"
        "梨洲街道办事处,lz@example.cn\n阳明街道办事处,ym@example.cn\n"
        "低塘街道办事处,dt@example.cn\n",
        encoding="utf-8",
    )
    fills = {
        "old": consistent_fill(MAIN, np.random.default_rng(1)),
        "main": consistent_fill(MAIN, np.random.default_rng(2)),
        "supp": consistent_fill(SUPP, np.random.default_rng(3)),
        "fs": consistent_fill(MAIN, np.random.default_rng(4)),
        "fs_supp": consistent_fill(SUPP, np.random.default_rng(5)),
        "lj_supp": consistent_fill(SUPP, np.random.default_rng(6)),
        "ym_supp": consistent_fill(SUPP, np.random.default_rng(7)),
        "dt_supp": consistent_fill(SUPP, np.random.default_rng(8)),
    }
    # 梨洲: a first report, a corrected one, and the supplementary table sent last of all
    returned(folder, "梨洲年报.xlsx", MAIN, "梨洲街道办事处", fills["old"], 1)
    returned(folder, "梨洲年报（更正）.xlsx", MAIN, "梨洲街道办事处", fills["main"], 5)
    returned(folder, "梨洲补充表.xlsx", SUPP, "梨洲街道办事处", fills["supp"], 9)
    # 凤山: a clean report, and a supplementary table with an error (其中 above its total)
    total = fills["fs_supp"]["supp.active.total"]
    fills["fs_supp"]["supp.active.normative"] = total + 5
    returned(folder, "凤山年报.xlsx", MAIN, "凤山街道办事处", fills["fs"], 3)
    returned(folder, "凤山补充表.xlsx", SUPP, "凤山街道办事处", fills["fs_supp"], 4)
    # 兰江: a supplementary table alone, then the report with a newer table beside it
    returned(folder, "兰江补充表.xlsx", SUPP, "兰江街道办事处", fills["lj_supp"], 2)
    # 阳明: its supplementary table, and no report; 低塘 the same, its table with an error
    returned(folder, "阳明补充表.xlsx", SUPP, "阳明街道办事处", fills["ym_supp"], 6)
    fills["dt_supp"]["supp.active.normative"] = fills["dt_supp"]["supp.active.total"] + 1
    returned(folder, "低塘补充表.xlsx", SUPP, "低塘街道办事处", fills["dt_supp"], 6)
    shutil.copy(HAND, folder / "兰江年报.xlsx")
    os.utime(folder / "兰江年报.xlsx", (JANUARY + 7 * 86400, JANUARY + 7 * 86400))
    out = root / "汇总.xlsx"
    drafts = root / "回复"
    done = toolkit(
        "summary", str(folder), "-r", str(roster), "-o", str(out), "--replies", str(drafts),
        "--format", "json", cwd=root,
    )  # fmt: skip
    return {"root": root, "done": done, "out": out, "drafts": drafts, "fills": fills}


def units(inbox: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert inbox["done"].returncode == 1, inbox["done"].stderr  # 凤山's table has an error
    return {u["unit"]: u for u in json.loads(inbox["done"].stdout)["units"]}


def test_the_report_and_the_supplementary_table_both_count(inbox: dict[str, Any]) -> None:
    lizhou = units(inbox)["梨洲街道办事处"]
    assert lizhou["file"].endswith("梨洲年报（更正）.xlsx")  # the table, sent later, left it
    assert [Path(f).name for f in lizhou["superseded"]] == ["梨洲年报.xlsx"]
    assert [(Path(s["file"]).name, s["form"], s["status"]) for s in lizhou["supplements"]] == [
        ("梨洲补充表.xlsx", "supp-stats", "ok")
    ]
    assert lizhou["status"] == "ok"


def test_a_table_beside_the_report_replaces_an_older_one_sent_alone(
    inbox: dict[str, Any],
) -> None:
    lanjiang = units(inbox)["兰江街道办事处"]
    assert lanjiang["file"].endswith("兰江年报.xlsx") and lanjiang["supplements"] == []
    assert [Path(f).name for f in lanjiang["superseded"]] == ["兰江补充表.xlsx"]
    assert lanjiang["status"] == "ok"


def test_a_unit_that_sent_only_its_table_has_not_sent_its_report(inbox: dict[str, Any]) -> None:
    """Missing (its report is what the roster waits for), its table counted all the same,
    and a reminder drafted."""
    yangming = units(inbox)["阳明街道办事处"]
    assert yangming["status"] == "missing" and yangming["file"] is None
    assert [Path(s["file"]).name for s in yangming["supplements"]] == ["阳明补充表.xlsx"]
    rows = CalamineWorkbook.from_path(str(inbox["out"])).get_sheet_by_name("报送情况")
    row = next(r for r in rows.to_python() if r[0] == "阳明街道办事处")
    assert row[2] == "未报送" and "阳明补充表.xlsx" in row[7]
    assert (inbox["drafts"] / "阳明街道办事处.eml").is_file()


def test_an_error_in_the_supplementary_table_is_the_units_error(inbox: dict[str, Any]) -> None:
    fengshan = units(inbox)["凤山街道办事处"]
    assert fengshan["file"].endswith("凤山年报.xlsx") and fengshan["superseded"] == []
    assert fengshan["supplements"][0]["status"] == "errors"
    assert fengshan["status"] == "errors" and fengshan["errors"] >= 1
    workbook = CalamineWorkbook.from_path(str(inbox["out"]))
    rows = workbook.get_sheet_by_name("报送情况").to_python()
    row = next(r for r in rows if r[0] == "凤山街道办事处")
    assert row[2] == "有错误" and row[5] >= 1 and "凤山补充表.xlsx" in row[7]


def test_the_supplementary_tables_are_consolidated(inbox: dict[str, Any]) -> None:
    """汇总表: the supplementary form's own table adds 梨洲's table sent alone and 兰江's
    beside its report (凤山's has an error and is left out by default); the reports go into
    their format's table; 明细 has a row per counted file."""
    workbook = CalamineWorkbook.from_path(str(inbox["out"]))
    rows = workbook.get_sheet_by_name("汇总表").to_python()
    start = next(i for i, r in enumerate(rows) if r[0] == f"2020年度{SUPP.name}汇总表")
    assert rows[start + 1][0] == (
        "纳入汇总的单位（3 个）：兰江街道办事处、梨洲街道办事处、阳明街道办事处"
    )
    line = next(r for r in rows[start:] if str(r[0]).startswith("（一）主动公开政府信息数"))
    tables = [inbox["fills"][k]["supp.active.total"] for k in ("supp", "ym_supp")]
    assert line[2] == sum(tables) + HAND_ACTIVE_TOTAL
    main = next(i for i, r in enumerate(rows) if r[0] == f"2020年度{MAIN.name}汇总表")
    assert rows[main + 1][0] == (
        "纳入汇总的单位（3 个）：兰江街道办事处、凤山街道办事处、梨洲街道办事处"
    )
    line = next(r for r in rows[main:] if r[0] == "一、本年新收政府信息公开申请数量")
    checked = toolkit("check", "--format", "json", str(HAND))
    hand = json.loads(checked.stdout)["results"][0]["values"]["applications.new.natural"]
    expected = sum(inbox["fills"][k]["applications.new.natural"] for k in ("main", "fs"))
    assert line[3] == expected + hand  # the corrected 梨洲 report only
    details = workbook.get_sheet_by_name("明细").to_python()
    assert all(details[1]) and len(set(details[1])) == len(details[1])  # pivot-ready names
    forms = sorted((r[0], r[2]) for r in details[2:])  # unit, 表格格式
    assert forms == [
        ("低塘街道办事处", "supp-stats"),
        ("兰江街道办事处", "gov-2019"),
        ("凤山街道办事处", "gov-2019"),
        ("凤山街道办事处", "supp-stats"),
        ("梨洲街道办事处", "gov-2019"),
        ("梨洲街道办事处", "supp-stats"),
        ("阳明街道办事处", "supp-stats"),
    ]


def test_the_reply_carries_the_marked_supplementary_table(inbox: dict[str, Any]) -> None:
    drafts = sorted(inbox["drafts"].glob("*.eml"))
    # the others have nothing to correct; 阳明 and 低塘 get a reminder for their reports
    assert [p.stem for p in drafts] == ["低塘街道办事处", "凤山街道办事处", "阳明街道办事处"]
    drafts = [p for p in drafts if p.stem == "凤山街道办事处"]
    message = email.message_from_bytes(drafts[0].read_bytes(), policy=policy.default)
    assert "fs@example.cn" in message["To"]
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "凤山补充表.批注.xlsx"
    copy = inbox["root"] / "附件.xlsx"
    copy.write_bytes(attached.get_content())
    assert openpyxl.load_workbook(copy).sheetnames[0] == "问题清单"
    assert "其中" in message.get_body().get_content()


def test_a_reminder_also_carries_the_marked_table_sent_with_errors(inbox: dict[str, Any]) -> None:
    message = email.message_from_bytes(
        (inbox["drafts"] / "低塘街道办事处.eml").read_bytes(), policy=policy.default
    )
    assert "请报送" in message["Subject"] and "dt@example.cn" in message["To"]
    body = message.get_body().get_content()
    assert "补充统计表" in body and "其中" in body  # the table's problem, explained
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["低塘街道办事处2020年度年报模板.xlsx", "低塘补充表.批注.xlsx"]
    reminder = email.message_from_bytes(
        (inbox["drafts"] / "阳明街道办事处.eml").read_bytes(), policy=policy.default
    )
    assert "补充统计表" not in reminder.get_body().get_content()  # nothing to correct
    assert len(list(reminder.iter_attachments())) == 1
