"""What the clerk adds to every reply draft from the command line: a deadline to send by,
a sign-off (the office, maybe its phone), and the office's own address as the sender, so a
draft opens ready to send. Each is checked here, before the inbox is read."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from toolkit.errors import UserError
from toolkit.messages import render
from toolkit.roster import sendable_address

# 2027-01-20, 2027/1/20, 2027.1.20, 2027年1月20日, 20270120 (NFKC first: full-width digits)
_DATE = re.compile(r"(\d{4})\s*(?:[-/.年]\s*)?(\d{1,2})\s*(?:[-/.月]\s*)?(\d{1,2})\s*日?")
MAX_SIGN_CHARS = 100  # a sign-off is a line: an office, a phone


@dataclass(frozen=True)
class ReplyOptions:
    deadline: dt.date | None = None
    sign: str | None = None
    sender: str | None = None  # the office's address: the drafts' From


def reply_options(
    deadline: str | None, sign: str | None, sender: str | None, today: dt.date
) -> ReplyOptions:
    """The options as given, checked (UserError: the CLI's exit 2)."""
    return ReplyOptions(
        deadline=None if deadline is None else parse_deadline(deadline, today),
        sign=None if sign is None else _parse_sign(sign),
        sender=None if sender is None else _parse_sender(sender),
    )


def parse_deadline(text: str, today: dt.date) -> dt.date:
    """A date as people type one; one already past is refused (a reply asking for a report
    by a day gone by is a typo)."""
    written = unicodedata.normalize("NFKC", text).strip()
    found = _DATE.fullmatch(written)
    try:
        day = dt.date(*(int(part) for part in found.groups())) if found else None
    except ValueError:
        day = None
    if day is None:
        raise UserError("cli.deadline_invalid", text=text)
    if day < today:
        raise UserError("cli.deadline_past", date=said_date(day), today=said_date(today))
    return day


def _parse_sign(text: str) -> str:
    # one line: control characters (a pasted tab or line break) become spaces
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if not line or len(line) > MAX_SIGN_CHARS:
        raise UserError("cli.sign_invalid", limit=MAX_SIGN_CHARS)
    return line


def _parse_sender(text: str) -> str:
    address = sendable_address(text)
    if address is None:
        raise UserError("cli.sender_invalid", text=text)
    return address


def said_date(day: dt.date) -> str:
    """A date as a letter writes it: 2027年1月20日."""
    return render("summary.reply.date", year=day.year, month=day.month, day=day.day)
