"""The report `toolkit check` prints: by file, errors first, then a one-line verdict."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from toolkit.check.result import SCHEMA, CheckFinding, FileResult
from toolkit.jsonout import Lazy, write_document
from toolkit.messages import render


def text_report(results: list[FileResult], passed_over: Sequence[str] = ()) -> str:
    """Each file's findings, then ``passed_over`` (lines saying what was not read, and
    why), then the verdict."""
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
        if result.read is not None:  # what was not read, before what was found in the rest
            lines.extend(
                render("check.report.note", note=note.render()) for note in result.read.passed_over
            )
        if not result.findings:
            lines.append(render("check.report.no_findings"))
        lines.extend(_finding_lines(result.findings))
        lines.append("")
    lines.extend(passed_over)
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


SHOWN_ALIKE = 3  # warnings of one rule said in full, in a file that has many of them
_MANY_ALIKE = 6  # from this many, the rest are counted on one line
_CELLS_NAMED = 8  # cells that line names


def _finding_lines(findings: list[CheckFinding]) -> list[str]:
    """A line per finding; a habit warned of at many cells (every 总计 left blank: W6 at 31
    cells) is said at the first few and the rest counted on one line, with their cells (the
    JSON and the marked copy keep every one). Errors are always said one by one."""
    alike = Counter(f.rule for f in findings if f.severity == "warning")
    many = {rule for rule, count in alike.items() if count >= _MANY_ALIKE}
    said: Counter[str] = Counter()
    rest: dict[str, list[CheckFinding]] = {}
    lines: list[str] = []
    for finding in findings:
        if finding.severity == "warning" and finding.rule in many:
            said[finding.rule] += 1
            if said[finding.rule] > SHOWN_ALIKE:
                rest.setdefault(finding.rule, []).append(finding)
                if said[finding.rule] == alike[finding.rule]:
                    lines.append(_more_alike(finding.rule, rest[finding.rule]))
                continue
        lines.append(_line(finding))
    return lines


def _line(finding: CheckFinding) -> str:
    return render(
        "check.report.finding",
        severity=render(f"check.report.{finding.severity}"),
        rule=finding.rule,
        message=finding.message,
    )


def _more_alike(rule: str, rest: list[CheckFinding]) -> str:
    placed = [(f.sheet or "", f.cell) for f in rest if f.cell]
    joiner = render("check.list_joiner")
    shown = placed[:_CELLS_NAMED]
    if len({sheet for sheet, _ in placed}) > 1:  # cells of several sheets: each by its sheet
        by_sheet: dict[str, list[str]] = {}
        for sheet, cell in shown:
            by_sheet.setdefault(sheet, []).append(cell)
        named = render("check.report.sheet_joiner").join(
            render("check.report.sheet_cells", sheet=sheet, cells=joiner.join(cells))
            for sheet, cells in by_sheet.items()
        )
    else:
        named = joiner.join(cell for _, cell in shown)
    if len(placed) > _CELLS_NAMED:
        named += render("check.report.and_more")
    return render(
        "check.report.finding",
        severity=render("check.report.warning"),
        rule=rule,
        message=render("check.report.more_alike", count=len(rest), cells=named),
    )


def write_json_report(results: list[FileResult], stream: TextIO) -> None:
    write_document(stream, {"schema": SCHEMA, "results": Lazy(results, FileResult.to_json)})
