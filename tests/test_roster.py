"""Tests for toolkit.roster: reading the roster of expected units from Excel and CSV."""

from __future__ import annotations

import dataclasses
import string
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from tests.support import assert_user_error
from toolkit import roster
from toolkit.errors import UserError
from toolkit.messages import catalogue
from toolkit.roster import RosterEntry, load_columns, normalise_header, read_roster

TITLE = "2024年度政府信息公开工作年度报告报送单位名单"


def roster_error(path: Path) -> UserError:
    """The UserError that reading ``path`` raises."""
    with pytest.raises(UserError) as info:
        read_roster(path)
    return info.value


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook with one sheet per item, rows written from A1 (None leaves a cell empty)."""
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    workbook.close()
    return path


def write_csv(path: Path, rows: Sequence[Sequence[str]], encoding: str, sep: str = ",") -> Path:
    """A CSV file in ``encoding`` with Windows line ends, as Excel saves it."""
    text = "\r\n".join(sep.join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


STANDARD_ROWS: list[list[Any]] = [
    [TITLE],
    [],
    ["序号", "单位名称", "电子邮箱", "联系人", "分组"],
    [1.0, "  XX市财政局\u3000", "czj@example.gov.cn", "张三", "市直部门"],
    [2.0, "XX市教育局", None, None, None],
    [],
    [3.0, "XX区人民政府", "qzf@example.gov.cn", 13800138000, "区县政府"],
]


def test_xlsx_with_title_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "名单.xlsx", {"名单": STANDARD_ROWS})
    assert read_roster(path) == [
        RosterEntry("XX市财政局", "czj@example.gov.cn", "张三", "市直部门", 4),
        RosterEntry("XX市教育局", None, None, None, 5),
        RosterEntry("XX区人民政府", "qzf@example.gov.cn", "13800138000", "区县政府", 7),
    ]


def test_entries_are_frozen(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "名单.xlsx", {"名单": STANDARD_ROWS})
    entry = read_roster(path)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.name = "x"  # type: ignore[misc]


def test_xlsx_first_sheet_with_header_is_used(tmp_path: Path) -> None:
    sheets = {
        "说明": [["填表说明"], ["请在下一张表填写单位"]],
        "名单": [["单位", "邮箱"], ["甲局", "a@example.cn"]],
        "旧名单": [["单位名称"], ["乙局"]],
    }
    path = write_xlsx(tmp_path / "名单.xlsx", sheets)
    assert read_roster(path) == [RosterEntry("甲局", "a@example.cn", None, None, 2)]


def test_xlsx_header_not_at_a1(tmp_path: Path) -> None:
    path = tmp_path / "offset.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(4, 2, ["单位名称", "联系人"])
    sheet.write_row(5, 2, ["丙局", "李四"])
    workbook.close()
    assert read_roster(path) == [RosterEntry("丙局", None, "李四", None, 6)]


def test_numbers_become_plain_text(tmp_path: Path) -> None:
    rows = [["单位名称", "分组"], [12345.0, 1.0], ["丁局", 2.5]]
    path = write_xlsx(tmp_path / "n.xlsx", {"S": rows})
    assert [(e.name, e.group) for e in read_roster(path)] == [("12345", "1"), ("丁局", "2.5")]


def test_utf8_bom_csv(tmp_path: Path) -> None:
    rows = [
        [TITLE],
        ["单位名称", "邮箱", "联系人"],
        ["甲局", "a@example.cn", "王五"],
        [","],
        ["乙局"],
    ]
    path = write_csv(tmp_path / "名单.csv", rows, "utf-8-sig")
    assert read_roster(path) == [
        RosterEntry("甲局", "a@example.cn", "王五", None, 3),
        RosterEntry("乙局", None, None, None, 5),
    ]


def test_gbk_csv(tmp_path: Path) -> None:
    rows = [["单位全称", "电子邮箱", "组别"], ["XX市卫生健康委员会", "wjw@example.cn", "市直"]]
    path = write_csv(tmp_path / "名单.csv", rows, "gbk")
    assert path.read_bytes().decode("gbk").startswith("单位全称")
    assert read_roster(path) == [
        RosterEntry("XX市卫生健康委员会", "wjw@example.cn", None, "市直", 2)
    ]


def test_utf8_csv_without_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "名单.csv", [["单位名称"], ["甲局"]], "utf-8")
    assert [e.name for e in read_roster(path)] == ["甲局"]


def test_utf16_tab_separated_text(tmp_path: Path) -> None:
    rows = [["单位名称", "邮箱"], ["甲局", "a@example.cn"]]
    path = write_csv(tmp_path / "名单.txt", rows, "utf-16", sep="\t")
    assert read_roster(path) == [RosterEntry("甲局", "a@example.cn", None, None, 2)]


def test_quoted_csv_fields(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('单位名称,分组\n"甲局,乙处","a ""b"""\n', encoding="utf-8")
    assert read_roster(path) == [RosterEntry("甲局,乙处", None, None, 'a "b"', 2)]


def test_format_is_decided_by_content(tmp_path: Path) -> None:
    xlsx_named_csv = write_xlsx(tmp_path / "really_xlsx.csv", {"S": [["单位名称"], ["甲局"]]})
    assert [e.name for e in read_roster(xlsx_named_csv)] == ["甲局"]
    csv_named_xlsx = write_csv(tmp_path / "really_csv.xlsx", [["单位名称"], ["乙局"]], "gbk")
    assert [e.name for e in read_roster(csv_named_xlsx)] == ["乙局"]


def test_optional_columns_absent(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", {"S": [["单位名称"], ["甲局"], ["乙局"]]})
    assert read_roster(path) == [
        RosterEntry("甲局", None, None, None, 2),
        RosterEntry("乙局", None, None, None, 3),
    ]


@pytest.mark.parametrize(
    ("name_header", "email_header", "contact_header", "group_header"),
    [
        ("单位名称", "邮箱", "联系人", "分组"),
        ("单位", "E-mail", "联系人", "组别"),
        ("填报单位", "Email", "经办人", "类别"),
        ("单位全称", "邮件地址", "联系人", "分组"),
        (" 单位\n名称 ", "电子 邮箱", "联\u3000系\u3000人", "分\t组"),
        ("*单位名称（必填）", "ＥＭＡＩＬ", "联系人(选填)", "分组"),
        ("单位名称", "e-mail", "联系人", "分组"),
    ],
)
def test_header_variants(
    tmp_path: Path, name_header: str, email_header: str, contact_header: str, group_header: str
) -> None:
    rows = [
        ["序号", name_header, email_header, contact_header, group_header],
        [1, "甲局", "a@example.cn", "赵六", "一组"],
    ]
    path = write_xlsx(tmp_path / "v.xlsx", {"S": rows})
    assert read_roster(path) == [RosterEntry("甲局", "a@example.cn", "赵六", "一组", 2)]


def test_two_row_header(tmp_path: Path) -> None:
    rows = [
        [TITLE],
        ["序号", "单位名称", "联系方式", None, "分组"],
        [None, None, "联系人", "邮箱", None],
        [1, "甲局", "钱七", "q@example.cn", "一组"],
    ]
    path = write_xlsx(tmp_path / "two.xlsx", {"S": rows})
    assert read_roster(path) == [RosterEntry("甲局", "q@example.cn", "钱七", "一组", 4)]


def test_label_is_preferred_over_variants(tmp_path: Path) -> None:
    rows = [["单位", "单位名称", "邮箱", "电子邮箱"], ["甲处", "甲局", "a@x.cn", "b@x.cn"]]
    path = write_xlsx(tmp_path / "v.xlsx", {"S": rows})
    assert read_roster(path) == [RosterEntry("甲局", "a@x.cn", None, None, 2)]


def test_header_normalisation() -> None:
    assert normalise_header("Ｅ－ｍａｉｌ") == normalise_header("e-mail")
    assert normalise_header(" 单位\r\n名称\u3000") == "单位名称"
    assert normalise_header("单位名称（必填）*") == "单位名称"


def test_columns_come_from_the_data_file() -> None:
    specs = {spec.field: spec for spec in load_columns()}
    assert specs["name"].label == "单位名称"
    assert specs["name"].required
    assert "E-mail" in specs["email"].variants
    assert set(specs) == {"name", "email", "contact", "group"}


# --- errors -----------------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "不存在.xlsx"
    assert_user_error(roster_error(path), "roster.not_found", str(path))


def test_directory_path(tmp_path: Path) -> None:
    assert_user_error(roster_error(tmp_path), "roster.not_a_file", str(tmp_path))


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    assert_user_error(roster_error(path), "roster.empty", str(path))


def test_workbook_without_content(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "blank.xlsx", {"Sheet1": [], "Sheet2": []})
    assert_user_error(roster_error(path), "roster.empty", str(path))


def test_blank_csv(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(",,\r\n , \r\n", encoding="utf-8")
    assert_user_error(roster_error(path), "roster.empty", str(path))


def test_docx_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert_user_error(roster_error(path), "roster.unreadable", str(path))


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["单位名称"], ["甲局"]]})
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:300])
    assert_user_error(roster_error(path), "roster.unreadable", str(path))


def test_ole_garbage(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert_user_error(roster_error(path), "roster.unreadable", str(path))


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02binary\x00",
        "单位名称\r\n甲局\r\n".encode() * 2000 + b"\x00",
        b"<html><body><table><tr><td>\xe5\x8d\x95\xe4\xbd\x8d</td></tr></table></body></html>",
        b'\xef\xbb\xbf<?xml version="1.0"?><Workbook/>',
    ],
)
def test_not_a_spreadsheet(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "export.xls"
    path.write_bytes(content)
    assert_user_error(roster_error(path), "roster.unreadable", str(path))


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x80\x80,\xff\r\n")
    assert_user_error(roster_error(path), "roster.encoding", str(path))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "locked.csv", [["单位名称"], ["甲局"]], "utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert_user_error(roster_error(path), "roster.cannot_open", str(path))


def test_a_return_given_for_the_roster_is_said_as_such() -> None:
    """A unit's return (or a template) named by --roster by mistake: said as what it is, not
    as units named "M1" and "N1" twice (its 校验结果 lines, read as a list)."""
    path = Path(__file__).resolve().parent.parent / "examples" / "凤山街道2025年报.xlsx"
    assert_user_error(roster_error(path), "roster.is_return", str(path))


def test_no_name_column(tmp_path: Path) -> None:
    rows = [[TITLE], ["序号", "名称", "邮箱"], [1, "甲局", "a@example.cn"]]
    path = write_xlsx(tmp_path / "名单.xlsx", {"S": rows})
    error = roster_error(path)
    assert_user_error(error, "roster.no_name_column", str(path), "“名称”", "“邮箱”", "“单位名称”")
    assert "“填报单位”" in error.render("en")


def test_no_name_column_lists_the_fullest_row_of_any_sheet(tmp_path: Path) -> None:
    sheets = {"说明": [["请填写下表"]], "名单": [["序号", "名字", "联系人"], [1, "甲局", "孙八"]]}
    path = write_xlsx(tmp_path / "名单.xlsx", sheets)
    error = roster_error(path)
    assert error.message_id == "roster.no_name_column"
    assert error.params["found"] == "“序号”, “名字”, “联系人”"


def test_header_below_row_ten_is_not_found(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[f"说明{i}"] for i in range(10)] + [["单位名称"], ["甲局"]]
    path = write_xlsx(tmp_path / "late.xlsx", {"S": rows})
    assert roster_error(path).message_id == "roster.no_name_column"


def test_no_units(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[TITLE], ["单位名称", "邮箱"], [], [None, None]]
    path = write_xlsx(tmp_path / "名单.xlsx", {"S": rows})
    assert_user_error(roster_error(path), "roster.no_units", str(path), "2")


def test_row_with_contact_but_no_name(tmp_path: Path) -> None:
    rows = [["序号", "单位名称", "邮箱"], [1, "甲局", "a@x.cn"], [2, None, "b@x.cn"], [3, None]]
    path = write_xlsx(tmp_path / "名单.xlsx", {"S": rows})
    assert_user_error(roster_error(path), "roster.name_missing", str(path), "3")


def test_numbered_empty_rows_are_ignored(tmp_path: Path) -> None:
    rows = [["序号", "单位名称"], [1, "甲局"], [2, None], [3, None]]
    path = write_xlsx(tmp_path / "名单.xlsx", {"S": rows})
    assert [e.name for e in read_roster(path)] == ["甲局"]


def test_duplicate_names(tmp_path: Path) -> None:
    rows = [
        [TITLE],
        ["单位名称"],
        ["XX市财政局"],
        ["XX市教育局"],
        ["XX市 财政局"],
        ["ＸＸ市教育局"],
        ["XX市审计局"],
        ["XX市财政局\u3000"],
    ]
    path = write_xlsx(tmp_path / "名单.xlsx", {"S": rows})
    error = roster_error(path)
    assert_user_error(
        error, "roster.duplicate_names", str(path), "“XX市财政局” (3, 5, 8)", "“XX市教育局” (4, 6)"
    )
    assert error.params["count"] == 2
    assert "审计局" not in error.render("zh")


def test_duplicate_names_in_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [["单位"], ["甲局"], ["甲局"]], "gb18030")
    assert_user_error(roster_error(path), "roster.duplicate_names", "“甲局” (2, 3)")


def test_one_unit_under_its_full_and_its_short_name(tmp_path: Path) -> None:
    """兰江街道 and 兰江街道办事处 (or 余姚市政府 and 余姚市人民政府) are one unit to the
    matcher: listed twice, one row would always be missing, and be sent a reminder."""
    rows = [["单位名称"], ["兰江街道"], ["余姚市政府"], ["兰江街道办事处"], ["余姚市人民政府"]]
    rows += [["余姚市政府办公室"], ["凤山街道办事处"]]
    error = roster_error(write_csv(tmp_path / "名单.csv", rows, "utf-8"))
    assert_user_error(
        error,
        "roster.same_unit_names",
        "“兰江街道” (2) / “兰江街道办事处” (4)",
        "“余姚市政府” (3) / “余姚市人民政府” (5)",
    )
    assert error.params["count"] == 2 and "办公室" not in error.render("zh")
    # two bodies whose names share a stem are two units
    rows = [
        ["单位名称"],
        ["城东居民委员会"],
        ["城东村民委员会"],
        ["兰江街道居委会"],
        ["兰江街道办事处"],
    ]
    assert len(roster.read_roster(write_csv(tmp_path / "两个.csv", rows, "utf-8"))) == 4


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(
        tmp_path / "big.csv", [["单位名称"]] + [[f"单位{i}"] for i in range(50)], "utf-8"
    )
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 100)
    assert_user_error(roster_error(path), "roster.too_large", str(path))


def test_default_limits() -> None:
    assert roster.MAX_FILE_BYTES == 20 * 1024 * 1024
    assert roster.MAX_ROWS == 100_000


def test_too_many_rows_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_ROWS", 5)
    ok = write_csv(tmp_path / "ok.csv", [["单位名称"]] + [[f"单位{i}"] for i in range(4)], "utf-8")
    assert len(read_roster(ok)) == 4
    path = write_csv(
        tmp_path / "many.csv", [["单位名称"]] + [[f"单位{i}"] for i in range(5)], "utf-8"
    )
    assert_user_error(roster_error(path), "roster.too_many_rows", str(path), "5")


def test_too_many_rows_xlsx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_ROWS", 5)
    rows = [["单位名称"]] + [[f"单位{i}"] for i in range(5)]
    path = write_xlsx(tmp_path / "many.xlsx", {"S": rows})
    assert_user_error(roster_error(path), "roster.too_many_rows", str(path), "5")


def test_sparse_sheet_is_refused_before_expanding(tmp_path: Path) -> None:
    path = tmp_path / "sparse.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("名单")
    sheet.write_row(0, 0, ["单位名称"])
    sheet.write_row(1, 0, ["甲局"])
    sheet.write(99_990, 16_383, "stray")
    workbook.close()
    assert_user_error(roster_error(path), "roster.too_many_cells", str(path), "名单", "16384")


def test_stray_value_in_last_cell_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "stray.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("名单")
    sheet.write_row(0, 0, ["单位名称"])
    sheet.write(1_048_575, 16_383, " ")
    workbook.close()
    assert_user_error(roster_error(path), "roster.too_many_rows", str(path), "100000")


def test_far_formatting_without_values_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "styled.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("名单")
    sheet.write_row(0, 0, ["单位名称"])
    sheet.write_row(1, 0, ["甲局"])
    sheet.write_blank(1_048_575, 16_383, None, workbook.add_format({"bold": True}))
    workbook.close()
    assert [e.name for e in read_roster(path)] == ["甲局"]


def test_sheets_after_the_roster_are_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "later.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("名单").write_column(0, 0, ["单位名称", "甲局"])
    workbook.add_worksheet("草稿").write(1_048_575, 16_383, "stray")
    workbook.close()
    assert [e.name for e in read_roster(path)] == ["甲局"]


def test_sheet_size_is_checked_after_loading_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["单位名称", None, None, "备注"], ["甲局"], ["乙局"]]
    path = write_xlsx(tmp_path / "wide.xlsx", {"名单": rows})
    monkeypatch.setattr(roster, "_ooxml_extents", lambda path: {})
    monkeypatch.setattr(roster, "MAX_CELLS", 11)
    assert_user_error(roster_error(path), "roster.too_many_cells", "名单", "3", "4")


# --- other workbook formats (need LibreOffice to produce them) --------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods(tmp_path: Path, soffice: str, fmt: str) -> None:
    from tests.libreoffice import convert

    source = write_xlsx(tmp_path / "roster.xlsx", {"名单": STANDARD_ROWS})
    converted = convert([source], tmp_path / "out", fmt, soffice=soffice)[source]
    assert [(e.name, e.row) for e in read_roster(converted)] == [
        ("XX市财政局", 4),
        ("XX市教育局", 5),
        ("XX区人民政府", 7),
    ]


# --- message catalogue ------------------------------------------------------------------------


def test_roster_messages_exist_in_both_languages_with_same_params() -> None:
    formatter = string.Formatter()
    zh = {k: v for k, v in catalogue("zh").items() if k.startswith("roster.")}
    en = {k: v for k, v in catalogue("en").items() if k.startswith("roster.")}
    assert zh and zh.keys() == en.keys()
    for key in zh:
        zh_params = {field for _, field, _, _ in formatter.parse(zh[key]) if field}
        en_params = {field for _, field, _, _ in formatter.parse(en[key]) if field}
        assert zh_params == en_params, key


def test_rows_counting_the_units_are_no_units(tmp_path: Path) -> None:
    """A roster closed by 合计 | 3个单位, with 小计 rows between groups: only units are read."""
    rows: list[list[Any]] = [
        ["序号", "单位名称", "分组"],
        [1.0, "XX市财政局", "部门"],
        ["小计", "1个", None],
        [2.0, "XX街道办事处", "街道"],
        [None, "共1个单位", None],
        ["合计", "2个单位", None],
    ]
    path = write_xlsx(tmp_path / "名单.xlsx", {"名单": rows})
    assert [e.name for e in read_roster(path)] == ["XX市财政局", "XX街道办事处"]


@pytest.mark.parametrize(
    ("written", "addresses", "written_with_at"),
    [
        ("a@b.cn、c@d.cn", ["a@b.cn", "c@d.cn"], True),
        ("办公室 <a@b.cn>", ["a@b.cn"], True),
        ("A@B.CN（办公室）", ["A@B.CN"], True),
        ("mailto:a@b.cn", ["a@b.cn"], True),
        ("a@b.cn；a@b.cn", ["a@b.cn"], True),
        ("ａ＠ｂ．ｃｎ", ["a@b.cn"], True),
        ("无", [], False),
        ("a＠b", [], True),
        ("a@b.cn/c@d.cn", ["a@b.cn", "c@d.cn"], True),
        ("o'brien@b.cn", ["o'brien@b.cn"], True),
        ("a@xn--fsq.xn--fiqs8s", ["a@xn--fsq.xn--fiqs8s"], True),
        ("a@b.cn；A@B.cn", ["a@b.cn"], True),
        ("邮箱：a@b.cn。", ["a@b.cn"], True),
        ("张三@例子.中国", ["张三@例子.中国"], True),  # matched by; no draft can carry it
        ("同上", [], False),
        ("张三（zs@x.cn）", ["zs@x.cn"], True),  # brackets round the address, not a note
        ("a@b.cn(办公室)b@c.cn", ["a@b.cn", "b@c.cn"], True),
        ("(a@b.cn)", ["a@b.cn"], True),
        ("a@b.cn办公室", ["a@b.cn"], True),  # text glued on: cut off
        ("a@b.cn或c@d.cn", ["a@b.cn", "c@d.cn"], True),
        ("a@b.cn?", ["a@b.cn"], True),
        ("a@b.123", [], True),
        ("a@b.c", [], True),
    ],
)
def test_addresses_are_read_however_the_cell_writes_them(
    written: str, addresses: list[str], written_with_at: bool
) -> None:
    entry = RosterEntry("XX市财政局", written, None, None, 2)
    assert entry.addresses == addresses
    assert entry.email_written is written_with_at
