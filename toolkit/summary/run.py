"""From an inbox folder to the facts a summary shows: which unit sent which return, which
return counts (the latest of a unit's), which units are missing, and every finding.

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


@dataclass
class UnitRow:
    """One roster unit and the return that counts for it (None: missing)."""

    unit: RosterEntry
    counted: Return | None
    superseded: list[Return] = field(default_factory=list)


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
    """The latest return of each unit counts; its earlier ones are superseded."""
    rows = {unit.row: UnitRow(unit, None) for unit in roster}
    for item in returns:
        if item.match.how in ("ambiguous", "unknown"):
            item.standing = item.match.how  # type: ignore[assignment]
            continue
        unit = item.match.unit
        assert unit is not None
        row = rows[unit.row]
        if row.counted is None:
            row.counted = item
            continue
        newer, older = sorted((row.counted, item), key=lambda r: r.when or _EARLIEST, reverse=True)
        row.counted = newer
        older.standing = "superseded"
        row.superseded.append(older)
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
