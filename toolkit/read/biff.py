"""Which cells of an .xls (Excel 97–2003, BIFF8) hold a formula (and its text) or an error
value, as ooxml.py finds them in an .xlsx: python-calamine gives an .xls file's saved
results only, and '' for an error. A formula is kept as tokens in reverse Polish order; the
sum-like ones people write in report tables (cells and ranges of its own sheet, numbers,
+ - * /, SUM, SUBTOTAL, ROUND, N) are put back into text, any other is "some formula" (''):
its total is recomputed from its parts, never taken from its saved result. An error result
(#DIV/0!) is an error, not a blank.

The file is an OLE compound document (olefile opens it); its Workbook stream is a run of
records: a header (type, length) and a body. Only four kinds are read: the sheet list
(BOUNDSHEET), and in each sheet FORMULA, BOOLERR (a typed error) and ROW (hidden rows). A
record that does not fit is the end of what is read (a damaged file is read as far as it
goes; python-calamine has read its values).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import olefile
from openpyxl.utils.cell import get_column_letter

from toolkit.read.scanned import EMPTY, MAX_FORMULA_CELLS, Found, ScannedSheet
from toolkit.read.source import source

_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085
_FORMULA, _BOOLERR, _ROW, _SHARED, _COLINFO = 0x0006, 0x0205, 0x0208, 0x04BC, 0x007D
_SUPBOOK, _EXTERNSHEET = 0x01AE, 0x0017
_HIDDEN_ROW = 0x0020  # ROW's fDyZero: the row is hidden
_HIDDEN_COLUMNS = 0x0001  # COLINFO's fHidden: its columns are hidden


def xls_sheets(path: Path, sheets: set[str]) -> dict[str, ScannedSheet]:
    """The named sheets of an .xls, each ready for cell lookups (a sheet not found, or a
    file not in BIFF8, looks as if it held no formula)."""
    try:
        stream = _workbook_stream(source(path).data())
        offsets, others = _globals(stream) if stream else ({}, [])
        found = {name: _sheet(stream, offsets[name], others) for name in sheets if name in offsets}
    except Exception:  # a stream olefile or we cannot follow: its values, as saved
        found = {}
    return {name: found.get(name, EMPTY) for name in sheets}


def _workbook_stream(data: bytes) -> bytes:
    """The BIFF8 Workbook stream ('' for BIFF5 and older, whose "Book" stream we skip)."""
    with olefile.OleFileIO(data) as document:
        if not document.exists("Workbook"):
            return b""
        return document.openstream("Workbook").read()


def _records(stream: bytes, start: int) -> list[tuple[int, bytes]]:
    """The records from ``start`` to the EOF that closes them (a nested BOF's too)."""
    out = []
    at, depth = start, 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4 : at + 4 + length]
        if len(body) < length:
            break
        at += 4 + length
        out.append((kind, body))
        if kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                break
    return out


def _globals(stream: bytes) -> tuple[dict[str, int], list[str | None]]:
    """From the globals' records: sheet name -> where its records begin (BOUNDSHEET); and
    for each entry of EXTERNSHEET, the sheet of this workbook a 3-D reference through it
    names (None: another workbook, or a range of sheets)."""
    offsets: dict[str, int] = {}
    names: list[str] = []
    books: list[bool] = []  # each SUPBOOK: whether it is this workbook
    entries: list[tuple[int, int, int]] = []
    for kind, body in _records(stream, 0):
        if kind == _BOUNDSHEET and len(body) >= 8:
            position, count, wide = struct.unpack_from("<I", body)[0], body[6], body[7] & 1
            raw = body[8 : 8 + count * (2 if wide else 1)]
            name = raw.decode("utf-16-le" if wide else "latin-1", "replace")
            names.append(name)
            offsets.setdefault(name, position)
        elif kind == _SUPBOOK:
            books.append(body[2:4] == b"\x01\x04")
        elif kind == _EXTERNSHEET and len(body) >= 2:
            count = struct.unpack_from("<H", body)[0]
            entries += [struct.unpack_from("<HHH", body, 2 + 6 * i) for i in range(count)
                        if 2 + 6 * (i + 1) <= len(body)]  # fmt: skip
    others: list[str | None] = []
    for book, first, last in entries:
        ours = book < len(books) and books[book] and first == last < len(names)
        others.append(names[first] if ours else None)
    return offsets, others


def _sheet(stream: bytes, start: int, others: list[str | None] | None = None) -> ScannedSheet:
    cells: dict[str, Found] = {}
    hidden: set[int] = set()
    hidden_columns: set[int] = set()
    # a formula written once for a block of cells (SHRFMLA, after its first cell's FORMULA):
    # each cell of the block points to it, and its references are offsets from that cell
    shared: dict[tuple[int, int], bytes] = {}
    pointing: list[tuple[int, int, tuple[int, int], bool]] = []
    for kind, body in _records(stream, start):
        if len(cells) > MAX_FORMULA_CELLS:
            return EMPTY  # a bomb, not a report: its values only
        if kind == _FORMULA and len(body) >= 22:
            row, col = struct.unpack_from("<HH", body)
            result = body[6:14]
            error = result[0] == 2 and result[6:8] == b"\xff\xff"
            size = struct.unpack_from("<H", body, 20)[0]
            tokens = body[22 : 22 + size]
            if len(tokens) == 5 and tokens[0] == 0x01:
                pointing.append((row, col, struct.unpack_from("<HH", tokens, 1), error))
            cells[_ref(row, col)] = (formula_text(tokens, sheets=others), error)
        elif kind == _SHARED and len(body) >= 10:
            top, left = struct.unpack_from("<H", body)[0], body[4]
            size = struct.unpack_from("<H", body, 8)[0]
            shared[(top, left)] = body[10 : 10 + size]
        elif kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
            row, col = struct.unpack_from("<HH", body)
            cells[_ref(row, col)] = (None, True)
        elif kind == _ROW and len(body) >= 14:
            row, flags = struct.unpack_from("<H", body)[0], struct.unpack_from("<H", body, 12)[0]
            if flags & _HIDDEN_ROW:
                hidden.add(row)
        elif kind == _COLINFO and len(body) >= 10:
            first, last = struct.unpack_from("<HH", body)
            if struct.unpack_from("<H", body, 8)[0] & _HIDDEN_COLUMNS:
                hidden_columns.update(range(first, min(last, 255) + 1))
    for row, col, master, error in pointing:
        if master in shared:
            cells[_ref(row, col)] = (formula_text(shared[master], (row, col), others), error)
    return ScannedSheet(cells, frozenset(hidden), frozenset(hidden_columns))


# function numbers (iftab) of the calls kept, and how many arguments a fixed one takes
_VARIABLE_CALLS = {4: "SUM", 344: "SUBTOTAL"}
_FIXED_CALLS = {27: ("ROUND", 2), 131: ("N", 1)}
_OPERATORS = {0x03: "+", 0x04: "-", 0x05: "*", 0x06: "/"}


def formula_text(
    tokens: bytes, cell: tuple[int, int] | None = None, sheets: list[str | None] | None = None
) -> str:
    """A formula's tokens (BIFF8 rgce) as spreadsheet text without its "=", or '' when it
    holds any token outside the sum-like subset; ``cell``: the (row, col) a shared
    formula's relative references are offsets from; ``sheets``: the sheet each EXTERNSHEET
    entry names, for a reference to another sheet (or this one by name)."""
    stack: list[str] = []
    at = 0
    try:
        while at < len(tokens):
            token = tokens[at]
            base = token & 0x1F if token >= 0x20 else token  # a class bit picks ref/value/array
            at += 1
            if token in _OPERATORS:
                right, left = stack.pop(), stack.pop()
                stack.append(f"{left}{_OPERATORS[token]}{right}")
            elif token == 0x12:  # unary plus
                continue
            elif token == 0x13:
                stack.append(f"-{stack.pop()}")
            elif token == 0x15:
                stack.append(f"({stack.pop()})")
            elif token == 0x1E:
                stack.append(str(struct.unpack_from("<H", tokens, at)[0]))
                at += 2
            elif token == 0x1F:
                number = struct.unpack_from("<d", tokens, at)[0]
                if not math.isfinite(number):
                    return ""  # no spreadsheet writes NaN or infinity as a constant
                stack.append(repr(number))
                at += 8
            elif token == 0x19:  # an attribute: SUM of one argument, a space, volatile
                flags = tokens[at]
                at += 3
                if flags & 0x10:
                    stack.append(f"SUM({stack.pop()})")
                elif not flags & 0x41:
                    return ""  # IF, CHOOSE and the jumps they make
            elif token >= 0x20 and base == 0x04:  # a cell of this sheet
                row, col = struct.unpack_from("<HH", tokens, at)
                stack.append(_written(row, col))
                at += 4
            elif token >= 0x20 and base == 0x05:  # a range of this sheet
                top, bottom, left, right = struct.unpack_from("<HHHH", tokens, at)
                stack.append(f"{_written(top, left)}:{_written(bottom, right)}")
                at += 8
            elif token >= 0x20 and base in (0x1A, 0x1B) and sheets is not None:  # 3-D
                entry = struct.unpack_from("<H", tokens, at)[0]
                sheet = sheets[entry] if entry < len(sheets) else None
                if sheet is None:
                    return ""  # another workbook, or a range of sheets
                quoted = "'" + sheet.replace("'", "''") + "'!"
                if base == 0x1A:
                    row, col = struct.unpack_from("<HH", tokens, at + 2)
                    stack.append(quoted + _written(row, col))
                    at += 6
                else:
                    top, bottom, left, right = struct.unpack_from("<HHHH", tokens, at + 2)
                    stack.append(f"{quoted}{_written(top, left)}:{_written(bottom, right)}")
                    at += 10
            elif token >= 0x20 and base == 0x0C and cell is not None:  # a shared one's cell
                row, col = struct.unpack_from("<HH", tokens, at)
                stack.append(_written(*_offset(row, col, cell)))
                at += 4
            elif token >= 0x20 and base == 0x0D and cell is not None:  # a shared one's range
                top, bottom, left, right = struct.unpack_from("<HHHH", tokens, at)
                first, last = _offset(top, left, cell), _offset(bottom, right, cell)
                stack.append(f"{_written(*first)}:{_written(*last)}")
                at += 8
            elif token >= 0x20 and base == 0x01:  # a function of fixed arguments
                number = struct.unpack_from("<H", tokens, at)[0]
                at += 2
                name, count = _FIXED_CALLS[number]
                arguments = [stack.pop() for _ in range(count)][::-1]
                stack.append(f"{name}({','.join(arguments)})")
            elif token >= 0x20 and base == 0x02:  # a function of variable arguments
                count, number = tokens[at], struct.unpack_from("<H", tokens, at + 1)[0] & 0x7FFF
                at += 3
                arguments = [stack.pop() for _ in range(count)][::-1]
                stack.append(f"{_VARIABLE_CALLS[number]}({','.join(arguments)})")
            else:
                return ""  # another sheet or file, a name, a shared formula, a string …
    except (IndexError, KeyError, ValueError, struct.error):
        return ""
    return stack[0] if len(stack) == 1 else ""


def _offset(row: int, col: int, cell: tuple[int, int]) -> tuple[int, int]:
    """A shared formula's reference from ``cell`` (its relative flags kept in the column
    word): a relative row is a 16-bit offset, a relative column an 8-bit one, each wrapping
    round the sheet as Excel's do."""
    flags = col & 0xC000
    if flags & 0x8000:
        row = (cell[0] + row) % 0x10000
    if flags & 0x4000:
        col = (cell[1] + (col & 0xFF)) % 0x100
    return row, (col & 0x3FFF) | flags


def _written(row: int, col: int) -> str:
    """A reference as written: "$" before a row or column that is not relative (bits 15
    and 14 of the column word say which are)."""
    column = get_column_letter((col & 0x3FFF) + 1)
    return f"{'' if col & 0x4000 else '$'}{column}{'' if col & 0x8000 else '$'}{row + 1}"


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"
