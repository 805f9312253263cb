"""Workbooks a unit packed into a .zip (its report and its tables in one archive, saved into
the inbox or attached to a mail): each is a return of its own.

An archive is untrusted like a mail: the names inside it are only shown, never used as
paths; the limits of a mailed workbook bound what is unpacked; an archive inside an archive
is not opened. Names written by Chinese Windows carry no UTF-8 flag and are GBK: they are
decoded as such.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field

from toolkit.inbox.mail import (
    MAX_ATTACHMENTS,
    WORKBOOK_SUFFIXES,
    Attachment,
    display_name,
    megabytes,
    too_large,
)
from toolkit.limits import current as current_limits
from toolkit.messages import Message

# archives the standard library cannot open: named, so the clerk knows to unpack them
UNSUPPORTED_ARCHIVE_SUFFIXES = (".rar", ".7z")
_UTF8_NAME = 0x800  # general purpose flag: the entry's name is UTF-8
_ENCRYPTED = 0x1
# what reading one damaged entry raises (RuntimeError: a password is needed)
_DAMAGED = (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error)


class ArchiveProblem(Exception):
    def __init__(self, message_id: str, params: dict[str, object] | None = None) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params or {}


@dataclass
class Unpacked:
    workbooks: list[Attachment] = field(default_factory=list)
    # entries not read (encrypted, too large, past the count, damaged): (name, why)
    skipped: list[tuple[str, Message]] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # names of entries that are no workbook


def unpack(data: bytes) -> Unpacked:
    """The workbooks in a zip archive; raises ArchiveProblem when it cannot be opened or is
    larger than the limits allow."""
    limits = current_limits()
    if len(data) > limits.file_bytes:
        problem = too_large("inbox.archive_file_too_large", len(data))
        raise ArchiveProblem(problem.message_id, problem.params)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ArchiveProblem("inbox.archive_corrupt") from None
    unpacked = sum(e.file_size for e in entries)
    if len(entries) > limits.zip_entries:
        params = {"count": len(entries), "limit": limits.zip_entries}
        raise ArchiveProblem("inbox.archive_too_many_entries", params)
    if unpacked > limits.unzipped_bytes or unpacked > max(len(data), 1) * limits.compression_ratio:
        params = {
            "size": megabytes(unpacked),
            "limit": megabytes(limits.unzipped_bytes),
            "ratio": limits.compression_ratio,
        }
        raise ArchiveProblem("inbox.archive_too_large", params)
    found = Unpacked()
    for entry in entries:
        name = display_name(_entry_name(entry))
        if not name or name.startswith("._") or "__MACOSX" in entry.filename:
            continue  # macOS keeps its file attributes beside each file: no return
        if not name.lower().endswith(WORKBOOK_SUFFIXES):
            found.others.append(name)
            continue
        unreadable = Message("inbox.archive_entry_skipped", {})
        if entry.flag_bits & _ENCRYPTED:
            found.skipped.append((name, unreadable))
            continue
        if entry.file_size > limits.file_bytes:
            found.skipped.append((name, too_large("inbox.attachment_too_large", entry.file_size)))
            continue
        if len(found.workbooks) >= MAX_ATTACHMENTS:
            params = {"limit": MAX_ATTACHMENTS}
            found.skipped.append((name, Message("inbox.archive_too_many_workbooks", params)))
            continue
        try:
            found.workbooks.append(Attachment(name, archive.read(entry)))
        except _DAMAGED:
            found.skipped.append((name, unreadable))  # damaged, or a method zipfile lacks
    return found


def _entry_name(entry: zipfile.ZipInfo) -> str:
    """The entry's name as its packer wrote it: UTF-8 when flagged; else the bytes, which
    zipfile read as cp437, are UTF-8 if they decode as such, else GBK (Chinese Windows)."""
    if entry.flag_bits & _UTF8_NAME:
        return entry.filename
    try:
        raw = entry.filename.encode("cp437")
    except UnicodeEncodeError:
        return entry.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return entry.filename
