"""The formulas and error values of a workbook's cells, whatever its kind: python-calamine
gives saved results only. An .xlsx is scanned (ooxml.py), an .ods parsed (odf.py), an .xls
walked record by record (biff.py: the sum-like formulas decoded from their tokens, any
other known only as "some formula")."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from toolkit.read.biff import xls_sheets
from toolkit.read.odf import ods_sheets
from toolkit.read.ooxml import sheet_parts

FORMULA_KINDS = frozenset({"xlsx", "xlsm", "ods", "xls"})


class FormulaSheet(Protocol):
    may_hold_errors: bool

    def cell(self, ref: str) -> tuple[str | None, bool]:
        """(formula text, '' when unknown, or None; whether the cell holds an error)."""
        ...

    def hidden_rows(self) -> frozenset[int]: ...

    def hidden_columns(self) -> frozenset[int]: ...


def formula_sheets(path: Path, kind: str, sheets: set[str]) -> dict[str, FormulaSheet]:
    """The named sheets of a workbook of ``kind`` (one of FORMULA_KINDS), ready for lookups."""
    if kind == "ods":
        return dict(ods_sheets(path, sheets))
    if kind == "xls":
        return dict(xls_sheets(path, sheets))
    return dict(sheet_parts(path, sheets))
