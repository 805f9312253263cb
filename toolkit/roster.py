"""Reading the roster of expected units (单位名单) that superior offices keep in Excel or CSV.

The headers a roster may use are data, not code: they live in ``workbook_templates/roster.toml``.
Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) are read with python-calamine, CSV with the csv module
(UTF-8 with or without BOM, GBK/GB18030 as saved by Excel on Chinese Windows, or UTF-16 with BOM).
The format is decided from the file's first bytes, so a workbook with a wrong extension still
reads. Every failure a user can fix is a ``UserError`` with an id under ``roster.``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.errors import UserError

ROSTER_CONFIG = Path(__file__).resolve().parent.parent / "workbook_templates" / "roster.toml"
FIELDS = ("name", "email", "contact", "group")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
# A sparse sheet (one cell in A1, one in XFD100000) would expand to billions of cells.
MAX_CELLS = 10_000_000
HEADER_SEARCH_ROWS = 10
LIST_LIMIT = 20  # at most this many items are listed in one message

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


@dataclass(frozen=True)
class RosterEntry:
    """One expected unit; ``row`` is its 1-based row in the file (record number for CSV)."""

    name: str
    email: str | None
    contact: str | None
    group: str | None
    row: int


@dataclass(frozen=True)
class ColumnSpec:
    """One roster field and the headers that identify its column."""

    field: str
    label: str
    variants: tuple[str, ...]
    required: bool

    @property
    def aliases(self) -> tuple[str, ...]:
        """The label first, then the variants, in order of preference."""
        return (self.label, *self.variants)


@dataclass(frozen=True)
class _Sheet:
    """A table to search for the roster: its first rows, and a way to read all of it."""

    name: str
    head: list[list[Any]]
    load: Callable[[], list[list[Any]]]


@dataclass(frozen=True)
class _Header:
    """Where the header row is (0-based) and which column (0-based) holds each field."""

    row: int
    columns: dict[str, int]


# --- configuration -------------------------------------------------------------------------


@cache
def load_columns(config: Path = ROSTER_CONFIG) -> tuple[ColumnSpec, ...]:
    """The roster columns described in ``config`` (``workbook_templates/roster.toml``).

    A broken configuration is a bug of the installation, not of the user's input, so it raises
    ``RuntimeError``.
    """
    with config.open("rb") as handle:
        table = tomllib.load(handle).get("columns", {})
    missing = [field for field in FIELDS if field not in table]
    if missing:
        raise RuntimeError(f"{config}: [columns] lacks {', '.join(missing)}")
    specs = []
    for field in FIELDS:
        entry = table[field]
        label, variants = entry.get("label"), entry.get("variants", [])
        if not isinstance(label, str) or not all(isinstance(v, str) for v in variants):
            raise RuntimeError(f"{config}: columns.{field} needs a string label and variants")
        specs.append(ColumnSpec(field, label, tuple(variants), bool(entry.get("required"))))
    return tuple(specs)


# --- text normalisation --------------------------------------------------------------------


def _squeeze(text: str) -> str:
    """``text`` NFKC-normalised, without any whitespace or invisible characters, case-folded."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and c not in _INVISIBLE).casefold()


def normalise_header(text: str) -> str:
    """The comparison form of a header: squeezed, ``*`` marks and a trailing (note) removed."""
    squeezed = _squeeze(text).replace("*", "")
    return _TRAILING_NOTE.sub("", squeezed) or squeezed


def name_key(name: str) -> str:
    """The form under which two unit names count as the same unit."""
    return _squeeze(name)


def cell_text(value: Any) -> str:
    """A cell value as stripped text; ``1.0`` becomes ``"1"``, empty cells ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip().strip(_INVISIBLE).strip()


def _neutral_list(items: Sequence[str]) -> str:
    """Items joined for a message parameter, cut after ``LIST_LIMIT`` with an ellipsis.

    Parameters are stored when the error is raised and rendered later in either language, so
    lists use language-neutral punctuation.
    """
    shown = list(items[:LIST_LIMIT])
    if len(items) > LIST_LIMIT:
        shown.append("…")
    return ", ".join(shown)


def _quoted(text: str, limit: int = 40) -> str:
    """``text`` in quotation marks, shortened to ``limit`` characters."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"“{text}”"


# --- reading files -------------------------------------------------------------------------


def _check_path(path: Path) -> None:
    """Refuse a missing, non-regular, empty or oversized file."""
    if not path.exists():
        raise UserError("roster.not_found", path=str(path))
    if not path.is_file():
        raise UserError("roster.not_a_file", path=str(path))
    size = path.stat().st_size
    if size == 0:
        raise UserError("roster.empty", path=str(path))
    if size > MAX_FILE_BYTES:
        raise UserError(
            "roster.too_large",
            path=str(path),
            size_mb=f"{size / 1024 / 1024:.1f}",
            limit_mb=MAX_FILE_BYTES // 1024 // 1024,
        )


def _read_bytes(path: Path) -> bytes:
    """The file's content; an unreadable file is a ``UserError``."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise UserError("roster.cannot_open", path=str(path)) from error


def _is_workbook(data: bytes) -> bool:
    """Whether ``data`` starts like a zip (xlsx, ods) or OLE (xls) container."""
    return data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC)


def _unreadable(path: Path, error: BaseException) -> UserError:
    """The ``roster.unreadable`` error for ``path``, unless ``error`` must propagate."""
    if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise error
    return UserError("roster.unreadable", path=str(path))


def _workbook_sheets(path: Path) -> list[_Sheet]:
    """The sheets of a workbook, each with its first rows read."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = []
        for index, sheet_name in enumerate(workbook.sheet_names):
            sheet = workbook.get_sheet_by_index(index)
            head = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
            sheets.append(_Sheet(sheet_name, head, _sheet_loader(path, sheet, sheet_name)))
    except OSError as error:
        raise UserError("roster.cannot_open", path=str(path)) from error
    except BaseException as error:  # calamine may raise a pyo3 PanicException (BaseException)
        raise _unreadable(path, error) from error
    return sheets


def _sheet_loader(path: Path, sheet: Any, sheet_name: str) -> Callable[[], list[list[Any]]]:
    """A function reading all rows of ``sheet`` after checking its size."""

    def load() -> list[list[Any]]:
        end = sheet.end
        rows, columns = (end[0] + 1, end[1] + 1) if end else (0, 0)
        if rows > MAX_ROWS:
            raise UserError("roster.too_many_rows", path=str(path), limit=MAX_ROWS)
        if rows * columns > MAX_CELLS:
            raise UserError(
                "roster.too_many_cells", path=str(path), sheet=sheet_name, rows=rows,
                columns=columns,
            )
        try:
            return sheet.to_python(skip_empty_area=False)
        except BaseException as error:
            raise _unreadable(path, error) from error

    return load


def _decode_text(path: Path, data: bytes) -> str:
    """CSV bytes as text: UTF-16 with BOM, else UTF-8 (BOM optional), else GB18030."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UserError("roster.encoding", path=str(path)) from error
    if b"\x00" in data[:8192]:
        raise UserError("roster.unreadable", path=str(path))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError("roster.encoding", path=str(path))


def _delimiter(text: str) -> str:
    """Tab for tab-separated text (Excel's "Unicode text"), otherwise comma."""
    for line in text.splitlines():
        if line.strip():
            return "\t" if "\t" in line and "," not in line else ","
    return ","


def _csv_rows(path: Path, data: bytes) -> list[list[Any]]:
    """The records of a CSV file, refusing markup and more than ``MAX_ROWS`` records."""
    text = _decode_text(path, data)
    if text.lstrip(_INVISIBLE + " \t\r\n").startswith("<"):  # HTML or XML saved as .xls/.csv
        raise UserError("roster.unreadable", path=str(path))
    rows: list[list[Any]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)):
            rows.append(record)
            if len(rows) > MAX_ROWS:
                raise UserError("roster.too_many_rows", path=str(path), limit=MAX_ROWS)
    except csv.Error as error:
        raise UserError("roster.unreadable", path=str(path)) from error
    return rows


def _load_sheets(path: Path) -> list[_Sheet]:
    """The tables in ``path``: every sheet of a workbook, or the one table of a CSV file."""
    data = _read_bytes(path)
    if _is_workbook(data):
        return _workbook_sheets(path)
    rows = _csv_rows(path, data)
    return [_Sheet(path.name, rows[:HEADER_SEARCH_ROWS], lambda: rows)]


# --- interpreting the table ----------------------------------------------------------------


def _match_column(spec: ColumnSpec, headers: list[str], taken: Iterable[int]) -> int | None:
    """The column whose header best matches ``spec`` (preferred alias, then leftmost)."""
    used = set(taken)
    for alias in spec.aliases:
        wanted = normalise_header(alias)
        for index, header in enumerate(headers):
            if header == wanted and index not in used:
                return index
    return None


def _find_header(head: list[list[Any]], specs: tuple[ColumnSpec, ...]) -> _Header | None:
    """The first of ``head``'s rows that names the unit-name column, with its column map."""
    name_spec = next(spec for spec in specs if spec.field == "name")
    for row_index, row in enumerate(head[:HEADER_SEARCH_ROWS]):
        headers = [normalise_header(cell_text(cell)) for cell in row]
        name_column = _match_column(name_spec, headers, ())
        if name_column is None:
            continue
        columns = {"name": name_column}
        for spec in specs:
            if spec.field not in columns:
                found = _match_column(spec, headers, columns.values())
                if found is not None:
                    columns[spec.field] = found
        return _Header(row_index, columns)
    return None


def _visible_headers(sheets: list[_Sheet]) -> list[str]:
    """The likeliest header row of the first non-empty sheet: its fullest early row."""
    for sheet in sheets:
        rows = [[cell_text(cell) for cell in row] for row in sheet.head]
        rows = [[cell for cell in row if cell] for row in rows]
        fullest = max(rows, key=len, default=[])
        if fullest:
            return fullest
    return []


def _no_name_column(path: Path, sheets: list[_Sheet], specs: tuple[ColumnSpec, ...]) -> UserError:
    """The error for a roster without a recognisable unit-name column."""
    found = _visible_headers(sheets)
    if not found:
        return UserError("roster.empty", path=str(path))
    name_spec = next(spec for spec in specs if spec.field == "name")
    return UserError(
        "roster.no_name_column",
        path=str(path),
        rows=HEADER_SEARCH_ROWS,
        found=_neutral_list([_quoted(header) for header in found]),
        accepted=_neutral_list([_quoted(alias) for alias in name_spec.aliases]),
    )


def _field(cells: list[str], columns: dict[str, int], field: str) -> str | None:
    """The text of ``field`` in a row, or None if the column is absent or the cell blank."""
    index = columns.get(field)
    if index is None or index >= len(cells):
        return None
    return cells[index] or None


def _entries(rows: list[list[Any]], header: _Header) -> tuple[list[RosterEntry], list[int]]:
    """The units below the header, and the rows that have contact data but no unit name."""
    entries: list[RosterEntry] = []
    nameless: list[int] = []
    for index in range(header.row + 1, len(rows)):
        cells = [cell_text(cell) for cell in rows[index]]
        if not any(cells):
            continue
        values = {field: _field(cells, header.columns, field) for field in FIELDS}
        if values["name"] is None:
            if values["email"] or values["contact"]:
                nameless.append(index + 1)
            continue
        entries.append(
            RosterEntry(
                name=values["name"],
                email=values["email"],
                contact=values["contact"],
                group=values["group"],
                row=index + 1,
            )
        )
    return entries, nameless


def _check_duplicates(path: Path, entries: list[RosterEntry]) -> None:
    """Refuse unit names that occur more than once (after whitespace removal and NFKC)."""
    groups: dict[str, list[RosterEntry]] = {}
    for entry in entries:
        groups.setdefault(name_key(entry.name), []).append(entry)
    duplicates = [group for group in groups.values() if len(group) > 1]
    if not duplicates:
        return
    items = [
        f"{_quoted(group[0].name)} ({', '.join(str(entry.row) for entry in group)})"
        for group in duplicates
    ]
    raise UserError(
        "roster.duplicate_names",
        path=str(path),
        count=len(duplicates),
        duplicates="; ".join(items[:LIST_LIMIT]) + ("; …" if len(items) > LIST_LIMIT else ""),
    )


def read_roster(path: Path) -> list[RosterEntry]:
    """The expected units listed in the roster at ``path``, in file order.

    The first sheet with a recognised unit-name header in one of its first 10 rows is used;
    title rows above the header are skipped, as are blank rows. Raises ``UserError`` (ids under
    ``roster.``) if the file is missing, too large, unreadable, has no unit-name column, lists
    no units, has rows with contact data but no unit name, or lists a unit twice.
    """
    path = Path(path)
    _check_path(path)
    specs = load_columns()
    sheets = _load_sheets(path)
    for sheet in sheets:
        header = _find_header(sheet.head, specs)
        if header is not None:
            break
    else:
        raise _no_name_column(path, sheets, specs)
    entries, nameless = _entries(sheet.load(), header)
    if nameless:
        rows = _neutral_list([str(row) for row in nameless])
        raise UserError("roster.name_missing", path=str(path), rows=rows)
    if not entries:
        raise UserError("roster.no_units", path=str(path), header_row=header.row + 1)
    _check_duplicates(path, entries)
    return entries
