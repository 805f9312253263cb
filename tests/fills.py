"""Random fills of the national and local forms: consistent ones, and ones with one rule broken.

A consistent fill satisfies every rule the template shows; a broken fill then changes a few
cells (typing over a total where the rule is about totals) so that one named rule fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from toolkit.forms.model import FormSpec
from toolkit.forms.pandas_rules import compute_totals
from toolkit.template.writer import template_rules

Values = dict[str, Any]


def _has(spec: FormSpec, key: str) -> bool:
    return key in spec.fields


def consistent_fill(spec: FormSpec, rng: np.random.Generator) -> Values:
    values: Values = {}
    if any(t.key == "applications" for t in spec.tables):
        _applications(spec, rng, values)
    if any(t.key == "review" for t in spec.tables):
        for group in spec.sets["review_groups"]:
            for outcome in ("upheld", "other", "pending"):
                values[f"review.{group}.{outcome}"] = int(rng.integers(0, 4))
            values[f"review.{group}.corrected"] = 0
    if _has(spec, "active.regs.issued"):
        _active_2021(rng, values)
    if _has(spec, "active.regs.made"):
        _active_2019(spec, rng, values)
    if _has(spec, "fees_info.notices") and rng.random() < 0.7:
        other_2 = sum(values.get(f"applications.other_2.{c}", 0) for c in spec.sets["applicant"])
        values["fees_info.notices"] = other_2 + int(rng.integers(0, 3))
        noticed = round(float(rng.uniform(0, 500)), 2)
        values["fees_info.noticed_yuan"] = noticed
        values["fees_info.collected_yuan"] = round(noticed * float(rng.random()), 2)
    if _has(spec, "supp.active.total"):
        _supp(spec, rng, values)
    # Blank cells count as 0: turn some zeros into blanks, as people leave cells empty.
    for key, value in list(values.items()):
        if value == 0 and rng.random() < 0.3:
            values[key] = None
    return values


def _applications(spec: FormSpec, rng: np.random.Generator, values: Values) -> None:
    table = spec.table("applications")
    handled = [
        r for r in table.row_keys if r not in ("new", "carried_in", "handled_total", "carried_out")
    ]
    bins = [*handled, "carried_out"]
    weights = np.array([8.0 if b == "granted" else 1.0 for b in bins])
    for col in spec.sets["applicant"]:
        new = int(rng.integers(0, 15))
        carried_in = int(rng.integers(0, 4))
        values[f"applications.new.{col}"] = new
        values[f"applications.carried_in.{col}"] = carried_in
        counts = rng.multinomial(new + carried_in, weights / weights.sum())
        for row, count in zip(bins, counts, strict=True):
            values[f"applications.{row}.{col}"] = int(count)


def _active_2021(rng: np.random.Generator, values: Values) -> None:
    for doc in ("regs", "normative"):
        issued = int(rng.integers(0, 10))
        values[f"active.{doc}.issued"] = issued
        values[f"active.{doc}.repealed"] = int(rng.integers(0, 5))
        values[f"active.{doc}.in_force"] = issued + int(rng.integers(0, 50))
    for row in ("licensing", "penalty", "coercion"):
        values[f"active.{row}.decisions"] = int(rng.integers(0, 500))
    values["active.fees.amount"] = round(float(rng.uniform(0, 100)), 2)


def _active_2019(spec: FormSpec, rng: np.random.Generator, values: Values) -> None:
    for doc in ("regs", "normative"):
        for col in ("made", "published", "total_public"):
            values[f"active.{doc}.{col}"] = int(rng.integers(0, 20))
    for row in spec.sets["item_rows"]:
        prev = int(rng.integers(0, 50))
        values[f"active.{row}.prev_items"] = prev
        values[f"active.{row}.change"] = int(rng.integers(-prev, 20))
        if _has(spec, f"active.{row}.decisions"):
            values[f"active.{row}.decisions"] = int(rng.integers(0, 100))
    values["active.procurement.projects"] = int(rng.integers(0, 10))
    values["active.procurement.amount"] = round(float(rng.uniform(0, 3000)), 2)


def _supp(spec: FormSpec, rng: np.random.Generator, values: Values) -> None:
    total = int(rng.integers(50, 2000))
    values["supp.active.total"] = total
    values["supp.active.normative"] = int(rng.integers(0, min(total, 30)))
    values["supp.active.normative_issued"] = int(rng.integers(0, 30))
    for channel in spec.sets["channels"]:
        values[f"supp.channel.{channel}"] = int(rng.integers(0, total + 1))
    values["supp.response.hotspots"] = int(rng.integers(0, 200))
    for parent in ("press_conf", "interviews"):
        count = int(rng.integers(0, 10))
        values[f"supp.response.{parent}"] = count
        values[f"supp.response.{parent}_head"] = int(rng.integers(0, count + 1))
    for key in ("interpretations", "weibo_wechat", "other"):
        values[f"supp.response.{key}"] = int(rng.integers(0, 800))
    values["supp.org.offices"] = int(rng.integers(0, 3))
    values["supp.org.reading_points"] = int(rng.integers(0, 5))
    values["supp.org.staff_full"] = int(rng.integers(0, 4))
    values["supp.org.staff_part"] = int(rng.integers(0, 6))
    values["supp.org.budget"] = round(float(rng.uniform(0, 50)), 2)
    for key in ("meetings", "trainings"):
        values[f"supp.meetings.{key}"] = int(rng.integers(0, 5))
    values["supp.meetings.trainees"] = int(rng.integers(0, 200))


def computed_values(spec: FormSpec, values: Values) -> dict[str, float]:
    """The totals a spreadsheet shows for these inputs (to type a wrong one over them)."""
    row = {k: (np.nan if values.get(k) is None else values.get(k)) for k in spec.numeric_keys}
    frame = compute_totals(spec, pd.DataFrame([row], dtype="float64"))
    return {k: float(frame[k].iloc[0]) for k in spec.fields if spec.fields[k].computed}


def breakable_rules(spec: FormSpec) -> list[str]:
    ids = sorted({r.id for r in template_rules(spec)})
    return [i for i in ids if i in BREAKERS]


def break_rule(spec: FormSpec, rule: str, values: Values, rng: np.random.Generator) -> Values:
    """A copy of a consistent fill with ``rule`` broken."""
    out = dict(values)
    BREAKERS[rule](spec, out, rng)
    return out


def _pick(rng: np.random.Generator, items: list[str] | tuple[str, ...]) -> str:
    return str(items[int(rng.integers(0, len(items)))])


def _overwrite_total(spec: FormSpec, values: Values, rng: np.random.Generator, prefix: str) -> None:
    totals = computed_values(spec, values)
    key = _pick(rng, [t.total for t in spec.totals if t.rule == prefix])
    values[key] = totals[key] + int(rng.integers(1, 5))


def _a1(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    key = f"applications.carried_out.{_pick(rng, spec.sets['applicant'])}"
    values[key] = (values.get(key) or 0) + int(rng.integers(1, 3))


def _n1(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    inputs = [
        k
        for k, f in spec.fields.items()
        if f.kind in ("count", "money", "change") and not f.computed
    ]
    key = _pick(rng, inputs)
    kind = spec.fields[key].kind
    bad: list[Any] = {"count": [-1, 2.5, "十二"], "money": [-3.25, "abc"], "change": [1.5, "x"]}[
        kind
    ]
    values[key] = bad[int(rng.integers(0, len(bad)))]


def _p1(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    row = _pick(rng, spec.sets["item_rows"])
    prev = int(rng.integers(0, 6))
    values[f"active.{row}.prev_items"] = prev
    values[f"active.{row}.change"] = -(prev + int(rng.integers(1, 4)))


def _m1(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    if rng.random() < 0.5:
        values["meta.unit"] = None
    else:
        values["meta.year"] = dt.date.today().year + int(rng.integers(1, 3))


def _m2(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    values["meta.year"] = 2020 if spec.id == "gov-2021" else 2021 + int(rng.integers(0, 4))


def _w1(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    doc = _pick(rng, ("regs", "normative"))
    issued = int(rng.integers(2, 10))
    values[f"active.{doc}.issued"] = issued
    values[f"active.{doc}.in_force"] = issued - int(rng.integers(1, issued + 1))


def _w3(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    values[f"review.{_pick(rng, spec.sets['review_groups'])}.corrected"] = int(rng.integers(1, 3))


def _w4(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    noticed = round(float(rng.uniform(0, 300)), 2)
    values["fees_info.noticed_yuan"] = noticed
    values["fees_info.collected_yuan"] = round(noticed + float(rng.uniform(0.01, 50)), 2)


def _w7(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    row = _pick(rng, [r for r in spec.table("applications").row_keys if r != "handled_total"])
    for col in spec.sets["applicant"]:
        values[f"applications.{row}.{col}"] = None
    values[f"applications.{row}.total"] = int(rng.integers(1, 9))


def _s1(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    parent = _pick(rng, ("press_conf", "interviews"))
    count = values.get(f"supp.response.{parent}") or 0
    values[f"supp.response.{parent}_head"] = count + int(rng.integers(1, 3))


def _s3(spec: FormSpec, values: Values, rng: np.random.Generator) -> None:
    channel = _pick(rng, spec.sets["channels"])
    values[f"supp.channel.{channel}"] = (values.get("supp.active.total") or 0) + 1


BREAKERS = {
    "A1": _a1,
    "A2": lambda s, v, r: _overwrite_total(s, v, r, "A2"),
    "A3": lambda s, v, r: _overwrite_total(s, v, r, "A3"),
    "R1": lambda s, v, r: _overwrite_total(s, v, r, "R1"),
    "S2": lambda s, v, r: _overwrite_total(s, v, r, "S2"),
    "N1": _n1,
    "P1": _p1,
    "M1": _m1,
    "M2": _m2,
    "W1": _w1,
    "W3": _w3,
    "W4": _w4,
    "W7": _w7,
    "S1": _s1,
    "S3": _s3,
}


def edge_fill(spec: FormSpec, values: Values, rng: np.random.Generator) -> Values:
    """A fill with content where spreadsheets and naive code part ways: spaces of any width,
    line breaks, numbers typed as text, error values, decimals that only add up with a
    tolerance, a year typed as text. No verdict is expected; Excel and pandas must simply
    agree."""
    out = dict(values)
    inputs = [
        k
        for k, f in spec.fields.items()
        if not f.computed and f.kind not in ("year", "date", "longtext")
    ]
    for _ in range(int(rng.integers(1, 4))):
        key = _pick(rng, inputs)
        choice = int(rng.integers(0, 14))
        if choice == 0:
            out[key] = " " * int(rng.integers(1, 3))
        elif choice == 1:
            out[key] = "\u3000"
        elif choice == 2:
            out[key] = str(int(rng.integers(0, 20)))  # a number typed as text
        elif choice == 3:
            out[key] = "=1/0"  # a formula that evaluates to #DIV/0!
        elif choice == 4 and "applications.new.natural" in spec.fields:
            col = _pick(rng, spec.sets["applicant"])
            out[f"applications.new.{col}"] = 0.1
            out[f"applications.carried_in.{col}"] = 0.2
            for row in spec.table("applications").row_keys:
                if row not in ("new", "carried_in", "handled_total"):
                    out[f"applications.{row}.{col}"] = None
            out[f"applications.granted.{col}"] = 0.3  # 0.1 + 0.2 = 0.3 only with a tolerance
        elif choice == 5:
            out[key] = round(float(rng.uniform(0, 3)), 1)
        elif choice == 6:
            out[key] = dt.date(2025, 1, 1) if rng.random() < 0.5 else dt.datetime(2025, 1, 1, 12)
        elif choice == 7:
            out[key] = 7.999999999999999  # what (0.1 + 0.7) * 10 gives
        elif choice == 8:
            out[key] = 5.0000001  # a difference below the tolerance
        elif choice == 9:
            out[key] = 1.234  # a third decimal
        elif choice == 10:
            out[key] = 1234567890  # above the cap
        elif choice == 11:
            out[key] = _pick(rng, SHOWS_NOTHING)
        elif choice == 12 and "meta.year" in spec.fields:
            out["meta.year"] = _pick(rng, TEXT_YEARS)
        else:
            out[key] = -0.0
    return out


# what pasted cells hold that shows nothing (a web page's no-break space, Alt+Enter)
SHOWS_NOTHING = ["\xa0", "\n", "\r\n", "\t", " \xa0\u3000\n", "\xa0\xa0"]
# a 报告年度 typed as text: years, and texts that name none
TEXT_YEARS = ["2025", " 2025年度", "2021年", "2025\xa0", "1985", "2099", "２０２５", "去年", "\n"]
