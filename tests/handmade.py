"""Hand-made annual-report workbooks in the official format, laid out the way units lay them
out: tables anywhere, on one sheet or several, merged or not, labels worded or typed a little
differently, numbers typed as text, totals left blank, typed wrong or written as formulas.

Each builder writes one .xlsx (openpyxl; xlsxwriter where a formula needs a cached value) and
returns a `Case`: the file and what `toolkit check --format json` must say about it. The
official tables are written out below from FORMS.md and the national format, not taken from
the project's specs, so the reader is tested against the paper form, not against itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import openpyxl
import xlsxwriter
from openpyxl.utils import get_column_letter

Finding = tuple[str, str | None, str | None]  # (rule, sheet, cell)
Numbers = tuple[float | None, float | None]  # (expected, actual) of a finding
Typed = dict[str, Any]  # field key -> what the unit typed into its cell

ERROR_RULES = frozenset({"A1", "A2", "A3", "R1", "N1", "P1", "M1", "M2", "S1", "S2", "S3"})
APPLICANTS = ("natural", "business", "research", "nonprofit", "legal", "other_org")
COLUMNS = (*APPLICANTS, "total")
REVIEW_GROUPS = ("appeal", "suit_direct", "suit_after")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
FEES_INFO = ("fees_info.notices", "fees_info.noticed_yuan", "fees_info.collected_yuan")


# ---------------------------------------------------------------------------- the paper forms


@dataclass(frozen=True)
class Label:
    """A fixed text cell of a table, at its place from the table's top-left corner."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1


@dataclass(frozen=True)
class Slot:
    """The cell a value goes into (a value may span several columns, e.g. 本年处理决定数量)."""

    key: str
    row: int
    col: int
    cols: int = 1


@dataclass(frozen=True)
class Layout:
    labels: tuple[Label, ...]
    slots: tuple[Slot, ...]

    @property
    def height(self) -> int:
        return max(max(lb.row + lb.rows for lb in self.labels), max(s.row + 1 for s in self.slots))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.slots)


ActiveBlock = tuple[str, tuple[tuple[str, int], ...], tuple[str, ...], tuple[tuple[str, str], ...]]

ACTIVE_2021: tuple[ActiveBlock, ...] = (
    (
        "第二十条第（一）项",
        (("本年制发件数", 1), ("本年废止件数", 1), ("现行有效件数", 1)),
        ("issued", "repealed", "in_force"),
        (("regs", "规章"), ("normative", "行政规范性文件")),
    ),
    (
        "第二十条第（五）项",
        (("本年处理决定数量", 3),),
        ("decisions",),
        (("licensing", "行政许可"),),
    ),
    (
        "第二十条第（六）项",
        (("本年处理决定数量", 3),),
        ("decisions",),
        (("penalty", "行政处罚"), ("coercion", "行政强制")),
    ),
    (
        "第二十条第（八）项",
        (("本年收费金额（单位：万元）", 3),),
        ("amount",),
        (("fees", "行政事业性收费"),),
    ),
)

_ITEMS_2019 = (("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1))
ACTIVE_2019: tuple[ActiveBlock, ...] = (
    (
        "第二十条第（一）项",
        (("本年新制作数量", 1), ("本年新公开数量", 1), ("对外公开总数量", 1)),
        ("made", "published", "total_public"),
        (("regs", "规章"), ("normative", "规范性文件")),
    ),
    (
        "第二十条第（五）项",
        _ITEMS_2019,
        ("prev_items", "change", "decisions"),
        (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")),
    ),
    (
        "第二十条第（六）项",
        _ITEMS_2019,
        ("prev_items", "change", "decisions"),
        (("penalty", "行政处罚"), ("coercion", "行政强制")),
    ),
    (
        "第二十条第（八）项",
        (("上一年项目数量", 1), ("本年增/减", 2)),
        ("prev_items", "change"),
        (("fees", "行政事业性收费"),),
    ),
    (
        "第二十条第（九）项",
        (("采购项目数量", 1), ("采购总金额", 2)),
        ("projects", "amount"),
        (("procurement", "政府集中采购"),),
    ),
)


def active_layout(form: str) -> Layout:
    """二、主动公开政府信息情况: blocks of a heading row, a column header row and item rows."""
    labels: list[Label] = []
    slots: list[Slot] = []
    row = 0
    for heading, headers, columns, items in ACTIVE_2021 if form == "gov-2021" else ACTIVE_2019:
        labels.append(Label(heading, row, 0, cols=4))
        labels.append(Label("信息内容", row + 1, 0))
        col = 1
        places = []
        for text, cols in headers:
            labels.append(Label(text, row + 1, col, cols=cols))
            places.append((col, cols))
            col += cols
        row += 2
        for item, text in items:
            labels.append(Label(text, row, 0))
            for column, (col, cols) in zip(columns, places, strict=True):
                slots.append(Slot(f"active.{item}.{column}", row, col, cols))
            row += 1
    return Layout(tuple(labels), tuple(slots))


NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
WITHHELD = (
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
)
UNABLE = ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
REFUSED = (
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
)
OTHER_2021 = (
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
)
RowCells = tuple[tuple[int, str, int, int], ...]  # (col, text, rows, cols)


def _group(prefix: str, parent: str, items: tuple[str, ...]) -> list[tuple[str, RowCells]]:
    """Rows under a parent label that spans them in the middle column (（三）不予公开 …)."""
    rows = []
    for i, text in enumerate(items, 1):
        first: RowCells = ((1, parent, len(items), 1),) if i == 1 else ()
        rows.append((f"{prefix}_{i}", (*first, (2, text, 1, 1))))
    return rows


def _application_rows(form: str) -> list[tuple[str, RowCells]]:
    if form == "gov-2021":
        other = _group("other", "（六）其他处理", OTHER_2021)
    else:
        other = [("other", ((1, "（六）其他处理", 1, 2),))]
    results = 2 + len(WITHHELD) + len(UNABLE) + len(REFUSED) + len(other) + 1
    return [
        ("new", ((0, "一、本年新收政府信息公开申请数量", 1, 3),)),
        ("carried_in", ((0, "二、上年结转政府信息公开申请数量", 1, 3),)),
        ("granted", ((0, "三、本年度办理结果", results, 1), (1, "（一）予以公开", 1, 2))),
        ("partial", ((1, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2),)),
        *_group("withheld", "（三）不予公开", WITHHELD),
        *_group("unable", "（四）无法提供", UNABLE),
        *_group("refused", "（五）不予处理", REFUSED),
        *other,
        ("handled_total", ((1, "（七）总计", 1, 2),)),
        ("carried_out", ((0, "四、结转下年度继续办理", 1, 3),)),
    ]


def applications_layout(form: str) -> Layout:
    """三、收到和处理政府信息公开申请情况: three header rows, three label columns."""
    labels = [
        Label(NOTE, 0, 0, 3, 3),
        Label("申请人情况", 0, 3, cols=7),
        Label("自然人", 1, 3, rows=2),
        Label("法人或其他组织", 1, 4, cols=5),
        Label("总计", 1, 9, rows=2),
        *(
            Label(text, 2, 4 + i)
            for i, text in enumerate(
                ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
            )
        ),
    ]
    slots = []
    for r, (key, cells) in enumerate(_application_rows(form), 3):
        labels.extend(Label(text, r, col, rows, cols) for col, text, rows, cols in cells)
        slots.extend(Slot(f"applications.{key}.{c}", r, 3 + i) for i, c in enumerate(COLUMNS))
    return Layout(tuple(labels), tuple(slots))


def review_layout() -> Layout:
    """四、政府信息公开行政复议、行政诉讼情况: three header rows, one row of figures."""
    names = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    labels = [
        Label("行政复议", 0, 0, cols=5),
        Label("行政诉讼", 0, 5, cols=10),
        *(Label(text, 1, i, rows=2) for i, text in enumerate(names)),
        Label("未经复议直接起诉", 1, 5, cols=5),
        Label("复议后起诉", 1, 10, cols=5),
        *(Label(text, 2, 5 + i) for i, text in enumerate(names * 2)),
    ]
    slots = [
        Slot(f"review.{group}.{outcome}", 3, 5 * g + o)
        for g, group in enumerate(REVIEW_GROUPS)
        for o, outcome in enumerate(OUTCOMES)
    ]
    return Layout(tuple(labels), tuple(slots))


SUPP_ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("一、主动公开情况", "——", None),
    ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "active.total"),
    ("其中：主动公开规范性文件数", "条", "active.normative"),
    ("制发规范性文件总数", "件", "active.normative_issued"),
    ("（二）通过不同渠道和方式公开政府信息的情况", "——", None),
    ("1.政府公报公开政府信息数", "条", "channel.gazette"),
    ("2.政府网站公开政府信息数", "条", "channel.website"),
    ("3.政务微博公开政府信息数", "条", "channel.weibo"),
    ("4.政务微信公开政府信息数", "条", "channel.wechat"),
    ("5.其他方式公开政府信息数", "条", "channel.other"),
    ("二、回应解读情况", "——", None),
    (
        "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）",
        "次",
        "response.hotspots",
    ),
    ("（二）通过不同渠道和方式回应解读的情况", "——", None),
    ("1.参加或举办新闻发布会总次数", "次", "response.press_conf"),
    ("其中：主要负责同志参加新闻发布会次数", "次", "response.press_conf_head"),
    ("2.政府网站在线访谈次数", "次", "response.interviews"),
    ("其中：主要负责同志参加政府网站在线访谈次数", "次", "response.interviews_head"),
    ("3.政策解读稿件发布数", "篇", "response.interpretations"),
    ("4.微博微信回应事件数", "次", "response.weibo_wechat"),
    ("5.其他方式回应事件数", "次", "response.other"),
    ("八、机构建设和保障经费情况", "——", None),
    ("（一）政府信息公开工作专门机构数", "个", "org.offices"),
    ("（二）设置政府信息公开查阅点数", "个", "org.reading_points"),
    ("（三）从事政府信息公开工作人员数", "人", "org.staff"),
    ("1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "org.staff_full"),
    ("2.兼职人员数", "人", "org.staff_part"),
    (
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
        "万元",
        "org.budget",
    ),
    ("九、政府信息公开会议和培训情况", "——", None),
    ("（一）召开政府信息公开工作会议或专题会议数", "次", "meetings.meetings"),
    ("（二）举办各类培训班数", "次", "meetings.trainings"),
    ("（三）接受培训人员数", "人次", "meetings.trainees"),
)


def supp_layout() -> Layout:
    """The local supplementary table: 统计指标 | 单位 | 统计数."""
    labels = [Label("统计指标", 0, 0), Label("单位", 0, 1), Label("统计数", 0, 2)]
    slots = []
    for r, (text, unit, key) in enumerate(SUPP_ROWS, 1):
        labels += [Label(text, r, 0), Label(unit, r, 1)]
        if key is not None:
            slots.append(Slot(f"supp.{key}", r, 2))
    return Layout(tuple(labels), tuple(slots))


def all_keys(form: str, supp: bool = False) -> list[str]:
    """Every numeric field `values` must list for a file of ``form``."""
    keys = [
        *active_layout(form).keys,
        *applications_layout(form).keys,
        *review_layout().keys,
    ]
    if form == "gov-2021":
        keys += FEES_INFO
    if supp:
        keys += supp_layout().keys
    return keys


# ---------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Formula:
    """A formula typed into a cell; ``{key}`` stands for the cell of another field."""

    text: str
    cached: float | None = None  # the result stored in the file (xlsxwriter only)

    def resolve(self, refs: Mapping[str, str]) -> Formula:
        return Formula(re.sub(r"\{([^}]+)\}", lambda m: refs[m.group(1)], self.text), self.cached)


class Canvas(Protocol):
    def put(self, row: int, col: int, value: Any, rows: int = 1, cols: int = 1) -> None:
        """Write ``value`` at (row, col), 0-based; merge rows x cols when more than one cell."""


class _OpenpyxlSheet:
    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet

    def put(self, row: int, col: int, value: Any, rows: int = 1, cols: int = 1) -> None:
        if isinstance(value, Formula):
            value = "=" + value.text  # openpyxl stores no cached result
        if value is not None:
            self.sheet.cell(row + 1, col + 1, value)
        if rows > 1 or cols > 1:
            self.sheet.merge_cells(
                start_row=row + 1, start_column=col + 1, end_row=row + rows, end_column=col + cols
            )


class _XlsxwriterSheet:
    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet

    def put(self, row: int, col: int, value: Any, rows: int = 1, cols: int = 1) -> None:
        if rows > 1 or cols > 1:
            self.sheet.merge_range(row, col, row + rows - 1, col + cols - 1, "")
        if isinstance(value, Formula):
            self.sheet.write_formula(row, col, "=" + value.text, None, value.cached)
        elif isinstance(value, str):
            self.sheet.write_string(row, col, value)
        elif value is not None:
            self.sheet.write_number(row, col, value)


class Book:
    """A workbook being written, sheet by sheet, with openpyxl or xlsxwriter."""

    def __init__(self, path: Path, engine: str = "openpyxl") -> None:
        self.path = path
        self.engine = engine
        if engine == "openpyxl":
            self._wb: Any = openpyxl.Workbook()
            self._wb.remove(self._wb.active)
        else:
            self._wb = xlsxwriter.Workbook(str(path))

    def sheet(self, name: str) -> Canvas:
        if self.engine == "openpyxl":
            return _OpenpyxlSheet(self._wb.create_sheet(name))
        return _XlsxwriterSheet(self._wb.add_worksheet(name))

    def save(self) -> None:
        if self.engine == "openpyxl":
            self._wb.save(self.path)
        else:
            self._wb.close()


def ref(row: int, col: int) -> str:
    """A1 reference of a 0-based (row, col)."""
    return f"{get_column_letter(col + 1)}{row + 1}"


@dataclass(frozen=True)
class Style:
    """How a hand drew a table.

    merged: spanning labels, headers and multi-column values are merged cells (as a table
    pasted from Word); otherwise the text sits in the first cell of its span only.
    rename: official label -> the text typed instead; a tuple gives one text per occurrence
    (结果维持 appears three times in 复议诉讼).
    """

    merged: bool = True
    rename: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)

    def text(self, official: str, seen: Counter[str]) -> str:
        typed = self.rename.get(official, official)
        if isinstance(typed, tuple):
            typed = typed[seen[official]]
        seen[official] += 1
        return typed


def draw(
    canvas: Canvas,
    layout: Layout,
    top: int,
    left: int,
    typed: Mapping[str, Any],
    style: Style = Style(),
) -> dict[str, str]:
    """Draw ``layout`` with its top-left corner at (top, left); the values of ``typed`` go
    into their cells. Returns every field's cell (A1), filled or not."""
    refs = {s.key: ref(top + s.row, left + s.col) for s in layout.slots}
    seen: Counter[str] = Counter()
    for label in sorted(layout.labels, key=lambda lb: (lb.row, lb.col)):
        span = (label.rows, label.cols) if style.merged else (1, 1)
        canvas.put(top + label.row, left + label.col, style.text(label.text, seen), *span)
    for slot in layout.slots:
        value = typed.get(slot.key)
        if isinstance(value, Formula):
            value = value.resolve(refs)
        cols = slot.cols if style.merged else 1
        if value is not None or cols > 1:
            canvas.put(top + slot.row, left + slot.col, value, 1, cols)
    return refs


# ---------------------------------------------------------------------------- what to expect


@dataclass
class Case:
    """A hand-made workbook and what the check must report for it."""

    name: str
    path: Path
    form: str
    unit: str | None
    year: int | None
    values: dict[str, Any]  # every field the file fills, as read (None for a blank marker)
    findings: list[Finding] = field(default_factory=list)
    numbers: dict[Finding, Numbers] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # further meta fields to check
    supp: bool = False  # a supp-stats table joins `values`

    @property
    def status(self) -> str:
        if any(rule in ERROR_RULES for rule, _, _ in self.findings):
            return "errors"
        return "warnings" if self.findings else "ok"

    @property
    def all_values(self) -> dict[str, Any]:
        """`values` as the JSON must hold it: every field of the form, null where blank."""
        return dict.fromkeys(all_keys(self.form, self.supp)) | self.values


def read_as(typed: Mapping[str, Any], reads: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values a reader must see for ``typed``: numbers as typed; text and formulas as
    given in ``reads`` (every one must be given there)."""
    reads = reads or {}
    out = {}
    for key, value in typed.items():
        if key in reads:
            out[key] = reads[key]
        elif isinstance(value, (str, Formula)):
            raise ValueError(f"say how {key}={value!r} reads")
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------- the figures


def rows_to_keys(table: str, rows: Mapping[str, Mapping[str, Any]]) -> Typed:
    return {f"{table}.{row}.{col}": v for row, cols in rows.items() for col, v in cols.items()}


ACTIVE_2021_VALUES: Typed = {
    "active.regs.issued": 0,
    "active.regs.repealed": 0,
    "active.regs.in_force": 2,
    "active.normative.issued": 3,
    "active.normative.repealed": 1,
    "active.normative.in_force": 12,
    "active.licensing.decisions": 156,
    "active.penalty.decisions": 23,
    "active.coercion.decisions": 0,
    "active.fees.amount": 1.25,
}
_ZEROS = dict.fromkeys(("research", "legal", "other_org"), 0)
APPLICATION_ROWS_2021: dict[str, dict[str, int]] = {
    "new": {"natural": 10, "business": 2, "nonprofit": 1, **_ZEROS, "total": 13},
    "carried_in": {"natural": 1, "total": 1},
    "granted": {"natural": 4, "business": 1, "total": 5},
    "partial": {"natural": 1, "total": 1},
    "withheld_1": {"natural": 1, "total": 1},
    "withheld_3": {"natural": 1, "total": 1},
    "unable_1": {"natural": 1, "nonprofit": 1, "total": 2},
    "refused_2": {"business": 1, "total": 1},
    "other_1": {"natural": 1, "total": 1},
    "other_2": {"natural": 1, "total": 1},
    "handled_total": {"natural": 10, "business": 2, "nonprofit": 1, **_ZEROS, "total": 13},
    "carried_out": {"natural": 1, "total": 1},
}
REVIEW_VALUES: Typed = {
    "review.appeal.upheld": 1,
    "review.appeal.corrected": 0,
    "review.appeal.other": 0,
    "review.appeal.pending": 1,
    "review.appeal.total": 2,
    "review.suit_direct.upheld": 1,
    "review.suit_direct.total": 1,
    **{f"review.suit_after.{o}": 0 for o in OUTCOMES},
}
APPLICATIONS_2021: Typed = rows_to_keys("applications", APPLICATION_ROWS_2021)
GOV_2021: Typed = ACTIVE_2021_VALUES | APPLICATIONS_2021 | REVIEW_VALUES


def _application_rows_2019() -> dict[str, dict[str, int]]:
    rows = {k: v for k, v in APPLICATION_ROWS_2021.items() if k not in ("other_1", "other_2")}
    return rows | {"other": {"natural": 2, "total": 2}}


# The reference report (余姚市兰江街道, 2020, gov-2019), figures as published.
LANJIANG_ACTIVE: Typed = {
    **{f"active.{r}.{c}": 0 for r in ("regs", "normative") for c in ("made", "published")},
    "active.regs.total_public": 0,
    "active.normative.total_public": 0,
    "active.licensing.prev_items": 0,
    "active.licensing.change": 6,
    "active.licensing.decisions": 0,
    **{
        f"active.{r}.{c}": 0
        for r in ("other_services", "penalty", "coercion")
        for c in ("prev_items", "change", "decisions")
    },
    "active.fees.prev_items": 0,
    "active.fees.change": 0,
    "active.procurement.projects": 6,
    "active.procurement.amount": 2504,
}


def _lanjiang_applications() -> Typed:
    zero = dict.fromkeys(COLUMNS, 0)
    rows: dict[str, dict[str, int]] = {"new": zero | {"natural": 2, "total": 2}}
    for key, _ in _application_rows("gov-2019")[3:-2]:
        rows[key] = dict(zero)
    rows["granted"] = zero | {"natural": 1, "total": 1}
    rows["other"] = zero | {"natural": 1, "total": 1}
    rows["handled_total"] = zero | {"natural": 2, "total": 2}
    rows["carried_out"] = dict(zero)
    return rows_to_keys("applications", rows)  # 二、上年转结 is left blank in the report


LANJIANG_REVIEW: Typed = {f"review.{g}.{o}": 0 for g in REVIEW_GROUPS for o in OUTCOMES}
# supp-stats: cells pasted from the web page keep their leading spaces (text, so W5)
LANJIANG_SUPP: Typed = {
    "supp.active.total": 1038,
    "supp.channel.website": "       1038",
    "supp.channel.weibo": 210,
    "supp.channel.wechat": "       332",
    "supp.channel.other": 32,
    "supp.response.hotspots": 115,
    "supp.response.interpretations": 2,
    "supp.response.weibo_wechat": 5,
    "supp.response.other": "       712",
    "supp.org.offices": "        1",
    "supp.org.staff": "        3",
    "supp.org.staff_part": "        3",
    "supp.meetings.meetings": "        1",
    "supp.meetings.trainings": "        1",
    "supp.meetings.trainees": "        40",
}


# ---------------------------------------------------------------------------- the layouts


def _pair(canvas: Canvas, row: int, col: int, label: str, value: Any) -> None:
    canvas.put(row, col, label)
    canvas.put(row, col + 1, value)


SECTION_ACTIVE = "二、主动公开政府信息情况"
SECTION_APPLICATIONS = "三、收到和处理政府信息公开申请情况"
SECTION_REVIEW = "四、政府信息公开行政复议、行政诉讼情况"


def _national_tables_stacked(
    canvas: Canvas,
    form: str,
    top: int,
    left: int,
    typed: Typed,
    style: Style = Style(),
    gap: int = 2,
) -> tuple[dict[str, str], int]:
    """The three national tables one under the other, each under its section title, with
    ``gap`` blank rows between them. Returns the cells and the first row after them."""
    refs: dict[str, str] = {}
    row = top
    for title, layout in (
        (SECTION_ACTIVE, active_layout(form)),
        (SECTION_APPLICATIONS, applications_layout(form)),
        (SECTION_REVIEW, review_layout()),
    ):
        canvas.put(row, left, title)
        refs |= draw(canvas, layout, row + 1, left, typed, style)
        row += 1 + layout.height + gap
    return refs, row


def single_sheet_offset(folder: Path) -> Case:
    """(1) All three tables on one sheet from C5, a title row, 填报单位/报告年度 cells, notes
    and blank rows between the tables; official merges. The title names the unit more
    briefly: the explicit 填报单位 wins."""
    book = Book(folder / "single_sheet_offset.xlsx")
    sheet = book.sheet("年度报告")
    sheet.put(0, 2, "民政局2023年度政府信息公开工作年度报告", cols=10)
    _pair(sheet, 1, 2, "填报单位", "某某县民政局")
    _pair(sheet, 1, 6, "报告年度", 2023)
    sheet.put(2, 2, "注：数据截至2023年12月31日。")
    layout = active_layout("gov-2021")
    draw(sheet, layout, 4, 2, GOV_2021)
    row = 4 + layout.height
    sheet.put(row, 2, "注：行政事业性收费金额单位为万元。")
    sheet.put(row + 3, 2, SECTION_APPLICATIONS)
    apps = applications_layout("gov-2021")
    draw(sheet, apps, row + 4, 2, GOV_2021)
    row += 4 + apps.height
    sheet.put(row, 2, "注：申请数量以件计。")
    sheet.put(row + 1, 2, "填表说明：本表由办公室汇总。")
    sheet.put(row + 4, 2, SECTION_REVIEW)
    draw(sheet, review_layout(), row + 6, 2, GOV_2021)  # a blank row under the title too
    book.save()
    return Case("single_sheet_offset", book.path, "gov-2021", "某某县民政局", 2023, GOV_2021)


def sheet_per_table(folder: Path) -> Case:
    """(2)+(4) A cover sheet and one sheet per table with custom names, in another order than
    the report's; nothing merged: a spanning label is typed in the first cell of its span."""
    book = Book(folder / "sheet_per_table.xlsx")
    cover = book.sheet("封面")
    cover.put(0, 0, "政府信息公开工作年度报告")
    _pair(cover, 2, 0, "填报单位（盖章）", "某某县人力资源和社会保障局")
    _pair(cover, 3, 0, "报告年度", "2023年度")
    _pair(cover, 4, 0, "填报人", "李四")
    _pair(cover, 5, 0, "联系电话", "0574-62345678")
    flat = Style(merged=False)
    sheets = {
        "表三 复议诉讼": (SECTION_REVIEW, review_layout()),
        "表一 主动公开": (SECTION_ACTIVE, active_layout("gov-2021")),
        "表二 依申请公开": (SECTION_APPLICATIONS, applications_layout("gov-2021")),
    }
    for name, (title, layout) in sheets.items():
        sheet = book.sheet(name)
        sheet.put(0, 0, title)
        draw(sheet, layout, 2, 0, GOV_2021, flat)
    book.save()
    meta = {"preparer": "李四", "phone": "0574-62345678", "head": None, "date": None}
    return Case(
        "sheet_per_table",
        book.path,
        "gov-2021",
        "某某县人力资源和社会保障局",
        2023,
        GOV_2021,
        meta=meta,
    )


BROKEN_LABELS: dict[str, str | tuple[str, ...]] = {
    "商业企业": "商业\n企业",
    "社会公益组织": "社会公益\n组织",
    "法律服务机构": "法律\n服务机构",
    "（一）予以公开": "(一)予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": (
        "(二)部分公开\n（区分处理的，只计这一情形，不计其他情形）"
    ),
    "（三）不予公开": "(三)\n不予公开",
    "1.属于国家秘密": "1. 属于国家秘密",
    "2.其他法律行政法规禁止公开": "2．其他法律行政法规禁止公开",
    "（四）无法提供": "（四）\n无法\n提供",
    "（七）总计": "（七） 总 计",
    "第二十条第（一）项": "第二十条第(一)项",
    "本年收费金额（单位：万元）": "本年收费金额\n(单位:万元)",
    "结果维持": ("结果\n\n维持", "结果维 持", "结果维持"),
    "结果纠正": ("结果纠正", "结果纠正", "结果纠 正"),
    "其他结果": ("其他结果", "其他结 果", "其他\n结果"),
    "未经复议直接起诉": "未经复议\n直接起诉",
}


def merged_broken_labels(folder: Path) -> Case:
    """(3)+(5) Official merges (label columns, multi-row headers, multi-column values) with
    labels broken by line breaks and spaces, half-width brackets, "1. " and "2．"."""
    book = Book(folder / "merged_broken_labels.xlsx")
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 1, "填报单位", "某某市统计局")
    _pair(sheet, 0, 4, "报告年度", 2022)
    _national_tables_stacked(sheet, "gov-2021", 2, 1, GOV_2021, Style(rename=BROKEN_LABELS))
    book.save()
    return Case("merged_broken_labels", book.path, "gov-2021", "某某市统计局", 2022, GOV_2021)


VARIANT_LABELS: dict[str, str | tuple[str, ...]] = {
    "一、本年新收政府信息公开申请数量": "一、本年新收到政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量": "二、上年转结政府信息公开申请数量",
    "四、结转下年度继续办理": "四、转结下年度继续办理",
    "行政规范性文件": "规范性文件",
    "规章": "规章(设区的市、自治州人民政府应提供相关数据)",
    "现行有效件数": "现行有效件",
    OTHER_2021[0]: OTHER_2021[0].replace("、", "，"),
    OTHER_2021[1]: OTHER_2021[1].replace("、", "，"),
    "3.危及“三安全一稳定”": '3.危及"三安全一稳定"',
    "1.属于国家秘密": "1、属于国家秘密",
    "1.本机关不掌握相关政府信息": "1．本机关不掌握相关政府信息",
}


def wording_variants(folder: Path) -> Case:
    """(5) The wording variants of FORMS.md: 本年新收到, 上年转结, 转结下年度, 规范性文件 for
    行政规范性文件, "，" in （六）1/2, straight quotes, a note after 规章, 现行有效件, "1、"."""
    return _renamed(folder, "wording_variants", "报表", "某某区教育局", 2024, VARIANT_LABELS)


def _renamed(
    folder: Path, name: str, sheet_name: str, unit: str, year: int, rename: dict[str, Any]
) -> Case:
    """The three national tables stacked on one sheet under 填报单位 and 报告年度, labels
    typed as ``rename`` says: every value is read."""
    book = Book(folder / f"{name}.xlsx")
    sheet = book.sheet(sheet_name)
    _pair(sheet, 0, 0, "填报单位", unit)
    _pair(sheet, 1, 0, "报告年度", year)
    _national_tables_stacked(sheet, "gov-2021", 3, 0, GOV_2021, Style(rename=rename))
    book.save()
    return Case(name, book.path, "gov-2021", unit, year, GOV_2021)


def wrong_totals(folder: Path) -> Case:
    """(6) Totals typed wrong: a row total (A3), a column total (A2) and two 复议诉讼 totals
    (R1). Each is reported at its own cell only: the rules that fail because they read a
    wrong total (A1 of the 总计 column, A3 of the （七）总计 row, A1 of 商业企业) are not."""
    typed = GOV_2021 | {
        "applications.new.total": 14,  # 13
        "applications.handled_total.business": 3,  # 2
        "review.appeal.total": 3,  # 2
        "review.suit_after.total": 1,  # 0
    }
    book = Book(folder / "wrong_totals.xlsx")
    sheet = book.sheet("年报")
    _pair(sheet, 0, 0, "填报单位", "某某镇人民政府")
    _pair(sheet, 0, 3, "报告年度", 2023)
    refs, _ = _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()

    def finding(rule: str, key: str) -> Finding:
        return (rule, "年报", refs[key])

    # (expected, actual); for A1 actual = new + carried_in, expected = handled + carried_out
    numbers = {
        finding("A3", "applications.new.total"): (13, 14),
        finding("A2", "applications.handled_total.business"): (1 + 1, 3),
        finding("R1", "review.appeal.total"): (2, 3),
        finding("R1", "review.suit_after.total"): (0, 1),
    }
    return Case(
        "wrong_totals",
        book.path,
        "gov-2021",
        "某某镇人民政府",
        2023,
        typed,
        list(numbers),
        numbers,
    )


TEXT_NUMBERS: Typed = {
    "applications.new.natural": "10",
    "applications.new.business": "２",
    "applications.new.total": " 13 ",
    "applications.granted.natural": "+4",
    "active.licensing.decisions": "1,156",
    "active.normative.issued": "3（其中修订 1 件）",
    "active.fees.amount": "12500元",
    "active.regs.in_force": "２件",
}
TEXT_NUMBER_READS = {
    "applications.new.natural": 10,
    "applications.new.business": 2,
    "applications.new.total": 13,
    "applications.granted.natural": 4,
    "active.licensing.decisions": 1156,
    "active.normative.issued": 3,
    "active.fees.amount": 1.25,  # 12500 元 in 万元
    "active.regs.in_force": 2,
}
BLANK_MARKERS: Typed = {
    "applications.new.research": "—",
    "applications.new.legal": "/",
    "applications.new.other_org": "无",
    "applications.handled_total.research": "－",
    "applications.handled_total.legal": "-",
    "applications.handled_total.other_org": "——",
    **{f"review.suit_after.{o}": "/" for o in OUTCOMES},
}
NOT_NUMBERS: Typed = {"active.coercion.decisions": "见附件", "active.penalty.decisions": -1}


def text_numbers(folder: Path) -> Case:
    """(7) Numbers typed as text (W5: "10", "２", " 13 ", "+4", "1,156", a note, 元 converted to
    万元, "２件"), blank markers ("—", "/", "无", "－", "-", "——": null, no finding) and two
    cells that are no count (N1: "见附件", -1)."""
    typed = GOV_2021 | TEXT_NUMBERS | BLANK_MARKERS | NOT_NUMBERS
    book = Book(folder / "text_numbers.xlsx")
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某县财政局")
    _pair(sheet, 0, 2, "报告年度", 2023)
    refs, _ = _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()
    reads = TEXT_NUMBER_READS | dict.fromkeys(BLANK_MARKERS) | {"active.coercion.decisions": None}
    numbers: dict[Finding, Numbers] = {
        ("W5", "Sheet1", refs[key]): (None, value) for key, value in TEXT_NUMBER_READS.items()
    }
    findings = [
        *numbers,
        ("N1", "Sheet1", refs["active.coercion.decisions"]),
        ("N1", "Sheet1", refs["active.penalty.decisions"]),
    ]
    values = read_as(typed, reads)
    return Case(
        "text_numbers", book.path, "gov-2021", "某某县财政局", 2023, values, findings, numbers
    )


def _only_totals(rows: Mapping[str, Mapping[str, int]], which: tuple[str, ...]) -> Typed:
    """Application rows ``which`` reduced to their 总计."""
    return {
        f"applications.{row}.{col}": (value if col == "total" or row not in which else None)
        for row, cols in rows.items()
        for col, value in cols.items()
    }


def totals_only_rows(folder: Path) -> Case:
    """(8) Two rows give only their 总计 (二、上年结转 and 四、结转下年度): W7 there, no A3."""
    typed = GOV_2021 | _only_totals(APPLICATION_ROWS_2021, ("carried_in", "carried_out"))
    book = Book(folder / "totals_only_rows.xlsx")
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某街道办事处")
    _pair(sheet, 0, 2, "报告年度", 2023)
    refs, _ = _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()
    findings = [
        ("W7", "Sheet1", refs["applications.carried_in.total"]),
        ("W7", "Sheet1", refs["applications.carried_out.total"]),
    ]
    return Case("totals_only_rows", book.path, "gov-2021", "某某街道办事处", 2023, typed, findings)


def totals_only_table(folder: Path) -> Case:
    """(8) The 申请 table gives only its 总计 column, as real reports do: W7 on every row with
    a total; the table is not blank (no W2)."""
    typed = GOV_2021 | _only_totals(APPLICATION_ROWS_2021, tuple(APPLICATION_ROWS_2021))
    book = Book(folder / "totals_only_table.xlsx")
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某乡人民政府")
    _pair(sheet, 0, 2, "报告年度", 2023)
    refs, _ = _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()
    findings = [
        ("W7", "Sheet1", refs[f"applications.{row}.total"]) for row in APPLICATION_ROWS_2021
    ]
    return Case("totals_only_table", book.path, "gov-2021", "某某乡人民政府", 2023, typed, findings)


def blank_totals(folder: Path) -> Case:
    """(8) Every 总计 left blank (the 总计 column, the （七）总计 row, the 复议诉讼 totals),
    a few with a blank marker: W6 at each one whose parts have numbers, with the sum it is
    taken as."""
    blank: Typed = {k: None for k in GOV_2021 if k.endswith(".total") or ".handled_total." in k}
    # some typed a blank marker instead of leaving the cell empty
    blank |= {"applications.new.total": "/", "applications.handled_total.business": "—"}
    blank |= {"review.appeal.total": "无"}
    typed = GOV_2021 | blank
    book = Book(folder / "blank_totals.xlsx")
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某县司法局")
    _pair(sheet, 0, 2, "报告年度", 2023)
    refs, _ = _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()
    sums = {
        f"applications.{row}.total": cols["total"]
        for row, cols in APPLICATION_ROWS_2021.items()
        if row != "handled_total"
    }
    sums |= {f"applications.handled_total.{c}": v for c, v in (("natural", 10), ("business", 2))}
    sums |= {"applications.handled_total.nonprofit": 1}
    # written zeros are numbers: the blank suit_after total is taken as 0
    sums |= {"review.appeal.total": 2, "review.suit_direct.total": 1, "review.suit_after.total": 0}
    numbers = {("W6", "Sheet1", refs[key]): (value, None) for key, value in sums.items()}
    values = read_as(typed, dict.fromkeys(blank))
    return Case(
        "blank_totals", book.path, "gov-2021", "某某县司法局", 2023, values, list(numbers), numbers
    )


LANJIANG_LABELS: dict[str, str | tuple[str, ...]] = {
    "一、本年新收政府信息公开申请数量": "一、本年新收到政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量": "二、上年转结政府信息公开申请数量",
    "四、结转下年度继续办理": "四、转结下年度继续办理",
    "结果维持": ("结果\n\n维持", "结果维持", "结果维 持"),
    "结果纠正": ("结果纠正", "结果纠正", "结果纠 正"),
    "其他结果": ("其他结果", "其他结 果", "其他结果"),
    "统计指标": "统　计　指　标",
    "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）": (
        "　　（一）主动公开政府信息数\n　　　　（不同渠道和方式公开相同信息计1条）"
    ),
    "其中：主动公开规范性文件数": "　　　　　　其中：主动公开规范性文件数",
    "制发规范性文件总数": "　　　　　　　　　制发规范性文件总数",
    "2.政府网站公开政府信息数": "　　　　　2.政府网站公开政府信息数",
    "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）": (
        "　　（一）回应公众关注热点或重大舆情数\n　　　　（不同方式回应同一热点或舆情计1次）"
    ),
    "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）": (
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及\n政府网站建设维护等方面的经费）"
    ),
}
LANJIANG_TITLE = "余姚市兰江街道2020年度政府信息工作年度报告"
LANJIANG_OVERVIEW = (
    "2020年，兰江街道贯彻落实《中华人民共和国政府信息公开条例》，围绕全市政府信息公开工作要点，"
    "推进决策、执行、管理、服务和结果公开，健全工作机制，拓展公开渠道，回应社会关切。"
)


def lanjiang_2019(folder: Path) -> Case:
    """(9)+(10) The reference report (gov-2019, 2020) as a unit pastes it from its web page:
    the title, prose, the three national tables with its label wording, the supplementary
    table on a second sheet (cells with leading spaces: W5) and the signature. Unit and
    year come from the title, which names 余姚市兰江街道 (the signature says 兰江街道办事处)."""
    style = Style(rename=LANJIANG_LABELS)
    typed = LANJIANG_ACTIVE | _lanjiang_applications() | LANJIANG_REVIEW
    book = Book(folder / "lanjiang_2019.xlsx")
    sheet = book.sheet("年度报告")
    sheet.put(0, 0, LANJIANG_TITLE, cols=10)
    sheet.put(2, 0, LANJIANG_OVERVIEW, cols=10)
    sheet.put(3, 0, "二、政府信息主动公开情况")
    active = active_layout("gov-2019")
    draw(sheet, active, 4, 0, typed, style)
    row = 4 + active.height + 1
    sheet.put(
        row, 0, "五、依申请公开政府信息情况，举报、投诉、行政复议和行政诉讼的处理及应对情况。"
    )
    sheet.put(row + 1, 0, "（一）收到和处理政府信息公开申请情况")
    apps = applications_layout("gov-2019")
    draw(sheet, apps, row + 2, 0, typed, style)
    row += 2 + apps.height + 1
    sheet.put(row, 0, "（二）政府信息公开行政复议、行政诉讼情况")
    draw(sheet, review_layout(), row + 1, 0, typed, style)
    sheet.put(row + 6, 0, "六、存在的问题及改进措施")
    sheet.put(row + 10, 6, "兰江街道办事处")
    sheet.put(row + 11, 6, "2021年1月26日")
    supp_sheet = book.sheet("补充统计")
    supp_sheet.put(0, 0, "三、公开平台建设和信息发布情况")
    supp_refs = draw(supp_sheet, supp_layout(), 2, 0, LANJIANG_SUPP, style)
    book.save()
    spaced = {k: int(v) for k, v in LANJIANG_SUPP.items() if isinstance(v, str)}
    numbers: dict[Finding, Numbers] = {
        ("W5", "补充统计", supp_refs[key]): (None, value) for key, value in spaced.items()
    }
    values = typed | read_as(LANJIANG_SUPP, spaced)
    return Case(
        "lanjiang_2019",
        book.path,
        "gov-2019",
        "余姚市兰江街道",
        2020,
        values,
        list(numbers),
        numbers,
        supp=True,
    )


def title_only(folder: Path) -> Case:
    """(10) No 填报单位/报告年度 cells: unit and year from the merged title row alone."""
    book = Book(folder / "title_only.xlsx")
    sheet = book.sheet("Sheet1")
    sheet.put(0, 0, "宁波市某某区自然资源和规划局\n2023年度政府信息公开工作年度报告", cols=10)
    _national_tables_stacked(sheet, "gov-2021", 2, 0, GOV_2021)
    book.save()
    return Case("title_only", book.path, "gov-2021", "宁波市某某区自然资源和规划局", 2023, GOV_2021)


def signature_only(folder: Path) -> Case:
    """(10) The title gives the year but no unit: the unit comes from the signature line."""
    book = Book(folder / "signature_only.xlsx")
    sheet = book.sheet("Sheet1")
    sheet.put(0, 0, "2022年度政府信息公开工作年度报告", cols=10)
    _, row = _national_tables_stacked(sheet, "gov-2021", 2, 0, GOV_2021)
    sheet.put(row + 1, 7, "某某镇人民政府")
    sheet.put(row + 2, 7, "2023年1月20日")
    book.save()
    return Case("signature_only", book.path, "gov-2021", "某某镇人民政府", 2022, GOV_2021)


def side_by_side(folder: Path) -> Case:
    """(11) 申请 and 复议诉讼 side by side, top-aligned (B4 and M4); 主动公开 below them,
    starting at column H; the header cells worded 单位名称 / 年度."""
    book = Book(folder / "side_by_side.xlsx")
    sheet = book.sheet("汇总")
    _pair(sheet, 0, 1, "单位名称", "某某县卫生健康局")  # variants of 填报单位 / 报告年度
    _pair(sheet, 0, 4, "年度", "2023年")
    sheet.put(2, 1, SECTION_APPLICATIONS)
    sheet.put(2, 12, SECTION_REVIEW)
    apps = applications_layout("gov-2021")
    draw(sheet, apps, 3, 1, GOV_2021)
    draw(sheet, review_layout(), 3, 12, GOV_2021)
    sheet.put(3 + apps.height + 1, 7, SECTION_ACTIVE)
    draw(sheet, active_layout("gov-2021"), 3 + apps.height + 2, 7, GOV_2021)
    book.save()
    return Case("side_by_side", book.path, "gov-2021", "某某县卫生健康局", 2023, GOV_2021)


def far_right(folder: Path) -> Case:
    """(10)+(11) The three tables stacked from column H, notes in column A beside them; unit
    and year from a title at H1 written "…2023年政府信息公开…" (年, not 年度)."""
    book = Book(folder / "far_right.xlsx")
    sheet = book.sheet("Sheet1")
    sheet.put(0, 7, "某某县水利局2023年政府信息公开工作年度报告", cols=15)
    sheet.put(4, 0, "填表说明")
    sheet.put(5, 0, "1.本表数据截至12月31日")
    sheet.put(6, 0, "2.空白单元格视为0")
    _national_tables_stacked(sheet, "gov-2021", 3, 7, GOV_2021)
    book.save()
    return Case("far_right", book.path, "gov-2021", "某某县水利局", 2023, GOV_2021)


def missing_table(folder: Path) -> Case:
    """(12) No 复议诉讼 table at all (W2 naming it, no cell) and a 主动公开 table drawn but
    left blank (W2 at its first cell)."""
    typed = APPLICATIONS_2021
    book = Book(folder / "missing_table.xlsx")
    first = book.sheet("主动公开")
    _pair(first, 0, 0, "填报单位", "某某县档案馆")
    _pair(first, 1, 0, "报告年度", 2023)
    active_refs = draw(first, active_layout("gov-2021"), 3, 0, {})
    draw(book.sheet("申请"), applications_layout("gov-2021"), 0, 0, typed)
    book.save()
    findings = [("W2", None, None), ("W2", "主动公开", active_refs["active.regs.issued"])]
    return Case("missing_table", book.path, "gov-2021", "某某县档案馆", 2023, typed, findings)


def _span(first: str, last: str) -> str:
    """A range between two fields' cells, e.g. "{applications.new.natural}:{…other_org}"."""
    return f"{{{first}}}:{{{last}}}"


def total_formulas(form: str, cached: Callable[[str], float | None]) -> Typed:
    """Every total written as a SUM over its parts' cells; ``cached`` gives the stored result."""
    last = "other_3" if form == "gov-2021" else "other"
    sums = {
        f"applications.{row}.total": _span(
            f"applications.{row}.natural", f"applications.{row}.other_org"
        )
        for row, _ in _application_rows(form)
    }
    sums |= {
        f"applications.handled_total.{c}": _span(
            f"applications.granted.{c}", f"applications.{last}.{c}"
        )
        for c in APPLICANTS
    }
    sums |= {
        f"review.{g}.total": _span(f"review.{g}.upheld", f"review.{g}.pending")
        for g in REVIEW_GROUPS
    }
    return {key: Formula(f"SUM({cells})", cached(key)) for key, cells in sums.items()}


def _formula_totals_read() -> Typed:
    """What the SUM formulas of `total_formulas` show for GOV_2021 (0 over blank parts)."""
    out: Typed = {}
    for row, _ in _application_rows("gov-2021"):
        out[f"applications.{row}.total"] = APPLICATION_ROWS_2021.get(row, {}).get("total", 0)
    for col in APPLICANTS:
        out[f"applications.handled_total.{col}"] = APPLICATION_ROWS_2021["handled_total"][col]
    return out | {f"review.{g}.total": REVIEW_VALUES[f"review.{g}.total"] for g in REVIEW_GROUPS}


def formulas_wrong_cache(folder: Path) -> Case:
    """(13) Every total a SUM formula whose cached result is wrong (as after editing with
    calculation off): the check computes the totals from the inputs, no finding."""
    book = Book(folder / "formulas_wrong_cache.xlsx", engine="xlsxwriter")
    typed = GOV_2021 | total_formulas("gov-2021", lambda key: 999)
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某县商务局")
    _pair(sheet, 0, 2, "报告年度", 2023)
    _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()
    values = read_as(typed, _formula_totals_read())
    return Case("formulas_wrong_cache", book.path, "gov-2021", "某某县商务局", 2023, values)


def _plus_formula(row: str) -> Formula:
    """A row total typed as a chain of additions: =D9+E9+F9+G9+H9+I9."""
    return Formula("+".join(f"{{applications.{row}.{c}}}" for c in APPLICANTS))


def formulas_no_cache(folder: Path) -> Case:
    """(13) Every total a formula saved by openpyxl, so with no cached result at all: the
    row totals as =D9+E9+…, the others as SUM."""
    book = Book(folder / "formulas_no_cache.xlsx")
    typed = GOV_2021 | total_formulas("gov-2021", lambda key: None)
    typed |= {
        f"applications.{row}.total": _plus_formula(row) for row, _ in _application_rows("gov-2021")
    }
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某县科技局")
    _pair(sheet, 0, 2, "报告年度", 2023)
    _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()
    values = read_as(typed, _formula_totals_read())
    return Case("formulas_no_cache", book.path, "gov-2021", "某某县科技局", 2023, values)


def formula_wrong_range(folder: Path) -> Case:
    """(13) A total whose SUM leaves out a part (=SUM(upheld:other), 尚未审结 1 left out):
    Excel shows 1, so the file says 1; the check must say R1, 2 expected, 1 shown. The
    cached result is the one Excel stores (1)."""
    book = Book(folder / "formula_wrong_range.xlsx", engine="xlsxwriter")
    short = Formula(f"SUM({_span('review.appeal.upheld', 'review.appeal.other')})", 1)
    typed = GOV_2021 | {"review.appeal.total": short}
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某县审计局")
    _pair(sheet, 0, 2, "报告年度", 2023)
    refs, _ = _national_tables_stacked(sheet, "gov-2021", 2, 0, typed)
    book.save()
    numbers = {("R1", "Sheet1", refs["review.appeal.total"]): (2, 1)}
    values = read_as(typed, {"review.appeal.total": 1})
    return Case(
        "formula_wrong_range",
        book.path,
        "gov-2021",
        "某某县审计局",
        2023,
        values,
        list(numbers),
        numbers,
    )


GOV_2019_VARIANTS: Typed = {
    **{f"active.{r}.{c}": 1 for r in ("regs", "normative") for c in ("made", "published")},
    "active.regs.total_public": 5,
    "active.normative.total_public": 8,
    "active.licensing.prev_items": 2,
    "active.licensing.change": -5,  # P1: 2 - 5 < 0
    "active.licensing.decisions": 40,
    "active.other_services.prev_items": 3,
    "active.other_services.change": 0,
    "active.other_services.decisions": 7,
    "active.penalty.prev_items": 10,
    "active.penalty.change": "+3",
    "active.penalty.decisions": 12,
    "active.coercion.prev_items": 4,
    "active.coercion.change": -1,
    "active.coercion.decisions": 2,
    "active.fees.prev_items": 1,
    "active.fees.change": 0,
    "active.procurement.projects": 6,
    "active.procurement.amount": "251000元",
}


def gov2019_variants(folder: Path) -> Case:
    """gov-2019 tables for 2023 (M2, the form comes from the labels), 上一年项目数量 with its
    local note, a signed change "+3" (W5), a negative change that breaks P1, and 采购总金额
    written in 元 (converted to 万元, W5)."""
    rows = rows_to_keys("applications", _application_rows_2019())
    typed = GOV_2019_VARIANTS | rows | REVIEW_VALUES
    style = Style(rename={"上一年项目数量": "上一年项目数量(指2022年事项数)"})
    book = Book(folder / "gov2019_variants.xlsx")
    sheet = book.sheet("Sheet1")
    _pair(sheet, 0, 0, "填报单位", "某某县市场监督管理局")
    _pair(sheet, 1, 0, "报告年度", 2023)
    refs, _ = _national_tables_stacked(sheet, "gov-2019", 3, 0, typed, style)
    book.save()
    numbers: dict[Finding, Numbers] = {
        ("W5", "Sheet1", refs["active.penalty.change"]): (None, 3),
        ("W5", "Sheet1", refs["active.procurement.amount"]): (None, 25.1),
        ("M2", "Sheet1", ref(1, 1)): (2020, 2023),  # at the 报告年度 value
        ("P1", "Sheet1", refs["active.licensing.change"]): (0, -3),  # 2 + (-5)
    }
    findings = list(numbers)
    values = read_as(typed, {"active.penalty.change": 3, "active.procurement.amount": 25.1})
    return Case(
        "gov2019_variants",
        book.path,
        "gov-2019",
        "某某县市场监督管理局",
        2023,
        values,
        findings,
        numbers,
    )


def _review_split(canvas: Canvas, top: int, typed: Typed) -> None:
    """复议诉讼 as two tables, 行政复议 (5 columns) above 行政诉讼 (10 columns)."""
    names = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    canvas.put(top, 0, "行政复议", cols=5)
    for i, name in enumerate(names):
        canvas.put(top + 1, i, name)
        canvas.put(top + 2, i, typed.get(f"review.appeal.{OUTCOMES[i]}"))
    canvas.put(top + 4, 0, "行政诉讼", cols=10)
    canvas.put(top + 5, 0, "未经复议直接起诉", cols=5)
    canvas.put(top + 5, 5, "复议后起诉", cols=5)
    for g, group in enumerate(REVIEW_GROUPS[1:]):
        for i, name in enumerate(names):
            canvas.put(top + 6, 5 * g + i, name)
            canvas.put(top + 7, 5 * g + i, typed.get(f"review.{group}.{OUTCOMES[i]}"))


def review_split(folder: Path) -> Case:
    """The 15-column 复议诉讼 table split in two to fit a portrait page: 行政复议 with its
    five columns, then 行政诉讼 with its two groups, same labels otherwise."""
    book = Book(folder / "review_split.xlsx")
    sheet = book.sheet("Sheet1")
    row = _first_two_tables(sheet, 2023, GOV_2021)
    _review_split(sheet, row + 1, GOV_2021)
    book.save()
    return Case("review_split", book.path, "gov-2021", "某某县民政局", 2023, GOV_2021)


def _first_two_tables(sheet: Canvas, year: int, typed: Typed, applications: Style = Style()) -> int:
    """填报单位 某某县民政局, 报告年度 ``year``, then 主动公开 and 申请 (drawn as
    ``applications`` says) under their section titles, and 复议诉讼's title: the row under
    that title."""
    _pair(sheet, 0, 0, "填报单位", "某某县民政局")
    _pair(sheet, 1, 0, "报告年度", year)
    row = 3
    for title, layout, style in (
        (SECTION_ACTIVE, active_layout("gov-2021"), Style()),
        (SECTION_APPLICATIONS, applications_layout("gov-2021"), applications),
    ):
        sheet.put(row, 0, title)
        draw(sheet, layout, row + 1, 0, typed, style)
        row += layout.height + 3
    sheet.put(row, 0, SECTION_REVIEW)
    return row


def meta_in_one_cell(folder: Path) -> Case:
    """Label and value typed into one cell ("填报单位：某某县交通运输局", "报告年度：2023年"),
    as on many paper forms; no title names the unit or the year."""
    book = Book(folder / "meta_in_one_cell.xlsx")
    sheet = book.sheet("Sheet1")
    sheet.put(0, 0, "政府信息公开工作年度报告统计表", cols=10)
    sheet.put(1, 0, "填报单位：某某县交通运输局", cols=4)
    sheet.put(1, 6, "报告年度：2023年", cols=3)
    _national_tables_stacked(sheet, "gov-2021", 3, 0, GOV_2021)
    book.save()
    return Case("meta_in_one_cell", book.path, "gov-2021", "某某县交通运输局", 2023, GOV_2021)


def _headed(folder: Path, name: str, unit: str, sheet: str = "年报") -> tuple[Book, Canvas]:
    """A new workbook ``name``.xlsx whose first sheet starts with 填报单位 ``unit`` and
    报告年度 2025 on its first row."""
    book = Book(folder / f"{name}.xlsx")
    canvas = book.sheet(sheet)
    _pair(canvas, 0, 0, "填报单位", unit)
    _pair(canvas, 0, 3, "报告年度", 2025)
    return book, canvas


def _last_years(typed: Typed) -> Typed:
    """Figures of another year: every number of ``typed`` plus 100 (read, they would show)."""
    return {k: v + 100 if isinstance(v, (int, float)) else v for k, v in typed.items()}


def hidden_last_year_rows(folder: Path) -> Case:
    """Last year's 申请 table left in the sheet with its rows hidden, this year's typed into a
    copy right under it: only what the sheet shows is the report."""
    book, canvas = _headed(folder, "hidden_last_year_rows", "某某县水利局")
    canvas.put(2, 0, SECTION_ACTIVE)
    active = active_layout("gov-2021")
    draw(canvas, active, 3, 0, GOV_2021)
    top = 3 + active.height + 1
    canvas.put(top, 0, SECTION_APPLICATIONS)
    apps = applications_layout("gov-2021")
    draw(canvas, apps, top + 1, 0, _last_years(APPLICATIONS_2021))
    sheet = canvas.sheet  # type: ignore[attr-defined]
    for row in range(top + 1, top + 1 + apps.height):
        sheet.row_dimensions[row + 1].hidden = True
    draw(canvas, apps, top + 1 + apps.height, 0, GOV_2021)
    below = top + 2 + 2 * apps.height
    canvas.put(below, 0, SECTION_REVIEW)
    draw(canvas, review_layout(), below + 1, 0, GOV_2021)
    book.save()
    return Case("hidden_last_year_rows", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def hidden_last_year_columns(folder: Path) -> Case:
    """Last year's figures kept in hidden columns of the 申请 table, this year's typed under
    a copy of its headers to the right of them."""
    book, canvas = _headed(folder, "hidden_last_year_columns", "某某县水利局")
    canvas.put(2, 0, SECTION_REVIEW)
    review = review_layout()
    draw(canvas, review, 3, 0, GOV_2021)
    canvas.put(3 + review.height + 1, 0, SECTION_ACTIVE)
    active = active_layout("gov-2021")
    draw(canvas, active, 3 + review.height + 2, 0, GOV_2021)
    top = 3 + review.height + 2 + active.height + 1
    canvas.put(top, 0, SECTION_APPLICATIONS)
    apps = applications_layout("gov-2021")
    draw(canvas, apps, top + 1, 0, _last_years(APPLICATIONS_2021))
    figures = Layout(  # the headers and figures again, from column K
        tuple(
            Label(lb.text, lb.row, lb.col + 7, lb.rows, lb.cols)
            for lb in apps.labels
            if lb.col >= 3
        ),
        tuple(Slot(sl.key, sl.row, sl.col + 7, sl.cols) for sl in apps.slots),
    )
    draw(canvas, figures, top + 1, 0, GOV_2021)
    sheet = canvas.sheet  # type: ignore[attr-defined]
    for col in range(3, 10):
        sheet.column_dimensions[get_column_letter(col + 1)].hidden = True
    book.save()
    return Case("hidden_last_year_columns", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def last_year_sheet_first(folder: Path) -> Case:
    """Last year's report left visible on a sheet before this year's (the workbook copied,
    the copy renamed 2025年度): this year's is the report, its figures and its title's year."""
    book = Book(folder / "last_year_sheet_first.xlsx")
    _year_sheets(book, {2024: _last_years(GOV_2021), 2025: GOV_2021})
    return Case("last_year_sheet_first", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def _year_sheets(book: Book, years: dict[int, Typed]) -> None:
    """One sheet a year (2024年度 …), each titled with its year over the three tables."""
    _titled_sheets(book, [(f"{year}年度", year, typed) for year, typed in years.items()])


def _titled_sheets(book: Book, sheets: list[tuple[str, int, Typed]]) -> None:
    """Sheets (name, year, figures), each titled with its year over the three tables."""
    for name, year, typed in sheets:
        canvas = book.sheet(name)
        canvas.put(0, 0, f"某某镇人民政府{year}年度政府信息公开工作年度报告", cols=10)
        _national_tables_stacked(canvas, "gov-2021", 2, 0, typed)
    book.save()


def revised_sheet_after_first(folder: Path) -> Case:
    """The report corrected on a copy of its sheet, 2025年度（修改）, the first version left
    beside it: the revised sheet is the report (the first one had been read)."""
    book = Book(folder / "revised_sheet_after_first.xlsx")
    _titled_sheets(
        book, [("2025年度", 2025, _last_years(GOV_2021)), ("2025年度（修改）", 2025, GOV_2021)]
    )
    return Case(
        "revised_sheet_after_first", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021
    )


def draft_sheet_first(folder: Path) -> Case:
    """A draft kept on a sheet of its own before the report, 年报（草稿） beside 年报: the
    draft is passed over."""
    book = Book(folder / "draft_sheet_first.xlsx")
    _titled_sheets(book, [("年报（草稿）", 2025, _last_years(GOV_2021)), ("年报", 2025, GOV_2021)])
    return Case("draft_sheet_first", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def last_year_shown_above(folder: Path) -> Case:
    """Last year's 申请 table shown above this year's for comparison, each under a line
    naming its year: this year's is read (last year's had been)."""
    book, canvas = _headed(folder, "last_year_shown_above", "某某县水利局")
    draw(canvas, active_layout("gov-2021"), 2, 0, GOV_2021)
    apps = applications_layout("gov-2021")
    top = 3 + active_layout("gov-2021").height
    canvas.put(top, 0, SECTION_APPLICATIONS)
    canvas.put(top + 1, 0, "（2024年度数据，供对比）")
    draw(canvas, apps, top + 2, 0, _last_years(APPLICATIONS_2021))
    top += 3 + apps.height
    canvas.put(top, 0, "2025年度")
    draw(canvas, apps, top + 1, 0, GOV_2021)
    top += 2 + apps.height
    canvas.put(top, 0, SECTION_REVIEW)
    draw(canvas, review_layout(), top + 1, 0, GOV_2021)
    book.save()
    return Case("last_year_shown_above", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


RETYPED_LABELS: dict[str, str | tuple[str, ...]] = {
    "一、本年新收政府信息公开申请数量": "本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量": "（二）上年结转政府信息公开申请数量",
    "四、结转下年度继续办理": "4.结转下年度继续办理",
    "1.属于国家秘密": "(1)属于国家秘密",
    "2.其他法律行政法规禁止公开": "（2）其他法律行政法规禁止公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "（二）部分公开",
    "（七）总计": "（七）合计：",
    "总计": "合计",
    "其他": "其他组织",
    "本年收费金额（单位：万元）": "本年收费金额（万元）",
}


def retyped_labels(folder: Path) -> Case:
    """Rows renumbered or left without their numbers, 部分公开 without its note, 合计 for
    总计 (a row with a colon after it, the 申请 and 复议诉讼 columns), 其他组织 for 其他, and
    the fee column headed 本年收费金额（万元）: every value is read."""
    return _renamed(folder, "retyped_labels", "统计表", "某某乡人民政府", 2025, RETYPED_LABELS)


def review_above_no_total_column(folder: Path) -> Case:
    """The 复议诉讼 table above a 申请 table drawn without its 总计 column: 复议诉讼's 总计
    headers are never taken for it (its 商业企业 column would be read as the total); the
    missing column is said (W2) and its totals are taken as the sums of their parts."""
    book = Book(folder / "review_above_no_total_column.xlsx")
    sheet = book.sheet("年报")
    _pair(sheet, 0, 0, "填报单位", "某某乡人民政府")
    _pair(sheet, 1, 0, "报告年度", 2025)
    sheet.put(3, 0, SECTION_REVIEW)
    review = review_layout()
    draw(sheet, review, 4, 0, GOV_2021)
    top = 4 + review.height + 1
    sheet.put(top, 0, SECTION_ACTIVE)
    active = active_layout("gov-2021")
    draw(sheet, active, top + 1, 0, GOV_2021)
    top += 2 + active.height
    sheet.put(top, 0, SECTION_APPLICATIONS)
    apps = applications_layout("gov-2021")
    without_total = Layout(
        tuple(lb for lb in apps.labels if lb.text != "总计"),
        tuple(sl for sl in apps.slots if not sl.key.endswith(".total")),
    )
    draw(sheet, without_total, top + 1, 0, GOV_2021)
    book.save()
    typed = {
        k: v
        for k, v in GOV_2021.items()
        if not k.startswith("applications.") or not k.endswith(".total")
    }
    return Case(
        "review_above_no_total_column",
        book.path,
        "gov-2021",
        "某某乡人民政府",
        2025,
        typed,
        [("W2", None, None)],
    )


def review_units_row(folder: Path) -> Case:
    """A units row ("件" under every header) between 复议诉讼's headers and its figures:
    the figures are read from the row below it (it gave fifteen N1s)."""
    book = Book(folder / "review_units_row.xlsx")
    sheet = book.sheet("年报")
    _pair(sheet, 0, 0, "填报单位", "某某县司法局")
    _pair(sheet, 1, 0, "报告年度", 2025)
    active = active_layout("gov-2021")
    draw(sheet, active, 3, 0, GOV_2021)
    apps = applications_layout("gov-2021")
    top = 4 + active.height
    draw(sheet, apps, top, 0, GOV_2021)
    top += apps.height + 1
    review = review_layout()
    lowered = Layout(
        review.labels, tuple(Slot(s.key, s.row + 1, s.col, s.cols) for s in review.slots)
    )
    draw(sheet, lowered, top, 0, GOV_2021)
    for slot in review.slots:
        sheet.put(top + slot.row, slot.col, "件")
    book.save()
    return Case("review_units_row", book.path, "gov-2021", "某某县司法局", 2025, GOV_2021)


def _blank_in(typed: Typed, keys: list[str]) -> bool:
    return all(typed.get(k) in (None, 0) for k in keys)


def this_years_blank_rows_hidden(folder: Path) -> Case:
    """This year's 申请 table with its empty rows hidden (nothing to report there), last
    year's whole table shown under it for comparison: this year's is read, hidden rows and
    all (a hidden row is not last year's unless the whole table is)."""
    book, canvas = _headed(folder, "this_years_blank_rows_hidden", "某某县水利局")
    active = active_layout("gov-2021")
    draw(canvas, active, 2, 0, GOV_2021)
    top = 3 + active.height
    apps = applications_layout("gov-2021")
    draw(canvas, apps, top, 0, GOV_2021)
    sheet = canvas.sheet  # type: ignore[attr-defined]
    hidden = 0
    for r, (key, _) in enumerate(_application_rows("gov-2021"), 3):
        if _blank_in(GOV_2021, [f"applications.{key}.{c}" for c in COLUMNS]):
            sheet.row_dimensions[top + r + 1].hidden = True
            hidden += 1
    assert hidden, "the figures must leave a row to hide"
    canvas.put(top + apps.height + 1, 0, "上年数据（供对照）")
    draw(canvas, apps, top + apps.height + 2, 0, _last_years(APPLICATIONS_2021))
    below = top + 2 * apps.height + 3
    draw(canvas, review_layout(), below, 0, GOV_2021)
    book.save()
    return Case(
        "this_years_blank_rows_hidden", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021
    )


def this_years_zero_columns_hidden(folder: Path) -> Case:
    """This year's 申请 table with its empty applicant columns hidden, last year's headers
    and figures shown to the right of it: this year's columns are read."""
    book, canvas = _headed(folder, "this_years_zero_columns_hidden", "某某县水利局")
    review = review_layout()
    draw(canvas, review, 2, 0, GOV_2021)
    active = active_layout("gov-2021")
    draw(canvas, active, 3 + review.height, 0, GOV_2021)
    top = 4 + review.height + active.height
    apps = applications_layout("gov-2021")
    draw(canvas, apps, top, 0, GOV_2021)
    last = Layout(
        tuple(
            Label(lb.text, lb.row, lb.col + 7, lb.rows, lb.cols)
            for lb in apps.labels
            if lb.col >= 3
        ),
        tuple(Slot(sl.key, sl.row, sl.col + 7, sl.cols) for sl in apps.slots),
    )
    draw(canvas, last, top, 0, _last_years(APPLICATIONS_2021))
    sheet = canvas.sheet  # type: ignore[attr-defined]
    empty = [
        i
        for i, c in enumerate(COLUMNS)
        if _blank_in(
            GOV_2021, [f"applications.{key}.{c}" for key, _ in _application_rows("gov-2021")]
        )
    ]
    assert empty, "the figures must leave a column to hide"
    for i in empty:
        sheet.column_dimensions[get_column_letter(3 + i + 1)].hidden = True
    book.save()
    return Case(
        "this_years_zero_columns_hidden", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021
    )


def repeated_header_after_page_break(folder: Path) -> Case:
    """The 申请 table's applicant sub-header (商业企业 … 其他) repeated where a printed page
    breaks, before （四）: the rows below it keep their 自然人 and 总计 columns."""
    apps = applications_layout("gov-2021")
    rows = _application_rows("gov-2021")
    at = 3 + next(i for i, (key, _) in enumerate(rows) if key.startswith("unable"))
    shifted = Layout(
        tuple(
            Label(
                lb.text,
                lb.row + (lb.row >= at),
                lb.col,
                lb.rows + (lb.row < at < lb.row + lb.rows),
                lb.cols,
            )
            for lb in apps.labels
        )
        + tuple(
            Label(text, at, 4 + i)
            for i, text in enumerate(
                ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
            )
        ),
        tuple(Slot(sl.key, sl.row + (sl.row >= at), sl.col, sl.cols) for sl in apps.slots),
    )
    book, canvas = _headed(folder, "repeated_header_after_page_break", "某某县水利局")
    active = active_layout("gov-2021")
    draw(canvas, active, 2, 0, GOV_2021)
    top = 3 + active.height
    draw(canvas, shifted, top, 0, GOV_2021)
    draw(canvas, review_layout(), top + shifted.height + 1, 0, GOV_2021)
    book.save()
    return Case(
        "repeated_header_after_page_break", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021
    )


def review_zero_row_hidden(folder: Path) -> Case:
    """复议诉讼's one row of figures, all 0, hidden (nothing to show): its zeros are read,
    it is the only copy (it became a W2, the table not found)."""
    zeros = {k: 0 for k in REVIEW_VALUES}
    typed = {**GOV_2021, **zeros}
    book, canvas = _headed(folder, "review_zero_row_hidden", "某某县档案馆")
    refs, row = _national_tables_stacked(canvas, "gov-2021", 2, 0, typed)
    canvas.put(row, 0, "注：本单位本年度无行政复议、行政诉讼。")
    figures = int(re.sub(r"[A-Z]+", "", refs["review.appeal.upheld"]))
    canvas.sheet.row_dimensions[figures].hidden = True  # type: ignore[attr-defined]
    book.save()
    return Case("review_zero_row_hidden", book.path, "gov-2021", "某某县档案馆", 2025, typed)


def next_years_blank_sheet(folder: Path) -> Case:
    """This year's report on 2025年度 and a blank copy made ready on 2026年度, its totals
    formulas showing 0 as saved: the newest year holding figures is read (the blank sheet
    had been, every figure lost)."""
    book = Book(folder / "next_years_blank_sheet.xlsx", engine="xlsxwriter")
    _year_sheets(book, {2025: GOV_2021, 2026: total_formulas("gov-2021", lambda key: 0)})
    return Case("next_years_blank_sheet", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def review_with_a_grand_total(folder: Path) -> Case:
    """复议诉讼 typed without merges, with a local 合计 column after it (复议 and 诉讼 added
    up): its three 总计 are read, not the 合计 (a variant of 总计) first."""
    book, canvas = _headed(folder, "review_with_a_grand_total", "某某县司法局")
    _, row = _national_tables_stacked(canvas, "gov-2021", 2, 0, GOV_2021, Style(merged=False))
    review = review_layout()
    top = row - 2 - review.height
    canvas.put(top, 15, "合计")
    totals = [GOV_2021[f"review.{g}.total"] for g in REVIEW_GROUPS]
    canvas.put(top + review.height - 1, 15, sum(totals))
    book.save()
    return Case("review_with_a_grand_total", book.path, "gov-2021", "某某县司法局", 2025, GOV_2021)


def hidden_last_year_and_a_row_deleted(folder: Path) -> Case:
    """Last year's 申请 table hidden as a whole above this year's, from which the unit
    deleted a row it had nothing in: that row is not found (W2), not taken from last
    year's hidden copy."""
    book, canvas = _headed(folder, "hidden_last_year_and_a_row_deleted", "某某县水利局")
    apps = applications_layout("gov-2021")
    gone = "applications.unable_3."
    assert _blank_in(GOV_2021, [gone + c for c in COLUMNS])
    this_year = Layout(
        tuple(lb for lb in apps.labels if lb.text != UNABLE[2]),
        tuple(sl for sl in apps.slots if not sl.key.startswith(gone)),
    )
    draw(canvas, active_layout("gov-2021"), 2, 0, GOV_2021)
    top = 3 + active_layout("gov-2021").height
    draw(canvas, apps, top, 0, _last_years(APPLICATIONS_2021))
    sheet = canvas.sheet  # type: ignore[attr-defined]
    for row in range(top, top + apps.height):
        sheet.row_dimensions[row + 1].hidden = True
    draw(canvas, this_year, top + apps.height, 0, GOV_2021)
    draw(canvas, review_layout(), top + 2 * apps.height + 1, 0, GOV_2021)
    book.save()
    typed = {k: v for k, v in GOV_2021.items() if not k.startswith(gone)}
    return Case(
        "hidden_last_year_and_a_row_deleted",
        book.path,
        "gov-2021",
        "某某县水利局",
        2025,
        typed,
        [("W2", None, None)],
    )


def town_named_old_revised(folder: Path) -> Case:
    """旧县镇年报 and 旧县镇年报（修改）: 旧 in a town's name is no mark of an old version."""
    book = Book(folder / "town_named_old_revised.xlsx")
    first, revised = "旧县镇年报", "旧县镇年报（修改）"
    _titled_sheets(book, [(first, 2025, _last_years(GOV_2021)), (revised, 2025, GOV_2021)])
    return Case("town_named_old_revised", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def draft_mark_leading(folder: Path) -> Case:
    """草稿-年报 before 年报: a mark may lead the name too."""
    book = Book(folder / "draft_mark_leading.xlsx")
    _titled_sheets(book, [("草稿-年报", 2025, _last_years(GOV_2021)), ("年报", 2025, GOV_2021)])
    return Case("draft_mark_leading", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def revised_sheet_with_one_table(folder: Path) -> Case:
    """年报 whole, and 年报（修改） holding only the corrected 申请 table: that table is read
    from the revision, the others from 年报."""
    book = Book(folder / "revised_sheet_with_one_table.xlsx")
    _titled_sheets(book, [("年报", 2025, GOV_2021 | _last_years(APPLICATIONS_2021))])
    canvas = book.sheet("年报（修改）")
    canvas.put(0, 0, SECTION_APPLICATIONS)
    draw(canvas, applications_layout("gov-2021"), 1, 0, GOV_2021)
    book.save()
    return Case(
        "revised_sheet_with_one_table", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021
    )


def partly_filled_final_sheet(folder: Path) -> Case:
    """年报 whole, and 年报（正式） being filled in, only 主动公开 so far: the tables still blank
    there are read from 年报."""
    book = Book(folder / "partly_filled_final_sheet.xlsx")
    active = {k: v for k, v in GOV_2021.items() if k.startswith("active.")}
    _titled_sheets(book, [("年报", 2025, GOV_2021), ("年报（正式）", 2025, active)])
    return Case(
        "partly_filled_final_sheet", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021
    )


def _up_to_applications(folder: Path, name: str) -> tuple[Book, Canvas, int]:
    """A 某某县水利局 report's head and 主动公开 table, then the 申请 table's section title:
    the book, its sheet and the title's row."""
    book, canvas = _headed(folder, name, "某某县水利局")
    active = active_layout("gov-2021")
    draw(canvas, active, 2, 0, GOV_2021)
    top = 3 + active.height
    canvas.put(top, 0, SECTION_APPLICATIONS)
    return book, canvas, top


def _applications_twice(
    name: str, folder: Path, lines: tuple[tuple[str, ...], tuple[str, ...]], typed: list[Typed]
) -> Book:
    """The 申请 table twice, one copy under the other, each under its ``lines``, between the
    主动公开 and 复议诉讼 tables."""
    book, canvas, top = _up_to_applications(folder, name)
    apps = applications_layout("gov-2021")
    for over, figures in zip(lines, typed, strict=True):
        for line in over:
            top += 1
            canvas.put(top, 0, line)
        draw(canvas, apps, top + 1, 0, figures)
        top += 1 + apps.height
    canvas.put(top + 1, 0, SECTION_REVIEW)
    draw(canvas, review_layout(), top + 2, 0, GOV_2021)
    book.save()
    return book


def next_years_blank_copy(folder: Path) -> Case:
    """The 申请 table under 2025年度, and a blank copy made ready under 2026年度: the copy
    with figures is this year's."""
    book = _applications_twice(
        "next_years_blank_copy", folder, (("2025年度",), ("2026年度",)), [GOV_2021, {}]
    )
    return Case("next_years_blank_copy", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def date_line_between_copies(folder: Path) -> Case:
    """This year's 申请 table, then a 填报时间 line with a date and last year's copy under
    附：上年数据（供参考）: a date names no report year."""
    lines = (("2025年度",), ("填报时间：2026年1月8日", "附：上年数据（供参考）"))
    typed = [GOV_2021, _last_years(APPLICATIONS_2021)]
    book = _applications_twice("date_line_between_copies", folder, lines, typed)
    return Case("date_line_between_copies", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def _applications_side_by_side(
    name: str, folder: Path, headings: tuple[_Heading, _Heading], typed: tuple[Typed, Typed]
) -> Case:
    """The 申请 table twice side by side, from columns A and L, the second ``lower`` rows
    lower, each under its heading (text, column, columns merged, rows lower)."""
    book, canvas, top = _up_to_applications(folder, name)
    apps = applications_layout("gov-2021")
    for (text, col, cols, lower), left, figures in zip(headings, (0, 11), typed, strict=True):
        canvas.put(top + 1 + lower, col, text, cols=cols)
        draw(canvas, apps, top + 2 + lower, left, figures)
    top += 3 + max(h[3] for h in headings) + apps.height
    canvas.put(top, 0, SECTION_REVIEW)
    draw(canvas, review_layout(), top + 1, 0, GOV_2021)
    book.save()
    return Case(name, book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


_Heading = tuple[str, int, int, int]  # text, column, columns merged, rows lower
_LAST_YEARS_APPLICATIONS = _last_years(APPLICATIONS_2021)


def side_by_side_copies(folder: Path) -> Case:
    """Last year's 申请 table on the left under 2024年度（供对比）, this year's beside it from
    column L under 2025年度, the two lines on one row."""
    headings = (("2024年度（供对比）", 0, 1, 0), ("2025年度", 11, 1, 0))
    typed = (_LAST_YEARS_APPLICATIONS, GOV_2021)
    return _applications_side_by_side("side_by_side_copies", folder, headings, typed)


def side_by_side_merged_headings(folder: Path) -> Case:
    """This year's 申请 table on the left under 2025年度 merged over A:J, last year's from
    column L under 2024年度（供对比） merged over K:U (starting in the blank column K)."""
    headings = (("2025年度", 0, 10, 0), ("2024年度（供对比）", 10, 11, 0))
    typed = (GOV_2021, _LAST_YEARS_APPLICATIONS)
    return _applications_side_by_side("side_by_side_merged_headings", folder, headings, typed)


def side_by_side_a_row_lower(folder: Path) -> Case:
    """This year's 申请 table on the left under 2025年度, last year's from column L pasted a
    row lower under 2024年度（供对比）: still side by side."""
    headings = (("2025年度", 0, 1, 0), ("2024年度（供对比）", 11, 1, 1))
    typed = (GOV_2021, _LAST_YEARS_APPLICATIONS)
    return _applications_side_by_side("side_by_side_a_row_lower", folder, headings, typed)


def zeros_typed_in_the_report(folder: Path) -> Case:
    """年报（草稿） beside 年报, whose 申请 and 复议诉讼 tables are typed all 0 (no application
    this year): a typed 0 is an answer, the report's tables are read, not the draft's."""
    book = Book(folder / "zeros_typed_in_the_report.xlsx")
    zeros = {k: 0 for k in all_keys("gov-2021") if k.startswith(("applications.", "review."))}
    final = GOV_2021 | zeros
    _titled_sheets(book, [("年报（草稿）", 2025, _last_years(GOV_2021)), ("年报", 2025, final)])
    return Case("zeros_typed_in_the_report", book.path, "gov-2021", "某某镇人民政府", 2025, final)


def this_year_word_over_a_year(folder: Path) -> Case:
    """Copies under 2024年度 and under 本年度: 本年度 is this year's, though it names none."""
    typed = [_last_years(APPLICATIONS_2021), GOV_2021]
    book = _applications_twice(
        "this_year_word_over_a_year", folder, (("2024年度",), ("本年度",)), typed
    )
    return Case("this_year_word_over_a_year", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def copy_before_correction(folder: Path) -> Case:
    """The copy kept from before a correction under 修改前数据, the corrected one under
    2025年度: 修改前 marks the one replaced."""
    typed = [_last_years(APPLICATIONS_2021), GOV_2021]
    book = _applications_twice(
        "copy_before_correction", folder, (("修改前数据",), ("2025年度",)), typed
    )
    return Case("copy_before_correction", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def numbered_revisions(folder: Path) -> Case:
    """年报, 年报（修改1）, 年报（修改2）: the last revision is the report."""
    book = Book(folder / "numbered_revisions.xlsx")
    old = _last_years(GOV_2021)
    sheets = [("年报", 2025, old), ("年报（修改1）", 2025, old), ("年报（修改2）", 2025, GOV_2021)]
    _titled_sheets(book, sheets)
    return Case("numbered_revisions", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def sheets_before_and_after_correction(folder: Path) -> Case:
    """年报（修改前） and 年报（修改后）: the one after the correction is the report."""
    book = Book(folder / "sheets_before_and_after_correction.xlsx")
    sheets = [("年报（修改前）", 2025, _last_years(GOV_2021)), ("年报（修改后）", 2025, GOV_2021)]
    _titled_sheets(book, sheets)
    return Case(
        "sheets_before_and_after_correction",
        book.path,
        "gov-2021",
        "某某镇人民政府",
        2025,
        GOV_2021,
    )


def header_corrected_on_the_revision(folder: Path) -> Case:
    """年报 and 年报（修改）, each with its 填报单位 cell; the revision corrects the unit's
    name: the header cells are read from the revision too."""
    book = Book(folder / "header_corrected_on_the_revision.xlsx")
    for name, unit, typed in (
        ("年报", "某某镇政府", _last_years(GOV_2021)),
        ("年报（修改）", "某某镇人民政府", GOV_2021),
    ):
        canvas = book.sheet(name)
        _pair(canvas, 0, 0, "填报单位", unit)
        _pair(canvas, 0, 3, "报告年度", 2025)
        _national_tables_stacked(canvas, "gov-2021", 2, 0, typed)
    book.save()
    return Case(
        "header_corrected_on_the_revision",
        book.path,
        "gov-2021",
        "某某镇人民政府",
        2025,
        GOV_2021,
    )


def several_drafts(folder: Path) -> Case:
    """Three drafts beside 年报（定稿）: the final one is read, the drafts said in one
    sentence."""
    book = Book(folder / "several_drafts.xlsx")
    drafts = [(f"年报（草稿{n}）", 2025, _last_years(GOV_2021)) for n in (1, 2, 3)]
    _titled_sheets(book, [*drafts, ("年报（定稿）", 2025, GOV_2021)])
    return Case("several_drafts", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def year_named_over_words(folder: Path) -> Case:
    """This year's copy under 2025年度数据（上年度数据见下表）, last year's under 2024年度数据:
    a year written decides, not the 上年度 of a phrase about the other copy."""
    lines = (("2025年度数据（上年度数据见下表）",), ("2024年度数据（与今年对比）",))
    typed = [GOV_2021, _last_years(APPLICATIONS_2021)]
    book = _applications_twice("year_named_over_words", folder, lines, typed)
    return Case("year_named_over_words", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def breakdown_under_the_report(folder: Path) -> Case:
    """The report's 申请 table under 2025年度（本级）, a breakdown of it under 其中：本年度
    下属单位: the breakdown is no copy of the report."""
    lines = (("2025年度（本级）",), ("其中：本年度下属单位",))
    typed = [GOV_2021, _last_years(APPLICATIONS_2021)]
    book = _applications_twice("breakdown_under_the_report", folder, lines, typed)
    return Case("breakdown_under_the_report", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def group_sheet_between_versions(folder: Path) -> Case:
    """年报, then 附表 (a group's 申请 table), then 年报（修改）: every table is read from the
    revision, none from 附表, which is no version of 年报."""
    book = Book(folder / "group_sheet_between_versions.xlsx")
    _titled_sheets(book, [("年报", 2025, _last_years(GOV_2021))])
    draw(book.sheet("附表"), applications_layout("gov-2021"), 1, 0, _last_years(APPLICATIONS_2021))
    _titled_sheets(book, [("年报（修改）", 2025, GOV_2021)])
    return Case(
        "group_sheet_between_versions", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021
    )


def next_years_plan_beside(folder: Path) -> Case:
    """A prose sheet 2026年工作计划 and a list 规范性文件目录（2019-2025年） beside the report:
    sheets holding no table are nothing passed over."""
    book = Book(folder / "next_years_plan_beside.xlsx")
    _titled_sheets(book, [("年报", 2025, GOV_2021)])
    book.sheet("2026年工作计划").put(0, 0, "一、进一步加强政府信息公开平台建设。")
    book.sheet("规范性文件目录（2019-2025年）").put(0, 0, "关于印发某某办法的通知")
    book.save()
    return Case("next_years_plan_beside", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def last_years_review_shown_above(folder: Path) -> Case:
    """Last year's 复议诉讼 table above this year's, under 2024年度（供对比） and 2025年度: the
    table found by its headers is told apart as one found by its row labels is."""
    book, canvas = _headed(folder, "last_years_review_shown_above", "某某县司法局")
    active, apps, review = (
        active_layout("gov-2021"),
        applications_layout("gov-2021"),
        review_layout(),
    )
    draw(canvas, active, 2, 0, GOV_2021)
    top = 3 + active.height
    draw(canvas, apps, top, 0, GOV_2021)
    top += apps.height + 1
    canvas.put(top, 0, SECTION_REVIEW)
    last_year = _last_years({k: v for k, v in GOV_2021.items() if k.startswith("review.")})
    for line, typed in (("2024年度（供对比）", last_year), ("2025年度", GOV_2021)):
        canvas.put(top + 1, 0, line)
        draw(canvas, review, top + 2, 0, typed)
        top += 2 + review.height
    book.save()
    return Case(
        "last_years_review_shown_above", book.path, "gov-2021", "某某县司法局", 2025, GOV_2021
    )


def title_year_not_updated(folder: Path) -> Case:
    """Last year's workbook reused: 报告年度 changed to 2025, the title still says 2024. The
    cell is read, and the difference said."""
    book = Book(folder / "title_year_not_updated.xlsx")
    sheet = book.sheet("年报")
    sheet.put(0, 0, "某某镇人民政府2024年度政府信息公开工作年度报告", cols=10)
    _pair(sheet, 1, 0, "报告年度", "2025年度")
    _national_tables_stacked(sheet, "gov-2021", 3, 0, GOV_2021)
    book.save()
    return Case("title_year_not_updated", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def excel_copy_with_other_figures(folder: Path) -> Case:
    """The report's sheet copied in Excel (年报 (2)) and the copy's figures changed, nothing
    in the names or titles telling which is final: the first is read, and the other said."""
    book = Book(folder / "excel_copy_with_other_figures.xlsx")
    _titled_sheets(book, [("年报", 2025, GOV_2021), ("年报 (2)", 2025, _last_years(GOV_2021))])
    return Case(
        "excel_copy_with_other_figures", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021
    )


def excel_copy_unchanged(folder: Path) -> Case:
    """The report's sheet copied in Excel (年报 (2)), the copy left as it was (a backup):
    the same figures either way, nothing to say."""
    book = Book(folder / "excel_copy_unchanged.xlsx")
    _titled_sheets(book, [("年报", 2025, GOV_2021), ("年报 (2)", 2025, GOV_2021)])
    return Case("excel_copy_unchanged", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021)


def blank_sheet_before_its_copy(folder: Path) -> Case:
    """A blank 年报 as received, the figures typed into an Excel copy of it (年报 (2)):
    the copy holding figures is read (the blank sheet had been, every figure lost), and the
    blank sheet passed over is said."""
    book = Book(folder / "blank_sheet_before_its_copy.xlsx")
    _titled_sheets(book, [("年报", 2025, {}), ("年报 (2)", 2025, GOV_2021)])
    return Case(
        "blank_sheet_before_its_copy", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021
    )


def two_copies_nothing_tells(folder: Path) -> Case:
    """The 申请 table twice, one under the other, no line over either, the figures
    different: the first is read, and the other said (nothing tells which is meant)."""
    typed = [GOV_2021, _last_years(APPLICATIONS_2021)]
    book = _applications_twice("two_copies_nothing_tells", folder, ((), ()), typed)
    return Case("two_copies_nothing_tells", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


MISTYPED_LABELS: dict[str, str | tuple[str, ...]] = {
    "（一）予以公开": "（一）予以公开的",  # a word added
    "1.本机关不掌握相关政府信息": "1.本机关不掌握相关的政府信息",
    "5.属于三类内部事务信息": "5.属于三类内部事物信息",  # a character mistyped
}


def mistyped_labels(folder: Path) -> Case:
    """Row labels retyped a character off the national wording (予以公开的, 相关的政府信息,
    事物 for 事务): each row is read where it stands, and said (it was left unread, its
    figures taken as blank)."""
    return _renamed(folder, "mistyped_labels", "统计表", "某某乡人民政府", 2025, MISTYPED_LABELS)


_SUITS = ("未经复议直接起诉", "复议后起诉")


def _review_as_rows(
    canvas: Canvas, top: int, typed: Typed, grouped: bool, suits: tuple[str, str] = _SUITS
) -> dict[str, str]:
    """复议诉讼 as three rows under one header of outcomes, to fit a portrait page: 行政复议,
    then the two kinds of 行政诉讼 (``grouped``: under 行政诉讼 merged over both, their own
    labels beside it; else labelled ``suits``); each field's A1 reference."""
    refs = {}
    canvas.put(top, 0, "类别", cols=2)
    for i, name in enumerate(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")):
        canvas.put(top, 2 + i, name)
    canvas.put(top + 1, 0, "行政复议", cols=2)
    if grouped:
        canvas.put(top + 2, 0, "行政诉讼", rows=2)
        canvas.put(top + 2, 1, "未经复议直接起诉")
        canvas.put(top + 3, 1, "复议后起诉")
    else:
        canvas.put(top + 2, 0, suits[0], cols=2)
        canvas.put(top + 3, 0, suits[1], cols=2)
    for g, group in enumerate(REVIEW_GROUPS):
        for i, outcome in enumerate(OUTCOMES):
            key = f"review.{group}.{outcome}"
            canvas.put(top + 1 + g, 2 + i, typed.get(key))
            refs[key] = f"{chr(ord('C') + i)}{top + 2 + g}"
    return refs


def _review_rows_case(folder: Path, name: str, typed: Typed, grouped: bool) -> tuple[Book, dict]:
    book = Book(folder / f"{name}.xlsx")
    sheet = book.sheet("年报")
    row = _first_two_tables(sheet, 2025, typed)
    refs = _review_as_rows(sheet, row + 1, typed, grouped)
    book.save()
    return book, refs


def review_as_three_rows(folder: Path) -> Case:
    """复议诉讼 retyped as three rows (行政复议, and under 行政诉讼 未经复议直接起诉 and
    复议后起诉) under one header of outcomes: every figure is read (none had been: W2)."""
    book, _ = _review_rows_case(folder, "review_as_three_rows", GOV_2021, grouped=True)
    return Case("review_as_three_rows", book.path, "gov-2021", "某某县民政局", 2025, GOV_2021)


def review_rows_wrong_total(folder: Path) -> Case:
    """复议诉讼 as three rows, each labelled alone, 复议后起诉's 总计 typed 1 over parts of
    0: R1 at that cell."""
    typed = GOV_2021 | {"review.suit_after.total": 1}
    book, refs = _review_rows_case(folder, "review_rows_wrong_total", typed, grouped=False)
    numbers = {("R1", "年报", refs["review.suit_after.total"]): (0, 1)}
    return Case(
        "review_rows_wrong_total",
        book.path,
        "gov-2021",
        "某某县民政局",
        2025,
        typed,
        list(numbers),
        numbers,
    )


def _blank_review_beside(folder: Path, name: str, report: str, other: str) -> Case:
    """Sheet ``report`` the report, its 复议诉讼 left blank (nothing to report); sheet
    ``other`` the same tables with other figures in every one: the blank table is the
    report's answer (W2 at its first cell), not read from ``other``."""
    typed = {k: v for k, v in GOV_2021.items() if not k.startswith("review.")}
    book = Book(folder / f"{name}.xlsx")
    first = book.sheet(report)
    first.put(0, 0, "某某镇人民政府2025年度政府信息公开工作年度报告", cols=10)
    refs, _ = _national_tables_stacked(first, "gov-2021", 2, 0, typed)
    _titled_sheets(book, [(other, 2025, _last_years(GOV_2021))])
    findings = [("W2", report, refs["review.appeal.upheld"])]
    return Case(name, book.path, "gov-2021", "某某镇人民政府", 2025, typed, findings)


def blank_table_beside_a_breakdown(folder: Path) -> Case:
    """年报 with its 复议诉讼 left blank, and a sheet 下属单位 of the units under it, every
    table filled: 下属单位 is no copy of 年报, nothing read from it nor said of it."""
    return _blank_review_beside(folder, "blank_table_beside_a_breakdown", "年报", "下属单位")


def copy_titled_as_a_breakdown(folder: Path) -> Case:
    """Sheet1 the report, Sheet2 titled 其中：下属单位情况 with their own figures: Sheet2 is
    no copy of the report, nothing said of it."""
    book = Book(folder / "copy_titled_as_a_breakdown.xlsx")
    _titled_sheets(book, [("Sheet1", 2025, GOV_2021)])
    other = book.sheet("Sheet2")
    other.put(0, 0, "其中：下属单位情况", cols=10)
    _national_tables_stacked(other, "gov-2021", 2, 0, _last_years(GOV_2021))
    book.save()
    return Case(
        "copy_titled_as_a_breakdown", book.path, "gov-2021", "某某镇人民政府", 2025, GOV_2021
    )


_MISTYPED_WITHHELD_5 = Style(rename={"5.属于三类内部事务信息": "5.属于三类内部事物信息"})


def retyped_in_both_copies_side_by_side(folder: Path) -> Case:
    """Last year's 申请 table on the left under 2024年度（供对比）, this year's beside it under
    2025年度, the same label retyped in both (事物 for 事务): the row is read from this year's
    copy (last year's had been)."""
    name = "retyped_in_both_copies_side_by_side"
    book, canvas, top = _up_to_applications(folder, name)
    apps = applications_layout("gov-2021")
    last_year = _LAST_YEARS_APPLICATIONS | {"applications.withheld_5.natural": 50}
    for text, left, figures in (("2024年度（供对比）", 0, last_year), ("2025年度", 11, GOV_2021)):
        canvas.put(top + 1, left, text)
        draw(canvas, apps, top + 2, left, figures, _MISTYPED_WITHHELD_5)
    top += 3 + apps.height
    canvas.put(top, 0, SECTION_REVIEW)
    draw(canvas, review_layout(), top + 1, 0, GOV_2021)
    book.save()
    return Case(name, book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def two_copies_first_retyped(folder: Path) -> Case:
    """The 申请 table twice, one under the other, nothing over either, a label of the first
    retyped (事物 for 事务): every row is read from the first copy, the one said to be read
    (the rows from the retyped one on had been taken from the second)."""
    name = "two_copies_first_retyped"
    book, canvas, top = _up_to_applications(folder, name)
    apps = applications_layout("gov-2021")
    draw(canvas, apps, top + 1, 0, GOV_2021, _MISTYPED_WITHHELD_5)
    top += 2 + apps.height
    draw(canvas, apps, top, 0, _last_years(APPLICATIONS_2021))
    top += 1 + apps.height
    canvas.put(top, 0, SECTION_REVIEW)
    draw(canvas, review_layout(), top + 1, 0, GOV_2021)
    book.save()
    return Case(name, book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def _applications_in_two(form: str, first_key: str) -> tuple[Layout, Layout]:
    """The 申请 table cut in two before row ``first_key`` (to fit two pages): its headers
    over each part, 三、本年度办理结果 merged down each part's rows of results."""
    whole = applications_layout(form)
    cut = next(s.row for s in whole.slots if s.key.startswith(f"applications.{first_key}."))
    header = tuple(lb for lb in whole.labels if lb.row < 3)
    before = tuple(
        replace(lb, rows=min(lb.rows, cut - lb.row)) for lb in whole.labels if 3 <= lb.row < cut
    )
    shift = cut - 3
    results = next(lb for lb in whole.labels if lb.text == "三、本年度办理结果")
    after = [replace(lb, row=lb.row - shift) for lb in whole.labels if lb.row >= cut]
    last = results.row + results.rows
    after.append(replace(results, row=3, rows=last - cut))
    return (
        Layout((*header, *before), tuple(s for s in whole.slots if s.row < cut)),
        Layout(
            (*header, *after),
            tuple(replace(s, row=s.row - shift) for s in whole.slots if s.row >= cut),
        ),
    )


def applications_on_two_sheets(folder: Path) -> Case:
    """The 申请 table cut in two, 申请情况（一） up to 不予公开 and 申请情况（二） from 无法提供
    on, each part under the table's headers: every figure is read (the second part had been
    left unread, W2)."""
    book = Book(folder / "applications_on_two_sheets.xlsx")
    first = book.sheet("主动公开")
    _pair(first, 0, 0, "填报单位", "某某县水利局")
    _pair(first, 1, 0, "报告年度", 2025)
    draw(first, active_layout("gov-2021"), 3, 0, GOV_2021)
    for name, part in zip(
        ("申请情况（一）", "申请情况（二）"),
        _applications_in_two("gov-2021", "unable_1"),
        strict=True,
    ):
        draw(book.sheet(name), part, 0, 0, GOV_2021)
    draw(book.sheet("复议诉讼"), review_layout(), 0, 0, GOV_2021)
    book.save()
    return Case("applications_on_two_sheets", book.path, "gov-2021", "某某县水利局", 2025, GOV_2021)


def _report_with_review(
    folder: Path, name: str, review: Layout, typed: Typed
) -> tuple[Book, Any, int]:
    """填报单位, 报告年度, 主动公开 and 申请 as drawn nationally, then ``review`` under its
    section title; the book, its sheet and the first row under the review table."""
    book = Book(folder / f"{name}.xlsx")
    sheet = book.sheet("年报")
    _pair(sheet, 0, 0, "填报单位", "某某县民政局")
    _pair(sheet, 1, 0, "报告年度", 2025)
    row = 3
    for layout in (active_layout("gov-2021"), applications_layout("gov-2021")):
        draw(sheet, layout, row, 0, typed)
        row += layout.height + 2
    sheet.put(row, 0, SECTION_REVIEW)
    draw(sheet, review, row + 1, 0, typed)
    return book, sheet, row + 1 + review.height


def national_review_beside_last_years_rows(folder: Path) -> Case:
    """This year's 复议诉讼 drawn nationally but without its 总计 columns, last year's
    below it as three rows under 2024年度（供对比）: this year's is read (the three rows had
    been, every figure last year's), its totals taken as their parts' sums."""
    review = review_layout()
    no_totals = Layout(
        tuple(lb for lb in review.labels if lb.text != "总计"),
        tuple(sl for sl in review.slots if not sl.key.endswith(".total")),
    )
    name = "national_review_beside_last_years_rows"
    book, sheet, row = _report_with_review(folder, name, no_totals, GOV_2021)
    sheet.put(row + 1, 0, "2024年度（供对比）")
    _review_as_rows(sheet, row + 2, _last_years(REVIEW_VALUES), grouped=True)
    book.save()
    typed = {
        k: v for k, v in GOV_2021.items() if not (k.startswith("review.") and k.endswith(".total"))
    }
    return Case(name, book.path, "gov-2021", "某某县民政局", 2025, typed, [("W2", None, None)])


def blank_national_review_and_rows(folder: Path) -> Case:
    """The national 复议诉讼 left blank as it came, the figures typed into a three-row table
    of it on a sheet 复议诉讼（本单位）: the table holding figures is read (the blank one had
    been, W2)."""
    name = "blank_national_review_and_rows"
    blank = {k: v for k, v in GOV_2021.items() if not k.startswith("review.")}
    book, _, _ = _report_with_review(folder, name, review_layout(), blank)
    _review_as_rows(book.sheet("复议诉讼（本单位）"), 0, GOV_2021, grouped=False)
    book.save()
    return Case(name, book.path, "gov-2021", "某某县民政局", 2025, GOV_2021)


def last_row_retyped(folder: Path) -> Case:
    """四、结转下年度继续办理 retyped (…的), its label starting left of （七）总计's above it:
    the row is read (it had been left unread, with two false A1)."""
    rename = {"四、结转下年度继续办理": "四、结转下年度继续办理的"}
    return _renamed(folder, "last_row_retyped", "统计表", "某某乡人民政府", 2025, rename)


def blank_table_on_a_sheet_with_figures(folder: Path) -> Case:
    """Sheet1 with its 复议诉讼 left blank, Sheet2 a copy with other figures: Sheet1's blank
    table is its answer (it had been read from Sheet2, beside Sheet1's other tables);
    Sheet2 is said."""
    return _blank_review_beside(folder, "blank_table_on_a_sheet_with_figures", "Sheet1", "Sheet2")


def blank_sheet_with_a_phone_before_its_copy(folder: Path) -> Case:
    """A blank 年报 as received, a 联系电话 typed on it, the figures typed into 年报 (2): a
    phone number is no figure of the report, the copy holding figures is read."""
    book = Book(folder / "blank_sheet_with_a_phone_before_its_copy.xlsx")
    blank = book.sheet("年报")
    blank.put(0, 0, "某某镇人民政府2025年度政府信息公开工作年度报告", cols=10)
    blank.put(0, 11, "联系电话")
    blank.put(0, 12, 13912345678)
    _national_tables_stacked(blank, "gov-2021", 2, 0, {})
    _titled_sheets(book, [("年报 (2)", 2025, GOV_2021)])
    return Case(
        "blank_sheet_with_a_phone_before_its_copy",
        book.path,
        "gov-2021",
        "某某镇人民政府",
        2025,
        GOV_2021,
    )


def mistyped_labels_and_instructions(folder: Path) -> Case:
    """The labels of mistyped_labels, and a sheet 填表说明 quoting （一）予以公开 with its
    meaning: the retyped row is read where it stands (the quote had been taken for the rest
    of a table cut in two, the row read blank)."""
    book = Book(folder / "mistyped_labels_and_instructions.xlsx")
    sheet = book.sheet("统计表")
    _pair(sheet, 0, 0, "填报单位", "某某乡人民政府")
    _pair(sheet, 1, 0, "报告年度", 2025)
    _national_tables_stacked(sheet, "gov-2021", 3, 0, GOV_2021, Style(rename=MISTYPED_LABELS))
    notes = book.sheet("填表说明")
    notes.put(2, 0, "（一）予以公开")
    notes.put(2, 1, "指全部公开申请人所申请信息的件数")
    book.save()
    return Case(
        "mistyped_labels_and_instructions",
        book.path,
        "gov-2021",
        "某某乡人民政府",
        2025,
        GOV_2021,
    )


def review_rows_worded_otherwise(folder: Path) -> Case:
    """复议诉讼 as three rows, the suits labelled 行政诉讼（未经复议直接起诉） and 行政诉讼（复议后
    起诉）, and the 申请 table's 3.其他 and 其他 column typed 其它 (both words are used): every
    figure is read (the suits' and that row's had been left unread)."""
    name = "review_rows_worded_otherwise"
    book = Book(folder / f"{name}.xlsx")
    sheet = book.sheet("年报")
    row = _first_two_tables(
        sheet, 2025, GOV_2021, Style(rename={"3.其他": "3.其它", "其他": "其它"})
    )
    suits = ("行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
    _review_as_rows(sheet, row + 1, GOV_2021, grouped=False, suits=suits)
    book.save()
    return Case(name, book.path, "gov-2021", "某某县民政局", 2025, GOV_2021)


def applications_on_two_sheets_headers_once(folder: Path) -> Case:
    """As applications_on_two_sheets, the second part without the table's headers (printed
    once, on the first page): its figures are read in the first part's columns (they had
    been left unread, W2, and false A1/A2 followed)."""
    book = Book(folder / "applications_on_two_sheets_headers_once.xlsx")
    first = book.sheet("主动公开")
    _pair(first, 0, 0, "填报单位", "某某县水利局")
    _pair(first, 1, 0, "报告年度", 2025)
    draw(first, active_layout("gov-2021"), 3, 0, GOV_2021)
    head, rest = _applications_in_two("gov-2021", "unable_1")
    draw(book.sheet("申请情况（一）"), head, 0, 0, GOV_2021)
    no_headers = Layout(
        tuple(replace(lb, row=lb.row - 3) for lb in rest.labels if lb.row >= 3),
        tuple(replace(sl, row=sl.row - 3) for sl in rest.slots),
    )
    draw(book.sheet("申请情况（二）"), no_headers, 0, 0, GOV_2021)
    draw(book.sheet("复议诉讼"), review_layout(), 0, 0, GOV_2021)
    book.save()
    return Case(
        "applications_on_two_sheets_headers_once",
        book.path,
        "gov-2021",
        "某某县水利局",
        2025,
        GOV_2021,
    )


BUILDERS: dict[str, Callable[[Path], Case]] = {
    builder.__name__: builder
    for builder in (
        single_sheet_offset,
        sheet_per_table,
        merged_broken_labels,
        wording_variants,
        wrong_totals,
        text_numbers,
        totals_only_rows,
        totals_only_table,
        blank_totals,
        lanjiang_2019,
        title_only,
        signature_only,
        side_by_side,
        far_right,
        missing_table,
        formulas_wrong_cache,
        formulas_no_cache,
        formula_wrong_range,
        gov2019_variants,
        meta_in_one_cell,
        review_split,
        hidden_last_year_rows,
        hidden_last_year_columns,
        last_year_sheet_first,
        retyped_labels,
        review_above_no_total_column,
        review_units_row,
        this_years_blank_rows_hidden,
        this_years_zero_columns_hidden,
        repeated_header_after_page_break,
        review_zero_row_hidden,
        next_years_blank_sheet,
        review_with_a_grand_total,
        hidden_last_year_and_a_row_deleted,
        revised_sheet_after_first,
        draft_sheet_first,
        last_year_shown_above,
        title_year_not_updated,
        town_named_old_revised,
        draft_mark_leading,
        revised_sheet_with_one_table,
        partly_filled_final_sheet,
        next_years_blank_copy,
        date_line_between_copies,
        side_by_side_copies,
        zeros_typed_in_the_report,
        this_year_word_over_a_year,
        copy_before_correction,
        numbered_revisions,
        sheets_before_and_after_correction,
        header_corrected_on_the_revision,
        side_by_side_merged_headings,
        side_by_side_a_row_lower,
        several_drafts,
        year_named_over_words,
        breakdown_under_the_report,
        group_sheet_between_versions,
        next_years_plan_beside,
        last_years_review_shown_above,
        excel_copy_with_other_figures,
        excel_copy_unchanged,
        blank_sheet_before_its_copy,
        two_copies_nothing_tells,
        mistyped_labels,
        review_as_three_rows,
        review_rows_wrong_total,
        blank_table_beside_a_breakdown,
        copy_titled_as_a_breakdown,
        retyped_in_both_copies_side_by_side,
        two_copies_first_retyped,
        applications_on_two_sheets,
        national_review_beside_last_years_rows,
        blank_national_review_and_rows,
        last_row_retyped,
        blank_table_on_a_sheet_with_figures,
        blank_sheet_with_a_phone_before_its_copy,
        mistyped_labels_and_instructions,
        review_rows_worded_otherwise,
        applications_on_two_sheets_headers_once,
    )
}


def build_all(folder: Path) -> dict[str, Case]:
    return {name: builder(folder) for name, builder in BUILDERS.items()}
