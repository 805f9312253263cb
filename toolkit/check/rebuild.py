"""A return openpyxl cannot edit (.xls, .xlsb, .ods), rebuilt as an .xlsx for its marked copy:
its values and merges; the formulas it had, where they can be known, so that a unit which
corrects a figure in the copy sees its totals follow (a figure left in place of a total made
the next check blame the corrected part); and, for a return of our template, its hidden
field map, so that the copy sent back is read as the template it is.

Formulas come from an .ods or .xls file itself, only the sum-like ones the checker
evaluates (a return is untrusted: a formula of any other kind is written as the value it
showed). An .xlsb's formulas are not read: its copy holds values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell

from toolkit.cellmap import META_SHEET
from toolkit.read.biff import xls_sheets
from toolkit.read.grid import load_grid
from toolkit.read.odf import ods_sheets
from toolkit.read.returns import ReadReturn
from toolkit.read.sniff import open_workbook

# what a formula kept in a rebuilt copy may call: the sum-like subset the checker evaluates
_KEPT_FUNCTIONS = frozenset({"SUM", "SUBTOTAL", "ROUND", "N"})
_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")


def rebuilt(read: ReadReturn) -> Workbook:
    """The return as an .xlsx workbook (sheets in the same places, cell for cell)."""
    source = read.path
    from_template = any(part.from_template for part in read.parts)
    grid = load_grid(str(source), skip=frozenset({META_SHEET}) if from_template else frozenset())
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles: dict[str, str] = {}
    for sheet in grid.sheets:
        target = workbook.create_sheet(safe_title(sheet.name, workbook))
        titles[sheet.name] = target.title
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    write_text(target.cell(r, c), value)
        for span in {s for s in sheet.merges.values()}:
            target.merge_cells(
                start_row=span.top + 1,
                start_column=span.left + 1,
                end_row=span.bottom + 1,
                end_column=span.right + 1,
            )
    for (sheet_name, ref), formula in _formulas(read, set(titles)):
        cell = workbook[titles[sheet_name]][ref]
        if not isinstance(cell, MergedCell):  # covered by a merge: it shows nothing
            cell.value = formula
    if from_template:
        _keep_map(source, workbook)
    return workbook


def write_text(cell: Cell, value: Any) -> None:
    """Store ``value`` in ``cell`` as plain text: a leading '=' must never become a formula."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


def _formulas(read: ReadReturn, sheets: set[str]) -> Iterator[tuple[tuple[str, str], str]]:
    """((sheet, A1 reference), "=formula") of each cell the copy keeps a formula in."""
    kind = read.sniffed.kind
    if kind not in ("ods", "xls"):
        return
    found = ods_sheets(read.path, sheets) if kind == "ods" else xls_sheets(read.path, sheets)
    for name, sheet in found.items():
        for ref, text in sheet.formulas():
            if safe_to_write(text):
                yield (name, ref), "=" + text


def safe_to_write(text: str) -> bool:
    """Whether a formula read from the file may be written back: only the sum-like calls,
    no link to another program or file ("|", "[")."""
    if not text or "|" in text or "[" in text:
        return False
    return all(name.upper() in _KEPT_FUNCTIONS for name in _FUNCTION.findall(text))


def _keep_map(source: Path, workbook: Workbook) -> None:
    """Our template's hidden field map, copied as it is (text stays text)."""
    try:
        rows = open_workbook(source).get_sheet_by_name(META_SHEET).to_python()
    except Exception:  # a map that cannot be read again: the copy is read by its labels
        return
    sheet = workbook.create_sheet(META_SHEET)
    sheet.sheet_state = "hidden"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value not in ("", None):
                write_text(sheet.cell(r, c), value)


def safe_title(name: str, workbook: Workbook) -> str:
    """``name`` as a sheet title the workbook takes (no []:*?/\\, 31 characters, unique)."""
    title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = title, 2
    while title in workbook.sheetnames:
        title = f"{base[:28]}({n})"
        n += 1
    return title
