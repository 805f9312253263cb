"""The report `toolkit check` prints: by file, errors first, then a one-line verdict."""

from __future__ import annotations

from typing import TextIO

from toolkit.check.result import SCHEMA, FileResult
from toolkit.jsonout import Lazy, write_document
from toolkit.messages import render


def text_report(results: list[FileResult]) -> str:
    lines: list[str] = []
    for result in results:
        if result.unreadable:
            lines.append(render("check.report.unreadable", file=result.file))
        elif result.meta.get("unit") and result.meta.get("year"):
            lines.append(
                render(
                    "check.report.file_header_unit",
                    file=result.file,
                    form=result.form,
                    unit=result.meta["unit"],
                    year=result.meta["year"],
                )
            )
        else:
            lines.append(render("check.report.file_header", file=result.file, form=result.form))
        if not result.findings:
            lines.append(render("check.report.no_findings"))
        for finding in result.findings:
            lines.append(
                render(
                    "check.report.finding",
                    severity=render(f"check.report.{finding.severity}"),
                    rule=finding.rule,
                    message=finding.message,
                )
            )
        lines.append("")
    statuses = [r.status for r in results]
    lines.append(
        render(
            "check.report.verdict",
            files=len(results),
            clean=statuses.count("ok"),
            warned=statuses.count("warnings"),
            failed=statuses.count("errors"),
            unreadable=statuses.count("unreadable"),
        )
    )
    return "\n".join(lines)


def write_json_report(results: list[FileResult], stream: TextIO) -> None:
    write_document(stream, {"schema": SCHEMA, "results": Lazy(results, FileResult.to_json)})
