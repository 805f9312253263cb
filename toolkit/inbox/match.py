"""Which roster unit sent a return: by the unit named inside it, then by the sender's
address, then by the file name. Names are compared as people write them: full width or
half, with or without spaces, 全称 or 简称 (兰江街道办事处 / 兰江街道 / 余姚市兰江街道).
More than one candidate is reported as ambiguous, none as unknown: never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from toolkit.roster import RosterEntry, name_key

# endings that make a 全称 of a 简称; longest first so 管理委员会 goes before 委员会
_SUFFIXES = sorted(
    ("办事处", "人民政府", "管理委员会", "委员会", "管委会", "办公室", "政府"),
    key=len,
    reverse=True,
)
_MIN_CORE = 2  # a core name shorter than this matches too much

How = Literal["unit", "sender", "file", "ambiguous", "unknown"]


@dataclass(frozen=True)
class Match:
    how: How
    units: tuple[RosterEntry, ...]  # one for a match; the candidates when ambiguous

    @property
    def unit(self) -> RosterEntry | None:
        return self.units[0] if len(self.units) == 1 and self.how != "ambiguous" else None


def core(name: str) -> str:
    """A unit name without spaces, width or its 全称 ending: the part people always write."""
    key = name_key(name)
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= _MIN_CORE:
            return key[: -len(suffix)]
    return key


class Matcher:
    def __init__(self, roster: list[RosterEntry]) -> None:
        self.roster = roster
        self.by_key = {name_key(u.name): u for u in roster}
        # each unit's core once: matching N returns against M units must not redo it N×M times
        self.cores = [(core(u.name), u) for u in roster]
        self.by_core: dict[str, list[RosterEntry]] = {}
        for unit_core, unit in self.cores:
            self.by_core.setdefault(unit_core, []).append(unit)
        self.longest_core = max((len(c) for c, _ in self.cores), default=0)
        self.position = {id(u): i for i, u in enumerate(roster)}
        self.by_email = {}
        for unit in roster:
            for address in re.split(r"[;,，；\s]+", unit.email or ""):
                if address:
                    self.by_email.setdefault(address.lower(), []).append(unit)

    def by_name(self, name: str) -> tuple[RosterEntry, ...]:
        """Roster units a written name refers to: the same name, the same core, or a core
        contained in it (余姚市兰江街道 names 兰江街道办事处); the most exact level wins."""
        if not name or not name.strip():
            return ()
        key = name_key(name)
        if key in self.by_key:
            return (self.by_key[key],)
        same = self.by_core.get(core(name))
        if same:
            return tuple(same)
        # the longest core contained wins: 兰江街道 over 兰江 when both are units. Cores are
        # looked up by the name's substrings, longest first (not each core tried in the name:
        # 10,000 returns against 10,000 units would be 10^8 tests)
        for length in range(min(len(key), self.longest_core), _MIN_CORE - 1, -1):
            found = {
                id(u): u
                for start in range(len(key) - length + 1)
                for u in self.by_core.get(key[start : start + length], ())
            }
            if found:
                return tuple(sorted(found.values(), key=lambda u: self.position[id(u)]))
        return ()

    def match(self, unit_name: str | None, sender: str | None, file_name: str) -> Match:
        for how, candidates in (
            ("unit", self.by_name(unit_name or "")),
            ("sender", tuple(self.by_email.get((sender or "").lower(), ()))),
            ("file", self.by_name(_stem(file_name))),
        ):
            if len(candidates) == 1:
                return Match(how, candidates)  # type: ignore[arg-type]
            if len(candidates) > 1:
                return Match("ambiguous", candidates)
        return Match("unknown", ())


def _stem(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return re.sub(
        r"(19|20)\d{2}年?度?|政府信息公开|工作|年度|年报|报告|统计表|[()（）_\-\s]", "", stem
    )
