"""The figures of the reference report (../shared/reference/lanjiang-2020-published-report.txt,
a 街道办事处's published gov-2019 report for 2020), every value of its tables, written out by
hand from the published text, and helpers to break a published text the way real ones are.
"""

from __future__ import annotations

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
