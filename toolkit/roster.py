"""Reading the roster of expected units (单位名单) that superior offices keep in Excel or CSV.

The headers a roster may use are data, not code: they live in ``workbook_templates/_roster.toml``.
Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) are read with python-calamine, CSV with the csv module
(UTF-8 with or without BOM, GBK/GB18030 as saved by Excel on Chinese Windows, or UTF-16 with BOM).
The format is decided from the file's first bytes, so a workbook with a wrong extension still
reads. Every failure a user can fix is a ``UserError`` with an id under ``roster.``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import tomllib
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import fromstring

from toolkit.cellmap import META_SHEET
from toolkit.errors import UserError
from toolkit.paths import builtin_dir
from toolkit.text import MAX_NAME_LENGTH, clean_name

T = TypeVar("T")

ROSTER_CONFIG = builtin_dir() / "_roster.toml"
FIELDS = ("name", "email", "contact", "group")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
# A sparse sheet (one cell in A1, one in XFD100000) would expand to billions of cells.
MAX_CELLS = 10_000_000
HEADER_ROWS = 10
LIST_LIMIT = 20  # at most this many items are listed in one message

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
# A cell start tag of SpreadsheetML with its reference; group 3 is "/" for an empty cell.
_CELL_TAG = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')
_SCAN_CHUNK = 1 << 20


# a 邮箱 cell as people write it, once NFKC has made ＠ and full-width letters plain: notes in
# brackets and "mailto:" are no part of an address; ; , ， ； 、 / : spaces, <> and the
# brackets round an address part them
_MAILTO = re.compile(r"mailto:", re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()@]*\)|\[[^\[\]@]*\]")  # a note, not "张三(zs@x.cn)"
_ADDRESS_SEPARATORS = re.compile(r"[\s;,，；、/|:<>()\[\]\"]+")
# an address as mail headers carry one, cut out of whatever is glued to it (a@b.cn办公室,
# a@b.cn?); an address in another script (张三@例子.中国) only as a whole token
_ASCII_ADDRESS = re.compile(
    r"[A-Za-z0-9._%+'!#$&*=?^{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z][A-Za-z0-9-]+"
)
_ADDRESS = re.compile(r"[^@]+@[^@]+\.[^@.]+")


def sendable_address(text: str) -> str | None:
    """``text`` if it is one address a mail header can carry as it is (ASCII), else None."""
    written = unicodedata.normalize("NFKC", text).strip()
    return written if _ASCII_ADDRESS.fullmatch(written) else None


@dataclass(frozen=True)
class RosterEntry:
    """One expected unit; ``row`` is its 1-based row in the file (record number for CSV)."""

    name: str
    email: str | None
    contact: str | None
    group: str | None
    row: int
    # without a roster, a unit known only by its sender's address (its file named none):
    # its name is ours to show, not one to greet it by or write into its template
    placeholder: bool = False

    @property
    def addresses(self) -> list[str]:
        """The addresses its 邮箱 cell gives, however written: several split by ; , ， ； 、
        or spaces, each maybe with a name ("水利局 <slj@x.cn>"), a note ("x@y.cn（办公室）")
        or "mailto:"."""
        text = _MAILTO.sub(" ", unicodedata.normalize("NFKC", self.email or ""))
        found: dict[str, str] = {}  # one address however its case is written
        for token in _ADDRESS_SEPARATORS.split(_BRACKETED.sub(" ", text)):
            token = token.strip(".'。")
            addresses = _ASCII_ADDRESS.findall(token)
            if not addresses and not token.isascii() and _ADDRESS.fullmatch(token):
                addresses = [token]
            for address in addresses:
                found.setdefault(address.lower(), address)
        return list(found.values())

    @property
    def email_written(self) -> bool:
        """Whether its 邮箱 cell holds an address as typed, read or not (an @ in it: 无 or
        — says there is none)."""
        return "@" in unicodedata.normalize("NFKC", self.email or "")


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
class _Header:
    """Where the header is and which column holds each field (all 0-based).

    ``last_row`` differs from ``row`` for a two-row header, where fields such as 联系人 and 邮箱
    sit in the row below a merged 联系方式 cell.
    """

    row: int
    last_row: int
    columns: dict[str, int]


# --- configuration -------------------------------------------------------------------------


@cache
def load_columns(config: Path = ROSTER_CONFIG) -> tuple[ColumnSpec, ...]:
    """The roster columns described in ``config`` (``workbook_templates/_roster.toml``).

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
    return clean_name(str(value))


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


def _calamine(path: Path, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)`` with calamine's failures turned into ``UserError``.

    Calamine raises its own errors, ``OSError``, and on malformed input sometimes a pyo3
    ``PanicException``, which derives from ``BaseException``; all of them mean the file cannot
    be read. Interrupts still propagate.
    """
    try:
        return call(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except UserError:
        raise
    except OSError as error:
        raise UserError("roster.cannot_open", path=str(path)) from error
    except BaseException as error:
        raise UserError("roster.unreadable", path=str(path)) from error


def _check_extent(path: Path, sheet_name: str, rows: int, columns: int) -> None:
    """Refuse a sheet spanning more than ``MAX_ROWS`` rows or ``MAX_CELLS`` cells from A1."""
    if rows > MAX_ROWS:
        raise UserError("roster.too_many_rows", path=str(path), limit=MAX_ROWS)
    if rows * columns > MAX_CELLS:
        raise UserError(
            "roster.too_many_cells", path=str(path), sheet=sheet_name, rows=rows, columns=columns
        )


def _xml_local(tag: str) -> str:
    """An XML tag or attribute name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def _ooxml_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part (``xl/worksheets/sheet1.xml``) of an OOXML workbook."""
    workbook = fromstring(archive.read("xl/workbook.xml"))
    relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in relations.iter()
        if _xml_local(rel.tag) == "Relationship"
    }
    parts: dict[str, str] = {}
    for sheet in workbook.iter():
        if _xml_local(sheet.tag) != "sheet":
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if _xml_local(k) == "id"), None)
        target, name = targets.get(rel_id), sheet.get("name")
        if target and name is not None:
            resolved = target[1:] if target.startswith("/") else f"xl/{target}"
            parts[name] = posixpath.normpath(resolved)
    return parts


def _scan_cells(chunk: bytes, extent: list[int]) -> None:
    """Widen ``extent`` ([rows, columns]) to every cell with content in ``chunk``."""
    for match in _CELL_TAG.finditer(chunk):
        if match.group(3):  # <c r="XFD9" s="1"/>: formatting only, calamine ignores it
            continue
        column = 0
        for letter in match.group(1):
            column = column * 26 + letter - 64
        extent[0] = max(extent[0], int(match.group(2)))
        extent[1] = max(extent[1], column)


def _part_extent(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """Rows and columns, counted from A1, of the cells with content in one worksheet part.

    The XML is streamed, never held whole; the scan stops once the sheet is too big anyway.
    """
    extent = [0, 0]
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            buffer = tail + chunk
            cut = buffer.rfind(b"<")
            if cut < 0 or buffer.find(b">", cut) >= 0:
                cut = len(buffer)  # no tag is cut in two
            _scan_cells(buffer[:cut], extent)
            tail = buffer[cut:] if len(buffer) - cut <= _SCAN_CHUNK else b""  # not XML anyway
            if extent[0] > MAX_ROWS or extent[0] * extent[1] > MAX_CELLS:
                break
    return extent[0], extent[1]


def _ooxml_extents(path: Path) -> dict[str, tuple[int, int]]:
    """Sheet name -> (rows, columns) of an .xlsx/.xlsm, read before calamine loads it.

    Calamine allocates every sheet as a dense rows × columns block, so one stray value far
    away (say in XFD1048576) would exhaust memory and abort the whole process. Anything this
    scan cannot make sense of is left to calamine, which then reports its own error.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _ooxml_sheet_parts(archive)
            return {
                name: _part_extent(archive, part)
                for name, part in parts.items()
                if part in archive.NameToInfo
            }
    except (KeyError, OSError, ValueError, zipfile.BadZipFile, zlib.error, ParseError):
        return {}  # ValueError covers defusedxml's refusals of hostile XML


def _workbook_table(
    path: Path, data: bytes, specs: tuple[ColumnSpec, ...]
) -> tuple[list[list[Any]], _Header]:
    """All rows of the first sheet with a unit-name header, and that header."""
    from python_calamine import CalamineWorkbook

    extents = _ooxml_extents(path) if data.startswith(_ZIP_MAGIC) else {}
    workbook = _calamine(path, CalamineWorkbook.from_path, str(path))
    if META_SHEET in workbook.sheet_names:  # a template or a return given for the roster
        workbook.close()
        raise UserError("roster.is_return", path=str(path))
    try:
        heads: list[list[list[Any]]] = []
        for index, sheet_name in enumerate(workbook.sheet_names):
            if sheet_name in extents:
                _check_extent(path, sheet_name, *extents[sheet_name])
            sheet = _calamine(path, workbook.get_sheet_by_index, index)
            end = sheet.end
            _check_extent(path, sheet_name, *((end[0] + 1, end[1] + 1) if end else (0, 0)))
            head = _calamine(path, sheet.to_python, skip_empty_area=False, nrows=HEADER_ROWS)
            heads.append(head)
            header = _find_header(head, specs)
            if header is not None:
                return _calamine(path, sheet.to_python, skip_empty_area=False), header
        raise _no_name_column(path, heads, specs)
    finally:
        workbook.close()


def _decode_text(path: Path, data: bytes) -> str:
    """CSV bytes as text: UTF-16 with BOM, else UTF-8 (BOM optional), else GB18030."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UserError("roster.encoding", path=str(path)) from error
    if b"\x00" in data:
        raise UserError("roster.unreadable", path=str(path))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError("roster.encoding", path=str(path))


def _delimiter(text: str) -> str:
    """Tab for tab-separated text (Excel's "Unicode text"), otherwise comma."""
    for line in text[:65536].splitlines():
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


def _csv_table(
    path: Path, data: bytes, specs: tuple[ColumnSpec, ...]
) -> tuple[list[list[Any]], _Header]:
    """All records of a CSV file and its unit-name header."""
    rows = _csv_rows(path, data)
    header = _find_header(rows[:HEADER_ROWS], specs)
    if header is None:
        raise _no_name_column(path, [rows[:HEADER_ROWS]], specs)
    return rows, header


def _read_table(path: Path, specs: tuple[ColumnSpec, ...]) -> tuple[list[list[Any]], _Header]:
    """The rows holding the roster and its header; the format is decided by the content."""
    data = _read_bytes(path)
    if _is_workbook(data):
        return _workbook_table(path, data, specs)
    return _csv_table(path, data, specs)


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


def _match_fields(
    specs: tuple[ColumnSpec, ...], headers: list[str], columns: dict[str, int]
) -> dict[str, int]:
    """``columns`` plus the fields not yet in it that ``headers`` names."""
    result = dict(columns)
    for spec in specs:
        if spec.field not in result:
            found = _match_column(spec, headers, result.values())
            if found is not None:
                result[spec.field] = found
    return result


def _header_row(row: list[Any]) -> list[str]:
    """A row's cells in their header comparison form."""
    return [normalise_header(cell_text(cell)) for cell in row]


def _find_header(head: list[list[Any]], specs: tuple[ColumnSpec, ...]) -> _Header | None:
    """The first of ``head``'s rows that names the unit-name column, with its column map.

    If the next row has no unit name but names further fields, it is the second row of a
    two-row header and its fields are added.
    """
    name_spec = next(spec for spec in specs if spec.field == "name")
    for row_index, row in enumerate(head[:HEADER_ROWS]):
        headers = _header_row(row)
        name_column = _match_column(name_spec, headers, ())
        if name_column is None:
            continue
        columns = _match_fields(specs, headers, {"name": name_column})
        if row_index + 1 < len(head):
            below = _header_row(head[row_index + 1])
            if name_column >= len(below) or not below[name_column]:
                extended = _match_fields(specs, below, columns)
                if len(extended) > len(columns):
                    return _Header(row_index, row_index + 1, extended)
        return _Header(row_index, row_index, columns)
    return None


def _visible_headers(heads: list[list[list[Any]]]) -> list[str]:
    """The likeliest header row among the first rows of all tables: the fullest one."""
    rows = [[text for text in map(cell_text, row) if text] for head in heads for row in head]
    return max(rows, key=len, default=[])


def _no_name_column(
    path: Path, heads: list[list[list[Any]]], specs: tuple[ColumnSpec, ...]
) -> UserError:
    """The error for a roster without a recognisable unit-name column.

    ``heads`` are the first rows of every table searched; if all are blank the file is empty.
    """
    found = _visible_headers(heads)
    if not found:
        return UserError("roster.empty", path=str(path))
    name_spec = next(spec for spec in specs if spec.field == "name")
    return UserError(
        "roster.no_name_column",
        path=str(path),
        rows=HEADER_ROWS,
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
    for index in range(header.last_row + 1, len(rows)):
        cells = [cell_text(cell) for cell in rows[index]]
        if not any(cells):
            continue
        values = {field: _field(cells, header.columns, field) for field in FIELDS}
        if _is_footer(cells, values["name"]):
            continue
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


# a row closing the list or a group of it: 合计 | 3个单位, 小计, 共 30 个单位
_FOOTER_WORDS = frozenset({"合计", "总计", "小计", "共计", "合计单位", "单位合计"})
_COUNT_OF_UNITS = re.compile(r"^(?:共|合计|总计|小计|共计)?[:]?\d+个(?:单位)?$")


def _is_footer(cells: list[str], name: str | None) -> bool:
    """Whether a row counts the units above it instead of naming one (no unit is called
    合计, or 3个单位)."""
    if any(_squeeze(cell).rstrip(":") in _FOOTER_WORDS for cell in cells if cell):
        return True
    return name is not None and _COUNT_OF_UNITS.match(_squeeze(name)) is not None


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


def _check_one_unit_twice(path: Path, entries: list[RosterEntry]) -> None:
    """Refuse a unit listed under its full and its short name (兰江街道办事处 and 兰江街道,
    余姚市人民政府 and 余姚市政府): a return names both, so one of the two would always be
    missing. Two bodies whose names share a stem (城东居民委员会, 城东村民委员会) are two."""
    from toolkit.inbox.match import comparable, core  # the matcher's own sense of a name

    groups: dict[str, list[RosterEntry]] = {}
    for entry in entries:
        if not entry.placeholder:
            groups.setdefault(core(entry.name), []).append(entry)
    twice = []
    for stem, group in groups.items():
        written = {comparable(name_key(entry.name)) for entry in group}
        # the same name as the matcher compares them, or one of them the bare stem
        if len(group) > 1 and (len(written) < len(group) or stem in written):
            twice.append(group)
    if not twice:
        return
    items = [
        " / ".join(f"{_quoted(entry.name)} ({entry.row})" for entry in group) for group in twice
    ]
    raise UserError(
        "roster.same_unit_names",
        path=str(path),
        count=len(twice),
        names="; ".join(items[:LIST_LIMIT]) + ("; …" if len(items) > LIST_LIMIT else ""),
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
    rows, header = _read_table(path, specs)
    entries, nameless = _entries(rows, header)
    if nameless:
        rows = _neutral_list([str(row) for row in nameless])
        raise UserError("roster.name_missing", path=str(path), rows=rows)
    if not entries:
        raise UserError("roster.no_units", path=str(path), header_row=header.row + 1)
    too_long = [str(e.row) for e in entries if len(e.name) > MAX_NAME_LENGTH]
    if too_long:
        raise UserError(
            "roster.name_too_long",
            path=str(path),
            rows=_neutral_list(too_long),
            limit=MAX_NAME_LENGTH,
        )
    _check_duplicates(path, entries)
    _check_one_unit_twice(path, entries)
    return entries
