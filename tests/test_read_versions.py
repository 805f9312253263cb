"""Which copy of a report is the report: sheet names marking a revision or a draft."""

from __future__ import annotations

import pytest

from toolkit.read.layout import _close_enough
from toolkit.read.versions import named_alike, newest_versions, sheet_versions


def superseded_sheets(names: list[str]) -> dict[str, str]:
    """Each sheet another replaces by name -> the highest version of its name."""
    versions = sheet_versions(names)
    newest = newest_versions(list(versions), versions)
    return {
        name: next(t for t in newest if versions[t][0] == base)
        for name, (base, _, _) in versions.items()
        if name not in newest
    }


@pytest.mark.parametrize(
    ("names", "gone"),
    [
        (["2025年度", "2025年度（修改）"], {"2025年度"}),
        (["2025年度(修订版)", "2025年度"], {"2025年度"}),
        (["年报（草稿）", "年报"], {"年报（草稿）"}),
        (["年报-初稿", "年报", "年报-定稿"], {"年报-初稿", "年报"}),
        (["年报 备份", "年报"], {"年报 备份"}),
        (["年报", "年报（修改）", "年报（最终）"], {"年报", "年报（修改）"}),
        (["年报", "年报（修改后）"], {"年报"}),
        (["年报", "年报（修改2）"], {"年报"}),
        (["年报", "年报〔修改〕"], {"年报"}),
        (["年报（修改1）", "年报", "年报（修改2）"], {"年报（修改1）", "年报"}),
        (["年报（修改前）", "年报（修改后）"], {"年报（修改前）"}),
        (["年报", "年报（终版）"], {"年报"}),
        (["年报", "年报（改）"], {"年报"}),
        (["年报（第二次修改）", "年报（第一次修改）"], {"年报（第一次修改）"}),
        (["年报（上年度）", "年报"], {"年报（上年度）"}),
        # a word of a place's or a table's name is no mark: 旧县镇, 数据对比表, 城市更新
        (["旧县镇年报", "旧县镇年报（修改）"], {"旧县镇年报"}),
        (["数据对比表", "数据对比表（修改）"], {"数据对比表"}),
        (["城市", "城市更新"], set()),
        # nothing to compare with: a mark alone replaces nothing
        (["封面", "2025年度（修改）"], set()),
        (["年报（草稿）"], set()),
        # Excel's copy names say nothing about which is newer
        (["年报", "年报 (2)"], set()),
        # a mark inside a name is a word of it, not a mark
        (["修改说明", "说明"], set()),
        (["主动公开", "申请情况", "复议诉讼"], set()),
    ],
)
def test_a_sheet_is_replaced_only_by_one_of_its_name_marked_newer(
    names: list[str], gone: set[str]
) -> None:
    assert set(superseded_sheets(names)) == gone


def test_the_sheet_replacing_another_is_named() -> None:
    assert superseded_sheets(["年报（草稿）", "年报", "年报（定稿）"]) == {
        "年报（草稿）": "年报（定稿）",
        "年报": "年报（定稿）",
    }


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("年报", "年报 (2)", True),  # Excel's copy
        ("年报", "年报（新）", True),  # a mark of no known rank
        ("Sheet1", "Sheet2", True),
        ("年报", "附表", False),  # another sheet, perhaps a group's figures
        ("年报", "年报（下属单位）", False),  # a breakdown, no copy
        ("表一", "表二", False),
    ],
)
def test_sheets_named_as_copies_of_one(a: str, b: str, alike: bool) -> None:
    """Sheets whose copies of a table, holding other figures, are said when nothing tells
    which is the report: named as copies of one sheet, not as different sheets."""
    assert named_alike(a, b) is alike


@pytest.mark.parametrize(
    ("typed", "label", "close"),
    [
        ("属于三类内部事物信息", "属于三类内部事务信息", True),  # a character mistyped
        ("没有现成的信息需要另行制作", "没有现成信息需要另行制作", True),  # a word added
        ("予以公开的", "予以公开", True),
        ("政务抖音公开政府信息数", "政务微博公开政府信息数", False),  # another channel
        ("政务微信公开政府信息数量", "政务微博公开政府信息数", False),
        ("不予公开", "予以公开", False),
        ("行政处分", "行政处罚", False),  # in a short label, a character changed is a word
    ],
)
def test_a_label_retyped_a_character_or_so_off(typed: str, label: str, close: bool) -> None:
    """At most one character in ten changed, added or left out (at least one)."""
    assert (_close_enough(typed, label) is not None) is close
