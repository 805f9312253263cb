"""Where everything goes on the sheets: fields, labels, totals, the 校验结果 area, helpers.

The plan is pure geometry computed from the spec; the writer only draws it, and the plan is
also stored in the workbook (hidden sheet) so a reader can map cells back to field keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.utility import xl_rowcol_to_cell

from toolkit.forms.model import FormSpec, Rule, Table

TITLE_ROW = 0
HINT_ROW = 1
STATUS_ROW = 2
FIRST_TABLE_ROW = 4
COVER_LABEL_WIDTH = 26.0
COVER_VALUE_COLUMNS = 5
COVER_VALUE_WIDTH = 15.0
LONGTEXT_HEIGHT = 150  # points: room for a few paragraphs of the narrative sections
CHECK_COLUMN_WIDTH = 10.0
SENTENCE_ROOM = 36.0  # column units: about 17 Chinese characters on a line
CHECK_AREA_COLUMNS = 4  # 规则 | 结果 | 未通过处数 | 说明: narrow sheets widen to hold it
ERROR_COUNT_ROW = TITLE_ROW  # on the cover, hidden cells counting failed checks of all sheets
WARNING_COUNT_ROW = HINT_ROW


@dataclass
class Placed:
    """A field's cell (and merged extent) on a sheet."""

    sheet: str
    row: int
    col: int
    last_row: int
    last_col: int


@dataclass
class CheckGroup:
    """One line of the 校验结果 area: every instance of one rule sentence on one sheet."""

    rule_id: str
    message: str
    severity: str
    instances: list[Rule]
    row: int = 0
    helper_first: int = 0


@dataclass(frozen=True)
class CheckColumns:
    """Where the four parts of a 校验结果 line go: the sentence gets the room."""

    rule: int
    result: int
    count: int
    text_first: int
    text_last: int


@dataclass
class SheetPlan:
    name: str
    width: int
    col_widths: list[float]
    tables: list[tuple[Table, int]] = field(default_factory=list)
    is_cover: bool = False
    groups: list[CheckGroup] = field(default_factory=list)
    check_top: int = 0
    end_row: int = 0  # the last row worth printing: tables and the 校验结果 area

    @property
    def area_width(self) -> int:
        """Columns in use: the tables, or the 校验结果 area where the tables are narrower."""
        return max(self.width, CHECK_AREA_COLUMNS)

    @property
    def column_widths(self) -> list[float]:
        """Widths of every shown column; columns added for the 校验结果 area get a default."""
        extra = self.area_width - len(self.col_widths)
        return self.col_widths + [CHECK_COLUMN_WIDTH] * extra

    @property
    def check_columns(self) -> CheckColumns:
        """Rule, result and count in three columns, the sentence across the rest where there
        is room for it; on a narrow sheet the sentence takes the widest column instead."""
        widths = self.column_widths
        if sum(widths[3:]) >= SENTENCE_ROOM:
            return CheckColumns(0, 1, 2, 3, len(widths) - 1)
        widest = max(range(len(widths)), key=lambda c: widths[c])
        rule, result, count = [c for c in range(len(widths)) if c != widest][:3]
        return CheckColumns(rule, result, count, widest, widest)

    @property
    def helper_col(self) -> int:
        """A hidden column, right of everything shown, for the per-instance check cells."""
        return self.area_width + 1


@dataclass
class WorkbookPlan:
    spec: FormSpec
    sheets: list[SheetPlan]
    cells: dict[str, Placed]
    helpers: dict[str, tuple[str, int, int]]  # rule instance -> helper cell

    def locate(self, key: str) -> tuple[str, int, int]:
        placed = self.cells[key]
        return placed.sheet, placed.row, placed.col

    def sheet(self, name: str) -> SheetPlan:
        return next(s for s in self.sheets if s.name == name)

    def helper_range(self, sheet: SheetPlan, group: CheckGroup) -> str:
        """The absolute range of a group's helper cells, e.g. ``$L$40:$L$46``."""
        first = group.helper_first
        last = first + len(group.instances) - 1
        return (
            f"{xl_rowcol_to_cell(first, sheet.helper_col, True, True)}:"
            f"{xl_rowcol_to_cell(last, sheet.helper_col, True, True)}"
        )


def sheet_width(tables: list[Table]) -> tuple[int, list[float]]:
    """The columns of a sheet holding ``tables`` and their widths (the widest grid table's
    label and value widths; a sheet of label/value rows, the cover's)."""
    grids = [t for t in tables if t.layout == "grid"]
    if not grids:
        return 1 + COVER_VALUE_COLUMNS, [COVER_LABEL_WIDTH] + [
            COVER_VALUE_WIDTH
        ] * COVER_VALUE_COLUMNS
    width = max(t.width for t in grids)
    widest = max(grids, key=lambda t: t.width)
    widths = list(widest.label_widths) + [widest.value_width] * (width - len(widest.label_widths))
    return width, widths


def plan_workbook(spec: FormSpec, rules: list[Rule]) -> WorkbookPlan:
    """Lay out every sheet of the form; ``rules`` are the instances shown in the template."""
    cells: dict[str, Placed] = {}
    sheets: list[SheetPlan] = []
    for index, name in enumerate(spec.sheets):
        tables = [t for t in spec.tables if t.sheet == name]
        width, widths = sheet_width(tables)
        sheet = SheetPlan(name, width, widths, is_cover=index == 0)
        top = FIRST_TABLE_ROW
        for table in tables:
            sheet.tables.append((table, top))
            body = top + 1  # the table's title row comes first
            for fld in table.fields:
                if table.layout == "fields":
                    cells[fld.key] = Placed(name, body + fld.row, 1, body + fld.row, width - 1)
                else:
                    cells[fld.key] = Placed(
                        name, body + fld.row, fld.col, body + fld.row, fld.col + fld.cols - 1
                    )
            top = body + table.height + 1
        sheet.check_top = top + 1
        sheets.append(sheet)
    plan = WorkbookPlan(spec, sheets, cells, {})
    _plan_checks(plan, rules)
    return plan


def _plan_checks(plan: WorkbookPlan, rules: list[Rule]) -> None:
    """Group rule instances by sheet and sentence; errors first, so helper ranges are runs."""
    for sheet in plan.sheets:
        groups: dict[tuple[str, str], CheckGroup] = {}
        for rule in rules:
            if plan.cells[rule.at].sheet != sheet.name:
                continue
            key = (rule.id, rule.message)
            if key not in groups:
                groups[key] = CheckGroup(rule.id, rule.message, rule.severity, [])
            groups[key].instances.append(rule)
        ordered = sorted(groups.values(), key=lambda g: g.severity != "error")
        row = sheet.check_top + 1  # below the area's header row
        helper = sheet.check_top
        for group in ordered:
            group.row = row
            group.helper_first = helper
            for rule in group.instances:
                plan.helpers[rule.instance] = (sheet.name, helper, sheet.helper_col)
                helper += 1
            row += 1
        sheet.groups = ordered
        sheet.end_row = row - 1 if ordered else sheet.check_top - 2
