"""What `toolkit summary` prints: toolkit-summary/1 JSON, or a short text account."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any, TextIO

from toolkit.check.result import json_number
from toolkit.forms.model import FormSpec
from toolkit.inbox.collect import Unread
from toolkit.jsonout import Lazy, write_document
from toolkit.messages import render
from toolkit.summary.run import Return, Summary, UnitRow, unreadable_message

SCHEMA = "toolkit-summary/1"


def units_json(summary: Summary, include_errors: bool = False) -> list[dict[str, Any]]:
    added = summary.units_in_totals(include_errors)
    units = []
    for row in summary.units:
        item = row.counted
        errors, warnings = row.finding_counts
        # nothing counts: what it sent that could not be read, as 报送情况 shows it
        sent = [u for u in row.unreadable if item is None]
        when = item.when if item else max((u.sent for u in sent if u.sent), default=None)
        units.append(
            {
                "unit": row.unit.name,
                "group": row.unit.group,
                "email": row.unit.email,
                "status": row.status,
                "file": item.result.file if item else "；".join(u.origin for u in sent) or None,
                "matched_by": item.match.how if item else None,
                "received": _iso(when, item is not None and item.dated_by_form),
                "errors": errors,
                "warnings": warnings,
                # whether 汇总表 adds its return up (as 明细's 计入汇总表 says)
                "in_totals": row.unit.name in added,
                "superseded": [r.result.file for r in row.superseded]
                + [u.origin for u in row.unread_replaced],
                "other_year": [
                    {"file": r.result.file, "year": r.result.meta.get("year")}
                    for r in row.other_year
                ],
                "blank": [r.result.file for r in row.blank],
                "supplements": [
                    {"file": r.result.file, "form": r.result.form, "status": r.result.status}
                    for r in row.supplements
                ],
                "unreadable": [
                    {"origin": origin, "message": why} for origin, why in row.unreadable_sent
                ],
                "passed_over": [_unread_json(u) for u in row.passed_over],
                "maybe_same": list(row.maybe_same),
                # of "superseded", those sent with the counted one, nothing telling which counts
                "undecided": [r.result.file for r in row.undecided],
                "same_figures": [r.result.file for r in row.same_figures],
                # the body its counted return names, where that is none of the roster's
                "named_other": item.named_other if item else None,
            }
        )
    return units


def _unread_json(item: Unread) -> dict[str, Any]:
    return {"origin": item.origin, "message": item.message.render()}


def totals_json(
    summary: Summary, specs: dict[str, FormSpec], include_errors: bool = False
) -> list[dict[str, Any]]:
    """汇总表's figures, as it shows them: per form, those of all the returns added up
    ("all"), then per roster group ("group") and of the units in none ("ungrouped"), each
    with the units it adds up and what its notes say of them."""
    from toolkit.summary.totals import as_shown, consolidated

    out = []
    for form in consolidated(summary, specs, include_errors)[1]:
        for group, (items, figures) in form.groups.items():
            scope = "all" if group == "" else "ungrouped" if group is None else "group"

            def named(chosen: set[int], items: list[Return] = items) -> list[str]:
                return [r.match.unit.name for r in items if r.match.unit and id(r) in chosen]

            shown = as_shown(form.spec, figures)
            out.append(
                {
                    "form": form.spec.id,
                    "scope": scope,
                    "group": group or None,
                    "units": [r.match.unit.name for r in items if r.match.unit],
                    # added up with errors (--include-errors): the sums need not balance
                    "with_errors": named({id(r) for r in items if r.result.status == "errors"}),
                    # figures N1 refuses (a -1 typed for a count), left out of the sums
                    "invalid_left_out": named(form.refused),
                    # a total given with its parts blank: the parts add up to less than it
                    "totals_alone": named(form.alone),
                    "figures": {key: json_number(value) for key, value in shown.items()},
                }
            )
    return out


def json_document(
    summary: Summary,
    specs: dict[str, FormSpec],
    include_errors: bool = False,
    workbook: Path | None = None,
) -> dict[str, Any]:
    """The toolkit-summary/1 document; its results are made one by one as they are written.
    ``workbook``: where the summary workbook was written, if it was (-o may name a folder)."""
    owners = {
        id(u): row.unit.name
        for row in summary.units
        for u in (*row.unreadable, *row.passed_over, *row.unread_replaced)
    }
    return {
        "schema": SCHEMA,
        "year": summary.year,
        "workbook": str(workbook) if workbook is not None else None,
        "units": units_json(summary, include_errors),
        "unmatched": [
            {
                "file": r.result.file,
                "standing": r.standing,
                "candidates": [u.name for u in r.match.units],
            }
            for r in summary.unmatched
        ],
        "results": Lazy(summary.returns, lambda r: r.result.to_json()),
        "totals": totals_json(summary, specs, include_errors),
        # every problem of the inbox, each naming the unit whose row also tells it (or null)
        "inbox_problems": [
            {**_unread_json(item), "unit": owners.get(id(item))}
            for item in summary.inbox_problems.problems
        ],
        "skipped": [
            {**_unread_json(item), "unit": owners.get(id(item))}
            for item in summary.inbox_problems.skipped
        ],
    }


def write_json_report(
    summary: Summary,
    stream: TextIO,
    specs: dict[str, FormSpec],
    include_errors: bool = False,
    workbook: Path | None = None,
) -> None:
    write_document(stream, json_document(summary, specs, include_errors, workbook))


def counted_notes(row: UnitRow, joiner: str) -> list[str]:
    """What 报送情况 and the text say of a unit's counted return: that it names a body off
    the roster, and the returns sent with it that nothing tells from it (other figures, the
    same figures); files listed with ``joiner``."""
    counted = row.counted
    if counted is None:
        return []
    notes = []
    if counted.named_other:
        params = {"named": counted.named_other, "sender": counted.received.sender}
        notes.append(render("summary.note.named_other", **params))
    if row.undecided:
        files = joiner.join(r.result.file for r in row.undecided)
        notes.append(render("summary.note.undecided", files=files, counted=counted.result.file))
    if row.same_figures:
        files = joiner.join(r.result.file for r in row.same_figures)
        notes.append(render("summary.note.same_figures", files=files))
    return notes


def inbox_line(item: Unread) -> str:
    """A file of the inbox not read, with why, as the text lists it."""
    return render("summary.inbox_line", origin=item.origin, message=item.message.render())


def said_with_origin(origin: str, why: str) -> str:
    """``why`` a file could not be read, naming the file (most reasons name it already)."""
    return why if origin in why else render("summary.inbox_line", origin=origin, message=why)


def text_report(summary: Summary) -> str:
    listed: list[tuple[str, str]] = []  # (status or standing, what follows it)
    unreadable = render("summary.standing.unreadable_mail")
    also_unreadable = render("summary.standing.also_unreadable")
    for row in summary.units:
        readable = [r.result.file for r in row.returns if not r.result.unreadable]
        if readable or row.status not in ("unreadable", "other_year"):
            text = "  ".join([row.unit.name, *readable])
            if row.maybe_same:
                text += "  " + render("summary.note.maybe_same", names="、".join(row.maybe_same))
            text += "".join("  " + note for note in counted_notes(row, "、"))
            listed.append((render(f"summary.status.{row.status}"), text))
        # what it sent that could not be read, each with why (a row of its own): beside a
        # readable return, said as something else it sent
        label = also_unreadable if readable else unreadable
        for origin, why in row.unreadable_sent:
            listed.append((label, f"{row.unit.name}  {said_with_origin(origin, why)}"))
        for passed in row.passed_over:  # a PDF in its name: told, so nobody looks for it
            text = f"{row.unit.name}  {said_with_origin(passed.origin, passed.message.render())}"
            listed.append((render("summary.standing.skipped"), text))
        for item in row.other_year:
            given = render("summary.given_year", year=item.result.meta.get("year"))
            text = f"{row.unit.name}  {item.result.file}{given}"
            listed.append((render("summary.standing.other_year"), text))
        for item in row.blank:
            text = f"{row.unit.name}  {item.result.file}"
            listed.append((render("summary.standing.blank"), text))
    for item in summary.unmatched:
        shown = item.result.file
        if item.result.unreadable:
            shown = said_with_origin(shown, unreadable_message(item.result))
        listed.append((render(f"summary.standing.{item.standing}"), shown))
    problems, skipped = summary.unattributed
    # our own drafts saved in the inbox are said once, by folder, not one line each
    drafts = [u for u in skipped if u.message.message_id == "inbox.own_draft"]
    for folder in dict.fromkeys(str(Path(u.origin).parent) for u in drafts):
        count = sum(1 for u in drafts if str(Path(u.origin).parent) == folder)
        text = render("summary.own_drafts", count=count, folder=folder)
        listed.append((render("summary.standing.skipped"), text))
    skipped = [u for u in skipped if u.message.message_id != "inbox.own_draft"]
    for key, found in (("unreadable_mail", problems), ("skipped", skipped)):
        for item in found:
            listed.append((render(f"summary.standing.{key}"), inbox_line(item)))
    width = max((display_width(label) for label, _ in listed), default=0) + 1
    lines = [f"  {padded(label, width)}{text}".rstrip() for label, text in listed]
    statuses = [row.status for row in summary.units]
    if problems:  # those no unit's line tells
        lines.append(render("summary.inbox_unreadable", count=len(problems)))
    if summary.unmatched:
        lines.append(render("summary.unmatched_line", count=len(summary.unmatched)))
    if summary.other_year:
        key = "summary.other_year_given" if summary.year_given else "summary.other_year_line"
        lines.append(render(key, count=len(summary.other_year), year=summary.year))
    lines.append(
        render(
            "summary.verdict" if summary.expected else "summary.verdict_unlisted",
            expected=len(summary.units),
            received=summary.received,
            clean=statuses.count("ok"),
            failed=statuses.count("errors"),
            warned=statuses.count("warnings"),
            unreadable=statuses.count("unreadable"),
            missing=statuses.count("missing"),
        )
    )
    return "\n".join(lines)


def doubts(summary: Summary) -> list[str]:
    """What suggests the command was pointed at the wrong folder or year, said before any
    reminder goes out to every unit: an inbox with nothing in it, or none of its reports of
    the year asked for."""
    said = []
    if not summary.returns and not summary.inbox_problems.problems:
        key = "summary.doubt.empty" if summary.expected else "summary.doubt.empty_unlisted"
        said.append(render(key, folder=summary.inbox))
    elif summary.year_given and summary.other_year and not summary.counted:
        years = sorted({str(r.result.meta.get("year")) for r in summary.other_year})
        said.append(
            render(
                "summary.doubt.no_return_of_year",
                count=len(summary.other_year),
                year=summary.year,
                years="、".join(years),
            )
        )
    return said


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(word: str, width: int) -> str:
    """``word`` padded with spaces to ``width`` terminal columns."""
    return word + " " * max(1, width - display_width(word))


def _iso(when: dt.datetime | None, day_only: bool) -> str | None:
    """A time as ISO 8601; a 填报日期 as its day alone (it gives no time of day)."""
    if when is None:
        return None
    return when.date().isoformat() if day_only else when.isoformat()
