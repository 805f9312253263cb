"""Write the example returns shipped in examples/ from the shipped templates.

    python examples/make_examples.py            # rewrites the example workbooks beside this file

兰江街道2020年报.xlsx carries the real published figures of the reference report (余姚市兰江街道,
2020, in the 2019 format) and its supplementary statistics; the narrative text is our own
summary. 凤山街道2025年报.xlsx is an invented, consistent return in the 2021 format.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from examples.handmade_lanjiang import write_handmade  # noqa: E402
from toolkit.files import atomic_write  # noqa: E402
from toolkit.forms.registry import load_form  # noqa: E402
from toolkit.template.writer import TemplateOptions, write_template  # noqa: E402

APPLICANTS = ("natural", "business", "research", "nonprofit", "legal", "other_org")


def _row(prefix: str, counts: dict[str, int]) -> dict[str, Any]:
    """Every applicant column of one applications row; unnamed columns are 0."""
    return {f"applications.{prefix}.{c}": counts.get(c, 0) for c in APPLICANTS}


def lanjiang_2020() -> dict[str, Any]:
    """The reference report's figures (FORMS.md reference/), cell by cell."""
    values: dict[str, Any] = {
        "meta.date": dt.date(2021, 1, 26),
        "text.overview": "街道调整充实政府信息公开工作领导小组，完善公开、保密审查和责任追究制度，"
        "通过政府网站、政务微博、微信公众号和抖音等渠道主动公开政府信息。",
        "text.problems": "政策解读和热点回应仍需加强，相关制度有待完善；下一年将加强培训、"
        "充实工作力量并完善制度。",
        "text.other": "本年度未收取政府信息公开处理费。",
    }
    for doc in ("regs", "normative"):
        for col in ("made", "published", "total_public"):
            values[f"active.{doc}.{col}"] = 0
    items = {
        "licensing": (0, 6, 0),
        "other_services": (0, 0, 0),
        "penalty": (0, 0, 0),
        "coercion": (0, 0, 0),
    }
    for row, (prev, change, decisions) in items.items():
        values[f"active.{row}.prev_items"] = prev
        values[f"active.{row}.change"] = change
        values[f"active.{row}.decisions"] = decisions
    values["active.fees.prev_items"] = 0
    values["active.fees.change"] = 0
    values["active.procurement.projects"] = 6
    values["active.procurement.amount"] = 2504
    values.update(_row("new", {"natural": 2}))
    # 二、上年结转: the published row is blank.
    values.update(_row("granted", {"natural": 1}))
    values.update(_row("partial", {}))
    for kind, count in (("withheld", 8), ("unable", 3), ("refused", 5)):
        for i in range(1, count + 1):
            values.update(_row(f"{kind}_{i}", {}))
    values.update(_row("other", {"natural": 1}))
    values.update(_row("carried_out", {}))
    for group in ("appeal", "suit_direct", "suit_after"):
        for outcome in ("upheld", "corrected", "other", "pending"):
            values[f"review.{group}.{outcome}"] = 0
    return values


def lanjiang_2020_supp() -> dict[str, Any]:
    """The supplementary statistics of the same report; blank where the report is blank."""
    return {
        "meta.date": dt.date(2021, 1, 26),
        "supp.active.total": 1038,
        "supp.channel.website": 1038,
        "supp.channel.weibo": 210,
        "supp.channel.wechat": 332,
        "supp.channel.other": 32,
        "supp.response.hotspots": 115,
        "supp.response.interpretations": 2,
        "supp.response.weibo_wechat": 5,
        "supp.response.other": 712,
        "supp.org.offices": 1,
        "supp.org.staff_part": 3,
        "supp.meetings.meetings": 1,
        "supp.meetings.trainings": 1,
        "supp.meetings.trainees": 40,
    }


def fengshan_2025() -> dict[str, Any]:
    """An invented 街道 return in the 2021 format that passes every rule."""
    values: dict[str, Any] = {
        "meta.preparer": "王丽",
        "meta.phone": "0574-62000000",
        "meta.head": "陈刚",
        "meta.date": dt.date(2026, 1, 20),
        "text.overview": "（示例）本年度围绕重点领域推进主动公开，规范依申请公开办理流程。",
        "text.problems": "（示例）解读形式较单一，下一年将增加图解和视频解读。",
        "text.other": "（示例）本年度未收取信息处理费。",
        "active.regs.issued": 0,
        "active.regs.repealed": 0,
        "active.regs.in_force": 0,
        "active.normative.issued": 3,
        "active.normative.repealed": 1,
        "active.normative.in_force": 12,
        "active.licensing.decisions": 145,
        "active.penalty.decisions": 38,
        "active.coercion.decisions": 2,
        "active.fees.amount": 0,
        "fees_info.notices": 0,
    }
    values.update(_row("new", {"natural": 14, "business": 3, "other_org": 1}))
    values.update(_row("carried_in", {"natural": 1}))
    values.update(_row("granted", {"natural": 8, "business": 2}))
    values.update(_row("partial", {"natural": 2}))
    values.update(_row("unable_1", {"natural": 3, "other_org": 1}))
    values.update(_row("refused_2", {"business": 1}))
    values.update(_row("other_3", {"natural": 1}))
    values.update(_row("carried_out", {"natural": 1}))
    for group in ("appeal", "suit_direct", "suit_after"):
        for outcome in ("upheld", "corrected", "other", "pending"):
            values[f"review.{group}.{outcome}"] = 0
    values["review.appeal.upheld"] = 1
    return values


# The same report laid out by hand, as the published page shows it (no template map).
HANDMADE = "兰江街道2020年报（手工表格）.xlsx"


def _totals_as_published() -> dict[str, Any]:
    """The 总计 figures the published tables print (the template computes them itself)."""
    published = {
        "new": 2,
        "granted": 1,
        "other": 1,
        "handled_total": 2,
        "carried_out": 0,
        "partial": 0,
    }
    for kind, count in (("withheld", 8), ("unable", 3), ("refused", 5)):
        published.update({f"{kind}_{i}": 0 for i in range(1, count + 1)})
    values: dict[str, Any] = {f"applications.{row}.total": n for row, n in published.items()}
    values.update({f"applications.handled_total.{c}": 0 for c in APPLICANTS})
    values["applications.handled_total.natural"] = 2
    values.update({f"review.{g}.total": 0 for g in ("appeal", "suit_direct", "suit_after")})
    return values


EXAMPLES = {
    "兰江街道2020年报.xlsx": ("gov-2019", 2020, "兰江街道办事处", lanjiang_2020),
    "兰江街道2020补充统计表.xlsx": ("supp-stats", 2020, "兰江街道办事处", lanjiang_2020_supp),
    "凤山街道2025年报.xlsx": ("gov-2021", 2025, "凤山街道办事处", fengshan_2025),
}


def main(folder: Path = HERE) -> list[Path]:
    written = []
    for name, (form, year, unit, values) in EXAMPLES.items():
        spec = load_form(form)
        options = TemplateOptions(year=year, unit=unit, values=values())
        path = folder / name
        atomic_write(path, lambda tmp, s=spec, o=options: write_template(s, tmp, o))
        written.append(path)
    handmade = folder / HANDMADE
    figures = {**lanjiang_2020(), **_totals_as_published()}
    supp = {**lanjiang_2020_supp(), "supp.org.staff": 3}  # printed; the template computes it
    atomic_write(handmade, lambda tmp: write_handmade(tmp, figures, supp))
    written.append(handmade)
    return written


if __name__ == "__main__":
    for path in main():
        print(path)
