"""Which cells of an .xlsx hold a formula (and its text) or an error value: python-calamine
reads neither (it gives cached values, and '' for an error), openpyxl costs ~20 ms a file
for it. Shared formulas (one text for a block of cells) are translated to each cell."""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import fromstring
from openpyxl.formula.translate import Translator

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetCells:
    formulas: dict[str, str] = field(default_factory=dict)  # A1 ref -> formula text ('' unknown)
    errors: set[str] = field(default_factory=set)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name inside the package."""
    workbook = fromstring(archive.read("xl/workbook.xml"))
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = part
    return parts


def formula_and_error_cells(
    path: Path, sheets: set[str], wanted: dict[str, set[str]] | None = None
) -> dict[str, SheetCells]:
    """For each named sheet of an OOXML workbook, the cells holding formulas and errors
    (with ``wanted``: among those cells of each sheet only)."""
    found: dict[str, SheetCells] = {}
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_parts(archive)
        names = set(archive.namelist())
        for sheet in sheets:
            part = parts.get(sheet)
            cells = found.setdefault(sheet, SheetCells())
            if part is not None and part in names:
                _scan(
                    archive.read(part), cells, None if wanted is None else wanted.get(sheet, set())
                )
    return found


# A cell, as every writer spells it (any namespace prefix, attributes in any order, empty or
# self-closing). Scanning the text is ~10x faster than an XML parser here, and safe: nothing
# is expanded, and the check only needs which cells hold <f> and t="e" (values come from
# python-calamine). A part that is not UTF-8 falls back to the parser.
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?(?<![\w:])r="(\d+)"')
_ATTRIBUTE = re.compile(rb'(?<![\w:])(r|t|si)="([^"]*)"')


def _rows(data: bytes, numbers: set[str]) -> bytes:
    """Only the <row> elements numbered ``numbers`` (a template's thousand helper formulas sit
    in other rows or are skipped cheaply); the whole part when rows are not numbered."""
    starts = [(m.start(), m.group(1).decode("ascii")) for m in _ROW.finditer(data)]
    if not starts:
        return data
    ends = [start for start, _ in starts[1:]] + [len(data)]
    return b"".join(
        data[start:end]
        for (start, number), end in zip(starts, ends, strict=True)
        if number in numbers
    )


def _scan(data: bytes, cells: SheetCells, wanted: set[str] | None = None) -> None:
    """Fill ``cells`` from one sheet part; with ``wanted``, only those cells' formulas (and
    errors) are read (a template has thousands of helper formulas nobody asked about)."""
    if b"<f" not in data and b":f" not in data and b't="e"' not in data:
        return  # no formula, no error: most sheets of a hand-made return
    if wanted is not None:
        data = _rows(data, {ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for ref in wanted})
    shared: dict[str, tuple[str, str]] = {}  # si -> (master ref, text)
    for match in _CELL.finditer(data):
        head, body = match.group(1), match.group(2)
        error = b't="e"' in head
        formula = _FORMULA.search(body) if body and b"f" in body else None
        if not error and formula is None:
            continue
        attributes = dict(_ATTRIBUTE.findall(head))
        ref = attributes.get(b"r", b"").decode("ascii", "replace")
        if error:
            cells.errors.add(ref)
        if formula is None:
            continue
        options = dict(_ATTRIBUTE.findall(formula.group(1)))
        if wanted is not None and ref not in wanted and options.get(b"t") != b"shared":
            continue
        text = (formula.group(2) or b"").decode("utf-8", "replace")
        if "&" in text:
            text = html.unescape(text)
        cells.formulas[ref] = _formula_text(text, options, ref, shared)
    if wanted is not None:
        cells.formulas = {ref: text for ref, text in cells.formulas.items() if ref in wanted}


def _formula_text(
    text: str, options: dict[bytes, bytes], ref: str, shared: dict[str, tuple[str, str]]
) -> str:
    if options.get(b"t") != b"shared":
        return text
    index = options.get(b"si", b"").decode("ascii", "replace")
    if text:
        shared[index] = (ref, text)
        return text
    if index not in shared:
        return ""
    master, master_text = shared[index]
    try:
        return Translator("=" + master_text, origin=master).translate_formula(ref)[1:]
    except Exception:  # an untranslatable shared formula is only "some formula"
        return ""
