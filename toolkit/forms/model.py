"""Typed form-spec objects: what the loader builds from a spec file and every engine reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from toolkit.forms.expr import Expr

if TYPE_CHECKING:
    from toolkit.forms.outline import ReportOutline

Kind = Literal["count", "money", "change", "year", "text", "longtext", "phone", "date"]
KINDS: tuple[str, ...] = ("count", "money", "change", "year", "text", "longtext", "phone", "date")
NUMERIC_KINDS = frozenset({"count", "money", "change", "year"})
Severity = Literal["error", "warning"]
# a main form is a whole report (the national formats); a supplement is a local table that
# travels with one and is read from the same file
ROLES = ("main", "supplement")


@dataclass(frozen=True)
class LabelCell:
    """A fixed text cell of a table (header or row label), at its place in the table's grid."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    variants: tuple[str, ...] = ()
    role: Literal["title", "header", "row"] = "row"


@dataclass(frozen=True)
class Field:
    """One value of the form: a cell users type into, or a computed total."""

    key: str
    table: str
    kind: Kind
    label: str
    row: int
    col: int
    cols: int = 1
    unit: str | None = None
    variants: tuple[str, ...] = ()
    row_labels: tuple[str, ...] = ()
    col_labels: tuple[str, ...] = ()
    computed: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True)
class Table:
    """A table of the form, laid out on a grid whose (0, 0) is its first header cell."""

    key: str
    sheet: str
    title: str
    name: str
    layout: Literal["grid", "fields"]
    width: int
    height: int
    labels: tuple[LabelCell, ...]
    fields: tuple[Field, ...]
    label_columns: int = 0
    label_widths: tuple[float, ...] = ()
    value_width: float = 12
    header_rows: int = 0
    blocks: int = 1
    title_variants: tuple[str, ...] = ()
    row_keys: tuple[str, ...] = ()
    column_keys: tuple[str, ...] = ()
    # other layouts units type the table in (复议诉讼 as three rows): read, never written
    alternates: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Total:
    """A computed total: a locked formula in the template and a rule over its parts."""

    rule: str
    total: str
    parts: tuple[str, ...]
    when: Expr | None = None


@dataclass(frozen=True)
class Rule:
    """One instance of a rule: a declaration with its loop variables bound."""

    id: str
    severity: Severity
    message: str
    check: Expr
    at: str
    when: Expr | None = None
    params: tuple[tuple[str, str], ...] = ()
    in_template: bool = True
    source: str = ""
    instance: str = ""
    total: Total | None = None

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """Every field key the rule reads, in first-use order."""
        seen: dict[str, None] = {}
        for expr in (self.when, self.check):
            if expr is not None:
                for key in expr.refs():
                    seen.setdefault(key, None)
        return tuple(seen)

    @property
    def uses_last_year(self) -> bool:
        return any(key.startswith("last.") for key in self.fields)


@dataclass(frozen=True)
class ChartSeries:
    """A series of a summary chart: the sum of its fields."""

    label: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    """A chart of the summary workbook, declared in the spec ([[charts]])."""

    title: str
    type: str
    series: tuple[ChartSeries, ...] = ()
    field: str = ""  # top_units: the figure units are ranked by
    count: int = 10


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: str
    name: str
    basis: str
    role: str
    path: Path
    sheets: tuple[str, ...]
    tables: tuple[Table, ...]
    fields: dict[str, Field]
    totals: tuple[Total, ...]
    rules: tuple[Rule, ...]
    sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    messages: dict[str, dict[str, str]] = field(default_factory=dict)
    charts: tuple[Chart, ...] = ()  # for the summary workbook
    report: ReportOutline | None = None  # the published report's outline ([report])

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def kind_of(self, key: str) -> str:
        """The kind of a field, also for ``last.<key>`` (last year's value)."""
        return self.fields[key.removeprefix("last.")].kind

    def total_of(self, key: str) -> Total | None:
        """The total that computes ``key`` (the first declared), if it is computed."""
        for total in self.totals:
            if total.total == key:
                return total
        return None

    def rule_text(self, message: str, lang: str | None = None, fallback: bool = True) -> str:
        """The sentence describing a rule: the spec's own messages first, then the catalogue
        (``fallback`` False: the spec's own or '')."""
        from toolkit.messages import current_language, render

        lang = lang or current_language()
        for code in (lang, "zh", *self.messages):
            text = self.messages.get(code, {}).get(message)
            if text:
                return text
        return render(f"rule.{message}", lang=lang) if fallback else ""

    def text(self, text: str, lang: str | None = None) -> str:
        """A text of the spec's own (a chart's title, a series' label) in ``lang``, where its
        [messages.<lang>] table translates it (keyed by the text as written), else as
        written."""
        from toolkit.messages import current_language

        return self.messages.get(lang or current_language(), {}).get(text, text)

    @property
    def numeric_keys(self) -> tuple[str, ...]:
        return tuple(k for k, f in self.fields.items() if f.numeric)

    # Worked out once per spec, asked once per return read (the instance's __dict__ keeps
    # them; a frozen dataclass without slots allows that).
    @cached_property
    def computed_keys(self) -> frozenset[str]:
        """The fields that are totals of others."""
        return frozenset(k for k, f in self.fields.items() if f.computed)

    @cached_property
    def typed_keys(self) -> tuple[str, ...]:
        """The figures a unit types into the form's tables (its totals and its header's
        year aside)."""
        return tuple(
            k
            for k, f in self.fields.items()
            if f.numeric and not f.computed and not k.startswith("meta.")
        )

    @cached_property
    def year_keys(self) -> frozenset[str]:
        """The year fields: the rule compilers also read a year typed as text there."""
        return frozenset(k for k, f in self.fields.items() if f.kind == "year")

    @cached_property
    def declared_parts(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        """Each total's part lists, one per declaration (（七）总计 of the 总计 column is
        the total of its row and of its column)."""
        declared: dict[str, tuple[tuple[str, ...], ...]] = {}
        for total in self.totals:
            declared[total.total] = (*declared.get(total.total, ()), total.parts)
        return declared

    @cached_property
    def reading_kinds(self) -> tuple[tuple[str, str], ...]:
        """Each field and how a cell of it is read: "year", "number" or "other"."""
        return tuple(
            (k, "year" if f.kind == "year" else "number" if f.numeric else "other")
            for k, f in self.fields.items()
        )

    def __reduce__(self) -> tuple:
        # Returns cross process boundaries (the isolated reader) holding their spec: send
        # its origin, not its ~400 rule trees; the other side has it loaded already.
        return (spec_from_origin, (str(self.path), self.id))


_LOADED: dict[tuple[str, str], FormSpec] = {}


def remember(spec: FormSpec) -> FormSpec:
    _LOADED[(str(spec.path), spec.id)] = spec
    return spec


def spec_from_origin(path: str, form_id: str) -> FormSpec:
    """The spec loaded from ``path`` in this process (loading it if it was not)."""
    spec = _LOADED.get((path, form_id))
    if spec is None:
        from toolkit.forms.loader import load_spec

        spec = load_spec(Path(path))
    return spec
