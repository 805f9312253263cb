"""Rules run over many returns at once with pandera: one finding per rule instance and return,
with the numbers that explain it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.forms.pandas_rules import RuleFrame, compute_totals
from toolkit.forms.registry import load_form
from toolkit.validate import check_frame

SPEC = load_form("gov-2021")
GOOD = {
    "meta.unit": "兰江街道",
    "meta.year": 2025.0,
    "applications.new.natural": 2.0,
    "applications.granted.natural": 1.0,
    "applications.other_3.natural": 1.0,
    "active.regs.issued": 1.0,
    "active.regs.in_force": 5.0,
    "review.appeal.upheld": 1.0,
}


def _frame(rows: list[dict]) -> RuleFrame:
    values = compute_totals(SPEC, pd.DataFrame(rows, dtype=object))
    return RuleFrame(values)


def test_a_good_return_has_no_findings() -> None:
    findings = check_frame(SPEC, _frame([GOOD]))
    # every national table has a figure (no W2); fees_info is optional and has no W2
    assert [f.instance for f in findings] == []


def test_each_failure_maps_to_one_rule_instance_with_expected_and_actual() -> None:
    typed_total = {**GOOD}
    frame = _frame(
        [
            GOOD,
            typed_total,
            {**GOOD, "review.appeal.corrected": 2.0, "applications.carried_out.business": "十二"},
        ]
    )
    frame.values.loc[1, "applications.new.total"] = 3.0  # typed over: should be 2
    frame = RuleFrame(frame.values)
    findings = check_frame(SPEC, frame)
    by_return: dict[int, list[str]] = {}
    for f in findings:
        by_return.setdefault(f.position, []).append(f.instance)
    assert 0 not in by_return
    a3 = next(f for f in findings if f.position == 1 and f.rule == "A3")
    assert a3.instance == "A3@applications.new.total"
    assert (a3.actual, a3.expected) == (3, 2) and a3.severity == "error"
    assert "applications.new.natural" in a3.fields
    assert "A1@applications.carried_out.total" in by_return[1]
    third = by_return[2]
    assert "N1@applications.carried_out.business" in third  # text where a number belongs
    assert "W3@review.appeal.corrected" in third
    # errors first, then warnings, per return
    severities = [f.severity for f in findings if f.position == 2]
    assert severities == sorted(severities, key=lambda s: s != "error")


def test_every_failure_of_many_returns_is_reported_from_one_validation() -> None:
    """pandera once truncated failure cases at 10: 300 broken returns give 300 findings."""
    rows = [{**GOOD, "applications.new.total": float(10 + i)} for i in range(300)]
    values = compute_totals(SPEC, pd.DataFrame(rows, dtype=object))
    values["applications.new.total"] = [float(10 + i) for i in range(300)]
    findings = check_frame(SPEC, RuleFrame(values), [r for r in SPEC.rules if r.id == "A3"])
    assert len(findings) == 300
    assert sorted(f.actual for f in findings) == list(np.arange(10, 310))
    assert {f.expected for f in findings} == {2}


def test_findings_of_a_stacked_frame_equal_the_rules_evaluated_return_by_return() -> None:
    """The path `summary` will take (one validation of many returns) finds exactly what each
    return checked on its own finds."""
    from tests.fills import break_rule, breakable_rules, consistent_fill
    from toolkit.forms.pandas_rules import evaluate

    for form in ("gov-2021", "gov-2019", "supp-stats"):
        spec = load_form(form)
        rng = np.random.default_rng(7)
        rules = breakable_rules(spec)
        rows = []
        for i in range(60):
            values = consistent_fill(spec, rng)
            if i % 2:
                values = break_rule(spec, rules[i % len(rules)], values, rng)
            values.setdefault("meta.unit", "兰江街道")
            values.setdefault("meta.year", 2020 if form == "gov-2019" else 2025)
            rows.append(values)
        stacked = RuleFrame(pd.DataFrame(rows, dtype=object))
        found = {(f.position, f.instance) for f in check_frame(spec, stacked)}
        expected = set()
        for position, values in enumerate(rows):
            single = RuleFrame(pd.DataFrame([values], dtype=object))
            verdicts = evaluate(spec, single, [r for r in spec.rules if not r.uses_last_year])
            expected |= {(position, name) for name, ok in verdicts.iloc[0].items() if not ok}
        assert found == expected, form
        assert found  # the broken half really breaks something
