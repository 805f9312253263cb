"""The reference report as a unit lays it out by hand: the published page's tables copied
into one Excel sheet, with its title, headings, prose, merged labels, the labels it actually
prints (上年转结, 转结下年度, 本年新收到, "结果⏎⏎维持", "其他结 果"), blank cells, and the
signature. No hidden map: `toolkit check` must find every table by its labels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

TITLE = "余姚市兰江街道2020年度政府信息工作年度报告"  # sic: the published title omits 公开
APPLICANT_COLUMNS = ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")


class _Sheet:
    """A cursor over a worksheet: write rows top to bottom, merge as the page does."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    def put(self, row: int, col: int, value: Any, rows: int = 1, cols: int = 1) -> None:
        if value is not None:
            cell = self.sheet.cell(row, col, value)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        if rows > 1 or cols > 1:
            self.sheet.merge_cells(
                start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1
            )

    def line(self, text: str, cols: int = 10) -> None:
        self.put(self.row, 1, text, cols=cols)
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows


def _active(s: _Sheet, values: dict[str, Any]) -> None:
    blocks = [
        (
            "第二十条第（一）项",
            ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
            [("规章", "regs"), ("规范性文件", "normative")],
            ["made", "published", "total_public"],
        ),
        (
            "第二十条第（五）项",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            [("行政许可", "licensing"), ("其他对外管理服务事项", "other_services")],
            ["prev_items", "change", "decisions"],
        ),
        (
            "第二十条第（六）项",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            [("行政处罚", "penalty"), ("行政强制", "coercion")],
            ["prev_items", "change", "decisions"],
        ),
        (
            "第二十条第（八）项",
            ["上一年项目数量", "本年增/减"],
            [("行政事业性收费", "fees")],
            ["prev_items", "change"],
        ),
        (
            "第二十条第（九）项",
            ["采购项目数量", "采购总金额"],
            [("政府集中采购", "procurement")],
            ["projects", "amount"],
        ),
    ]
    for title, headers, rows, columns in blocks:
        s.put(s.row, 1, title, cols=4)
        s.row += 1
        for c, text in enumerate(["信息内容", *headers], start=1):
            s.put(s.row, c, text)
        s.row += 1
        for label, key in rows:
            s.put(s.row, 1, label)
            for c, column in enumerate(columns, start=2):
                s.put(s.row, c, values.get(f"active.{key}.{column}"))
            s.row += 1


def _supplement(s: _Sheet, supp: dict[str, Any]) -> None:
    rows: list[tuple[str, str, str | None]] = [
        ("一、主动公开情况", "——", None),
        (
            "　　（一）主动公开政府信息数\n　　　　（不同渠道和方式公开相同信息计1条）",
            "条",
            "active.total",
        ),
        ("　　　　　　其中：主动公开规范性文件数", "条", "active.normative"),
        ("　　　　　　　　　制发规范性文件总数", "件", "active.normative_issued"),
        ("　　（二）通过不同渠道和方式公开政府信息的情况", "——", None),
        ("　　　　　1.政府公报公开政府信息数", "条", "channel.gazette"),
        ("　　　　　2.政府网站公开政府信息数", "条", "channel.website"),
        ("　　　　　3.政务微博公开政府信息数", "条", "channel.weibo"),
        ("　　　　　4.政务微信公开政府信息数", "条", "channel.wechat"),
        ("　　　　　5.其他方式公开政府信息数", "条", "channel.other"),
        ("二、回应解读情况", "——", None),
        (
            "　　（一）回应公众关注热点或重大舆情数\n　　　　（不同方式回应同一热点或舆情计1次）",
            "次",
            "response.hotspots",
        ),
        ("　　（二）通过不同渠道和方式回应解读的情况", "——", None),
        ("　　　　　1.参加或举办新闻发布会总次数", "次", "response.press_conf"),
        ("　　　　　　其中：主要负责同志参加新闻发布会次数", "次", "response.press_conf_head"),
        ("　　　　　2.政府网站在线访谈次数", "次", "response.interviews"),
        (
            "　　　　　　其中：主要负责同志参加政府网站在线访谈次数",
            "次",
            "response.interviews_head",
        ),
        ("　　　　　3.政策解读稿件发布数", "篇", "response.interpretations"),
        ("　　　　　4.微博微信回应事件数", "次", "response.weibo_wechat"),
        ("　　　　　5.其他方式回应事件数", "次", "response.other"),
        ("八、机构建设和保障经费情况", "——", None),
        ("　　（一）政府信息公开工作专门机构数", "个", "org.offices"),
        ("　　（二）设置政府信息公开查阅点数", "个", "org.reading_points"),
        ("　　（三）从事政府信息公开工作人员数", "人", "org.staff"),
        ("　　　　　1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "org.staff_full"),
        ("　　　　　2.兼职人员数", "人", "org.staff_part"),
        (
            "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及\n政府网站建设维护等方面的经费）",
            "万元",
            "org.budget",
        ),
        ("九、政府信息公开会议和培训情况", "——", None),
        ("　　（一）召开政府信息公开工作会议或专题会议数", "次", "meetings.meetings"),
        ("　　（二）举办各类培训班数", "次", "meetings.trainings"),
        ("　　（三）接受培训人员数", "人次", "meetings.trainees"),
    ]
    for c, text in enumerate(("统　计　指　标", "单位", "统计数"), start=1):
        s.put(s.row, c, text)
    s.row += 1
    for label, unit, key in rows:
        s.put(s.row, 1, label)
        s.put(s.row, 2, unit)
        s.put(s.row, 3, supp.get(f"supp.{key}") if key else None)
        s.row += 1


def _applications(s: _Sheet, values: dict[str, Any]) -> None:
    top = s.row
    s.put(
        top,
        1,
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        rows=3,
        cols=3,
    )
    s.put(top, 4, "申请人情况", cols=7)
    s.put(top + 1, 4, "自然人", rows=2)
    s.put(top + 1, 5, "法人或其他组织", cols=5)
    s.put(top + 1, 10, "总计", rows=2)
    for c, text in enumerate(
        ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"), start=5
    ):
        s.put(top + 2, c, text)
    s.row = top + 3
    groups: list[tuple[str | None, list[tuple[str, str]]]] = [
        (
            "（三）不予公开",
            [
                (f"withheld_{i}", t)
                for i, t in enumerate(
                    [
                        "1.属于国家秘密",
                        "2.其他法律行政法规禁止公开",
                        "3.危及“三安全一稳定”",
                        "4.保护第三方合法权益",
                        "5.属于三类内部事务信息",
                        "6.属于四类过程性信息",
                        "7.属于行政执法案卷",
                        "8.属于行政查询事项",
                    ],
                    start=1,
                )
            ],
        ),
        (
            "（四）无法提供",
            [
                (f"unable_{i}", t)
                for i, t in enumerate(
                    [
                        "1.本机关不掌握相关政府信息",
                        "2.没有现成信息需要另行制作",
                        "3.补正后申请内容仍不明确",
                    ],
                    start=1,
                )
            ],
        ),
        (
            "（五）不予处理",
            [
                (f"refused_{i}", t)
                for i, t in enumerate(
                    [
                        "1.信访举报投诉类申请",
                        "2.重复申请",
                        "3.要求提供公开出版物",
                        "4.无正当理由大量反复申请",
                        "5.要求行政机关确认或重新出具已获取信息",
                    ],
                    start=1,
                )
            ],
        ),
    ]

    def numbers(key: str) -> None:
        for c, column in enumerate(APPLICANT_COLUMNS, start=4):
            s.put(s.row, c, values.get(f"applications.{key}.{column}"))
        s.row += 1

    s.put(s.row, 1, "一、本年新收到政府信息公开申请数量", cols=3)
    numbers("new")
    s.put(s.row, 1, "二、上年转结政府信息公开申请数量", cols=3)
    numbers("carried_in")
    s.put(s.row, 1, "三、本年度办理结果", rows=20)
    for key, label in (
        ("granted", "（一）予以公开"),
        ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ):
        s.put(s.row, 2, label, cols=2)
        numbers(key)
    for parent, leaves in groups:
        s.put(s.row, 2, parent, rows=len(leaves))
        for key, label in leaves:
            s.put(s.row, 3, label)
            numbers(key)
    for key, label in (("other", "（六）其他处理"), ("handled_total", "（七）总计")):
        s.put(s.row, 2, label, cols=2)
        numbers(key)
    s.put(s.row, 1, "四、转结下年度继续办理", cols=3)
    numbers("carried_out")


def _review(s: _Sheet, values: dict[str, Any]) -> None:
    top = s.row
    s.put(top, 1, "行政复议", cols=5)
    s.put(top, 6, "行政诉讼", cols=10)
    for c, text in enumerate(("结果\n\n维持", "结果纠正", "其他结果", "尚未审结", "总计"), start=1):
        s.put(top + 1, c, text, rows=2)
    s.put(top + 1, 6, "未经复议直接起诉", cols=5)
    s.put(top + 1, 11, "复议后起诉", cols=5)
    leaves = (
        "结果维持",
        "结果纠正",
        "其他结 果",
        "尚未审结",
        "总计",
        "结果维 持",
        "结果纠 正",
        "其他结果",
        "尚未审结",
        "总计",
    )
    for c, text in enumerate(leaves, start=6):
        s.put(top + 2, c, text)
    c = 1
    for group in ("appeal", "suit_direct", "suit_after"):
        for outcome in ("upheld", "corrected", "other", "pending", "total"):
            s.put(top + 3, c, values.get(f"review.{group}.{outcome}"))
            c += 1
    s.row = top + 4


def write_handmade(
    path: Path,
    values: dict[str, Any],
    supp: dict[str, Any],
    save: Callable[[Workbook, Path], None] | None = None,
) -> None:
    """Lay the report out as the published page does and save it to ``path``."""
    workbook = Workbook()
    s = _Sheet(workbook.active)
    s.sheet.title = "兰江街道年报"
    s.line(TITLE)
    s.skip()
    s.line("一基本情况")
    s.line("（一）加强组织保障、健全工作机制。（正文略）")
    s.line("二、政府信息主动公开情况")
    _active(s, values)
    s.skip()
    s.line("三、公开平台建设和信息发布情况")
    s.line("本街道2020年度共主动公开各类政府信息1038条。（正文略）")
    _supplement(s, supp)
    s.skip()
    s.line("四、政府信息公开的收费及减免情况")
    s.line("本年度来街道无政府信息公开的收费。")
    s.line("五、依申请公开政府信息情况，举报、投诉、行政复议和行政诉讼的处理及应对情况。")
    s.line("（一）收到和处理政府信息公开申请情况")
    _applications(s, values)
    s.skip()
    s.line("（二）政府信息公开行政复议、行政诉讼情况")
    _review(s, values)
    s.skip()
    s.line("六、存在的问题及改进措施")
    s.line("（正文略）")
    s.skip()
    s.line("兰江街道办事处")
    s.line("2021年1月26日")
    s.sheet.column_dimensions["A"].width = 40
    (save or (lambda wb, p: wb.save(p)))(workbook, path)
