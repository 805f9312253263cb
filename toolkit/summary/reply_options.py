"""What the clerk adds to every reply draft from the command line: a deadline to send by,
a sign-off (the office, maybe its phone), and the office's own address as the sender, so a
draft opens ready to send. Each is checked here, before the inbox is read."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from toolkit.errors import UserError
from toolkit.messages import render
from toolkit.roster import sendable_address

# 2027-01-20, 2027/1/20, 2027.1.20, 2027年1月20日(号), 1月20日 (this year's or next's),
# 20270120 (eight digits: 2027115 could be 1-15 or 11-5); NFKC first: full-width digits
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_DATE = re.compile(
    r"(?:(?P<year>\d{4})\s*(?:[-/.]|年)\s*)?(?P<month>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<day>\d{1,2})\s*[日号]?\s*(?:前|之前|以前)?"
    r"|(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
)
LATEST_DAYS = 366  # a deadline further off is a typo (20721015 for 2027-10-15)
MAX_SIGN_CHARS = 100  # an office, a phone
MAX_SIGN_LINES = 3


@dataclass(frozen=True)
class ReplyOptions:
    deadline: dt.date | None = None
    sign: str | None = None
    sender: str | None = None  # the drafts' From: the office's address, maybe with its name


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
    written = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    found = _DATE.fullmatch(written)
    day = _day(found, today) if found else None
    if day is None:
        raise UserError("cli.deadline_invalid", text=_one_line(text))
    if day < today:
        raise UserError("cli.deadline_past", date=said_date(day), today=said_date(today))
    if (day - today).days > LATEST_DAYS:
        raise UserError("cli.deadline_far", date=said_date(day), today=said_date(today))
    return day


def _day(found: re.Match[str], today: dt.date) -> dt.date | None:
    """The date matched; a month and day without a year is their next coming (a deadline
    in January written in December is next year's)."""
    parts = found.groupdict()
    if parts["y"]:
        year, month, day = int(parts["y"]), int(parts["m"]), int(parts["d"])
    else:
        year = int(parts["year"] or today.year)
        month, day = int(parts["month"]), int(parts["day"])
    try:
        when = dt.date(year, month, day)
        if parts["year"] is None and parts["y"] is None and when < today:
            when = dt.date(year + 1, month, day)
    except ValueError:
        return None
    return when


def _parse_sign(text: str) -> str:
    """Up to three lines (an office, a phone); a tab or other control character is a space.
    One starting "--" is an option the shell gave it ("--sign --force" lost --force)."""
    lines = [
        " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in line).split())
        for line in text.splitlines()
    ]
    lines = [line for line in lines if line]
    signed = "\n".join(lines)
    if signed.startswith("--"):
        raise UserError("cli.sign_option", text=_one_line(text))
    if not lines or len(lines) > MAX_SIGN_LINES or len(signed) > MAX_SIGN_CHARS:
        raise UserError("cli.sign_invalid", limit=MAX_SIGN_CHARS, lines=MAX_SIGN_LINES)
    return signed


def _parse_sender(text: str) -> str:
    """The address to send from, as a header carries it: "公开办 <gkb@x.cn>" keeps its name."""
    name, address = parseaddr(unicodedata.normalize("NFKC", text).strip())
    if not _sound_address(address):
        raise UserError("cli.sender_invalid", text=_one_line(text))
    return formataddr((name, address)) if name else address


def _sound_address(address: str) -> bool:
    """An ASCII address whose local part and domain a mail header takes without a defect
    (no leading, trailing or doubled dot; no label starting or ending with "-")."""
    if sendable_address(address) is None:
        return False
    local, _, domain = address.rpartition("@")
    dots = local.startswith(".") or local.endswith(".") or ".." in local
    return not dots and all(
        label and label[0] != "-" and label[-1] != "-" for label in domain.split(".")
    )


def _one_line(text: str) -> str:
    """What was given, said back on one line (a pasted line break split the message)."""
    return " ".join(text.split())


def said_date(day: dt.date) -> str:
    """A date as a letter writes it: 2027年1月20日."""
    return render("summary.reply.date", year=day.year, month=day.month, day=day.day)
