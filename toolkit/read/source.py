"""The file being read, read from disk once.

Reading one return asks several times for the same things: its bytes (the checksum, the
sniffer, python-calamine), its zip directory and parts (the sniffer, the formula lookups),
its workbook (the template reader, then the layout reader when it is no template). Inside
``reading(path)`` they are kept for that one file; outside, each call reads afresh.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from python_calamine import CalamineWorkbook

_CHUNK = 16_384  # bytes unpacked at a time when only the head of a part is wanted


class Source:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: bytes | None = None
        self._archive: zipfile.ZipFile | None = None
        self._parts: dict[str, bytes] = {}
        self._heads: dict[str, bytes] = {}  # parts unpacked up to a marker
        self._workbook: CalamineWorkbook | None = None

    def data(self) -> bytes:
        if self._data is None:
            self._data = self.path.read_bytes()
        return self._data

    def archive(self) -> zipfile.ZipFile:
        """The file as a zip package (raises zipfile.BadZipFile when it is none)."""
        if self._archive is None:
            self._archive = zipfile.ZipFile(io.BytesIO(self.data()))
        return self._archive

    def part(self, name: str) -> bytes:
        """One part of the package, unpacked (the sniffer has bounded what unpacking costs)."""
        found = self._parts.get(name)
        if found is None:
            found = self._parts[name] = self.archive().read(name)
        return found

    def part_through(self, name: str, end: bytes) -> bytes:
        """The part unpacked as far as the first ``end`` (a few kilobytes past it), or whole
        when it holds none: a sheet's cells end at </sheetData>, and a template's checks and
        formats after them are often more than half of it."""
        found = self._parts.get(name) or self._heads.get(name)
        if found is None:
            chunks: list[bytes] = []
            tail = b""
            with self.archive().open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    chunks.append(chunk)
                    if end in tail + chunk:
                        break
                    tail = chunk[-len(end) :]
            found = self._heads[name] = b"".join(chunks)
        return found

    def workbook(self) -> CalamineWorkbook:
        """python-calamine's workbook, its type taken from the bytes: by path it trusts the
        extension, and an .xls saved under an .xlsx name fails as a broken zip."""
        if self._workbook is None:
            self._workbook = CalamineWorkbook.from_filelike(io.BytesIO(self.data()))
        return self._workbook


_CURRENT: ContextVar[Source | None] = ContextVar("toolkit_source", default=None)


@contextmanager
def reading(path: Path) -> Iterator[Source]:
    """Keep what is read of ``path`` until the block ends."""
    token = _CURRENT.set(Source(path))
    try:
        yield _CURRENT.get()  # type: ignore[misc]
    finally:
        _CURRENT.reset(token)


def source(path: Path) -> Source:
    """The file being read when it is ``path``, else a fresh one."""
    current = _CURRENT.get()
    return current if current is not None and current.path == path else Source(path)
