"""Reply drafts (.eml) for the units: to each unit with errors, its marked copy and the
problems; to each missing unit, a reminder with its blank template. UTF-8 throughout;
EmailMessage encodes Chinese subjects and attachment names (RFC 2047/2231). A unit without
an address gets a draft with an empty To, and is named in the list returned."""

from __future__ import annotations

import datetime as dt
import email.policy
import multiprocessing
import os
import signal
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy
from email.utils import formataddr
from pathlib import Path

from toolkit.check.annotate import SUFFIX, write_annotated
from toolkit.files import atomic_write, safe_file_stem, unique_stems
from toolkit.forms.model import FormSpec
from toolkit.inbox.collect import Unread
from toolkit.inbox.mail import DRAFT_HEADER
from toolkit.messages import has_message, render
from toolkit.roster import RosterEntry
from toolkit.summary.reply_options import ReplyOptions, said_date
from toolkit.summary.run import CHINA, Return, Summary, UnitRow
from toolkit.template.writer import Prepared, TemplateOptions, prepare, write_template

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_HEAD_BYTES = 8_192  # a draft's headers come first, well within this


class _DraftPolicy(EmailPolicy):
    """The default policy, except that an attachment's headers are folded only at RFC
    5322's line limit: a Chinese attachment name stays one filename*= parameter, not RFC
    2231 continuations (filename*0*=, *1*=) that older Outlook and some webmail show
    garbled. Other headers keep short encoded words (RFC 2047: at most 75 characters)."""

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in ("content-disposition", "content-type"):
            return _LONG_LINES.fold_binary(name, value)
        return super().fold_binary(name, value)


_LONG_LINES = email.policy.default.clone(max_line_length=998)
_DRAFT_POLICY = _DraftPolicy()


@dataclass(frozen=True)
class Draft:
    unit: RosterEntry
    kind: str  # "errors" | "missing" | "unreadable" (UnitRow.reply)
    path: Path


def plan_drafts(summary: Summary, folder: Path) -> list[tuple[RosterEntry, str, Path]]:
    """(unit, kind, path) of every draft to write, with distinct safe file names."""
    wanted = [(row.unit, row.reply) for row in summary.units if row.reply is not None]
    stems = unique_stems([safe_file_stem(unit.name) for unit, _ in wanted])
    return [
        (unit, kind, folder / f"{stem}.eml")
        for (unit, kind), stem in zip(wanted, stems, strict=True)
    ]


def stale_drafts(folder: Path, written: list[Path]) -> list[Path]:
    """Drafts an earlier run left in ``folder`` that this run did not write (their units
    have since reported, or corrected their returns): sending one would be a mistake."""
    kept = {path.name for path in written}
    return [p for p in sorted(folder.glob("*.eml")) if p.name not in kept and is_own_draft(p)]


def is_own_draft(path: Path) -> bool:
    """Whether ``path`` is a reply draft this tool wrote (its headers say so)."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
    except OSError:
        return False
    return DRAFT_HEADER in BytesHeaderParser().parsebytes(head)


def write_drafts(
    summary: Summary,
    planned: list[tuple[RosterEntry, str, Path]],
    spec: FormSpec,
    year: int,
    options: ReplyOptions | None = None,
) -> list[Draft]:
    """Every planned draft, written atomically; by one process per core (a marked copy or a
    template takes ~0.1 s of CPU each, and a county has hundreds of units to write to).
    ``options``: the deadline, sign-off and sender the clerk gave."""
    job = _Job(summary, planned, spec, year, options or ReplyOptions())
    count = min(os.cpu_count() or 1, len(planned))
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [job.write(i) for i in range(len(planned))]
    global _JOB
    _JOB = job  # the forked workers find it here, without pickling the summary
    try:
        with multiprocessing.get_context("fork").Pool(count, _quiet_on_interrupt) as pool:
            return list(pool.imap(_write_one, range(len(planned))))
    finally:
        _JOB = None


def _quiet_on_interrupt() -> None:
    """Ctrl-C is the parent's to handle (it stops the pool): a worker printed a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Job:
    def __init__(
        self,
        summary: Summary,
        planned: list[tuple[RosterEntry, str, Path]],
        spec: FormSpec,
        year: int,
        options: ReplyOptions,
    ) -> None:
        self.planned = planned
        self.letter = _Letter(options, dt.datetime.now(CHINA).date())
        self.spec = spec
        self.year = year
        self.rows = {row.unit.row: row for row in summary.units}
        blank = [unit for unit, kind, _ in planned if kind in ("missing", "unreadable")]
        named = [unit for unit in blank if not unit.placeholder]
        # one layout for every template sent with a draft; each gets its unit name, but one
        # known only by its address, which gets a template whose 填报单位 is left to fill in
        self.template = (
            prepare(spec, TemplateOptions(year=year, unit=named[0].name)) if named else None
        )
        self.unnamed = (
            prepare(spec, TemplateOptions(year=year))
            if any(unit.placeholder for unit in blank)
            else None
        )

    def template_for(self, unit: RosterEntry) -> Prepared:
        shared = self.unnamed if unit.placeholder else self.template
        assert shared is not None
        return shared if unit.placeholder else shared.for_unit(unit.name)

    def write(self, index: int) -> Draft:
        unit, kind, path = self.planned[index]
        row = self.rows[unit.row]
        faulty = [item for item in row.returns if item.result.status == "errors"]
        if kind == "errors":
            message = _errors_draft(row, faulty, self.year, self.letter)
        else:  # a unit missing its report may have sent a supplementary table with errors
            template = self.template_for(unit)
            message = _template_draft(
                row, kind, self.spec, self.year, template, faulty, self.letter
            )
        data = message.as_bytes(policy=_DRAFT_POLICY)
        atomic_write(path, lambda tmp: tmp.write_bytes(data))
        return Draft(unit, kind, path)


_JOB: _Job | None = None


def _write_one(index: int) -> Draft:
    assert _JOB is not None
    return _JOB.write(index)


def sendable_addresses(unit: RosterEntry) -> list[str]:
    """The unit's addresses a draft can carry (a mail header holds no raw Chinese, so an
    address written with some is left for the clerk, as a missing one is)."""
    return [a for a in unit.addresses if a.isascii()]


@dataclass(frozen=True)
class _Letter:
    """How every draft ends and whom it is from: the clerk's options, dated today."""

    options: ReplyOptions
    today: dt.date

    def closing(self, again: bool) -> str:
        """The deadline (to send again, or to send), thanks, and the sign-off over today's
        date."""
        lines = []
        if self.options.deadline is not None:
            key = "deadline_again" if again else "deadline"
            lines.append(render(f"summary.reply.{key}", date=said_date(self.options.deadline)))
        lines.append(render("summary.reply.thanks"))
        if self.options.sign is not None:
            signed = render(
                "summary.reply.signed", sign=self.options.sign, date=said_date(self.today)
            )
            lines.append(signed)
        return "\n\n".join(lines)


def _draft(unit: RosterEntry, subject: str, body: str, letter: _Letter) -> EmailMessage:
    message = EmailMessage()
    if letter.options.sender is not None:
        message["From"] = letter.options.sender
    # every address of the unit's 邮箱 cell, each with the unit's contact or name
    name = unit.contact or ("" if unit.placeholder else unit.name)
    message["To"] = ", ".join(formataddr((name, a)) for a in sendable_addresses(unit))
    message["Subject"] = subject
    message["X-Unsent"] = "1"  # Outlook opens it as a draft to send
    message[DRAFT_HEADER] = "1"  # a later run knows its drafts from the clerk's own mails
    message.set_content(body)
    return message


def _errors_draft(row: UnitRow, faulty: list[Return], year: int, letter: _Letter) -> EmailMessage:
    """The problems of each of the unit's returns with errors (its report, a supplementary
    table sent on its own), and a marked copy of each; and what else it sent that could not
    be read."""
    unit = row.unit
    counts, problems = _problems(faulty)
    unreadable = _unreadable_items(row)
    if unreadable:
        problems += "\n\n" + render("summary.reply.also_unreadable", items=unreadable)
    body = render(
        "summary.reply.errors_body",
        unit=_greeted(unit),
        year=year,
        counts=counts,
        problems=problems,
        closing=letter.closing(again=True),
    )
    subject = render("summary.reply.errors_subject", unit=_titled(unit), year=year)
    message = _draft(unit, subject, body, letter)
    _attach_marked(message, faulty)
    return message


def _template_draft(
    row: UnitRow,
    kind: str,
    spec: FormSpec,
    year: int,
    shared: Prepared,
    faulty: list[Return],
    letter: _Letter,
) -> EmailMessage:
    """A reminder ("missing") or a request to send again what could not be read
    ("unreadable"), with the unit's blank template; and the problems, with a marked copy,
    of a supplementary table it sent with errors, what it sent for another year, and what it
    sent that holds no report."""
    unit = row.unit
    more = ""
    if faulty:
        counts, problems = _problems(faulty)
        more = "\n\n" + render("summary.reply.missing_problems", counts=counts, problems=problems)
    if row.other_year:
        files = "、".join(Path(item.received.name).name for item in row.other_year)
        given = "、".join(sorted({str(item.result.meta.get("year")) for item in row.other_year}))
        more += "\n\n" + render("summary.reply.other_year", files=files, given=given, year=year)
    if row.blank:
        files = "、".join(Path(item.received.name).name for item in row.blank)
        more += "\n\n" + render("summary.reply.blank", files=files)
    for item in row.passed_over:
        more += "\n\n" + render("summary.reply.passed_over", what=_passed_over(item))
    if kind == "unreadable":
        items = _unreadable_items(row)
        readable = [r for r in row.returns if not r.result.unreadable]
        if readable:  # what it sent first still counts, until it is sent again
            files = "、".join(Path(r.received.name).name for r in readable)
            more = "\n\n" + render("summary.reply.counted_meanwhile", files=files) + more
        body = render(
            "summary.reply.unreadable_body",
            unit=_greeted(unit),
            year=year,
            items=items,
            more=more,
            template=_template_said(unit),
            closing=letter.closing(again=True),
        )
        subject = render("summary.reply.unreadable_subject", unit=_titled(unit), year=year)
    else:
        body = render(
            "summary.reply.missing_body",
            unit=_greeted(unit),
            year=year,
            more=more,
            template=_template_said(unit),
            closing=letter.closing(again=False),
        )
        subject = render("summary.reply.missing_subject", unit=_titled(unit), year=year)
    message = _draft(unit, subject, body, letter)
    with tempfile.TemporaryDirectory(prefix="toolkit-reply-") as work:
        template = Path(work) / "template.xlsx"
        options = TemplateOptions(year=year, unit=None if unit.placeholder else unit.name)
        write_template(spec, template, options, shared)
        name = render("summary.reply.template_name", unit=_titled(unit), year=year)
        stem = safe_file_stem(name.removesuffix(".xlsx"))  # a unit's name: no device name
        message.add_attachment(template.read_bytes(), *XLSX, filename=stem + ".xlsx")
    _attach_marked(message, faulty)
    return message


def _greeted(unit: RosterEntry) -> str:
    """Whom a draft's first line greets: the unit, or a plain greeting for one known only
    by its address."""
    return render("summary.reply.greeting") if unit.placeholder else unit.name


def _titled(unit: RosterEntry) -> str:
    """The unit's name in a subject or file name ("" for one known only by its address)."""
    return "" if unit.placeholder else render("summary.reply.subject_unit", name=unit.name)


def _template_said(unit: RosterEntry) -> str:
    """What the template attached holds: the unit's name too, unless it is not known."""
    key = "template_year_only" if unit.placeholder else "template_prefilled"
    return render(f"summary.reply.{key}")


def _unreadable_items(row: UnitRow) -> str:
    """The numbered list of what the unit sent that could not be read, each with why, said
    to the unit: its returns (counted or broken), and the mails, archives and attachments
    the inbox could not open."""
    found = [
        (Path(item.received.name).name, item.result.why_unreadable or "")
        for item in (*row.returns, *row.broken)
        if item.result.unreadable
    ]
    found += [
        (_own_name(item), item.message.message_id)
        for item in row.unreadable
        if not item.clerks_to_mend  # the clerk's to save otherwise, not the unit's
    ]
    return "\n".join(
        render("summary.reply.unreadable_item", number=i, name=name, why=render(_reason(why)))
        for i, (name, why) in enumerate(found, start=1)
    )


def _passed_over(item: Unread) -> str:
    """What the unit sent that holds no report, said to it."""
    key = f"summary.reply.passed.{item.message.message_id.rsplit('.', 1)[-1]}"
    key = key if has_message(key) else "summary.reply.passed.default"
    return render(key, name=_own_name(item), names=item.message.params.get("names", ""))


def _own_name(item: Unread) -> str:
    return item.name or Path(item.origin).name


def _reason(message_id: str) -> str:
    """The message id telling the unit why its file could not be read (the inbox's and the
    reader's own messages speak to the clerk)."""
    key = f"summary.reply.reason.{message_id.rsplit('.', 1)[-1]}"
    return key if has_message(key) else "summary.reply.reason.default"


def _problems(faulty: list[Return]) -> tuple[str, str]:
    """(how many errors and warnings, in words; the numbered list of them, errors first and
    each warning marked as one) of ``faulty``."""
    findings = [f for item in faulty for f in item.result.findings]
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning"]
    mark = render("summary.reply.warning_mark")
    lines = [f"{i}. {f.message}" for i, f in enumerate(errors, start=1)]
    lines += [f"{i}. {mark}{f.message}" for i, f in enumerate(warnings, start=len(errors) + 1)]
    key = "summary.reply.counts_warnings" if warnings else "summary.reply.counts"
    return render(key, errors=len(errors), warnings=len(warnings)), "\n".join(lines)


def _attach_marked(message: EmailMessage, faulty: list[Return]) -> None:
    """A marked copy of each return, named after the file it came as (a name, never a
    path; two copies never share one)."""
    marked_stem = SUFFIX.removesuffix(".xlsx")
    stems = [safe_file_stem(Path(item.received.name).stem + marked_stem) for item in faulty]
    names = unique_stems(stems)
    with tempfile.TemporaryDirectory(prefix="toolkit-reply-") as work:
        for item, name in zip(faulty, names, strict=True):
            marked = Path(work) / "marked.xlsx"
            write_annotated(item.result, marked)
            message.add_attachment(marked.read_bytes(), *XLSX, filename=name + ".xlsx")
