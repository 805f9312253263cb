"""`toolkit summary` without a roster: the units are those the returns name. One unit
written two ways (全称 and 简称, with and without its city) is one unit, not two whose
totals add up twice; a report of another year is set aside as it is with a roster."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from python_calamine import CalamineWorkbook

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook, read_map, read_sheets, saved_mail, value_at
from tests.support import run_toolkit as toolkit
from toolkit.check.result import FileResult
from toolkit.forms.registry import load_form
from toolkit.summary.unlisted import units_from_returns

SPEC = load_form("gov-2021")


def grouped(
    written: list[str], files: list[str] | None = None, senders: list[str | None] | None = None
) -> list[tuple[str, int]]:
    """(the unit each return is given to, how many units there are) for returns naming
    ``written`` units inside ("" for none: named by the file name in ``files``)."""
    results = [FileResult(f"{i}.xlsx", None) for i in range(len(written))]
    for result, unit in zip(results, written, strict=True):
        result.meta["unit"] = unit or None
    names = files or [f"{i}.xlsx" for i in range(len(written))]
    found = units_from_returns(results, names, senders)
    return [(m.unit.name if m.unit else "", len(found.units)) for m in found.matches]


def test_a_unit_written_two_ways_is_one_unit_by_its_fullest_name() -> None:
    given = ["兰江街道", "兰江街道办事处", "余姚市兰江街道", "兰江街道办事处", ""]
    found = grouped(given, ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx", "兰江街道年报.xlsx"])
    # one unit, called by the name written most
    assert found == [("兰江街道办事处", 1)] * 5


def test_a_short_name_without_its_city_joins_the_one_unit_it_can_name() -> None:
    assert grouped(["市民政局", "余姚市民政局"]) == [("余姚市民政局", 1)] * 2
    # two cities' 民政局: 民政局 may be either, so it stays a unit of its own
    found = grouped(["民政局", "余姚市民政局", "慈溪市民政局"])
    assert [name for name, _ in found] == ["民政局", "余姚市民政局", "慈溪市民政局"]


def test_a_short_name_several_units_could_be_is_said_beside_it() -> None:
    results = [FileResult(f"{i}.xlsx", None) for i in range(3)]
    for result, unit in zip(results, ["民政局", "余姚市民政局", "慈溪市民政局"], strict=True):
        result.meta["unit"] = unit
    found = units_from_returns(results, ["a.xlsx", "b.xlsx", "c.xlsx"])
    short = found.units[0]
    assert found.maybe == {short.row: ("余姚市民政局", "慈溪市民政局")}


def test_a_nameless_return_is_its_senders_unit_not_its_file_names() -> None:
    """A file that could not be read names nothing: the unit its sender's other returns
    name, else one of its sender's own; two senders' 附件.xlsx are not one unit."""
    found = grouped(
        ["兰江街道办事处", "", "", "", ""],
        ["a.xlsx", "附件.xlsx", "附件.xlsx", "附件.xlsx", "坏.xlsx"],
        ["lj@example.cn", "lj@example.cn", "a@x.cn", "b@y.cn", None],
    )
    assert [name for name, _ in found] == [
        "兰江街道办事处",
        "兰江街道办事处",  # its sender's
        "附件（a@x.cn）",
        "附件（b@y.cn）",
        "坏",  # a file put in the folder, with no sender: its name
    ]
    # a shared address sends several units' files: the file's name says whose, first
    found = grouped(
        ["市教育局", "", "兰江街道办事处", ""],
        ["a.xlsx", "市体育局年报.xlsx", "b.xlsx", "兰江街道更正.xlsx"],
        ["office@x.cn", "office@x.cn", "lj@x.cn", "office@x.cn"],
    )
    assert [name for name, _ in found] == [
        "市教育局",
        "市体育局",
        "兰江街道办事处",
        "兰江街道办事处",
    ]
    # a file put in the folder is named by its file, without the year and report words
    found = grouped(["", "市体育局", ""], ["市体育局2025年报.xlsx", "x.xlsx", "损坏-1.xlsx"])
    assert [name for name, _ in found] == ["市体育局", "市体育局", "损坏-1"]


def test_bodies_inside_a_units_name_stay_units_of_their_own() -> None:
    found = grouped(["兰江街道办事处", "兰江街道卫生院", "余姚市人民政府", "余姚市档案馆"])
    assert [name for name, _ in found] == [
        "兰江街道办事处",
        "兰江街道卫生院",
        "余姚市人民政府",
        "余姚市档案馆",
    ]


def test_a_unit_written_two_ways_counts_once_and_another_year_is_set_aside(
    tmp_path: Path,
) -> None:
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()

    def filled(name: str, unit: str, seed: int, year: int = 2025) -> bytes:
        template = build / f"t-{name}"
        build_template(SPEC, template, unit=unit, year=year)
        values = consistent_fill(SPEC, np.random.default_rng(seed))
        fill_workbook(template, build / name, values)
        return (build / name).read_bytes()

    first = filled("a.xlsx", "余姚市民政局", 1)
    saved_mail(inbox / "1.eml", "Sat, 10 Jan 2026 09:00:00 +0800", "民政局年报.xlsx", first,
               sender="mz@example.cn")  # fmt: skip
    second = filled("b.xlsx", "市民政局", 2)
    saved_mail(inbox / "2.eml", "Tue, 20 Jan 2026 09:00:00 +0800", "民政局年报（更正）.xlsx",
               second, sender="mz@example.cn")  # fmt: skip
    (inbox / "教育局.xlsx").write_bytes(filled("c.xlsx", "余姚市教育局", 3))
    (inbox / "去年.xlsx").write_bytes(filled("d.xlsx", "余姚市卫生健康局", 4, year=2024))
    summary = tmp_path / "汇总.xlsx"
    done = toolkit("summary", str(inbox), "-o", str(summary), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["year"] == 2025  # most returns give it, as with a roster
    units = {u["unit"]: u for u in report["units"]}
    assert sorted(units) == ["余姚市卫生健康局", "余姚市教育局", "余姚市民政局"]
    civil = units["余姚市民政局"]
    assert civil["file"].endswith("2.eml › 民政局年报（更正）.xlsx")
    assert [Path(f).name for f in civil["superseded"]] == ["1.eml › 民政局年报.xlsx"]
    health = units["余姚市卫生健康局"]
    assert health["status"] == "other_year" and health["other_year"][0]["year"] == 2024
    # the totals hold the correction and 教育局, once each: not the first 民政局 return nor 2024
    key = "applications.new.natural"  # a figure typed in, not a total
    expected = sum(consistent_fill(SPEC, np.random.default_rng(seed))[key] for seed in (2, 3))
    sheet = CalamineWorkbook.from_path(str(summary)).get_sheet_by_name("明细").to_python()
    column = sheet[0].index(key)
    assert sum(row[column] for row in sheet[2:]) == expected
    plain = toolkit("summary", str(inbox), cwd=tmp_path).stdout
    assert "收到 2 个单位的报表" in plain
    assert "另有 1 份报表不是 2025 年度的（见上），未计入；如本次汇总的不是 2025 年度" in plain


def test_without_a_roster_the_clerk_is_told_what_to_settle_and_whom_to_write(
    tmp_path: Path,
) -> None:
    inbox, build = tmp_path / "收件箱", tmp_path / "build"
    inbox.mkdir()
    build.mkdir()
    for name, unit, seed in (
        ("民政局.xlsx", "民政局", 1),
        ("余姚.xlsx", "余姚市民政局", 2),
        ("慈溪.xlsx", "慈溪市民政局", 3),
    ):
        template = build / f"t-{name}"
        build_template(SPEC, template, unit=unit, year=2025)
        fill_workbook(template, build / name, consistent_fill(SPEC, np.random.default_rng(seed)))
        if name == "余姚.xlsx":  # by mail, and a RAR after it from the same address
            saved_mail(inbox / "y1.eml", "Mon, 12 Jan 2026 09:00:00 +0800", name,
                       (build / name).read_bytes(), sender="yy@x.cn")  # fmt: skip
            rar = b"Rar!\x1a\x07\x00" + b"x" * 40
            saved_mail(inbox / "y2.eml", "Tue, 13 Jan 2026 09:00:00 +0800", "余姚更正.rar",
                       rar, sender="yy@x.cn")  # fmt: skip
        else:
            (inbox / name).write_bytes((build / name).read_bytes())
    broken = b"PK\x03\x04" + b"cut short" * 20
    saved_mail(inbox / "a.eml", "Mon, 12 Jan 2026 10:00:00 +0800", "附件.xlsx", broken,
               sender="a@x.cn")  # fmt: skip
    saved_mail(inbox / "b.eml", "Mon, 12 Jan 2026 11:00:00 +0800", "附件.xlsx", broken,
               sender="b@y.cn")  # fmt: skip
    drafts = tmp_path / "草稿"
    summary = tmp_path / "汇总.xlsx"
    args = ("summary", str(inbox), "-o", str(summary), "--replies", str(drafts))
    done = toolkit(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.split()[1:2] == ["民政局"])
    assert "可能与以下单位是同一单位，请人工核对：余姚市民政局、慈溪市民政局" in line
    sheet = CalamineWorkbook.from_path(str(summary)).get_sheet_by_name("报送情况").to_python()
    row = next(r for r in sheet if r[0] == "民政局")
    assert "余姚市民政局、慈溪市民政局" in row[7]
    overview = CalamineWorkbook.from_path(str(summary)).get_sheet_by_name("总览").to_python()
    assert [r[:2] for r in overview if r[0] == "报表中的单位（未给单位名单）"] == [
        ["报表中的单位（未给单位名单）", 5.0]
    ]
    # each sender's unreadable 附件.xlsx is its own unit, written to at its address, not
    # greeted by a name made up for it, with a template whose 填报单位 it fills in
    written = sorted(p.name for p in drafts.glob("*.eml"))
    assert written == ["余姚市民政局.eml", "附件（a@x.cn）.eml", "附件（b@y.cn）.eml"]
    import email
    from email import policy

    raw = (drafts / "附件（a@x.cn）.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("您好：") and "附件（" not in message["Subject"] + text
    assert "已预填年度的标准模板（单位名称请自行填写）" in text
    assert message["To"] == "a@x.cn"
    [template] = list(message.iter_attachments())
    assert template.get_filename() == "2025年度年报模板.xlsx"
    copy = tmp_path / "模板.xlsx"
    copy.write_bytes(template.get_content())
    fields, _ = read_map(copy)
    assert value_at(read_sheets(copy), *fields["meta.unit"]) in ("", None)
    # 余姚市民政局's address also sent a RAR: it is told, though no roster names it
    raw = (drafts / "余姚市民政局.eml").read_bytes()
    told = email.message_from_bytes(raw, policy=policy.default).get_body(("plain",))
    assert "余姚更正.rar：RAR" in told.get_content()
    clean = tmp_path / "干净"
    clean.mkdir()
    (clean / "余姚.xlsx").write_bytes((build / "余姚.xlsx").read_bytes())
    quiet = toolkit("summary", str(clean), "--replies", str(tmp_path / "草稿2"), cwd=tmp_path)
    assert quiet.returncode == 0 and "没有写草稿" in quiet.stdout


def test_without_a_roster_an_archive_nobody_else_sent_makes_a_unit_of_its_own(
    tmp_path: Path,
) -> None:
    """A sender whose only attachment is a RAR or a broken zip is told, as a unit named by
    the file (when it names a body) or by its address."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    rar = b"Rar!\x1a\x07\x00" + b"x" * 40
    saved_mail(inbox / "e.eml", "Mon, 12 Jan 2026 09:00:00 +0800", "市体育局年报.rar", rar,
               sender="ty@x.cn")  # fmt: skip
    saved_mail(inbox / "g.eml", "Mon, 12 Jan 2026 10:00:00 +0800", "附件.zip",
               b"PK\x03\x04broken" * 5, sender="g@x.cn")  # fmt: skip
    drafts = tmp_path / "草稿"
    done = toolkit("summary", str(inbox), "--format", "json", "--replies", str(drafts),
                   cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2, done.stderr
    units = {u["unit"]: u for u in json.loads(done.stdout)["units"]}
    assert {name: u["status"] for name, u in units.items()} == {
        "市体育局": "unreadable",
        "附件（g@x.cn）": "unreadable",
    }
    assert sorted(p.name for p in drafts.glob("*.eml")) == ["市体育局.eml", "附件（g@x.cn）.eml"]


def test_without_a_roster_a_draft_without_a_recipient_is_said_so_in_those_words(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    template = tmp_path / "t.xlsx"
    build_template(SPEC, template, unit="兰江街道办事处", year=2025)
    values = {**consistent_fill(SPEC, np.random.default_rng(1)), "applications.new.total": 999}
    fill_workbook(template, inbox / "兰江.xlsx", values)
    done = toolkit("summary", str(inbox), "--replies", str(tmp_path / "草稿"), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "以下 1 个单位的报表不是邮件发来的，不知道邮箱" in done.stdout  # no roster to blame
    assert "在名单中没有邮箱" not in done.stdout


def test_a_unit_named_by_a_file_that_names_no_body_takes_no_other_senders_files(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "附件.xlsx").write_bytes(b"PK\x03\x04" + b"cut short" * 20)
    rar = b"Rar!\x1a\x07\x00" + b"x" * 40
    saved_mail(inbox / "b.eml", "Mon, 12 Jan 2026 09:00:00 +0800", "附件.rar", rar,
               sender="b@x.cn")  # fmt: skip
    done = toolkit("summary", str(inbox), "--format", "json", cwd=tmp_path)
    units = {u["unit"]: len(u["unreadable"]) for u in json.loads(done.stdout)["units"]}
    assert units == {"附件": 1, "附件（b@x.cn）": 1}
