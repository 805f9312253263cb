"""What `toolkit summary` prints: toolkit-summary/1 JSON, or a short text account."""

from __future__ import annotations

import unicodedata
from typing import Any, TextIO

from toolkit.jsonout import Lazy, write_document
from toolkit.messages import render
from toolkit.summary.run import Summary

SCHEMA = "toolkit-summary/1"


def units_json(summary: Summary) -> list[dict[str, Any]]:
    units = []
    for row in summary.units:
        item = row.counted
        errors, warnings = row.finding_counts
        units.append(
            {
                "unit": row.unit.name,
                "group": row.unit.group,
                "email": row.unit.email,
                "status": row.status,
                "file": item.result.file if item else None,
                "matched_by": item.match.how if item else None,
                "received": item.when.isoformat() if item and item.when else None,
                "errors": errors,
                "warnings": warnings,
                "superseded": [r.result.file for r in row.superseded],
                "other_year": [
                    {"file": r.result.file, "year": r.result.meta.get("year")}
                    for r in row.other_year
                ],
                "supplements": [
                    {"file": r.result.file, "form": r.result.form, "status": r.result.status}
                    for r in row.supplements
                ],
            }
        )
    return units


def json_document(summary: Summary) -> dict[str, Any]:
    """The toolkit-summary/1 document; its results are made one by one as they are written."""
    return {
        "schema": SCHEMA,
        "year": summary.year,
        "units": units_json(summary),
        "unmatched": [
            {
                "file": r.result.file,
                "standing": r.standing,
                "candidates": [u.name for u in r.match.units],
            }
            for r in summary.unmatched
        ],
        "results": Lazy(summary.returns, lambda r: r.result.to_json()),
        "inbox_problems": [
            {"origin": origin, "message": message.render()}
            for origin, message in summary.inbox_problems.problems
        ],
        "skipped": [
            {"origin": origin, "message": message.render()}
            for origin, message in summary.inbox_problems.skipped
        ],
    }


def write_json_report(summary: Summary, stream: TextIO) -> None:
    write_document(stream, json_document(summary))


def text_report(summary: Summary) -> str:
    lines = []
    for row in summary.units:
        status = render(f"summary.status.{row.status}")
        files = "  ".join(r.result.file for r in row.returns)
        lines.append(f"  {padded(status)}{row.unit.name}  {files}".rstrip())
        for item in row.other_year:
            standing = padded(render("summary.standing.other_year"))
            given = render("summary.given_year", year=item.result.meta.get("year"))
            lines.append(f"  {standing}{row.unit.name}  {item.result.file}{given}")
    for item in summary.unmatched:
        standing = render(f"summary.standing.{item.standing}")
        lines.append(f"  {padded(standing)}{item.result.file}")
    for origin, message in summary.inbox_problems.problems:
        lines.append(render("summary.inbox_problem", origin=origin, message=message.render()))
    for origin, message in summary.inbox_problems.skipped:
        lines.append(render("summary.inbox_skipped", origin=origin, message=message.render()))
    statuses = [row.status for row in summary.units]
    if summary.inbox_problems.problems:
        count = len(summary.inbox_problems.problems)
        lines.append(render("summary.inbox_unreadable", count=count))
    if summary.unmatched:
        lines.append(render("summary.unmatched_line", count=len(summary.unmatched)))
    other_year = sum(len(row.other_year) for row in summary.units)
    if other_year:
        lines.append(render("summary.other_year_line", count=other_year, year=summary.year))
    lines.append(
        render(
            "summary.verdict" if summary.expected else "summary.verdict_unlisted",
            expected=len(summary.units),
            received=len(statuses) - statuses.count("missing"),
            clean=statuses.count("ok"),
            failed=statuses.count("errors"),
            warned=statuses.count("warnings"),
            unreadable=statuses.count("unreadable"),
            missing=statuses.count("missing"),
        )
    )
    return "\n".join(lines)


STATUS_WIDTH = 12  # terminal columns of a status and the space after it (No problems: 11)


def padded(word: str) -> str:
    """``word`` padded to STATUS_WIDTH terminal columns (a Chinese character takes two)."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)
    return word + " " * max(1, STATUS_WIDTH - width)
