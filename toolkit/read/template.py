"""A return made from our own template: the hidden `_toolkit` sheet maps every field to its
cell, so no label needs finding. The map comes from a mailed file, so it is checked like any
other input: known form, sane cell references, sheets that exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from toolkit.cellmap import MARKER, META_SHEET, parse_rows
from toolkit.forms.model import FormSpec
from toolkit.limits import current as current_limits
from toolkit.messages import Message
from toolkit.read.cell_formulas import FORMULA_KINDS, FormulaSheet, formula_sheets
from toolkit.read.grid import zero_based
from toolkit.read.sniff import FileProblem, open_workbook
from toolkit.read.template_totals import changed_totals, read_changed

_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_MAX_MAP_ROWS = 20_000
_KEPT_MAP_ROWS = 64  # a map this small is kept from one return to the next...
_KEPT_MAP_CHARS = 200_000  # ...when its text is this short too (a packed map: ~10,000)


@dataclass
class TemplateReturn:
    path: Path
    form: str
    spec_version: str
    markers: dict[str, str]
    cells: dict[str, tuple[str, str]]  # field key -> (sheet, A1 ref)
    values: dict[str, Any]  # field key -> content as found, None when empty
    errors: set[str] = field(default_factory=set)  # fields holding an error value
    sheets: tuple[str, ...] = ()  # every sheet of the workbook, ours or not
    formulas: set[str] = field(default_factory=set)  # fields holding the template's formula
    # totals whose formula the unit changed, computed from the file's own cells
    evaluated: set[str] = field(default_factory=set)
    notes: list[Message] = field(default_factory=list)  # what the reading has to say


def read_template_return(
    path: Path, kind: str, spec_of: Callable[[str], FormSpec | None] | None = None
) -> TemplateReturn | None:
    """The return at ``path`` if it was made from our template, else None.

    ``spec_of(form id)`` gives the form, whose totals' formulas matter (a total still the
    template's formula is recomputed, a typed one kept, a changed one computed as changed:
    template_totals); without it every field's formula is found, none judged. Error values
    are looked for in every field of a sheet that holds any."""
    try:
        workbook = open_workbook(path)
        if META_SHEET not in workbook.sheet_names:
            return None
        rows = workbook.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)
    except PasswordError:
        raise FileProblem("F3", "read.encrypted", path=str(path)) from None
    except CalamineError:
        raise FileProblem("F1", "read.corrupt", path=str(path)) from None
    key = tuple(tuple(row) for row in rows[:_MAX_MAP_ROWS])
    sheets = frozenset(workbook.sheet_names)
    # a template's packed map (~15 rows) is kept for the next return of the same template;
    # a large map (tampered, or written one entry per row) is parsed and let go
    small = len(key) <= _KEPT_MAP_ROWS
    small = small and sum(len(str(v)) for row in key for v in row) <= _KEPT_MAP_CHARS
    parsed = _parse_kept_map(key, sheets) if small else _parse_map(key, sheets)
    if parsed is None:
        return None
    markers, cells = dict(parsed[0]), dict(parsed[1])
    kept_cells = parsed[1]  # shared by the template's returns: what its formulas are kept by
    grids: dict[str, list[list[Any]]] = {}
    values: dict[str, Any] = {}
    for key, (sheet, ref) in cells.items():
        if sheet not in grids:
            grids[sheet] = _sheet_rows(workbook, sheet, path)
        row, col = zero_based(ref)
        grid = grids[sheet]
        raw = grid[row][col] if row < len(grid) and col < len(grid[row]) else ""
        values[key] = None if raw == "" else raw
    result = TemplateReturn(
        path,
        markers["toolkit_form"],
        markers.get("toolkit_spec_version", ""),
        markers,
        cells,
        values,
        sheets=tuple(workbook.sheet_names),
    )
    if kind in FORMULA_KINDS:
        spec = None if spec_of is None else spec_of(result.form)
        totals = None if spec is None else spec.computed_keys
        parts: dict[str, FormulaSheet | None] = dict(
            formula_sheets(path, kind, {sheet for sheet, _ in cells.values()})
        )
        texts: dict[str, str] = {}  # total -> its formula, where its text is known
        for key, (sheet, ref) in cells.items():
            part = parts[sheet]
            assert part is not None
            if totals is not None and key not in totals and not part.may_hold_errors:
                continue
            text, error = part.cell(ref)
            if text is not None:
                result.formulas.add(key)
                if text and totals is not None and key in totals:
                    texts[key] = text
            if error:
                result.errors.add(key)
        changed = changed_totals(spec, kept_cells, texts) if spec is not None and texts else []
        if changed:
            _read_changed(result, changed, texts, workbook, grids, parts, path, kind)
    return result


def _read_changed(
    result: TemplateReturn,
    changed: list[str],
    texts: dict[str, str],
    workbook: CalamineWorkbook,
    grids: dict[str, list[list[Any]]],
    parts: dict[str, FormulaSheet | None],
    path: Path,
    kind: str,
) -> None:
    """Totals whose formula the unit changed, read as that formula gives them."""
    names = set(workbook.sheet_names)

    def rows_of(sheet: str) -> list[list[Any]] | None:
        if sheet not in names:
            return None
        if sheet not in grids:
            grids[sheet] = _sheet_rows(workbook, sheet, path)
        return grids[sheet]

    def sheet_of(sheet: str) -> FormulaSheet | None:
        if sheet not in parts:
            found = formula_sheets(path, kind, {sheet}) if sheet in names else {}
            parts[sheet] = found.get(sheet)
        return parts[sheet]

    read = read_changed(changed, result.cells, texts, result.values, rows_of, sheet_of)
    result.formulas -= read.evaluated | read.saved
    result.errors = (result.errors - read.evaluated) | read.errors
    result.evaluated |= read.evaluated
    result.notes.extend(read.notes)


def _sheet_rows(workbook: CalamineWorkbook, name: str, path: Path) -> list[list[Any]]:
    sheet = workbook.get_sheet_by_name(name)
    if sheet.height * sheet.width > current_limits().sheet_cells:
        raise FileProblem("F1", "read.too_many_cells", path=str(path), sheet=name)
    return sheet.to_python(skip_empty_area=False)


@lru_cache(maxsize=16)
def _parse_kept_map(
    rows: tuple[tuple[Any, ...], ...], sheets: frozenset[str]
) -> tuple[dict[str, str], dict[str, tuple[str, str]]] | None:
    return _parse_map(rows, sheets)


def _parse_map(
    rows: tuple[tuple[Any, ...], ...], sheets: frozenset[str]
) -> tuple[dict[str, str], dict[str, tuple[str, str]]] | None:
    """Markers and the field map, or None when the sheet is not one of ours (or tampered);
    callers copy them (a kept map is shared)."""
    markers, sections = parse_rows(rows)
    cells = sections["fields"]
    for sheet, ref in cells.values():
        if sheet not in sheets or _REF.match(ref) is None:
            return None
    if markers.get("toolkit_marker") != MARKER or not markers.get("toolkit_form"):
        return None
    return markers, cells
