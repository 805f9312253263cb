"""A part's cell contents made ready for the rules: numbers typed as text are read (W5),
blank markers become blank, the year is read from "2020年度"; nothing else is guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.read.labels import compact
from toolkit.read.numbers import Reading, read_number
from toolkit.read.returns import Part

_YEAR = re.compile(r"^((?:19|20)\d{2})年?度?$")


@dataclass
class Prepared:
    values: dict[str, Any]
    as_text: dict[str, tuple[Any, Reading]] = field(default_factory=dict)  # key -> (raw, read)
    # numbers the unit gave as "—", "/" or "无": blank for the sums, but an answer, not a gap
    marked: frozenset[str] = frozenset()
    # whether the tables hold any answer of the unit: a figure typed (totals aside: a
    # template's formulas add up blanks to 0), or a mark (worked out where the file is read)
    answered: bool = False


def prepare(part: Part) -> Prepared:
    out = Prepared({})
    values = out.values
    raw_values = part.values
    errors = part.errors
    marked: list[str] = []
    for key, kind in part.spec.reading_kinds:
        raw = raw_values.get(key)
        if key in errors:
            values[key] = None  # the error mask makes it unreadable for the rules
        elif kind == "number" and (raw is None or type(raw) is float):
            values[key] = raw if raw == raw else None  # most cells: a number or empty (NaN)
        elif kind == "number":
            reading = read_number(raw, part.spec.fields[key].unit)
            values[key] = reading.value
            if reading.as_text or reading.as_date:
                out.as_text[key] = (raw, reading)
            elif reading.value is None and isinstance(raw, str) and raw.strip():
                marked.append(key)
        elif kind == "year":
            values[key] = _year(raw)
        elif isinstance(raw, str):
            values[key] = raw.strip() or None
        else:
            values[key] = raw
    if marked:
        out.marked = frozenset(marked)
    out.answered = bool(marked) or any(values[key] is not None for key in part.spec.typed_keys)
    return out


def _year(raw: Any) -> Any:
    if isinstance(raw, str):
        match = _YEAR.match(compact(raw))
        if match:
            return float(match.group(1))
        return read_number(raw).value
    return read_number(raw).value
