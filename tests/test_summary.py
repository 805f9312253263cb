"""`toolkit summary` over a messy inbox: files in folders and saved mails, a unit twice, a
unit missing, a stranger, a hostile unit name; every sheet read back, and the findings are
exactly those `toolkit check` gives file by file."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.fills import consistent_fill
from tests.libreoffice import convert
from tests.support import (
    build_template,
    fill_workbook,
    laid_out_by_hand,
    mail_of,
    read_map,
    read_sheets,
    saved_mail,
    value_at,
)
from tests.support import run_toolkit as toolkit
from toolkit.forms.registry import load_form
from toolkit.messages import render

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_form("gov-2021")
HEADING = f"{SPEC.name}（2025 年度）"  # 图表 heads each form with its year
TITLE = f"2025年度{SPEC.name}汇总表"  # and 汇总表 each block, with what it adds up
ROSTER = [
    ("凤山街道办事处", "fs@example.cn", "街道"),
    ("兰江街道办事处", "lj@example.cn", "街道"),
    ("梨洲街道办事处", "lz@example.cn", "街道"),
    ("余姚市教育局", "jy@example.cn", "部门"),
    ("余姚市民政局", "", "部门"),
]


def filled(folder: Path, name: str, unit: str, seed: int, **extra: Any) -> Path:
    template = folder / f"t-{seed}.xlsx"
    build_template(SPEC, template, unit=unit, year=2025)
    path = folder / name
    fill_workbook(template, path, {**consistent_fill(SPEC, np.random.default_rng(seed)), **extra})
    template.unlink()
    return path


TWO_UNITS = "兰江街道办事处,lj@example.cn\n凤山街道办事处,fs@example.cn\n"


def inbox_and_roster(tmp_path: Path, units: str = TWO_UNITS) -> tuple[Path, Path, Path]:
    """An empty inbox, a folder to build returns in, and a roster of ``units`` (名称,邮箱
    lines)."""
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n" + units, encoding="utf-8")
    return inbox, build, roster


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("summary")
    inbox, build = root / "收件箱", root / "build"
    (inbox / "一月").mkdir(parents=True)
    build.mkdir()
    roster = root / "名单.csv"
    roster.write_text(
        "单位名称,邮箱,分组\n" + "".join(f"{n},{e},{g}\n" for n, e, g in ROSTER), encoding="utf-8"
    )
    filled(inbox, "凤山街道.xlsx", "凤山街道办事处", 1)
    broken = filled(build, "x.xlsx", "余姚市教育局", 2, **{"applications.new.total": 999})
    shutil.copy(broken, inbox / "一月" / "教育局年报.xlsx")
    # 兰江 twice: an early mail (superseded) and a later corrected one, laid out by hand
    old = filled(build, "old.xlsx", "兰江街道办事处", 3, **{"review.appeal.total": 7})
    saved_mail(
        inbox / "一月" / "第一次.eml",
        "Mon, 19 Jan 2026 08:00:00 +0800",
        "兰江街道年报.xlsx",
        old.read_bytes(),
        sender="lj@example.cn",
    )
    saved_mail(
        inbox / "第二次.eml",
        "Tue, 27 Jan 2026 08:00:00 +0800",
        "兰江街道（更正）.xlsx",
        laid_out_by_hand(filled(build, "new.xlsx", "兰江街道办事处", 5)),
        sender="兰江 <LJ@example.cn>",
    )
    (inbox / "一月" / "损坏的邮件.eml").write_bytes(b"")  # a mail that cannot be read
    stranger = filled(build, "s.xlsx", '=HYPERLINK("http://x","点我")', 4)
    shutil.copy(stranger, inbox / "不知道是谁.xlsx")
    # what Excel and WPS leave beside a workbook that is open (newer than the return itself)
    (inbox / "~$凤山街道.xlsx").write_bytes(b"\x08clerk" + b"\x00" * 150)
    (inbox / ".~凤山街道.xlsx").write_bytes(b"")
    temporary = {"~$凤山街道.xlsx", ".~凤山街道.xlsx"}
    out = root / "汇总.xlsx"
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "-o", str(out), "--format", "json", cwd=root
    )
    returns = sorted(str(p) for p in inbox.rglob("*.xlsx") if p.name not in temporary)
    checked = toolkit("check", "--format", "json", *returns, cwd=root)
    return {
        "root": root,
        "inbox": inbox,
        "out": out,
        "done": done,
        "report": json.loads(done.stdout),
        "check": json.loads(checked.stdout),
    }


def values_file(run: dict[str, Any], name: str) -> str:
    """The file of the return ending in ``name``, as the results name it."""
    return next(r["file"] for r in run["report"]["results"] if r["file"].endswith(name))


def sheets(path: Path) -> dict[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {n: workbook.get_sheet_by_name(n).to_python() for n in workbook.sheet_names}


def test_every_unit_has_its_status_and_the_latest_return_counts(run: dict[str, Any]) -> None:
    # 2: a mail could not be read (损坏的邮件.eml), which outweighs the 教育局 return's errors
    assert run["done"].returncode == 2, run["done"].stderr
    units = {u["unit"]: u for u in run["report"]["units"]}
    assert units["凤山街道办事处"]["status"] == "ok"
    assert units["余姚市教育局"]["status"] == "errors" and units["余姚市教育局"]["errors"] >= 1
    assert units["梨洲街道办事处"]["status"] == "missing"
    assert units["余姚市民政局"]["status"] == "missing"
    lanjiang = units["兰江街道办事处"]
    assert lanjiang["status"] == "ok" and lanjiang["file"].endswith("兰江街道（更正）.xlsx")
    assert lanjiang["matched_by"] == "unit"
    assert [Path(f.split(" › ")[0]).name for f in lanjiang["superseded"]] == ["第一次.eml"]
    [broken_mail] = run["report"]["inbox_problems"]
    assert broken_mail["origin"].endswith("损坏的邮件.eml") and "邮件" in broken_mail["message"]
    [stranger] = run["report"]["unmatched"]
    assert stranger["standing"] == "unknown" and stranger["file"].endswith("不知道是谁.xlsx")


def test_office_and_wps_temporary_files_are_skipped_with_a_note(run: dict[str, Any]) -> None:
    """A lock file named after a unit is newer than its return: read as a return, it would
    count as the unit's latest, unreadable."""
    skipped = sorted(Path(s["origin"]).name for s in run["report"]["skipped"])
    assert skipped == [".~凤山街道.xlsx", "~$凤山街道.xlsx"]
    assert all("临时文件" in s["message"] for s in run["report"]["skipped"])
    units = {u["unit"]: u for u in run["report"]["units"]}
    assert units["凤山街道办事处"]["status"] == "ok" and units["凤山街道办事处"]["superseded"] == []
    assert not any("~" in Path(r["file"]).name for r in run["report"]["results"])
    rows = sheets(run["out"])["报送情况"]
    assert sum(1 for row in rows if "已跳过" in row) == 2


def test_findings_are_those_check_gives_file_by_file(run: dict[str, Any]) -> None:
    by_file = {Path(r["file"]).name: r for r in run["check"]["results"]}
    for result in run["report"]["results"]:
        name = Path(result["file"]).name
        if name in by_file:  # files saved directly (attachments have no path of their own)
            mine = {k: v for k, v in result.items() if k != "file"}
            theirs = {k: v for k, v in by_file[name].items() if k != "file"}
            assert mine == theirs, name
    assert len(run["report"]["results"]) == 5


def test_the_overview_names_whom_to_follow_up_and_what_the_totals_hold(
    run: dict[str, Any],
) -> None:
    """总览 is what a leader reads first: how many units the totals hold, and by name who
    has not sent, whose return is wrong, which file matched nobody."""
    rows = sheets(run["out"])["总览"]
    said = {row[0]: row[1:3] for row in rows if row and row[0]}
    assert said["纳入汇总表的单位"][0] == 2  # 凤山 and 兰江: 教育局 has errors
    # as the JSON says it, unit by unit
    in_totals = {u["unit"] for u in run["report"]["units"] if u["in_totals"]}
    assert in_totals == {"凤山街道办事处", "兰江街道办事处"}
    assert said["未报送的单位"] == [2, "梨洲街道办事处、余姚市民政局"]
    assert said["有错误、待改正的单位"] == [1, "余姚市教育局"]
    stray = '不知道是谁.xlsx（=HYPERLINK("http://x","点我")）'  # its file, the unit it names
    assert said["对应不到名单的文件"] == [1, stray]  # as text


def test_a_figure_no_unit_gave_is_0_in_the_totals_blank_where_none_gave_the_table(
    tmp_path: Path,
) -> None:
    """A row every included return left blank adds up to 0 in 汇总表, as any other: a
    blank among figures made a leader ask what was missing. Where no unit gave any figure
    of a table (信息处理费 stated by none), its cells stay blank: nobody said 0."""
    inbox, _, roster = inbox_and_roster(tmp_path)
    blank = dict.fromkeys(f.key for f in SPEC.table("fees_info").fields)
    blank |= dict.fromkeys(k for k in SPEC.fields if k.startswith("review.appeal."))
    filled(inbox, "兰江.xlsx", "兰江街道办事处", 1, **blank)
    filled(inbox, "凤山.xlsx", "凤山街道办事处", 2, **blank)
    out = tmp_path / "汇总.xlsx"
    done = toolkit("summary", str(inbox), "-r", str(roster), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = sheets(out)["汇总表"]
    start = next(i for i, r in enumerate(rows) if r[0] == TITLE)
    fees = {
        r[0]: r[1]
        for r in rows[start:]
        if r and r[0] in ("发出收费通知件数", "实际收取总金额（元）")
    }
    assert fees == {"发出收费通知件数": "", "实际收取总金额（元）": ""}, fees
    header = next(i for i in range(start, len(rows)) if rows[i][0] == "行政复议")
    appeal = rows[header + 3][:5]  # 复议's five figures, under its three header rows
    assert appeal == [0.0] * 5, appeal


def test_the_workbook_sheets_hold_what_the_report_says(run: dict[str, Any]) -> None:
    book = sheets(run["out"])
    assert list(book) == ["总览", "报送情况", "问题清单", "汇总表", "图表", "明细"]
    overview = {row[0]: row[1] for row in book["总览"] if row and row[0]}
    assert overview["应报单位"] == 5 and overview["已报送"] == 3 and overview["未报送"] == 2
    assert overview["有错误"] == 1 and overview["未能对应到名单的文件"] == 1
    assert overview["被新报送替代的文件"] == 1
    # the run's inputs, for whoever the workbook is forwarded to
    assert overview["单位名单"].endswith("名单.csv") and overview["收件文件夹"].endswith("收件箱")
    assert overview["汇总表"] == render("summary.consolidated.basis")
    [rule] = [row for row in book["总览"] if row and row[0] == "A3"]  # said, not only coded
    assert rule[2] == "【错误】申请情况表各行：总计 = 自然人 + 法人或其他组织各项之和"
    status = {row[0]: row[2] for row in book["报送情况"][1:]}
    assert status["梨洲街道办事处"] == "未报送" and status["余姚市教育局"] == "有错误"
    # whom to reach: the roster's address (and the 填报人 a return gives)
    contact = {row[0]: row[8] for row in book["报送情况"][1:]}
    assert contact["凤山街道办事处"].startswith("名单：fs@example.cn")
    [stranger] = [row for row in book["报送情况"][1:] if row[2] == "不在名单中"]
    assert (stranger[5], stranger[6]) == (0, 0)  # its counts, like every listed return's
    problems = book["问题清单"][1:]
    counted = [r for r in run["report"]["results"] if "第一次.eml" not in r["file"]]
    # every finding of the listed returns, and the mail that could not be opened
    inbox = run["report"]["inbox_problems"]
    assert len(problems) == sum(len(r["findings"]) for r in counted) + len(inbox)
    # files named from the inbox down (总览 names the folder once): in print, a cell's end
    # is what tells the files apart
    within = [str(Path(p["origin"]).relative_to(run["inbox"])) for p in inbox]
    assert [row[1] for row in problems[-len(inbox) :]] == within
    assert any(row[4] == "A3" and row[0] == "余姚市教育局" for row in problems)
    details = book["明细"]
    keys = details[0]
    headings = dict(zip(keys, details[1], strict=True))  # each column named on its own
    assert headings["review.appeal.upheld"] == "行政复议 结果维持"
    assert headings["review.suit_after.total"] == "行政诉讼 复议后起诉 总计"
    assert headings["applications.new.natural"] == "一、本年新收政府信息公开申请数量·自然人"
    assert keys[:6] == ["unit", "group", "form", "status", "included", "file"]
    assert details[1][:6] == ["单位", "分组", "表格格式", "状态", "计入汇总表", "文件"]
    # a pivot table starts from the second row: every column named, no name twice
    assert all(details[1]) and len(set(details[1])) == len(details[1])
    fengshan = next(row for row in details[2:] if row[0] == "凤山街道办事处")
    assert fengshan[1:5] == ["街道", "gov-2021", "无问题", "是"]
    # which return the row is, named from the inbox down
    assert fengshan[5] == str(Path(values_file(run, "凤山街道.xlsx")).relative_to(run["inbox"]))
    education = next(row for row in details[2:] if row[0] == "余姚市教育局")
    assert education[3:5] == ["有错误", "否"]  # listed, but 汇总表 leaves it out
    values = next(u for u in run["report"]["results"] if u["file"].endswith("凤山街道.xlsx"))
    for col, key in enumerate(keys[6:], start=6):
        expected = values["values"].get(key)
        assert (fengshan[col] if fengshan[col] != "" else None) == expected, key


def test_a_hostile_unit_name_is_written_as_text(run: dict[str, Any]) -> None:
    workbook = openpyxl.load_workbook(run["out"])
    cells = [
        c
        for row in workbook["报送情况"].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_libreoffice_opens_the_summary(run: dict[str, Any], soffice: str) -> None:
    converted = convert([run["out"]], run["root"] / "lo", "xlsx")[run["out"]]
    assert list(sheets(converted)) == ["总览", "报送情况", "问题清单", "汇总表", "图表", "明细"]


def test_the_consolidated_tables_add_up_the_returns_without_errors(run: dict[str, Any]) -> None:
    """汇总表 in the official layout: by default only the clean returns (凤山's, and 兰江's
    laid out by hand); with --include-errors the 教育局 one too. Sums computed here from the
    fills."""
    clean = consistent_fill(SPEC, np.random.default_rng(1))
    broken = consistent_fill(SPEC, np.random.default_rng(2))
    lanjiang = consistent_fill(SPEC, np.random.default_rng(5))

    def figures(path: Path) -> tuple[Any, Any]:
        rows = sheets(path)["汇总表"]
        start = next(i for i, r in enumerate(rows) if r[0] == TITLE)
        line = next(r for r in rows[start:] if r[0] == "一、本年新收政府信息公开申请数量")
        return line[3], line[9]  # 自然人, 总计

    def expected(*fills: dict[str, Any]) -> tuple[float, float]:
        natural = sum(f.get("applications.new.natural") or 0 for f in fills)
        total = sum(
            f.get(f"applications.new.{c}") or 0 for f in fills for c in SPEC.sets["applicant"]
        )
        return natural, total

    assert figures(run["out"]) == expected(clean, lanjiang)
    # 部门, none of whose units is added up (教育局's errors, 民政局 missing), has its page,
    # saying so: a group left out without a word made a leader ask where it went
    rows = sheets(run["out"])["汇总表"]
    at = next(i for i, r in enumerate(rows) if r[0] == f"{TITLE}——分组：部门")
    assert rows[at + 1][0] == "纳入汇总的单位（0 个）："
    assert (
        rows[at + 2][0]
        == "应报 2 个单位，未纳入 2 个：余姚市教育局（有错误）、余姚市民政局（未报送）"
    )
    # with --include-errors below, 部门 (教育局) has a section too: after 街道, as listed
    assert "凤山街道办事处" in "".join(str(r[0]) for r in sheets(run["out"])["汇总表"])
    wider = run["root"] / "汇总-含错误.xlsx"
    done = toolkit(
        "summary",
        str(run["inbox"]),
        "-r",
        str(run["root"] / "名单.csv"),
        "-o",
        str(wider),
        "--include-errors",
        cwd=run["root"],
    )
    assert done.returncode == 2 and wider.is_file()  # the broken mail, as above
    assert figures(wider) == expected(clean, lanjiang, broken)
    # added up with its errors, 教育局 is named where the basis is: the sums need not balance
    notes = [str(r[0]) for r in sheets(wider)["汇总表"][:4]]
    assert any(n.startswith("注意：") and "余姚市教育局" in n for n in notes), notes
    sections = [r[0] for r in sheets(wider)["汇总表"] if "——分组：" in str(r[0])]
    assert sections == [f"{TITLE}——分组：街道", f"{TITLE}——分组：部门"]  # the roster's order
    for path in (run["out"], wider):  # 明细's rows kept by 计入汇总表 add up to 汇总表
        details = sheets(path)["明细"]  # the totals too: 教育局's typed 999 is its parts' sum
        kept = [row for row in details[2:] if row[4] == "是"]
        pivot = tuple(
            sum(row[details[0].index(key)] for row in kept)
            for key in ("applications.new.natural", "applications.new.total")
        )
        assert pivot == figures(path)


def test_the_json_carries_the_consolidated_totals_of_all_and_of_each_group(
    run: dict[str, Any],
) -> None:
    """--format json gives 汇总表's figures: the returns without errors added up, in all and
    per roster group, each with the units it adds up (sums computed here from the fills)."""
    clean = consistent_fill(SPEC, np.random.default_rng(1))
    lanjiang = consistent_fill(SPEC, np.random.default_rng(5))
    totals = {(t["form"], t["scope"], t["group"]): t for t in run["report"]["totals"]}
    whole, streets = totals[("gov-2021", "all", None)], totals[("gov-2021", "group", "街道")]
    assert whole["units"] == streets["units"] == ["凤山街道办事处", "兰江街道办事处"]
    for key in ("applications.new.natural", "applications.carried_out.total"):
        total = key.endswith(".total")
        parts = [key.replace(".total", f".{c}") for c in SPEC.sets["applicant"]] if total else [key]
        expected = sum(f.get(part) or 0 for f in (clean, lanjiang) for part in parts)
        assert whole["figures"][key] == streets["figures"][key] == expected
    # as 汇总表 shows them: counts as integers, and a figure neither unit gave is 0 in a
    # table they gave (a sum of blanks), not null
    applications = {k: v for k, v in whole["figures"].items() if k.startswith("applications.")}
    assert all(isinstance(v, int) for v in applications.values()), applications
    assert whole["with_errors"] == whole["invalid_left_out"] == []
    # 部门's page adds up no unit (教育局's errors, 民政局 missing): nothing, not zeros
    departments = totals[("gov-2021", "group", "部门")]
    assert departments["units"] == []
    assert departments["figures"]["applications.new.natural"] is None
    as_shown = sheets(run["out"])["汇总表"]
    start = next(i for i, r in enumerate(as_shown) if r[0] == TITLE)
    line = next(r for r in as_shown[start:] if r[0] == "一、本年新收政府信息公开申请数量")
    assert line[9] == whole["figures"]["applications.new.total"]  # the workbook's own figure


def test_reply_drafts_parse_back_with_the_right_attachments_and_recipients(
    run: dict[str, Any],
) -> None:
    import email
    from email import policy

    folder = run["root"] / "回复草稿"
    done = toolkit(
        "summary",
        str(run["inbox"]),
        "-r",
        str(run["root"] / "名单.csv"),
        "--replies",
        str(folder),
        cwd=run["root"],
    )
    assert done.returncode == 2, done.stderr  # the broken mail, as above
    assert "另有 1 个邮件、压缩包或附件无法读取" in done.stdout
    assert "另有 1 个文件对不上名单" in done.stdout  # the stranger, in the verdict too
    drafts = {
        p.stem: email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in folder.glob("*.eml")
    }
    assert sorted(drafts) == ["余姚市教育局", "余姚市民政局", "梨洲街道办事处"]
    errors = drafts["余姚市教育局"]
    assert "jy@example.cn" in errors["To"] and "请修改" in errors["Subject"]
    text = errors.get_body().get_content()
    assert "总计应为" in text and "0 处提示" not in text
    result = next(r for r in run["report"]["results"] if r["file"].endswith("教育局年报.xlsx"))
    severities = [f["severity"] for f in result["findings"]]
    assert f"有 {severities.count('error')} 处错误" in text
    assert text.count("（提示）") == severities.count("warning")  # each warning marked
    [marked] = list(errors.iter_attachments())
    assert marked.get_filename() == "教育局年报.批注.xlsx"
    raw = (folder / "余姚市教育局.eml").read_bytes()  # one parameter, no continuations
    assert b"filename*=utf-8''" in raw and b"filename*0" not in raw
    head = raw.split(b"\n\n", 1)[0].split(b"\n")
    at = next(i for i, line in enumerate(head) if line.startswith(b"Subject: "))
    folded = [head[at], *itertools.takewhile(lambda x: x.startswith(b" "), head[at + 1 :])]
    assert len(folded) > 1 and max(map(len, folded)) <= 78  # the subject's words kept short
    copy = run["root"] / "附件.xlsx"
    copy.write_bytes(marked.get_content())
    assert openpyxl.load_workbook(copy).sheetnames[0] == "问题清单"
    reminder = drafts["梨洲街道办事处"]
    assert "lz@example.cn" in reminder["To"] and "请报送" in reminder["Subject"]
    [template] = list(reminder.iter_attachments())
    assert template.get_filename() == "梨洲街道办事处2025年度年报模板.xlsx"
    copy.write_bytes(template.get_content())
    assert "_toolkit" in openpyxl.load_workbook(copy).sheetnames  # our template, for this unit
    for unit in ("梨洲街道办事处", "余姚市民政局"):  # written in parallel from one layout
        [attached] = list(drafts[unit].iter_attachments())
        copy.write_bytes(attached.get_content())
        fields, _ = read_map(copy)
        assert value_at(read_sheets(copy), *fields["meta.unit"]) == unit
    assert drafts["余姚市民政局"]["To"] == ""  # no address on the roster: listed for the clerk
    assert "余姚市民政局" in done.stdout + done.stderr


def test_the_charts_the_spec_declares_plot_the_included_figures(run: dict[str, Any]) -> None:
    rows = sheets(run["out"])["图表"]
    start = next(i for i, r in enumerate(rows) if r[0] == HEADING)
    data = {r[0]: r[1] for r in rows[start:] if r and r[0] and r[1] != ""}
    fengshan, lanjiang = (consistent_fill(SPEC, np.random.default_rng(s)) for s in (1, 5))
    applicants = SPEC.sets["applicant"]

    def granted(fill: dict[str, Any]) -> float:
        return sum(fill.get(f"applications.granted.{c}") or 0 for c in applicants)

    assert data["予以公开"] == granted(fengshan) + granted(lanjiang)  # the two clean returns
    for unit, fill in (("凤山街道办事处", fengshan), ("兰江街道办事处", lanjiang)):
        new = sum(fill.get(f"applications.new.{c}") or 0 for c in applicants)
        assert data[unit] == new  # the top-units ranking
    assert rows[start + 1][0] == "以下图表按纳入汇总表的 2 个单位的年报绘制（与汇总表相同）。"

    def chart(title: str) -> dict[str, Any]:  # the figures under a chart's title
        at = next(i for i, r in enumerate(rows) if r[0] == title)
        return {r[0]: r[1] for r in rows[at + 1 : at + 5]}

    # reconsiderations and lawsuits apart: added together, neither could be read
    both = (fengshan, lanjiang)
    appeal, suits = chart("行政复议结果"), chart("行政诉讼结果")
    assert appeal["结果纠正"] == sum(f.get("review.appeal.corrected") or 0 for f in both)
    assert suits["结果纠正"] == sum(
        f.get(f"review.{kind}.corrected") or 0
        for f in both
        for kind in ("suit_direct", "suit_after")
    )
    chart_parts = [n for n in zipfile.ZipFile(run["out"]).namelist() if n.startswith("xl/charts/")]
    assert len(chart_parts) >= 6  # two on 总览, four per form on 图表


def test_without_a_roster_each_return_is_its_own_unit_even_unreadable(tmp_path: Path) -> None:
    """A unit made from a file name ("损坏-1") must not be matched by the file-name rules
    and then come out "missing", with a reminder draft."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    filled(inbox, "凤山街道.xlsx", "凤山街道办事处", 9)
    (inbox / "损坏-1.xlsx").write_bytes(b"PK\x03\x04 broken")
    done = toolkit("summary", str(inbox), "--format", "json", "--replies", str(tmp_path / "r"))
    assert done.returncode == 2, done.stderr  # a file could not be read
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    assert units["损坏-1"]["status"] == "unreadable"
    assert units["凤山街道办事处"]["status"] == "ok"
    assert list((tmp_path / "r").glob("*.eml")) == []  # nobody is missing, nobody has errors


def test_units_without_an_address_are_counted_and_the_first_ones_named(tmp_path: Path) -> None:
    """A national roster may lack hundreds of addresses: the clerk is told how many, with
    the first ten named, not a line of every name."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    names = [f"第{i:02d}街道办事处" for i in range(12)]
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n" + "".join(f"{n}\n" for n in names), encoding="utf-8")
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "--replies", str(tmp_path / "r"), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr  # nothing received, nothing wrong
    [line] = [x for x in done.stdout.splitlines() if "没有邮箱" in x]
    assert "以下 12 个单位" in line and "共 12 个" in line
    assert all(name in line for name in names[:10])
    assert names[10] not in line and names[11] not in line
    assert len(list((tmp_path / "r").glob("*.eml"))) == 12  # each still gets its reminder


def test_a_second_run_into_the_same_drafts_folder_writes_nothing_until_forced(
    run: dict[str, Any],
) -> None:
    """Drafts already there: refused before the workbook is written, with their count; with
    --force they are rewritten, and a draft of ours this run did not rewrite is named so the
    clerk does not send it (the clerk's own mails in the folder are left out of it)."""
    folder = run["root"] / "草稿-再次"
    roster = str(run["root"] / "名单.csv")
    first = toolkit("summary", str(run["inbox"]), "-r", roster, "--replies", str(folder))
    assert first.returncode == 2, first.stderr  # the broken mail
    drafts = sorted(folder.glob("*.eml"))
    assert len(drafts) == 3
    (folder / "已改正单位.eml").write_bytes(drafts[0].read_bytes())  # a unit fixed since
    (folder / "我自己的邮件.eml").write_bytes(b"Subject: hi\r\n\r\nbody\r\n")
    summary = run["root"] / "再次汇总.xlsx"
    again = toolkit(
        "summary", str(run["inbox"]), "-r", roster, "-o", str(summary), "--replies", str(folder)
    )
    assert again.returncode == 2
    assert "有 3 个输出文件已存在" in again.stderr and "--force" in again.stderr
    assert not summary.exists()  # refused before anything was written
    forced = toolkit(
        "summary",
        str(run["inbox"]),
        "-r",
        roster,
        "-o",
        str(summary),
        "--replies",
        str(folder),
        "--force",
    )
    assert forced.returncode == 2 and summary.exists()
    [line] = [x for x in forced.stderr.splitlines() if "请勿误发" in x]
    assert "1 封" in line and "已改正单位.eml" in line and "我自己的邮件" not in line


def test_a_report_of_another_year_is_listed_and_counts_for_nothing(tmp_path: Path) -> None:
    """The year collected is most returns' (or --year): last year's report, even sent after
    this year's, replaces nothing and adds to no total; a unit that sent only last year's
    has not reported, and its reminder says what arrived."""
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()

    def made(name: str, unit: str, seed: int, year: int) -> Path:
        template = build / f"t-{seed}.xlsx"
        build_template(SPEC, template, unit=unit, year=year)
        fill_workbook(template, build / name, consistent_fill(SPEC, np.random.default_rng(seed)))
        return build / name

    shutil.copy(made("凤山2025.xlsx", "凤山街道办事处", 1, 2025), inbox / "凤山2025.xlsx")
    shutil.copy(made("兰江2025.xlsx", "兰江街道办事处", 2, 2025), inbox / "兰江2025.xlsx")
    old = made("凤山2024.xlsx", "凤山街道办事处", 3, 2024).read_bytes()
    saved_mail(inbox / "后来.eml", "Tue, 27 Jan 2026 08:00:00 +0800", "凤山旧表.xlsx", old)
    shutil.copy(made("梨洲2024.xlsx", "梨洲街道办事处", 4, 2024), inbox / "梨洲2024.xlsx")
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,邮箱\n凤山街道办事处,fs@example.cn\n兰江街道办事处,lj@example.cn\n"
        "梨洲街道办事处,lz@example.cn\n",
        encoding="utf-8",
    )
    out, drafts = tmp_path / "汇总.xlsx", tmp_path / "草稿"
    args = ("summary", str(inbox), "-r", str(roster), "-o", str(out))
    done = toolkit(*args, "--replies", str(drafts), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["year"] == 2025
    units = {u["unit"]: u for u in report["units"]}
    fengshan = units["凤山街道办事处"]
    assert fengshan["status"] == "ok" and fengshan["file"].endswith("凤山2025.xlsx")
    assert fengshan["superseded"] == [] and len(fengshan["other_year"]) == 1
    assert fengshan["other_year"][0]["year"] == 2024
    lizhou = units["梨洲街道办事处"]
    assert lizhou["status"] == "missing" and lizhou["other_year"][0]["year"] == 2024
    rows = sheets(out)
    included = next(r[0] for r in rows["汇总表"] if str(r[0]).startswith("纳入汇总的单位"))
    assert included == "纳入汇总的单位（2 个）：凤山街道办事处、兰江街道办事处"  # roster order
    note = next(r[7] for r in rows["报送情况"] if r[0] == "凤山街道办事处")
    assert "不是 2025 年度的报表" in note and "凤山旧表.xlsx" in note
    assert {r[0]: r[1] for r in rows["总览"] if r}["汇总年度"] == 2025
    import email
    from email import policy

    [reminder] = list(drafts.glob("*.eml"))
    body = email.message_from_bytes(reminder.read_bytes(), policy=policy.default).get_body()
    text = body.get_content()
    assert reminder.stem == "梨洲街道办事处" and "梨洲2024.xlsx 是 2024 年度的报表" in text
    # the text account names them; --year turns the collection to 2024
    plain = toolkit(*args, "--force", cwd=tmp_path)
    assert "年度不符" in plain.stdout and "另有 2 份报表不是 2025 年度的" in plain.stdout
    assert "加 --replies 文件夹 可给这 1 个有错误、无法读取或未报送的单位" in plain.stdout  # 梨洲
    from toolkit.summary.report import display_width

    starts = set()  # the column where each listed line's unit or file begins
    for line in (x for x in plain.stdout.splitlines() if x.startswith("  ")):
        label, _, rest = line[2:].partition(" ")
        starts.add(2 + display_width(label) + 1 + len(rest) - len(rest.lstrip(" ")))
    assert len(starts) == 1, plain.stdout
    other = toolkit(*args, "--force", "--year", "2024", "--format", "json", cwd=tmp_path)
    units = {u["unit"]: u for u in json.loads(other.stdout)["units"]}
    assert units["梨洲街道办事处"]["status"] == "ok"
    assert units["凤山街道办事处"]["file"].endswith("凤山旧表.xlsx")
    assert units["兰江街道办事处"]["status"] == "missing"


def test_a_unit_whose_report_is_of_another_year_is_missing_beside_its_table(
    tmp_path: Path,
) -> None:
    """2025's collection where the only report is 2024's: reports are still what the roster
    waits for, so its unit is missing (its 2025 table counted), and an error in that old
    report sets no exit code: it is not this year's return."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    supp = load_form("supp-stats")

    def made(name: str, spec: Any, unit: str, seed: int, year: int, **extra: Any) -> None:
        template = tmp_path / f"t-{name}"
        build_template(spec, template, unit=unit, year=year)
        values = {**consistent_fill(spec, np.random.default_rng(seed)), **extra}
        fill_workbook(template, inbox / name, values)

    made("凤山2024.xlsx", SPEC, "凤山街道办事处", 1, 2024, **{"applications.new.total": 999})
    made("凤山补充表.xlsx", supp, "凤山街道办事处", 2, 2025)
    made("兰江补充表.xlsx", supp, "兰江街道办事处", 3, 2025)
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n凤山街道办事处\n兰江街道办事处\n", encoding="utf-8")
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "--format", "json", "--replies",
        str(tmp_path / "草稿"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr  # the errors are in last year's report only
    report = json.loads(done.stdout)
    units = {u["unit"]: u for u in report["units"]}
    assert report["year"] == 2025
    assert units["凤山街道办事处"]["status"] == "missing"
    assert [Path(s["file"]).name for s in units["凤山街道办事处"]["supplements"]] == [
        "凤山补充表.xlsx"
    ]
    assert units["兰江街道办事处"]["status"] == "missing"  # it sent no report at all
    assert sorted(p.stem for p in (tmp_path / "草稿").glob("*.eml")) == [
        "兰江街道办事处",
        "凤山街道办事处",
    ]


def test_without_a_roster_a_unit_with_only_another_years_report_is_not_missing(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    for name, unit, seed, year in (
        ("a.xlsx", "凤山街道办事处", 1, 2025),
        ("b.xlsx", "兰江街道办事处", 2, 2024),
    ):
        template = tmp_path / f"t-{name}"
        build_template(SPEC, template, unit=unit, year=year)
        fill_workbook(template, inbox / name, consistent_fill(SPEC, np.random.default_rng(seed)))
    drafts = tmp_path / "草稿"
    done = toolkit(
        "summary", str(inbox), "--year", "2025", "--format", "json", "--replies", str(drafts),
        cwd=tmp_path,
    )  # fmt: skip
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    assert units["兰江街道办事处"]["status"] == "other_year"  # nobody expected it: not missing
    assert units["凤山街道办事处"]["status"] == "ok"
    assert list(drafts.glob("*.eml")) == []  # no reminder to a unit no roster names
    plain = toolkit("summary", str(inbox), "--year", "2025", cwd=tmp_path).stdout
    assert "收到 1 个单位的报表" in plain and "1 个无问题" in plain  # 兰江's is not this year's
    assert "另有 1 份报表不是 2025 年度的（见上），未计入。" in plain and "--year 指定" not in plain


def test_every_rule_a_finding_can_carry_is_said_in_words_on_the_overview() -> None:
    """总览 counts findings by rule with a sentence beside each code: every rule of the
    shipped forms, and every code the reader gives (found in its source), has one."""
    import re

    from toolkit.forms.registry import load_all
    from toolkit.messages import set_language
    from toolkit.summary.workbook import catalogue_text, rule_texts

    specs, _ = load_all()
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "toolkit").rglob("*.py"))
    reader = set(re.findall(r'(?:CheckFinding|FileProblem|_located)\([^)]*?"([A-Z]\d)"', source))
    assert {"F1", "F2", "F3", "F4", "W5"} <= reader
    codes = reader | {rule.id for spec in specs for rule in spec.rules}
    for lang in ("zh", "en"):
        set_language(lang)
        try:
            texts = rule_texts(specs)
            silent = sorted(c for c in codes if not (texts.get(c) or catalogue_text(c)))
        finally:
            set_language(None)
        assert silent == [], lang
        # one sentence for W2, not its three tables' questions glued together ("？；")
        w2 = texts["W2"]
        assert "？；" not in w2 and "?;" not in w2 and w2.count("表") <= 4
        if lang == "en":  # joined in the reader's language
            assert all("；" not in text for text in texts.values()), texts


def test_drafts_saved_in_the_inbox_forwarded_reports_and_two_addresses(tmp_path: Path) -> None:
    """A unit's 邮箱 cell with two addresses (split by ；) gives a draft to both; a report
    naming another body that a unit's address forwarded does not replace the unit's own;
    a drafts folder inside the inbox is written again, never read as returns."""
    import email
    from email import policy

    inbox, build, roster = inbox_and_roster(
        tmp_path,
        "凤山街道办事处,fs@example.cn；fs2@example.cn\n"
        "兰江街道办事处,lj@example.cn\n梨洲街道办事处,lz@example.cn\n",
    )
    filled(inbox, "凤山.xlsx", "凤山街道办事处", 1, **{"applications.new.total": 999})
    own = filled(build, "兰江.xlsx", "兰江街道办事处", 2).read_bytes()
    saved_mail(inbox / "兰江.eml", "Mon, 19 Jan 2026 08:00:00 +0800", "兰江.xlsx", own,
               sender="lj@example.cn")  # fmt: skip
    other = filled(build, "城北.xlsx", "城北社区居民委员会", 3).read_bytes()
    saved_mail(inbox / "转发.eml", "Tue, 27 Jan 2026 08:00:00 +0800", "城北.xlsx", other,
               sender="lj@example.cn")  # fmt: skip
    drafts = inbox / "回复草稿"
    args = ("summary", str(inbox), "-r", str(roster), "--replies", str(drafts))
    first = toolkit(*args, "--format", "json", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    units = {u["unit"]: u for u in json.loads(first.stdout)["units"]}
    assert units["兰江街道办事处"]["file"].endswith("兰江.eml › 兰江.xlsx")
    assert [Path(f).name for f in units["兰江街道办事处"]["superseded"]] == ["转发.eml › 城北.xlsx"]
    message = email.message_from_bytes(
        (drafts / "凤山街道办事处.eml").read_bytes(), policy=policy.default
    )
    assert [a.addr_spec for a in message["To"].addresses] == ["fs@example.cn", "fs2@example.cn"]
    again = toolkit(*args, "--format", "json", "--force", cwd=tmp_path)
    assert again.returncode == 1, again.stderr  # written over, not refused as inputs
    report = json.loads(again.stdout)
    assert {u["unit"]: u["status"] for u in report["units"]} == {
        u["unit"]: u["status"] for u in json.loads(first.stdout)["units"]
    }
    skipped = {Path(s["origin"]).name for s in report["skipped"]}
    assert {"凤山街道办事处.eml", "梨洲街道办事处.eml"} <= skipped  # our drafts, not returns
    assert len(report["results"]) == 3
    plain = toolkit(*args, "--force", cwd=tmp_path).stdout  # said once, not a line each
    said = [line for line in plain.splitlines() if "本工具写的回复草稿" in line]
    assert len(said) == 1 and "：2 封本工具写的回复草稿" in said[0]


def test_a_late_forward_of_an_old_report_does_not_replace_the_correction(tmp_path: Path) -> None:
    """A colleague forwards (as an attachment, days later) the unit's first, faulty mail;
    the unit's correction, sent in between, still counts: a forwarded mail's return is
    dated, and matched by sender, by the forwarded mail's own headers."""
    inbox, build, roster = inbox_and_roster(tmp_path)
    faulty = filled(build, "a.xlsx", "兰江街道办事处", 2, **{"applications.new.total": 999})
    first = ("兰江年报.xlsx", faulty.read_bytes())
    fixed = filled(build, "b.xlsx", "兰江街道办事处", 2).read_bytes()
    saved_mail(inbox / "更正.eml", "Tue, 20 Jan 2026 09:00:00 +0800", "兰江年报（更正）.xlsx",
               fixed, sender="lj@example.cn")  # fmt: skip
    colleague = "colleague@example.gov.cn"
    original = mail_of("lj@example.cn", "Sat, 10 Jan 2026 09:00:00 +0800", first)
    forward = mail_of(colleague, "Sun, 25 Jan 2026 18:00:00 +0800", original, body="转给您")
    (inbox / "转发.eml").write_bytes(bytes(forward))
    # forwarded again, from a copy that lost its Date: undated, not dated by the forward
    undated = mail_of("lj@example.cn", None, first)
    again = mail_of(colleague, "Mon, 26 Jan 2026 18:00:00 +0800", undated, body="再转给您")
    (inbox / "转发3.eml").write_bytes(bytes(again))
    # a return that names no unit, forwarded: the inner sender, not the colleague, says whose
    anonymous = ("年报.xlsx", filled(build, "c.xlsx", "", 4).read_bytes())
    inner = mail_of("fs@example.cn", "Mon, 12 Jan 2026 09:00:00 +0800", anonymous)
    forward = mail_of(colleague, "Sun, 25 Jan 2026 18:05:00 +0800", inner, body="转给您")
    (inbox / "转发2.eml").write_bytes(bytes(forward))
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    lanjiang = units["兰江街道办事处"]
    assert lanjiang["file"].endswith("更正.eml › 兰江年报（更正）.xlsx"), done.stderr
    assert lanjiang["status"] != "errors"
    assert sorted(Path(f).name for f in lanjiang["superseded"]) == [
        "转发.eml › 兰江年报.xlsx",
        "转发3.eml › 兰江年报.xlsx",
    ]
    assert lanjiang["received"].startswith("2026-01-20")
    fengshan = units["凤山街道办事处"]
    assert fengshan["file"].endswith("转发2.eml › 年报.xlsx") and fengshan["matched_by"] == "sender"
    assert fengshan["received"].startswith("2026-01-12")


def test_an_attachment_saved_loose_later_is_dated_by_its_mail(tmp_path: Path) -> None:
    """The clerk saves the unit's first, faulty attachment into the folder days after the
    unit mailed its correction: the saved copy is as old as the mail that brought it, so
    the correction still counts."""
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n兰江街道办事处,lj@example.cn\n", encoding="utf-8")
    faulty = filled(build, "a.xlsx", "兰江街道办事处", 2, **{"applications.new.total": 999})
    fixed = filled(build, "b.xlsx", "兰江街道办事处", 3)
    saved_mail(inbox / "年报.eml", "Sat, 10 Jan 2026 09:00:00 +0800", "兰江年报.xlsx",
               faulty.read_bytes(), sender="lj@example.cn")  # fmt: skip
    saved_mail(inbox / "更正.eml", "Tue, 20 Jan 2026 09:00:00 +0800", "兰江年报（更正）.xlsx",
               fixed.read_bytes(), sender="lj@example.cn")  # fmt: skip
    loose = shutil.copy(faulty, inbox / "兰江街道年报.xlsx")
    saved = dt.datetime(2026, 1, 25, 9, 0).timestamp()  # saved five days after the correction
    os.utime(loose, (saved, saved))
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    [lanjiang] = json.loads(done.stdout)["units"]
    assert lanjiang["file"].endswith("更正.eml › 兰江年报（更正）.xlsx"), done.stderr
    assert lanjiang["status"] == "ok" and done.returncode == 0
    assert sorted(Path(f).name for f in lanjiang["superseded"]) == [
        "兰江街道年报.xlsx",
        "年报.eml › 兰江年报.xlsx",
    ]


def test_a_filling_date_left_over_from_last_year_does_not_date_a_return(tmp_path: Path) -> None:
    """A unit re-used last year's file and left its 填报日期 (2025-01-20) on its 2025 report:
    that date cannot be when it was made, so the file's own date orders it, and the later
    of the unit's two returns counts."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n兰江街道办事处,lj@example.cn\n", encoding="utf-8")
    first = filled(inbox, "兰江年报.xlsx", "兰江街道办事处", 2, **{"applications.new.total": 999})
    second = filled(
        inbox, "兰江年报（更正）.xlsx", "兰江街道办事处", 3, **{"meta.date": "2025-01-20"}
    )
    for path, day in ((first, 20), (second, 25)):
        moment = dt.datetime(2026, 1, day, 9, 0).timestamp()
        os.utime(path, (moment, moment))
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    [lanjiang] = json.loads(done.stdout)["units"]
    assert lanjiang["file"].endswith("兰江年报（更正）.xlsx"), done.stderr
    assert lanjiang["received"].startswith("2026-01-25")


def test_a_correction_keeping_its_filling_date_counts_by_when_it_was_saved(
    tmp_path: Path,
) -> None:
    """A correction keeps the 填报日期 of the report it corrects (one day, no time): of two
    returns dated the same day, the file saved later counts."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n兰江街道办事处,lj@example.cn\n", encoding="utf-8")
    unit, day = "兰江街道办事处", {"meta.date": "2026-01-22"}
    wrong = {"applications.new.total": 999, **day}
    for name, seed, typed, hour in (("更正.xlsx", 3, day, 16), ("年报.xlsx", 2, wrong, 10)):
        path = filled(inbox, name, unit, seed, **typed)
        moment = dt.datetime(2026, 1, 22, hour, 0).timestamp()
        os.utime(path, (moment, moment))
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    [lanjiang] = json.loads(done.stdout)["units"]
    assert lanjiang["file"].endswith("更正.xlsx") and lanjiang["status"] == "ok", done.stderr


def test_sums_of_money_carry_no_binary_noise_and_units_without_a_roster_keep_their_sender() -> None:
    from toolkit.check.result import FileResult
    from toolkit.summary.consolidate import count_returns
    from toolkit.summary.unlisted import units_from_returns

    money = "active.fees.amount"  # 万元, with decimals
    [figures] = count_returns(SPEC, [{money: 0.1}, {money: 0.2}, {money: 316.7}]).sums([[0, 1, 2]])
    assert figures[money] == 317.0  # not 317.00000000000006
    results = [FileResult(f"{i}.xlsx", None) for i in range(3)]
    names = ("凤山街道办事处", "凤山街道办事处", "兰江街道办事处")
    for result, unit in zip(results, names, strict=True):
        result.meta["unit"] = unit
    found = units_from_returns(
        results, ["a.xlsx", "b.xlsx", "c.xlsx"], [None, "fs@example.cn", None]
    )
    units, matches = found.units, found.matches
    assert [(u.name, u.email) for u in units] == [
        ("凤山街道办事处", "fs@example.cn"),  # from the mail that brought its second return
        ("兰江街道办事处", None),
    ]
    assert matches[0].unit is units[0] and matches[1].unit is units[0]


def test_a_total_given_alone_counts_and_a_mistyped_one_gives_way_to_its_parts() -> None:
    """A row that gives only its 总计 (W7: real reports do it) counts with that total; a
    total typed wrong counts as the sum of its parts (as --include-errors adds it up); each
    return's figures add up to the consolidated ones."""
    from toolkit.summary.consolidate import count_returns

    row = [f"applications.new.{c}" for c in SPEC.sets["applicant"]]
    alone = {**consistent_fill(SPEC, np.random.default_rng(1)), **dict.fromkeys(row)}
    alone["applications.new.total"] = 51
    mistyped = {**consistent_fill(SPEC, np.random.default_rng(2)), "applications.new.total": 999}
    parts = sum(mistyped[k] or 0 for k in row)
    # a row left empty in a template: its formula total shows 0 over blank parts
    empty_row = {**consistent_fill(SPEC, np.random.default_rng(3)), **dict.fromkeys(row)}
    empty_row["applications.new.total"] = 0
    assert count_returns(SPEC, [empty_row]).alone.tolist() == [False]
    counted = count_returns(SPEC, [alone, mistyped])
    first, second = counted.figures()
    assert first["applications.new.total"] == 51 and first["applications.new.natural"] is None
    assert second["applications.new.total"] == parts
    [together] = counted.sums([[0, 1]])
    assert together["applications.new.total"] == 51 + parts
    assert together["applications.new.natural"] == mistyped["applications.new.natural"]
    for key, value in together.items():  # each figure the sum of the returns' own
        mine = [f[key] for f in (first, second) if f[key] is not None]
        assert value == (round(sum(mine), 6) if mine else None), key
    assert counted.alone.tolist() == [True, False]


def test_the_consolidated_table_says_why_a_row_adds_up_to_less_than_its_total(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    row = {f"applications.new.{c}": None for c in SPEC.sets["applicant"]}
    filled(inbox, "甲.xlsx", "凤山街道办事处", 1, **row, **{"applications.new.total": 51})
    filled(inbox, "乙.xlsx", "兰江街道办事处", 2)
    summary = tmp_path / "汇总.xlsx"
    # the blank parts break A1 of their columns too: added up with --include-errors
    args = ("summary", str(inbox), "-o", str(summary), "--include-errors")
    done = toolkit(*args, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    rows = sheets(summary)["汇总表"]
    [note] = [r[0] for r in rows if str(r[0]).startswith("注：")]
    assert "凤山街道办事处" in note and "兰江街道办事处" not in note


def test_a_figure_n1_refuses_is_left_out_of_the_totals_and_said(tmp_path: Path) -> None:
    """--include-errors adds up a return with a count typed -1 without that -1 (no count to
    add up): the field's sum is the clean return's figure, the row's 总计 the other parts'
    sum, a line under the basis names the unit, and 明细 leaves the cell blank so that its
    rows kept still add up to 汇总表. Without --include-errors nothing of it shows."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    natural = "applications.new.natural"
    filled(inbox, "甲.xlsx", "凤山街道办事处", 1)
    filled(inbox, "乙.xlsx", "兰江街道办事处", 2, **{natural: -1})
    clean, broken = (consistent_fill(SPEC, np.random.default_rng(seed)) for seed in (1, 2))
    broken[natural] = None  # as counted: blank
    row = [f"applications.new.{c}" for c in SPEC.sets["applicant"]]
    total = sum(f.get(k) or 0 for f in (clean, broken) for k in row)
    assert clean[natural] and total
    said = render("summary.consolidated.invalid", lang="zh", names="兰江街道办事处")
    for flags, expected in ((("--include-errors",), (clean[natural], total)), ((), None)):
        summary = tmp_path / f"汇总{len(flags)}.xlsx"
        done = toolkit(
            "summary", str(inbox), "-o", str(summary), "--format", "json", *flags, cwd=tmp_path
        )
        assert done.returncode == 1, done.stderr
        [whole] = [t for t in json.loads(done.stdout)["totals"] if t["scope"] == "all"]
        book = sheets(summary)
        rows = book["汇总表"]
        figures = next(r for r in rows if r[0] == "一、本年新收政府信息公开申请数量")
        details = book["明细"]
        at = details[0].index(natural)
        [typed] = [r[at] for r in details[2:] if r[0] == "兰江街道办事处"]
        if expected is None:  # the return is not added up: its -1 shown as it came
            assert (figures[3], typed) == (clean[natural], -1)
            assert said not in [r[0] for r in rows]
            assert whole["units"] == ["凤山街道办事处"] and whole["invalid_left_out"] == []
            continue
        assert (figures[3], figures[9]) == expected  # not 自然人 - 1, nor a total over it
        assert rows[1][0] == said  # under the basis line
        # the JSON's block says the same: added up with its errors, its -1 left out
        assert whole["with_errors"] == whole["invalid_left_out"] == ["兰江街道办事处"]
        assert (whole["figures"][natural], whole["figures"]["applications.new.total"]) == expected
        assert typed == ""  # as 汇总表 counts it: 明细's rows kept add up to its figures
        kept = [r for r in details[2:] if r[4] == "是"]
        columns = [details[0].index(k) for k in (natural, "applications.new.total")]
        assert tuple(sum(r[c] or 0 for r in kept) for c in columns) == expected


def test_the_count_leaves_out_only_the_figures_n1_refuses() -> None:
    """N1 as the form declares it, field by field: a count of 2.5 or -1 and money below 0
    are blank as counted (and a total over them their other parts' sum), a gov-2019 change
    of -3 counts; figures are only left out when asked."""
    from toolkit.summary.consolidate import count_returns

    old = load_form("gov-2019")
    change, prev = "active.licensing.change", "active.licensing.prev_items"
    [kept] = count_returns(old, [{change: -3, prev: 5}], valid_only=True).figures()
    assert (kept[change], kept[prev]) == (-3, 5)
    upheld, other, total = (f"review.appeal.{k}" for k in ("upheld", "other", "total"))
    returns = [
        {upheld: -1, other: 2, total: 1, "active.fees.amount": -5.5},
        {upheld: 2.5, other: 2},
        {upheld: 1, other: 2},
    ]
    counted = count_returns(SPEC, returns, valid_only=True)
    assert counted.refused.tolist() == [True, True, False]
    first, second, third = counted.figures()
    assert (first[upheld], first[total], first["active.fees.amount"]) == (None, 2, None)
    assert (second[upheld], second[total], third[total]) == (None, 2, 3)
    [together] = counted.sums([[0, 1, 2]])
    assert (together[upheld], together[total]) == (1, 7)
    as_given = count_returns(SPEC, returns)
    assert not as_given.refused.any() and as_given.figures()[0][upheld] == -1


def test_the_english_listing_lines_up_whatever_its_widest_label(run: dict[str, Any]) -> None:
    """ "Not on the roster" (the stranger) is wider than any Chinese label: every listed
    line still starts its unit or file at one column."""
    from toolkit.messages import catalogue, render

    labels = sorted(
        (render(k, lang="en") for k in catalogue("en") if k.startswith(("summary.status.",
         "summary.standing."))),
        key=len,
        reverse=True,
    )  # fmt: skip
    done = toolkit(
        "summary", str(run["inbox"]), "-r", str(run["root"] / "名单.csv"), "--lang", "en",
        cwd=run["root"],
    )  # fmt: skip
    starts = set()
    for line in (x for x in done.stdout.splitlines() if x.startswith("  ")):
        label = next(la for la in labels if line[2:].startswith(la))
        rest = line[2 + len(label) :]
        starts.add(2 + len(label) + len(rest) - len(rest.lstrip(" ")))
    assert "Not on the roster" in done.stdout and len(starts) == 1, done.stdout


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_times_are_shown_on_beijing_time_whatever_zone_they_came_in(
    tmp_path: Path, zone: str
) -> None:
    """A mail dated in UTC and a file saved at a UTC moment show Beijing time (a spreadsheet
    cell holds no zone), whatever zone the computer is set to: a server or a container left
    on UTC showed 09:30 as 01:30."""
    import datetime as dt
    import os

    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()
    mailed = filled(build, "a.xlsx", "凤山街道办事处", 1).read_bytes()
    saved_mail(inbox / "1.eml", "Mon, 12 Jan 2026 02:00:00 +0000", "凤山.xlsx", mailed)
    loose = filled(inbox, "兰江.xlsx", "兰江街道办事处", 2)
    moment = dt.datetime(2026, 1, 13, 1, 30, tzinfo=dt.UTC).timestamp()
    os.utime(loose, (moment, moment))
    # dated only by its 填报日期: that day's start, not a time made up by a zone
    filled(inbox, "梨洲.xlsx", "梨洲街道办事处", 3, **{"meta.date": dt.date(2026, 1, 14)})
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称\n凤山街道办事处\n兰江街道办事处\n梨洲街道办事处\n", encoding="utf-8"
    )
    summary = tmp_path / "汇总.xlsx"
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "-o", str(summary),
        cwd=tmp_path, env={"TZ": zone},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = openpyxl.load_workbook(summary)["报送情况"]
    shown = {row[0].value: row[4].value for row in rows.iter_rows(min_row=2)}
    assert shown["凤山街道办事处"] == dt.datetime(2026, 1, 12, 10, 0)
    assert shown["兰江街道办事处"] == dt.datetime(2026, 1, 13, 9, 30)
    assert shown["梨洲街道办事处"] == dt.datetime(2026, 1, 14, 0, 0)
    # … and shown as the day alone, with no made-up time of day (in JSON too)
    formats = {row[0].value: row[4].number_format for row in rows.iter_rows(min_row=2)}
    assert formats["梨洲街道办事处"] == "yyyy-mm-dd"
    assert formats["兰江街道办事处"] == "yyyy-mm-dd hh:mm"
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "--format", "json",
        cwd=tmp_path, env={"TZ": zone},
    )  # fmt: skip
    received = {u["unit"]: u["received"] for u in json.loads(done.stdout)["units"]}
    assert received["梨洲街道办事处"] == "2026-01-14"
    assert received["凤山街道办事处"] == "2026-01-12T02:00:00+00:00"


def test_units_of_no_group_have_a_table_so_the_groups_add_up_to_the_whole(
    tmp_path: Path,
) -> None:
    """A roster giving some units a group and others none: 汇总表 adds up the ungrouped ones
    in a table of their own, and the groups' tables then add up to the whole."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,分组\n凤山街道办事处,街道\n兰江街道办事处,\n余姚市教育局,部门\n", encoding="utf-8"
    )
    for seed, unit in enumerate(("凤山街道办事处", "兰江街道办事处", "余姚市教育局"), start=1):
        filled(inbox, f"{unit}.xlsx", unit, seed)
    out = tmp_path / "汇总.xlsx"
    done = toolkit("summary", str(inbox), "-r", str(roster), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = sheets(out)["汇总表"]
    headings = [i for i, r in enumerate(rows) if str(r[0]).startswith(TITLE)]
    assert [rows[i][0] for i in headings] == [
        TITLE,
        f"{TITLE}——分组：街道",
        f"{TITLE}——分组：部门",
        f"{TITLE}——未分组的单位（名单中“分组”一栏为空）",
    ]
    totals = [
        next(r for r in rows[i:] if r[0] == "一、本年新收政府信息公开申请数量")[9] for i in headings
    ]
    assert totals[0] == sum(totals[1:])
    assert "兰江街道办事处" in rows[headings[3] + 1][0]


def test_the_consolidated_sheet_prints_a_table_a_page_with_readable_labels(
    run: dict[str, Any],
) -> None:
    """汇总表 is what goes to the leader, often on paper: A4 across, each table (the whole,
    then each group) on a page of its own, fitted to the page's width; its label columns as
    wide as the template's, so the official labels are not cut off."""
    rows = sheets(run["out"])["汇总表"]
    blocks = [i for i, r in enumerate(rows) if str(r[0]).startswith(TITLE)]
    with zipfile.ZipFile(run["out"]) as package:
        xml = package.read("xl/worksheets/sheet4.xml").decode()  # 总览 报送情况 问题清单 汇总表
    assert 'orientation="landscape"' in xml and 'paperSize="9"' in xml
    assert 'fitToPage="1"' in xml and 'fitToHeight="0"' in xml  # one page wide
    # 报送情况, 问题清单 (header on every page), and 总览 and 图表, their charts beside their
    # tables (page 1 had the labels, page 2 the numbers, the charts cut across pages)
    charts = next(i for i, n in enumerate(openpyxl.load_workbook(run["out"]).sheetnames, 1)
                  if n == "图表")  # fmt: skip
    for listing in ("sheet1.xml", "sheet2.xml", "sheet3.xml", f"sheet{charts}.xml"):
        with zipfile.ZipFile(run["out"]) as package:
            printed = package.read(f"xl/worksheets/{listing}").decode()
        assert 'fitToHeight="0"' in printed and 'orientation="landscape"' in printed
    with zipfile.ZipFile(run["out"]) as package:
        names = package.read("xl/workbook.xml").decode()
    # 报送情况 and 问题清单 repeat their header row on every page; 明细 its two and its units
    assert names.count("_xlnm.Print_Titles") == 3
    assert "明细!$A:$A,明细!$1:$2" in names
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', xml)]
    assert breaks == blocks[1:]  # a break above each block but the first (0-based rows)
    build_template(SPEC, run["root"] / "t.xlsx", unit="x")
    template = openpyxl.load_workbook(run["root"] / "t.xlsx")
    widest = max(template["申请情况"].column_dimensions[c].width for c in ("A", "B", "C"))
    summary = openpyxl.load_workbook(run["out"])["汇总表"]
    assert max(summary.column_dimensions[c].width for c in ("A", "B", "C")) >= widest


def test_in_english_the_charts_have_english_titles(run: dict[str, Any]) -> None:
    """--lang en: the charts the forms declare are titled, and their series named, from the
    forms' own [messages.en] (the official table labels stay as the forms give them)."""
    out = run["root"] / "summary-en.xlsx"
    done = toolkit(
        "--lang", "en", "summary", str(run["inbox"]), "-r", str(run["root"] / "名单.csv"),
        "-o", str(out), cwd=run["root"],
    )  # fmt: skip
    assert out.is_file(), done.stderr
    with zipfile.ZipFile(out) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        titles = [
            t for n in charts for t in re.findall(r"<a:t>([^<]*)</a:t>", package.read(n).decode())
        ]
    assert "Outcomes of applications" in titles
    assert not [t for t in titles if re.search(r"[\u4e00-\u9fff]", t)]
    rows = sheets(out)["Charts"]
    assert {"Disclosed", "Withheld"} <= {r[0] for r in rows}


def test_an_earlier_summary_saved_in_the_inbox_is_nobodys_return(tmp_path: Path) -> None:
    """Last run's summary, saved into the inbox under another name: its 汇总表 has the
    official labels, and it was read as a unit's report (replacing the unit's own, its reply
    carrying every unit's figures). It is passed over, said so; `check` refuses it."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n兰江街道办事处,lj@example.cn\n", encoding="utf-8")
    filled(inbox, "兰江年报.xlsx", "兰江街道办事处", 3)
    first = toolkit("summary", str(inbox), "-r", str(roster), "-o", str(inbox / "汇总.xlsx"))
    assert first.returncode == 0, first.stderr
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "-o", str(tmp_path / "汇总2.xlsx"),
        "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    report = json.loads(done.stdout)
    [lanjiang] = report["units"]
    assert lanjiang["file"].endswith("兰江年报.xlsx") and not lanjiang["superseded"], done.stderr
    assert [Path(r["file"]).name for r in report["results"]] == ["兰江年报.xlsx"]
    assert any(s["origin"].endswith("汇总.xlsx") for s in report["skipped"]), report["skipped"]
    assert done.returncode == 0
    checked = toolkit("check", str(inbox / "汇总.xlsx"), "--format", "json")
    [result] = json.loads(checked.stdout)["results"]
    assert checked.returncode == 2 and result["findings"][0]["rule"] == "F2"
    assert "汇总表" in result["findings"][0]["message"]


def test_a_marked_copy_beside_its_return_is_passed_over_but_a_unit_may_send_one_back(
    tmp_path: Path,
) -> None:
    """`check --annotate` run in the inbox leaves 兰江年报.批注.xlsx beside 兰江年报.xlsx, the
    same figures: not a second return. A unit sends back the marked copy it was mailed,
    corrected, under the copy's name: that is its return (it was silently dropped)."""
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    (inbox / "更正").mkdir(parents=True)
    build.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,邮箱\n兰江街道办事处,lj@example.cn\n凤山街道办事处,fs@example.cn\n",
        encoding="utf-8",
    )
    filled(inbox, "兰江年报.xlsx", "兰江街道办事处", 2, **{"applications.new.total": 999})
    marked = toolkit("check", str(inbox / "兰江年报.xlsx"), "--annotate")
    assert marked.returncode == 1 and (inbox / "兰江年报.批注.xlsx").is_file(), marked.stderr
    (inbox / "批注").mkdir()  # and once more into a folder of its own, inside the inbox
    toolkit("check", str(inbox / "兰江年报.xlsx"), "--annotate", str(inbox / "批注"))
    assert (inbox / "批注" / "兰江年报.批注.xlsx").is_file()
    wrong = filled(build, "凤山年报.xlsx", "凤山街道办事处", 4, **{"applications.new.total": 999})
    toolkit("check", str(wrong), "--annotate")
    corrected = inbox / "更正" / "凤山年报.批注.xlsx"
    fill_workbook(build / "凤山年报.批注.xlsx", corrected, {"applications.new.total": None})
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    report = json.loads(done.stdout)
    units = {u["unit"]: u for u in report["units"]}
    assert units["兰江街道办事处"]["file"].endswith("兰江年报.xlsx"), done.stderr
    assert not units["兰江街道办事处"]["superseded"]
    skipped = [s["origin"] for s in report["skipped"]]
    assert sum(origin.endswith("兰江年报.批注.xlsx") for origin in skipped) == 2, skipped
    assert units["凤山街道办事处"]["file"].endswith("凤山年报.批注.xlsx")
    assert units["凤山街道办事处"]["status"] == "warnings"  # W6: its total left blank


def test_a_drafts_folder_that_is_a_file_or_the_summary_itself_is_refused(tmp_path: Path) -> None:
    """`--replies` naming an existing file, or the same path as `-o`: exit 2 with a
    sentence saying what to do, and nothing written (both were internal errors, the second
    leaving a folder named like the summary)."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    report = filled(inbox, "凤山年报.xlsx", "凤山街道办事处", 1)
    before = report.read_bytes()
    wrong = toolkit("summary", str(inbox), "--replies", str(report), cwd=tmp_path)
    assert wrong.returncode == 2 and "文件夹" in wrong.stderr, wrong.stderr
    assert "内部错误" not in wrong.stderr and report.read_bytes() == before
    same = tmp_path / "汇总.xlsx"
    clash = toolkit("summary", str(inbox), "-o", str(same), "--replies", str(same), cwd=tmp_path)
    assert clash.returncode == 2 and "同一个路径" in clash.stderr, clash.stderr
    assert not same.exists()


def test_a_blank_template_sent_back_is_no_report_and_replaces_none(tmp_path: Path) -> None:
    """One unit sends its blank template back untouched, another sends its filled report
    and then, later, a blank template: the first is missing (its reminder says a blank
    table came), the second's figures still count (the blank one had replaced them)."""
    inbox, replies = tmp_path / "收件箱", tmp_path / "回复"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,邮箱\n兰江街道办事处,lj@example.cn\n凤山街道办事处,fs@example.cn\n",
        encoding="utf-8",
    )
    for unit, name in (("兰江街道办事处", "兰江空白.xlsx"), ("凤山街道办事处", "模板-凤山.xlsx")):
        build_template(SPEC, inbox / name, unit=unit, year=2025)
    report = filled(inbox, "凤山年报.xlsx", "凤山街道办事处", 2)
    for path, day in ((report, 20), (inbox / "模板-凤山.xlsx", 25)):
        moment = dt.datetime(2026, 1, day, 9, 0).timestamp()
        os.utime(path, (moment, moment))
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "--format", "json", "--replies", str(replies),
        cwd=tmp_path,
    )  # fmt: skip
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    lanjiang, fengshan = units["兰江街道办事处"], units["凤山街道办事处"]
    assert lanjiang["status"] == "missing", done.stderr
    assert [Path(f).name for f in lanjiang["blank"]] == ["兰江空白.xlsx"]
    assert fengshan["file"].endswith("凤山年报.xlsx") and fengshan["status"] == "ok"
    assert [Path(f).name for f in fengshan["blank"]] == ["模板-凤山.xlsx"]
    import email
    from email import policy

    [draft] = replies.glob("*.eml")
    body = email.message_from_bytes(draft.read_bytes(), policy=policy.default).get_body()
    body = body.get_content()
    assert "兰江空白.xlsx" in body and "空白表" in body


def test_the_overviews_status_chart_shows_who_is_missing(run: dict[str, Any]) -> None:
    """The pie of 总览 plots the rows 无问题 … 无法读取 and 未报送 (a leader asks first
    who has not reported; the pie left them out)."""
    package = zipfile.ZipFile(run["out"])
    pie = next(
        package.read(n).decode()
        for n in sorted(package.namelist())
        if n.startswith("xl/charts/chart") and "<c:pieChart>" in package.read(n).decode()
    )
    first, last = map(int, re.search(r"\$A\$(\d+):\$A\$(\d+)</c:f>", pie).groups())
    rows = sheets(run["out"])["总览"]
    plotted = [rows[i - 1][0] for i in range(first, last + 1)]
    assert plotted == ["无问题", "有错误", "仅有警告", "无法读取", "未报送"], plotted


def test_a_loose_correction_dated_the_day_of_a_mail_counts_by_when_it_was_saved(
    tmp_path: Path,
) -> None:
    """A unit mails its report at 9:00 on 16 January; its correction, signed the same day
    (a 填报日期 has no time), is saved into the folder on the 20th: it counts (the day, taken
    as midnight, had lost to the morning mail). A loose file signed the day before the
    mail still gives way to it."""
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n兰江街道办事处,lj@example.cn\n", encoding="utf-8")
    wrong = {"applications.new.total": 999, "meta.date": "2026-01-16"}
    faulty = filled(build, "a.xlsx", "兰江街道办事处", 2, **wrong)
    saved_mail(inbox / "年报.eml", "Fri, 16 Jan 2026 09:00:00 +0800", "兰江年报.xlsx",
               faulty.read_bytes(), sender="lj@example.cn")  # fmt: skip
    fixed = filled(
        inbox, "兰江年报（修改后）.xlsx", "兰江街道办事处", 3, **{"meta.date": "2026-01-16"}
    )
    saved = dt.datetime(2026, 1, 20, 9, 0).timestamp()
    os.utime(fixed, (saved, saved))
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    [lanjiang] = json.loads(done.stdout)["units"]
    assert lanjiang["file"].endswith("兰江年报（修改后）.xlsx"), done.stderr
    assert lanjiang["status"] == "ok"
    fixed.unlink()
    filled(inbox, "兰江年报（旧）.xlsx", "兰江街道办事处", 3, **{"meta.date": "2026-01-15"})
    os.utime(inbox / "兰江年报（旧）.xlsx", (saved, saved))
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    [lanjiang] = json.loads(done.stdout)["units"]
    assert lanjiang["file"].endswith("年报.eml › 兰江年报.xlsx"), done.stderr


def test_an_empty_inbox_or_a_year_no_return_gives_is_questioned(tmp_path: Path) -> None:
    """Before a reminder goes to every unit: an inbox with nothing in it, or --year naming a
    year none of the returns is for, is said on stderr (both made every unit missing)."""
    empty, inbox = tmp_path / "空", tmp_path / "收件箱"
    empty.mkdir()
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n凤山街道办事处\n兰江街道办事处\n", encoding="utf-8")
    filled(inbox, "凤山年报.xlsx", "凤山街道办事处", 1)
    done = toolkit("summary", str(empty), "-r", str(roster), cwd=tmp_path)
    assert "没有找到任何报表" in done.stderr and done.returncode == 0, done.stderr
    alone = toolkit("summary", str(empty), cwd=tmp_path)  # no roster: nobody is missing
    assert "没有找到任何报表" in alone.stderr and "名单" not in alone.stderr, alone.stderr
    future = toolkit("summary", str(inbox), "--year", "2099", cwd=tmp_path)
    assert future.returncode == 2 and "2099" in future.stderr, future.stderr
    wrong = toolkit("summary", str(inbox), "-r", str(roster), "--year", "2024", cwd=tmp_path)
    assert "都是 2025 年度的" in wrong.stderr and "--year" in wrong.stderr, wrong.stderr
    right = toolkit("summary", str(inbox), "-r", str(roster), cwd=tmp_path)
    assert "注意" not in right.stderr, right.stderr


def test_the_roster_kept_in_the_inbox_is_no_return_and_a_summary_is_an_xlsx(
    tmp_path: Path,
) -> None:
    """The roster saved inside the inbox was listed as a stranger's unreadable return (exit
    2); `-o 汇总.csv` wrote a workbook under a .csv name."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = inbox / "名单.csv"
    roster.write_text("单位名称\n凤山街道办事处\n", encoding="utf-8")
    filled(inbox, "凤山年报.xlsx", "凤山街道办事处", 1)
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["unmatched"] == [], done.stderr
    assert [Path(s["origin"]).name for s in report["skipped"]] == ["名单.csv"]
    csv = toolkit("summary", str(inbox), "-r", str(roster), "-o", "汇总.csv", cwd=tmp_path)
    assert csv.returncode == 2 and ".xlsx" in csv.stderr and not (tmp_path / "汇总.csv").exists()


def test_without_a_roster_a_blank_template_replaces_no_report_and_dashes_are_answers(
    tmp_path: Path,
) -> None:
    """Without a roster a blank template saved after the unit's report still counts for
    nothing against it; a report whose 复议诉讼 and 主动公开 tables hold only "—" (the
    unit's answer: none) is a report, not a blank."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    filled(inbox, "兰江年报.xlsx", "兰江街道办事处", 3)
    build_template(SPEC, inbox / "兰江空白.xlsx", unit="兰江街道办事处", year=2025)
    for name, day in (("兰江年报.xlsx", 3), ("兰江空白.xlsx", 7)):
        moment = dt.datetime(2026, 1, day, 9, 0).timestamp()
        os.utime(inbox / name, (moment, moment))
    done = toolkit("summary", str(inbox), "--format", "json", cwd=tmp_path)
    [lanjiang] = json.loads(done.stdout)["units"]
    assert lanjiang["file"].endswith("兰江年报.xlsx"), done.stderr
    dashes = {k: "—" for k in SPEC.fields if k.startswith(("review.", "active."))}
    dashes.update({k: None for k in SPEC.fields if k.startswith("applications.")})
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n凤山街道办事处\n", encoding="utf-8")
    other = tmp_path / "另一个"
    other.mkdir()
    filled(other, "凤山年报.xlsx", "凤山街道办事处", 1, **dashes)
    done = toolkit("summary", str(other), "-r", str(roster), "--format", "json", cwd=tmp_path)
    [fengshan] = json.loads(done.stdout)["units"]
    assert fengshan["status"] != "missing" and fengshan["blank"] == [], fengshan


def test_a_mails_day_is_taken_on_the_reports_calendar_whatever_the_computers_zone(
    tmp_path: Path,
) -> None:
    """On a computer keeping UTC, a mail sent at 7:30 on 16 January (+0800) is still of the
    16th: a file signed that day and saved at 7:00 came before it (the mail had fallen on
    the 15th, and the file, a day later by that reckoning, counted)."""
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n兰江街道办事处,lj@example.cn\n", encoding="utf-8")
    fixed = filled(build, "a.xlsx", "兰江街道办事处", 3, **{"meta.date": "2026-01-16"})
    saved_mail(inbox / "更正.eml", "Fri, 16 Jan 2026 07:30:00 +0800", "兰江年报.xlsx",
               fixed.read_bytes(), sender="lj@example.cn")  # fmt: skip
    wrong = {"applications.new.total": 999, "meta.date": "2026-01-16"}
    early = filled(inbox, "兰江年报（初稿）.xlsx", "兰江街道办事处", 2, **wrong)
    moment = dt.datetime(2026, 1, 15, 23, 0, tzinfo=dt.UTC).timestamp()  # 7:00 on the 16th
    os.utime(early, (moment, moment))
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path,
        env={"TZ": "UTC"},
    )  # fmt: skip
    [lanjiang] = json.loads(done.stdout)["units"]
    assert lanjiang["file"].endswith("更正.eml › 兰江年报.xlsx"), done.stderr


def test_files_listed_in_a_cell_are_joined_as_the_language_joins_them(tmp_path: Path) -> None:
    """--lang en: a unit's superseded returns are listed with "; " in the Returns sheet
    (a full-width "；" was left in English)."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    for seed, name in enumerate(("凤山1.xlsx", "凤山2.xlsx", "凤山3.xlsx"), start=1):
        saved = filled(inbox, name, "凤山街道办事处", seed)  # three different returns
        os.utime(saved, (1_767_000_000 + seed * 3600,) * 2)  # saved an hour apart
    target = tmp_path / "summary.xlsx"
    done = toolkit("--lang", "en", "summary", str(inbox), "-o", str(target), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    cells = [str(c) for rows in read_sheets(target).values() for row in rows for c in row]
    listed = [c for c in cells if "凤山1.xlsx" in c and "凤山2.xlsx" in c]
    assert listed and all("；" not in c and "; " in c for c in listed), listed


def test_what_a_return_was_not_read_from_is_said_in_its_units_note(tmp_path: Path) -> None:
    """A return corrected on a copy of its sheet (2025年度（修改）) counts with the revised
    figures, and 报送情况 says the first version was not read."""
    from tests.handmade import GOV_2021, revised_sheet_after_first

    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    case = revised_sheet_after_first(inbox)
    roster = tmp_path / "名单.csv"
    roster.write_text(f"单位名称\n{case.unit}\n", encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    done = toolkit("summary", str(inbox), "-r", str(roster), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = sheets(out)
    note = next(r[7] for r in rows["报送情况"] if r[0] == case.unit)
    assert "未读取工作表“2025年度”" in note and "“2025年度（修改）”" in note
    header = rows["明细"][0]
    details = next(r for r in rows["明细"] if r and r[0] == case.unit)
    key = "applications.new.natural"
    assert details[header.index(key)] == GOV_2021[key]


def test_filling_dates_typed_as_people_type_them_order_a_units_returns(tmp_path: Path) -> None:
    """Two loose returns of a unit dated only by their 填报日期, typed 2026年1月20日 and
    2026.1.10 (not ISO): the one filled on the 20th counts, though the other was saved
    later."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n兰江街道办事处\n凤山街道办事处\n", encoding="utf-8")
    cases = (
        ("兰江街道办事处", "兰江", "2026年1月20日", "2026年1月10日"),
        ("凤山街道办事处", "凤山", "2026.1.20", "2026/1/10"),
    )
    for unit, short, newer, older in cases:
        right = filled(inbox, f"{short}更正.xlsx", unit, 3, **{"meta.date": newer})
        wrong = filled(
            inbox, f"{short}.xlsx", unit, 2, **{"meta.date": older, "applications.new.total": 999}
        )
        for path, hour in ((right, 9), (wrong, 17)):  # the older report saved last
            moment = dt.datetime(2026, 1, 25, hour, 0).timestamp()
            os.utime(path, (moment, moment))
    done = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    for unit, short, _, _ in cases:
        assert units[unit]["file"].endswith(f"{short}更正.xlsx"), done.stdout
        assert units[unit]["status"] == "ok"
        assert units[unit]["received"].startswith("2026-01-20")
        assert [Path(f).name for f in units[unit]["superseded"]] == [f"{short}.xlsx"]


def test_roster_addresses_written_with_names_notes_and_enumeration_commas(
    tmp_path: Path,
) -> None:
    """邮箱 cells as clerks fill them — two addresses split by 、, an Outlook contact
    (水利局 <slj@x.cn>), a note in brackets, mailto: — give the addresses a mail is matched
    by and a draft is sent to; one from which none can be read is said as such, not as a
    missing address; a 合计 row closing the roster is no unit."""
    import email
    from email import policy

    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "序号,单位名称,邮箱\n"
        "1,凤山街道办事处,fs@example.cn、fs2@example.cn\n"
        "2,兰江街道办事处,兰江街道 <LJ@Example.cn>\n"
        "3,梨洲街道办事处,lz@example.cn（办公室）\n"
        "4,阳明街道办事处,mailto:ym@example.cn\n"
        "5,低塘街道办事处,dt＠例子.中国\n"
        "6,朗霞街道办事处,\n"
        "合计,6个单位,\n",
        encoding="utf-8",
    )
    build = tmp_path / "build"
    build.mkdir()
    # a return whose unit name says nothing: matched by the mail's sender alone
    data = filled(build, "年报.xlsx", "", 2, **{"applications.new.total": 999}).read_bytes()
    saved_mail(inbox / "年报.eml", "Mon, 19 Jan 2026 08:00:00 +0800", "年报.xlsx", data,
               sender="lj@example.cn")  # fmt: skip
    drafts = tmp_path / "草稿"
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "--replies", str(drafts), "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    places = ("凤山", "兰江", "梨洲", "阳明", "低塘", "朗霞")
    assert set(units) == {f"{p}街道办事处" for p in places}
    assert units["兰江街道办事处"]["status"] == "errors"

    def recipients(unit: str) -> list[str]:
        message = email.message_from_bytes(
            (drafts / f"{unit}.eml").read_bytes(), policy=policy.default
        )
        return [a.addr_spec for a in message["To"].addresses]

    assert recipients("凤山街道办事处") == ["fs@example.cn", "fs2@example.cn"]
    assert recipients("兰江街道办事处") == ["LJ@Example.cn"]
    assert recipients("梨洲街道办事处") == ["lz@example.cn"]
    assert recipients("阳明街道办事处") == ["ym@example.cn"]
    assert recipients("低塘街道办事处") == recipients("朗霞街道办事处") == []
    said = done.stderr
    assert re.search(r"邮箱写法无法识别[^\n]*：低塘街道办事处\n", said), said
    assert re.search(r"没有邮箱[^\n]*：朗霞街道办事处\n", said), said


def test_two_returns_in_one_mail_the_revision_counts_else_the_clerk_is_asked(
    tmp_path: Path,
) -> None:
    """One mail carrying a unit's report and its revision (民政局年报, 民政局年报（修改后）):
    the revision counts, whichever is attached first. One carrying two differing returns
    nothing tells apart: the first counts, and 报送情况, the text and the JSON say the other
    came with it (not that it was sent earlier)."""
    inbox, build, roster = inbox_and_roster(tmp_path, TWO_UNITS + "梨洲街道办事处,lz@example.cn\n")
    wrong = {"applications.new.total": 999}
    # two files with the same figures (one names another 填报人): nothing to ask
    one = filled(build, "e.xlsx", "梨洲街道办事处", 6, **{"meta.preparer": "张"}).read_bytes()
    two = filled(build, "f.xlsx", "梨洲街道办事处", 6, **{"meta.preparer": "李"}).read_bytes()
    attached = (("梨洲年报.xlsx", one), ("梨洲统计表.xlsx", two))
    day = "Mon, 19 Jan 2026 08:00:00 +0800"
    (inbox / "梨洲.eml").write_bytes(bytes(mail_of("lz@example.cn", day, *attached)))
    old = filled(build, "a.xlsx", "兰江街道办事处", 2, **wrong).read_bytes()
    new = filled(build, "b.xlsx", "兰江街道办事处", 3).read_bytes()
    day = "Mon, 19 Jan 2026 08:00:00 +0800"
    attached = (("兰江年报.xlsx", old), ("兰江年报（修改后）.xlsx", new))
    (inbox / "兰江.eml").write_bytes(bytes(mail_of("lj@example.cn", day, *attached)))
    first = filled(build, "c.xlsx", "凤山街道办事处", 4).read_bytes()
    second = filled(build, "d.xlsx", "凤山街道办事处", 5, **wrong).read_bytes()
    attached = (("凤山年报.xlsx", first), ("凤山统计表.xlsx", second))
    (inbox / "凤山.eml").write_bytes(bytes(mail_of("fs@example.cn", day, *attached)))
    target = tmp_path / "汇总.xlsx"
    args = ("summary", str(inbox), "-r", str(roster), "-o", str(target))
    done = toolkit(*args, "--format", "json", cwd=tmp_path)
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    lanjiang, fengshan = units["兰江街道办事处"], units["凤山街道办事处"]
    assert lanjiang["file"].endswith("兰江年报（修改后）.xlsx"), done.stdout
    assert lanjiang["status"] == "ok" and lanjiang["undecided"] == []
    assert fengshan["file"].endswith("凤山年报.xlsx") and fengshan["status"] == "ok"
    assert [Path(f).name for f in fengshan["undecided"]] == ["凤山.eml › 凤山统计表.xlsx"]
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("报送情况").to_python()
    notes = {row[0]: row[7] for row in rows[1:]}
    assert "同时发来了内容不同的另一份" in notes["凤山街道办事处"]
    assert "凤山统计表.xlsx" in notes["凤山街道办事处"]
    assert "已被替代" not in notes["凤山街道办事处"]
    assert "已被替代" in notes["兰江街道办事处"]  # the report its revision replaced
    assert units["梨洲街道办事处"]["undecided"] == []
    assert [Path(f).name for f in units["梨洲街道办事处"]["same_figures"]] == [
        "梨洲.eml › 梨洲统计表.xlsx"
    ]
    assert "同时发来的另一份，数字相同" in notes["梨洲街道办事处"]
    assert "已被替代" not in notes["梨洲街道办事处"]
    text = toolkit(*args, "--force", cwd=tmp_path).stdout
    assert re.search(r"凤山街道办事处 .*同时发来了内容不同的另一份", text), text
    assert re.search(r"梨洲街道办事处 .*同时发来的另一份，数字相同：.*梨洲统计表", text), text


def test_a_return_naming_a_body_off_the_roster_counts_by_its_sender_and_is_said(
    tmp_path: Path,
) -> None:
    """The only return from 兰江街道办事处's address names 兰江街道卫生院, which the roster
    does not list: it counts for the unit by its sender, and 报送情况 and the text ask the
    clerk to confirm it is not another body's report; a return naming the unit says
    nothing."""
    inbox, build, roster = inbox_and_roster(tmp_path)
    day = "Mon, 19 Jan 2026 08:00:00 +0800"
    other = filled(build, "a.xlsx", "兰江街道卫生院", 2).read_bytes()
    saved_mail(inbox / "兰江.eml", day, "卫生院年报.xlsx", other, sender="lj@example.cn")
    own = filled(build, "b.xlsx", "凤山街道", 3).read_bytes()
    saved_mail(inbox / "凤山.eml", day, "年报.xlsx", own, sender="fs@example.cn")
    target = tmp_path / "汇总.xlsx"
    done = toolkit("summary", str(inbox), "-r", str(roster), "-o", str(target), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    said = "表内填报单位写的是“兰江街道卫生院”，名单中对应不到，按发件人 lj@example.cn 归入本单位"
    assert re.search(r"兰江街道办事处 .*" + said, done.stdout), done.stdout
    assert "表内填报单位" not in next(line for line in done.stdout.splitlines() if "凤山" in line)
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("报送情况").to_python()
    notes = {row[0]: row[7] for row in rows[1:]}
    assert said in notes["兰江街道办事处"] and "表内填报单位" not in notes["凤山街道办事处"]
    report = toolkit("summary", str(inbox), "-r", str(roster), "--format", "json", cwd=tmp_path)
    named = {u["unit"]: u["named_other"] for u in json.loads(report.stdout)["units"]}
    assert named == {"兰江街道办事处": "兰江街道卫生院", "凤山街道办事处": None}


def test_reply_drafts_and_their_attachments_have_names_safe_to_save(tmp_path: Path) -> None:
    """A return sent as CON.xlsx, a unit named "-x": the marked copy is not named for a
    Windows device (saving it fails there), the draft not like a command-line option."""
    import email
    from email import policy

    inbox, build, roster = inbox_and_roster(tmp_path, "-凤山街道,fs@example.cn\n")
    broken = filled(build, "x.xlsx", "-凤山街道", 1, **{"applications.new.total": 999})
    shutil.copy(broken, inbox / "CON.xlsx")
    folder = tmp_path / "回复"
    done = toolkit("summary", str(inbox), "-r", str(roster), "--replies", str(folder), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    [draft] = folder.glob("*.eml")
    assert draft.name == "凤山街道.eml"
    message = email.message_from_bytes(draft.read_bytes(), policy=policy.default)
    [marked] = list(message.iter_attachments())
    assert marked.get_filename() == "_CON.批注.xlsx"


def test_an_inbox_that_is_not_there_or_is_a_file_is_said_as_such(tmp_path: Path) -> None:
    """A mistyped inbox is "not found" (with what to check), a file given for it "not a
    folder": usage errors (exit 2), nothing written."""
    missing = toolkit("summary", str(tmp_path / "收件相"), cwd=tmp_path)
    assert missing.returncode == 2 and "找不到文件夹" in missing.stderr, missing.stderr
    afile = tmp_path / "名单.csv"
    afile.write_text("单位名称\n凤山街道办事处\n", encoding="utf-8")
    given = toolkit("summary", str(afile), cwd=tmp_path)
    assert given.returncode == 2 and "不是文件夹" in given.stderr, given.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.csv"]


def test_files_are_named_from_the_inbox_down_only_where_a_path_starts() -> None:
    """The inbox's own path is cut where a file's path starts (a cell's start, or after the
    punctuation a note puts before it), never inside a name: a subfolder 已收件 under 收件
    stays 已收件, and 收件/2024/收件/ keeps its inner 收件/."""
    from types import SimpleNamespace

    from toolkit.summary.workbook import within_inbox

    shown = within_inbox(SimpleNamespace(inbox=Path("收件")))  # type: ignore[arg-type]
    assert shown("收件/已收件/兰江.xlsx") == "已收件/兰江.xlsx"
    assert shown("收件/2024/收件/城西.xlsx") == "2024/收件/城西.xlsx"
    assert shown("已被替代：收件/a.eml › x.xlsx；收件/b.xlsx") == "已被替代：a.eml › x.xlsx；b.xlsx"
    assert within_inbox(SimpleNamespace(inbox=Path(".")))("a/b.xlsx") == "a/b.xlsx"  # type: ignore[arg-type]


def test_reply_drafts_carry_the_deadline_sign_off_and_sender_the_clerk_gives(
    tmp_path: Path,
) -> None:
    """--deadline, --sign and --from: each draft asks for its report by that day (to send
    again, or to send), ends with the office's sign-off over today's date, and is from the
    office's address; options that cannot be right are refused before the inbox is read."""
    import email
    from email import policy

    inbox, build, roster = inbox_and_roster(tmp_path)
    shutil.move(
        filled(build, "兰江.xlsx", "兰江街道办事处", 3, **{"applications.new.total": 999}),
        inbox / "兰江.xlsx",
    )
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # Beijing's day
    due = today + dt.timedelta(days=40)
    said = f"{due.year}年{due.month}月{due.day}日"
    dated = f"{today.year}年{today.month}月{today.day}日"
    signed = f"余姚市政务公开办\n联系电话 0574-62700000\n{dated}"
    folder = tmp_path / "草稿"
    args = ["summary", str(inbox), "-r", str(roster), "--replies", str(folder)]
    done = toolkit(
        *args,
        "--deadline",
        f"{due.year}/{due.month}/{due.day}",
        "--sign",
        "余姚市政务公开办\n联系电话\t0574-62700000",  # two lines; a pasted tab is a space
        "--from",
        "余姚市政务公开办 <ＧＫＢ@yy.gov.cn>",  # typed full-width, as Chinese input methods do
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr  # 兰江's errors
    drafts = {
        p.stem: email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in folder.glob("*.eml")
    }
    fix, remind = drafts["兰江街道办事处"], drafts["凤山街道办事处"]
    for draft in (fix, remind):
        assert draft["From"].addresses[0].addr_spec == "GKB@yy.gov.cn"
        assert draft["From"].addresses[0].display_name == "余姚市政务公开办"
        assert draft.get_body().get_content().rstrip().endswith("谢谢！\n\n" + signed)
    assert f"请于{said}前重新报送。" in fix.get_body().get_content()
    assert f"请于{said}前报送。" in remind.get_body().get_content()

    past = today - dt.timedelta(days=1)
    for options, said_back in (
        (["--deadline", f"{past.year}-{past.month}-{past.day}"], "已经过去"),
        (["--deadline", "下周五"], "看不懂截止日期“下周五”"),
        (["--deadline", "2027-02-30"], "看不懂截止日期"),
        (["--deadline", "2027115"], "看不懂截止日期"),  # 1月15日 or 11月5日
        (["--deadline", f"{today.year + 2}-1-5"], "在一年以后"),
        (["--from", "公开办"], "“公开办”不是能用作发件人的邮箱"),
        (["--from", "a..b@yy.gov.cn"], "不是能用作发件人的邮箱"),
        (["--sign", "  "], "落款不能为空"),
        (["--sign", "--include-errors"], "像是另一个选项"),  # the shell gave it the next one
    ):
        again = toolkit(*args, "--force", "-o", str(tmp_path / "s.xlsx"), *options, cwd=tmp_path)
        assert again.returncode == 2 and said_back in again.stderr, again.stderr
        assert not (tmp_path / "s.xlsx").exists()  # refused before anything was written
    alone = toolkit("summary", str(inbox), "-r", str(roster), "--sign", "公开办", cwd=tmp_path)
    assert alone.returncode == 2 and "--sign 只用于回复草稿" in alone.stderr


def test_o_naming_a_folder_writes_the_summary_into_it_named_by_the_year(tmp_path: Path) -> None:
    """`-o 文件夹` was refused ("是一个已存在的文件夹"): the summary goes into the folder as
    "2025年度年报汇总.xlsx" (the year collected, else 年报汇总.xlsx), said where; an existing
    one is kept unless --force, a unit's file of that name never, and the inbox itself may
    be the folder (the summary there is ours to replace, not a return)."""
    inbox, build, roster = inbox_and_roster(tmp_path)
    filled(inbox, "凤山年报.xlsx", "凤山街道办事处", 1)
    out = tmp_path / "输出"
    out.mkdir()
    inputs = {p: p.read_bytes() for p in [*inbox.iterdir(), roster]}
    args = ("summary", str(inbox), "-r", str(roster))
    done = toolkit(*args, "-o", str(out), cwd=tmp_path)
    written = out / "2025年度年报汇总.xlsx"
    assert done.returncode == 0 and f"已写出汇总表：{written}" in done.stdout, done.stderr
    assert sorted(out.iterdir()) == [written] and "总览" in sheets(written)
    before = written.read_bytes()
    again = toolkit(*args, "-o", str(out), cwd=tmp_path)
    assert again.returncode == 2 and "已存在" in again.stderr and "--force" in again.stderr
    assert written.read_bytes() == before and "Traceback" not in again.stderr
    assert toolkit(*args, "-o", str(out), "--force", cwd=tmp_path).returncode == 0
    empty = tmp_path / "空"
    empty.mkdir()  # no return gives a year: the name without one
    nothing = toolkit("summary", str(empty), "-r", str(roster), "-o", str(out), cwd=tmp_path)
    assert nothing.returncode == 0 and (out / "年报汇总.xlsx").is_file(), nothing.stderr
    for _ in range(2):  # into the inbox: the second run replaces the first's, reads 1 return
        done = toolkit(*args, "-o", str(inbox), "--force", "--format", "json", cwd=tmp_path)
        assert done.returncode == 0 and str(inbox / "2025年度年报汇总.xlsx") in done.stderr
        assert len(json.loads(done.stdout)["results"]) == 1
    assert all(p.read_bytes() == data for p, data in inputs.items())
    unit_file = build / "2025年度年报汇总.xlsx"  # a unit's return under the name: an input
    unit_file.write_bytes(inputs[inbox / "凤山年报.xlsx"])
    refused = toolkit("summary", str(build), "-r", str(roster), "-o", str(build), "--force")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert str(unit_file) in refused.stderr
    assert unit_file.read_bytes() == inputs[inbox / "凤山年报.xlsx"]


def test_o_naming_a_new_folder_with_a_trailing_slash_makes_it(tmp_path: Path) -> None:
    """`-o 汇总/` (not there yet) was refused as no .xlsx name: the folder is made, as
    `template -o 模板/` makes it; one inside a folder that does not exist is refused."""
    inbox, _, roster = inbox_and_roster(tmp_path)
    filled(inbox, "凤山年报.xlsx", "凤山街道办事处", 1)
    args = ("summary", str(inbox), "-r", str(roster))
    done = toolkit(*args, "-o", "汇总/", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "汇总" / "2025年度年报汇总.xlsx").is_file()
    deeper = toolkit("summary", str(inbox), "-r", str(roster), "-o", "无/汇总/", cwd=tmp_path)
    assert deeper.returncode == 2 and "不存在" in deeper.stderr
    assert not (tmp_path / "无").exists()
    # a run refused for another reason leaves no folder behind; a file by that name is no
    # folder to write into; the JSON says where the workbook went
    refused = toolkit(*args, "-o", "新/", "--replies", "无/草稿", cwd=tmp_path)
    assert refused.returncode == 2 and not (tmp_path / "新").exists()
    (tmp_path / "文件").write_text("x")
    named = toolkit(*args, "-o", "文件/", cwd=tmp_path)
    assert named.returncode == 2 and "不是文件夹" in named.stderr
    report = toolkit(*args, "-o", "新/", "--format", "json", cwd=tmp_path)
    assert json.loads(report.stdout)["workbook"] == str(Path("新") / "2025年度年报汇总.xlsx")
