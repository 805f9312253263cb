"""Cell formats of the template, made once per workbook."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from toolkit.forms.model import Table

FONT = "宋体"
INPUT_FILL = "#FFF2CC"
COMPUTED_FILL = "#E7E6E6"
HEADER_FILL = "#DDEBF7"
ERROR_FILL = "#FF8080"
WARNING_FILL = "#FFC000"
LINE_HEIGHT = 15  # points per line of 11-point text
NUMBER_FORMATS = {
    "count": "0",
    "money": "0.00",
    "change": "+0;-0;0",
    "year": "0",
    "date": "yyyy-mm-dd",
}


def text_width(text: str) -> float:
    """Width in Excel column units: a CJK (wide) character takes about two.

    xlsxwriter cannot measure text (and its autofit counts CJK as half), so rows that hold
    wrapped labels get their height from this estimate.
    """
    return sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def label_row_heights(table: Table, widths: list[float]) -> dict[int, float]:
    """The height (points) each row of ``table`` needs for its wrapped labels, by row within
    the table, where it needs more than one line; ``widths``: the sheet's column widths."""
    lines: dict[int, float] = {}
    for label in table.labels:
        width = sum(widths[c] for c in range(label.col, label.col + label.cols))
        needed = math.ceil(text_width(label.text) / max(width - 1, 1)) / label.rows
        for r in range(label.row, label.row + label.rows):
            lines[r] = max(lines.get(r, 1), needed)
    return {r: LINE_HEIGHT * math.ceil(n) for r, n in lines.items() if n > 1}


@dataclass
class Styles:
    title: Format
    hint: Format
    table_title: Format
    header: Format
    label: Format
    blank: Format
    status: Format
    check_header: Format
    check_cell: Format
    check_mark: Format
    error: Format
    warning: Format
    inputs: dict[str, Format]
    computed: dict[str, Format]
    locked_values: dict[str, Format]


def make_styles(workbook: Workbook) -> Styles:
    def fmt(**props: Any) -> Format:
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        base.update(props)
        return workbook.add_format(base)

    boxed = {"border": 1, "text_wrap": True}
    inputs, computed, locked = {}, {}, {}
    for kind in ("count", "money", "change", "year", "text", "longtext", "phone", "date"):
        number = NUMBER_FORMATS.get(kind)
        extra: dict[str, Any] = {"num_format": number} if number else {}
        align = {"align": "left", "valign": "top"} if kind == "longtext" else {"align": "center"}
        if kind in ("text", "phone"):
            align = {"align": "left"}
        inputs[kind] = fmt(locked=False, bg_color=INPUT_FILL, **boxed, **align, **extra)
        computed[kind] = fmt(bg_color=COMPUTED_FILL, bold=True, **boxed, **align, **extra)
        locked[kind] = fmt(**boxed, **align, **extra)
    return Styles(
        title=fmt(bold=True, font_size=16, align="center"),
        hint=fmt(font_size=9, font_color="#595959", text_wrap=True, valign="top"),
        table_title=fmt(bold=True, font_size=12),
        header=fmt(bold=True, align="center", bg_color=HEADER_FILL, **boxed),
        label=fmt(**boxed),
        blank=fmt(**boxed),
        status=fmt(bold=True, font_size=12, border=1),
        check_header=fmt(bold=True, bg_color=HEADER_FILL, border=1, align="center"),
        check_cell=fmt(border=1, text_wrap=True),
        check_mark=fmt(border=1, align="center", bold=True),
        error=workbook.add_format({"bg_color": ERROR_FILL, "font_color": "#9C0006"}),
        warning=workbook.add_format({"bg_color": WARNING_FILL}),
        inputs=inputs,
        computed=computed,
        locked_values=locked,
    )
