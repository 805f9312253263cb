"""An .xls file's formulas, kept as tokens in reverse Polish order: the sum-like ones are put
back into text for the evaluator, anything else is "some formula" ('')."""

from __future__ import annotations

import struct

import pytest

from toolkit.read.biff import formula_text


def _ref(row: int, col: int, kind: int = 0x44) -> bytes:
    return bytes([kind]) + struct.pack("<HH", row, col | 0xC000)


def _area(top: int, bottom: int, left: int, right: int) -> bytes:
    return b"\x25" + struct.pack("<HHHH", top, bottom, left | 0xC000, right | 0xC000)


SUM_ONE = b"\x19\x10\x00\x00"  # the attribute that sums one argument


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (_area(8, 8, 3, 8) + SUM_ONE, "SUM(D9:I9)"),
        (_ref(8, 3) + _ref(8, 4) + b"\x03" + _ref(8, 5) + b"\x04", "D9+E9-F9"),
        (_ref(0, 0, 0x24) + b"\x1e\x00\x00" + b"\x21\x1b\x00", "ROUND(A1,0)"),
        (b"\x1e\x09\x00" + _area(1, 4, 1, 1) + b"\x22\x02\x58\x01", "SUBTOTAL(9,B2:B5)"),
        (_ref(2, 2) + b"\x15" + b"\x1f" + struct.pack("<d", 2.5) + b"\x05", "(C3)*2.5"),
        (_ref(0, 0) + b"\x19\x02\x04\x00", ""),  # IF: not the sum-like subset
        (b"\x3a\x00\x00" + struct.pack("<HH", 0, 0xC000), ""),  # another sheet
        (b"\x01\x08\x00\x09\x00", ""),  # a shared formula, its text elsewhere
        (_area(8, 8, 3, 8)[:5], ""),  # cut short: a damaged record
        (_ref(0, 0) + _ref(0, 1), ""),  # two values, no operator
        (b"\x44" + struct.pack("<HH", 8, 3) + SUM_ONE, "SUM($D$9)"),  # absolute: as written
        (b"\x1f" + struct.pack("<d", float("nan")), ""),  # no writer puts NaN in a formula
    ],
)
def test_formula_tokens_are_read_back_as_text(tokens: bytes, text: str) -> None:
    assert formula_text(tokens) == text


def test_a_shared_formulas_references_are_offsets_from_each_cell() -> None:
    """SUM(D9:I9) written once for J9:J31: at J10 it is SUM(D10:I10) (row offset 0, columns
    -6 to -1 from J, relative flags set)."""
    relative = 0xC000
    tokens = (
        b"\x2d"
        + struct.pack("<HHHH", 0, 0, (0x100 - 6) | relative, (0x100 - 1) | relative)
        + SUM_ONE
    )
    assert formula_text(tokens, (9, 9)) == "SUM(D10:I10)"
    # an offset past the first column wraps round the sheet, as Excel's do
    assert formula_text(b"\x2c" + struct.pack("<HH", 0, 0xFF | relative), (0, 0)) == "IV1"
    assert formula_text(tokens) == ""  # without its cell it means nothing


def test_a_reference_to_another_sheet_names_it() -> None:
    """A total that adds a cell of another sheet (or of its own, named: what Excel writes
    when one clicks away and back) is read with that sheet's name, through the workbook's
    EXTERNSHEET entries; an entry naming another workbook is not followed."""
    to_other = b"\x3a" + struct.pack("<HHH", 0, 0, 0xC000)  # entry 0: '附'!A1
    own = b"\x3b" + struct.pack("<HHHHH", 1, 25, 25, 5 | 0xC000, 10 | 0xC000)
    sheets: list[str | None] = ["附", "年度报告", None]
    assert formula_text(to_other, sheets=sheets) == "'附'!A1"
    assert formula_text(own + SUM_ONE, sheets=sheets) == "SUM('年度报告'!F26:K26)"
    assert formula_text(b"\x3a" + struct.pack("<HHH", 2, 0, 0xC000), sheets=sheets) == ""
    assert formula_text(to_other) == ""  # without the workbook's entries
