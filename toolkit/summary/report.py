"""What `toolkit summary` prints: toolkit-summary/1 JSON, or a short text account."""

from __future__ import annotations

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
        "units": units_json(summary),
        "unmatched": [
            {
                "file": r.result.file,
                "standing": r.standing,
                "candidates": [u.name for u in r.match.units],
            }
            for r in summary.returns
            if r.standing in ("unknown", "ambiguous")
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
        lines.append(f"  {status:<6} {row.unit.name}  {files}")
    for item in summary.returns:
        if item.standing in ("unknown", "ambiguous"):
            standing = render(f"summary.standing.{item.standing}")
            lines.append(f"  {standing:<6} {item.result.file}")
    for origin, message in summary.inbox_problems.problems:
        lines.append(render("summary.inbox_problem", origin=origin, message=message.render()))
    for origin, message in summary.inbox_problems.skipped:
        lines.append(render("summary.inbox_skipped", origin=origin, message=message.render()))
    statuses = [row.status for row in summary.units]
    if summary.inbox_problems.problems:
        count = len(summary.inbox_problems.problems)
        lines.append(render("summary.inbox_unreadable", count=count))
    lines.append(
        render(
            "summary.verdict",
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
