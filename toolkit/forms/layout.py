"""Grid geometry of a table: where each label and field sits, HTML-table style.

Cells are placed left to right in the next free position of their row, skipping positions
covered by a cell from an earlier row (``rows`` > 1), exactly like HTML ``rowspan``/``colspan``.
A table is a stack of blocks (header rows, then data rows); every row must be covered
exactly, so a spec with a missing or extra cell is rejected before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class LayoutError(ValueError):
    def __init__(self, problem: str, where: str, **params: object) -> None:
        super().__init__(problem)
        self.problem = problem
        self.where = where
        self.params = params


@dataclass
class PlacedCell:
    row: int
    col: int
    rows: int
    cols: int
    payload: object


@dataclass
class Grid:
    """An occupancy grid that grows downwards; ``width`` is fixed once known."""

    width: int
    taken: dict[tuple[int, int], PlacedCell] = field(default_factory=dict)
    cells: list[PlacedCell] = field(default_factory=list)

    def next_free(self, row: int, start: int) -> int:
        col = start
        while (row, col) in self.taken:
            col += 1
        return col

    def place(self, row: int, col: int, rows: int, cols: int, payload: object, where: str) -> None:
        if col + cols > self.width:
            raise LayoutError("spec.problem.row_too_wide", where, width=self.width)
        for r in range(row, row + rows):
            for c in range(col, col + cols):
                if (r, c) in self.taken:
                    raise LayoutError("spec.problem.cells_overlap", where)
        cell = PlacedCell(row, col, rows, cols, payload)
        for r in range(row, row + rows):
            for c in range(col, col + cols):
                self.taken[(r, c)] = cell
        self.cells.append(cell)

    def free_in_row(self, row: int) -> int:
        return sum(1 for c in range(self.width) if (row, c) not in self.taken)

    def covering(self, row: int, col: int) -> PlacedCell | None:
        return self.taken.get((row, col))
