"""The marked copy sent back to a unit: the original workbook with a comment and a red fill
on every cell that has a finding, and a 问题清单 sheet listing them all; what the reading
says of the file (a copy passed over, a label read though retyped) is listed after them,
and commented, without a fill, at its cell where it has one.

openpyxl edits the original, so formats, protection, formulas and other sheets stay as they
were (what openpyxl cannot keep, e.g. x14 data validations, is its known limit). A .xls,
.xlsb or .ods return is rebuilt as .xlsx (rebuild.py). Every text we write is stored as
text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

import io
import logging
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from toolkit.check.rebuild import rebuilt, safe_title, write_text
from toolkit.check.result import FileResult
from toolkit.errors import UserError
from toolkit.files import atomic_write, carries_marker, check_outputs
from toolkit.messages import render

SUFFIX = ".批注.xlsx"
MARKER = "toolkit_annotated"  # custom document property of every marked copy
RED = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
AMBER = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
_AUTHOR = "toolkit"
_OUR_FILLS = frozenset({RED.fgColor.rgb, AMBER.fgColor.rgb})

log = logging.getLogger(__name__)


def default_output(source: Path) -> Path:
    return source.with_name(source.stem + SUFFIX)


def is_marked_copy(path: Path) -> bool:
    """A file this command wrote: the only kind of existing file --force may replace."""
    return carries_marker(path, MARKER)


def annotation_targets(paths: list[str], annotate: str, force: bool) -> dict[str, Path]:
    """Input -> its marked copy, checked before any work. ``annotate`` is "" (beside each
    input), a file (one input) or a folder. A marked copy among the inputs (a second run
    over inbox/*.xlsx) gets no copy of its own; an input is never a target, and an existing
    file is replaced (with --force) only if it is a marked copy: `--annotate a.xlsx b.xlsx`
    must not turn the return a.xlsx into b's copy."""
    folder: Path | None = None
    if annotate:
        given = Path(annotate)
        if given.is_dir() or annotate.endswith(("/", "\\")) or len(paths) > 1:
            if not given.is_dir():
                raise UserError("cli.annotate_folder_missing", path=annotate)
            folder = given
    targets: dict[str, Path] = {}
    for name in paths:
        source = Path(name)
        if name.endswith(SUFFIX):
            continue
        if folder is not None:
            targets[name] = folder / default_output(source).name
        elif annotate:
            if Path(annotate).suffix.lower() != ".xlsx":  # what is written is an .xlsx
                raise UserError("cli.annotate_not_xlsx", path=annotate)
            targets[name] = Path(annotate)
        else:
            targets[name] = default_output(source)
    # a.xls and a.ods checked together would both be a.批注.xlsx: each keeps its own suffix
    if not annotate or folder is not None:
        clashing = Counter(os.path.normcase(str(target)) for target in targets.values())
        for name, target in targets.items():
            if clashing[os.path.normcase(str(target))] > 1:
                targets[name] = target.with_name(Path(name).name + SUFFIX)
        _numbered(targets)
    readable = [n for n in targets if Path(n).is_file()]
    # an earlier marked copy among the inputs is ours to replace (with --force), not a return
    returns = [Path(n) for n in paths if not (n.endswith(SUFFIX) and is_marked_copy(Path(n)))]
    check_outputs([targets[n] for n in readable], returns, force)
    for name in readable:
        target = targets[name]
        if target.exists() and not is_marked_copy(target):
            raise UserError("cli.annotate_not_ours", path=str(target))
    return targets


def _numbered(targets: dict[str, Path]) -> None:
    """年报.xlsx of several units' folders marked into one folder: 年报.xlsx.批注.xlsx, then
    年报(2).xlsx.批注.xlsx … in the order given (each copy written is named on screen)."""
    taken = {str(t).casefold() for t in targets.values()}
    seen: Counter[str] = Counter()
    for name, target in targets.items():
        seen[str(target).casefold()] += 1
        number = seen[str(target).casefold()]
        if number == 1:
            continue
        stem, extension = os.path.splitext(target.name.removesuffix(SUFFIX))
        while True:
            candidate = target.with_name(f"{stem}({number}){extension}{SUFFIX}")
            if str(candidate).casefold() not in taken:
                break
            number += 1
        taken.add(str(candidate).casefold())
        targets[name] = candidate


def write_annotated(result: FileResult, target: Path) -> None:
    """Write the marked copy of ``result``'s file to ``target`` (atomically)."""
    assert result.read is not None
    source = result.read.path
    if result.read.sniffed.kind in ("xlsx", "xlsm"):
        try:
            # from the bytes: openpyxl judges a path by its extension, and a mailed name lies
            edited = load_workbook(
                io.BytesIO(source.read_bytes()), keep_vba=False, keep_links=False
            )
            _finish(edited, result, target)
            return
        except Exception:  # XML openpyxl refuses (python-calamine read it): rebuild instead
            log.debug("openpyxl could not edit %s; rebuilding the copy", source, exc_info=True)
    _finish(rebuilt(result.read), result, target)


def _finish(workbook: Workbook, result: FileResult, target: Path) -> None:
    marked_before = _without_old_marks(workbook)
    _mark_cells(workbook, result)
    _add_list(workbook, result)
    if not marked_before:
        workbook.custom_doc_props.append(StringProperty(name=MARKER, value="toolkit-check/1"))
    atomic_write(target, lambda tmp: workbook.save(tmp))


def _without_old_marks(workbook: Workbook) -> bool:
    """A unit may send back the marked copy it was mailed, corrected: marked again, it keeps
    none of the old marks (a red cell it has put right, a second 问题清单). Whether it was one."""
    if MARKER not in {prop.name for prop in workbook.custom_doc_props}:
        return False
    titles = {render("check.annotate.sheet", lang=lang) for lang in ("zh", "en")}
    if workbook.worksheets and workbook.worksheets[0].title in titles:
        workbook.remove(workbook.worksheets[0])
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == _AUTHOR:
                    cell.comment = None
                    if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb in _OUR_FILLS:
                        cell.fill = PatternFill()
    return True


def _mark_cells(workbook: Workbook, result: FileResult) -> None:
    by_cell: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for finding in result.findings:
        if finding.sheet and finding.cell and finding.sheet in workbook.sheetnames:
            by_cell[(finding.sheet, finding.cell)].append(finding)
    noted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for note, sheet, ref in _notes(workbook, result):
        if sheet and ref:
            noted[(sheet, ref)].append(note)
    for place in dict.fromkeys([*by_cell, *noted]):
        sheet, ref = place
        cell = workbook[sheet][ref]
        if not isinstance(cell, Cell):  # covered by a merge: findings sit on top-left cells
            continue
        findings = by_cell.get(place, [])
        if findings:
            errors = any(f.severity == "error" for f in findings)
            cell.fill = RED if errors else AMBER
        elif cell.comment is not None and cell.comment.author != _AUTHOR:
            continue  # the unit's own comment stays; the note is in the list
        lines = [*(f"[{f.rule}] {f.message}" for f in findings), *noted.get(place, [])]
        comment = Comment(ILLEGAL_CHARACTERS_RE.sub("", "\n".join(lines)), _AUTHOR)
        comment.width, comment.height = 360, min(60 + 40 * len(lines), 400)
        cell.comment = comment


def _notes(workbook: Workbook, result: FileResult) -> list[tuple[str, str, str]]:
    """(text, sheet, cell) of what the reading said of the file; sheet and cell "" where it
    names none (or a sheet the copy does not have)."""
    said = result.read.passed_over if result.read is not None else []
    notes = []
    for message in said:
        sheet, ref = str(message.params.get("sheet", "")), str(message.params.get("cell", ""))
        if sheet not in workbook.sheetnames or not ref:
            sheet = ref = ""
        notes.append((message.render(), sheet, ref))
    return notes


def _add_list(workbook: Workbook, result: FileResult) -> None:
    sheet = workbook.create_sheet(safe_title(render("check.annotate.sheet"), workbook), 0)
    headers = [
        render(f"check.annotate.{name}")
        for name in ("number", "severity", "rule", "sheet_name", "cell", "message")
    ]
    for c, header in enumerate(headers, start=1):
        write_text(sheet.cell(1, c), header)
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
            write_text(sheet.cell(r, c), value)
        sheet.cell(r, 6).alignment = Alignment(wrap_text=True, vertical="top")
        if finding.sheet and finding.cell and finding.sheet in workbook.sheetnames:
            _link(sheet.cell(r, 5), finding.sheet, finding.cell)
    if not result.findings:
        write_text(sheet.cell(2, 6), render("check.annotate.none"))
    first = max(len(result.findings), 1) + 3  # under the findings, a row left blank
    for i, (note, at, ref) in enumerate(_notes(workbook, result)):
        r = first + i
        row = [len(result.findings) + i + 1, render("check.annotate.note"), "", at, ref, note]
        for c, value in enumerate(row, start=1):
            write_text(sheet.cell(r, c), value)
        sheet.cell(r, 6).alignment = Alignment(wrap_text=True, vertical="top")
        _link(sheet.cell(r, 5), at, ref)
    for c, width in enumerate((6, 8, 6, 12, 8, 90), start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.freeze_panes = "A2"
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False


def _link(cell: Cell, sheet: str, ref: str) -> None:
    """Make ``cell`` a link to ``ref`` of ``sheet`` (nothing where there is none)."""
    if sheet and ref:
        quoted = sheet.replace("'", "''")
        cell.hyperlink = f"#'{quoted}'!{ref}"
        cell.font = Font(color="0563C1", underline="single")
