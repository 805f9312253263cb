"""The live checks of a template: hidden per-instance cells, the 校验结果 area, the colours.

Every rule instance gets a hidden helper cell (TRUE when it holds) on the sheet of the cell
it points at. Conditional formats and the 校验结果 lines read those helpers, so no format
ever refers to another sheet (Excel 2007 rejects that; later versions need an extension
block). The cover's verdict counts failures of all sheets in hidden cells of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from toolkit.forms.excel import ExcelCompiler, quote_sheet
from toolkit.forms.model import FormSpec
from toolkit.template.plan import (
    ERROR_COUNT_ROW,
    STATUS_ROW,
    WARNING_COUNT_ROW,
    SheetPlan,
    WorkbookPlan,
)
from toolkit.template.state import WrittenState
from toolkit.template.styles import LINE_HEIGHT, Styles, text_width


class CheckWriter:
    def __init__(
        self,
        spec: FormSpec,
        plan: WorkbookPlan,
        state: WrittenState,
        styles: Styles,
        t: Callable[..., str],
        lang: str,
    ) -> None:
        self.spec = spec
        self.plan = plan
        self.state = state
        self.styles = styles
        self.t = t
        self.lang = lang

    def failures(self, instances: list[Any]) -> int:
        return sum(not self.state.holds[r.instance] for r in instances)

    def area(self, ws: Worksheet, sheet: SheetPlan) -> None:
        """Helper cells, the 校验结果 lines, and the colours of the cells rules point at."""
        if not sheet.groups:
            return
        top, styles = sheet.check_top, self.styles
        cols = sheet.check_columns
        ws.write_string(top - 1, 0, self.t("template.check_title"), styles.table_title)
        for col, message in (
            (cols.rule, "check_rule"),
            (cols.result, "check_result"),
            (cols.count, "check_count"),
        ):
            ws.write_string(top, col, self.t(f"template.{message}"), styles.check_header)
        _merge(
            ws,
            top,
            cols.text_first,
            cols.text_last,
            self.t("template.check_text"),
            styles.check_header,
        )
        compiler = ExcelCompiler(self.plan.locate, sheet.name, self.spec.year_keys)
        ok = self.t("template.mark_ok")
        by_cell: dict[str, dict[str, list[str]]] = {}
        for group in sheet.groups:
            for rule in group.instances:
                _, row, col = self.plan.helpers[rule.instance]
                ws.write_formula(
                    row,
                    col,
                    compiler.formula(rule.check, rule.when),
                    None,
                    self.state.holds[rule.instance],
                )
                helper = xl_rowcol_to_cell(row, col, True, True)
                by_cell.setdefault(rule.at, {}).setdefault(rule.severity, []).append(helper)
            helpers = self.plan.helper_range(sheet, group)
            failed = self.failures(group.instances)
            bad = self.t(f"template.mark_{group.severity}")
            ws.write_string(group.row, cols.rule, group.rule_id, styles.check_mark)
            ws.write_formula(
                group.row,
                cols.result,
                f'=IF(COUNTIF({helpers},FALSE)=0,"{ok}","{bad}")',
                styles.check_mark,
                ok if failed == 0 else bad,
            )
            ws.write_formula(
                group.row, cols.count, f"=COUNTIF({helpers},FALSE)", styles.check_mark, failed
            )
            sentence = self.spec.rule_text(group.message, self.lang)
            _merge(ws, group.row, cols.text_first, cols.text_last, sentence, styles.check_cell)
            room = sum(sheet.column_widths[cols.text_first : cols.text_last + 1]) - 1
            lines = math.ceil(text_width(sentence) / max(room, 1))
            if lines > 1:
                ws.set_row(group.row, LINE_HEIGHT * lines)
            fill = styles.error if group.severity == "error" else styles.warning
            for col in (cols.result, cols.count):
                ws.conditional_format(
                    group.row,
                    col,
                    group.row,
                    col,
                    {"type": "formula", "criteria": f"=COUNTIF({helpers},FALSE)>0", "format": fill},
                )
        for key, severities in by_cell.items():
            self._colour(ws, key, severities)

    def _colour(self, ws: Worksheet, key: str, severities: dict[str, list[str]]) -> None:
        """Red for a broken error rule, orange for a warning; red wins."""
        placed = self.plan.cells[key]
        for severity in ("error", "warning"):
            helpers = severities.get(severity)
            if not helpers:
                continue
            tests = ",".join(f"{h}=FALSE" for h in helpers)
            formula = f"=OR({tests})" if len(helpers) > 1 else f"={helpers[0]}=FALSE"
            fill = self.styles.error if severity == "error" else self.styles.warning
            ws.conditional_format(
                placed.row,
                placed.col,
                placed.last_row,
                placed.last_col,
                {
                    "type": "formula",
                    "criteria": formula,
                    "format": fill,
                    "stop_if_true": severity == "error",
                },
            )

    def status(self, ws: Worksheet, sheet: SheetPlan) -> None:
        """The cover's one-line verdict over every sheet, from two hidden count cells."""
        counts: dict[str, list[str]] = {"error": [], "warning": []}
        failed = {"error": 0, "warning": 0}
        for other in self.plan.sheets:
            for group in other.groups:
                helpers = self.plan.helper_range(other, group)
                if other.name != sheet.name:
                    helpers = f"{quote_sheet(other.name)}!{helpers}"
                counts[group.severity].append(f"COUNTIF({helpers},FALSE)")
                failed[group.severity] += self.failures(group.instances)
        cells = {}
        for severity, row in (("error", ERROR_COUNT_ROW), ("warning", WARNING_COUNT_ROW)):
            ws.write_formula(
                row,
                sheet.helper_col,
                "=" + ("+".join(counts[severity]) or "0"),
                None,
                failed[severity],
            )
            cells[severity] = xl_rowcol_to_cell(row, sheet.helper_col, True, True)
        errors, warnings = cells["error"], cells["warning"]
        ok = self.t("template.status_ok")
        error_text = _sentence(self.t("template.status_errors", n="{n}"), errors)
        warning_text = _sentence(self.t("template.status_warnings", n="{n}"), warnings)
        formula = f'=IF({errors}>0,{error_text},IF({warnings}>0,{warning_text},"{_escape(ok)}"))'
        if failed["error"]:
            cached = self.t("template.status_errors", n=failed["error"])
        elif failed["warning"]:
            cached = self.t("template.status_warnings", n=failed["warning"])
        else:
            cached = ok
        last_col = sheet.area_width - 1
        ws.write_string(STATUS_ROW, 0, self.t("template.status_label"), self.styles.status)
        ws.merge_range(STATUS_ROW, 1, STATUS_ROW, last_col, "", self.styles.status)
        ws.write_formula(STATUS_ROW, 1, formula, self.styles.status, cached)
        for criteria, fill in (
            (f"={errors}>0", self.styles.error),
            (f"={warnings}>0", self.styles.warning),
        ):
            ws.conditional_format(
                STATUS_ROW,
                1,
                STATUS_ROW,
                last_col,
                {
                    "type": "formula",
                    "criteria": criteria,
                    "format": fill,
                    "stop_if_true": fill is self.styles.error,
                },
            )


def _merge(ws: Worksheet, row: int, first: int, last: int, text: str, fmt: Any) -> None:
    if last > first:
        ws.merge_range(row, first, row, last, "", fmt)
    ws.write_string(row, first, text, fmt)


def _escape(text: str) -> str:
    return text.replace('"', '""')


def _sentence(template: str, count_cell: str) -> str:
    """A catalogue sentence with ``{n}`` replaced by a live count, as a formula expression."""
    before, _, after = template.partition("{n}")
    return f'"{_escape(before)}"&{count_cell}&"{_escape(after)}"'
