"""`toolkit summary` when a unit sent something that could not be read: a broken file, a
broken or RAR archive, a file that is no workbook, a mail with only a PDF. The unit is not
"missing" and is not reminded that nothing arrived: it is told what could not be read and
why, in words meant for it, with its blank template to fill in instead."""

from __future__ import annotations

import email
import io
import json
import shutil
import zipfile
from email import policy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook, mail_of
from tests.support import run_toolkit as toolkit
from toolkit.forms.registry import load_form

SPEC = load_form("gov-2021")
UNITS = {
    "甲街道": "a@example.cn",  # a broken .xlsx saved into the inbox by the clerk
    "乙街道": "b@example.cn",  # a mail with a broken zip
    "丙街道": "c@example.cn",  # a mail with a RAR
    "丁街道": "d@example.cn",  # a mail whose .xlsx is no workbook
    "戊街道": "e@example.cn",  # a good return
    "己街道": "f@example.cn",  # a mail with only a PDF: still missing, told so
    "庚街道": "g@example.cn",  # nothing at all
    "辛街道": "h@example.cn",  # its mail saved from Outlook as .msg: the clerk's to mend
}


# each unit's status with the roster
STATUSES = {
    "甲街道": "unreadable",
    "乙街道": "unreadable",
    "丙街道": "unreadable",
    "丁街道": "unreadable",
    "戊街道": "ok",
    "己街道": "missing",
    "庚街道": "missing",
    "辛街道": "unreadable",
}


def mail(path: Path, sender: str, attachments: list[tuple[str, bytes]], day: int = 12) -> None:
    date = f"{day} Jan 2026 10:00:00 +0800"
    path.write_bytes(bytes(mail_of(sender, date, *attachments)))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("unreadable")
    inbox = root / "收件箱"
    inbox.mkdir()
    template, good = root / "t.xlsx", inbox / "戊街道.xlsx"
    build_template(SPEC, template, unit="戊街道", year=2025)
    fill_workbook(template, good, consistent_fill(SPEC, np.random.default_rng(3)))
    (inbox / "甲街道.xlsx").write_bytes(b"PK\x03\x04" + b"cut short" * 20)
    mail(inbox / "b.eml", "乙 <b@example.cn>", [("乙街道.zip", b"PK\x03\x04broken" * 5)])
    mail(inbox / "c.eml", "c@example.cn", [("丙街道.rar", b"Rar!\x1a\x07\x00" + b"x" * 50)])
    mail(inbox / "d.eml", "d@example.cn", [("丁街道年报.xlsx", b"not a workbook at all")])
    mail(inbox / "f.eml", "f@example.cn", [("己街道年报.pdf", b"%PDF-1.4 ...")])
    (inbox / "辛街道年报.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    # a stranger's broken archive names no unit: it stays the clerk's to look at
    mail(inbox / "z.eml", "z@elsewhere.cn", [("材料.zip", b"PK\x03\x04broken" * 5)])
    roster = root / "名单.csv"
    rows = "".join(f"{unit},{address}\n" for unit, address in UNITS.items())
    roster.write_text("单位名称,邮箱\n" + rows, encoding="utf-8")
    snapshot = {p: p.read_bytes() for p in inbox.iterdir()}
    drafts = root / "回复草稿"
    args = ("summary", str(inbox), "-r", str(roster))
    text = toolkit(*args, "-o", str(root / "汇总.xlsx"), "--replies", str(drafts), cwd=root)
    done = toolkit(*args, "--format", "json", cwd=root)
    assert {p: p.read_bytes() for p in inbox.iterdir()} == snapshot  # inputs untouched
    return {"root": root, "text": text, "json": json.loads(done.stdout), "drafts": drafts}


def units(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in run["json"]["units"]}


def draft(run: dict[str, Any], unit: str) -> tuple[email.message.EmailMessage, str]:
    raw = (run["drafts"] / f"{unit}.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=policy.default)
    return message, message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_unit_that_sent_something_unreadable_is_not_missing(run: dict[str, Any]) -> None:
    found = units(run)
    statuses = {unit: row["status"] for unit, row in found.items()}
    assert statuses == STATUSES
    [sent] = found["乙街道"]["unreadable"]
    assert sent["origin"].endswith("b.eml › 乙街道.zip") and "压缩包已损坏" in sent["message"]
    assert found["己街道"]["passed_over"][0]["origin"].endswith("f.eml")
    # the stranger's archive is nobody's, and every broken item is still listed for the clerk
    attributed = [u["origin"] for row in found.values() for u in row["unreadable"]]
    assert not any(o.endswith("材料.zip") for o in attributed)
    problems = {p["origin"]: p["unit"] for p in run["json"]["inbox_problems"]}
    assert [unit for o, unit in problems.items() if o.endswith("材料.zip")] == [None]
    # one told in a unit's row names that unit: a script counting problems tells them apart
    assert [unit for o, unit in problems.items() if o.endswith("乙街道.zip")] == ["乙街道"]
    assert run["text"].returncode == 2  # something could not be read


def test_the_text_account_names_what_each_unit_sent(run: dict[str, Any]) -> None:
    lines = run["text"].stdout.splitlines()
    line = next(x for x in lines if "乙街道 " in x and "无法读取" in x)
    assert line.split()[:2] == ["无法读取", "乙街道"]
    assert "b.eml › 乙街道.zip：压缩包已损坏" in line  # the file, and why, on the unit's line
    assert sum("乙街道.zip" in x for x in lines) == 1  # not said again among the inbox's
    assert sum("材料.zip" in x for x in lines) == 1  # nobody's: among the inbox's
    assert "5 个无法读取；2 个未报送" in run["text"].stdout
    # what a missing unit sent that is no return is told on a line under it
    [pdf] = [x for x in lines if x.split()[:2] == ["已跳过", "己街道"]]
    assert "己街道年报.pdf" in pdf


def test_a_message_names_the_attachment_as_sent_not_our_copy(run: dict[str, Any]) -> None:
    [result] = [r for r in run["json"]["results"] if r["file"].endswith("丁街道年报.xlsx")]
    [finding] = result["findings"]
    assert finding["rule"] == "F1"
    assert finding["message"].startswith(result["file"])  # "…/d.eml › 丁街道年报.xlsx 不是…"
    assert "toolkit-inbox" not in finding["message"]


@pytest.mark.parametrize(
    ("unit", "sent", "why"),
    [
        ("甲街道", "甲街道.xlsx", "已损坏或不完整"),
        ("乙街道", "乙街道.zip", "压缩包已损坏"),
        ("丙街道", "丙街道.rar", "RAR、7z 压缩包无法读取"),
        ("丁街道", "丁街道年报.xlsx", "这不是 Excel 或 WPS 表格"),
    ],
)
def test_the_unit_is_asked_to_send_again_and_told_why(
    run: dict[str, Any], unit: str, sent: str, why: str
) -> None:
    message, text = draft(run, unit)
    assert message["Subject"] == f"请重新报送：{unit}2025年度政府信息公开工作年度报告"
    assert UNITS[unit] in message["To"]
    item = next(line for line in text.splitlines() if line.startswith("1. "))
    assert item.startswith(f"1. {sent}：") and why in item
    # words for the unit, not the clerk's advice ("请让报送单位……", "放进收件文件夹")
    assert "报送单位" not in text and "收件文件夹" not in text and "尚未收到" not in text
    [template] = list(message.iter_attachments())
    assert template.get_filename() == f"{unit}2025年度年报模板.xlsx"
    assert zipfile.is_zipfile(io.BytesIO(template.get_content()))


def test_a_unit_that_sent_no_workbook_is_reminded_and_told_what_arrived(
    run: dict[str, Any],
) -> None:
    message, text = draft(run, "己街道")
    assert message["Subject"].startswith("请报送：")
    assert "尚未收到" in text and "贵单位发来的邮件（附件：己街道年报.pdf）中没有年报表格" in text
    _, plain = draft(run, "庚街道")
    assert "另外" not in plain  # nothing arrived from it: a plain reminder
    assert not (run["drafts"] / "戊街道.eml").exists()


def test_the_units_sheet_shows_what_could_not_be_read(run: dict[str, Any]) -> None:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(run["root"] / "汇总.xlsx"))
    sheet = rows.get_sheet_by_name("报送情况").to_python()
    header = sheet[0]
    row = next(r for r in sheet if r[0] == "乙街道")
    cells = dict(zip(header, row, strict=True))
    assert cells["状态"] == "无法读取" and str(cells["文件"]).endswith("b.eml › 乙街道.zip")
    assert "压缩包已损坏" in cells["备注"] and cells["报送或填报时间"] != ""


def test_without_a_roster_what_could_not_be_read_is_still_someones(
    tmp_path: Path, run: dict[str, Any]
) -> None:
    """The units are those the returns name, and those the unreadable archives name (by
    file, else by address); a mail with only a PDF makes no unit that could be missing."""
    inbox = tmp_path / "in"
    shutil.copytree(run["root"] / "收件箱", inbox)
    done = toolkit("summary", str(inbox), "--format", "json", cwd=tmp_path)
    report = json.loads(done.stdout)
    statuses = {u["unit"]: u["status"] for u in report["units"]}
    # the roster's units but those that sent nothing readable or unreadable, and a unit of
    # the stranger's archive
    sent = {unit: status for unit, status in STATUSES.items() if status != "missing"}
    assert statuses == {**sent, "材料（z@elsewhere.cn）": "unreadable"}
    assert done.returncode == 2


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Units whose readable return comes with, or before, one that cannot be read."""
    root = tmp_path_factory.mktemp("later")
    inbox, build = root / "收件箱", root / "build"
    inbox.mkdir()
    build.mkdir()
    template = build / "t.xlsx"
    build_template(SPEC, template, unit="", year=2025)

    def filled(unit: str, seed: int, **extra: Any) -> bytes:
        values = {**consistent_fill(SPEC, np.random.default_rng(seed)), "meta.unit": unit}
        fill_workbook(template, build / "x.xlsx", {**values, **extra})
        return (build / "x.xlsx").read_bytes()

    broken = b"PK\x03\x04" + b"cut short" * 20
    good = filled("甲街道", 1)
    wrong = filled("乙街道", 2, **{"applications.new.total": 999})
    # 甲: a good report, then a correction that cannot be read
    mail(inbox / "1.eml", "a@example.cn", [("甲街道年报.xlsx", good)])
    mail(inbox / "2.eml", "a@example.cn", [("甲街道年报（更正）.xlsx", broken)], day=14)
    # 戊: a report, then a RAR; 己: a RAR, then a report (and the same file twice in it)
    rar = b"Rar!\x1a\x07\x00" + b"x" * 50
    mail(inbox / "6.eml", "e@example.cn", [("戊街道年报.xlsx", filled("戊街道", 6))])
    mail(inbox / "7.eml", "e@example.cn", [("戊街道更正.rar", rar)], day=14)
    mail(inbox / "8.eml", "f@example.cn", [("己街道年报.rar", rar)], day=10)
    report = filled("己街道", 7)
    mail(
        inbox / "9.eml", "f@example.cn", [("己街道年报.xlsx", report), ("己街道年报.xlsx", report)]
    )
    # 乙: one mail, the broken file first and the report with errors after it
    mail(inbox / "3.eml", "b@example.cn", [("乙附表.xlsx", broken), ("乙街道年报.xlsx", wrong)])
    # 丙's address sends 丁's broken file: the file's name says whose it is
    mail(inbox / "4.eml", "c@example.cn", [("丁街道年报.xlsx", broken)])
    (inbox / "丙街道.xlsx").write_bytes(filled("丙街道", 3))
    # a broken file nobody's name or address fits
    mail(inbox / "5.eml", "x@elsewhere.cn", [("附件.xlsx", broken)])
    roster = root / "名单.csv"
    rows = "".join(f"{unit},{address}\n" for unit, address in UNITS.items())
    roster.write_text("单位名称,邮箱\n" + rows, encoding="utf-8")
    drafts = root / "草稿"
    args = ("summary", str(inbox), "-r", str(roster))
    text = toolkit(*args, "-o", str(root / "汇总.xlsx"), "--replies", str(drafts), cwd=root)
    done = toolkit(*args, "--format", "json", cwd=root)
    return {"root": root, "text": text, "json": json.loads(done.stdout), "drafts": drafts}


def test_a_broken_file_does_not_drop_the_readable_report_it_came_with_or_after(
    later: dict[str, Any],
) -> None:
    found = units(later)
    first = found["甲街道"]
    assert first["status"] == "ok" and first["file"].endswith("1.eml › 甲街道年报.xlsx")
    assert first["superseded"] == []
    [sent] = first["unreadable"]
    assert (
        sent["origin"].endswith("2.eml › 甲街道年报（更正）.xlsx") and "已损坏" in sent["message"]
    )
    second = found["乙街道"]
    assert second["status"] == "errors" and second["file"].endswith("乙街道年报.xlsx")
    assert [u["origin"].rsplit(" › ", 1)[1] for u in second["unreadable"]] == ["乙附表.xlsx"]
    # the broken files are listed with their F1, and the run says something was unreadable
    listed = [r["file"] for r in later["json"]["results"] if r["status"] == "unreadable"]
    assert any(f.endswith("乙附表.xlsx") for f in listed)
    assert later["text"].returncode == 2
    assert "乙附表.xlsx" in later["text"].stdout
    # the consolidated table still adds 甲's report up
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(later["root"] / "汇总.xlsx"))
    details = book.get_sheet_by_name("明细").to_python()
    assert [row[0] for row in details[2:] if row[4] == "是"] == [
        "甲街道",
        "丙街道",
        "戊街道",
        "己街道",
    ]


def test_the_drafts_say_what_could_not_be_read_beside_what_counts(later: dict[str, Any]) -> None:
    message, text = draft(later, "甲街道")
    assert message["Subject"].startswith("请重新报送")
    assert "1. 甲街道年报（更正）.xlsx：文件已损坏或不完整" in text
    assert "仍按贵单位报送的 甲街道年报.xlsx 统计" in text
    message, text = draft(later, "乙街道")
    assert message["Subject"].startswith("请修改")  # its report's errors first
    assert "另外，收到的以下文件无法读取" in text and "1. 乙附表.xlsx：文件已损坏" in text


def test_a_broken_file_is_its_named_units_whatever_address_sent_it(
    later: dict[str, Any],
) -> None:
    found = units(later)
    assert found["丁街道"]["status"] == "unreadable"
    assert found["丙街道"]["status"] == "ok" and found["丙街道"]["unreadable"] == []
    stranger = next(x for x in later["text"].stdout.splitlines() if "附件.xlsx" in x)
    assert "不在名单中" in stranger and "已损坏或不完整" in stranger  # why, not just who


def test_an_archive_that_cannot_be_read_is_judged_by_when_it_came(later: dict[str, Any]) -> None:
    """A RAR after a unit's report: the report counts, the unit is asked to send it again;
    a RAR before the report that replaced it is nothing left to do."""
    found = units(later)
    after = found["戊街道"]
    assert after["status"] == "ok" and [Path(u["origin"]).name for u in after["unreadable"]] == [
        "7.eml › 戊街道更正.rar"
    ]
    lines = later["text"].stdout.splitlines()
    assert any(x.split()[:2] == ["另有无法读取", "戊街道"] for x in lines)
    message, text = draft(later, "戊街道")
    assert message["Subject"].startswith("请重新报送") and "戊街道更正.rar：RAR" in text
    assert "仍按贵单位报送的 戊街道年报.xlsx 统计" in text
    before = found["己街道"]
    assert before["status"] == "ok" and before["unreadable"] == []
    assert "8.eml › 己街道年报.rar" in [Path(f).name for f in before["superseded"]]
    assert not (later["drafts"] / "己街道.eml").exists()
    assert not any("己街道年报.rar" in x for x in lines)  # nothing left to do about it
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(later["root"] / "汇总.xlsx"))
    rows = book.get_sheet_by_name("报送情况").to_python()
    note = next(r for r in rows if r[0] == "己街道")[7]
    assert (
        "同一文件重复发送" in note
        and "已被替代（较早报送的，或同时发来的旧版）" in note
        and "己街道年报.rar" in note
    )
    problems = book.get_sheet_by_name("问题清单").to_python()
    assert [r[0] for r in problems if str(r[1]).endswith("戊街道更正.rar")] == ["戊街道"]
    assert not any(str(r[1]).endswith("己街道年报.rar") for r in problems)


def test_the_overview_counts_agree_with_the_sheets_below(
    run: dict[str, Any], later: dict[str, Any]
) -> None:
    """总览 counts what could not be read as 问题清单 lists it, and a file sent twice as
    sent again, not as replaced."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(run["root"] / "汇总.xlsx"))
    overview = book.get_sheet_by_name("总览").to_python()
    counted = {r[0]: r[1] for r in overview if r and isinstance(r[1], float)}
    assert counted["无法读取、也对应不到单位的邮件或压缩包"] == 1  # the stranger's 材料.zip
    problems = book.get_sheet_by_name("问题清单").to_python()[1:]
    f1 = sum(1 for r in problems if r[4] == "F1")
    assert counted["F1"] == f1 == 6  # 甲, 丁, the three archives and 辛's Outlook mail
    units = book.get_sheet_by_name("报送情况").to_python()
    second = next(r for r in units if r[0] == "乙街道")
    assert (second[5], second[6]) == (1, 0)  # its broken zip, an error as a broken file is
    later_book = CalamineWorkbook.from_path(str(later["root"] / "汇总.xlsx"))
    rows = later_book.get_sheet_by_name("总览").to_python()
    counted = {r[0]: r[1] for r in rows if r and isinstance(r[1], float)}
    assert counted["重复发送的文件（同一文件）"] == 1 and counted["被新报送替代的文件"] == 0


def test_the_problems_sheet_lists_them_in_roster_order(run: dict[str, Any]) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(run["root"] / "汇总.xlsx"))
    problems = book.get_sheet_by_name("问题清单").to_python()[1:]
    order = {unit: i for i, unit in enumerate(UNITS)}
    units = [r[0] for r in problems]
    assert units == sorted(units, key=lambda u: order.get(u, len(order)))
    assert units[:4] == ["甲街道", "乙街道", "丙街道", "丁街道"] and units[-1] == ""


def test_an_outlook_mail_is_its_units_and_the_clerks_to_save_otherwise(
    run: dict[str, Any],
) -> None:
    """A .msg named for a unit: the unit sent something (not 未报送, no "nothing arrived"
    reminder), it could not be read (exit 2, listed for the clerk), and saving it otherwise
    is the clerk's to do: no draft asks the unit to send it again."""
    [sent] = units(run)["辛街道"]["unreadable"]
    assert sent["origin"].endswith("辛街道年报.msg") and "Outlook" in sent["message"]
    assert not (run["drafts"] / "辛街道.eml").exists()
    assert run["text"].returncode == 2
    assert "辛街道年报.msg" in run["text"].stdout


def test_a_mail_saved_cut_short_is_said_incomplete_not_without_a_return(tmp_path: Path) -> None:
    """A mail whose saving stopped mid-attachment was said to hold no workbook (the unit
    stood as not sent, its reminder saying nothing arrived) or its return read as a damaged
    file: it is an incomplete mail, its unit's return unreadable (exit 2), for the clerk to
    save again (no draft asks the unit to send again what a saving lost)."""
    inbox, drafts = tmp_path / "收件箱", tmp_path / "草稿"
    inbox.mkdir()
    template, good = tmp_path / "t.xlsx", tmp_path / "甲街道.xlsx"
    build_template(SPEC, template, unit="甲街道", year=2025)
    fill_workbook(template, good, consistent_fill(SPEC, np.random.default_rng(3)))
    mail(inbox / "a.eml", "a@example.cn", [("甲街道年报.xlsx", good.read_bytes())])
    mail(inbox / "b.eml", "b@example.cn", [("乙街道年报.xlsx", good.read_bytes())])
    for name, keep in (("a.eml", 0.5), ("b.eml", 0.0)):  # mid-attachment; before it
        raw = (inbox / name).read_bytes()
        end = int(len(raw) * keep) or raw.index(b"Content-Type: application/octet-stream")
        (inbox / name).write_bytes(raw[:end])
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n甲街道,a@example.cn\n乙街道,b@example.cn\n", encoding="utf-8")
    inputs = {p: p.read_bytes() for p in inbox.iterdir()}
    args = ("summary", str(inbox), "-r", str(roster))
    text = toolkit(*args, "--replies", str(drafts), cwd=tmp_path)
    report = json.loads(toolkit(*args, "--format", "json", cwd=tmp_path).stdout)
    assert text.returncode == 2 and "Traceback" not in text.stderr, text.stderr
    incomplete = "邮件不完整（可能下载或保存时中断），其中的附件无法读取。请重新保存整封邮件"
    for unit, origin in (("甲街道", "a.eml › 甲街道年报.xlsx"), ("乙街道", "b.eml")):
        [line] = [x for x in text.stdout.splitlines() if f" {unit} " in x]
        assert line.split()[0] == "无法读取" and f"{origin}：{incomplete}" in line
        [sent] = units({"json": report})[unit]["unreadable"]
        assert sent["origin"].endswith(origin) and sent["message"].startswith(incomplete)
        # the clerk's to save again (the unit sent a whole mail, most likely): no draft asks
        # the unit to send what the clerk's saving lost
        assert not (drafts / f"{unit}.eml").exists()
    assert report["results"] == [] and {p: p.read_bytes() for p in inputs} == inputs
