"""Issue 5's end to end: a roster of 30 units → per-unit templates (`toolkit template
--roster`) → 27 returned: filled with openpyxl, some with errors, some laid out by hand
(our map removed), some saved as .xls/.ods by LibreOffice, some inside saved mails with
Chinese attachment names, one unit twice → `toolkit summary` → every unit's status, the
missing ones, the superseded return, and the consolidated totals computed here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.fills import consistent_fill
from tests.libreoffice import convert
from tests.support import fill_workbook
from tests.support import run_toolkit as toolkit
from tests.support import saved_mail as mail
from toolkit.forms.registry import load_form
from toolkit.template.writer import META_SHEET

SPEC = load_form("gov-2021")
HEADING = f"{SPEC.name}（2025 年度）"  # 图表 heads each form with its year
TITLE = f"2025年度{SPEC.name}汇总表"  # and 汇总表 each block, with what it adds up
UNITS = [f"第{i:02d}街道办事处" for i in range(1, 31)]
MISSING = {UNITS[27], UNITS[28], UNITS[29]}
BROKEN = {UNITS[3], UNITS[10]}  # a total typed over: errors, left out of the totals
HAND = {UNITS[5], UNITS[6]}  # the map sheet removed: read by labels
LIBRE = {UNITS[7]: "xls", UNITS[8]: "ods"}
MAILED = {UNITS[12], UNITS[13], UNITS[14], UNITS[15]}
TWICE = UNITS[20]  # an early wrong return, then a corrected one by mail


@pytest.fixture(scope="module")
def inbox30(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("inbox30")
    roster = root / "名单.csv"
    roster.write_text(
        "单位名称,分组\n"
        + "".join(f"{u},{'东片' if i % 2 else '西片'}\n" for i, u in enumerate(UNITS)),
        encoding="utf-8",
    )
    made = toolkit("template", "--year", "2025", "--roster", str(roster), "-o", "模板/", cwd=root)
    assert made.returncode == 0, made.stderr
    templates = {u: next((root / "模板").glob(f"{u}*.xlsx")) for u in UNITS}
    inbox, staging = root / "收件箱", root / "staging"
    (inbox / "邮件").mkdir(parents=True)
    staging.mkdir()
    fills: dict[str, dict[str, Any]] = {}
    to_convert: list[Path] = []
    for i, unit in enumerate(UNITS):
        if unit in MISSING:
            continue
        values = consistent_fill(SPEC, np.random.default_rng(100 + i))
        fills[unit] = values
        typed = {**values, "applications.new.total": 9999} if unit in BROKEN else values
        path = staging / f"{unit}.xlsx"
        fill_workbook(templates[unit], path, typed)
        if unit in HAND:
            workbook = openpyxl.load_workbook(path)
            del workbook[META_SHEET]
            workbook.save(path)
        if unit in LIBRE:
            to_convert.append(path)
        elif unit in MAILED:
            mail(
                inbox / "邮件" / f"{i}.eml",
                "Tue, 20 Jan 2026 09:00:00 +0800",
                f"{unit}2025年度年报.xlsx",
                path.read_bytes(),
            )
        else:
            shutil.copy(path, inbox / path.name)
    for path in to_convert:
        unit = path.stem
        converted = convert([path], staging / LIBRE[unit], LIBRE[unit])[path]
        shutil.copy(converted, inbox / converted.name)
    early = staging / "早.xlsx"
    fill_workbook(templates[TWICE], early, {**fills[TWICE], "review.appeal.total": 5})
    mail(
        inbox / "邮件" / "早.eml",
        "Mon, 12 Jan 2026 09:00:00 +0800",
        "年报.xlsx",
        early.read_bytes(),
    )
    (inbox / f"{TWICE}.xlsx").unlink()
    mail(
        inbox / "邮件" / "晚.eml",
        "Mon, 26 Jan 2026 09:00:00 +0800",
        "年报（更正）.xlsx",
        (staging / f"{TWICE}.xlsx").read_bytes(),
    )
    out = root / "汇总.xlsx"
    done = toolkit(
        "summary", str(inbox), "-r", str(roster), "-o", str(out), "--format", "json", cwd=root
    )
    return {"done": done, "report": json.loads(done.stdout), "out": out, "fills": fills}


def test_every_unit_of_the_roster_has_the_right_status(inbox30: dict[str, Any]) -> None:
    assert inbox30["done"].returncode == 1, inbox30["done"].stderr
    units = {u["unit"]: u for u in inbox30["report"]["units"]}
    assert set(units) == set(UNITS)
    for unit in UNITS:
        expected = "missing" if unit in MISSING else "errors" if unit in BROKEN else "ok"
        assert units[unit]["status"] in ((expected,) if expected != "ok" else ("ok", "warnings")), (
            unit,
            units[unit],
        )
    assert len(units[TWICE]["superseded"]) == 1 and "早.eml" in units[TWICE]["superseded"][0]
    assert "晚.eml" in units[TWICE]["file"]
    assert {units[u]["matched_by"] for u in MAILED} == {"unit"}
    assert inbox30["report"]["unmatched"] == []


def test_the_consolidated_totals_are_the_sum_of_the_returns_without_errors(
    inbox30: dict[str, Any],
) -> None:
    clean = [v for u, v in inbox30["fills"].items() if u not in BROKEN]
    rows = CalamineWorkbook.from_path(str(inbox30["out"])).get_sheet_by_name("汇总表").to_python()
    start = next(i for i, r in enumerate(rows) if r[0] == TITLE)
    assert f"（{len(clean)} 个）" in rows[start + 1][0]
    # and whom it leaves out, and why: a leader reading the page alone asks
    left_out = rows[start + 2][0]
    count = len(BROKEN) + len(MISSING)
    assert left_out.startswith(f"应报 30 个单位，未纳入 {count} 个："), left_out
    said = [f"{u}（有错误）" for u in sorted(BROKEN)] + [f"{u}（未报送）" for u in sorted(MISSING)]
    assert all(s in left_out for s in said), left_out
    section = rows[start:]
    line = next(r for r in section if r[0] == "一、本年新收政府信息公开申请数量")
    applicants = SPEC.sets["applicant"]
    for col, key in enumerate(applicants, start=3):
        assert line[col] == sum(v.get(f"applications.new.{key}") or 0 for v in clean), key
    assert line[9] == sum(v.get(f"applications.new.{k}") or 0 for v in clean for k in applicants)
