"""A part's cell contents made ready for the rules: numbers typed as text are read (W5),
blank markers become blank, the year is read from "2020年度"; nothing else is guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.forms.model import FormSpec
from toolkit.read.labels import compact
from toolkit.read.numbers import Reading, read_number
from toolkit.read.returns import Part

_YEAR = re.compile(r"^((?:19|20)\d{2})年?度?$")


@dataclass
class Prepared:
    values: dict[str, Any]
    as_text: dict[str, tuple[Any, Reading]] = field(default_factory=dict)  # key -> (raw, read)


def prepare(part: Part) -> Prepared:
    out = Prepared({})
    values = out.values
    raw_values = part.values
    errors = part.errors
    for key, kind in _kinds(part.spec):
        raw = raw_values.get(key)
        if key in errors:
            values[key] = None  # the error mask makes it unreadable for the rules
        elif kind is _NUMBER and (raw is None or type(raw) is float):
            values[key] = raw if raw == raw else None  # most cells: a number or empty (NaN)
        elif kind is _NUMBER:
            reading = read_number(raw, part.spec.fields[key].unit)
            values[key] = reading.value
            if reading.as_text or reading.as_date:
                out.as_text[key] = (raw, reading)
        elif kind is _YEAR_KIND:
            values[key] = _year(raw)
        elif isinstance(raw, str):
            values[key] = raw.strip() or None
        else:
            values[key] = raw
    return out


_NUMBER, _YEAR_KIND, _OTHER = "number", "year", "other"
_KINDS: dict[int, tuple[FormSpec, tuple[tuple[str, str], ...]]] = {}


def _kinds(spec: FormSpec) -> tuple[tuple[str, str], ...]:
    """Each field and how its cells are read, worked out once per spec (asked per file)."""
    known = _KINDS.get(id(spec))
    if known is None or known[0] is not spec:
        kinds = tuple(
            (key, _YEAR_KIND if f.kind == "year" else _NUMBER if f.numeric else _OTHER)
            for key, f in spec.fields.items()
        )
        known = _KINDS[id(spec)] = (spec, kinds)
    return known[1]


def _year(raw: Any) -> Any:
    if isinstance(raw, str):
        match = _YEAR.match(compact(raw))
        if match:
            return float(match.group(1))
        return read_number(raw).value
    return read_number(raw).value
