"""The published report's outline, declared in a form spec ([report]): its title, its
sections in order (a narrative field or a table each), and statements — sentences made from
numbers, such as the 信息处理费 of section 六.

A statement is written once in the spec and used both ways: `toolkit report` writes the
sentence from the return's numbers, and `toolkit audit` reads the numbers back out of a
published report's prose with the same clauses compiled to patterns (plus the spec's extra
read patterns for wordings met in real reports).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolkit.forms.validate import SpecError, check_keys, get_str, get_strings, join, wrong_type
from toolkit.read.labels import compact

_PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")
_NUMBER = r"(\d+(?:,\d{3})*(?:\.\d+)?)"
_SECTION_KEYS = {"heading", "text", "table", "statement"}
_STATEMENT_KEYS = {"key", "lead", "clauses", "none", "reads"}
_READ_KEYS = {"pattern", "zero"}


@dataclass(frozen=True)
class ReadPattern:
    """A wording to find in prose: ``{key}`` stands for a number; a pattern without one
    says the fields in ``zero`` are 0 ("本年度未收取信息处理费")."""

    regex: re.Pattern[str]
    keys: tuple[str, ...]  # one per number group, in order
    zero: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    key: str
    lead: str
    clauses: tuple[tuple[str, str], ...]  # (clause template, the field it states)
    none: str  # the sentence when every number is 0
    reads: tuple[ReadPattern, ...]

    def write(self, values: dict[str, Any], number: Callable[[float], str]) -> str | None:
        """The sentence for ``values`` (None when none of its numbers is given): the given
        ones only, never a blank stated as 0."""
        given = [(c, k) for c, k in self.clauses if isinstance(values.get(k), (int, float))]
        if not given:
            return None
        if len(given) == len(self.clauses) and all(values[k] == 0 for _, k in given):
            return self.none
        said = "，".join(c.replace("{" + k + "}", number(float(values[k]))) for c, k in given)
        return f"{self.lead}{said}。"

    def read(self, prose: str) -> dict[str, list[float]]:
        """Every number the prose states for each field, in the order found, once each: one
        number is the field's; two are a contradiction for the reader to report."""
        text = compact(prose)
        found: dict[str, list[float]] = {}
        for pattern in self.reads:
            for match in pattern.regex.finditer(text):
                for key, group in zip(pattern.keys, match.groups(), strict=True):
                    _add(found, key, float(group.replace(",", "")))
                for key in pattern.zero:
                    _add(found, key, 0.0)
        return found


def _add(found: dict[str, list[float]], key: str, value: float) -> None:
    values = found.setdefault(key, [])
    if value not in values:
        values.append(value)


@dataclass(frozen=True)
class Section:
    heading: str  # empty: the narrative field's label or the table's title
    text: str | None = None  # a narrative field key
    table: str | None = None  # a table key
    statement: str | None = None  # a statement written after the text


@dataclass(frozen=True)
class ReportOutline:
    title: str  # with {unit} and {year}
    sections: tuple[Section, ...]
    statements: tuple[Statement, ...]

    def statement(self, key: str) -> Statement:
        return next(s for s in self.statements if s.key == key)


def build_outline(raw: Any, fields: dict[str, Any], tables: set[str]) -> ReportOutline:
    """The [report] table of a spec, its references checked against the form's fields and
    tables."""
    if not isinstance(raw, dict):
        raise wrong_type("report", "table")
    check_keys(raw, {"title", "sections", "statements"}, "report")
    statements = tuple(
        _statement(item, f"report.statements[{i}]", fields)
        for i, item in enumerate(_array(raw, "statements"))
    )
    names = {s.key for s in statements}
    sections = []
    for i, item in enumerate(_array(raw, "sections")):
        where = f"report.sections[{i}]"
        if not isinstance(item, dict):
            raise wrong_type(where, "table")
        check_keys(item, _SECTION_KEYS, where)
        text, table = item.get("text"), item.get("table")
        if (text is None) == (table is None):
            raise SpecError(where, "spec.problem.missing_key", key="text | table")
        if text is not None and text not in fields:
            raise SpecError(join(where, "text"), "spec.problem.unknown_field", key=str(text))
        if table is not None and table not in tables:
            raise SpecError(join(where, "table"), "spec.problem.unknown_field", key=str(table))
        statement = item.get("statement")
        if statement is not None and statement not in names:
            raise SpecError(join(where, "statement"), "spec.problem.unknown_field", key=statement)
        heading = get_str(item, "heading", where, required=False)
        sections.append(Section(heading, text, table, statement))
    title = get_str(raw, "title", "report")
    try:
        title.format(unit="", year="")
    except (KeyError, IndexError, ValueError) as exc:  # only {unit} and {year} are known
        raise SpecError(
            "report.title", "spec.problem.bad_clause", text=f"{title} ({exc})"
        ) from None
    return ReportOutline(title, tuple(sections), statements)


def _array(raw: dict[str, Any], key: str) -> list[Any]:
    items = raw.get(key, [])
    if not isinstance(items, list):
        raise wrong_type(f"report.{key}", "array_of_tables")
    return items


def _statement(raw: Any, where: str, fields: dict[str, Any]) -> Statement:
    if not isinstance(raw, dict):
        raise wrong_type(where, "table")
    check_keys(raw, _STATEMENT_KEYS, where)
    clauses = []
    for i, clause in enumerate(get_strings(raw, "clauses", where)):
        keys = _PLACEHOLDER.findall(clause)
        if len(keys) != 1:
            raise SpecError(f"{where}.clauses[{i}]", "spec.problem.bad_clause", text=clause)
        _known(keys[0], fields, f"{where}.clauses[{i}]")
        clauses.append((clause, keys[0]))
    reads = [_pattern(_literal(clause, key), fields, where) for clause, key in clauses]
    for i, item in enumerate(raw.get("reads", [])):
        at = f"{where}.reads[{i}]"
        if not isinstance(item, dict):
            raise wrong_type(at, "table")
        check_keys(item, _READ_KEYS, at)
        zero = tuple(get_strings(item, "zero", at))
        for key in zero:
            _known(key, fields, at)
        reads.append(_pattern(compact(get_str(item, "pattern", at)), fields, at, zero))
    return Statement(
        get_str(raw, "key", where),
        get_str(raw, "lead", where, required=False),
        tuple(clauses),
        get_str(raw, "none", where),
        tuple(reads),
    )


def _literal(clause: str, key: str) -> str:
    """A clause as a pattern matching exactly its words, its placeholder kept."""
    placeholder = "{" + key + "}"
    return placeholder.join(re.escape(compact(part)) for part in clause.split(placeholder))


def _pattern(
    source: str, fields: dict[str, Any], where: str, zero: tuple[str, ...] = ()
) -> ReadPattern:
    keys = tuple(_PLACEHOLDER.findall(source))
    for key in keys:
        _known(key, fields, where)
    try:
        regex = re.compile(_PLACEHOLDER.sub(lambda _: _NUMBER, source))
    except re.error as exc:
        raise SpecError(where, "spec.problem.bad_pattern", detail=str(exc)) from None
    if regex.groups != len(keys):  # a group of the spec's own would shift the numbers
        raise SpecError(where, "spec.problem.bad_pattern", detail="(?:...)")
    return ReadPattern(regex, keys, zero)


def _known(key: str, fields: dict[str, Any], where: str) -> None:
    if key not in fields:
        raise SpecError(where, "spec.problem.unknown_field", key=key)
