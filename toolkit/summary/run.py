"""From an inbox folder to the facts a summary shows: which unit sent which return, which
return counts (the latest of a unit's), which units are missing, and every finding.

A unit's returns replace each other slot by slot: its report in a national format (either
version), and each supplementary table, whether sent as a file of its own or beside the
report in one file. The latest return holding a slot counts for it, so a local office that
asks for the report and a supplementary table gets both counted, each in its own totals.

All returns are read first and then validated together (one frame per form, one pandera
run): the findings are exactly those `toolkit check` gives file by file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from toolkit.check.pipeline import check_files
from toolkit.check.result import FileResult, exit_code
from toolkit.forms.model import FormSpec
from toolkit.inbox.collect import MARKED_COPY, Inbox, Received, Unread, collect
from toolkit.inbox.match import Match, Matcher
from toolkit.messages import Message
from toolkit.read.meta import typed_day
from toolkit.read.versions import PLAIN_RANK, sheet_versions
from toolkit.roster import RosterEntry
from toolkit.summary.unlisted import own_unit, units_from_returns

# what the summary workbook and reports need next; imported while the workers read
WRITING_MODULES = ("toolkit.summary.workbook", "toolkit.summary.report")
# broken: a return that could not be read, sent with or after a readable one that counts
Standing = Literal["counted", "superseded", "broken", "other_year", "blank", "ambiguous", "unknown"]
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
CHINA = dt.timezone(dt.timedelta(hours=8))  # the reports' calendar, whatever this computer's
MAIN = "main"  # the slot of a unit's report in a national format


@dataclass
class Return:
    """One return of the inbox, checked and matched."""

    received: Received
    result: FileResult
    match: Match
    standing: Standing = "counted"

    # the slots it counts for (set when the unit's returns are compared); none: superseded
    counts_for: set[str] = field(default_factory=set)
    # an undated file (saved loose, or in a mail without a Date) that is a mailed return's
    # very bytes: the earliest such mail's Date (its mtime is when the clerk saved it)
    copy_sent: dt.datetime | None = None
    # the slots whose tables hold any answer of the unit (a figure typed, or "—"); None: not
    # known, taken as answered
    answered: frozenset[str] | None = None
    # the unit its workbook names, matched to its sender's unit although that name is not
    # the unit's (兰江街道卫生院 from 兰江街道's address): perhaps another body's report
    named_other: str | None = None
    # its file name's version mark among the inbox's names alike but for one (年报（修改后）
    # over 年报): (rank, number), for two returns sent at one moment (in one mail)
    version: tuple[int, int] = PLAIN_RANK

    @property
    def blank(self) -> bool:
        """A readable return whose every table is blank (the template sent back as it came)."""
        return self.answered is not None and not self.answered and not self.result.unreadable

    def answers(self, slot: str) -> bool:
        return self.answered is None or slot in self.answered

    @property
    def slots(self) -> tuple[str, ...]:
        """What this return reports: MAIN for a report in a national format (also a file
        that could not be read), and the id of each supplementary form it holds."""
        read = self.result.read
        if read is None:
            return (MAIN,)
        slots = (MAIN,) if read.main is not None else ()
        return (*slots, *(part.spec.id for part in read.supplements)) or (MAIN,)

    @property
    def counted_forms(self) -> frozenset[str]:
        """The forms whose totals this return's figures go into."""
        return frozenset(
            self.result.form if slot == MAIN else slot
            for slot in self.counts_for
            if slot != MAIN or self.result.form
        )

    @property
    def dated_by_form(self) -> bool:
        """Whether ``when`` is the day of its 填报日期 (no time of day is known)."""
        return (
            self.received.sent is None
            and self.copy_sent is None
            and self.when != self.received.modified
        )

    @property
    def when(self) -> dt.datetime | None:
        """When it was sent: the mail's Date (or the Date of a mail carrying the same file),
        else 填报日期, else the file's mtime."""
        if self.received.sent is not None:
            return self.received.sent
        if self.copy_sent is not None:
            return self.copy_sent
        filled = self.result.meta.get("date")
        if filled:
            day = typed_day(filled)
            if day is not None and _plausible(day, self.result.meta.get("year")):
                # the day began where it was filled in: China's, whatever this computer's
                return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA)
        return self.received.modified


def _plausible(day: dt.date, year: object) -> bool:
    """Whether a 填报日期 can date a report of ``year``: not before its December (a date
    left over from last year's file, re-used, would make this year's report the oldest)."""
    if not isinstance(year, (int, float)) or isinstance(year, bool):
        return True
    return day >= dt.date(int(year), 12, 1) if 1900 < year < 9999 else True


def unreadable_message(result: FileResult) -> str:
    """What its reader said of a file that could not be read."""
    return next((f.message for f in result.findings if f.severity == "error"), "")


# a unit's status is its worst counted return's
_STATUS_ORDER = ("unreadable", "errors", "warnings", "ok")


@dataclass
class UnitRow:
    """One roster unit and the return that counts for it: its report (None: missing), or in
    an inbox of supplementary tables alone, its table; ``supplements``: its other returns
    that count, for a supplementary table sent as a file of its own."""

    unit: RosterEntry
    counted: Return | None
    superseded: list[Return] = field(default_factory=list)
    # of those, returns nothing tells from the counted one: sent at the same moment (in one
    # mail), named alike, dated alike; the first met counts, and the clerk is asked
    undecided: list[Return] = field(default_factory=list)
    # and those sent with it holding the same figures (another file: re-saved, another
    # format, another 填报人): nothing to ask
    same_figures: list[Return] = field(default_factory=list)
    supplements: list[Return] = field(default_factory=list)
    other_year: list[Return] = field(default_factory=list)  # reports of another year
    blank: list[Return] = field(default_factory=list)  # tables sent back with no figure
    # returns that could not be read, sent with or after the readable one that counts
    broken: list[Return] = field(default_factory=list)
    expected: bool = True  # a roster's unit (else one made from the returns)
    # without a roster: units of several places its short name may be (民政局), to settle
    maybe_same: tuple[str, ...] = ()
    # what it sent that could not be read (a broken or RAR archive, a mail too large), and
    # what it sent that holds no return (a mail with only a PDF): its sender or name says
    unreadable: list[Unread] = field(default_factory=list)
    passed_over: list[Unread] = field(default_factory=list)
    unread_replaced: list[Unread] = field(default_factory=list)  # a readable return came later

    @property
    def returns(self) -> list[Return]:
        """Every return counted for the unit."""
        return [r for r in (self.counted, *self.supplements) if r is not None]

    @property
    def status(self) -> str:
        """missing (no report), unreadable when what it sent instead could not be read,
        else the worst status of its counted returns; other_year for a unit no roster
        expects that sent only reports of another year."""
        if self.counted is None:
            if self.unreadable:
                return "unreadable"
            return "other_year" if self.other_year and not self.expected else "missing"
        statuses = {r.result.status for r in self.returns}
        return next(s for s in _STATUS_ORDER if s in statuses)

    @property
    def reply(self) -> str | None:
        """What the unit is written to, if anything: "unreadable" (what could not be read,
        and its blank template), "missing" (a reminder with it) or "errors" (its problems,
        with marked copies)."""
        theirs = [u for u in self.unreadable if not u.clerks_to_mend]
        if self.status == "unreadable" and (self.expected or self.unit.addresses):
            # what only the clerk can mend (an Outlook .msg to save otherwise): no mail
            clerks_only = self.counted is None and self.unreadable and not theirs
            return None if clerks_only else "unreadable"
        if self.counted is None and self.expected:
            return "missing"
        if any(item.result.status == "errors" for item in self.returns):
            return "errors"
        return "unreadable" if self.broken or theirs else None

    @property
    def sent_again(self) -> list[Return]:
        """Its superseded returns that are a counted one's very file, sent again (twice in
        one mail, or once more later): nothing was replaced."""
        counted = {r.result.sha256 for r in self.returns if r.result.sha256}
        return [r for r in self.superseded if r.result.sha256 in counted]

    @property
    def unreadable_sent(self) -> list[tuple[str, str]]:
        """(file, why) of everything it sent that could not be read: its returns (counted or
        broken), and the mails, archives and attachments the inbox could not open."""
        found = [
            (item.result.file, unreadable_message(item.result))
            for item in (*self.returns, *self.broken)
            if item.result.unreadable
        ]
        return found + [(item.origin, item.message.render()) for item in self.unreadable]

    @property
    def finding_counts(self) -> tuple[int, int]:
        """(errors, warnings) over its counted returns."""
        severities = [f.severity for r in self.returns for f in r.result.findings]
        return severities.count("error"), severities.count("warning")


@dataclass
class Summary:
    inbox: Path
    roster: list[RosterEntry]
    returns: list[Return]
    units: list[UnitRow]
    inbox_problems: Inbox
    year: int | None = None  # the year collected: most returns', unless given
    year_given: bool = False  # by --year
    expected: bool = True  # the units are a roster's (else those the returns name)
    roster_file: Path | None = None  # where the roster was read from
    # each form's consolidated figures, by what they were asked with (summary/totals.py)
    consolidated: dict[tuple[bool, tuple[str, ...]], Any] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def counted(self) -> list[Return]:
        return [r for r in self.returns if r.standing == "counted"]

    def units_in_totals(self, include_errors: bool) -> set[str]:
        """The roster units whose counted return 汇总表 adds up: a unit that sent only a
        supplementary table while others sent their reports is not among them (in an inbox
        of supplementary tables alone, each unit's table is what is collected)."""
        added = {id(r) for r in self.in_totals(include_errors)}
        return {row.unit.name for row in self.units if row.counted and id(row.counted) in added}

    def in_totals(self, include_errors: bool) -> list[Return]:
        """The returns the consolidated tables add up: counted, readable, of a unit, and
        without errors unless asked."""
        allowed = {"ok", "warnings", "errors"} if include_errors else {"ok", "warnings"}
        return [r for r in self.counted if r.result.status in allowed and r.match.unit]

    @property
    def listed(self) -> list[Return]:
        """The returns whose findings are listed: all but those another return replaces
        or that report another year."""
        return [r for r in self.returns if r.standing not in ("superseded", "other_year", "blank")]

    @property
    def other_year(self) -> list[Return]:
        return [r for r in self.returns if r.standing == "other_year"]

    @property
    def received(self) -> int:
        """Units that sent a return counted this year (not missing, not only other years)."""
        return sum(1 for row in self.units if row.status not in ("missing", "other_year"))

    @property
    def unattributed(self) -> tuple[list[Unread], list[Unread]]:
        """The inbox's problems and notes no unit's row tells (a unit's are said there)."""
        told = {
            id(u)
            for row in self.units
            for u in (*row.unreadable, *row.passed_over, *row.unread_replaced)
        }
        problems = [u for u in self.inbox_problems.problems if id(u) not in told]
        return problems, [u for u in self.inbox_problems.skipped if id(u) not in told]

    @property
    def open_problems(self) -> list[Unread]:
        """The inbox's problems still to deal with: all but those a unit's readable return,
        sent later, has made moot."""
        moot = {id(u) for row in self.units for u in row.unread_replaced}
        return [u for u in self.inbox_problems.problems if id(u) not in moot]

    @property
    def unmatched(self) -> list[Return]:
        return [r for r in self.returns if r.standing in ("unknown", "ambiguous")]

    @property
    def exit_code(self) -> int:
        """As `check`'s, over the returns whose findings are listed: 2 when a file could
        not be read (a return, or a mail, archive or attachment of the inbox), else 1 when
        a return has errors, else 0 (what a later return replaced, or another year's, does
        not count)."""
        return 2 if self.open_problems else exit_code([r.result for r in self.listed])


def summarise(
    folder: Path,
    roster: list[RosterEntry] | None,
    forms: list[FormSpec],
    workdir: Path,
    form: FormSpec | None = None,
    progress: Callable[[int], Callable[[int], None]] | None = None,
    inbox: Inbox | None = None,
    documents: bool = False,
    ours: frozenset[Path] = frozenset(),
    year: int | None = None,
    infer_year: bool = True,
) -> Summary:
    """``roster`` None: the units are those the returns name (none can be missing).
    Attachments are copied into ``workdir``, which must outlive the summary's use (the
    reply drafts annotate them). ``inbox``: returns already collected (audit's published
    reports, read with ``documents``) instead of the folder's; ``ours``: our own summary
    workbooks in the folder, which are not returns. ``year``: the year collected (default: the
    year most returns give, unless ``infer_year`` is False); a return of another year counts for
    nothing."""
    if inbox is None:
        inbox = collect(folder, workdir, ours)
    names = [str(r.path) for r in inbox.received]
    update = progress(len(names)) if progress is not None else None
    # an attachment is named by its mail, not our copy, in its result and its messages
    results = check_files(
        names,
        forms,
        form,
        progress=update,
        also_import=WRITING_MODULES,
        documents=documents,
        shown=[r.origin for r in inbox.received],
    )
    answered = {id(result): answered_slots(result) for result in results}
    for result in results:
        release_raw_values(result)
    results = _without_own_summaries(inbox, results)
    results = _without_own_marked_copies(inbox, results)
    expected = roster is not None  # without one, the units are whatever the returns are
    if roster is None:
        # the units are the returns' own: each belongs to the unit made from it
        names, senders = [r.name for r in inbox.received], [r.sender for r in inbox.received]
        unlisted = units_from_returns(results, names, senders)
        roster, matches = unlisted.units, unlisted.matches
    else:
        matcher = Matcher(roster)
        matches = [
            matcher.match_unread(received.sender, received.name)
            if result.unreadable
            else matcher.match(result.meta.get("unit"), received.sender, received.name)
            for received, result in zip(inbox.received, results, strict=True)
        ]
    returns = [
        Return(received, result, match, answered=answered[id(result)])
        for received, result, match in zip(inbox.received, results, matches, strict=True)
    ]
    _date_copies(returns)
    _version_names(returns)
    if expected:
        _flag_named_otherwise(returns, matcher)
    # the year collected: given, or most returns' (a report of another year sent by
    # mistake must not go into this year's totals, with a roster or without one)
    given = year is not None
    year = year or (usual_year(results) if infer_year else None)
    units = _by_unit(roster, returns, expected, year)
    if not expected:
        for row in units:
            row.maybe_same = unlisted.maybe.get(row.unit.row, ())
        matcher = Matcher(roster)  # the units the returns name, with their senders
    _attribute_unread(units, inbox, matcher, None if expected else roster)
    return Summary(folder, roster, returns, units, inbox, year, given, expected)


def _without_own_summaries(inbox: Inbox, results: list[FileResult]) -> list[FileResult]:
    """The results of the returns, not of summary workbooks this tool wrote (an earlier
    run's, saved into the folder under another name): those are passed over, said so, and
    never matched to a unit (its 汇总表 reads as one unit's report, and a reply would carry
    every unit's figures)."""
    own = {i for i, r in enumerate(results) if r.why_unreadable == "read.own_summary"}
    return _passed_over(inbox, results, own, "inbox.own_summary")


def _without_own_marked_copies(inbox: Inbox, results: list[FileResult]) -> list[FileResult]:
    """The results without the marked copies `check --annotate` left in the folder beside
    their returns, or in a folder of its own (兰江街道.批注.xlsx, or 兰江街道.xls.批注.xlsx,
    of 兰江街道.XLS: the same figures): each would be a second return of its unit. One whose
    figures differ (a unit's correction, sent back under the copy's name) is a return."""
    returns: dict[str, list[int]] = {}  # a loose return's name and stem, in lower case
    for i, item in enumerate(inbox.received):
        if item.sent is None and not results[i].unreadable:
            for said in {item.name.lower(), Path(item.name).stem.lower()}:
                returns.setdefault(said, []).append(i)
    own = set()
    for i, item in enumerate(inbox.received):
        if item.sent is not None or not item.name.endswith(MARKED_COPY):
            continue
        of = returns.get(item.name[: -len(MARKED_COPY)].lower(), [])
        if any(j != i and results[j].values == results[i].values for j in of):
            own.add(i)
    return _passed_over(inbox, results, own, "inbox.own_marked_copy")


def _passed_over(
    inbox: Inbox, results: list[FileResult], passed: set[int], why: str
) -> list[FileResult]:
    """``results`` without those at ``passed``, whose files are moved from the inbox's
    returns to what it passed over, with ``why`` (nobody's: no unit is told of them)."""
    if not passed:
        return results
    for i in sorted(passed):
        inbox.skipped.append(Unread(inbox.received[i].origin, Message(why, {})))
    inbox.received = [r for i, r in enumerate(inbox.received) if i not in passed]
    return [r for i, r in enumerate(results) if i not in passed]


def _date_copies(returns: list[Return]) -> None:
    """Date each undated return by the earliest mail that carried the same file: a clerk
    who saves an attachment into the folder days later must not make it newer than the
    correction the unit mailed in between."""
    mailed: dict[str, dt.datetime] = {}
    for item in returns:
        sent, digest = item.received.sent, item.result.sha256
        if sent is not None and digest is not None:
            mailed[digest] = min(sent, mailed.get(digest, sent))
    for item in returns:
        if item.received.sent is None and item.result.sha256 in mailed:
            item.copy_sent = mailed[item.result.sha256]


def _flag_named_otherwise(returns: list[Return], matcher: Matcher) -> None:
    """Mark each return matched by its sender whose workbook names a body the roster does
    not know as that unit (a subordinate's report sent from the unit's address, or a name
    written unlike the roster's): counted, and said, for the clerk to confirm."""
    for item in returns:
        named = item.result.meta.get("unit")
        if item.match.how != "sender" or not isinstance(named, str) or not named.strip():
            continue
        known = (*matcher.by_name(named), *matcher.by_short_name(named))
        if not any(unit is item.match.unit for unit in known):
            item.named_other = named


def _version_names(returns: list[Return]) -> None:
    """Mark each return whose file name is another's but for a version mark (民政局年报 and
    民政局年报（修改后）, sent together in one mail): the revision counts."""
    stems = {id(item): Path(item.received.name).stem for item in returns}
    versions = sheet_versions(list(dict.fromkeys(stems.values())))
    for item in returns:
        found = versions.get(stems[id(item)])
        if found is not None:
            item.version = found[1:]


def _attribute_unread(
    units: list[UnitRow], inbox: Inbox, matcher: Matcher, roster: list[RosterEntry] | None = None
) -> None:
    """Give each unit what it sent that was not read as a return, matched by the mail's
    sender, else by the file's own name (nothing inside could be read). ``roster``: without
    a roster's, the units the returns name, to which a unit is added for what could not be
    read from a sender (or of a name) none of them has (its file named or its address)."""
    rows = {row.unit.row: row for row in units}
    added: dict[str, UnitRow] = {}
    for item, problem in [(u, True) for u in inbox.problems] + [(u, False) for u in inbox.skipped]:
        if item.sender is None and not item.name:
            continue  # a temporary file, our own output: nobody's
        unit = matcher.match_unread(item.sender, item.name).unit
        unreadable = problem  # else passed over: it holds no return (a mail with a PDF)
        row = rows[unit.row] if unit is not None else None
        if row is None and roster is not None and unreadable:
            row = _row_of_unread(item, roster, units, added)
        if row is None:
            continue
        if not unreadable:
            row.passed_over.append(item)
        elif _replaced(item, row):
            row.unread_replaced.append(item)  # a readable return came after it
        else:
            row.unreadable.append(item)


def _row_of_unread(
    item: Unread, roster: list[RosterEntry], units: list[UnitRow], added: dict[str, UnitRow]
) -> UnitRow | None:
    """Without a roster: the unit made for what could not be read from a sender none of
    the returns came from, named by its file (市体育局年报.rar) or its address."""
    key, name, placeholder = own_unit(item.name, item.sender)
    if placeholder and item.sender is None:
        return None  # a file put in the folder, naming no body: nobody's
    if key not in added:
        entry = RosterEntry(name, item.sender, None, None, len(roster) + 2, placeholder)
        roster.append(entry)
        added[key] = UnitRow(entry, None, expected=False)
        units.append(added[key])
    return added[key]


def _replaced(item: Unread, row: UnitRow) -> bool:
    """Whether a readable return the unit sent later counts instead of ``item`` (one whose
    time is unknown, a file put in the folder, may be the latest: it is not replaced)."""
    readable = [r for r in row.returns if not r.result.unreadable and r.when is not None]
    return item.sent is not None and any(item.sent < r.when for r in readable)  # type: ignore[operator]


def usual_year(results: list[FileResult]) -> int | None:
    """The year most returns give (of two as common, the later)."""
    years = Counter(r.meta.get("year") for r in results if isinstance(r.meta.get("year"), int))
    return max(years, key=lambda y: (years[y], y)) if years else None


def release_raw_values(result: FileResult) -> None:
    """Drop the cell contents the rules were judged on: the figures are in ``result.values``
    now, and 10,000 returns would keep two more copies of every cell."""
    result.prepared = []
    if result.read is not None:
        for part in result.read.parts:
            part.values = {}


def _by_unit(
    roster: list[RosterEntry], returns: list[Return], expected: bool = True, year: int | None = None
) -> list[UnitRow]:
    """For each unit and slot the latest return of ``year`` counts; a return that counts for
    no slot is superseded, one that gives another year counts for none. ``expected``: the
    roster lists units expected to report."""
    rows = {unit.row: UnitRow(unit, None, expected=expected) for unit in roster}
    latest: dict[int, dict[str, Return]] = {}
    matched: list[Return] = []
    for item in returns:
        if item.match.how in ("ambiguous", "unknown"):
            item.standing = item.match.how  # type: ignore[assignment]
            continue
        unit = item.match.unit
        assert unit is not None
        given = item.result.meta.get("year")
        if year is not None and isinstance(given, int) and given != year:
            item.standing = "other_year"  # last year's report sent again, or by mistake
            rows[unit.row].other_year.append(item)
            continue
        if expected and item.blank:
            # the template sent back untouched: no report (a reminder says so), and never
            # in place of one with figures
            item.standing = "blank"
            rows[unit.row].blank.append(item)
            continue
        matched.append(item)
        slots = latest.setdefault(unit.row, {})
        for slot in item.slots:
            held = slots.get(slot)
            # a table answered beats a blank one, whatever their dates (a blank template
            # saved later, or beside a supplementary table, must not drop the figures)
            ours = (item.answers(slot), *_recency(item, year))
            if held is None or ours > (held.answers(slot), *_recency(held, year)):
                slots[slot] = item  # a tie keeps the one met first
    # when the inbox holds reports, a roster unit that sent only a supplementary table has
    # not sent its report: it stays missing (its table still counts); an inbox of nothing
    # but supplementary tables is a collection of those
    others = [r for row in rows.values() for r in row.other_year]
    reports_expected = expected and any(
        r.result.read is not None and r.result.read.main for r in (*matched, *others)
    )
    for unit_row, slots in latest.items():
        counted: list[Return] = []
        for slot, item in slots.items():
            item.counts_for.add(slot)
            if not any(item is other for other in counted):
                counted.append(item)
        row = rows[unit_row]
        row.counted = slots.get(MAIN) or (None if reports_expected else counted[0])
        row.supplements = [r for r in counted if r is not row.counted]
    for item in matched:
        if item.counts_for:
            continue
        row = rows[item.match.unit.row]  # type: ignore[union-attr]
        if item.result.unreadable and row.counted is not None and _sent_since(item, row.counted):
            item.standing = "broken"  # a correction, perhaps, that cannot be read: said
            row.broken.append(item)
        else:
            item.standing = "superseded"
            row.superseded.append(item)
            counted = row.counted
            if (
                counted is not None
                and item.result.sha256 != counted.result.sha256  # not the same file twice
                and _recency(item, year) == _recency(counted, year)
            ):
                same = item.result.values == counted.result.values
                (row.same_figures if same else row.undecided).append(item)
    return list(rows.values())


def answered_slots(result: FileResult) -> frozenset[str] | None:
    """The slots of the return (MAIN, and each supplementary form) whose tables hold any
    answer of the unit (Prepared.answered). None when that is not known (not read; read
    without its cells made ready)."""
    read = result.read
    if read is None or len(result.prepared) != len(read.parts):
        return None
    return frozenset(
        MAIN if part is read.main else part.spec.id
        for part, prepared in zip(read.parts, result.prepared, strict=True)
        if prepared.answered
    )


def _sent_since(item: Return, counted: Return) -> bool:
    """Whether ``item`` came with or after ``counted`` (in one mail, or later)."""
    return (item.when or _EARLIEST) >= (counted.when or _EARLIEST)


def _recency(
    item: Return, year: int | None
) -> tuple[bool, int, bool, dt.date, dt.datetime, tuple[int, int]]:
    """Which of a unit's returns counts: one that could be read (a broken file sent later
    does not drop a readable report from the totals); then the report of the later year
    (one of 2024 sent again after 2025's does not replace it); then one that names the
    unit, or names none, over one that names another body and is the unit's only by its
    sender (a subordinate's report it forwarded does not replace its own); then the later
    sent, by day; of one day, the later sent or saved: a 填报日期 is a day without a time (a
    correction keeps its signature's date), so a file dated by it counts by when it was
    saved against a mail of that day or another such file; of one moment (one mail), the
    one its file name marks as the revision. A return without a year is
    taken for the year collected, so a correction that lost its year still counts (with
    its M1 error)."""
    given = item.result.meta.get("year")
    named = item.match.how == "unit" or not item.result.meta.get("unit")
    when = item.when
    if when is None:
        day = dt.date.min
    elif item.dated_by_form:
        day = when.date()  # the 填报日期 itself
    else:  # a mail's Date or a file's time, on the calendar its 填报日期 is written in
        day = when.astimezone(CHINA).date()
    moment = (item.received.modified if item.dated_by_form else when) or _EARLIEST
    readable = not item.result.unreadable
    given = given if isinstance(given, int) else year or 0
    return readable, given, named, day, moment, item.version
