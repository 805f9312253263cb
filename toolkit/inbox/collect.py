"""Walk the inbox a clerk saved: workbooks at any depth of folders, and saved mails whose
workbook attachments are the returns. Attachments are written under a private work folder
with names we make up (never the sender's), so nothing a mail says can choose a path.

Parsing a mail is the standard library's pure-Python work (~1.8 ms measured for a mail with
one attachment, more than half of what reading the return then takes), so an inbox of many
mails has them read by one process per core; what the inbox then holds is the same, in the
same order.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.files import SUMMARY_MARKER, carries_marker
from toolkit.inbox.archive import UNSUPPORTED_ARCHIVE_SUFFIXES, ArchiveProblem, unpack
from toolkit.inbox.mail import (
    ARCHIVE_SUFFIXES,
    CUT_AFTER,
    CUT_SHORT,
    MAX_MAIL_BYTES,
    WORKBOOK_SUFFIXES,
    Attachment,
    MailProblem,
    megabytes,
    read_mail,
    too_large,
)
from toolkit.limits import current as current_limits
from toolkit.messages import Message
from toolkit.read.sniff import DOCUMENT_SUFFIXES

MAIL_SUFFIXES = (".eml",)
_ARCHIVES = (*ARCHIVE_SUFFIXES, *UNSUPPORTED_ARCHIVE_SUFFIXES)
# saved too, but not readable: listed as unreadable with what to do instead of passed over
UNREADABLE_DOCUMENT_SUFFIXES = (".pdf", ".doc", ".wps")
MAX_FILES = 200_000
# the name `check --annotate` gives a marked copy: beside its return with the same figures
# it is passed over (summary.run); sent back corrected by a unit, it is a return
MARKED_COPY = ".批注.xlsx"
# what Excel ("~$兰江街道.xlsx", an owner/lock file) and WPS (".~兰江街道.xlsx") leave beside
# a workbook while it is open: a few bytes, never a return
TEMPORARY_PREFIXES = ("~$", ".~")
OUTLOOK_MAIL_SUFFIX = ".msg"  # what Outlook writes when a mail is dragged into a folder
# what file managers leave in folders: never shown as files passed over
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass(frozen=True)
class Received:
    """One return as it arrived."""

    origin: str  # what to show: "收件箱/x.eml › 兰江街道.xlsx" or "收件箱/兰江街道.xlsx"
    path: Path  # the file to read: the original, or our copy of an attachment
    name: str  # the file name as sent (for matching by file name)
    sender: str | None = None  # the mail's From address
    sent: dt.datetime | None = None  # the mail's Date
    modified: dt.datetime | None = None  # the file's mtime (for a file saved directly)


@dataclass(frozen=True)
class Unread:
    """Something in the inbox not read as a return: a mail, archive or attachment that
    could not be read (a problem), or one passed over (a note). What came by mail keeps its
    sender, so the unit that sent it can be told."""

    origin: str  # what to show, as Received.origin
    message: Message  # what is wrong, or why it was passed over
    sender: str | None = None  # the mail's From address
    name: str = ""  # the attachment's, archive's or mail file's own name (to match by)
    sent: dt.datetime | None = None  # the mail's Date

    @property
    def clerks_to_mend(self) -> bool:
        """Whether the clerk can read it once saved otherwise (no unit need send it again)."""
        return self.message.message_id in CLERKS_TO_MEND


# what came but was saved in a form no reader here opens: Outlook's own mail files, and an
# archive inside an archive (not opened: its unpacked size is the outer limit's blind spot)
# and a saved mail cut short: the clerk saves it again (or, where the mail itself came
# incomplete, asks its unit to send again)
CLERKS_TO_MEND = frozenset({"inbox.outlook_mail", "inbox.nested_archive", CUT_SHORT, CUT_AFTER})


@dataclass
class Inbox:
    received: list[Received] = field(default_factory=list)
    problems: list[Unread] = field(default_factory=list)  # could not be read: errors
    skipped: list[Unread] = field(default_factory=list)  # passed over, with why (not errors)
    copies: int = 0  # attachments written to the work folder so far
    prefix: str = ""  # of the names its copies get (one per mail read in parallel)

    def add(self, other: Inbox) -> None:
        self.received += other.received
        self.problems += other.problems
        self.skipped += other.skipped
        self.copies += other.copies


def is_own_summary(path: Path) -> bool:
    """A summary workbook this tool wrote (saved into a folder it reads): an output to
    replace, never a return or a report."""
    return path.suffix.lower() == ".xlsx" and carries_marker(path, SUMMARY_MARKER)


def _walk(folder: Path, inbox: Inbox) -> Iterator[Path]:
    """Every file under ``folder`` in a stable order, no symbolic links followed (each said
    as passed over, as is anything else that is no file: a pipe, a device); past MAX_FILES
    the inbox is told and the walk ends."""
    count = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        linked = [d for d in dirs if (Path(root) / d).is_symlink()]
        for name in sorted(files + linked):
            path = Path(root) / name
            if path.is_symlink():
                inbox.skipped.append(Unread(str(path), Message("inbox.link", {})))
                continue
            if not path.is_file():
                inbox.skipped.append(Unread(str(path), Message("inbox.not_a_file", {})))
                continue
            count += 1
            if count > MAX_FILES:
                inbox.problems.append(Unread(str(folder), Message("inbox.too_many_files", {})))
                return
            yield path


def collect(
    folder: Path, workdir: Path, ours: frozenset[Path] = frozenset(), roster: Path | None = None
) -> Inbox:
    """Every return under ``folder``; attachments are copied into ``workdir``. ``ours``
    (resolved): our own summary workbooks this run replaces, skipped with a note (only they
    are opened to ask, not every return); ``roster`` (resolved): the roster of units, kept
    in the folder, also skipped with a note (it is no unit's return)."""
    global _COPIED
    _COPIED = multiprocessing.get_context(_SHARED).Value("q", 0)  # bytes this run copied
    inbox, walked = Inbox(), Inbox()
    paths = list(_walk(folder, walked))
    mails = _read_mails([p for p in paths if _is_mail(p)], workdir)
    for path in paths:
        name, lower = path.name, path.name.lower()
        if name.startswith(TEMPORARY_PREFIXES):
            inbox.skipped.append(Unread(str(path), Message("inbox.temporary_file", {})))
        elif lower.endswith(MAIL_SUFFIXES):
            inbox.add(mails[path])
        elif ours and path.resolve() in ours:
            inbox.skipped.append(Unread(str(path), Message("inbox.own_summary", {})))
        elif roster is not None and path.name == roster.name and path.resolve() == roster:
            inbox.skipped.append(Unread(str(path), Message("inbox.roster_file", {})))
        elif lower.endswith(WORKBOOK_SUFFIXES):
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            inbox.received.append(Received(str(path), path, name, modified=modified))
        elif lower.endswith(ARCHIVE_SUFFIXES):
            _from_archive(path, workdir, inbox)
        elif lower.endswith(UNSUPPORTED_ARCHIVE_SUFFIXES):
            # a unit's return packed as no reader can open it: a problem, as in a mail
            note = Message("inbox.archive_unsupported", {})
            inbox.problems.append(Unread(str(path), note, name=name))
        elif lower.endswith(OUTLOOK_MAIL_SUFFIX):
            # a unit's mail we cannot open: its name may say whose; the clerk's to save its
            # attachments, not the unit's to send again (CLERKS_TO_MEND)
            note = Message("inbox.outlook_mail", {})
            inbox.problems.append(Unread(str(path), note, name=name))
        elif not name.startswith(".") and lower not in _SYSTEM_FILES:
            note = Message("inbox.not_a_return", {})
            inbox.skipped.append(Unread(str(path), note, name=name))  # a unit's PDF, say
    inbox.add(walked)  # a walk cut short is said last
    return inbox


PARALLEL_MAILS = 16  # fewer mails are read in this process (starting workers costs more)
# the bytes a run has copied into its work folder, shared with the forked mail readers so
# the limit holds across them (fork where there is one, else in this process alone)
_SHARED = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
_COPIED: Any = None


def _is_mail(path: Path) -> bool:
    return path.name.lower().endswith(MAIL_SUFFIXES) and not path.name.startswith(
        TEMPORARY_PREFIXES
    )


def _read_mails(paths: list[Path], workdir: Path) -> dict[Path, Inbox]:
    """What each mail holds, read by one process per core when there are many (a worker
    that dies has them all read here instead)."""
    indexes = range(len(paths))
    cores = min(_usable_cores(), len(paths))
    parts: list[Inbox] | None = None
    forks = "fork" in multiprocessing.get_all_start_methods()
    if len(paths) >= PARALLEL_MAILS and cores > 1 and forks:
        context = multiprocessing.get_context("fork")
        copied = _COPIED.value if _COPIED is not None else 0
        try:
            with ProcessPoolExecutor(cores, mp_context=context) as pool:
                parts = list(pool.map(_mail_part, [workdir] * len(paths), indexes, paths))
        except BrokenProcessPool:
            parts = None
            if _COPIED is not None:  # read again here: what the workers copied is redone
                _COPIED.value = copied
    if parts is None:
        parts = [_mail_part(workdir, i, path) for i, path in zip(indexes, paths, strict=True)]
    return dict(zip(paths, parts, strict=True))


def _usable_cores() -> int:
    """The cores this process may run on (a container or an affinity mask may allow fewer
    than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _mail_part(workdir: Path, index: int, path: Path) -> Inbox:
    """One mail's returns, problems and notes; its copies named apart from every other's."""
    part = Inbox(prefix=f"m{index:06d}-")
    _from_mail(path, workdir, part)
    return part


def collect_documents(paths: list[Path]) -> Inbox:
    """Published reports (audit): the files named, and in each folder named every document
    or workbook at any depth, except our summaries (an audit folder holds few workbooks, so
    each is asked). Nothing is copied: documents are read where they are."""
    inbox = Inbox()
    wanted = DOCUMENT_SUFFIXES + UNREADABLE_DOCUMENT_SUFFIXES + WORKBOOK_SUFFIXES
    found: list[Path] = []
    for given in paths:
        if not given.is_dir():
            found.append(given)  # named on purpose: read whatever it is (or say why not)
            continue
        for path in _walk(given, inbox):
            if not path.name.lower().endswith(wanted):
                continue
            why = _no_document(path)
            if why is None:
                found.append(path)
            else:  # said, as summary says it: a file left out unsaid looks overlooked
                inbox.skipped.append(Unread(str(path), Message(why, {})))
    for path in found:
        modified = None
        if path.is_file():
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        inbox.received.append(Received(str(path), path, path.name, modified=modified))
    return inbox


def _no_document(path: Path) -> str | None:
    """Why a file in a folder audited is no published report (a message id), if it is
    none: a lock file Office or WPS leaves beside an open file, or an output of ours."""
    if path.name.startswith(TEMPORARY_PREFIXES):
        return "inbox.temporary_file"
    if path.name.endswith(MARKED_COPY):
        return "inbox.marked_copy"
    if is_own_summary(path):
        return "inbox.own_summary"
    return None


def _from_mail(path: Path, workdir: Path, inbox: Inbox) -> None:
    try:
        if path.stat().st_size > MAX_MAIL_BYTES:  # before it is read at all
            raise MailProblem("inbox.mail_too_large")
        mail = read_mail(path.read_bytes())
    except MailProblem as problem:
        inbox.problems.append(Unread(str(path), Message(problem.message_id, {}), name=path.name))
        return
    except OSError:
        message = Message("inbox.cannot_open", {"path": str(path)})
        inbox.problems.append(Unread(str(path), message, name=path.name))
        return
    if mail.ours:  # a drafts folder inside the inbox: its templates and copies are no returns
        inbox.skipped.append(Unread(str(path), Message("inbox.own_draft", {})))
        return
    sender, sent = mail.sender or None, mail.date

    def unread(origin: str, message_id: str, name: str, params: dict | None = None) -> Unread:
        return Unread(origin, Message(message_id, params or {}), sender, name, sent)

    for skipped, why in mail.skipped:
        inbox.problems.append(Unread(f"{path} › {skipped}", why, sender, skipped, sent))
    packed = [n for n in mail.others if n.lower().endswith(UNSUPPORTED_ARCHIVE_SUFFIXES)]
    if not mail.attachments and not mail.archives and not mail.skipped and not packed:
        if mail.truncated:  # its return may be in what is missing: unreadable, not passed over
            inbox.problems.append(unread(str(path), CUT_SHORT, path.name))
        else:  # said, so that every mail is accounted for (a RAR is said below, on its own)
            names = "、".join(mail.others[:10]) or "—"
            params = {"names": names}
            inbox.skipped.append(unread(str(path), "inbox.no_workbook", path.name, params))
    cut_said = any(why.message_id == CUT_SHORT for _, why in mail.skipped)
    kept = [a.name for a in (*mail.attachments, *mail.archives)]
    if mail.truncated and kept and not cut_said:  # what followed them may be lost, unsaid
        names = {"names": "、".join(kept[:10])}
        inbox.problems.append(unread(str(path), CUT_AFTER, path.name, names))
    for name in packed:
        inbox.problems.append(unread(f"{path} › {name}", "inbox.archive_unsupported", name))
    # an attachment of a forwarded mail is that mail's: its sender and date
    for attachment in mail.attachments:
        origin = f"{path} › {attachment.name}"
        by, on = _envelope(attachment, sender, sent)
        _keep(inbox, workdir, attachment, origin, by, on)
    for archive in mail.archives:
        origin = f"{path} › {archive.name}"
        by, on = _envelope(archive, sender, sent)
        _unpacked(inbox, workdir, archive.data, origin, archive.name, by, on, None)


def _within_copy_limit(size: int) -> bool:
    """Whether ``size`` more bytes keep the run's copies within their limit (counted)."""
    if _COPIED is None:  # collect() not run: a caller copying one mail's attachments
        return True
    with _COPIED.get_lock():
        if _COPIED.value + size > current_limits().inbox_copy_bytes:
            return False
        _COPIED.value += size
        return True


def _envelope(
    attachment: Attachment, sender: str | None, sent: dt.datetime | None
) -> tuple[str | None, dt.datetime | None]:
    """Who sent an attachment, and when: a forwarded mail's own From and Date (undated if
    it has none: the forward's date would make an old report pass for the newest)."""
    if attachment.forwarded:
        return attachment.sender or sender, attachment.sent
    return sender, sent


def _from_archive(path: Path, workdir: Path, inbox: Inbox) -> None:
    try:
        size = path.stat().st_size
        if size > current_limits().file_bytes:  # before it is read at all
            message = too_large("inbox.archive_file_too_large", size)
            inbox.problems.append(Unread(str(path), message, name=path.name))
            return
        data = path.read_bytes()
    except OSError:
        message = Message("inbox.cannot_open", {"path": str(path)})
        inbox.problems.append(Unread(str(path), message, name=path.name))
        return
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    _unpacked(inbox, workdir, data, str(path), path.name, None, None, modified)


def _unpacked(
    inbox: Inbox,
    workdir: Path,
    data: bytes,
    origin: str,
    name: str,
    sender: str | None,
    sent: dt.datetime | None,
    modified: dt.datetime | None,
) -> None:
    """The workbooks of a zip archive (``name``: as sent), each a return (an archive inside
    it is not opened)."""
    try:
        found = unpack(data)
    except ArchiveProblem as problem:
        message = Message(problem.message_id, problem.params)
        inbox.problems.append(Unread(origin, message, sender, name, sent))
        return
    for entry, message in found.skipped:
        own_name = re.split(r"[\\/]", entry)[-1]  # without the folders inside the archive
        inbox.problems.append(Unread(f"{origin} › {entry}", message, sender, own_name, sent))
    nested = [entry for entry in found.others if entry.lower().endswith(_ARCHIVES)]
    for entry in nested:  # said, never dropped: the unit inside would stand as not sent
        message = Message("inbox.nested_archive", {})
        own_name = re.split(r"[\\/]", entry)[-1]
        inbox.problems.append(Unread(f"{origin} › {entry}", message, sender, own_name, sent))
    if not found.workbooks and not found.skipped and not nested:
        names = "、".join(found.others[:10]) or "—"
        message = Message("inbox.archive_no_workbook", {"names": names})
        inbox.skipped.append(Unread(origin, message, sender, name, sent))
    for workbook in found.workbooks:
        if workbook.name.startswith(TEMPORARY_PREFIXES):
            continue
        _keep(inbox, workdir, workbook, f"{origin} › {workbook.name}", sender, sent, modified)


def _keep(
    inbox: Inbox,
    workdir: Path,
    attachment: Attachment,
    origin: str,
    sender: str | None,
    sent: dt.datetime | None,
    modified: dt.datetime | None = None,
) -> None:
    """An attachment or packed workbook copied into ``workdir`` under a name we make up,
    while the run's copies stay within their limit (else said, and not copied)."""
    if not _within_copy_limit(len(attachment.data)):
        limit = current_limits().inbox_copy_bytes
        message = Message("inbox.copies_over_limit", {"limit": megabytes(limit)})
        inbox.problems.append(Unread(origin, message, sender, attachment.name, sent))
        return
    inbox.copies += 1
    suffix = Path(attachment.name).suffix.lower()
    suffix = suffix if suffix in WORKBOOK_SUFFIXES else ".bin"
    copy = workdir / f"{inbox.prefix}{inbox.copies:06d}{suffix}"
    copy.write_bytes(attachment.data)
    inbox.received.append(
        Received(
            origin=origin,
            path=copy,
            name=attachment.name,
            sender=sender or None,
            sent=sent,
            modified=modified,
        )
    )
