"""The marked copy sent back to a unit: the original workbook with a comment and a red fill
on every cell that has a finding, and a 问题清单 sheet listing them all.

openpyxl edits the original, so formats, protection, formulas and other sheets stay as they
were (what openpyxl cannot keep, e.g. x14 data validations, is its known limit). A .xls,
.xlsb or .ods return is rebuilt as .xlsx from its values and merges. Every text we write is
stored as text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from toolkit.check.result import FileResult
from toolkit.files import atomic_write
from toolkit.messages import render
from toolkit.read.grid import load_grid
from toolkit.template.writer import META_SHEET

SUFFIX = ".批注.xlsx"
RED = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
AMBER = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
_AUTHOR = "toolkit"


def default_output(source: Path) -> Path:
    return source.with_name(source.stem + SUFFIX)


def write_annotated(result: FileResult, target: Path) -> None:
    """Write the marked copy of ``result``'s file to ``target`` (atomically)."""
    assert result.read is not None
    source = result.read.path
    if result.read.sniffed.kind in ("xlsx", "xlsm"):
        # from the bytes: openpyxl judges a path by its extension, and a mailed name lies
        workbook = load_workbook(io.BytesIO(source.read_bytes()), keep_vba=False, keep_links=False)
    else:
        workbook = _rebuilt(source)
    _mark_cells(workbook, result)
    _add_list(workbook, result)
    atomic_write(target, lambda tmp: workbook.save(tmp))


def _text(cell: Cell, value: Any) -> None:
    """Store ``value`` in ``cell`` as plain text: a leading '=' must never become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _rebuilt(source: Path) -> Workbook:
    grid = load_grid(str(source), skip=frozenset({META_SHEET}))
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in grid.sheets:
        target = workbook.create_sheet(_safe_title(sheet.name, workbook))
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    _text(target.cell(r, c), value)
        for span in {s for s in sheet.merges.values()}:
            target.merge_cells(
                start_row=span.top + 1,
                start_column=span.left + 1,
                end_row=span.bottom + 1,
                end_column=span.right + 1,
            )
    return workbook


def _safe_title(name: str, workbook: Workbook) -> str:
    title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = title, 2
    while title in workbook.sheetnames:
        title = f"{base[:28]}({n})"
        n += 1
    return title


def _mark_cells(workbook: Workbook, result: FileResult) -> None:
    by_cell: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for finding in result.findings:
        if finding.sheet and finding.cell and finding.sheet in workbook.sheetnames:
            by_cell[(finding.sheet, finding.cell)].append(finding)
    for (sheet, ref), findings in by_cell.items():
        cell = workbook[sheet][ref]
        if not isinstance(cell, Cell):  # inside a merge: mark its top-left cell
            continue
        errors = any(f.severity == "error" for f in findings)
        cell.fill = RED if errors else AMBER
        text = "\n".join(f"[{f.rule}] {f.message}" for f in findings)
        comment = Comment(text, _AUTHOR)
        comment.width, comment.height = 360, min(60 + 40 * len(findings), 400)
        cell.comment = comment


def _add_list(workbook: Workbook, result: FileResult) -> None:
    sheet = workbook.create_sheet(_safe_title(render("check.annotate.sheet"), workbook), 0)
    headers = [
        render(f"check.annotate.{name}")
        for name in ("number", "severity", "rule", "sheet_name", "cell", "message")
    ]
    for c, header in enumerate(headers, start=1):
        _text(sheet.cell(1, c), header)
        sheet.cell(1, c).font = Font(bold=True)
    for r, finding in enumerate(result.findings, start=2):
        severity = render(f"check.report.{finding.severity}")
        row = [
            r - 1,
            severity,
            finding.rule,
            finding.sheet or "",
            finding.cell or "",
            finding.message,
        ]
        for c, value in enumerate(row, start=1):
            _text(sheet.cell(r, c), value)
        sheet.cell(r, 6).alignment = Alignment(wrap_text=True, vertical="top")
        if finding.sheet and finding.cell and finding.sheet in workbook.sheetnames:
            quoted = finding.sheet.replace("'", "''")
            sheet.cell(r, 5).hyperlink = f"#'{quoted}'!{finding.cell}"
            sheet.cell(r, 5).font = Font(color="0563C1", underline="single")
    if not result.findings:
        _text(sheet.cell(2, 6), render("check.annotate.none"))
    for c, width in enumerate((6, 8, 6, 12, 8, 90), start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.freeze_panes = "A2"
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False
