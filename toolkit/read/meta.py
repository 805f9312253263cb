"""Unit, year and date of a hand-made report, where no 填报单位 / 报告年度 / 填报日期 cell
names them: FORMS.md "The unit: an explicit 填报单位 field first; else the unit named in the
title (before the year); else the signature line", and the date under the signature.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from toolkit.read.grid import Grid, Sheet, Span
from toolkit.read.labels import compact

# what may lead a title (an attachment's number, 关于) and what ends one: 年度报告, 情况统计表
# (not 工作情况 alone: "2025年，我局政府信息公开工作情况如下" is prose); the year before the
# report's words, or after them in brackets
_LEAD = r"^(?:附[件表][\d一二三四五六七八九十]{0,3}[:、.]?)?(?:关于)?"
_REPORT = r"政府信息(?:公开)?(?:工作)?(?:年度)?(?:报告|(?:情况)?统计表)"
_TITLE = re.compile(_LEAD + r"(?P<before>.*?)(?P<year>(?:19|20)\d{2})年度?(?P<after>.*?)" + _REPORT)
_TITLE_YEAR_LAST = re.compile(
    _LEAD + r"(?P<before>.+?)" + _REPORT + r"\(?(?P<year>(?:19|20)\d{2})年度?\)?$"
)
_SIGNATURE = re.compile(r"^.{2,40}(?:办事处|人民政府|委员会|管委会|局|办公室|厅|署|中心|委|办)$")
# a signature often ends with where the seal goes: "宁川县卫生健康局（盖章）"
_SEAL = re.compile(r"\((?:单位)?[盖公印签]?章\)$")
# the date a report is signed on, a line of its own: 2026年1月22日
SIGNED_ON = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
# a 填报日期 as typed: 2026-01-20, 2026年1月20日, 2026.1.20, 2026/1/20 (a time may follow)
_TYPED_DAY = re.compile(
    r"^((?:19|20)\d{2})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})(?:日|号|[.。]?$|[T\s])"
    r"|^((?:19|20)\d{2})(\d{2})(\d{2})(?:$|[T\s])"  # 20260125, as ISO's basic format
)
_TITLE_ROWS = 15
_MAX_TITLE = 80
_SIGNED_BELOW = 3  # rows between a signature and its date


@dataclass(frozen=True)
class Found:
    value: str | float | dt.date
    span: Span


_Line = tuple[Sheet, int, int, int, str]  # sheet, row, column, length as typed, compacted
_SHORT_LINE = 80  # a title, a signature or a date is never longer than this


def _short_lines(grid: Grid) -> list[_Line]:
    """Every short text cell of the workbook in reading order, compacted once (the title,
    the signature and its date are each looked for among them)."""
    found = grid.memo.get(_short_lines)
    if found is None:
        found = grid.memo[_short_lines] = [
            (sheet, r, c, len(value), compact(value))
            for sheet in grid.sheets
            for r, row in enumerate(sheet.rows)
            for c, value in enumerate(row)
            if isinstance(value, str) and value and len(value) <= _SHORT_LINE
        ]
    return found


# what a title's words before the year may be that names no unit: a section's number, an
# attachment's, 关于
_NUMERALS = "一二三四五六七八九十\\d"
_NO_UNIT = re.compile(rf"^(?:[{_NUMERALS}]{{1,3}}[、.:]?|附[件表][{_NUMERALS}]*|关于)?$")


_COVER_LETTER = re.compile(r"关于(?:报送|印发|公布|公开)?$")


def _unit_named(text: str | None) -> str | None:
    """The unit a title's words name, if they name one ("二、" and "附件:" do not)."""
    if not text:
        return None
    text = _COVER_LETTER.sub("", text.strip(":、.,，;；"))  # XX局关于报送…的函
    return None if _NO_UNIT.match(text) else text


def from_title(grid: Grid) -> tuple[Found | None, Found | None]:
    """(unit, year) from a title such as 余姚市兰江街道2020年度政府信息公开工作年度报告."""
    for sheet, r, c, typed, text in _short_lines(grid):
        if r >= _TITLE_ROWS or typed > _MAX_TITLE:
            continue
        match = _TITLE.match(text) or _TITLE_YEAR_LAST.match(text)
        if match is None:
            continue
        span = sheet.span(r, c)
        unit = _unit_named(match["before"]) or _unit_named(match.groupdict().get("after"))
        year = Found(float(match["year"]), span)
        return (Found(unit, span) if unit else None), year
    return None, None


# a year a sheet is named for (2024年度), not an edition of the form (2019版, 2021年起格式)
_YEAR_IN_NAME = re.compile(
    r"(?<!\d)(?<![-—~～至])((?:19|20)\d{2})(?!\d)(?!\s*年?(?:版|起|格式))"
    r"(?!\s*年?\s*[-—~～至]\s*(?:19|20)\d{2})"  # nor a span of years (2019-2025年)
)


def sheet_years(grid: Grid) -> dict[str, int | None]:
    """The report year each sheet names: in its name ("2024年度"), else in its title."""
    years: dict[str, int | None] = {}
    for sheet in grid.sheets:
        named = _YEAR_IN_NAME.search(sheet.name)
        years.setdefault(sheet.name, int(named.group(1)) if named else None)
    for sheet, r, _, typed, text in _short_lines(grid):
        if years[sheet.name] is None and r < _TITLE_ROWS and typed <= _MAX_TITLE:
            match = _TITLE.match(text) or _TITLE_YEAR_LAST.match(text)
            if match is not None:
                years[sheet.name] = int(match["year"])
    return years


def from_signature(grid: Grid) -> Found | None:
    """The last line naming an office (…办事处, …人民政府, …局), as reports are signed."""
    found: Found | None = None
    for sheet, r, c, _, text in _short_lines(grid):
        text = _SEAL.sub("", text)
        if ":" not in text and _SIGNATURE.match(text):
            found = Found(text, sheet.span(r, c))
    return found


def signature_date(grid: Grid, signed_by: Callable[[], Found | None] | None = None) -> Found | None:
    """The date the report is signed on: the date-only cell (2026年1月22日) nearest under
    its signature line (``signed_by`` finds it; asked only when there are several dates);
    without one there, the last date-only cell of the workbook (a date on a later sheet, an
    attachment's, must not beat the signature's)."""
    dates = list(_date_cells(grid))
    signature = signed_by() if signed_by is not None and len(dates) > 1 else None
    if signature is not None:
        at = signature.span
        below = [
            d
            for d in dates
            if d.span.sheet == at.sheet and 0 < d.span.top - at.bottom <= _SIGNED_BELOW
        ]
        if below:
            return min(below, key=lambda d: (d.span.top, abs(d.span.left - at.left)))
    return dates[-1] if dates else None


def _date_cells(grid: Grid) -> Iterator[Found]:
    for sheet, r, c, typed, text in _short_lines(grid):
        if typed > 20:
            continue
        day = typed_day(text) if SIGNED_ON.fullmatch(text) else None
        if day is not None:  # (2026年2月30日 is no date)
            yield Found(day, sheet.span(r, c))


def typed_day(value: object) -> dt.date | None:
    """The day a 填报日期 cell gives: a date, or one typed as text in a usual way (above,
    full-width digits too); None for anything else, or a day no calendar has."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # 20260125 typed as a number (an Excel serial, 46042, names no day here)
        if not float(value).is_integer() or not 19000101 <= value <= 20991231:
            return None
        value = str(int(value))
    if not isinstance(value, str):
        return None
    # as typed (a time after a space), else without spaces (2026 年 1 月 20 日)
    match = _TYPED_DAY.match(unicodedata.normalize("NFKC", value).strip()) or _TYPED_DAY.match(
        compact(value)
    )
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups() if g is not None))
    except ValueError:
        return None
