"""Which copy of a table is the report's, where a unit kept others beside it: a sheet named
as the revised one (2025年度（修改）) beside its first version, a draft (年报（草稿）) beside
the report, last year's table shown above (or beside) this year's under a line naming its
year, a blank copy made ready for next year.

Only what the workbook says is used: a mark in a sheet's name, compared with a sheet of
the same name without it, the line over each copy of a table, and whether a copy holds any
answer. Where nothing tells the copies apart, the first (in reading order) is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from toolkit.read.grid import Grid, Span
from toolkit.read.labels import compact, normalise
from toolkit.read.numbers import BLANK_MARKERS, read_number

# marks in a sheet's name, by rank: what replaces ranks higher
_FINAL = "最终|终稿|终版|定稿|正式"
_REVISED = "修改|修订|更正|更新|最新|改|新"
_OLD = "草稿|初稿|旧|作废|备份|原稿|原版|对比|上年度|上年|去年"
# without brackets only words no place or table is named with (城市更新, 旧县镇 are names)
_BARE_WORDS = "修改|修订|更正|最终|终稿|定稿|草稿|初稿|备份|作废"
_AFTER = r"(?P<when>版|稿|后|前)?(?P<number>\d{0,3})"  # 修改后, 修改前, 修改2
# 第二次修改: the revision's number before it
_NTH = r"(?:第(?P<nth>[一二三四五六七八九十\d]{1,3})次)?"
_BRACKETED = rf"[(\[【〔]\s*{_NTH}(?P<word>{_FINAL}|{_REVISED}|{_OLD}){_AFTER}\s*[)\]】〕]"
_BARE = rf"{_NTH}(?P<word>{_BARE_WORDS}){_AFTER}"
# a mark ends the name, or leads it (草稿-年报, （草稿）年报)
_MARKS = (
    re.compile(rf"{_BRACKETED}$"),
    re.compile(rf"[-_—·]?{_BARE}$"),
    re.compile(rf"^{_BRACKETED}"),
    re.compile(rf"^{_BARE}[-_—·]"),
)
_RANKS = ((_OLD, 0), (_REVISED, 2), (_FINAL, 3))
_PLAIN = 1

# the line over a copy of a table: the year it is for (not a date: 2026年1月8日), words
# saying it is an earlier year's or the version before a correction, or this year's
# ("本年度数据（上年度数据见附表）" is this year's), or the revised one
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年(?!\d)")
_EARLIER = re.compile(
    r"供对比|供参考|对比|去年|上年度|上一年度|上年数据|上年同期|往年|(?:修改|修订|更正)前"
)
# a breakdown of the report's figures (其中：下属单位), not a copy of the report
_PART = re.compile(r"^其中|下属单位|所属单位|分单位")
_THIS_YEAR = re.compile(r"本年|今年|当年")
_HEADING_REVISED = re.compile(r"(?:修改|修订|更正)(?!前)")
_HEADING_REACH = 6  # rows above a copy's first row label where the line over it may be
_HEADING_SHOWN = 40  # characters of that line quoted when saying which copy was read
_BESIDE_ROWS = 3  # copies side by side start within this many rows of each other
_TYPED_FIGURE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")


Version = tuple[str, int, int]  # a sheet's name without its mark, its rank, its number
PLAIN_RANK = (_PLAIN, 0)  # (rank, number) of a name that carries no mark


def sheet_versions(names: list[str]) -> dict[str, Version]:
    """The sheets named alike but for a mark (年报, 年报（修改）, 草稿-年报), each with its
    version: the name without the mark, the mark's rank (a draft or a 修改前 below the plain
    name, below a revision, below a final version) and its number (修改2 after 修改1).
    Sheets without such a sibling are left out."""
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for name in names:
        text = compact(name)
        mark = next((m for pattern in _MARKS if (m := pattern.search(text))), None)
        base = (text[: mark.start()] + text[mark.end() :]) if mark else text
        if not base:
            continue
        rank, number = _PLAIN, 0
        if mark is not None:
            word = mark.group("word")
            rank = next(r for words, r in _RANKS if re.fullmatch(words, word))
            rank = 0 if mark.group("when") == "前" else rank
            number = int(mark.group("number") or 0) or _numeral(mark.group("nth"))
        groups.setdefault(base, []).append((name, rank, number))
    return {
        name: (base, rank, number)
        for base, same in groups.items()
        if len({(rank, number) for _, rank, number in same}) > 1
        for name, rank, number in same
    }


_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


def _numeral(text: str | None) -> int:
    """第二次 -> 2, 第十二次 -> 12 (digits as they are)."""
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return _NUMERALS.get(text, 0)
    return (_NUMERALS.get(tens, 1) if tens else 1) * 10 + _NUMERALS.get(ones, 0)


def newest_versions(sheets: list[str], versions: dict[str, Version]) -> list[str]:
    """Of ``sheets`` (each holding one table), those no other of them replaces."""

    def replaced(s: str) -> bool:
        mine = versions.get(s)
        return mine is not None and any(
            t in versions and versions[t][0] == mine[0] and versions[t][1:] > mine[1:]
            for t in sheets
        )

    return [s for s in sheets if not replaced(s)]


@dataclass(frozen=True)
class Copy:
    """One copy of a table on a sheet: what the line over it says, and whether it holds an
    answer (a figure typed, 0 included, or "—"; a copy made ready for next year holds none,
    its formula totals' 0 aside)."""

    heading: str
    year: int | None
    earlier: bool
    this_year: bool
    revised: bool
    filled: bool
    part: bool = False  # a breakdown under the report's table (其中：下属单位)


def copies(
    grid: Grid, sheet: str, starts: dict[Span, list[int]], labels: frozenset[str]
) -> dict[Span, Copy]:
    """Each copy of a table on ``sheet`` (``starts``: each one's first row label -> the rows
    of its row labels); ``labels``: the form's labels, normalised (本年收费金额 over the
    table above is no heading)."""
    return {start: _copy(grid, sheet, start, starts, labels) for start in starts}


def this_years_copy(found: dict[Span, Copy]) -> Span | None:
    """Of several copies of a table (in reading order), the one the lines over them and
    their answers name as this year's, narrowing in turn to: those not a breakdown (其中),
    those not marked as an earlier year's (or as before a correction), those marked as this
    year's, those holding an answer, the newest year where each names one, the revised one;
    the first of what is left when anything told them apart, else None."""
    left = list(found)
    for keep in (
        lambda c: not c.part,
        lambda c: not c.earlier,
        lambda c: c.this_year,
        lambda c: c.filled,
    ):
        kept = [s for s in left if keep(found[s])]
        left = kept if kept else left
    years = {s: found[s].year for s in left}
    if None not in years.values() and len(set(years.values())) > 1:
        newest = max(y for y in years.values() if y is not None)
        left = [s for s in left if years[s] == newest]
    left = [s for s in left if found[s].revised] or left
    return left[0] if len(left) < len(found) else None


def _copy(
    grid: Grid, sheet: str, start: Span, starts: dict[Span, list[int]], labels: frozenset[str]
) -> Copy:
    """The nearest line over the copy starting at ``start`` that says whose it is, within
    the copy's columns and below any other copy above it; and whether it holds an answer."""
    found = grid.sheet(sheet)
    left, right = copy_columns(start, starts)
    filled = answered(grid, sheet, starts[start], left, right)
    above = max(
        (s.top for s in starts if s.top < start.top and _stacked(s, start, starts)), default=-1
    )
    for row in range(start.top - 1, max(above, start.top - 1 - _HEADING_REACH), -1):
        cells = [
            value.strip()
            for col, value in enumerate(found.rows[row] if row < len(found.rows) else ())
            if isinstance(value, str)
            and value.strip()
            and _within(found.span(row, col), left, right)
            and normalise(value) not in labels
        ]
        text = compact("".join(cells))
        year, earlier, this_year = _year_words(text)
        revised = _HEADING_REVISED.search(text) is not None
        part = _PART.search(text) is not None
        if year is not None or earlier or revised or this_year or part:
            shown = " ".join(cells)[:_HEADING_SHOWN]  # quoted as typed
            return Copy(shown, year, earlier, this_year, revised, filled, part)
    return Copy("", None, False, False, False, filled)


# what makes a sheet's name another copy's (Excel's 年报 (2), 年报（新）, Sheet2): a short
# bracketed word or a number at its end
_COPY_SUFFIX = re.compile(r"(?:[(\[【〔][^()\[\]【】〔〕]{0,8}[)\]】〕]|\d+)$")


_TITLE_ROWS = 3  # rows at a sheet's top where its title says what it holds
_YEARS = range(2000, 2101)  # a whole number typed in this range may be a 报告年度
_PHONE = 10_000_000  # a whole number this large is a phone number, not a count


def sheet_holds_figures(grid: Grid, sheet: str, labels: frozenset[str]) -> bool:
    """Whether a sheet holds a figure typed beside a label of the form (``labels``,
    normalised): a number, or one typed as text, not a formula's, nor a year (a 报告年度),
    nor a phone number; kept in the grid's memo. A blank template keeps none, whatever a
    note or a 联系电话 beside it holds."""
    key = ("figures", sheet)
    known = grid.memo.get(key)
    if known is None:
        known = grid.memo[key] = any(
            _typed_figures(grid, sheet, r, row)
            for r, row in enumerate(grid.sheet(sheet).rows)
            if any(isinstance(v, str) and normalise(v) in labels for v in row)
        )
    return known


def _typed_figures(grid: Grid, sheet: str, r: int, row: list) -> bool:
    formula = grid.formula_at or (lambda *_: False)
    for c, cell in enumerate(row):
        value = _as_figure(cell)
        if value is None:
            continue
        if float(value).is_integer() and (int(value) in _YEARS or abs(value) >= _PHONE):
            continue
        if not formula(sheet, r, c):
            return True
    return False


def titled_as_breakdown(grid: Grid, sheet: str) -> bool:
    """Whether a sheet's title says it holds a breakdown (其中：下属单位情况), not a copy."""
    rows = grid.sheet(sheet).rows[:_TITLE_ROWS]
    return any(
        isinstance(value, str) and _PART.search(compact(value)) is not None
        for row in rows
        for value in row
    )


def named_alike(a: str, b: str) -> bool:
    """Whether two sheets are named as copies of one (年报 and 年报 (2), Sheet1 and Sheet2),
    not as different sheets (年报 and 附表); a breakdown (下属单位) is no copy."""
    if _PART.search(compact(a)) or _PART.search(compact(b)):
        return False
    base_a, base_b = (_COPY_SUFFIX.sub("", compact(name)) for name in (a, b))
    return bool(base_a) and base_a == base_b


def _year_words(text: str) -> tuple[int | None, bool, bool]:
    """(the year a line names, whether it says an earlier year's, whether this year's): a
    year written decides ("2025年度数据（上年度数据见下表）" is 2025's, "2024年度（与今年对比）"
    2024's); else the first of the words (本年度数据（上年度见附表） is this year's, 上年度
    数据（供与本年度对比） an earlier year's)."""
    year = _YEAR.search(text)
    if year is not None:
        return int(year.group(1)), False, False
    earlier, this_year = _EARLIER.search(text), _THIS_YEAR.search(text)
    if earlier is not None and this_year is not None:
        return None, earlier.start() < this_year.start(), this_year.start() < earlier.start()
    return None, earlier is not None, this_year is not None


def _within(span: Span, left: int, right: int | None) -> bool:
    """Whether a cell (or a merge, by its middle) lies in columns ``left`` to ``right``: a
    heading merged over a copy and the blank column beside it is that copy's."""
    middle = (span.left + span.right) / 2
    return middle >= left and (right is None or middle < right)


def copy_columns(start: Span, starts: Iterable[Span]) -> tuple[int, int | None]:
    """The columns of the copy starting at ``start``: up to the next copy beside it (copies
    side by side start on one row, or within a few)."""
    beside = [
        s.left for s in starts if abs(s.top - start.top) <= _BESIDE_ROWS and s.left > start.left
    ]
    return start.left, min(beside) if beside else None


def _stacked(upper: Span, lower: Span, starts: Iterable[Span]) -> bool:
    """Whether two copies share columns (one above the other, not side by side)."""
    a_left, a_right = copy_columns(upper, starts)
    b_left, b_right = copy_columns(lower, starts)
    return (b_right is None or a_left < b_right) and (a_right is None or b_left < a_right)


def copy_below(start: Span, starts: Iterable[Span]) -> int | None:
    """The first row of the next copy under the one starting at ``start``, if any."""
    starts = list(starts)
    return min(
        (s.top for s in starts if s.top > start.top and _stacked(start, s, starts)), default=None
    )


def answered(grid: Grid, sheet: str, rows: Iterable[int], left: int, right: int | None) -> bool:
    """Whether rows ``rows`` hold an answer in columns ``left`` up to ``right``: a number
    other than 0, a 0 or "—" typed (FORMS.md: a written 0 is a value), not a formula's 0."""
    found = grid.sheet(sheet).rows
    formula: Callable[[str, int, int], bool] = grid.formula_at or (lambda *_: False)
    for number in rows:
        for col, value in enumerate(found[number][left:right] if number < len(found) else (), left):
            if isinstance(value, str) and (typed := compact(value)) and typed in BLANK_MARKERS:
                return True  # "—", "无": "none", an answer
            value = _as_figure(value)
            if value is None:
                continue
            if value or not formula(sheet, number, col):
                return True
    return False


def _as_figure(value: object) -> float | int | None:
    """A cell's number: a number, or one typed as text ("13", "1,200"); None otherwise."""
    if isinstance(value, str):
        typed = compact(value)
        return read_number(typed).value if _TYPED_FIGURE.match(typed) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


Figures = tuple[tuple[float | str, ...], ...]  # a copy's rows, what each holds beside its label


def figures(grid: Grid, sheet: str, rows: Iterable[tuple[int, int]], right: int | None) -> Figures:
    """What a copy of a table holds: for each of its rows ``(row, first column after its
    label)``, the values up to column ``right`` (numbers as numbers, text compacted, blanks
    left out), to tell a copy kept unchanged (a backup, Excel's 年报 (2)) from one whose
    figures differ."""
    found = grid.sheet(sheet).rows
    held = []
    for row, start in rows:
        cells = found[row][start:right] if row < len(found) else ()
        values: list[float | str] = []
        for value in cells:
            if isinstance(value, bool) or value is None or value == "":
                continue
            number = _as_figure(value)  # "13" typed as text is 13
            values.append(float(number) if number is not None else compact(str(value)))
        held.append(tuple(values))
    return tuple(held)
