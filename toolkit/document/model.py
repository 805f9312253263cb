"""A report document as both directions see it: `toolkit report` builds one from a checked
return and renders it (.docx, .html); `toolkit audit` parses a published .docx or .html
page back into one and hands its tables to the layout reader.

Only what a published report carries: paragraphs in reading order and tables whose cells
may span rows and columns. No fonts, no styles beyond the role a paragraph plays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["title", "heading", "body", "signature", "note"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    role: Role = "body"


@dataclass(frozen=True)
class TableCell:
    """One cell at its top-left grid position (0-based); ``rows``/``cols`` are its spans."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    header: bool = False  # a label cell (rendered as <th>, or bold in Word)


@dataclass
class DocTable:
    cells: list[TableCell] = field(default_factory=list)
    caption: str | None = None  # shown above the table (its name), also for screen readers
    widths: tuple[float, ...] = ()  # relative column widths, when the writer knows them

    @property
    def height(self) -> int:
        return max((c.row + c.rows for c in self.cells), default=0)

    @property
    def width(self) -> int:
        return max((c.col + c.cols for c in self.cells), default=0)

    def rows_of_text(self) -> list[list[str]]:
        """The table as a dense grid: each cell's text at its top-left position, '' elsewhere."""
        grid = [["" for _ in range(self.width)] for _ in range(self.height)]
        for cell in self.cells:
            grid[cell.row][cell.col] = cell.text
        return grid


Block = Paragraph | DocTable


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    language: str = "zh-CN"

    @property
    def tables(self) -> list[DocTable]:
        return [b for b in self.blocks if isinstance(b, DocTable)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]


class DocumentTooLarge(Exception):
    """A document claims more than a published report could hold (a span of a million
    columns, a million cells): reading it would only exhaust memory."""


# what a published report can hold; beyond this a document is refused (DocumentTooLarge)
MAX_TABLE_SPAN = 1_000  # rows or columns one cell may span
MAX_TABLE_CELLS = 100_000  # grid positions of one table
MAX_BLOCKS = 200_000  # paragraphs and tables of one document
MAX_DOCUMENT_CELLS = 1_000_000  # grid positions of all its tables together


def lays_out_page(own_cells: int, nested_cells: int) -> bool:
    """Whether a table holding tables is the page around them (a web page's layout, pasted
    into Word too) rather than one of the report's tables with something small in a cell:
    the tables inside it hold more cells than it does."""
    return nested_cells > own_cells


def add_cells(total: int, table: DocTable) -> int:
    """``total`` plus the table's grid positions; DocumentTooLarge past the document's
    limit (a thousand tables each under the table limit add up too)."""
    total += table.height * table.width
    if total > MAX_DOCUMENT_CELLS:
        raise DocumentTooLarge(f"tables of more than {MAX_DOCUMENT_CELLS} cells in all")
    return total
