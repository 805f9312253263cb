"""Which cells of an .xlsx hold a formula (and its text) or an error value: python-calamine
reads neither (it gives cached values, and '' for an error), openpyxl costs ~20 ms a file
for it. Shared formulas (one text for a block of cells) are translated to each cell."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import fromstring, iterparse
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


def formula_and_error_cells(path: Path, sheets: set[str]) -> dict[str, SheetCells]:
    """For each named sheet of an OOXML workbook, the cells holding formulas and errors."""
    found: dict[str, SheetCells] = {}
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_parts(archive)
        names = set(archive.namelist())
        for sheet in sheets:
            part = parts.get(sheet)
            cells = found.setdefault(sheet, SheetCells())
            if part is None or part not in names:
                continue
            shared: dict[str, tuple[str, str]] = {}  # si -> (master ref, text)
            with archive.open(part) as stream:
                for _, element in iterparse(stream, events=("end",)):
                    if element.tag != f"{_MAIN}c":
                        continue
                    ref = element.get("r", "")
                    formula = element.find(f"{_MAIN}f")
                    if formula is not None:
                        cells.formulas[ref] = _formula_text(formula, ref, shared)
                    if element.get("t") == "e":
                        cells.errors.add(ref)
                    element.clear()
    return found


def _formula_text(formula, ref: str, shared: dict[str, tuple[str, str]]) -> str:
    text = formula.text or ""
    if formula.get("t") != "shared":
        return text
    index = formula.get("si", "")
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
