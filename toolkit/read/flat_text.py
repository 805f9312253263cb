"""Read a report whose tables were flattened into text, one cell per line, as happens when a
published web page is copied (FORMS.md "Tables flattened one cell per line").

Columns are lost in such text, so the form's known structure puts each number in its cell:
the row labels in the order of the form, and the number of values each row holds. A row's
values are the numbers after its label; when their count is not the row's, which number
belongs to which column cannot be told, and the row is reported as unresolved instead of
guessed. Text copied from a browser often keeps each cell as a tab-indented line, empty
cells included, and rows separated by blank lines: where it does, those are used.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from toolkit.document.model import DocumentTooLarge
from toolkit.forms.model import Field, FormSpec, Table
from toolkit.read.labels import forms_of, normalise, without_note
from toolkit.read.layout import FOUND_SHARE, row_plans
from toolkit.read.numbers import BLANK_MARKERS, document_value, read_number

_TAB_SHARE = 0.2  # of non-empty lines starting with a tab: the text keeps cells as lines
_ROW_REACH = 400  # cells after the previous row's label where the next row's label may be
_MIN_PREFIX = 6  # characters of a label cut short by a line break that still name it
_MAX_LABEL = 400  # a longer cell is prose, never a label
_MAX_LINES = 200_000  # a published report has a few thousand; more is no report
_LOOKAHEAD = 3  # cells after unknown text where a row's numbers would still be
_UNIT_CELL = 4  # characters of a unit column's cell (条, 人次, 万元)


@dataclass(frozen=True, slots=True)
class TextCell:
    text: str
    line: int  # 1-based line where the cell starts
    group: int  # rows of tab-indented text are separated by blank lines
    empty: bool = False  # an empty cell kept as a bare tab
    in_row: bool = False  # from a line of tab-separated cells: the line is the row


@dataclass(frozen=True)
class Unresolved:
    """A row whose numbers could not be placed: its label and what was found; or a figure
    the prose states twice, differently (``values``)."""

    label: str
    keys: tuple[str, ...]
    expected: int
    found: int
    line: int | None
    values: tuple[float, ...] = ()


@dataclass
class TextLocated:
    spec: FormSpec
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    found_tables: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    share: float = 0.0


@dataclass
class FlatText:
    """A text's cells, and where each wording stands (labels are looked up, not scanned
    for: a long text must not cost rows × cells)."""

    cells: list[TextCell]
    tabbed: bool
    normalised: list[str]
    at: dict[str, list[int]]  # normalised text (also without its note) -> cell positions


def flatten(text: str) -> FlatText:
    """Raises DocumentTooLarge for a text longer than any report."""
    cells, tabbed = cells_of(text)
    normalised = [normalise(c.text) if 0 < len(c.text) <= _MAX_LABEL else "" for c in cells]
    at: dict[str, list[int]] = defaultdict(list)
    for index, wording in enumerate(normalised):
        if wording:
            at[wording].append(index)
            bare = without_note(wording)
            if bare and bare != wording:
                at[bare].append(index)
    return FlatText(cells, tabbed, normalised, dict(at))


def cells_of(text: str) -> tuple[list[TextCell], bool]:
    """The text's cells in order, and whether it keeps cells as tab-indented lines."""
    lines = text.splitlines()
    if len(lines) > _MAX_LINES:
        raise DocumentTooLarge(f"more than {_MAX_LINES} lines")
    filled = [line for line in lines if line.strip()]
    tabbed = bool(filled) and sum(line.startswith("\t") for line in filled) >= _TAB_SHARE * len(
        filled
    )
    cells: list[TextCell] = []
    group = 0
    previous_was_cell = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() and "\t" not in line:
            group += 1
            previous_was_cell = False
            continue
        if tabbed and not line.startswith("\t"):
            if previous_was_cell and cells:
                last = cells[-1]  # a cell's text broken over lines
                cells[-1] = TextCell(f"{last.text}\n{line.strip()}", last.line, last.group)
                continue
            cells.append(TextCell(line.strip(), number, group))
            group += 1  # a paragraph ends any row
            previous_was_cell = False
            continue
        pieces = line.split("\t")
        if tabbed:
            pieces = pieces[1:]
        elif len(pieces) > 1:
            # a table row copied as one line, its cells between tabs (empty ones included):
            # the line is the row
            pieces = pieces[1:] if not pieces[0].strip() else pieces
            group += 1
            cells.extend(
                TextCell(p.strip(), number, group, empty=not p.strip(), in_row=True) for p in pieces
            )
            group += 1
            previous_was_cell = False
            continue
        for piece in pieces:
            stripped = piece.strip()
            if stripped or tabbed:
                cells.append(TextCell(stripped, number, group, empty=not stripped))
        previous_was_cell = tabbed
    return cells, tabbed


def locate_text(spec: FormSpec, text: FlatText) -> TextLocated:
    located = TextLocated(spec)
    wanted = found = 0
    for table in spec.tables:
        if table.layout != "grid":
            continue
        reader = _TableReader(table, text)
        reader.read()
        wanted += len(table.fields)
        seen = len(reader.values) + sum(len(u.keys) for u in reader.unresolved)
        found += seen
        if seen and seen >= FOUND_SHARE * len(table.fields):
            located.found_tables.append(table.key)
            located.values.update(reader.values)
            located.lines.update(reader.lines)
            located.unresolved.extend(reader.unresolved)
            unresolved = {k for u in reader.unresolved for k in u.keys}
            located.missing_fields.extend(
                f.key
                for f in table.fields
                if f.key not in reader.values and f.key not in unresolved
            )
        else:
            located.missing_tables.append(table.key)
    located.share = found / wanted if wanted else 0.0
    return located


class _TableReader:
    """One grid table of the form, found row by row in the text."""

    def __init__(self, table: Table, text: FlatText) -> None:
        self.table = table
        self.cells = text.cells
        self.normalised = text.normalised
        self.tabbed = text.tabbed
        self.at = text.at
        self.values: dict[str, Any] = {}
        self.lines: dict[str, int] = {}
        self.unresolved: list[Unresolved] = []
        # every wording of the table's own labels and title: text that is no stranger
        self.known = {w for c in table.labels for w in forms_of(c.text, c.variants)} | set(
            forms_of(table.title, table.title_variants)
        )

    def read(self) -> None:
        position = 0
        first = True
        for row, plan in sorted(row_plans(self.table).items()):
            items = tuple(sorted(plan.fields, key=lambda f: f.col))
            if plan.own is None:
                anchor = self._header_anchor(position)
                if anchor is None:
                    continue
                start = self._first_value_run(anchor)
                if start is None:
                    continue
                label = "、".join(dict.fromkeys(c for f in items for c in f.col_labels[:1]))
                first_value = self.cells[start]
                group = first_value.group if (self.tabbed or first_value.in_row) else None
                self._take(items, label, start, first_value.line, group)
                position = start
                continue
            reach = None if first else position + _ROW_REACH
            own = forms_of(plan.own.text, plan.own.variants)
            anchor = self._find(plan.wordings, own, position, reach)
            if anchor is None:
                continue
            first = False
            at = self.cells[anchor]
            group = at.group if (self.tabbed or at.in_row) else None
            start = self._after_label(anchor, row, plan.own.col, own, group)
            self._take(items, plan.own.text, start, at.line, group)
            position = anchor + 1

    def _take(
        self,
        items: tuple[Field, ...],
        label: str,
        start: int,
        anchor_line: int,
        group: int | None = None,
    ) -> None:
        run = list(self._values_from(start, group))
        if not run and self._numbers_after_stranger(start, group):
            # unknown text after the label and numbers after it: whose numbers they are
            # cannot be told (a label worded otherwise, a stray line): not read as blank
            keys = tuple(f.key for f in items)
            self.unresolved.append(Unresolved(_one_line(label), keys, len(items), 0, anchor_line))
            return
        if len(run) == len(items):
            for item, cell in zip(items, run, strict=True):
                self.values[item.key] = None if cell.empty else document_value(cell.text)
                self.lines[item.key] = cell.line
        elif not any(not c.empty and read_number(c.text).value is not None for c in run):
            for item in items:  # nothing but blanks: the row is blank, whatever its cells
                self.values[item.key] = None
                self.lines[item.key] = anchor_line
        else:
            keys = tuple(f.key for f in items)
            self.unresolved.append(
                Unresolved(_one_line(label), keys, len(items), len(run), anchor_line)
            )

    def _numbers_after_stranger(self, start: int, group: int | None) -> bool:
        if start >= len(self.cells) or _is_value(self.cells[start]):
            return False
        if self.normalised[start] in self.known or (
            group is not None and self.cells[start].group != group
        ):
            return False
        following = self.cells[start + 1 : start + 1 + _LOOKAHEAD]
        return any(not c.empty and _is_value(c) and c.text not in BLANK_MARKERS for c in following)

    def _values_from(self, start: int, group: int | None) -> Iterable[TextCell]:
        for index in range(start, len(self.cells)):
            cell = self.cells[index]
            if group is not None and cell.group != group:
                return
            if not _is_value(cell):
                return
            yield cell

    def _after_label(
        self, anchor: int, row: int, col: int, own: tuple[str, ...], group: int | None
    ) -> int:
        """Where a row's numbers start: after its label, the rest of a label broken over
        lines, its bracketed note broken off, and its unit cell (条, 件; any short text
        where the form has a unit column)."""
        index = anchor + 1
        said = self.normalised[anchor]
        rests = [w[len(said) :] for w in own if w.startswith(said) and len(w) > len(said)]
        unit_column = any(
            c.role == "row" and c.row <= row < c.row + c.rows and c.col > col
            for c in self.table.labels
        )
        units = self._row_texts(row)
        unit_seen = False
        while index < len(self.cells):
            cell, text = self.cells[index], self.normalised[index]
            if (group is not None and cell.group != group) or _is_value(cell):
                break
            if rests and any(r.startswith(text) for r in rests):
                rests = [r[len(text) :] for r in rests if r.startswith(text)]
                rests = [r for r in rests if r]
            elif text in units or _note(text):
                pass
            elif unit_column and not unit_seen and 0 < len(text) <= _UNIT_CELL:
                unit_seen = True  # the unit column, worded otherwise (名 for 人)
            else:
                break
            index += 1
        return index

    def _row_texts(self, row: int) -> set[str]:
        return {
            w
            for c in self.table.labels
            if c.role == "row" and c.row <= row < c.row + c.rows
            for w in forms_of(c.text, c.variants)
        }

    def _find(
        self, wordings: tuple[str, ...], own: tuple[str, ...], start: int, stop: int | None
    ) -> int | None:
        end = len(self.cells) if stop is None else min(stop, len(self.cells))
        found = end
        for wording in _namings(wordings, own):
            positions = self.at.get(wording)
            if positions:
                i = bisect_left(positions, start)
                if i < len(positions) and positions[i] < found:
                    found = positions[i]
        return found if found < end else None

    def _header_anchor(self, start: int) -> int | None:
        """Where the table's headers start, from ``start``: its title or a label of its top
        header row (a row without a label of its own, like the 复议诉讼 figures, comes after
        its headers; lower header labels such as 总计 also head other tables)."""
        labels = [c for c in self.table.labels if c.role == "header"]
        top = min((c.row for c in labels), default=0)
        headers = {w for c in labels if c.row == top for w in forms_of(c.text, c.variants)} | set(
            forms_of(self.table.title, self.table.title_variants)
        )
        for index in range(start, len(self.cells)):
            if self.normalised[index] in headers:
                return index
        return None

    def _first_value_run(self, anchor: int) -> int | None:
        """Where the figures under a header start: in tab-kept text, the first row made of
        values only; otherwise the first number."""
        if self.tabbed:
            groups: dict[int, list[int]] = {}
            for index in range(anchor, len(self.cells)):
                groups.setdefault(self.cells[index].group, []).append(index)
                if len(groups) > 12:
                    break
            for indexes in groups.values():
                row = [self.cells[i] for i in indexes]
                if all(_is_value(c) for c in row) and any(not c.empty for c in row):
                    return indexes[0]
            return None
        for index in range(anchor, len(self.cells)):
            cell = self.cells[index]
            if not cell.empty and read_number(cell.text).value is not None and _is_value(cell):
                return index
        return None


def _namings(wordings: tuple[str, ...], own: tuple[str, ...]) -> set[str]:
    """Every cell text that names a row: one of its wordings (a cell with a local note
    appended is indexed without it too), or its own label cut short by a line break (a long
    enough beginning of it; not of a wording with its parent in front, whose beginning is
    the parent)."""
    namings = set(wordings)
    for wording in own:
        namings.update(
            wording[:n]
            for n in range(_MIN_PREFIX, len(wording))
            if n * 2 >= len(wording) or wording[n] == "("
        )
    return namings


def _note(text: str) -> bool:
    return text.startswith("(") and text.endswith(")")


def _is_value(cell: TextCell) -> bool:
    if cell.empty:
        return True
    text = cell.text
    if normalise(text) in BLANK_MARKERS:
        return True
    return isinstance(read_number(text).value, float)


def _one_line(text: str) -> str:
    return " ".join(text.split())
