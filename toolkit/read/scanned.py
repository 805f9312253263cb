"""A sheet whose formula and error cells were all found in one pass over its file (an .ods's
content.xml, an .xls's records), asked about single cells as ooxml.SheetPart is."""

from __future__ import annotations

from collections.abc import Iterator

# formula cells kept of one sheet: a report has a few thousand; a row of formulas repeated a
# thousand times over a thousand columns is a bomb, not a report (its values are read)
MAX_FORMULA_CELLS = 100_000

Found = tuple[str | None, bool]  # (formula text, '' when not known, or None; holds an error)


class ScannedSheet:
    def __init__(
        self,
        cells: dict[str, Found],
        hidden: frozenset[int],
        hidden_columns: frozenset[int] = frozenset(),
    ) -> None:
        self._cells = cells
        self._hidden = hidden
        self._hidden_columns = hidden_columns
        self.may_hold_errors = any(error for _, error in cells.values())

    def cell(self, ref: str) -> Found:
        return self._cells.get(ref, (None, False))

    def hidden_rows(self) -> frozenset[int]:
        return self._hidden

    def hidden_columns(self) -> frozenset[int]:
        return self._hidden_columns

    def formulas(self) -> Iterator[tuple[str, str]]:
        """(A1 reference, formula text) of each cell whose formula text is known."""
        for ref, (text, _) in self._cells.items():
            if text:
                yield ref, text


EMPTY = ScannedSheet({}, frozenset())  # a sheet given up, or not in the file
