"""A total of our template whose formula a unit changed: the sheet unprotected, its
=SUM($D$9:$I$9) retyped as =SUM(D9:H9), or replaced by =MAX(…). The cell then shows what the
changed formula gives, not the sum of its parts the template meant, and that number is what
the unit publishes. Such a total is read as its formula computes it from the file's own cells
(a formula outside the evaluated subset: as the file saved it), so the rules hold it against
its parts, and the change is said.

A formula spelled otherwise but the same (dollar signs, quotes, case, spaces, the sheet named
on its own sheet — as each spreadsheet program saves it) is the template's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from toolkit.forms.excel import ExcelCompiler
from toolkit.forms.expr import Call, Ref
from toolkit.forms.model import FormSpec
from toolkit.messages import Message
from toolkit.read.cell_formulas import FormulaSheet
from toolkit.read.formulas import Cell, ErrorValue, Evaluator, Unsupported
from toolkit.read.grid import a1, zero_based

_SPELLING = re.compile(r"[$'\s]")
_KEPT = 64  # maps whose formulas are kept (a run reads the returns of a few templates)
# id of a template's parsed map (shared by its returns) -> (the map and the spec, kept alive
# so the id stays theirs; key -> formula)
_EXPECTED: dict[int, tuple[dict[str, tuple[str, str]], FormSpec, dict[str, str]]] = {}

Rows = list[list[Any]]


@dataclass
class ChangedTotals:
    """How the changed totals were read; ``values`` (the caller's) takes their figures."""

    evaluated: set[str] = field(default_factory=set)  # computed from the file's own cells
    saved: set[str] = field(default_factory=set)  # not computed here: the saved number
    errors: set[str] = field(default_factory=set)  # the formula gives an error value
    notes: list[Message] = field(default_factory=list)


def changed_totals(
    spec: FormSpec, cells: dict[str, tuple[str, str]], texts: dict[str, str]
) -> list[str]:
    """The totals among ``texts`` (key -> its formula as saved, without "=") whose formula
    is not the template's."""
    expected = _expected(spec, cells)
    return [
        key
        for key, text in texts.items()
        if key in expected and _normal(text, cells[key][0]) != expected[key]
    ]


def read_changed(
    changed: list[str],
    cells: dict[str, tuple[str, str]],
    texts: dict[str, str],
    values: dict[str, Any],
    rows_of: Callable[[str], Rows | None],
    sheet_of: Callable[[str], FormulaSheet | None],
) -> ChangedTotals:
    """Reads each changed total from ``rows_of(sheet)`` (a sheet's values, None when there
    is no such sheet) and ``sheet_of(sheet)`` (its formulas). A total neither evaluated nor
    saved (a formula not computed here, without a saved number: a script wrote the file)
    follows its parts like the template's."""

    def value_of(sheet: str, row: int, col: int) -> Any:
        rows = rows_of(sheet)
        if rows is None:
            raise Unsupported("another workbook or a missing sheet")
        value = rows[row][col] if row < len(rows) and col < len(rows[row]) else ""
        return None if value == "" else value

    def formula_of(cell: Cell) -> str | None:
        found = sheet_of(cell[0])
        return (found.cell(a1(cell[1], cell[2]))[0] or None) if found is not None else None

    def row_hidden(sheet: str, row: int) -> bool:
        found = sheet_of(sheet)
        return found is not None and row in found.hidden_rows()

    evaluator = Evaluator(formula_of, value_of, row_hidden)
    read = ChangedTotals()
    said: dict[str, list[str]] = {}  # sheet -> its changed totals
    for key in changed:
        sheet, ref = cells[key]
        try:
            values[key] = evaluator.cell((sheet, *zero_based(ref)))
            read.evaluated.add(key)
        except ErrorValue:  # said where the cell is, as any error value
            read.errors.add(key)
            continue
        except Unsupported:
            shown = values.get(key)
            if not isinstance(shown, (int, float)) or isinstance(shown, bool):
                continue
            read.saved.add(key)
        said.setdefault(sheet, []).append(key)
    for sheet, keys in said.items():  # one sentence a sheet, its first formula shown
        params = {
            "sheet": sheet,
            "cell": cells[keys[0]][1],
            "cells": "、".join(cells[key][1] for key in keys),
            "formula": "=" + texts[keys[0]],
        }
        read.notes.append(Message("read.passed.formula_changed", params))
    return read


@lru_cache(maxsize=4096)
def _normal(text: str, host: str) -> str:
    """A formula as compared: without $, quotes, spaces, case, and its own sheet's name
    (kept: a template's returns hold the same few dozen)."""
    return _SPELLING.sub("", text).upper().replace(_SPELLING.sub("", host).upper() + "!", "")


def _expected(spec: FormSpec, cells: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Key -> the template's formula (as compared) of each total whose cells are all mapped:
    the template writer's SUM over its parts. Worked out once per map (``cells`` is the
    parsed map its returns share, never changed)."""
    kept = _EXPECTED.get(id(cells))
    if kept is not None and kept[0] is cells and kept[1] is spec:
        return kept[2]

    def locate(key: str) -> Cell:
        sheet, ref = cells[key]
        return (sheet, *zero_based(ref))

    formulas: dict[str, str] = {}
    for total in spec.totals:
        if total.total in formulas or not all(k in cells for k in (total.total, *total.parts)):
            continue  # the first total declared computes it (FormSpec.total_of)
        host = cells[total.total][0]
        text = ExcelCompiler(locate, host).number(Call("sum", tuple(Ref(p) for p in total.parts)))
        formulas[total.total] = _normal(text, host)
    if len(_EXPECTED) >= _KEPT:
        _EXPECTED.clear()
    _EXPECTED[id(cells)] = (cells, spec, formulas)
    return formulas
