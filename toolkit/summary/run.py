"""From an inbox folder to the facts a summary shows: which unit sent which return, which
return counts (the latest of a unit's), which units are missing, and every finding.

A unit's returns replace each other only within one slot: its report in a national format
(either version), or one supplementary table sent as a file of its own. A local office that
asks for the report and a supplementary table gets both counted, each in its own totals.

All returns are read first and then validated together (one frame per form, one pandera
run): the findings are exactly those `toolkit check` gives file by file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from toolkit.check.pipeline import check_files
from toolkit.check.result import FileResult
from toolkit.forms.model import FormSpec
from toolkit.inbox.collect import Inbox, Received, collect
from toolkit.inbox.match import Match, Matcher
from toolkit.roster import RosterEntry, name_key

# what the summary workbook and reports need next; imported while the workers read
WRITING_MODULES = ("toolkit.summary.workbook", "toolkit.summary.report")
Standing = Literal["counted", "superseded", "ambiguous", "unknown"]
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass
class Return:
    """One return of the inbox, checked and matched."""

    received: Received
    result: FileResult
    match: Match
    standing: Standing = "counted"

    @property
    def slot(self) -> str:
        """What this return replaces when newer: "main" for a report in a national format
        (or a file that could not be read), else the supplementary form it holds."""
        read = self.result.read
        if read is not None and read.main is None and read.supplements:
            return read.supplements[0].spec.id
        return "main"

    @property
    def when(self) -> dt.datetime | None:
        """When it was sent: the mail's Date, else 填报日期, else the file's mtime."""
        if self.received.sent is not None:
            return self.received.sent
        filled = self.result.meta.get("date")
        if filled:
            try:
                day = dt.date.fromisoformat(str(filled)[:10])
                return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            except ValueError:
                pass
        return self.received.modified


# a unit's status is its worst counted return's
_STATUS_ORDER = ("unreadable", "errors", "warnings", "ok")


@dataclass
class UnitRow:
    """One roster unit and the return that counts for it (None: missing): its report, else
    the supplementary table it sent; ``supplements``: its other supplementary tables sent as
    files of their own, counted too."""

    unit: RosterEntry
    counted: Return | None
    superseded: list[Return] = field(default_factory=list)
    supplements: list[Return] = field(default_factory=list)

    @property
    def returns(self) -> list[Return]:
        """Every return counted for the unit."""
        return [r for r in (self.counted, *self.supplements) if r is not None]

    @property
    def status(self) -> str:
        """missing, else the worst status of its counted returns."""
        statuses = {r.result.status for r in self.returns}
        return next((s for s in _STATUS_ORDER if s in statuses), "missing")


@dataclass
class Summary:
    inbox: Path
    roster: list[RosterEntry]
    returns: list[Return]
    units: list[UnitRow]
    inbox_problems: Inbox

    @property
    def counted(self) -> list[Return]:
        return [r for r in self.returns if r.standing == "counted"]

    @property
    def missing(self) -> list[RosterEntry]:
        return [row.unit for row in self.units if row.counted is None]


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
) -> Summary:
    """``roster`` None: the units are those the returns name (none can be missing).
    Attachments are copied into ``workdir``, which must outlive the summary's use (the
    reply drafts annotate them). ``inbox``: returns already collected (audit's published
    reports, read with ``documents``) instead of the folder's; ``ours``: our own summary
    workbooks in the folder, which are not returns."""
    if inbox is None:
        inbox = collect(folder, workdir, ours)
    names = [str(r.path) for r in inbox.received]
    update = progress(len(names)) if progress is not None else None
    results = check_files(
        names, forms, form, progress=update, also_import=WRITING_MODULES, documents=documents
    )
    for received, result in zip(inbox.received, results, strict=True):
        result.file = received.origin  # an attachment is named by its mail, not our copy
        release_raw_values(result)
    if roster is None:
        # the units are the returns' own: each belongs to the unit made from it
        roster, matches = units_from_returns(results, [r.name for r in inbox.received])
    else:
        matcher = Matcher(roster)
        matches = [
            matcher.match(result.meta.get("unit"), received.sender, received.name)
            for received, result in zip(inbox.received, results, strict=True)
        ]
    returns = [
        Return(received, result, match)
        for received, result, match in zip(inbox.received, results, matches, strict=True)
    ]
    units = _by_unit(roster, returns)
    return Summary(folder, roster, returns, units, inbox)


def release_raw_values(result: FileResult) -> None:
    """Drop the cell contents the rules were judged on: the figures are in ``result.values``
    now, and 10,000 returns would keep two more copies of every cell."""
    result.prepared = []
    if result.read is not None:
        for part in result.read.parts:
            part.values = {}


def _by_unit(roster: list[RosterEntry], returns: list[Return]) -> list[UnitRow]:
    """The latest return of each unit and slot counts; its earlier ones are superseded."""
    rows = {unit.row: UnitRow(unit, None) for unit in roster}
    latest: dict[int, dict[str, Return]] = {}
    for item in returns:
        if item.match.how in ("ambiguous", "unknown"):
            item.standing = item.match.how  # type: ignore[assignment]
            continue
        unit = item.match.unit
        assert unit is not None
        slots = latest.setdefault(unit.row, {})
        held = slots.get(item.slot)
        if held is None:
            slots[item.slot] = item
            continue
        newer, older = sorted((held, item), key=lambda r: r.when or _EARLIEST, reverse=True)
        slots[item.slot] = newer
        older.standing = "superseded"
        rows[unit.row].superseded.append(older)
    for unit_row, slots in latest.items():
        row = rows[unit_row]
        main = slots.pop("main", None)
        others = list(slots.values())
        row.counted = main if main is not None else others.pop(0)
        row.supplements = others
    return list(rows.values())


def units_from_returns(
    results: list[FileResult], names: list[str]
) -> tuple[list[RosterEntry], list[Match]]:
    """Without a roster: one unit per distinct unit name the returns give (else file name),
    and each return's match to the unit it gave (a name with nothing in it matches none)."""
    units: dict[str, RosterEntry] = {}
    matches: list[Match] = []
    for result, name in zip(results, names, strict=True):
        written = str(result.meta.get("unit") or "").strip()
        unit = written or Path(name).stem.strip()
        key = name_key(unit)
        if not key:
            matches.append(Match("unknown", ()))
            continue
        if key not in units:
            units[key] = RosterEntry(unit, None, None, None, len(units) + 2)
        matches.append(Match("unit" if written else "file", (units[key],)))
    return list(units.values()), matches
