"""Workbook attachments of a saved mail (.eml from Foxmail, Outlook, web mail "save as").

The standard library's parser with the default policy decodes RFC 2047/2231 names (Chinese
in GBK, GB18030 or UTF-8). Mail is untrusted: an attachment's name is only ever shown, never
used as a path; sizes and counts are capped; a forwarded mail inside a mail is opened too.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import errors, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import PurePosixPath, PureWindowsPath

from toolkit.limits import MB, SETTINGS
from toolkit.limits import current as current_limits
from toolkit.messages import Message, render
from toolkit.read.sniff import OLE_MAGIC, ZIP_MAGIC

MAX_MAIL_BYTES = 100 * 1024 * 1024
DRAFT_HEADER = "X-Toolkit-Draft"  # on the reply drafts `summary --replies` writes
MAX_ATTACHMENTS = 100  # per mail, forwarded mails included
MAX_PARTS = 10_000  # MIME parts of one mail, forwarded mails included
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et")
ARCHIVE_SUFFIXES = (".zip",)  # opened by toolkit.inbox.archive
_RAW_NAME = re.compile(r'\bfilename="?([^";\r\n]+)', re.I)
_WORKBOOK_TYPES = ("spreadsheet", "excel", "opendocument.spreadsheet", "ms-excel")
# what the parser notes of a mail that ends early: a multipart whose boundaries never come
_CUT_DEFECTS = (errors.StartBoundaryNotFoundDefect, errors.CloseBoundaryNotFoundDefect)
_HEADERS_END = re.compile(rb"\r?\n\r?\n")
CUT_SHORT = "inbox.mail_truncated"  # said of a mail, or of an attachment in it, cut off
# said of a mail cut short after the attachments read from it: what followed may be lost
CUT_AFTER = "inbox.mail_truncated_after"
BROKEN_PART = "inbox.attachment_header_broken"  # a part whose headers the parser cannot read


@dataclass(frozen=True)
class Attachment:
    name: str  # as the sender named it (display only; never a path)
    data: bytes
    # of a mail forwarded as an attachment: its own From and Date (who sent the return, and
    # when: a late forward of an old report must not pass for the latest; one without a
    # Date has none, not the forward's)
    forwarded: bool = False
    sender: str | None = None
    sent: dt.datetime | None = None


@dataclass(frozen=True)
class _Envelope:
    """Who sent the mail a part belongs to, and when (the innermost forwarded mail's)."""

    forwarded: bool
    sender: str | None
    sent: dt.datetime | None


@dataclass(frozen=True)
class Mail:
    sender: str  # the From address, lower case ("" when none)
    sender_name: str
    subject: str
    date: dt.datetime | None
    attachments: tuple[Attachment, ...]  # workbook attachments only
    # attachments left out (too large, too many): (name, why, with the limit to change)
    skipped: tuple[tuple[str, Message], ...] = ()
    others: tuple[str, ...] = ()  # names of attachments that are not workbooks
    archives: tuple[Attachment, ...] = ()  # .zip attachments (workbooks packed together)
    ours: bool = False  # a reply draft this tool wrote (saved into the inbox): no return
    # the mail ends early (its download or saving was interrupted): what is missing from it
    # may have been the return
    truncated: bool = False


class MailProblem(Exception):
    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


def read_mail(data: bytes) -> Mail:
    """The sender, date and workbook attachments of one saved mail."""
    if len(data) > MAX_MAIL_BYTES:
        raise MailProblem("inbox.mail_too_large")
    try:
        message = email.message_from_bytes(data, policy=policy.default)
    except RecursionError:  # parts nested thousands deep: the parser's own recursion
        raise MailProblem("inbox.mail_too_complex") from None
    if not isinstance(message, EmailMessage) or not message.keys():
        raise MailProblem("inbox.not_a_mail")
    sender_name, sender = _sender(message)
    found: list[Attachment] = []
    skipped: list[tuple[str, Message]] = []
    others: list[str] = []
    archives: list[Attachment] = []
    try:
        truncated = _cut_short(message, data)
        cut = _last_part(message) if truncated else None
        _collect(message, found, skipped, others, archives, cut)
    except RecursionError:  # mails nested beyond reason (the walks' own recursion)
        raise MailProblem("inbox.mail_too_complex") from None
    return Mail(
        sender=sender,
        sender_name=sender_name,
        subject=_header(message, "subject"),
        date=_date(message),
        attachments=tuple(found),
        skipped=tuple(skipped),
        others=tuple(others),
        archives=tuple(archives),
        ours=DRAFT_HEADER in message,
        truncated=truncated,
    )


def _cut_short(message: EmailMessage, data: bytes) -> bool:
    """Whether a saved mail ends early: its headers never end, or a multipart's boundaries
    never come (a complete mail without attachments shows neither)."""
    if not _HEADERS_END.search(data):
        return True
    return any(isinstance(d, _CUT_DEFECTS) for part in message.walk() for d in part.defects)


def _last_part(message: EmailMessage) -> EmailMessage | None:
    """The part a mail's bytes end in: where a mail cut short was cut (those before it
    end at a boundary, whole)."""
    leaves = [part for part in message.walk() if not part.is_multipart()]
    return leaves[-1] if leaves else None


def _whole(payload: bytes) -> bool:
    """Whether the bytes of the part a mail was cut in are a whole workbook or zip file
    anyway (the cut fell in the closing boundary): a zip (.xlsx, .ods, .zip) with its end
    record, an OLE file (.xls) of whole sectors."""
    if payload.startswith(ZIP_MAGIC):
        return zipfile.is_zipfile(io.BytesIO(payload))
    if payload.startswith(OLE_MAGIC):
        return len(payload) % _OLE_SECTOR == 0
    return False  # base64 left undecoded, headers read as a body: what a cut leaves


def _collect(
    message: EmailMessage,
    found: list[Attachment],
    skipped: list[tuple[str, Message]],
    others: list[str],
    archives: list[Attachment],
    cut: EmailMessage | None = None,
) -> None:
    """The attachments of ``message`` into the lists given; ``cut``: the part a mail cut
    short ends in, which is read only if whole."""
    # the walk descends into forwarded mails (message/rfc822 parts) too
    unnamed = 0
    for count, (part, envelope) in enumerate(_walk(message, _Envelope(False, None, None))):
        if count > MAX_PARTS:
            raise MailProblem("inbox.mail_too_complex")
        try:
            raw = _filename(part)
            kind = part.get_content_type()
        except Exception:  # a header cut off mid-parameter (filename*0*=…) trips the parser
            skipped.append(("?", Message(CUT_SHORT if cut is not None else BROKEN_PART, {})))
            continue
        name = display_name(raw)
        if not name and _unnamed_workbook(part, kind):
            # a workbook sent without a name (or with one that is only dots or a path):
            # read under a name of ours, as the clerk would open it, not passed over
            unnamed += 1
            name = _unnamed(kind, unnamed)
        elif not name and raw.strip():
            others.append(raw.strip()[:80])  # a name that is no name (".."): said, as sent
        workbook = bool(name) and _is_workbook(name, kind)
        archive = bool(name) and not workbook and name.lower().endswith(ARCHIVE_SUFFIXES)
        if name and not workbook and not archive:
            others.append(name)
        if not workbook and not archive:
            continue
        if len(found) + len(archives) >= MAX_ATTACHMENTS:
            params = {"limit": MAX_ATTACHMENTS}
            skipped.append((name, Message("inbox.too_many_attachments", params)))
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # a malformed transfer encoding: the attachment is unreadable
            payload = b""
        if len(payload) > current_limits().file_bytes:
            skipped.append((name, too_large("inbox.attachment_too_large", len(payload))))
            continue
        if part is cut and not _whole(payload):  # not read: F1 would blame the unit's file
            skipped.append((name, Message(CUT_SHORT, {})))
            continue
        attachment = Attachment(name, payload, envelope.forwarded, envelope.sender, envelope.sent)
        (found if workbook else archives).append(attachment)


def _walk(part: EmailMessage, envelope: _Envelope) -> Iterator[tuple[EmailMessage, _Envelope]]:
    """Every part, as Message.walk() gives them, each with the envelope of the mail holding
    it: a forwarded mail's parts carry its From (else the forward's) and its Date, if any
    (the outermost mail's envelope is left empty: the caller has it)."""
    yield part, envelope
    if not part.is_multipart():
        return
    forwarded = part.get_content_type() == "message/rfc822"
    for inner in part.get_payload():
        if forwarded and isinstance(inner, EmailMessage):
            _, address = _sender(inner)
            yield from _walk(inner, _Envelope(True, address or envelope.sender, _date(inner)))
        else:
            yield from _walk(inner, envelope)


def display_name(raw: str) -> str:
    """An attachment's name for showing: its last path segment (Windows or POSIX), mail
    clients' raw GBK bytes repaired, control characters and surrounding space removed."""
    name = _repair(raw)
    name = PureWindowsPath(PurePosixPath(name.replace("\\", "/")).name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:200]


def _repair(text: str) -> str:
    """Headers sent as raw 8-bit GBK arrive as surrogate escapes: decode them as GB18030."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("gb18030", "replace")


def _filename(part: EmailMessage) -> str:
    """The attachment's name; a name sent as raw 8-bit GBK (not encoded, as some clients do)
    is read from the raw header, since the parsed one has lost its bytes."""
    name = part.get_filename() or ""
    if "\ufffd" not in name:
        return name
    for header, value in part.raw_items():
        if header.lower() in ("content-disposition", "content-type"):
            match = _RAW_NAME.search(str(value))
            if match:
                return _repair(match.group(1))
    return name


def too_large(message_id: str, size: int) -> Message:
    """``message_id`` said of a file over the size limit, with the setting that raises it."""
    setting = next(name for name, (field, _) in SETTINGS.items() if field == "file_bytes")
    limit = current_limits().file_bytes
    params = {"size": megabytes(size), "limit": megabytes(limit), "setting": setting}
    return Message(message_id, params)


def megabytes(size: int) -> str:
    """A size as its messages give it: 50, 1.4 (MB)."""
    return f"{size / MB:.1f}".removesuffix(".0")


_WORKBOOK_KIND = re.compile(r"spreadsheet|excel", re.I)
# the first bytes of a workbook file: a zip package (.xlsx, .ods) or an OLE file (.xls)
_WORKBOOK_MAGIC = (ZIP_MAGIC, OLE_MAGIC)
_OLE_SECTOR = 512  # the smallest sector an OLE file (.xls) is made of


def _unnamed_workbook(part: EmailMessage, kind: str) -> bool:
    """Whether a part sent without a name is a workbook: its type says so, or, sent as
    anything but text (application/octet-stream, as many clients do), its first bytes do."""
    if part.is_multipart() or kind.startswith(("text/", "message/", "multipart/")):
        return False
    if _WORKBOOK_KIND.search(kind):
        return True
    try:
        head = (part.get_payload(decode=True) or b"")[:8]
    except Exception:  # a malformed transfer encoding: nothing to tell by
        return False
    return head.startswith(_WORKBOOK_MAGIC)


def _unnamed(content_type: str, number: int) -> str:
    """The name an unnamed workbook attachment is shown by, its suffix from its type."""
    suffix = ".xlsx"  # a zip package's reader tells .xlsx from .ods by its content
    if "opendocument" in content_type:
        suffix = ".ods"
    elif "ms-excel" in content_type:
        suffix = ".xls"
    return render("inbox.unnamed_attachment", number=number) + suffix


def _is_workbook(name: str, content_type: str) -> bool:
    return name.lower().endswith(WORKBOOK_SUFFIXES) or any(
        kind in content_type for kind in _WORKBOOK_TYPES
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        return _repair(str(message.get(name, "") or "")).strip()
    except Exception:  # a header the parser cannot decode is simply not shown
        return ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    addresses = getaddresses([_header(message, "from")])
    if not addresses:
        return "", ""
    name, address = addresses[0]
    return name.strip(), address.strip().lower()


def _date(message: EmailMessage) -> dt.datetime | None:
    try:
        parsed = parsedate_to_datetime(_header(message, "date"))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # a local time without zone: taken as China time
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return parsed
