"""Which roster unit sent a return: by the unit named inside it, then by the sender's
address, then by the file name. Names are compared as people write them: full width or
half, with or without spaces, 全称 or 简称 (兰江街道办事处 / 兰江街道 / 余姚市兰江街道).
More than one candidate is reported as ambiguous, none as unknown: never a guess.

A unit's name inside a longer one counts only when what follows it does not name another
body: 余姚市档案馆 is not 余姚市人民政府, and 兰江街道卫生院 is not 兰江街道办事处, while
兰江街道（盖章）, 兰江街道办 and 阳明社区居委会 are. A 简称 without its leading place
(市民政局, 民政局) names the one roster unit of a place ending so (余姚市民政局); when several
do, the sender and the file name are asked before the candidates are reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from toolkit.roster import RosterEntry, name_key

# endings that make a 全称 of a 简称; longest first so 管理委员会 goes before 委员会
_SUFFIXES = tuple(
    sorted(
        (
            *("办事处", "人民政府", "管理委员会", "委员会", "管委会", "办公室", "政府"),
            *("居民委员会", "村民委员会", "居委会", "委会"),  # 社区 and 村 (村委会 keeps its 村)
        ),
        key=len,
        reverse=True,
    )
)
_MIN_CORE = 2  # a core name shorter than this matches too much
# what the name of a body of its own ends with (a bureau, a hall, a school, a centre...)
_BODY_ENDINGS = (
    *"局馆院校所站委办队室厅部会处村学园团科庭社场厂台署",
    "中心",
    "公司",
    "社区",
    "政府",
)
# what may follow a unit's name and still be that unit: a 全称 ending, its usual short forms
_OWN_ENDINGS = tuple(sorted({*_SUFFIXES, "办", "村委会"}, key=len, reverse=True))
_PLACE_ENDINGS = "省市县区州旗盟"  # 余姚市 in 余姚市民政局
_NOT_PLACES = ("社区", "小区", "园区", "景区", "街区", "片区", "校区", "厂区")
_MAX_PLACE = 5  # characters of one place name (内蒙古自治区 is split at 区 anyway)
_MIN_TAIL = 3  # a place-less 简称 shorter than this (局, 民政) matches too much
_MAX_CANDIDATES = 10  # candidates named for a name that fits many units
_GOVERNMENT = "政府"  # a 人民政府's core is its place alone: 余姚市
_PLACE_UNITS = ("街道", "镇", "乡")  # a township's name is a unit's name too

How = Literal["unit", "sender", "file", "ambiguous", "unknown"]


@dataclass(frozen=True)
class Match:
    how: How
    units: tuple[RosterEntry, ...]  # one for a match; the candidates when ambiguous

    @property
    def unit(self) -> RosterEntry | None:
        return self.units[0] if len(self.units) == 1 and self.how != "ambiguous" else None


def core(name: str) -> str:
    """A unit name without spaces, width or its 全称 ending: the part people always write.
    An ending whose removal leaves another unit's full name stays (余姚市人民政府办公室 is
    not 余姚市人民政府); 人民政府 and 政府 are one ending."""
    key = comparable(name_key(name))
    for suffix in _SUFFIXES:
        rest = key[: -len(suffix)]
        if key.endswith(suffix) and len(rest) >= _MIN_CORE and not rest.endswith(_SUFFIXES):
            return rest
    return key


def comparable(key: str) -> str:
    """A name key with 人民政府 written 政府, as people shorten it."""
    return key.replace("人民政府", "政府")


class Matcher:
    def __init__(self, roster: list[RosterEntry]) -> None:
        self.roster = roster
        # a unit named only for showing (by its address, or a file: 附件) is found by its
        # address alone: no other file's or return's name may name it
        named = [u for u in roster if not u.placeholder]
        self.by_key = {name_key(u.name): u for u in named}
        # each unit's core once: matching N returns against M units must not redo it N×M times
        self.cores = [(core(u.name), u) for u in named]
        self.by_core: dict[str, list[RosterEntry]] = {}
        for unit_core, unit in self.cores:
            self.by_core.setdefault(unit_core, []).append(unit)
        self.longest_core = max((len(c) for c, _ in self.cores), default=0)
        # the cores that are a place only, of a 人民政府: 余姚市档案馆 holds one, 余姚市政府 is it
        self.government_cores = {
            c for c, u in self.cores if comparable(name_key(u.name)) == c + _GOVERNMENT
        }
        # each core's endings after a place name: 民政局 and 市民政局 of 余姚市民政局
        self.by_tail: dict[str, list[RosterEntry]] = {}
        for unit_core, unit in self.cores:
            for tail in _place_less(unit_core):
                self.by_tail.setdefault(tail, []).append(unit)
        # the places the roster's names give (余姚市 of 余姚市民政局): a unit's name written
        # after another place (慈溪市档案馆 for 市档案馆) is that place's unit, not ours
        self.places = {place for unit_core, _ in self.cores for place in _places(unit_core)}
        self.position = {id(u): i for i, u in enumerate(roster)}
        self.by_email = {}
        for unit in roster:
            for address in unit.addresses:
                self.by_email.setdefault(address.lower(), []).append(unit)

    def by_name(self, name: str) -> tuple[RosterEntry, ...]:
        """Roster units a written name refers to: the same name, the same core, or a core
        contained in it (余姚市兰江街道 names 兰江街道办事处); the most exact level wins."""
        if not name or not name.strip():
            return ()
        exact = self.by_key.get(name_key(name))
        if exact is not None:
            return (exact,)
        key = comparable(name_key(name))
        same = self.by_core.get(core(name))
        if same:
            return tuple(same)
        return self.containing(key)

    def containing(self, key: str, skip: frozenset[str] = frozenset()) -> tuple[RosterEntry, ...]:
        """Units whose core the comparable name ``key`` contains, the longest core winning
        (兰江街道 over 兰江 when both are units); cores in ``skip`` are passed over."""
        # cores are looked up by the name's substrings, longest first (not each core tried in
        # the name: 10,000 returns against 10,000 units would be 10^8 tests)
        for length in range(min(len(key), self.longest_core), _MIN_CORE - 1, -1):
            found: dict[int, RosterEntry] = {}
            for start in range(len(key) - length + 1):
                inside = key[start : start + length]
                units = self.by_core.get(inside)
                if (
                    units
                    and inside not in skip
                    and not _names_another_body(
                        key[start + length :], inside in self.government_cores
                    )
                    and not self.placed_elsewhere(key[:start], inside)
                ):
                    found.update((id(u), u) for u in units)
            if found:
                return self._in_roster_order(found.values())
        return ()

    def placed_elsewhere(self, before: str, inside: str) -> bool:
        """Whether the text before a unit's core ends with a place none of the roster's
        names gives (慈溪市 before 市档案馆, in a roster of 余姚市's units); a roster that
        names no place cannot tell."""
        if not before or not self.places or _places(inside):
            return False  # one that names its own place (余姚市…) may follow a larger one
        # the core's first 市 may end the place (慈溪 + 市档案馆) or begin a word of its own
        # (余姚市 + 市场监督管理局)
        readings = [before + inside[0]] if inside[0] in _PLACE_ENDINGS else []
        readings = [w for w in (*readings, before) if w[-1] in _PLACE_ENDINGS]
        if not readings:
            return False  # no place written right before it (关于, a year, a note)
        return not any(w.endswith(place) for w in readings for place in self.places)

    def by_short_name(self, name: str) -> tuple[RosterEntry, ...]:
        """Roster units whose name ends so after a leading place: 民政局, 市民政局."""
        return self._in_roster_order(self.by_tail.get(core(name), ()) if name.strip() else ())

    def _in_roster_order(self, units: Iterable[RosterEntry]) -> tuple[RosterEntry, ...]:
        return tuple(sorted(units, key=lambda u: self.position[id(u)]))

    def match(self, unit_name: str | None, sender: str | None, file_name: str) -> Match:
        # a short name that fits several units (民政局 of each city) gives way to the
        # sender and the file name; its candidates are reported only when they say nothing
        named = self.by_name(unit_name or "")
        short = () if named else self.by_short_name(unit_name or "")
        sent = tuple(self.by_email.get((sender or "").lower(), ()))
        stem = stem_of(file_name)
        steps = (
            ("unit", lambda: named or (short if len(short) == 1 else ())),
            ("sender", lambda: sent),
            # only when the others fail; 民政局年报.xlsx names the roster's one 民政局
            ("file", lambda: self.by_name(stem) or self.by_short_name(stem)),
        )
        for how, find in steps:
            candidates = find()
            if len(candidates) == 1:
                return Match(how, candidates)  # type: ignore[arg-type]
            if len(candidates) > 1:
                # the sender's address settles which of the units it may be
                if len(sent) == 1 and any(u is sent[0] for u in candidates):
                    return Match("sender", sent)
                return Match("ambiguous", candidates[:_MAX_CANDIDATES])
        if short:
            return Match("ambiguous", short[:_MAX_CANDIDATES])
        return Match("unknown", ())

    def match_unread(self, sender: str | None, file_name: str) -> Match:
        """Whose is a file nothing could be read from: the one unit its name names, when it
        names a body (a unit's address may forward another body's broken file, which is
        then no unit's here), else as a return is (附件.rar goes by its sender)."""
        stem = stem_of(file_name)
        named = self.by_name(stem) or self.by_short_name(stem)
        if len(named) == 1:
            return Match("file", named)
        if named:  # 民政局.rar of one of several: its sender may settle it
            sent = self.by_email.get((sender or "").lower(), ())
            mine = [u for u in named if any(u is s for s in sent)]
            return Match("sender", (mine[0],)) if len(mine) == 1 else Match("ambiguous", named)
        if names_a_body(stem):
            return Match("unknown", ())  # another body's file, whoever sent it
        return self.match(None, sender, file_name)


def _names_another_body(rest: str, government: bool = False) -> bool:
    """Whether the text after a unit's name in a longer one names a body of its own (not
    the unit's own ending, as 办事处 or 居委会 or 管委会办公室, nor a note or a file
    name's 终稿). After a place that is a government's core only 政府 may follow (with a
    note): 余姚市政府办公室 and 余姚市大岚镇政府 are other bodies."""
    if government and rest:
        if not rest.startswith(_GOVERNMENT):
            return True
        rest = rest.removeprefix(_GOVERNMENT)
        return bool(rest) and (rest.startswith(_OWN_ENDINGS) or rest.endswith(_BODY_ENDINGS))
    while rest:
        own = next((e for e in _OWN_ENDINGS if rest.startswith(e)), None)
        if own is None:
            return rest.endswith(_BODY_ENDINGS)
        rest = rest[len(own) :]
    return False


def _places(unit_core: str) -> list[str]:
    """The places a unit's core starts with: 宁波市余姚市民政局 -> 宁波市, 余姚市 (社区 is
    no place; each place at most _MAX_PLACE characters)."""
    places: list[str] = []
    start = 0
    while True:
        end = next(
            (
                i
                for i in range(start + 1, min(start + _MAX_PLACE, len(unit_core)))
                if unit_core[i] in _PLACE_ENDINGS
            ),
            None,
        )
        place = unit_core[start : end + 1] if end is not None else ""
        if not place or place.endswith(_NOT_PLACES):
            return places
        places.append(place)
        start = end + 1


def _place_less(unit_core: str) -> list[str]:
    """The 简称 of ``unit_core`` without its leading places: 宁波市余姚市民政局 ->
    余姚市民政局, 市民政局, 民政局. Only places at the start count (社区 is no place)."""
    tails = []
    end = 0
    for place in _places(unit_core):
        end += len(place)
        # 市民政局 keeps the level it names (市, 县, 区); 省民政厅 and the like too
        for tail in (unit_core[end - 1 :], unit_core[end:]):
            if len(tail) >= _MIN_TAIL:
                tails.append(tail)
    # a roster's own bodies named by their level alone: 市民政局 is the 民政局 there
    if not tails and unit_core[:1] in _LEVELS and len(unit_core) > _MIN_TAIL:
        tails.append(unit_core[1:])
    return tails


_LEVELS = frozenset("省市县区")


def names_a_body(name: str) -> bool:
    """Whether ``name`` ends as a body's name does (市体育局, 兰江街道), not as a file's
    word (附件, 终稿)."""
    key = comparable(name_key(name))
    return len(key) >= _MIN_CORE and key.endswith((*_BODY_ENDINGS, *_OWN_ENDINGS, *_PLACE_UNITS))


def stem_of(file_name: str) -> str:
    """A file's name as a unit name: without its extension, years and the words of a
    report's title (年报, 统计表…)."""
    stem = _NOTES.sub("", file_name.rsplit(".", 1)[0])  # （盖章） （定稿） (1)
    return _TITLE_WORDS.sub("", stem)


# a year (its 年 left to 年报), the words of a report's title (工作 only in one: 市委社会工作部
# keeps its own), separators
_TITLE_WORDS = re.compile(
    r"(19|20)\d{2}(年(?!报))?度?|政府信息公开工作|政府信息公开|工作年度报告|年度|年报|报告|统计表"
    r"|[_\-\s]"
)
_NOTES = re.compile(r"[（(][^（）()]*[）)]")
