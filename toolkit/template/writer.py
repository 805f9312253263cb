"""Draw the planned workbook with xlsxwriter: labels locked, inputs open, live rule formulas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

import toolkit
from toolkit.cellmap import MARKER, META_SHEET, map_rows
from toolkit.forms.excel import ExcelCompiler, address
from toolkit.forms.expr import Call, Ref
from toolkit.forms.model import Field, FormSpec, Rule, Table
from toolkit.messages import current_language, render
from toolkit.template.checks import CheckWriter
from toolkit.template.plan import (
    FIRST_TABLE_ROW,
    HINT_ROW,
    LONGTEXT_HEIGHT,
    TITLE_ROW,
    SheetPlan,
    WorkbookPlan,
    plan_workbook,
)
from toolkit.template.state import WrittenState, written_state
from toolkit.template.styles import Styles, label_row_heights, make_styles

# Shapes of input, not rules (the rules live in the specs): what a cell can hold at all.
TEXT_LIMITS = {"text": 200, "phone": 40}
FOUR_DIGITS = (1000, 9999)
VALUE_CAP = 999999999  # as N1 in _number_rules.toml: the input shape matches the rule
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


@dataclass
class TemplateOptions:
    year: int
    unit: str | None = None
    password: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    lang: str | None = None


CENT_PLACES = {"元": 2, "万元": 6}  # decimals that reach the cent, by a field's unit
MAX_MONEY_PLACES = 6  # any other unit: as many as N1 allows


def template_rules(spec: FormSpec) -> list[Rule]:
    """The rule instances a template can show live: not those needing last year's data,
    nor those reading a formula total alone (N1 at （七）总计): a sum of valid parts is a
    valid figure, so such a check could only turn red beside its part's, the same error
    told twice (`check` says it once)."""
    return [
        r
        for r in spec.rules
        if r.in_template
        and not (r.fields == (r.at,) and r.at in spec.fields and spec.fields[r.at].computed)
    ]


@dataclass
class Prepared:
    """What a template needs besides xlsxwriter: the layout and the values it shows."""

    plan: WorkbookPlan
    state: WrittenState

    def for_unit(self, unit: str) -> Prepared:
        """The same template for another (non-empty) unit name. Rules can only ask whether a
        text field is blank, so every non-empty name gives the same verdicts."""
        values = {**self.state.values, "meta.unit": unit}
        return Prepared(self.plan, WrittenState(values, self.state.holds))


def prepare(spec: FormSpec, options: TemplateOptions) -> Prepared:
    rules = template_rules(spec)
    inputs = dict(options.values)
    inputs["meta.year"] = options.year
    if options.unit is not None:
        inputs["meta.unit"] = options.unit
    return Prepared(plan_workbook(spec, rules), written_state(spec, inputs, rules))


def write_template(
    spec: FormSpec, path: Path, options: TemplateOptions, prepared: Prepared | None = None
) -> WorkbookPlan:
    """Write the workbook for ``spec`` to ``path`` (the caller makes it atomic)."""
    lang = options.lang or current_language()
    prepared = prepared or prepare(spec, options)
    plan, state = prepared.plan, prepared.state
    locked = {"meta.year"} | ({"meta.unit"} if options.unit else set())

    workbook = Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        styles = make_styles(workbook)
        writer = _Writer(workbook, spec, plan, state, styles, lang, locked, options)
        for sheet in plan.sheets:
            writer.sheet(sheet)
        writer.meta_sheet()
        workbook.set_properties(
            {
                "title": render("template.title", lang=lang, name=spec.name, year=options.year),
                "subject": spec.basis,
                "company": options.unit or "",
                "comments": f"{MARKER} {spec.id} {spec.version}",
            }
        )
        for name, value in writer.markers().items():
            workbook.set_custom_property(name, value)
    finally:
        workbook.close()
    return plan


class _Writer:
    def __init__(
        self,
        workbook: Workbook,
        spec: FormSpec,
        plan: WorkbookPlan,
        state: WrittenState,
        styles: Styles,
        lang: str,
        locked: set[str],
        options: TemplateOptions,
    ) -> None:
        self.workbook = workbook
        self.spec = spec
        self.plan = plan
        self.state = state
        self.styles = styles
        self.lang = lang
        self.locked = locked
        self.options = options
        self.checks = CheckWriter(spec, plan, state, styles, self.t, lang)

    def t(self, message_id: str, **params: Any) -> str:
        return render(message_id, lang=self.lang, **params)

    def markers(self) -> dict[str, str]:
        return {
            "toolkit_marker": MARKER,
            "toolkit_form": self.spec.id,
            "toolkit_spec_version": self.spec.version,
            "toolkit_version": toolkit.__version__,
            "toolkit_unit": self.options.unit or "",
            "toolkit_year": str(self.options.year),
        }

    # ------------------------------------------------------------ sheets

    def sheet(self, sheet: SheetPlan) -> None:
        ws = self.workbook.add_worksheet(sheet.name)
        for col, width in enumerate(sheet.column_widths):
            ws.set_column(col, col, width)
        ws.set_column(sheet.helper_col, sheet.helper_col, 8, None, {"hidden": True})
        last_col = sheet.area_width - 1
        title = self.t("template.title", name=self.spec.name, year=self.options.year)
        self._merge(ws, TITLE_ROW, 0, TITLE_ROW, last_col, title, self.styles.title)
        ws.set_row(TITLE_ROW, 28)
        self._merge(ws, HINT_ROW, 0, HINT_ROW, last_col, self.t("template.hint"), self.styles.hint)
        ws.set_row(HINT_ROW, 42)
        if sheet.is_cover:
            self.checks.status(ws, sheet)
        for table, top in sheet.tables:
            self._merge(ws, top, 0, top, last_col, table.title, self.styles.table_title)
            if table.layout == "fields":
                self._field_list(ws, sheet, table, top + 1)
            else:
                self._grid(ws, table, top + 1)
        self.checks.area(ws, sheet)
        self._page(ws, sheet)
        ws.protect(
            self.options.password or "",
            {
                "select_locked_cells": True,
                "select_unlocked_cells": True,
                "format_columns": True,
                "format_rows": True,
            },
        )

    def _merge(
        self, ws: Worksheet, r1: int, c1: int, r2: int, c2: int, text: str, fmt: Any
    ) -> None:
        if (r1, c1) == (r2, c2):
            ws.write_string(r1, c1, text, fmt)
        else:
            ws.merge_range(r1, c1, r2, c2, "", fmt)
            ws.write_string(r1, c1, text, fmt)

    def _field_list(self, ws: Worksheet, sheet: SheetPlan, table: Table, body: int) -> None:
        for fld in table.fields:
            row = body + fld.row
            ws.write_string(row, 0, fld.label, self.styles.label)
            self._value(ws, fld)
            if fld.kind == "longtext":
                ws.set_row(row, LONGTEXT_HEIGHT)

    def _grid(self, ws: Worksheet, table: Table, body: int) -> None:
        for label in table.labels:
            fmt = self.styles.label if label.role == "row" else self.styles.header
            self._merge(
                ws,
                body + label.row,
                label.col,
                body + label.row + label.rows - 1,
                label.col + label.cols - 1,
                label.text,
                fmt,
            )
        taken = {(f.row, c) for f in table.fields for c in range(f.col, f.col + f.cols)}
        taken |= {
            (lab.row + r, lab.col + c)
            for lab in table.labels
            for r in range(lab.rows)
            for c in range(lab.cols)
        }
        for row in range(table.height):
            free = [c for c in range(table.width) if (row, c) not in taken]
            if free:  # the empty value area of a heading row
                self._merge(ws, body + row, free[0], body + row, free[-1], "", self.styles.blank)
        for fld in table.fields:
            self._value(ws, fld)
        self._fit_rows(ws, table, body)

    def _fit_rows(self, ws: Worksheet, table: Table, body: int) -> None:
        """Make rows tall enough for wrapped labels (xlsxwriter does not measure text)."""
        for row, height in label_row_heights(
            table, self.plan.sheet(table.sheet).col_widths
        ).items():
            ws.set_row(body + row, height)

    def _value(self, ws: Worksheet, fld: Field) -> None:
        placed = self.plan.cells[fld.key]
        value = self.state.values.get(fld.key)
        if fld.computed:
            fmt = self.styles.computed[fld.kind]
        elif fld.key in self.locked:
            fmt = self.styles.locked_values[fld.kind]
        else:
            fmt = self.styles.inputs[fld.kind]
        if placed.last_col > placed.col or placed.last_row > placed.row:
            ws.merge_range(placed.row, placed.col, placed.last_row, placed.last_col, "", fmt)
        if fld.computed:
            total = self.spec.total_of(fld.key)
            assert total is not None
            compiler = ExcelCompiler(self.plan.locate, placed.sheet)
            formula = "=" + compiler.number(Call("sum", tuple(Ref(p) for p in total.parts)))
            ws.write_formula(placed.row, placed.col, formula, fmt, _cached(value))
        elif value is None:
            ws.write_blank(placed.row, placed.col, None, fmt)
        elif isinstance(value, Real) and not isinstance(value, bool):
            ws.write_number(placed.row, placed.col, float(value), fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(placed.row, placed.col, value, fmt)
        else:  # text, also where a number belongs: always a string cell, never a formula
            ws.write_string(placed.row, placed.col, str(value), fmt)
        if not fld.computed and fld.key not in self.locked:
            self._validation(ws, fld)

    def _validation(self, ws: Worksheet, fld: Field) -> None:
        placed = self.plan.cells[fld.key]
        top_left = xl_rowcol_to_cell(placed.row, placed.col)
        options: dict[str, Any] = {"error_title": self.t("template.dv_error_title")}
        kind = fld.kind
        if kind == "count":
            options.update(
                validate="integer",
                criteria="between",
                minimum=0,
                maximum=VALUE_CAP,
                input_title=self.t("template.dv_count_title"),
                input_message=self.t("template.dv_count"),
                error_message=self.t("template.dv_count_error"),
            )
        elif kind == "money":
            # to the cent, as N1 reads it: two decimals in 元, six in 万元 (2504元 = 0.2504)
            places = CENT_PLACES.get(fld.unit or "", MAX_MONEY_PLACES)
            options.update(
                validate="custom",
                value=f"=AND(ISNUMBER({top_left}),{top_left}>=0,{top_left}<={VALUE_CAP},"
                f"ROUND({top_left},{places})={top_left})",
                input_title=self.t("template.dv_money_title"),
                input_message=self.t("template.dv_money", unit=fld.unit, places=places)
                if fld.unit
                else self.t("template.dv_money_plain", places=places),
                error_message=self.t("template.dv_money_error", places=places),
            )
        elif kind == "change":
            options.update(
                validate="integer",
                criteria="between",
                minimum=-VALUE_CAP,
                maximum=VALUE_CAP,
                input_title=self.t("template.dv_change_title"),
                input_message=self.t("template.dv_change"),
                error_message=self.t("template.dv_change_error"),
            )
        elif kind == "year":
            options.update(
                validate="integer",
                criteria="between",
                minimum=FOUR_DIGITS[0],
                maximum=FOUR_DIGITS[1],
                input_title=self.t("template.dv_year_title"),
                input_message=self.t("template.dv_year"),
                error_message=self.t("template.dv_year_error"),
            )
        elif kind == "date":
            options.update(
                validate="date",
                criteria="between",
                minimum=DATE_RANGE[0],
                maximum=DATE_RANGE[1],
                input_title=self.t("template.dv_date_title"),
                input_message=self.t("template.dv_date"),
                error_message=self.t("template.dv_date_error"),
            )
        elif kind in TEXT_LIMITS:
            n = TEXT_LIMITS[kind]
            options.update(
                validate="length",
                criteria="<=",
                value=n,
                input_title=self.t("template.dv_text_title"),
                input_message=self.t("template.dv_text", n=n),
                error_message=self.t("template.dv_text_error", n=n),
            )
        else:
            return
        ws.data_validation(placed.row, placed.col, placed.last_row, placed.last_col, options)

    # ------------------------------------------------------------ page, metadata

    def _page(self, ws: Worksheet, sheet: SheetPlan) -> None:
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        if sheet.width > 6:
            ws.set_landscape()
        ws.print_area(0, 0, sheet.end_row, sheet.area_width - 1)
        grids = [(t, top) for t, top in sheet.tables if t.layout == "grid"]
        if len(grids) == 1 and grids[0][0].blocks == 1:
            table, top = grids[0]
            ws.repeat_rows(top + 1, top + table.header_rows)
            ws.freeze_panes(top + 1 + table.header_rows, table.label_columns)
        else:
            ws.freeze_panes(FIRST_TABLE_ROW - 1, 0)

    def meta_sheet(self) -> None:
        """A very hidden sheet: form id, versions, and the cell of every field and check."""
        ws = self.workbook.add_worksheet(META_SHEET)
        rows: list[list[str]] = [[key, value] for key, value in self.markers().items()]
        fields = {
            key: (placed.sheet, xl_rowcol_to_cell(placed.row, placed.col))
            for key, placed in self.plan.cells.items()
        }
        checks = {
            instance: (sheet, xl_rowcol_to_cell(row, col))
            for instance, (sheet, row, col) in self.plan.helpers.items()
        }
        rows += map_rows("fields", fields) + map_rows("checks", checks)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                ws.write_string(r, c, value)
        ws.protect(self.options.password or "")
        ws.very_hidden()


def _cached(value: Any) -> float:
    return 0.0 if value is None else float(value)


__all__ = ["META_SHEET", "TemplateOptions", "address", "template_rules", "write_template"]
