"""A workbook as the layout reader sees it: each sheet's cells from A1 (python-calamine),
its merged ranges, and an index from normalised text to the cells that hold it.

Merged ranges are followed: a cell inside a merge reads as the merge's top-left content,
and a label found there spans the whole merge.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter
from python_calamine import CalamineError, PasswordError, SheetVisibleEnum

from toolkit.limits import current as current_limits
from toolkit.read.labels import MIN_UNNUMBERED, NUMBERING, normalise, unnumbered, without_note
from toolkit.read.sniff import FileProblem, open_workbook

_COLON = re.compile("[:：]")


def a1(row: int, col: int) -> str:
    """The A1 reference of a 0-based (row, col)."""
    return f"{get_column_letter(col + 1)}{row + 1}"


@lru_cache(maxsize=16_384)
def zero_based(ref: str) -> tuple[int, int]:
    """The 0-based (row, col) of an A1 reference (kept: every return of a template asks
    for the same few hundred)."""
    row, col = coordinate_to_tuple(ref)
    return row - 1, col - 1


@dataclass(frozen=True)
class Span:
    """A cell or merged range: rows top..bottom, columns left..right (0-based, inclusive)."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    merges: dict[tuple[int, int], Span] = field(default_factory=dict)

    def raw(self, row: int, col: int) -> Any:
        """The content shown at (row, col): a merge shows its top-left cell (for labels)."""
        span = self.merges.get((row, col))
        if span is not None:
            row, col = span.top, span.left
        return self.value(row, col)

    def value(self, row: int, col: int) -> Any:
        """The value a formula sees at (row, col): inside a merge only the top-left cell has
        one, as in a spreadsheet; None when empty."""
        if row < len(self.rows) and col < len(self.rows[row]):
            value = self.rows[row][col]
            return None if value == "" else value
        return None

    def value_cell(self, row: int, col: int) -> Span:
        """The cell a value at (row, col) is read from: the merge when (row, col) starts one
        (a value written across columns), else the cell itself (a cell covered by a merge
        from elsewhere holds nothing)."""
        span = self.merges.get((row, col))
        if span is not None and (span.top, span.left) == (row, col):
            return span
        return Span(self.name, row, col, row, col)

    def span(self, row: int, col: int) -> Span:
        return self.merges.get((row, col)) or Span(self.name, row, col, row, col)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


Hidden = tuple[frozenset[int], frozenset[int]]  # a sheet's hidden rows and columns (0-based)
_NOTHING_HIDDEN: Hidden = (frozenset(), frozenset())


@dataclass
class Grid:
    sheets: list[Sheet]
    # normalised text -> spans holding exactly that text, in reading order
    index: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))
    # "填报单位：兰江街道" in one cell: normalised label -> (span, the text after the colon)
    inline: dict[str, list[tuple[Span, str]]] = field(default_factory=lambda: defaultdict(list))
    # a numbered label without its number ("(1)属于国家秘密" -> "属于国家秘密") -> its spans,
    # made from the index the first time a label is not found as written
    unnumbered: dict[str, list[Span]] | None = None
    memo: dict[Any, Any] = field(default_factory=dict)  # what readers worked out about it
    # a sheet's hidden rows and columns, asked once a table's labels or headers are found,
    # to tell a copy hidden as a whole (python-calamine does not say; the reader of the
    # file's formulas does, and its reading is shared with the formula pass)
    hidden_of: Callable[[str], Hidden] | None = None
    # whether the cell (sheet, row, col) holds a formula (from the same reading of the file
    # as ``hidden_of``); asked only to tell copies of a table apart
    formula_at: Callable[[str, int, int], bool] | None = None
    # sheets named alike but for a mark (年报, 年报（修改）) -> (name without it, its rank,
    # its number): a table found on several is read from the highest version
    versions: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_name = {s.name: s for s in reversed(self.sheets)}  # the first of a name

    def sheet(self, name: str) -> Sheet:
        return self._by_name[name]

    def find(self, text: str) -> list[Span]:
        return self.index.get(text, [])

    def find_unnumbered(self, text: str) -> list[Span]:
        """Labels reading ``text`` once their numbers are dropped, and ``text`` itself."""
        if self.unnumbered is None:
            self.unnumbered = defaultdict(list)
            for written, spans in self.index.items():
                if written[:1] in NUMBERING:
                    plain = unnumbered(written)
                    if plain is not written and len(plain) >= MIN_UNNUMBERED:
                        self.unnumbered[plain].extend(spans)
        return [*self.index.get(text, ()), *self.unnumbered.get(text, ())]

    def hidden(self, sheet: str) -> Hidden:
        key = ("hidden", sheet)
        found = self.memo.get(key)
        if found is None:
            found = _NOTHING_HIDDEN
            if self.hidden_of is not None:
                try:
                    found = self.hidden_of(sheet)
                except Exception:  # unknown is shown: the cells are read as before
                    found = _NOTHING_HIDDEN
            self.memo[key] = found
        return found

    def shows(self, span: Span) -> bool:
        """Whether any cell of ``span`` is shown: a unit hides last year's rows or columns
        and types this year's beside them."""
        rows, columns = self.hidden(span.sheet)
        return any(r not in rows for r in range(span.top, span.bottom + 1)) and any(
            c not in columns for c in range(span.left, span.right + 1)
        )


def load_grid(path: str, skip: frozenset[str] = frozenset()) -> Grid:
    """Every visible sheet of the workbook at ``path`` (except ``skip``), indexed by label
    text. A hidden sheet is not part of the report (often last year's copy)."""
    try:
        workbook = open_workbook(Path(path))
        sheets = []
        for meta in workbook.sheets_metadata:
            name = meta.name
            if name in skip or meta.visible != SheetVisibleEnum.Visible:
                continue
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height * sheet.width > current_limits().sheet_cells:
                raise FileProblem("F1", "read.too_many_cells", path=path, sheet=name)
            rows = sheet.to_python(skip_empty_area=False)
            merges = _merges(name, sheet.merged_cell_ranges or [])
            sheets.append(Sheet(name, rows, merges))
    except PasswordError:
        raise FileProblem("F3", "read.encrypted", path=path) from None
    except CalamineError:
        raise FileProblem("F1", "read.corrupt", path=path) from None
    grid = Grid(sheets)
    for sheet in sheets:
        index_sheet(grid, sheet)
    return grid


def _merges(name: str, ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> dict:
    covered: dict[tuple[int, int], Span] = {}
    for (top, left), (bottom, right) in ranges:
        if (bottom - top + 1) * (right - left + 1) > 10_000:
            continue  # a merge over a whole area is decoration, never a label
        span = Span(name, top, left, bottom, right)
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                covered[(r, c)] = span
    return covered


# "填报人：李红　联系电话：0574-87654321": a label is 2–12 characters (not a time's digits)
# before a colon, at the start or after a space
_PAIR = re.compile(r"(?:^|(?<=[\s，,；;]))([^\s:：，,；;\d][^\s:：，,；;]{1,11})\s*[:：]")
_PAIR_END = "，,；; \t\u3000"  # what separates one pair from the next


def _inline_pairs(value: str) -> list[tuple[str, str]]:
    """Each "label：value" of a cell, the label normalised (one cell may hold several)."""
    text = value.strip()
    starts = list(_PAIR.finditer(text))
    if not starts or starts[0].start() != 0:
        # a label the pattern does not take ("单 位 名 称：", spaces inside it): the first colon
        parts = _COLON.split(text, maxsplit=1)
        said = parts[-1].strip() if len(parts) > 1 else ""
        return [(normalise(parts[0]), said)] if said else []
    pairs = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        said = text[match.end() : end].strip(_PAIR_END)
        if said:  # "填报单位（盖章）：　　填报日期：…": a label left blank gives nothing
            pairs.append((normalise(match.group(1)), said))
    return pairs


def index_sheet(grid: Grid, sheet: Sheet) -> None:
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if not isinstance(value, str) or not value.strip() or len(value) > 400:
                continue
            span = sheet.merges.get((r, c))
            if span is not None and (span.top, span.left) != (r, c):
                continue
            span = span or Span(sheet.name, r, c, r, c)
            text = normalise(value)
            grid.index[text].append(span)
            label, colon, rest = text.partition(":")
            if colon and rest and 2 <= len(label) <= 12:
                for label, said in _inline_pairs(value):
                    grid.inline[label].append((span, said))
                    bare_label = without_note(label)  # 填报单位（盖章）：兰江街道
                    if bare_label:
                        grid.inline[bare_label].append((span, said))
            bare = without_note(text)
            if bare:
                grid.index[bare].append(span)
