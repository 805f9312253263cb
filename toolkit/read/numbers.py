"""What a number cell says, when a person typed it: FORMS.md "Values" and rules W5 / N1.

A real number passes through. Text is read as a number where a person would read one
(" 12 ", "１２", "1,038", "+1036", "251000元", "22（其中修订 16 件）") and marked W5 so the
sender hears of it; blank markers ("/", "—", "无" …) are blank; anything else stays as the
text it is, which the N1 rule then reports at its cell.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from openpyxl.utils.datetime import to_excel

from toolkit.read.labels import compact

BLANK_MARKERS = frozenset({"", "/", "-", "--", "—", "——", "－", "–", "无", "\\", "／", "空"})
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?"
    r"(?P<unit>万元|元|件|条|个|人次|人|次|篇|项)?(?P<note>\(.*\))?$"
)
_PLAIN = re.compile(r"^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$")  # ASCII digits only: １２ is a W5
# written unit -> factor to the unit the field is kept in
_UNIT_FACTORS = {("元", "万元"): 1 / 10_000, ("万元", "元"): 10_000.0}


@dataclass(frozen=True)
class Reading:
    """A cell's value for the rules, and whether a person should hear how it was read."""

    value: Any  # float, None (blank), or the original content when it is no number
    as_text: bool = False  # W5: a number written as text (converted)
    converted_unit: str | None = None  # the unit written in the cell, when converted
    as_date: bool = False  # W5: a number in a date-formatted cell (shown as a date)


def read_number(raw: Any, unit: str | None = None) -> Reading:
    """``raw`` as found in a numeric cell; ``unit`` is the unit the field is kept in."""
    if raw is None:
        return Reading(None)
    if isinstance(raw, bool):
        return Reading(raw)
    if isinstance(raw, (int, float)):
        return Reading(None if raw != raw else float(raw))  # NaN is an empty cell
    if isinstance(raw, (dt.date, dt.time)):
        # a count typed into a date-formatted cell: the number the spreadsheet stores (Excel's
        # serial, its 1900 leap-year quirk included), which is what its formulas add up
        return Reading(float(to_excel(raw)), as_date=True)
    if isinstance(raw, dt.timedelta):
        return Reading(raw.total_seconds() / 86400, as_date=True)
    text = compact(str(raw))
    if text in BLANK_MARKERS:
        return Reading(None)
    match = _NUMBER.match(text)
    if match is None:
        return Reading(raw)
    number = float(match["digits"].replace(",", "") + (match["fraction"] or ""))
    if match["sign"] == "-":
        number = -number
    written = match["unit"]
    if written and unit and (written, unit) in _UNIT_FACTORS:
        return Reading(round(number * _UNIT_FACTORS[(written, unit)], 6), True, written)
    return Reading(number, True)


def plain_number(text: str) -> float | None:
    """A number as a document writes one ("12", " 2504 ", "-3", "0.5"); None for anything a
    person would have to interpret (full-width digits, separators, units, notes: W5)."""
    match = _PLAIN.match(text)
    return float(match.group(1)) if match else None


def document_value(text: str) -> float | str | None:
    """A cell of a published report: a plain number as a number (a document has no other
    way to write one, so it is not "a number typed as text"), nothing as None, anything a
    person would have to interpret (１２, 1,038, 251000元) as written, for W5 and N1."""
    number = plain_number(text)
    if number is not None:
        return number
    return text.strip() or None


def spreadsheet_digits(value: float) -> float:
    """``value`` to the 15 digits a spreadsheet keeps: a sum's binary noise goes, a typed
    digit stays (findings and JSON give figures so)."""
    return float(f"{float(value):.15g}")
