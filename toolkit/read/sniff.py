"""What a file really is, from its content, before any spreadsheet library touches it.

The extension of a mailed attachment proves nothing (an .xls saved as .xlsx, a Word file
renamed, a half-downloaded zip). This looks at the bytes: a zip package (xlsx, xlsm, xlsb,
ods, or an office document that is not a workbook), an OLE compound file (xls, or an
encrypted OOXML package), or anything else. Limits stop a zip bomb before it is unpacked.
Problems carry the file-level finding codes of CHECK-JSON.md: F1 cannot be opened, F3
encrypted; F4 (macros) is a warning carried on the result.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import olefile
from python_calamine import CalamineWorkbook

from toolkit.limits import Limits
from toolkit.limits import current as current_limits
from toolkit.read.source import source

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
Kind = Literal["xlsx", "xlsm", "xlsb", "xls", "ods", "docx", "html", "mhtml", "text"]
DOCUMENT_KINDS = frozenset({"docx", "html", "mhtml", "text"})  # published reports (audit)
# the file names an evaluator saves them under (a folder given to audit is walked for these)
DOCUMENT_SUFFIXES = (".html", ".htm", ".xhtml", ".mht", ".mhtml", ".docx", ".txt")
_XML_HEAD = 4096  # a declaration comes before the root element
_HTML_MARKS = (b"<html", b"<table", b"<body", b"<!doctype html", b"<p", b"<div", b"<meta")
_DOCUMENT_HEAD = 65536  # a saved page may open with kilobytes of blank lines or comments
# MHTML ("web page, single file"): a MIME message, whose first line is a header
_MHTML_HEADER = re.compile(rb"^\s*(?:\xef\xbb\xbf)?[a-z][a-z0-9-]*:[^\n]*\n")


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    macros: bool = False  # F4: macro-enabled; read as usual, never run


class FileProblem(Exception):
    """A file that cannot be read as a return: a finding code and a catalogue message."""

    def __init__(self, code: str, message_id: str, **params: object) -> None:
        super().__init__(message_id)
        self.code = code
        self.message_id = message_id
        self.params = params


def sniff(path: Path, limits: Limits | None = None, documents: bool = False) -> Sniffed:
    """The kind of workbook at ``path``; raises FileProblem when it is not a readable one.
    ``documents``: published reports (.docx, web pages, text) are accepted too (audit)."""
    limits = limits or current_limits()
    if not path.exists():
        raise FileProblem("F1", "read.missing", path=str(path))
    if path.is_dir():
        raise FileProblem("F1", "read.directory", path=str(path))
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("F1", "read.empty", path=str(path))
    if size > limits.file_bytes:
        raise FileProblem(
            "F1",
            "read.too_large",
            path=str(path),
            size_mb=f"{size / 2**20:.1f}",
            limit_mb=f"{limits.file_bytes / 2**20:g}",
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise FileProblem("F1", "read.cannot_open", path=str(path), detail=str(exc)) from None
    if head.startswith(ZIP_MAGIC):
        return _zip_package(path, size, limits, documents)
    if head == OLE_MAGIC:
        return _compound_file(path, documents)
    if documents:
        return _document(path)
    raise FileProblem("F1", "read.not_spreadsheet", path=str(path))


def _document(path: Path) -> Sniffed:
    """A published report that is not a zip: a saved web page (plain or single-file MHTML),
    or text copied from one. PDFs and binaries are named as what they are."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_DOCUMENT_HEAD)
    except OSError as exc:
        raise FileProblem("F1", "read.cannot_open", path=str(path), detail=str(exc)) from None
    if head.startswith(b"%PDF"):
        raise FileProblem("F1", "read.pdf", path=str(path))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte order mark
        text = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    elif b"\x00" in head:
        raise FileProblem("F1", "read.not_document", path=str(path))
    else:
        text = head
    lower = text.lower()
    if _MHTML_HEADER.match(lower) and b"multipart/related" in lower:
        return Sniffed("mhtml")  # a page saved as one file: a MIME message, headers first
    if any(mark in lower for mark in _HTML_MARKS):
        return Sniffed("html")
    return Sniffed("text")


def _zip_package(path: Path, size: int, limits: Limits, documents: bool = False) -> Sniffed:
    try:
        archive = source(path).archive()  # kept for the readers after this
        entries = archive.infolist()
        if len(entries) > limits.zip_entries:
            raise FileProblem("F1", "read.zip_bomb", path=str(path))
        unzipped = sum(e.file_size for e in entries)
        if unzipped > limits.unzipped_bytes or unzipped > size * limits.compression_ratio:
            raise FileProblem("F1", "read.zip_bomb", path=str(path))
        names = {e.filename for e in entries}
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        data = source(path).data()
        if any(_declares_entities(archive, e, data) for e in entries):
            raise FileProblem("F1", "read.xml_entities", path=str(path))
    except zipfile.BadZipFile:
        raise FileProblem("F1", "read.corrupt", path=str(path)) from None
    except (OSError, EOFError, RuntimeError, NotImplementedError):
        raise FileProblem("F1", "read.corrupt", path=str(path)) from None
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return Sniffed("ods")
    if "xl/workbook.xml" in names:
        macros = "xl/vbaProject.bin" in names
        return Sniffed("xlsm" if macros else "xlsx", macros)
    if "xl/workbook.bin" in names:
        return Sniffed("xlsb", "xl/vbaProject.bin" in names)
    if documents and "word/document.xml" in names:
        return Sniffed("docx")  # a document's macros are never run, nor are they a workbook's
    wrong = "read.not_document" if documents else "read.not_spreadsheet"
    raise FileProblem("F1", wrong, path=str(path))


def _declares_entities(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, data: bytes) -> bool:
    """An XML part with a document type declaration: workbooks never carry one, and its
    entities are how an XML bomb multiplies a few bytes into gigabytes. A declaration can
    only stand in the prolog, before the first element; the prolog is read to its end, as
    comments, processing instructions and whitespace may pad it past any fixed head."""
    if not entry.filename.endswith((".xml", ".rels")):
        return False
    head = _head_of(entry, data)
    if head is not None and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        verdict = _Prolog(head.removeprefix(b"\xef\xbb\xbf")).verdict()
        if verdict is not None:
            return verdict
    with archive.open(entry) as stream:  # a long prolog, or a part stored unusually
        head = stream.read(_XML_HEAD)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: no office suite writes it
            text = head.decode("utf-16", errors="ignore")
            return "<!DOCTYPE" in text or "<!ENTITY" in text
        prolog = _Prolog(head.removeprefix(b"\xef\xbb\xbf"))
        while (verdict := prolog.verdict()) is None:
            chunk = stream.read(_XML_HEAD)
            if not chunk:
                return False  # it ends inside its prolog: no element a reader would expand
            prolog.feed(chunk)
        return verdict


def _head_of(entry: zipfile.ZipInfo, data: bytes) -> bytes | None:
    """The first _XML_HEAD bytes of a deflated or stored part, unpacked straight from the
    package's bytes (opening each part through zipfile costs more than judging it: a
    return has a dozen); None where zipfile must do it (encrypted, other methods, or a
    local header that does not fit)."""
    if entry.flag_bits & 0x1 or entry.compress_type not in _UNPACKED_HERE:
        return None
    header = data[entry.header_offset : entry.header_offset + _LOCAL_HEADER]
    if len(header) < _LOCAL_HEADER or not header.startswith(b"PK\x03\x04"):
        return None
    start = entry.header_offset + _LOCAL_HEADER
    start += int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    # a head needs only the start of the packed bytes (the verdict is on what it holds)
    raw = memoryview(data)[start : start + min(entry.compress_size, 2 * _XML_HEAD)]
    if entry.compress_type == zipfile.ZIP_STORED:
        return bytes(raw[:_XML_HEAD])
    try:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, _XML_HEAD)
    except zlib.error:
        return None


_UNPACKED_HERE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_LOCAL_HEADER = 30  # a zip entry's fixed local header; its name and extra field follow
_SPACE = re.compile(rb"[ \t\r\n]*")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_SKIPPED = {b"<!--": b"-->", b"<?": b"?>"}  # comments and processing instructions


class _Prolog:
    """An XML prolog read piece by piece (each byte looked at a bounded number of times)."""

    def __init__(self, data: bytes) -> None:
        self.data = data  # what is not yet judged
        self.closing: bytes | None = None  # the end of the comment or instruction inside

    def feed(self, chunk: bytes) -> None:
        self.data += chunk

    def verdict(self) -> bool | None:
        """True at a declaration, False at the first element (or text that is no XML),
        None when more is needed."""
        data, at = self.data, 0
        while True:
            if self.closing is not None:
                end = data.find(self.closing, at)
                if end == -1:  # keep only what may hold the start of the closing mark
                    self.data = data[max(at, len(data) - len(self.closing) + 1) :]
                    return None
                at, self.closing = end + len(self.closing), None
            at = _SPACE.match(data, at).end()  # type: ignore[union-attr]
            rest = data[at : at + len(_DECLARATIONS[0])]
            if rest.startswith(_DECLARATIONS):
                return True
            if len(rest) < len(_DECLARATIONS[0]) and any(
                mark.startswith(rest) for mark in (*_DECLARATIONS, *_SKIPPED)
            ):
                self.data = data[at:]  # a mark may be cut where the data read so far ends
                return None
            opened = next((mark for mark in _SKIPPED if rest.startswith(mark)), None)
            if opened is None:
                return False
            at, self.closing = at + len(opened), _SKIPPED[opened]


def _compound_file(path: Path, documents: bool = False) -> Sniffed:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except (OSError, ValueError, IndexError):
        raise FileProblem("F1", "read.corrupt", path=str(path)) from None
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise FileProblem("F3", "read.encrypted", path=str(path))
    if "Workbook" in streams or "Book" in streams:
        return Sniffed("xls", "_VBA_PROJECT_CUR" in {s.split("/")[0] for s in streams})
    if documents and "WordDocument" in streams:
        raise FileProblem("F1", "read.word_97", path=str(path))
    raise FileProblem("F1", "read.not_spreadsheet", path=str(path))


def open_workbook(path: Path) -> CalamineWorkbook:
    """python-calamine's workbook for ``path`` (kept while the file is being read)."""
    return source(path).workbook()
