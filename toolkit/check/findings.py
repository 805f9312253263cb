"""Findings placed at their cell and explained: from a failed rule instance, from what the
reader noticed (W5, a table or cells not found), and in the order a person reads them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from openpyxl.utils.cell import coordinate_to_tuple

from toolkit.check.explain import Explainer, Labels, number_text
from toolkit.check.result import CheckFinding, FileResult
from toolkit.check.values import Prepared
from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame
from toolkit.messages import has_message, render
from toolkit.read.returns import Part
from toolkit.text import clean_name
from toolkit.validate import Finding


@dataclass
class Entry:
    """One part of one file, waiting for its form's validation."""

    result: FileResult
    part: Part
    prepared: Prepared
    merged: bool  # a supplement checked alongside a main form: its header is the main's
    findings: list[CheckFinding] = field(default_factory=list)


def drop_superseded(spec: FormSpec, entry: Entry) -> list[CheckFinding]:
    """Rule findings, minus those a reader finding already says better: W2 for a table that
    was not found at all, W6 at a total that is not in the file, and any rule over a row of
    flattened text whose numbers could not be placed (T1: judging it would judge our
    blanks, not the report)."""
    missing_tables = set(entry.part.missing_tables)
    missing_fields = set(entry.part.missing_fields)
    unresolved = {key for row in entry.part.unresolved for key in row.keys}
    if not entry.part.judge_missing:
        unresolved |= missing_fields
    kept = []
    for finding in entry.findings:
        if unresolved and finding.rule != "W2" and unresolved.intersection(finding.fields):
            continue
        at = finding.fields[0] if finding.fields else ""
        table = spec.fields[at].table if at in spec.fields else ""
        if finding.rule == "W2" and table in missing_tables:
            continue
        if finding.rule == "W6" and at in missing_fields:
            continue
        kept.append(finding)
    return kept


def _lookup(frame: RuleFrame, position: int) -> Callable[[str], float | None]:
    def value(key: str) -> float | None:
        number = frame.number(key)[position]
        return None if np.isnan(number) else float(number)

    return value


def rule_finding(
    spec: FormSpec,
    explainer: Explainer,
    entry: Entry,
    rule: Rule,
    finding: Finding,
    filled: RuleFrame,
    shown: RuleFrame,
    position: int,
) -> CheckFinding:
    value, as_shown = _lookup(filled, position), _lookup(shown, position)

    missing = set(entry.part.missing_fields)

    def display(key: str) -> str:
        """A figure as a number; a cell holding something else (text, TRUE) quoted; one
        whose row or column label was not found said so (not "blank": W2 lists it)."""
        number = value(key)
        raw = entry.prepared.values.get(key)
        if number is None and raw is not None and not key.startswith("last."):
            return f"「{_short(raw)}」"
        if number is None and key in missing:
            return render("check.not_found")
        return number_text(number)

    if finding.blamed is not None:  # one part explains this and other findings
        return _blamed(spec, explainer, entry, rule, finding, value, display)
    text = explainer.explain(rule, value, as_shown, display)
    if text is None:
        text = spec.rule_text(rule.message).format(**dict(rule.params))
        raw = entry.part.values.get(rule.at)
        if rule.at in entry.part.errors:
            text = _sentence(text) + (render("check.error_value") if rule.id == "N1" else "")
        elif raw is not None:
            number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            shown_text = number_text(as_shown(rule.at)) if number else _short(raw)
            text = _sentence(render("check.shown_value", text=text, value=shown_text))
        else:
            text = _sentence(text)
    if finding.params.get("read_as") is not None:  # a count typed -1 or 2.5 (guesses.py)
        text += render("check.read_as", value=finding.params["read_as"])
    expected, actual = finding.expected, finding.actual
    if rule.id == "W6":
        expected, actual = value(rule.at), None
    raw = entry.part.values.get(rule.at)
    if rule.id == "N1" and actual is None and isinstance(raw, (int, float)):
        actual = None if isinstance(raw, bool) else float(raw)  # the -1 or 2.5 refused
    fields = [rule.at, *(k for k in rule.fields if k != rule.at)]
    return _located(spec, entry.part, rule.id, rule.severity, text, fields, expected, actual)


def _located(
    spec: FormSpec,
    part: Part,
    rule_id: str,
    severity: str,
    text: str,
    fields: list[str],
    expected: float | None,
    actual: float | None,
) -> CheckFinding:
    """A finding placed at the first of its fields that the file has a cell for."""
    sheet = cell = None
    table = spec.text(spec.table(spec.fields[fields[0].removeprefix("last.")].table).name)
    for key in fields:
        if key in part.cells:
            sheet, cell = part.cells[key]
            table = spec.text(spec.table(spec.fields[key].table).name)
            break
    line = next((part.lines[k] for k in fields if k in part.lines), None) if not cell else None
    if line is not None:  # a published report's text: the line is where to look
        message = render("document.at_line", table=table, line=line, text=text)
    else:
        if sheet and sheet not in table and table not in sheet:
            # the cell's sheet tab, where it is not the table's name (封面 holds 填报信息; a
            # hand-made workbook keeps every table on 年报)
            table = render("check.sheet_table", sheet=sheet, table=table)
        place = "check.at_cell" if cell else "check.at_table"
        message = render(place, table=table, cell=cell or "", text=text)
    return CheckFinding(rule_id, severity, message, sheet, cell, fields, expected, actual)


def _blamed(
    spec: FormSpec,
    explainer: Explainer,
    entry: Entry,
    rule: Rule,
    finding: Finding,
    value: Callable[[str], float | None],
    display: Callable[[str], str],
) -> CheckFinding:
    """The finding said at the part that, corrected, makes its total and the rules ``also``
    named hold: the unit is sent to the figure typed wrong, not to a total typed right (as
    the cell shows it: "很多" typed there is quoted, not called blank)."""
    part, total = finding.blamed or "", rule.total.total if rule.total else rule.at
    labels = explainer.labels
    text = render(
        "check.blamed_part",
        part=labels.full(part),
        actual=display(part) if finding.actual is None else number_text(finding.actual),
        total=_total_in_words(rule.id) or labels.full(total),
        total_value=number_text(value(total)),
        expected=number_text(finding.expected),
        rules=render("check.list_joiner").join(
            _rule_in_words(spec, r) for r in (rule.id, *finding.also)
        ),
    )
    fields = [part, *(k for k in rule.fields if k != part)]
    # a part that is no number as typed (七, 约7) breaks N1 itself: the finding is that
    # rule's, as a script counting N1 expects; its words still name every rule it mends
    rule_id = "N1" if "N1" in finding.also else rule.id
    return _located(
        spec, entry.part, rule_id, rule.severity, text, fields, finding.expected, finding.actual
    )


def _total_in_words(rule_id: str) -> str | None:
    """The total a blamed part is judged by, named from where the part stands (its row's
    total, its column's （七）总计): its label repeats the part's, long notes and all."""
    return render(f"check.total_of.{rule_id}") if has_message(f"check.total_of.{rule_id}") else None


def _rule_in_words(spec: FormSpec, rule_id: str) -> str:
    """What the rule checks, in a few words with its id: the catalogue's words for a national
    rule; a local form's own ("S2_short" in its [messages]), else its rule's sentence."""
    if has_message(f"rule_short.{rule_id}"):
        return render(f"rule_short.{rule_id}")
    own = spec.rule_text(f"{rule_id}_short", fallback=False)
    if own:
        return own
    rule = next((r for r in spec.rules if r.id == rule_id), None)
    if rule is None:
        return rule_id
    sentence = spec.rule_text(rule.message).rstrip("。.")
    return render("check.rule_named", text=sentence, rule=rule_id)


def _sentence(text: str) -> str:
    """A rule's sentence (written bare for the template's 校验结果 lines) ended as one."""
    return text if text.endswith(("。", "？", "！", ".", "?", "!")) else text + render("check.stop")


def _short(raw: Any) -> str:
    """A cell's content quoted in a message: no control characters (it reaches terminals),
    40 characters at most."""
    text = clean_name(str(raw)[:1000])
    return text if len(text) <= 40 else text[:39] + "…"


def reader_findings(spec: FormSpec, labels: Labels, entry: Entry) -> list[CheckFinding]:
    part = entry.part
    found: list[CheckFinding] = []
    for key, (raw, reading) in entry.prepared.as_text.items():
        if reading.as_date:
            text = render("check.as_date", raw=_short(raw), value=number_text(reading.value))
        elif reading.converted_unit:
            text = render(
                "check.as_text_unit",
                raw=_short(raw),
                written=reading.converted_unit,
                value=number_text(reading.value),
                unit=spec.fields[key].unit or "",
            )
        else:
            text = render("check.as_text", raw=_short(raw), value=number_text(reading.value))
        found.append(_located(spec, part, "W5", "warning", text, [key], None, reading.value))
    for table_key in part.missing_tables:
        table = spec.table(table_key)
        found.append(
            CheckFinding(
                "W2",
                "warning",
                render("check.table_missing", table=spec.text(table.name)),
                fields=[f.key for f in table.fields],
            )
        )
    for row in part.unresolved:
        table = spec.table(spec.fields[row.keys[0]].table).name
        if row.values:  # the prose says it twice, differently
            said = "、".join(number_text(v) for v in row.values)
            text = render("document.conflicting_statement", label=_short(row.label), values=said)
            message = render("check.at_table", table=table, text=text)
        else:
            message_id = "document.ambiguous_row"
            if row.found > row.expected:
                message_id = "document.ambiguous_row_extra"
            text = render(
                message_id, label=_short(row.label), expected=row.expected, found=row.found
            )
            message = render("document.at_line", table=table, line=row.line, text=text)
        found.append(CheckFinding("T1", "warning", message, fields=list(row.keys)))
    by_table: dict[str, list[str]] = defaultdict(list)
    for key in part.missing_fields:
        by_table[spec.fields[key].table].append(key)
    for table_key, keys in by_table.items():
        table = spec.table(table_key)
        examples = "、".join(f"「{labels.full(k)}」" for k in keys[:3])
        text = render(
            "check.fields_missing", table=spec.text(table.name), count=len(keys), examples=examples
        )
        found.append(CheckFinding("W2", "warning", text, fields=keys))
    return found


def finding_order(result: FileResult) -> Callable[[CheckFinding], tuple]:
    sheets: list[str] = []
    if result.read is not None:
        for part in result.read.parts:
            for sheet, _ in part.cells.values():
                if sheet not in sheets:
                    sheets.append(sheet)

    def key(finding: CheckFinding) -> tuple:
        row, col = coordinate_to_tuple(finding.cell) if finding.cell else (0, 0)
        sheet = sheets.index(finding.sheet) if finding.sheet in sheets else -1
        file_level = finding.rule.startswith("F")
        return (finding.severity != "error", not file_level, sheet, row, col)

    return key
