"""Which cells of an .ods hold a formula (and its text) or an error value, as ooxml.py
finds them in an .xlsx: python-calamine gives an .ods file's saved results only, and '' for
an error. A formula is given in the spreadsheet syntax the evaluator reads (OpenFormula's
``of:=SUM([.B2:.B5])`` becomes ``SUM(B2:B5)``); one it cannot put so is '' (some formula:
its total is recomputed from its parts)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring
from openpyxl.utils.cell import get_column_letter

from toolkit.read.scanned import EMPTY, MAX_FORMULA_CELLS, Found, ScannedSheet
from toolkit.read.source import source

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ROW_GROUPS = {f"{_TABLE}{name}" for name in ("table-header-rows", "table-row-group", "table-rows")}
_COLUMN_GROUPS = {
    f"{_TABLE}{name}" for name in ("table-header-columns", "table-column-group", "table-columns")
}
_CELLS = {f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"}
# what a writer without LibreOffice's own value type shows for an error result
_ERROR_TEXTS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#NV", "#DIV/0"}
)
_MAX_ROWS = 1_048_576  # a sheet's rows; repeated rows past the last are no cells


def ods_sheets(path: Path, sheets: set[str]) -> dict[str, ScannedSheet]:
    """The named sheets of an .ods, each ready for cell lookups (a sheet not in the file
    looks empty)."""
    found: dict[str, ScannedSheet] = {}
    try:
        root = fromstring(source(path).part("content.xml"))
        for table in root.iter(f"{_TABLE}table"):
            name = table.get(f"{_TABLE}name", "")
            if name in sheets and name not in found:
                found[name] = _sheet(table)
    except Exception:  # XML python-calamine read and we cannot: its values, as saved
        found = {}
    return {name: found.get(name, EMPTY) for name in sheets}


def _sheet(table: Element) -> ScannedSheet:
    cells: dict[str, Found] = {}
    hidden: set[int] = set()
    row = 0
    for element in _rows(table):
        repeated = _count(element, "number-rows-repeated")
        found = list(islice(_formula_cells(element), MAX_FORMULA_CELLS + 1))
        if element.get(f"{_TABLE}visibility") in ("collapse", "filter"):
            hidden.update(range(row, min(row + repeated, row + 1_000)))
        for offset in range(min(repeated, 1_000) if found else 0):
            if len(cells) + len(found) > MAX_FORMULA_CELLS:
                return EMPTY  # a bomb, not a report: its values only
            for col, content in found:
                cells[f"{get_column_letter(col + 1)}{row + offset + 1}"] = content
        row += repeated
        if row >= _MAX_ROWS:
            break
    return ScannedSheet(cells, frozenset(hidden), _hidden_columns(table))


def _hidden_columns(table: Element) -> frozenset[int]:
    """The columns (0-based) marked collapsed or filtered, from the table's column list."""
    hidden: set[int] = set()
    col = 0
    for element in _columns(table):
        repeated = _count(element, "number-columns-repeated")
        if element.get(f"{_TABLE}visibility") in ("collapse", "filter"):
            hidden.update(range(col, min(col + repeated, 16_384)))
        col += repeated
        if col >= 16_384:
            break
    return frozenset(hidden)


def _columns(parent: Element) -> Iterator[Element]:
    return _nested(parent, f"{_TABLE}table-column", _COLUMN_GROUPS)


def _rows(parent: Element) -> Iterator[Element]:
    return _nested(parent, f"{_TABLE}table-row", _ROW_GROUPS)


def _nested(parent: Element, tag: str, groups: set[str]) -> Iterator[Element]:
    """A table's rows (or columns) in order, those inside header and group elements too."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in groups:
            yield from _nested(child, tag, groups)


def _formula_cells(row: Element) -> Iterator[tuple[int, Found]]:
    """(0-based column, (formula text, error)) of each cell of ``row`` holding either."""
    col = 0
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        repeated = _count(cell, "number-columns-repeated")
        formula = cell.get(f"{_TABLE}formula")
        error = _holds_error(cell, formula)
        if formula is not None or error:
            text = excel_formula(formula) if formula is not None else None
            for offset in range(min(repeated, 1_000, 16_384 - col)):
                yield col + offset, (text, error)
        col += repeated


def _holds_error(cell: Element, formula: str | None) -> bool:
    if cell.get(f"{_CALCEXT}value-type") == "error":
        return True
    if formula is None or cell.get(f"{_OFFICE}value-type") not in (None, "string"):
        return False
    shown = "".join(cell.itertext()).strip()
    return shown in _ERROR_TEXTS or shown.startswith("Err:")


def _count(element: Element, attribute: str) -> int:
    try:
        return max(1, int(element.get(f"{_TABLE}{attribute}", "1")))
    except ValueError:
        return 1


# [.B2], [.B2:.B5], [Sheet1.B2], [$'My sheet'.$B$2:.$B$5]: one reference each
_SHEET = r"(?:\$?('(?:[^']|'')*'|[^.\[\]':;]+))?"
_CELL = r"\.(\$?[A-Za-z]{1,3}\$?\d{1,7})"
_REFERENCE = re.compile(r"\[" + _SHEET + _CELL + r"(?::" + _SHEET + _CELL + r")?\]")
_STRING = re.compile(r'("(?:[^"]|"")*")')


def excel_formula(formula: str) -> str:
    """An OpenFormula text (``of:=SUM([.B2:.B5];[Sheet2.C3])``) in the syntax of a
    spreadsheet's cells (``SUM(B2:B5,Sheet2!C3)``), without its "="; '' when it holds what
    that syntax cannot say (another file's cells, a named range)."""
    text = formula.split(":=", 1)[1] if ":=" in formula[:12] else formula.lstrip("=")
    pieces = _STRING.split(text)  # string literals are kept as written
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append(piece)
            continue
        piece = _REFERENCE.sub(_reference, piece).replace(";", ",")
        if "[" in piece or "]" in piece:
            return ""
        out.append(piece)
    return "".join(out)


def _reference(match: re.Match[str]) -> str:
    sheet, first, end_sheet, last = match.groups()
    start = f"{sheet}!{first}" if sheet else first
    if last is None:
        return start
    if end_sheet and end_sheet != sheet:
        return "[unsupported]"  # a range across sheets (a 3-D reference)
    return f"{start}:{last}"
