"""The figures of the reference report (../shared/reference/lanjiang-2020-published-report.txt,
a 街道办事处's published gov-2019 report for 2020), every value of its tables, written out by
hand from the published text, and helpers to break a published text the way real ones are.
"""

from __future__ import annotations

from tests.handmade import SUPP_ROWS

APPLICANT = ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")
_ZERO = (0, 0, 0, 0, 0, 0, 0)
_APPLICATION_ROWS = {
    "new": (2, 0, 0, 0, 0, 0, 2),
    "carried_in": (None,) * 7,  # left blank in the published table
    "granted": (1, 0, 0, 0, 0, 0, 1),
    "partial": _ZERO,
    **{f"withheld_{i}": _ZERO for i in range(1, 9)},
    **{f"unable_{i}": _ZERO for i in range(1, 4)},
    **{f"refused_{i}": _ZERO for i in range(1, 6)},
    "other": (1, 0, 0, 0, 0, 0, 1),
    "handled_total": (2, 0, 0, 0, 0, 0, 2),
    "carried_out": _ZERO,
}
_ACTIVE = {
    "regs": {"made": 0, "published": 0, "total_public": 0},
    "normative": {"made": 0, "published": 0, "total_public": 0},
    "licensing": {"prev_items": 0, "change": 6, "decisions": 0},
    "other_services": {"prev_items": 0, "change": 0, "decisions": 0},
    "penalty": {"prev_items": 0, "change": 0, "decisions": 0},
    "coercion": {"prev_items": 0, "change": 0, "decisions": 0},
    "fees": {"prev_items": 0, "change": 0},
    "procurement": {"projects": 6, "amount": 2504},
}
_SUPP = {
    "active.total": 1038, "active.normative": None, "active.normative_issued": None,
    "channel.gazette": None, "channel.website": 1038, "channel.weibo": 210,
    "channel.wechat": 332, "channel.other": 32,
    "response.hotspots": 115, "response.press_conf": None, "response.press_conf_head": None,
    "response.interviews": None, "response.interviews_head": None,
    "response.interpretations": 2, "response.weibo_wechat": 5, "response.other": 712,
    "org.offices": 1, "org.reading_points": None, "org.staff": 3, "org.staff_full": None,
    "org.staff_part": 3, "org.budget": None,
    "meetings.meetings": 1, "meetings.trainings": 1, "meetings.trainees": 40,
}  # fmt: skip


def lanjiang_2020_values() -> dict[str, int | None]:
    """Every figure of the reference report, keyed as `toolkit check --format json` gives."""
    values: dict[str, int | None] = {}
    for row, columns in _ACTIVE.items():
        values.update({f"active.{row}.{col}": v for col, v in columns.items()})
    for row, numbers in _APPLICATION_ROWS.items():
        values.update(
            {f"applications.{row}.{c}": v for c, v in zip(APPLICANT, numbers, strict=True)}
        )
    for group in ("appeal", "suit_direct", "suit_after"):
        for outcome in ("upheld", "corrected", "other", "pending", "total"):
            values[f"review.{group}.{outcome}"] = 0
    values.update({f"supp.{key}": v for key, v in _SUPP.items()})
    return values


# ---------------------------------------------------------------------------- a saved page


def _row(*cells: str) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _td(text: object = "", rows: int = 1, cols: int = 1) -> str:
    span = (f' rowspan="{rows}"' if rows > 1 else "") + (f' colspan="{cols}"' if cols > 1 else "")
    shown = "" if text is None else str(text)
    return f'<td{span}><p style="text-align:center"><span>{shown}</span></p></td>'


_WITHHELD = ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
             "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
             "7.属于行政执法案卷", "8.属于行政查询事项")  # fmt: skip
_UNABLE = ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
_REFUSED = ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
            "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息")  # fmt: skip


def lanjiang_2020_page(values: dict[str, int | None] | None = None) -> str:
    """The reference report as a government website serves it, written by hand (not by our
    writer): a layout table around everything, navigation and scripts, the tables as the
    official format merges them, labels broken by <br> and spaces ("结果维 持"), figures
    padded with spaces, the wording variants of the real page (上年转结, 本年新收到)."""
    v = lanjiang_2020_values() if values is None else values

    def n(key: str) -> str:
        value = v[key]
        return "" if value is None else f" {value} "

    def app_row(key: str) -> list[str]:
        return [_td(n(f"applications.{key}.{c}")) for c in APPLICANT]

    active = [
        _row(_td("第二十条第（一）项", cols=4)),
        _row(*map(_td, ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"))),
    ]
    for key, label in (("regs", "规章"), ("normative", "规范性文件")):
        active.append(
            _row(
                _td(label),
                *(_td(n(f"active.{key}.{c}")) for c in ("made", "published", "total_public")),
            )
        )
    for item, rows in (
        ("（五）", (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
        ("（六）", (("penalty", "行政处罚"), ("coercion", "行政强制"))),
    ):
        active.append(_row(_td(f"第二十条第{item}项", cols=4)))
        active.append(_row(*map(_td, ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"))))
        for key, label in rows:
            active.append(
                _row(
                    _td(label),
                    *(_td(n(f"active.{key}.{c}")) for c in ("prev_items", "change", "decisions")),
                )
            )
    active += [
        _row(_td("第二十条第（八）项", cols=4)),
        _row(_td("信息内容"), _td("上一年项目数量"), _td("本年增/减", cols=2)),
        _row(
            _td("行政事业性收费"),
            _td(n("active.fees.prev_items")),
            _td(n("active.fees.change"), cols=2),
        ),
        _row(_td("第二十条第（九）项", cols=4)),
        _row(_td("信息内容"), _td("采购项目数量"), _td("采购总金额", cols=2)),
        _row(
            _td("政府集中采购"),
            _td(n("active.procurement.projects")),
            _td(n("active.procurement.amount"), cols=2),
        ),
    ]

    applications = [
        _row(
            _td("（本列数据的勾稽关系为：第一项加第二项之和，<br>等于第三项加第四项之和）", 3, 3),
            _td("申请人情况", cols=7),
        ),
        _row(_td("自然人", rows=2), _td("法人或其他组织", cols=5), _td("总计", rows=2)),
        _row(*map(_td, ("商业<br>企业", "科研<br>机构", "社会公益组织", "法律服务机构", "其他"))),
        _row(_td("一、本年新收到政府信息公开申请数量", cols=3), *app_row("new")),
        _row(_td("二、上年转结政府信息公开申请数量", cols=3), *app_row("carried_in")),
        _row(
            _td("三、本年度办理结果", rows=20), _td("（一）予以公开", cols=2), *app_row("granted")
        ),
        _row(
            _td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", cols=2),
            *app_row("partial"),
        ),
    ]
    for parent, labels, prefix in (
        ("（三）不予公开", _WITHHELD, "withheld"),
        ("（四）无法提供", _UNABLE, "unable"),
        ("（五）不予处理", _REFUSED, "refused"),
    ):
        for i, label in enumerate(labels, start=1):
            head = [_td(parent, rows=len(labels))] if i == 1 else []
            applications.append(_row(*head, _td(label), *app_row(f"{prefix}_{i}")))
    applications += [
        _row(_td("（六）其他处理", cols=2), *app_row("other")),
        _row(_td("（七）总计", cols=2), *app_row("handled_total")),
        _row(_td("四、转结下年度继续办理", cols=3), *app_row("carried_out")),
    ]

    outcomes = ("结果维 持", "结果纠正", "其他结 果", "尚未审结", "总计")
    review = [
        _row(_td("行政复议", cols=5), _td("行政诉讼", cols=10)),
        _row(
            *(_td(o, rows=2) for o in outcomes),
            _td("未经复议直接起诉", cols=5),
            _td("复议后起诉", cols=5),
        ),
        _row(*(_td(o) for o in outcomes * 2)),
        _row(
            *(
                _td(n(f"review.{g}.{o}"))
                for g in ("appeal", "suit_direct", "suit_after")
                for o in ("upheld", "corrected", "other", "pending", "total")
            )
        ),
    ]

    supp_rows = [("统计指标", "单位", "统计数")] + [
        (_page_label(label), unit, None if key is None else n(f"supp.{key}"))
        for label, unit, key in SUPP_ROWS
    ]
    supp = [_row(*(_td(c) for c in row)) for row in supp_rows]

    def table(rows: list[str]) -> str:
        return '<table border="1" cellspacing="0" width="600">' + "".join(rows) + "</table>"

    body = "".join(
        [
            "<p>余姚市兰江街道2020年度政府信息工作年度报告</p>",
            "<p>2020年，兰江街道贯彻落实政府信息公开条例，现将工作报告如下：</p>",
            "<p>一、总体情况</p><p>街道调整充实了政府信息公开工作领导小组。</p>",
            "<p>二、政府信息主动公开情况</p>",
            table(active),
            "<p>三、公开平台建设情况</p>",
            table(supp),
            "<p>（一）收到和处理政府信息公开申请情况</p>",
            table(applications),
            "<p>（二）政府信息公开行政复议、行政诉讼情况</p>",
            table(review),
            "<p>六、存在的问题及改进措施</p><p>政策解读有待加强。</p>",
            '<p style="text-align:right">兰江街道办事处</p>',
            '<p style="text-align:right">2021年1月26日</p>',
        ]
    )
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>兰江街道2020年度政府信息公开工作年度报告</title>"
        "<script>var nav = '<table><tr><td>首页</td></tr></table>';</script></head><body>"
        '<table width="100%"><tr><td><a href="/">首页</a> &gt; 政府信息公开年报</td></tr>'
        f'<tr><td><div class="content">{body}</div></td></tr>'
        "<tr><td>主办单位：余姚市兰江街道办事处 版权所有</td></tr></table></body></html>"
    )


# the page breaks these labels where the web page's table wraps them
_BROKEN = {
    "（一）主动公开政府信息数（": "（一）主动公开政府信息数<br>（",
    "舆情数（": "舆情数<br>（",
    "编辑管理及": "编辑管理及<br>",
}


def _page_label(label: str) -> str:
    for whole, broken in _BROKEN.items():
        label = label.replace(whole, broken)
    return label
