"""Which copy of a report is the report, where a unit kept others beside it: a sheet named
as the revised one (2025年度（修改）) beside its first version, a draft (年报（草稿）) beside
the report, last year's table shown above this year's under a line naming its year.

Only what the workbook says is used: a mark in a sheet's name, compared with a sheet of the
same name without it, or the line above each copy of a table. Where nothing tells the
copies apart, the first is read, as before.
"""

from __future__ import annotations

import re

from toolkit.read.grid import Grid, Span
from toolkit.read.labels import compact

# a sheet's name marking it as the version that replaces the one of the same name...
_REVISED = "修改|修订|更正|更新|最终|终稿|定稿|正式|最新"
# ...or as one that another replaces
_OLD = "草稿|初稿|旧|作废|备份|原稿|原版|对比|上年|去年"
_MARK = re.compile(rf"[(\[【]?(?:{_REVISED}|{_OLD})(?:版|稿)?[)\]】]?$")  # at the end
_OLD_MARK = re.compile(rf"(?:{_OLD})")
_SEPARATORS = re.compile(r"[-_—.·]+$")

# the line over a copy of a table: the year it is for, or words saying it is last year's
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_LAST_YEAR = re.compile(r"供对比|对比|上年度|去年|上一年度|往年")
_HEADING_REACH = 6  # rows above a copy's first row label where the line over it may be


def superseded_sheets(names: list[str]) -> dict[str, str]:
    """The sheets another replaces, by their names alone, each -> the one replacing it: one
    marked old (年报（草稿）) beside one of the same name without the mark, and one without a
    mark beside one of the same name marked revised (2025年度 beside 2025年度（修改）)."""
    bases: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        text = compact(name)
        base = _SEPARATORS.sub("", _MARK.sub("", text))
        if base:
            kind = "plain" if base == text else "old" if _OLD_MARK.search(text) else "revised"
            bases.setdefault(base, []).append((name, kind))
    gone: dict[str, str] = {}
    for same in bases.values():
        kinds = {kind for _, kind in same}
        if len(same) < 2 or len(kinds) < 2:
            continue
        newest = "revised" if "revised" in kinds else "plain"
        by = next(name for name, kind in same if kind == newest)
        gone.update((name, by) for name, kind in same if kind != newest)
    return gone


def this_years_copy(grid: Grid, sheet: str, starts: list[Span]) -> Span | None:
    """Of several copies of a table on ``sheet`` (``starts``: where each begins), the one
    the lines over them name as this year's: the newest year where each names one, else the
    first not marked as last year's (供对比, 上年度…); None when they do not tell."""
    if len(starts) < 2:
        return None
    headings = []
    above = -1
    for start in starts:
        headings.append(_heading(grid, sheet, start, above))
        above = start.top
    years = [year for year, _ in headings]
    if all(year is not None for year in years) and len(set(years)) > 1:
        newest = max(y for y in years if y is not None)
        return starts[years.index(newest)]
    marked = [old for _, old in headings]
    if any(marked) and not all(marked):
        return starts[marked.index(False)]
    return None


def _heading(grid: Grid, sheet: str, start: Span, above: int) -> tuple[int | None, bool]:
    """(the year named, whether marked as last year's) by the nearest line over the copy
    starting at ``start`` that says either, no higher than the row after ``above``."""
    rows = grid.sheet(sheet).rows
    for row in range(start.top - 1, max(above, start.top - 1 - _HEADING_REACH), -1):
        text = (
            "".join(compact(v) for v in rows[row] if isinstance(v, str)) if row < len(rows) else ""
        )
        year = _YEAR.search(text)
        old = _LAST_YEAR.search(text) is not None
        if year is not None or old:
            return (int(year.group(1)) if year else None), old
    return None, False
