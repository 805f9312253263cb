"""Which copy of a table is the report's, where a unit kept others beside it: a sheet named
as the revised one (2025年度（修改）) beside its first version, a draft (年报（草稿）) beside
the report, last year's table shown above (or beside) this year's under a line naming its
year, a blank copy made ready for next year.

Only what the workbook says is used: a mark at the end of a sheet's name, compared with a
sheet of the same name without it, or the line over each copy of a table. Where nothing
tells the copies apart, the first (in reading order) is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from toolkit.read.grid import Grid, Span
from toolkit.read.labels import compact, normalise
from toolkit.read.numbers import read_number

# marks at the end of a sheet's name, by rank: what replaces ranks higher
_FINAL = "最终|终稿|定稿|正式"
_REVISED = "修改|修订|更正|更新|最新"
_OLD = "草稿|初稿|旧|作废|备份|原稿|原版|对比|上年|去年"
# without brackets only words no place or table is named with (城市更新, 旧县镇 are names)
_BARE_WORDS = "修改|修订|更正|最终|终稿|定稿|草稿|初稿|备份|作废"
_MARK = re.compile(
    rf"(?:[(\[【〔]\s*(?P<bracketed>{_FINAL}|{_REVISED}|{_OLD})(?:版|稿|后)?\d*\s*[)\]】〕]"
    rf"|[-_—·]?(?P<bare>{_BARE_WORDS})(?:版|后)?\d*)$"
)
# a draft's mark may lead its name too: 草稿-年报, （草稿）年报
_LEADING_MARK = re.compile(
    rf"^(?:[(\[【〔]\s*(?P<bracketed>{_FINAL}|{_REVISED}|{_OLD})(?:版|稿)?\s*[)\]】〕]"
    rf"|(?P<bare>{_BARE_WORDS})(?:版)?[-_—·])"
)
_RANKS = ((_OLD, 0), (_REVISED, 2), (_FINAL, 3))
_PLAIN = 1

# the line over a copy of a table: the year it is for (not a date: 2026年1月8日), words
# saying it is an earlier year's (unless it also says it is this year's: "本年度数据（上年度
# 数据见附表）"), or that it is the revised one
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年(?!\d)")
_EARLIER = re.compile(r"供对比|供参考|对比|去年|上年度|上一年度|上年数据|往年")
_THIS_YEAR = re.compile(r"本年|今年|当年")
_HEADING_REVISED = re.compile(r"修改|修订|更正")
_HEADING_REACH = 6  # rows above a copy's first row label where the line over it may be
_HEADING_SHOWN = 40  # characters of that line quoted when saying which copy was read


Version = tuple[str, int]  # a sheet's name without its mark, and the mark's rank


def sheet_versions(names: list[str]) -> dict[str, Version]:
    """The sheets named alike but for a mark at the end (年报, 年报（修改）, 年报（草稿）),
    each with its version: the name without the mark, and the mark's rank (a draft below
    the plain name, below a revision, below a final version). Sheets without such a sibling
    are left out."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        text = compact(name)
        mark = _MARK.search(text) or _LEADING_MARK.match(text)
        base = (text[: mark.start()] + text[mark.end() :]) if mark else text
        if not base:
            continue
        rank = _PLAIN
        if mark is not None:
            word = mark.group("bracketed") or mark.group("bare")
            rank = next(r for words, r in _RANKS if re.fullmatch(words, word))
        groups.setdefault(base, []).append((name, rank))
    return {
        name: (base, rank)
        for base, same in groups.items()
        if len({rank for _, rank in same}) > 1
        for name, rank in same
    }


def newest_versions(sheets: list[str], versions: dict[str, Version]) -> list[str]:
    """Of ``sheets`` (each holding one table), those no other of them replaces."""
    return [
        s
        for s in sheets
        if not any(
            s in versions
            and t in versions
            and versions[t][0] == versions[s][0]
            and versions[t][1] > versions[s][1]
            for t in sheets
        )
    ]


def superseded_sheets(names: list[str]) -> dict[str, str]:
    """The sheets another replaces by their names alone, each -> the highest ranked of its
    name (the one replacing it)."""
    versions = sheet_versions(names)
    newest = set(newest_versions(list(versions), versions))
    return {
        name: next(t for t in newest if versions[t][0] == base)
        for name, (base, _) in versions.items()
        if name not in newest
    }


@dataclass(frozen=True)
class Copy:
    """One copy of a table on a sheet: what the line over it says, and whether it holds a
    figure other than 0 (a copy made ready for next year holds none, or its totals' 0)."""

    heading: str
    year: int | None
    earlier: bool
    revised: bool
    filled: bool


def copies(
    grid: Grid, sheet: str, starts: dict[Span, list[int]], labels: frozenset[str]
) -> dict[Span, Copy]:
    """Each copy of a table on ``sheet`` (``starts``: each one's first row label -> the rows
    of its row labels); ``labels``: the form's labels, normalised (本年收费金额 over the
    table above is no heading)."""
    return {start: _copy(grid, sheet, start, starts, labels) for start in starts}


def this_years_copy(found: dict[Span, Copy]) -> Span | None:
    """Of several copies of a table (in reading order), the one the lines over them name as
    this year's, among those holding figures: the newest year where each names one (the
    revised one of that year where one says so), else the revised one, else the first not
    marked as an earlier year's, else the only one holding figures; None when they do not
    tell."""
    if len(found) < 2:
        return None
    filled = [start for start, copy in found.items() if copy.filled]
    years = {start: found[start].year for start in filled}
    if filled and None not in years.values() and len(set(years.values())) > 1:
        newest = max(y for y in years.values() if y is not None)
        filled = [start for start in filled if years[start] == newest]
        return next((start for start in filled if found[start].revised), filled[0])
    revised = [s for s in filled if found[s].revised and not found[s].earlier]
    if revised and len(revised) < len(filled):
        return revised[0]
    current = [s for s in filled if not found[s].earlier]
    if current and len(current) < len(filled):
        return current[0]
    return filled[0] if len(filled) == 1 else None


def _copy(
    grid: Grid, sheet: str, start: Span, starts: dict[Span, list[int]], labels: frozenset[str]
) -> Copy:
    """The nearest line over the copy starting at ``start`` that names a year or says whose
    it is, within the copy's columns and below any other copy above it; and its figures."""
    rows = grid.sheet(sheet).rows
    left, right = copy_columns(start, starts)
    filled = figures_in(rows, starts[start], left, right)
    above = max((s.top for s in starts if s.top < start.top), default=-1)
    for row in range(start.top - 1, max(above, start.top - 1 - _HEADING_REACH), -1):
        cells = [
            v.strip()
            for v in (rows[row][left:right] if row < len(rows) else [])
            if isinstance(v, str) and v.strip() and normalise(v) not in labels
        ]
        text = compact("".join(cells))
        year = _YEAR.search(text)
        this_year = _THIS_YEAR.search(text) is not None
        earlier = _EARLIER.search(text) is not None and not this_year
        revised = _HEADING_REVISED.search(text) is not None
        if year is not None or earlier or revised or this_year:
            found_year = int(year.group(1)) if year else None
            shown = " ".join(cells)  # quoted as typed
            return Copy(shown[:_HEADING_SHOWN], found_year, earlier, revised, filled)
    return Copy("", None, False, False, filled)


def copy_columns(start: Span, starts: Iterable[Span]) -> tuple[int, int | None]:
    """The columns of the copy starting at ``start``: up to the next copy beside it (copies
    side by side start on one row)."""
    beside = [s.left for s in starts if s.top == start.top and s.left > start.left]
    return start.left, min(beside) if beside else None


def figures_in(rows: list[list[Any]], at: Iterable[int], left: int, right: int | None) -> bool:
    """Whether rows ``at`` hold a figure other than 0 in columns ``left`` up to ``right``:
    a copy made ready for next year holds none (or its formula totals' 0)."""
    for number in at:
        for value in rows[number][left:right] if number < len(rows) else ():
            if isinstance(value, str):  # a figure typed as text, not a label's number
                value = read_number(value).value if _TYPED_FIGURE.match(compact(value)) else 0
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
                return True
    return False


_TYPED_FIGURE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")
