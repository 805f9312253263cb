"""One wrong total is reported once, at its own cell: the rules that only fail because they
read it (A1 of the 总计 column, A2 of the 总计 column) do not send the unit to a cell that
is right. Each case is a filled template with one total typed over, checked by the command;
putting the total right leaves no finding at all."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from tests.fills import computed_values, consistent_fill
from tests.support import build_template, fill_workbook, laid_out_by_hand, read_map, run_toolkit
from toolkit.forms.registry import load_form


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("cascade")
    spec = load_form("gov-2021")
    template = folder / "template.xlsx"
    build_template(spec, template, unit="测试街道", year=2025)
    good = consistent_fill(spec, np.random.default_rng(7))
    return {
        "folder": folder,
        "template": template,
        "good": good,
        "totals": computed_values(spec, good),
        "map": read_map(template)[0],
    }


def findings_of(setup: dict[str, Any], name: str, typed: dict[str, Any]) -> list[dict[str, Any]]:
    path = setup["folder"] / f"{name}.xlsx"
    fill_workbook(setup["template"], path, {**setup["good"], **typed})
    done = run_toolkit("check", "--format", "json", str(path))
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["results"][0]["findings"]


def hand_findings(setup: dict[str, Any], name: str, typed: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings of a unit's own table: the fill with ``typed`` over it, every total a
    figure (give them in ``typed``), its field map gone so it is read by its labels."""
    path = setup["folder"] / f"{name}.xlsx"
    fill_workbook(setup["template"], path, {**setup["good"], **typed})
    hand = setup["folder"] / f"{name}-hand.xlsx"
    hand.write_bytes(laid_out_by_hand(path))
    done = run_toolkit("check", "--format", "json", str(hand))
    return json.loads(done.stdout)["results"][0]["findings"]


def where(setup: dict[str, Any], key: str) -> tuple[str, str]:
    sheet, ref = setup["map"][key]
    return sheet, ref


def test_a_fill_with_every_total_right_has_no_finding(setup: dict[str, Any]) -> None:
    assert findings_of(setup, "good", {}) == []


@pytest.mark.parametrize(
    ("total", "rule"),
    [
        # 本年新收 总计: A1 of the 总计 column read it, and failed at 结转下年度 总计
        ("applications.new.total", "A3"),
        # （一）予以公开 总计: A2 of the 总计 column read it, and failed at （七）总计
        ("applications.granted.total", "A3"),
        # （七）总计 of 自然人: A1 of that column read it, and failed at 结转下年度
        ("applications.handled_total.natural", "A2"),
    ],
)
def test_a_total_typed_wrong_is_reported_once_at_its_own_cell(
    setup: dict[str, Any], total: str, rule: str
) -> None:
    right = setup["totals"][total]
    findings = findings_of(setup, total, {total: right + 900})
    assert [(f["rule"], f["sheet"], f["cell"]) for f in findings] == [(rule, *where(setup, total))]
    assert (findings[0]["expected"], findings[0]["actual"]) == (right, right + 900)
    # typed right, as the finding asks, nothing is left
    assert findings_of(setup, f"{total}-right", {total: right}) == []


def test_a_part_typed_wrong_still_fails_every_rule_it_breaks(setup: dict[str, Any]) -> None:
    """Only totals explain other findings: a wrong part (here 结转下年度 of 自然人, an input)
    is no total, and A1 of its column is reported where it is."""
    key = "applications.carried_out.natural"
    findings = findings_of(setup, "part", {key: (setup["good"].get(key) or 0) + 3})
    cells = {(f["rule"], f["cell"]) for f in findings}
    assert ("A1", where(setup, key)[1]) in cells


def test_a_rule_broken_besides_a_wrong_total_is_still_reported(setup: dict[str, Any]) -> None:
    """A wrong 本年新收 总计 and, in another column, 结转下年度 off by one: the second A1
    holds on no account of the total, so both are reported."""
    total, part = "applications.new.total", "applications.carried_out.business"
    findings = findings_of(
        setup,
        "two",
        {total: setup["totals"][total] + 900, part: (setup["good"].get(part) or 0) + 1},
    )
    cells = {(f["rule"], f["cell"]) for f in findings}
    assert ("A3", where(setup, total)[1]) in cells
    assert ("A1", where(setup, part)[1]) in cells


def test_a_hand_made_table_with_every_total_typed_gets_one_finding(
    setup: dict[str, Any],
) -> None:
    """A unit's own table holds no formula: its totals are all figures it typed. One wrong
    （七）总计 of 自然人 breaks A2 of its column, A3 of the （七）总计 row and A1 of its
    column; only the first is about the wrong cell."""
    key = "applications.handled_total.natural"
    findings = hand_findings(setup, "typed", {**setup["totals"], key: setup["totals"][key] + 5})
    assert [(f["rule"], f["sheet"], f["cell"]) for f in findings] == [("A2", *where(setup, key))]


def test_a_hand_made_table_of_formulas_only_is_a_blank_table(setup: dict[str, Any]) -> None:
    """A unit's own workbook whose tables hold their SUM formulas and no figure: W2 (a whole
    table left blank) as for the same template, not silence because the totals show 0."""
    hand = setup["folder"] / "空表.xlsx"
    hand.write_bytes(laid_out_by_hand(setup["template"]))
    results = []
    for path in (setup["template"], hand):
        done = run_toolkit("check", "--format", "json", str(path))
        findings = json.loads(done.stdout)["results"][0]["findings"]
        results.append(sorted((f["rule"], f["cell"]) for f in findings))
    assert results[0] == results[1]
    assert [rule for rule, _ in results[1]] == ["W2", "W2", "W2"]


def test_a_part_typed_wrong_is_not_repeated_at_the_formula_total_over_it(
    setup: dict[str, Any],
) -> None:
    """A part typed wrong in the template makes the locked SUM over it fail the same rule:
    N1 at 总计 for a -1 among the parts, A1 of the 总计 column for a mistyped 本年新收. The
    unit cannot edit that cell and correcting the part clears it: said once, at the part."""
    part = "applications.unable_1.natural"
    findings = findings_of(setup, "negative", {part: -1})
    n1 = [(f["rule"], f["cell"]) for f in findings if f["rule"] == "N1"]
    assert n1 == [("N1", where(setup, part)[1])]
    new = "applications.new.natural"
    findings = findings_of(setup, "mistyped", {new: (setup["good"].get(new) or 0) + 9})
    assert [(f["rule"], f["cell"]) for f in findings] == [
        ("A1", where(setup, "applications.carried_out.natural")[1])
    ]


def test_a_total_failing_two_rules_alike_gets_one_verdict(setup: dict[str, Any]) -> None:
    """（七）总计 of the 总计 column is a total twice (of its row, of its column): typed one
    too high in a unit's own table it breaks both alike, and is told once."""
    key = "applications.handled_total.total"
    findings = hand_findings(setup, "twice", {**setup["totals"], key: setup["totals"][key] + 1})
    assert [f["cell"] for f in findings] == [where(setup, key)[1]]


def test_a_blank_total_taken_as_its_sum_is_taken_so_by_the_formulas_over_it(
    setup: dict[str, Any],
) -> None:
    """（七）总计 of 自然人 cleared in the template: W6 takes it as the sum of its parts, and
    the 总计 column's formula over it (and A1, A2, A3 over that) with it: only W6 is said."""
    key = "applications.handled_total.natural"
    findings = findings_of(setup, "cleared", {key: None})
    assert [(f["rule"], f["cell"]) for f in findings] == [("W6", where(setup, key)[1])]


def test_a_part_typed_wrong_under_a_total_typed_right_is_said_at_the_part(
    setup: dict[str, Any],
) -> None:
    """A unit's own table, every total typed: 本年新收·自然人 typed 9 too high under a right
    total. Its row total (A3) and its column (A1) fail; both hold with that one figure
    corrected, so the unit is sent to it, told what it should be, and nothing else."""
    key = "applications.new.natural"
    right = setup["good"].get(key) or 0
    [finding] = hand_findings(setup, "part-typed", {**setup["totals"], key: right + 9})
    assert (finding["rule"], finding["cell"]) == ("A3", where(setup, key)[1])
    assert (finding["expected"], finding["actual"]) == (right, right + 9)
    assert finding["fields"][0] == key
    # the rules it satisfies said in words a clerk reads, the total by where it stands
    assert "按本行总计" in finding["message"]
    assert "所在行的总计（A3）、所在列的收支平衡（A1）都成立" in finding["message"]


def test_a_row_giving_only_its_total_keeps_the_check_of_the_total_column(
    setup: dict[str, Any],
) -> None:
    """二、上年结转 given only as its 总计 (W7), typed one too high. The applicant columns fail
    A1 (their 上年结转 are blank), and the 总计 column fails A1 for the typo: that finding is
    not implied by the columns' and stays, the one that sees the typo."""
    row = [f"applications.carried_in.{c}" for c in ("natural", "business", "research",
           "nonprofit", "legal", "other_org")]  # fmt: skip
    total = "applications.carried_in.total"
    typed = {**dict.fromkeys(row), total: setup["totals"][total] + 1}
    findings = findings_of(setup, "total-only", typed)
    cells = {(f["rule"], f["cell"]) for f in findings}
    assert ("A1", where(setup, "applications.carried_out.total")[1]) in cells
    assert ("W7", where(setup, total)[1]) in cells
    right = findings_of(setup, "total-only-right", {**typed, total: setup["totals"][total]})
    assert ("A1", where(setup, "applications.carried_out.total")[1]) not in {
        (f["rule"], f["cell"]) for f in right
    }


def test_a_wrong_grand_total_of_a_table_giving_only_totals_is_said_once(
    setup: dict[str, Any],
) -> None:
    """A unit's own table giving only the 总计 column (every applicant blank, W7), its
    （七）总计 one above the rows over it: A2 there, and not again as A1 at 四、结转下年度,
    which holds once （七）总计 is the rows' sum (it was taken as the sum of its blank
    applicants, the first of its two totals)."""
    spec = load_form("gov-2021")
    applications = [k for k in spec.fields if k.startswith("applications.")]
    typed: dict[str, Any] = {k: None for k in applications if not k.endswith(".total")}
    typed |= {k: setup["totals"][k] for k in applications if k.endswith(".total")}
    grand = "applications.handled_total.total"
    typed[grand] += 1
    findings = hand_findings(setup, "only-totals-wrong", typed)
    errors = [(f["rule"], f["cell"]) for f in findings if f["severity"] == "error"]
    assert errors == [("A2", where(setup, grand)[1])], findings


def test_an_error_value_is_said_once_at_its_cell(setup: dict[str, Any]) -> None:
    """#N/A in 本年新收·自然人: N1 at it, and nothing from the rules that read it (A3 of its
    row, A1 of its column, W2, W6, W7 all "fail" on an unknown value); a #REF! typed over a
    total is said at it even while another table's total is wrong."""
    part = "applications.new.natural"
    findings = findings_of(setup, "na", {part: "#N/A"})
    assert [(f["rule"], f["cell"]) for f in findings] == [("N1", where(setup, part)[1])]
    total, review = "applications.new.total", "review.appeal.total"
    findings = findings_of(setup, "ref", {total: "#REF!", review: setup["totals"][review] + 1})
    assert {(f["rule"], f["cell"]) for f in findings} == {
        ("N1", where(setup, total)[1]),
        ("R1", where(setup, review)[1]),
    }


def test_a_count_typed_negative_is_said_once_at_its_cell(setup: dict[str, Any]) -> None:
    """-3 typed for 3 in the template: the SUMs over it are off by 6, so the 结转 balance of
    its column (A1) failed at a right cell. Read as 3 every rule holds: only N1 is said."""
    part = next(k for k in ("applications.partial.natural", "applications.granted.natural")
                if (setup["good"].get(k) or 0) > 0)  # fmt: skip
    findings = findings_of(setup, "sign", {part: -setup["good"][part]})
    assert [(f["rule"], f["cell"]) for f in findings] == [("N1", where(setup, part)[1])]


def test_a_count_with_decimals_beside_a_second_mistake_gives_two_findings_at_them(
    setup: dict[str, Any],
) -> None:
    """A unit's own table: （二）部分公开·自然人 typed with .5 added, and the （七）总计 of
    自然人 typed one too high. Read as the whole number below, the first explains its row's
    total and the second is what is left: N1 at the one, A2 at the other, and nothing at the
    cells that are right (the row total, the （七）总计 row, the 结转 balance)."""
    part, total = "applications.partial.natural", "applications.handled_total.natural"
    right = setup["good"].get(part) or 0
    typed = {**setup["totals"], part: right + 0.5, total: setup["totals"][total] + 1}
    findings = hand_findings(setup, "decimals", typed)
    assert sorted((f["rule"], f["cell"]) for f in findings) == sorted(
        [("N1", where(setup, part)[1]), ("A2", where(setup, total)[1])]
    )


@pytest.mark.parametrize("second", ["business typed one too high", "row total left blank"])
def test_a_count_with_decimals_is_read_as_a_whole_number_by_the_other_rules(
    setup: dict[str, Any], second: str
) -> None:
    """A unit's own table: 本年新收·自然人 typed with .5 added. Its N1 says which number the
    other rules take it for, and what they find uses that number: 商业企业 typed one too
    high beside it is blamed with the row total as typed; a row total left blank is only
    W6 (it was A3 "总计应为 49，表中为 空", from the .5 that the sum had kept)."""
    part, total = "applications.new.natural", "applications.new.total"
    other = "applications.new.business"
    right = setup["good"].get(part) or 0
    typed = {**setup["totals"], part: right + 0.5}
    if second.startswith("business"):
        typed[other] = (setup["good"].get(other) or 0) + 1
        expected = [("N1", where(setup, part)[1]), ("A3", where(setup, other)[1])]
    else:
        typed[total] = None
        expected = [("N1", where(setup, part)[1]), ("W6", where(setup, total)[1])]
    findings = hand_findings(setup, f"read-as-{second[:3]}", typed)
    assert sorted((f["rule"], f["cell"]) for f in findings) == sorted(expected)
    [n1] = [f for f in findings if f["rule"] == "N1"]
    assert f"暂把这个数当作 {right:g}" in n1["message"]


def test_a_cell_read_as_a_guessed_number_is_never_the_part_blamed(setup: dict[str, Any]) -> None:
    """Localising sends the unit to the one part that explains a typed total's findings;
    a cell already taken for its likeliest number (a count typed 2.5) is not that part:
    the other findings stay where they are."""
    import pandas as pd

    from toolkit.forms.pandas_rules import RuleFrame
    from toolkit.validate import check_frame
    from toolkit.validate.cascade import Formulas
    from toolkit.validate.localise import localised

    spec = load_form("gov-2021")
    key = "applications.new.natural"
    values = {**setup["good"], **setup["totals"], key: (setup["good"].get(key) or 0) + 9}
    frame = RuleFrame(pd.DataFrame([{k: values.get(k) for k in spec.fields}]))
    rules = {r.instance: r for r in spec.rules}
    found = check_frame(spec, frame)
    follow = Formulas(pd.DataFrame({k: [False] for k in spec.computed_keys}))
    [blamed] = [f for f in localised(spec, frame, found, rules, follow) if f.blamed]
    assert blamed.blamed == key
    kept = localised(spec, frame, found, rules, follow, {0: {key}})
    assert not any(f.blamed for f in kept) and len(kept) == len(found)


def test_returns_with_count_typos_checked_together_get_what_each_gets_alone(
    setup: dict[str, Any],
) -> None:
    """Only the returns holding such a count are judged again, and their findings put back
    at their rows: checked in one call (as summary validates), every file gets what it gets
    checked alone."""
    part = "applications.partial.natural"
    right = setup["good"].get(part) or 0
    typed = [
        {},
        {part: -right if right else -1},
        {**setup["totals"], part: right + 0.5, "applications.new.business": 99},
        {"applications.new.total": 999},
    ]
    paths = []
    for i, values in enumerate(typed):
        path = setup["folder"] / f"together-{i}.xlsx"
        fill_workbook(setup["template"], path, {**setup["good"], **values})
        paths.append(str(path))
    done = run_toolkit("check", "--format", "json", *paths)
    together = [r["findings"] for r in json.loads(done.stdout)["results"]]
    alone = [
        json.loads(run_toolkit("check", "--format", "json", p).stdout)["results"][0]["findings"]
        for p in paths
    ]
    assert together == alone
    assert any("暂把这个数当作" in f["message"] for findings in together for f in findings)
