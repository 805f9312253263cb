"""Which cells of an .xlsx hold a formula (and its text) or an error value: python-calamine
reads neither (it gives cached values, and '' for an error), openpyxl costs ~20 ms a file
for it. Shared formulas (one text for a block of cells) are translated to each cell."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from defusedxml.ElementTree import fromstring
from openpyxl.formula.translate import Translator

from toolkit.read.source import Source, source

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_parts(package: Source) -> dict[str, str]:
    """Sheet name -> part name inside the package (kept per content when the two parts are
    small: returns made from one template carry the same ones; the answer is only read)."""
    workbook_xml = package.part("xl/workbook.xml")
    rels_xml = package.part("xl/_rels/workbook.xml.rels")
    if len(workbook_xml) + len(rels_xml) <= _KEPT_PARTS_BYTES:
        return _kept_parts_named(workbook_xml, rels_xml)
    return _parts_named(workbook_xml, rels_xml)


_KEPT_PARTS_BYTES = 65_536


@lru_cache(maxsize=32)
def _kept_parts_named(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    return _parts_named(workbook_xml, rels_xml)


def _parts_named(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    workbook = fromstring(workbook_xml)
    rels = fromstring(rels_xml)
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


def sheet_parts(path: Path, sheets: set[str]) -> dict[str, SheetPart]:
    """The named sheets of an OOXML workbook, each ready for cell lookups (a sheet whose
    part is missing looks empty)."""
    package = source(path)
    archive = package.archive()
    parts = _sheet_parts(package)
    names = set(archive.namelist())
    return {
        sheet: SheetPart(
            package.part_through(parts[sheet], b"</sheetData>")
            if parts.get(sheet) in names
            else b""
        )
        for sheet in sheets
    }


# A cell, as every writer spells it (any namespace prefix, attributes in any order, empty or
# self-closing). Scanning the text is ~10x faster than an XML parser here, and safe: nothing
# is expanded, and the check only needs which cells hold <f> and t="e" (values come from
# python-calamine). A part that is not UTF-8 falls back to the parser.
# Bodies are matched as runs of anything but "<" (element text is escaped, so a formula's
# text is one run): a lazy ".*?" would try the closing tag at every byte of a long formula.
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>([^<]*(?:<(?!/(?:\w+:)?c>)[^<]*)*)</(?:\w+:)?c>)")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")
_ATTRIBUTE = re.compile(rb'(?<![\w:])(r|t|si)="([^"]*)"')
_REF = re.compile(rb'(?<![\w:])r="([^"]*)"')
_ATTRIBUTE_ANY = re.compile(rb'(?<![\w:])(r|t|si|ref)="([^"]*)"')


def _may_hold_formulas(data: bytes) -> bool:
    return b"<f" in data or b":f" in data or b't="e"' in data


def _cells_of(data: bytes) -> Iterator[tuple[str, str | None, dict[bytes, bytes], bool]]:
    """(ref, formula text or None, formula attributes, holds an error) of each cell with a
    formula or an error value."""
    for ref, formula, error in _raw_cells(data):
        text, options = _decoded(formula) if formula is not None else (None, {})
        yield ref, text, options, error


def _raw_cells(data: bytes) -> Iterator[tuple[str, re.Match[bytes] | None, bool]]:
    """(ref, the undecoded <f> element or None, holds an error) of each cell with a formula
    or an error value."""
    for match in _CELL.finditer(data):
        hit = _formula_or_error(match)
        if hit is not None:
            ref, (formula, error) = hit
            yield (ref.decode("ascii", "replace") if ref else ""), formula, error


_Found = tuple[re.Match[bytes] | None, bool]  # a cell's <f> element, and whether it is an error


def _keep(cells: dict[bytes, _Found], cell: re.Match[bytes]) -> None:
    hit = _formula_or_error(cell)
    if hit is not None and hit[0] is not None:
        cells.setdefault(hit[0], hit[1])


def _formula_or_error(cell: re.Match[bytes]) -> tuple[bytes | None, _Found] | None:
    """(its reference, (<f> element, error flag)) of a matched cell holding a formula or an
    error value; None for any other cell."""
    head, body = cell.group(1), cell.group(2)
    error = b't="e"' in head
    formula = _FORMULA.search(body) if body and b"f" in body else None
    if formula is None and not error:
        return None
    found = _REF.search(head)
    return (found.group(1) if found else None), (formula, error)


def _decoded(formula: re.Match[bytes]) -> tuple[str, dict[bytes, bytes]]:
    text = (formula.group(2) or b"").decode("utf-8", "replace")
    if "&" in text:
        text = html.unescape(text)
    return text, dict(_ATTRIBUTE.findall(formula.group(1)))


_ROW_PLAIN = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_ROW_ANY = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'(?<![\w:])r="(\d+)"')
_HIDDEN = re.compile(rb'(?<![\w:])hidden="(?:1|true)"')
_COLUMN_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_COLUMN_SPAN = re.compile(rb'(?<![\w:])(min|max)="(\d+)"')
_SHARED_MASTER = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?<!/)>([^<]+)</(?:\w+:)?f>")
_COLUMN_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# a cell or formula spelled otherwise than <c r=…> and <f…>: a namespace prefix, a line
# break inside the tag
_UNUSUAL_CELLS = re.compile(rb"<\w+:(?:c|f)\b|<c[\t\r\n]|<f[\t\r\n]")


class SheetPart:
    """One sheet's XML, asked about single cells: each is found by its reference within its
    row (a template's thousand helper formulas, and a report's other cells, are never
    parsed)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.empty = not _may_hold_formulas(data)
        self.may_hold_errors = b't="e"' in data
        self._rows: dict[bytes, tuple[int, int]] | None = None  # row number -> byte range
        self._known: dict[str, tuple[str | None, bool]] = {}  # ref -> (formula text, error)
        # row range -> its cells holding a formula or an error
        self._row_cells: dict[tuple[int, int], dict[bytes, _Found]] = {}
        self._rows_asked: set[tuple[int, int]] = set()
        self._masters: dict[str, tuple[str, str]] | None = None  # si -> (master ref, text)
        self._hidden: frozenset[int] | None = None

    def cell(self, ref: str) -> tuple[str | None, bool]:
        """(the cell's formula text, '' when unknown, or None; whether it holds an error)."""
        if self.empty:
            return None, False
        known = self._known.get(ref)
        if known is None:
            formula, error = self._find(ref)
            text = None
            if formula is not None:
                text, options = _decoded(formula)
                if options.get(b"t") == b"shared":
                    text = self._shared_text(text, options, ref)
            known = self._known[ref] = (text, error)
        return known

    def _find(self, ref: str) -> _Found:
        """The cell's <f> element and error flag, found within its row: the first cell
        asked of a row is searched for by its reference (a template's totals, one a row);
        a row asked again is scanned once and its cells holding a formula or an error kept
        (a hand-made total's SUM asks about every cell beside it)."""
        name = ref.encode("ascii")
        span = self._row_range(name.lstrip(_COLUMN_LETTERS))
        if span is None:
            return None, False
        cells = self._row_cells.get(span)
        if cells is not None:
            return cells.get(name, (None, False))
        if span in self._rows_asked:
            cells = self._row_cells[span] = self._scan_row(*span)
            return cells.get(name, (None, False))
        self._rows_asked.add(span)
        start, end = span
        if not _may_hold_formulas(self.data[start:end]):
            self._row_cells[span] = {}  # a row holding no formula and no error
            return None, False
        needle = b'r="' + name + b'"'
        at = self.data.find(needle, start, end)
        while at != -1:
            if self.data[at - 1 : at] in (b" ", b"\t", b"\n", b"\r"):
                tag = self.data.rfind(b"<", start, at)
                cell = _CELL.match(self.data, tag, end) if tag != -1 else None
                if cell is not None and cell.start(1) <= at < cell.end(1):
                    hit = _formula_or_error(cell)
                    return hit[1] if hit is not None else (None, False)
            at = self.data.find(needle, at + 1, end)
        return None, False

    def _scan_row(self, start: int, end: int) -> dict[bytes, _Found]:
        """Reference -> (<f> element, error flag) of each cell of the row holding either:
        the cells around each <f> and error flag, in the usual spelling; every cell of the
        row otherwise."""
        if _UNUSUAL_CELLS.search(self.data, start, end):
            return self._scan_every_cell(start, end)
        cells: dict[bytes, _Found] = {}
        data = self.data
        for needle, after in ((b"<f", (b">", b" ", b"/")), (b' t="e"', None)):
            at = data.find(needle, start, end)
            while at != -1:
                if after is None or data[at + 2 : at + 3] in after:
                    tag = data.rfind(b"<c ", start, at)
                    match = _CELL.match(data, tag, end) if tag != -1 else None
                    if match is not None and at < match.end():
                        _keep(cells, match)
                at = data.find(needle, at + 2, end)
        return cells

    def _scan_every_cell(self, start: int, end: int) -> dict[bytes, _Found]:
        cells: dict[bytes, _Found] = {}
        for match in _CELL.finditer(self.data, start, end):
            _keep(cells, match)
        return cells

    def hidden_rows(self) -> frozenset[int]:
        """The rows (0-based) marked hidden: by hand, or by a filter."""
        # most sheets hide no row (a template hides helper columns, before the rows)
        if self._hidden is None and self.data.find(b"hidden", self.data.find(b"sheetData")) == -1:
            self._hidden = frozenset()
        if self._hidden is None:
            hidden = set()
            for match in _ROW_TAG.finditer(self.data):
                attributes = match.group(1)
                number = _ROW_NUMBER.search(attributes)
                if number is not None and _HIDDEN.search(attributes):
                    hidden.add(int(number.group(1)) - 1)
            self._hidden = frozenset(hidden)
        return self._hidden

    def hidden_columns(self) -> frozenset[int]:
        """The columns (0-based) marked hidden in the sheet's column list (before its rows)."""
        rows_start = self.data.find(b"sheetData")
        head = self.data if rows_start == -1 else self.data[:rows_start]
        hidden: set[int] = set()
        if b"hidden" not in head:
            return frozenset()
        for match in _COLUMN_TAG.finditer(head):
            attributes = match.group(1)
            span = dict(_COLUMN_SPAN.findall(attributes))
            if _HIDDEN.search(attributes) and b"min" in span:
                first = int(span[b"min"])
                last = min(int(span.get(b"max", span[b"min"])), 16_384)
                hidden.update(range(first - 1, last))
        return frozenset(hidden)

    def _row_range(self, number: bytes) -> tuple[int, int] | None:
        if self._rows is None:
            pattern = _ROW_PLAIN if b"<row" in self.data else _ROW_ANY
            starts = [(m.start(), m.group(1)) for m in pattern.finditer(self.data)]
            if not starts:  # rows without numbers: one segment holds them all
                self._rows = {b"": (0, len(self.data))}
            else:
                close = self.data.find(b"sheetData>", starts[-1][0])  # </sheetData> ends the rows
                ends = [start for start, _ in starts[1:]] + [
                    len(self.data) if close == -1 else close
                ]
                self._rows = {n: (s, e) for (s, n), e in zip(starts, ends, strict=True)}
        return self._rows.get(number) or self._rows.get(b"")

    def _shared_text(self, text: str, options: dict[bytes, bytes], ref: str) -> str:
        """A shared formula's text for ``ref``: its own when it is the master, else the
        master's translated (masters are found in one pass over the part, when needed)."""
        if text:
            return text
        if self._masters is None:
            self._masters = self._find_masters()
        index = options.get(b"si", b"").decode("ascii", "replace")
        known = self._masters.get(index)
        if known is None:
            return ""
        return _formula_text("", options, ref, {index: known})

    def _find_masters(self) -> dict[str, tuple[str, str]]:
        """si -> (master cell, text). A master's cell is the first of its ``ref`` range; a
        master without one (not seen from any writer) is found by scanning every cell."""
        masters: dict[str, tuple[str, str]] = {}
        for match in _SHARED_MASTER.finditer(self.data):
            attributes = dict(_ATTRIBUTE_ANY.findall(match.group(1)))
            if attributes.get(b"t") != b"shared" or b"si" not in attributes:
                continue
            if b"ref" not in attributes:
                return self._masters_by_scanning()
            body = match.group(2).decode("utf-8", "replace")
            masters[attributes[b"si"].decode("ascii", "replace")] = (
                attributes[b"ref"].split(b":")[0].decode("ascii", "replace"),
                html.unescape(body) if "&" in body else body,
            )
        return masters

    def _masters_by_scanning(self) -> dict[str, tuple[str, str]]:
        masters: dict[str, tuple[str, str]] = {}
        for ref, text, options, _ in _cells_of(self.data):
            if text and options.get(b"t") == b"shared":
                masters.setdefault(options.get(b"si", b"").decode("ascii", "replace"), (ref, text))
        return masters


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
