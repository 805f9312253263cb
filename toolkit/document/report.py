"""The annual report as published, built from a checked return and its form's outline: the
title, sections 一 to 六 in the spec's order (narrative text and the tables in the official
layout), statements made from numbers, and the unit and date at the end.

Every figure is the return's own, as `toolkit check` reports it; a blank stays blank (never
written as 0), so auditing the published report gives back the same values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from toolkit.check.result import FileResult
from toolkit.document.model import DocTable, Document, Paragraph, TableCell
from toolkit.forms.model import Table
from toolkit.read.returns import Part


@dataclass
class Built:
    document: Document
    title: str
    empty_sections: list[str] = field(default_factory=list)  # headings with no text given


def number_text(value: float) -> str:
    """A figure as a report prints it: 12, 2504, 12.5 (no exponent, no trailing zeros)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def build_report(result: FileResult, today: dt.date | None = None) -> Built:
    """The report for a return that was read (``result.read`` and ``result.prepared``)."""
    assert result.read is not None and result.read.main is not None
    main = result.read.main
    spec = main.spec
    outline = spec.report
    if outline is None:
        raise ValueError(f"form {spec.id} declares no [report] outline")
    typed = [p.values for p in result.prepared] or [{}]
    typed += [{}] * (len(result.read.parts) - len(typed))
    meta = result.meta
    unit = str(meta.get("unit") or "")
    year = meta.get("year")
    title = outline.title.format(unit=unit, year=year if year is not None else "")
    built = Built(Document([Paragraph(title, "title")]), title)
    blocks = built.document.blocks
    for section in outline.sections:
        if section.table is not None:
            table = spec.table(section.table)
            blocks.append(Paragraph(section.heading or table.title, "heading"))
            blocks.append(doc_table(table, result.values, typed[0]))
            continue
        assert section.text is not None
        heading = section.heading or spec.fields[section.text].label
        blocks.append(Paragraph(heading, "heading"))
        paragraphs = _paragraphs(typed[0].get(section.text))
        if section.statement is not None:
            sentence = outline.statement(section.statement).write(result.values, number_text)
            if sentence:
                paragraphs.append(sentence)
        if not paragraphs:
            built.empty_sections.append(heading)
        blocks.extend(Paragraph(text) for text in paragraphs)
    for part, content in zip(result.read.supplements, typed[1:], strict=False):
        blocks.extend(_supplement(part, result.values, content))
    if unit:
        blocks.append(Paragraph(unit, "signature"))
    blocks.append(Paragraph(_date_text(meta.get("date"), today), "signature"))
    return built


def doc_table(table: Table, values: dict[str, Any], typed: dict[str, Any]) -> DocTable:
    """A spec table in its official layout: every label at its place, each figure in its
    cell (blank where the return has none); ``typed`` is what the return's cells say."""
    cells = [
        TableCell(label.text, label.row, label.col, label.rows, label.cols, header=True)
        for label in table.labels
    ]
    for item in table.fields:
        value = values.get(item.key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            text = number_text(value)
        else:  # what the return says where it is no number ("十二"), for N1 to see again
            text = " ".join(str(typed.get(item.key) or "").split())
        cells.append(TableCell(text, item.row, item.col, 1, item.cols))
    widths = tuple(
        table.label_widths[c] if c < len(table.label_widths) else table.value_width
        for c in range(table.width)
    )
    return DocTable(cells, caption=table.name, widths=widths)


def _supplement(
    part: Part, values: dict[str, Any], typed: dict[str, Any]
) -> list[Paragraph | DocTable]:
    blocks: list[Paragraph | DocTable] = []
    for table in part.spec.tables:
        if table.layout == "grid":
            blocks.append(Paragraph(table.title, "heading"))
            blocks.append(doc_table(table, values, typed))
    return blocks


def _paragraphs(text: Any) -> list[str]:
    if not isinstance(text, str):
        return []
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def _date_text(value: Any, today: dt.date | None) -> str:
    day = today or dt.date.today()
    if value:
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"
