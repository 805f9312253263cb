"""A return is matched to its roster unit by the name inside it, the sender, or the file
name; full and short names, spaces and widths don't matter; ambiguity is never guessed."""

from __future__ import annotations

from toolkit.inbox.match import Matcher, core
from toolkit.roster import RosterEntry


def unit(name: str, email: str | None = None, row: int = 2) -> RosterEntry:
    return RosterEntry(name=name, email=email, contact=None, group=None, row=row)


def numbered(*names: str) -> list[RosterEntry]:
    """A roster of ``names``, in rows from 2 on."""
    return [unit(name, row=row) for row, name in enumerate(names, start=2)]


def matched_as(matcher: Matcher, cases: dict[str, RosterEntry]) -> None:
    """Each written name (the unit cell of a return) matches its roster unit."""
    for written, expected in cases.items():
        assert matcher.match(written, None, "x.xlsx").unit == expected, written


ROSTER = [
    unit("兰江街道办事处", "lj@example.cn"),
    unit("凤山街道办事处", "fs@example.cn; fs2@example.cn"),
    unit("余姚市教育局", None),
    unit("梨洲街道办事处", "shared@example.cn"),
    unit("阳明街道办事处", "shared@example.cn"),
    unit("城区管理委员会", None),
]
MATCHER = Matcher(ROSTER)


def test_core_names() -> None:
    assert core("兰江街道办事处") == "兰江街道"
    assert core("城区管理委员会") == "城区"
    assert core(" 余姚市 教育局 ") == "余姚市教育局"
    assert core("政府") == "政府"  # too short to strip


def test_the_name_inside_the_return_in_any_of_its_spellings() -> None:
    for written in (
        "兰江街道办事处",
        "兰江街道",
        "余姚市兰江街道",
        "兰江街道 办事处",
        "ＬＪ兰江街道",
    ):
        found = MATCHER.match(written, None, "x.xlsx")
        assert (found.how, found.unit) == ("unit", ROSTER[0]), written
    assert MATCHER.match("余姚市教育局", None, "").unit == ROSTER[2]


def test_then_the_sender_then_the_file_name() -> None:
    assert MATCHER.match(None, "FS2@example.cn", "年报.xlsx").how == "sender"
    assert MATCHER.match("某某单位", "FS@EXAMPLE.CN", "").unit == ROSTER[1]
    found = MATCHER.match(None, None, "凤山街道2025年度政府信息公开工作年度报告.xlsx")
    assert (found.how, found.unit) == ("file", ROSTER[1])


def test_ambiguous_and_unknown_are_reported_not_guessed() -> None:
    shared = MATCHER.match(None, "shared@example.cn", "年报.xlsx")
    assert shared.how == "ambiguous" and shared.unit is None
    assert set(shared.units) == {ROSTER[3], ROSTER[4]}
    unknown = MATCHER.match("外省某局", "nobody@example.cn", "年报.xlsx")
    assert unknown.how == "unknown" and unknown.unit is None and unknown.units == ()


def test_a_name_containing_unit_names_gives_the_longest_in_roster_order() -> None:
    """The indexed lookup gives what trying every unit's core inside the name gives, where
    what follows the core is no other body (局, 馆) but may be the unit's own ending (办)."""
    import random

    from toolkit.inbox.match import _names_another_body
    from toolkit.roster import name_key

    rng = random.Random(5)
    syllables = ["兰", "江", "凤", "山", "街", "道", "镇", "乡", "东", "西", "局", "馆", "办", "市"]
    roster = [unit("".join(rng.choices(syllables, k=rng.randint(2, 5))), row=i) for i in range(60)]
    matcher = Matcher(roster)
    tested = 0
    for _ in range(2000):
        name = "".join(rng.choices(syllables, k=rng.randint(1, 12)))
        key = name_key(name)
        if key in matcher.by_key or matcher.by_core.get(core(name)):
            continue  # decided before the search inside the name
        inside = [
            (c, u)
            for c, u in matcher.cores
            if len(c) >= 2
            and any(
                key.startswith(c, at)
                and not _names_another_body(key[at + len(c) :])
                and not matcher.placed_elsewhere(key[:at], c)
                for at in range(len(key))
            )
        ]
        tested += bool(inside) and any(not key.endswith(c) for c, _ in inside)
        longest = max((len(c) for c, _ in inside), default=0)
        expected = tuple(u for c, u in inside if len(c) == longest)
        assert matcher.by_name(name) == expected, name
    assert tested >= 50  # names holding a unit's core with more after it


def test_a_unit_name_inside_the_name_of_another_body_is_no_match() -> None:
    """余姚市档案馆 is not 余姚市人民政府 (whose core, 余姚市, it starts with); a note or a
    file name's trailing word still lets the name inside count."""
    roster = numbered("余姚市人民政府", "兰江街道办事处")
    matcher = Matcher(roster)
    for other in ("余姚市档案馆", "余姚市人民政府研究室", "兰江街道卫生院", "兰江街道社区"):
        assert matcher.match(other, None, "年报.xlsx").how == "unknown", other
    matched_as(
        matcher,
        {
            "宁波市余姚市人民政府": roster[0],
            "兰江街道（盖章）": roster[1],
            "余姚市兰江街道办事处": roster[1],
        },
    )
    assert matcher.match(None, None, "兰江街道年报终稿.xlsx").unit == roster[1]


def test_a_unit_of_another_place_is_not_ours() -> None:
    """A roster of 余姚市's units lists 市档案馆: 余姚市档案馆 is it, 慈溪市档案馆 (a
    neighbour's report in the inbox) is not. A roster naming no place cannot tell."""
    roster = numbered("余姚市人民政府", "市档案馆", "兰江街道办事处")
    matcher = Matcher(roster)
    matched_as(
        matcher,
        {
            "余姚市档案馆": roster[1],
            "宁波市余姚市档案馆": roster[1],
            "余姚市兰江街道": roster[2],
            "关于兰江街道": roster[2],  # no place written before it
        },
    )
    for other in ("慈溪市档案馆", "慈溪市兰江街道", "宁波市档案馆"):
        assert matcher.match(other, None, "年报.xlsx").how == "unknown", other
    placeless = Matcher(numbered("市档案馆"))
    assert placeless.match("慈溪市档案馆", None, "x.xlsx").unit is not None  # cannot tell


def test_a_short_name_without_its_place_names_the_unit_of_that_place() -> None:
    roster = numbered("余姚市民政局", "余姚市自然资源和规划局", "余姚市教育局", "慈溪市教育局")
    matcher = Matcher(roster)
    for written, expected in (
        ("市民政局", roster[0]),
        ("民政局", roster[0]),
        ("市自然资源和规划局", roster[1]),
    ):
        found = matcher.match(written, None, "x.xlsx")
        assert (found.how, found.unit) == ("unit", expected), written
    two = matcher.match("市教育局", None, "x.xlsx")  # both cities have one: not guessed
    assert two.how == "ambiguous" and set(two.units) == {roster[2], roster[3]}
    assert matcher.match("局", None, "x.xlsx").how == "unknown"
    # the sender or the file name settles which one (they are asked before giving up)
    senders = Matcher([unit("余姚市教育局", "jy@yy.cn", 2), unit("慈溪市教育局", None, 3)])
    assert senders.match("教育局", "JY@yy.cn", "x.xlsx").how == "sender"
    assert senders.match("教育局", None, "慈溪市教育局年报.xlsx").how == "file"
    # only places at the start are cut: the 区 of 社区 is none
    centre = Matcher([unit("余姚市社区服务中心", row=2)])
    assert centre.match("社区服务中心", None, "x.xlsx").how == "unit"
    assert centre.match("服务中心", None, "x.xlsx").how == "unknown"


def test_a_units_own_ending_after_its_name_is_still_that_unit() -> None:
    roster = numbered("兰江街道办事处", "阳明社区", "横坎头村", "经济开发区管理委员会")
    matcher = Matcher(roster)
    matched_as(
        matcher,
        {
            "兰江街道办": roster[0],
            "阳明社区居委会": roster[1],
            "阳明社区居民委员会": roster[1],
            "横坎头村村民委员会": roster[2],
            "经济开发区管委会办公室": roster[3],
        },
    )


def test_committees_governments_and_their_offices() -> None:
    """社区居民委员会 and 村民委员会 are found by their short forms; a 人民政府's place is
    no unit's name inside another body's (its office, a town's government), and 人民政府
    and 政府 are one ending."""
    roster = numbered(
        "舜北社区居民委员会",
        "谢家路村村民委员会",
        "余姚市人民政府",
        "余姚市人民政府办公室",
        "大岚镇人民政府",
    )
    matcher = Matcher(roster)
    matched_as(
        matcher,
        {
            "舜北社区": roster[0],
            "舜北社区居委会": roster[0],
            "谢家路村": roster[1],
            "谢家路村委会": roster[1],
            "余姚市政府": roster[2],
            "余姚市人民政府（盖章）": roster[2],
            "余姚市政府办公室": roster[3],
            "余姚市大岚镇人民政府": roster[4],
            "大岚镇政府": roster[4],
        },
    )
    assert matcher.match("余姚市政府研究室", None, "x.xlsx").how == "unknown"


def test_the_sender_settles_a_name_that_fits_several_units() -> None:
    """兰江街道 is the core of both units: the sender's address says which one sent it."""
    roster = [unit("兰江街道办事处", "lj@yy.cn", 2), unit("兰江街道委员会", "dw@yy.cn", 3)]
    matcher = Matcher(roster)
    assert matcher.match("兰江街道", None, "x.xlsx").how == "ambiguous"
    found = matcher.match("兰江街道", "DW@yy.cn", "x.xlsx")
    assert (found.how, found.unit) == ("sender", roster[1])
    other = matcher.match("兰江街道", "someone@else.cn", "x.xlsx")
    assert other.how == "ambiguous" and set(other.units) == set(roster)


def test_a_file_name_as_a_unit_name() -> None:
    from toolkit.inbox.match import stem_of

    assert stem_of("市体育局2025年报.xlsx") == "市体育局"  # the 年 of 年报 is no year's
    assert stem_of("阳明社区居委会2025年报（盖章）.xlsx") == "阳明社区居委会"
    assert stem_of("余姚市兰江街道2025年度政府信息公开工作年度报告.xlsx") == "余姚市兰江街道"
    assert stem_of("市委社会工作部.xlsx") == "市委社会工作部"  # 工作 of its own name kept


def test_a_file_nothing_could_be_read_from_is_its_named_units_or_nobodys() -> None:
    roster = [unit("市教育局", "office@x.cn", row=2), unit("兰江街道办事处", row=3)]
    matcher = Matcher(roster)
    assert matcher.match_unread("office@x.cn", "兰江街道年报.rar").unit is roster[1]
    # another body's file sent from a unit's address is not that unit's
    assert matcher.match_unread("office@x.cn", "市体育局年报.rar").how == "unknown"
    # a name that names no body goes by its sender
    assert matcher.match_unread("office@x.cn", "附件.rar").unit is roster[0]


def test_a_body_named_by_its_level_alone_is_the_one_its_short_name_names() -> None:
    """A roster's own 市民政局 is the 民政局 a file is named after, read or not (a broken
    民政局年报.zip from its address was nobody's, and the unit was reminded as missing)."""
    roster = [unit("市民政局", "mzj@x.cn", row=2), unit("市交通运输局", row=3)]
    matcher = Matcher(roster)
    assert matcher.match_unread("mzj@x.cn", "民政局年报.zip").unit is roster[0]
    assert matcher.match_unread(None, "民政局.rar").unit is roster[0]
    assert matcher.match(None, None, "交通运输局2025年报.xlsx").unit is roster[1]
    # two of a level: the short name says nothing, the sender settles it
    two = [unit("市民政局", "mzj@x.cn", row=2), unit("县民政局", "xmz@x.cn", row=3)]
    assert Matcher(two).match_unread(None, "民政局年报.zip").how == "ambiguous"
    assert Matcher(two).match_unread("xmz@x.cn", "民政局年报.zip").unit is two[1]


def test_a_core_starting_with_shi_as_a_word_follows_its_place() -> None:
    """市场监督管理局 begins with 市场, not the level 市: 余姚市市场监督管理局 names it in a
    roster of 余姚市's units; 慈溪市市场监督管理局 stays another place's."""
    units = numbered("余姚市人民政府", "市场监督管理局", "市档案馆")
    matcher = Matcher(units)
    assert matcher.match("余姚市市场监督管理局", None, "x.xlsx").unit is units[1]
    assert matcher.match("余姚市档案馆", None, "x.xlsx").unit is units[2]
    for other in ("慈溪市市场监督管理局", "慈溪市档案馆"):
        assert matcher.match(other, None, "x.xlsx").unit is None, other
