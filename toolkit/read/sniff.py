"""What a file really is, from its content, before any spreadsheet library touches it.

The extension of a mailed attachment proves nothing (an .xls saved as .xlsx, a Word file
renamed, a half-downloaded zip). This looks at the bytes: a zip package (xlsx, xlsm, xlsb,
ods, or an office document that is not a workbook), an OLE compound file (xls, or an
encrypted OOXML package), or anything else. Limits stop a zip bomb before it is unpacked.
Problems carry the file-level finding codes of CHECK-JSON.md: F1 cannot be opened, F3
encrypted; F4 (macros) is a warning carried on the result.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import olefile
from python_calamine import CalamineWorkbook

from toolkit.limits import Limits
from toolkit.limits import current as current_limits

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
Kind = Literal["xlsx", "xlsm", "xlsb", "xls", "ods"]
_XML_HEAD = 4096  # a declaration comes before the root element


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


def sniff(path: Path, limits: Limits | None = None) -> Sniffed:
    """The kind of workbook at ``path``; raises FileProblem when it is not a readable one."""
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
        return _zip_package(path, size, limits)
    if head == OLE_MAGIC:
        return _compound_file(path)
    raise FileProblem("F1", "read.not_spreadsheet", path=str(path))


def _zip_package(path: Path, size: int, limits: Limits) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > limits.zip_entries:
                raise FileProblem("F1", "read.zip_bomb", path=str(path))
            unzipped = sum(e.file_size for e in entries)
            if unzipped > limits.unzipped_bytes or unzipped > size * limits.compression_ratio:
                raise FileProblem("F1", "read.zip_bomb", path=str(path))
            names = {e.filename for e in entries}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
            if any(_declares_entities(archive, e) for e in entries):
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
    raise FileProblem("F1", "read.not_spreadsheet", path=str(path))


def _declares_entities(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """An XML part with a document type declaration: workbooks never carry one, and its
    entities are how an XML bomb multiplies a few bytes into gigabytes."""
    if not entry.filename.endswith((".xml", ".rels")):
        return False
    with archive.open(entry) as stream:
        head = stream.read(_XML_HEAD)
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def _compound_file(path: Path) -> Sniffed:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except (OSError, ValueError, IndexError):
        raise FileProblem("F1", "read.corrupt", path=str(path)) from None
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise FileProblem("F3", "read.encrypted", path=str(path))
    if "Workbook" in streams or "Book" in streams:
        return Sniffed("xls", "_VBA_PROJECT_CUR" in {s.split("/")[0] for s in streams})
    raise FileProblem("F1", "read.not_spreadsheet", path=str(path))


def open_workbook(path: Path) -> CalamineWorkbook:
    """python-calamine's workbook for ``path``, its type taken from the bytes: by path it
    trusts the extension, and an .xls saved under an .xlsx name fails as a broken zip."""
    with path.open("rb") as handle:
        return CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
