"""The summary workbook (xlsxwriter): 总览, 报送情况, 问题清单, 明细.

Every string that came from a return or a mail is written as a string (write_string): a
unit named "=HYPERLINK(…)" stays text. Numbers are written as numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import xlsxwriter

from toolkit.check.explain import Labels
from toolkit.files import SUMMARY_MARKER
from toolkit.forms.model import Chart, FormSpec, Table
from toolkit.messages import catalogue, current_language, has_message, render
from toolkit.roster import RosterEntry
from toolkit.summary.consolidate import Figures
from toolkit.summary.report import counted_notes, said_with_origin
from toolkit.summary.run import CHINA, Return, Summary, UnitRow, unreadable_message
from toolkit.summary.totals import (
    FormCount,
    FormTotals,
    consolidated,
    roster_order,
    table_given,
)
from toolkit.template.plan import sheet_width
from toolkit.template.styles import LINE_HEIGHT, label_row_heights, text_width

_CELL_TEXT_LIMIT = 32_767
_MAX_ROW_HEIGHT = 409  # points: the tallest row a spreadsheet keeps
STATUS_FILL = {
    "ok": "#C6EFCE",
    "warnings": "#FFEB9C",
    "errors": "#FFC7CE",
    "unreadable": "#D9D9D9",
    "missing": "#F4B084",
    "other_year": "#F4B084",
}


IN_MEMORY_RETURNS = 2_000


def write_summary(
    summary: Summary, target: Path, specs: dict[str, FormSpec], include_errors: bool = False
) -> None:
    workbook = xlsxwriter.Workbook(
        str(target),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            # sheets are assembled in memory (faster) unless the summary is large enough
            # for their text to matter next to the returns held (~5 MB per 1,000 returns)
            "in_memory": len(summary.returns) <= IN_MEMORY_RETURNS,
        },
    )
    workbook.set_custom_property(SUMMARY_MARKER, "toolkit-summary/1")
    styles = _Styles(workbook)
    counted, totals = consolidated(summary, specs, include_errors)  # for 汇总表, 图表, 明细
    _overview(workbook, styles, summary, rule_texts(specs.values()), include_errors)
    _units(workbook, styles, summary)
    _findings(workbook, styles, summary)
    _consolidated(workbook, styles, totals, include_errors, summary)
    _charts(workbook, styles, totals, summary.year)
    _details(workbook, styles, summary, specs, counted, include_errors)
    workbook.close()


def _of_year(name: str, year: int | None) -> str:
    """A form's name as a printed table is headed: with the year it adds up (a page
    forwarded alone must say which)."""
    return _t("consolidated.of_year", name=name, year=year) if year else name


def _consolidated(
    workbook: Any,
    styles: _Styles,
    totals: list[FormTotals],
    include_errors: bool,
    summary: Summary,
) -> None:
    """汇总表: per form, the figures of the included returns in the official layout, then
    the same per roster group; each block headed by what it adds up, for its year, and
    which of the units it should hold it leaves out, and why (a page is forwarded alone)."""
    sheet = workbook.add_worksheet(_t("sheet.consolidated"))
    widths = _column_widths([form.spec for form in totals])
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    basis = "consolidated.basis_errors" if include_errors else "consolidated.basis"
    sheet.write_string(0, 0, _t(basis), styles.bold)
    # a unit once, though two of its returns (its report, a supplementary table) had some
    refused = {
        r.match.unit.name: r
        for form in totals
        for r in form.members
        if id(r) in form.refused and r.match.unit
    }
    top = 1
    if refused:  # a -1 or 2.5 left out of the sums: said where the basis is
        named = sorted(refused.values(), key=roster_order)
        top = _note(sheet, styles, top, widths, _naming(named, "consolidated.invalid"))
    erred = {
        r.match.unit.name: r
        for form in totals
        for r in form.members
        if r.result.status == "errors" and r.match.unit
    }
    if erred:  # added up with their errors: the sums need not balance as the form says
        named = sorted(erred.values(), key=roster_order)
        top = _note(sheet, styles, top, widths, _naming(named, "consolidated.with_errors"))
    row, breaks = top + 1, []
    roster = _Roster(summary)
    for form in totals:
        title = _heading(form.spec, summary.year)
        for group, (items, figures) in form.groups.items():
            if row > top + 1:
                breaks.append(row)  # printed, each table starts a page of its own
            if group is None:
                heading = _t("consolidated.ungrouped", title=title)
            else:
                heading = _t("consolidated.group", title=title, group=group) if group else title
            sheet.write_string(row, 0, heading, styles.title)
            row = _note(sheet, styles, row + 1, widths, _naming(items, "consolidated.units"))
            left_out = roster.left_out(form, group, items)
            if left_out:
                row = _note(sheet, styles, row, widths, left_out)
            alone = [r.match.unit.name for r in items if r.match.unit and id(r) in form.alone]
            if alone:  # a row's total above its parts' sum: said, not left to look wrong
                text = _t("consolidated.totals_alone", names="、".join(alone))
                row = _note(sheet, styles, row, widths, text)
            row += 1
            for table in _in_report_order(form.spec):
                row = _official_table(sheet, styles, table, row, figures, widths)
            row += 1
    # to print for a leader: A4 across, a table's width on the page, pages numbered
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P / &N")
    sheet.set_h_pagebreaks(breaks)


def _heading(spec: FormSpec, year: int | None) -> str:
    """A block's title: what it adds up, and for which year."""
    if year:
        return _t("consolidated.heading_of_year", name=spec.name, year=year)
    return _t("consolidated.heading", name=spec.name)


def _in_report_order(spec: FormSpec) -> list[Table]:
    """The form's tables as its published report numbers them (二、三、四, then 六's fees),
    where the spec gives that order; else as declared."""
    order = [s.table for s in spec.report.sections if s.table] if spec.report else []
    rank = {key: i for i, key in enumerate(order)}
    return sorted(spec.tables, key=lambda t: rank.get(t.key, len(order)))


class _Roster:
    """The roster's units by group, and the form each counted return is in: asked by every
    block of 汇总表 (thousands of units, hundreds of groups)."""

    def __init__(self, summary: Summary) -> None:
        self.expected = summary.expected
        self.rows: dict[str | None, list[UnitRow]] = {"": [], None: []}
        for row in summary.units:
            if row.expected:
                self.rows[""].append(row)
                self.rows.setdefault(row.unit.group or None, []).append(row)
        self.form_of = {r.match.unit.name: r.result.form for r in summary.counted if r.match.unit}

    def left_out(self, form: FormTotals, group: str | None, items: list[Return]) -> str:
        """The units a block should hold and does not, each with why: not sent, its
        errors, another form (with a roster; without one nobody is expected)."""
        if not self.expected or form.spec.role == "supplement":
            return ""  # a supplementary table is not every unit's to send: none is expected
        held = {r.match.unit.name for r in items if r.match.unit}
        why: list[tuple[str, str]] = []
        for row in self.rows.get(group, []):
            name, status = row.unit.name, row.status
            if name in held:
                continue
            other = self.form_of.get(name) not in (None, form.spec.id)
            why.append((name, "other_form" if other and status in ("ok", "warnings") else status))
        if not why:
            return ""
        said = [  # the first named (a national roster's block may leave out thousands)
            _t(
                "consolidated.left_out_one",
                name=name,
                why=_t("consolidated.other_form" if key == "other_form" else f"status.{key}"),
            )
            for name, key in why[:_NAMED_AT_MOST]
        ]
        listed = "、".join(said)
        if len(why) > _NAMED_AT_MOST:
            listed = _t("follow_up.more", names=listed, count=len(why))
        expected = len(held) + len(why)
        return _t("consolidated.left_out", expected=expected, count=len(why), names=listed)


def _column_widths(specs: list[FormSpec]) -> list[float]:
    """Each column as wide as the widest the forms' template sheets make it (labels
    readable, figures in their columns): the tables keep their template columns here."""
    widths: list[float] = []
    for spec in specs:
        for name in spec.sheets:
            _, own = sheet_width([t for t in spec.tables if t.sheet == name])
            for col, width in enumerate(own):
                if col < len(widths):
                    widths[col] = max(widths[col], width)
                else:
                    widths.append(width)
    return widths or [14.0]


def _note(sheet: Any, styles: _Styles, row: int, widths: list[float], text: str) -> int:
    """A line of text across the tables' width, wrapped, its row as tall as it needs; the
    next row."""
    across = sum(widths)
    sheet.merge_range(row, 0, row, len(widths) - 1, text, styles.text)
    lines = math.ceil(text_width(text) / max(across - 1, 1))
    sheet.set_row(row, min(LINE_HEIGHT * max(lines, 1), _MAX_ROW_HEIGHT))
    return row + 1


def _naming(items: list[Return], key: str) -> str:
    """The line ``key`` naming the units of ``items``; past what a cell holds, their count
    and where to find them (``key``_many: a spreadsheet cell holds 32,767 characters)."""
    names = "、".join(r.match.unit.name for r in items if r.match.unit)
    text = _t(key, count=len(items), names=names)
    if len(text) > _CELL_TEXT_LIMIT:
        return _t(f"{key}_many", count=len(items))
    return text


def _charts(
    workbook: Any, styles: _Styles, totals: list[FormTotals], year: int | None = None
) -> None:
    """图表: the charts each form's spec declares, over the returns the totals include."""
    sheet = workbook.add_worksheet(_t("sheet.charts"))
    sheet.set_column(0, 0, 24)
    _printed_page(sheet)
    row = 0
    for form in totals:
        spec, members, (_, figures) = form.spec, form.members, form.groups[""]
        if not spec.charts:
            continue
        sheet.write_string(row, 0, _of_year(spec.name, year), styles.title)
        # what the charts are drawn from (a unit with errors is left out, as in 汇总表)
        sheet.write_string(row + 1, 0, _t("chart.scope", count=len(members)))
        row += 3
        for chart in spec.charts:
            points = _chart_points(chart, members, figures)
            points = [(spec.text(label), value) for label, value in points]
            title = spec.text(chart.title)
            sheet.write_string(row, 0, title, styles.bold)
            for i, (label, value) in enumerate(points, start=row + 1):
                sheet.write_string(i, 0, label)
                sheet.write_number(i, 1, value)
            drawn = workbook.add_chart({"type": "bar" if chart.type == "top_units" else chart.type})
            labels = {"value": True, "percentage": True, "leader_lines": True}
            drawn.add_series(
                {
                    "name": title,
                    "categories": [sheet.name, row + 1, 0, row + max(len(points), 1), 0],
                    "values": [sheet.name, row + 1, 1, row + max(len(points), 1), 1],
                    "data_labels": labels if chart.type == "pie" else {"value": True},
                }
            )
            drawn.set_title({"name": title})
            if chart.type != "pie":
                drawn.set_legend({"none": True})
            sheet.insert_chart(row, 3, drawn)
            row += max(len(points) + 2, 16)


def _chart_points(
    chart: Chart, members: list[Return], figures: dict[str, float | None]
) -> list[tuple[str, float]]:
    if chart.type == "top_units":
        ranked = sorted(
            (
                (r.match.unit.name, r.result.values.get(chart.field))
                for r in members
                if r.match.unit
            ),
            key=lambda item: -(item[1] or 0),
        )
        return [(name, float(value or 0)) for name, value in ranked[: chart.count]]
    return [
        (series.label, float(sum(figures.get(k) or 0 for k in series.fields)))
        for series in chart.series
    ]


def _official_table(
    sheet: Any,
    styles: _Styles,
    table: Table,
    top: int,
    figures: dict[str, float | None],
    widths: list[float],
) -> int:
    """One table of the form in its official layout at row ``top``; the next free row."""
    numeric = [f for f in table.fields if f.numeric]
    if not numeric or table.key == "meta":
        return top
    given = table_given(table, figures)
    sheet.write_string(top, 0, table.title, styles.bold)
    body = top + 1
    if table.layout == "fields":
        for i, item in enumerate(numeric):
            sheet.write_string(body + i, 0, item.label, styles.label)
            _figure(sheet, styles, body + i, 1, body + i, 1, figures.get(item.key), given)
        return body + len(numeric) + 1
    for label in table.labels:
        last_row, last_col = body + label.row + label.rows - 1, label.col + label.cols - 1
        fmt = styles.label if label.role == "row" else styles.header
        if (label.rows, label.cols) == (1, 1):
            sheet.write_string(body + label.row, label.col, label.text, fmt)
        else:
            sheet.merge_range(body + label.row, label.col, last_row, last_col, label.text, fmt)
    for row, height in label_row_heights(table, widths).items():  # as the template's rows
        sheet.set_row(body + row, height)
    for item in table.fields:
        r, c = body + item.row, item.col
        _figure(sheet, styles, r, c, r, c + item.cols - 1, figures.get(item.key), given)
    return body + table.height + 1


def _figure(
    sheet: Any,
    styles: _Styles,
    r1: int,
    c1: int,
    r2: int,
    c2: int,
    value: float | None,
    given: bool = True,
) -> None:
    if (r1, c1) != (r2, c2):
        sheet.merge_range(r1, c1, r2, c2, "", styles.number)
    if value is None and given:  # no unit gave this figure: none happened, a sum of blanks
        sheet.write_number(r1, c1, 0, styles.number)
    elif value is None:
        sheet.write_blank(r1, c1, None, styles.number)
    else:  # a whole number without a trailing point ("317."), a fraction with its digits
        fmt = styles.number if float(value).is_integer() else styles.fraction
        sheet.write_number(r1, c1, value, fmt)


class _Styles:
    def __init__(self, workbook: Any) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.text = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.day = workbook.add_format({"num_format": "yyyy-mm-dd"})  # a 填报日期: no time
        self.bold = workbook.add_format({"bold": True})
        self.top = workbook.add_format({"valign": "top"})  # beside a wrapped cell
        self.label = workbook.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
        self.number = workbook.add_format({"border": 1, "num_format": "#,##0"})
        self.fraction = workbook.add_format({"border": 1, "num_format": "#,##0.0#####"})
        self.status = {
            key: workbook.add_format({"bg_color": color, "border": 1})
            for key, color in STATUS_FILL.items()
        }


_INBOX_RULE = "F1"  # a mail or archive that cannot be opened is a file that cannot be


def china_time(when: dt.datetime) -> dt.datetime:
    """``when`` on Beijing time (a spreadsheet holds no time zone): a mail's Date in its
    sender's zone and a file's time in UTC are shown alike, whatever zone this computer
    (a server, a container left on UTC) is set to."""
    return when.astimezone(CHINA).replace(tzinfo=None)


def _t(key: str, **params: Any) -> str:
    return render(f"summary.{key}", **params)


def _header(sheet: Any, styles: _Styles, row: int, names: list[str]) -> None:
    for col, name in enumerate(names):
        sheet.write_string(row, col, name, styles.header)


_OVERVIEW_WIDTHS = (34, 10, 72)  # label, count, text: a page wide on A4 across, legibly
_NAMED_AT_MOST = 60  # units named in a line of 总览; past it, their count and where to look
_SEVERITY_FILL = {"error": "#C00000", "warning": "#FFC000"}


def _overview(
    workbook: Any,
    styles: _Styles,
    summary: Summary,
    texts: dict[str, str],
    include_errors: bool,
) -> None:
    """总览: the run's inputs, the counts, the units to follow up by name, the problems by
    rule; its charts below them (beside, they widened the printed page to half size)."""
    sheet = workbook.add_worksheet(_t("sheet.overview"))
    for col, width in enumerate(_OVERVIEW_WIDTHS):
        sheet.set_column(col, col, width)
    _printed_page(sheet)
    sheet.write_string(0, 0, _t("title"), styles.title)
    # the run's inputs: what a reader of the forwarded workbook needs to trust its figures
    inputs: list[tuple[str, str | int]] = [
        ("run_at", dt.datetime.now(CHINA).strftime("%Y-%m-%d %H:%M")),
        ("inbox", str(summary.inbox.resolve())),  # files below are named from it
        ("roster", str(summary.roster_file) if summary.roster_file else _t("no_roster")),
    ]
    if summary.year is not None:
        inputs.append(("year", summary.year))
    inputs.append(
        ("basis", _t("consolidated.basis_errors" if include_errors else "consolidated.basis"))
    )
    for row, (key, value) in enumerate(inputs, start=1):
        sheet.write_string(row, 0, _t(key))
        if isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            _wrapped_across(sheet, styles, row, 1, 2, value)
    header = len(inputs) + 2
    statuses = Counter(row.status for row in summary.units)
    stray = Counter(r.standing for r in summary.returns)
    again = sum(len(row.sent_again) for row in summary.units)
    added = summary.units_in_totals(include_errors)
    counts = [
        # without a roster nobody is expected: the units are those the returns name
        ("expected" if summary.expected else "named", len(summary.roster)),
        ("received", summary.received),
        ("included", len(added)),
        ("clean", statuses["ok"]),  # these four rows (and 未报送) are the pie chart's
        ("with_errors", statuses["errors"]),
        ("warnings_only", statuses["warnings"]),
        ("unreadable", statuses["unreadable"]),
    ]
    if summary.expected:  # without a roster nobody can be missing or off the list
        counts += [("missing", statuses["missing"])]
        counts += [("unknown", stray["unknown"] + stray["ambiguous"])]
    problems, _ = summary.unattributed
    open_problems = {id(u) for u in summary.open_problems}
    counts += [
        ("superseded", stray["superseded"] - again),
        ("sent_again", again),
        ("other_year", len(summary.other_year)),
        ("blank", sum(len(row.blank) for row in summary.units)),
        ("inbox_unreadable", sum(1 for u in problems if id(u) in open_problems)),
    ]
    _header(sheet, styles, header, [_t("col.what"), _t("col.count")])
    for i, (key, count) in enumerate(counts, start=header + 1):
        sheet.write_string(i, 0, _t(f"count.{key}"))
        sheet.write_number(i, 1, count)
    pie = header + 4  # the rows of the statuses: what was received, and who is missing
    shown = ("ok", "errors", "warnings", "unreadable", *(("missing",) if summary.expected else ()))
    # the units a leader asks about, by name: who has not sent, whose return is wrong
    row = header + len(counts) + 2
    follow = [
        (status, [u.unit.name for u in summary.units if u.status == status])
        for status in ("missing", "errors", "unreadable")
    ]
    shown_file = within_inbox(summary)
    stray = [  # a file matching no unit: the file, with the unit it names
        f"{shown_file(r.result.file)}（{r.result.meta['unit']}）"
        if r.result.meta.get("unit")
        else shown_file(r.result.file)
        for r in summary.unmatched
    ]
    follow.append(("unknown", stray))
    follow = [(status, names) for status, names in follow if names]
    if follow:
        _header(sheet, styles, row, [_t("col.follow_up"), _t("col.count"), _t("col.units")])
        for status, names in follow:
            row += 1
            sheet.write_string(row, 0, _t(f"follow_up.{status}"), styles.top)
            sheet.write_number(row, 1, len(names), styles.top)
            listed = "、".join(names[:_NAMED_AT_MOST])
            if len(names) > _NAMED_AT_MOST:
                listed = _t("follow_up.more", names=listed, count=len(names))
            _wrapped_across(sheet, styles, row, 2, 2, listed)
        row += 2
    by_rule = Counter(f.rule for r in summary.listed for f in r.result.findings)
    severities = {f.rule: f.severity for r in summary.listed for f in r.result.findings}
    if summary.open_problems:  # a mail or archive that cannot be opened, as 问题清单 has it
        by_rule[_INBOX_RULE] += len(summary.open_problems)
    top = row
    _header(sheet, styles, top, [_t("col.rule"), _t("col.count"), _t("col.rule_text")])
    for i, (rule, count) in enumerate(sorted(by_rule.items()), start=top + 1):
        severity = severities.get(rule, "error")
        sheet.write_string(i, 0, rule, styles.top)
        sheet.write_number(i, 1, count, styles.top)
        text = texts.get(rule) or catalogue_text(rule)
        said = _t("rule_severity", severity=render(f"check.report.{severity}"), text=text)
        _wrapped_across(sheet, styles, i, 2, 2, said)
    row = top + len(by_rule) + 2
    chart = workbook.add_chart({"type": "pie"})
    chart.add_series(
        {
            "name": _t("chart.status"),
            "categories": [sheet.name, pie, 0, pie + len(shown) - 1, 0],
            "values": [sheet.name, pie, 1, pie + len(shown) - 1, 1],
            "points": [{"fill": {"color": STATUS_FILL[k]}} for k in shown],
            "data_labels": {"value": True, "percentage": True, "leader_lines": True},
        }
    )
    chart.set_title({"name": _t("chart.status")})
    chart.set_size({"width": 520, "height": 300})
    sheet.insert_chart(row, 0, chart)
    if by_rule:
        bars = workbook.add_chart({"type": "column"})
        rules = sorted(by_rule)
        bars.add_series(
            {
                "name": _t("chart.rules"),
                "categories": [sheet.name, top + 1, 0, top + len(by_rule), 0],
                "values": [sheet.name, top + 1, 1, top + len(by_rule), 1],
                "points": [
                    {"fill": {"color": _SEVERITY_FILL[severities.get(r, "error")]}} for r in rules
                ],
                "data_labels": {"value": True},
            }
        )
        bars.set_title({"name": _t("chart.rules")})
        bars.set_legend({"none": True})
        bars.set_size({"width": 520, "height": 300})
        sheet.insert_chart(row + 16, 0, bars)


def _wrapped_across(
    sheet: Any, styles: _Styles, row: int, first: int, last: int, text: str
) -> None:
    """``text`` in columns first..last of 总览, wrapped, its row as tall as its lines."""
    if first == last:
        sheet.write_string(row, first, text, styles.text)
    else:
        sheet.merge_range(row, first, row, last, text, styles.text)
    _fit_row(sheet, row, (text, sum(_OVERVIEW_WIDTHS[first : last + 1])))


def _fit_row(sheet: Any, row: int, *cells: tuple[str, float]) -> None:
    """The row as tall as the tallest of its wrapped ``cells`` (text, column width) needs
    (xlsxwriter measures no text, and LibreOffice prints a wrapped cell's second line over
    the next row)."""
    lines = max(
        sum(max(1, math.ceil(text_width(line) / max(width - 1, 1))) for line in text.split("\n"))
        for text, width in cells
    )
    if lines > 1:
        sheet.set_row(row, min(LINE_HEIGHT * lines, _MAX_ROW_HEIGHT))


def rule_texts(specs: Iterable[FormSpec]) -> dict[str, str]:
    """What each rule of the forms checks, in a sentence (a rule stated for several cases,
    as W2 for each table: each of them), in the forms' own words where they have some."""
    texts: dict[str, dict[str, None]] = {}
    for spec in specs:
        for rule in spec.rules:
            texts.setdefault(rule.id, {})[spec.rule_text(rule.message)] = None
    joiner = _t("rule_joiner")
    return {
        rule: _t(f"rule_overview.{rule}")
        if has_message(f"summary.rule_overview.{rule}")
        else joiner.join(text.rstrip("。.？?") for text in found)
        for rule, found in texts.items()
    }


def catalogue_text(rule: str) -> str:
    """What a rule the reader applies checks (N1, W5, F1…), from the message catalogue."""
    if has_message(f"summary.reader_rule.{rule}"):
        return render(f"summary.reader_rule.{rule}")
    if has_message(f"rule.{rule}"):
        return render(f"rule.{rule}")
    variants = sorted(k for k in catalogue(current_language()) if k.startswith(f"rule.{rule}_"))
    return _t("rule_joiner").join(render(k) for k in variants)


_UNITS_WIDTHS = (24, 10, 10, 48, 17, 7, 7, 50, 30)
_FINDINGS_WIDTHS = (20, 36, 12, 7, 6, 6, 90)


def within_inbox(summary: Summary) -> Callable[[str], str]:
    """What names a file in the inbox as the forwarded workbook shows it: from the inbox
    folder down (总览 names the folder once; its place on the clerk's disk cut a
    cell's useful end off in print)."""
    prefix = os.path.join(str(summary.inbox), "")
    if prefix in ("", os.sep, "." + os.sep):
        return lambda text: text
    # where a path starts: the cell's start, or after the space or punctuation a note puts
    # before it (never inside a name: 收件/已收件/x.xlsx keeps its 已收件/)
    starts = re.compile(r"(?:(?<=^)|(?<=[\s；;、，,：:（(“]))" + re.escape(prefix), re.M)
    return lambda text: starts.sub("", text)


def _units(workbook: Any, styles: _Styles, summary: Summary) -> None:
    sheet = workbook.add_worksheet(_t("sheet.units"))
    shown = within_inbox(summary)
    names = ["unit", "group", "status", "file", "received", "errors", "warnings", "note", "contact"]
    _header(sheet, styles, 0, [_t(f"col.{n}") for n in names])
    for col, width in enumerate(_UNITS_WIDTHS):
        sheet.set_column(col, col, width)
    row = 1
    joined = _t("rule_joiner").join  # files of a cell, as the language lists them
    for unit_row in summary.units:
        item = unit_row.counted
        status = unit_row.status
        sheet.write_string(row, 0, unit_row.unit.name)
        sheet.write_string(row, 1, unit_row.unit.group or "")
        sheet.write_string(row, 2, _t(f"status.{status}"), styles.status[status])
        if item is not None:
            sheet.write_string(row, 3, shown(item.result.file))
            if item.when is not None:
                dated = styles.day if item.dated_by_form else styles.date
                sheet.write_datetime(row, 4, china_time(item.when), dated)
            errors, warnings = unit_row.finding_counts
            sheet.write_number(row, 5, errors)
            sheet.write_number(row, 6, warnings)
        elif unit_row.unreadable:  # it sent something, but nothing could be read
            sheet.write_string(row, 3, shown(joined(u.origin for u in unit_row.unreadable)))
            sent = [u.sent for u in unit_row.unreadable if u.sent is not None]
            if sent:
                sheet.write_datetime(row, 4, china_time(max(sent)), styles.date)
            sheet.write_number(row, 5, len(unit_row.unreadable))  # each an error, as F1 is
            sheet.write_number(row, 6, 0)
        notes = [said_with_origin(origin, why) for origin, why in unit_row.unreadable_sent]
        if item is not None and item.result.read is not None:
            notes.extend(note.render() for note in item.result.read.passed_over)
        if unit_row.maybe_same:
            notes.append(_t("note.maybe_same", names="、".join(unit_row.maybe_same)))
        for unread in unit_row.passed_over:
            notes.append(_t("note.passed_over", origin=unread.origin, why=unread.message.render()))
        if unit_row.supplements:
            files = joined(r.result.file for r in unit_row.supplements)
            notes.append(_t("note.supplements", files=files))
        again = unit_row.sent_again
        if again:  # the same file twice (in one mail, or sent again): nothing replaced
            notes.append(_t("note.sent_again", files=joined(r.result.file for r in again)))
        notes += counted_notes(unit_row, _t("rule_joiner"))
        told = again + unit_row.undecided + unit_row.same_figures
        older = [r.result.file for r in unit_row.superseded if r not in told]
        older += [u.origin for u in unit_row.unread_replaced]
        if older:
            notes.append(_t("note.superseded", files=joined(older)))
        if unit_row.other_year:
            files = joined(r.result.file for r in unit_row.other_year)
            notes.append(_t("note.other_year", files=files, year=summary.year))
        if unit_row.blank:
            notes.append(_t("note.blank", files=joined(r.result.file for r in unit_row.blank)))
        text = shown("\n".join(notes))
        if notes:
            # wrapped in its column: a long path left to run on made the page print tiny
            sheet.write_string(row, 7, text, styles.text)
        reach = _contact(unit_row.unit, item)
        if reach:  # whom to call about a wrong figure: the roster's, and who filled it in
            sheet.write_string(row, 8, reach, styles.text)
        _fit_row(sheet, row, (text, _UNITS_WIDTHS[7]), (reach, _UNITS_WIDTHS[8]))
        row += 1
    for item in summary.unmatched:
        candidates = "、".join(u.name for u in item.match.units)
        sheet.write_string(row, 0, item.result.meta.get("unit") or "")
        sheet.write_string(row, 2, _t(f"standing.{item.standing}"))
        sheet.write_string(row, 3, shown(item.result.file))
        severities = [f.severity for f in item.result.findings]
        sheet.write_number(row, 5, severities.count("error"))
        sheet.write_number(row, 6, severities.count("warning"))
        note = _t(f"note.{item.standing}", candidates=candidates)
        if item.result.unreadable:
            note += "\n" + said_with_origin(item.result.file, unreadable_message(item.result))
        sheet.write_string(row, 7, shown(note), styles.text)
        _fit_row(sheet, row, (shown(note), _UNITS_WIDTHS[7]))
        row += 1
    for key, found in zip(("unreadable_mail", "skipped"), summary.unattributed, strict=True):
        for unread in found:
            sheet.write_string(row, 2, _t(f"standing.{key}"))
            sheet.write_string(row, 3, shown(unread.origin))
            sheet.write_string(row, 7, shown(unread.message.render()), styles.text)
            row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(names) - 1)
    sheet.freeze_panes(1, 1)
    _printed_list(sheet)


def _contact(unit: RosterEntry, item: Return | None) -> str:
    """Whom to reach about a unit's return: the roster's 联系人 and 邮箱, and the 填报人 and
    联系电话 the return gives."""
    lines = []
    listed = " ".join(part for part in (unit.contact, unit.email) if part)
    if listed:
        lines.append(_t("contact.roster", who=listed))
    if item is not None:
        meta = item.result.meta
        filled = " ".join(str(meta[k]) for k in ("preparer", "phone") if meta.get(k))
        if filled:
            lines.append(_t("contact.filled", who=filled))
    return "\n".join(lines)


def _printed_page(sheet: Any) -> None:
    """A sheet of figures and charts on paper: A4 across, a page wide (its charts stand
    right of its tables, and printed on a page of their own they were cut in two)."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C&P / &N")


def _printed_list(sheet: Any) -> None:
    """A list sheet on paper: as a page of figures, its header row on every page."""
    _printed_page(sheet)
    sheet.repeat_rows(0)


def _findings(workbook: Any, styles: _Styles, summary: Summary) -> None:
    sheet = workbook.add_worksheet(_t("sheet.findings"))
    names = ["unit", "file", "sheet", "cell", "rule", "severity", "message"]
    _header(sheet, styles, 0, [_t(f"col.{n}") for n in names])
    for col, width in enumerate(_FINDINGS_WIDTHS):
        sheet.set_column(col, col, width)
    # every finding of the listed returns, and what the inbox could not open (a broken or
    # RAR archive, a mail), in roster order, a unit's as they came; then those of no unit
    last = len(summary.roster) + 2
    rows: list[tuple[int, list[str]]] = []
    for item in summary.listed:
        unit = item.match.unit.name if item.match.unit else (item.result.meta.get("unit") or "")
        at = item.match.unit.row if item.match.unit else last
        for finding in item.result.findings:
            severity = render(f"check.report.{finding.severity}")
            cells = [unit, item.result.file, finding.sheet or "", finding.cell or ""]
            rows.append((at, [*cells, finding.rule, severity, finding.message]))
    owner = {id(u): r.unit for r in summary.units for u in r.unreadable}
    error = render("check.report.error")
    for unread in summary.open_problems:
        unit = owner.get(id(unread))
        cells = [unit.name if unit else "", unread.origin, "", "", _INBOX_RULE, error]
        rows.append((unit.row if unit else last, [*cells, unread.message.render()]))
    rows.sort(key=lambda at_cells: at_cells[0])  # stable: each unit's in the order they came
    shown = within_inbox(summary)
    for row, (_, cells) in enumerate(rows, start=1):
        for col, text in enumerate(cells):
            sheet.write_string(row, col, shown(text), styles.text if col == 6 else None)
        _fit_row(sheet, row, (cells[6], _FINDINGS_WIDTHS[6]))
    row = len(rows) + 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(names) - 1)
    sheet.freeze_panes(1, 0)
    _printed_list(sheet)


def _details(
    workbook: Any,
    styles: _Styles,
    summary: Summary,
    specs: dict[str, FormSpec],
    counts: dict[str, FormCount],
    include_errors: bool,
) -> None:
    """One row per counted return, one column per field key (its label as a second header
    row, the one a pivot table starts from); its group, and whether 汇总表 adds it up, so
    that a pivot of the rows kept by that column gives 汇总表's figures."""
    sheet = workbook.add_worksheet(_t("sheet.details"))
    # in roster order, as 报送情况 (a unit's returns in the order they came)
    counted = sorted((r for r in summary.counted if r.result.form), key=roster_order)
    keys: dict[str, str] = {}
    by_form = {
        form: Labels(specs[form]) for form in {r.result.form for r in counted} if form in specs
    }
    for item in counted:
        labels = by_form.get(item.result.form or "")
        for key in item.result.values:
            if key not in keys:
                keys[key] = labels.full(key) if labels and key in labels.spec.fields else key
    # row 1: stable keys; row 2: a name for every column, so a pivot table can start there
    leading = ("unit", "group", "form", "status", "included", "file")
    _header(sheet, styles, 0, [*leading, *keys])
    _header(sheet, styles, 1, [*(_t(f"col.{name}") for name in leading), *keys.values()])
    statuses = {s: _t(f"status.{s}") for s in ("ok", "warnings", "errors", "unreadable")}
    added = {id(r) for r in summary.in_totals(include_errors)}
    # each return's figures as 汇总表 adds them up, of each form whose table it holds
    figures: dict[int, Figures] = {}
    for count in counts.values():
        for item, row in zip(count.pool, count.counted.figures(), strict=True):
            figures.setdefault(id(item), {}).update(row)
    answer = {True: _t("included.yes"), False: _t("included.no")}
    shown_file = within_inbox(summary)
    write_number = sheet.write_number
    for row, item in enumerate(counted, start=2):
        unit = item.match.unit
        sheet.write_string(row, 0, unit.name if unit else "")
        sheet.write_string(row, 1, (unit.group if unit else None) or "")
        sheet.write_string(row, 2, item.result.form or "")
        sheet.write_string(row, 3, statuses[item.result.status])
        sheet.write_string(row, 4, answer[id(item) in added])
        sheet.write_string(row, 5, shown_file(item.result.file))
        # its figures as counted, else as it gave them (one lookup a cell: 175,000 at 1,000)
        shown = {**item.result.values, **figures.get(id(item), {})}
        for c, key in enumerate(keys, start=len(leading)):
            value = shown.get(key)
            if isinstance(value, (int, float)):
                write_number(row, c, value)
    sheet.set_column(0, 0, 22)
    sheet.freeze_panes(2, 1)
    # on paper (a table of a column per field, too wide for one page): A4 across, each page
    # with the headers and the unit's name
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.repeat_rows(0, 1)
    sheet.repeat_columns(0)
    sheet.set_footer("&C&P / &N")
    if counted:
        sheet.autofilter(1, 0, 1 + len(counted), len(leading) - 1 + len(keys))
