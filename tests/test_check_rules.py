"""Every rule of every shipped form, triggered through `toolkit check` on a filled template:
the rule id is reported at the cell of the field it names; a consistent return has none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fills import break_rule, breakable_rules, consistent_fill
from tests.support import build_template, fill_workbook, read_map
from toolkit.forms.registry import load_form

FORMS = ("gov-2021", "gov-2019", "supp-stats")
SEEDS = (1, 2)


def check_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["results"]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One consistent and one broken return per rule and seed, checked in one call."""
    folder = tmp_path_factory.mktemp("rules")
    expected: dict[str, tuple[str, str | None]] = {}
    maps: dict[str, dict[str, tuple[str, str]]] = {}
    for form in FORMS:
        spec = load_form(form)
        template = folder / f"{form}.xlsx"
        build_template(spec, template, unit="测试街道", year=2025 if form != "gov-2019" else 2020)
        maps[form] = read_map(template)[0]
        for seed in SEEDS:
            good = consistent_fill(spec, np.random.default_rng(seed))
            path = folder / f"{form}-ok-{seed}.xlsx"
            fill_workbook(template, path, good)
            expected[str(path)] = (form, None)
            for rule in breakable_rules(spec):
                path = folder / f"{form}-{rule}-{seed}.xlsx"
                fill_workbook(
                    template, path, break_rule(spec, rule, good, np.random.default_rng(seed))
                )
                expected[str(path)] = (form, rule)
    code, results = check_json(*expected)
    return {"expected": expected, "results": results, "code": code, "maps": maps}


def test_a_consistent_return_has_no_error_and_every_broken_rule_is_found(broken: dict) -> None:
    assert broken["code"] == 1
    seen_rules: dict[str, set[str]] = {form: set() for form in FORMS}
    for result in broken["results"]:
        form, rule = broken["expected"][result["file"]]
        assert result["form"] == form, result["file"]
        ids = {f["rule"] for f in result["findings"]}
        if rule is None:
            assert result["status"] in ("ok", "warnings"), result["findings"]
            continue
        assert rule in ids, (result["file"], result["findings"])
        seen_rules[form].add(rule)
        finding = next(f for f in result["findings"] if f["rule"] == rule)
        severity = "warning" if rule.startswith("W") else "error"
        assert finding["severity"] == severity and finding["message"]
        # placed at the cell of the field the rule names, as the template map says
        assert (finding["sheet"], finding["cell"]) == broken["maps"][form][finding["fields"][0]]
    for form in FORMS:
        assert seen_rules[form] == set(breakable_rules(load_form(form)))


def _template(folder: Path, form: str, year: int) -> tuple[Path, dict[str, tuple[str, str]]]:
    path = folder / f"t-{form}-{year}.xlsx"
    build_template(form, path, unit="测试街道", year=year)
    return path, read_map(path)[0]


def _rules_at(result: dict) -> set[tuple[str, str | None]]:
    return {(f["rule"], f["cell"]) for f in result["findings"]}


def test_blank_tables_blank_totals_and_numbers_as_text(tmp_path: Path) -> None:
    template, cells = _template(tmp_path, "gov-2021", 2025)
    path = tmp_path / "r.xlsx"
    fill_workbook(
        template,
        path,
        {
            "applications.new.natural": "１２",  # W5: full-width digits
            "applications.granted.natural": " 10 ",  # W5: spaces
            "applications.carried_out.natural": 2,
            "applications.granted.total": None,  # W6: formula removed, parts filled
            "applications.handled_total.total": None,
            "applications.new.total": None,
            "applications.carried_out.total": None,
        },
    )
    code, [result] = check_json(str(path))
    at = _rules_at(result)
    assert code == 0 and result["status"] == "warnings"
    assert ("W5", cells["applications.new.natural"][1]) in at
    assert ("W5", cells["applications.granted.natural"][1]) in at
    assert ("W6", cells["applications.granted.total"][1]) in at
    w6 = next(
        f
        for f in result["findings"]
        if f["rule"] == "W6" and f["fields"][0] == "applications.granted.total"
    )
    assert w6["expected"] == 10
    # the active and review tables are blank: W2 for each, at their first cell
    assert ("W2", cells["active.regs.issued"][1]) in at
    assert ("W2", cells["review.appeal.upheld"][1]) in at
    assert result["values"]["applications.new.natural"] == 12
    assert result["values"]["applications.granted.total"] is None  # blank as the file says


def test_a_table_of_dashes_is_answered_not_forgotten(tmp_path: Path) -> None:
    """FORMS.md: "—", "/", "无" mean 0 or not applicable. A table the unit marked so in
    every cell is its answer (W2 asks whether a table was forgotten), as the template's own
    live check sees it; a table left blank still gets W2."""
    spec = load_form("gov-2021")
    template, cells = _template(tmp_path, "gov-2021", 2025)
    values = consistent_fill(spec, np.random.default_rng(3))
    marks = ("—", "/", "无", "－")
    for i, key in enumerate(k for k in values if k.startswith("active.")):
        values[key] = marks[i % len(marks)]
    for key in (k for k in values if k.startswith("review.")):
        values[key] = None
    path = tmp_path / "dashes.xlsx"
    fill_workbook(template, path, values)
    code, [result] = check_json(str(path))
    at = _rules_at(result)
    assert ("W2", cells["active.regs.issued"][1]) not in at
    assert ("W2", cells["review.appeal.upheld"][1]) in at
    assert code == 0 and result["status"] == "warnings", result["findings"]


def test_year_over_year_rules_with_last_years_return(tmp_path: Path) -> None:
    last_template, _ = _template(tmp_path, "gov-2021", 2024)
    this_template, cells = _template(tmp_path, "gov-2021", 2025)
    last, this = tmp_path / "2024.xlsx", tmp_path / "2025.xlsx"
    fill_workbook(
        last_template,
        last,
        {
            "applications.new.natural": 3,
            "applications.carried_out.natural": 3,
            "active.regs.in_force": 10,
            "active.regs.issued": 2,
        },
    )
    fill_workbook(
        this_template,
        this,
        {
            "applications.carried_in.natural": 1,
            "applications.carried_out.natural": 1,
            "active.regs.issued": 1,
            "active.regs.repealed": 0,
            "active.regs.in_force": 12,
        },
    )
    _, [result] = check_json(str(this), "--last-year", str(last))
    y1 = next(f for f in result["findings"] if f["rule"] == "Y1" and "natural" in f["fields"][0])
    assert y1["cell"] == cells["applications.carried_in.natural"][1]
    assert (y1["actual"], y1["expected"]) == (1, 3) and y1["severity"] == "warning"
    # the 总计 column's formula shows the same gap: said once, at the cell to correct
    assert [f["cell"] for f in result["findings"] if f["rule"] == "Y1"] == [y1["cell"]]
    y2 = next(f for f in result["findings"] if f["rule"] == "Y2")
    assert y2["cell"] == cells["active.regs.in_force"][1]
    assert (y2["actual"], y2["expected"]) == (12, 11)
    # without last year's return there is no Y rule at all
    _, [alone] = check_json(str(this))
    assert not {f["rule"] for f in alone["findings"]} & {"Y1", "Y2", "Y3"}


def test_y3_for_the_2019_format_and_y1_across_formats(tmp_path: Path) -> None:
    t2019, cells = _template(tmp_path, "gov-2019", 2020)
    t2021, cells21 = _template(tmp_path, "gov-2021", 2021)
    last, this, next_year = tmp_path / "2019.xlsx", tmp_path / "2020.xlsx", tmp_path / "2021.xlsx"
    fill_workbook(
        t2019,
        last,
        {
            "meta.year": 2019,
            "active.licensing.prev_items": 5,
            "active.licensing.change": 2,
            "applications.carried_out.natural": 4,
        },
    )
    fill_workbook(
        t2019,
        this,
        {
            "active.licensing.prev_items": 6,
            "applications.carried_in.natural": 4,
            "applications.new.natural": 1,
            "applications.carried_out.natural": 5,
        },
    )
    fill_workbook(t2021, next_year, {"applications.carried_in.natural": 0})
    _, [result] = check_json(str(this), "--last-year", str(last))
    y3 = next(f for f in result["findings"] if f["rule"] == "Y3" and "licensing" in f["fields"][0])
    assert (y3["cell"], y3["actual"], y3["expected"]) == (
        cells["active.licensing.prev_items"][1],
        6,
        7,
    )
    assert not any(f["rule"] == "Y1" for f in result["findings"])  # 4 carried over, 4 carried in
    # a 2021 return against a 2019-format one: Y1 applies, Y2 has nothing to compare with
    _, [across] = check_json(str(next_year), "--last-year", str(this))
    assert not any(f["rule"] == "Y2" for f in across["findings"])
    y1 = next(f for f in across["findings"] if f["rule"] == "Y1" and "natural" in f["fields"][0])
    assert y1["cell"] == cells21["applications.carried_in.natural"][1]
    assert (y1["actual"], y1["expected"]) == (0, 5)
    # two years apart is not last year: a usage error, nothing checked
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(next_year), "--last-year", str(last)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "2019 年度" in done.stderr and "2021" in done.stderr


def test_a_2023_report_in_2019_tables_is_read_as_2019_and_flagged_m2(tmp_path: Path) -> None:
    template, cells = _template(tmp_path, "gov-2019", 2020)
    path = tmp_path / "2023.xlsx"
    fill_workbook(
        template,
        path,
        {"meta.year": 2023, "applications.new.natural": 1, "applications.granted.natural": 1},
    )
    code, [result] = check_json(str(path))
    assert code == 1 and result["form"] == "gov-2019"
    m2 = next(f for f in result["findings"] if f["rule"] == "M2")
    assert m2["cell"] == cells["meta.year"][1] and m2["severity"] == "error"


def test_without_its_map_a_return_is_found_by_its_labels_with_the_same_findings(
    broken: dict, tmp_path: Path
) -> None:
    """The label reader and the template map agree on every value and every finding: the
    same returns, with the hidden map sheet deleted, read as hand-made workbooks."""
    import openpyxl

    from toolkit.template.writer import META_SHEET

    originals = [f for f in broken["expected"] if f.endswith("-1.xlsx")]
    copies = []
    for name in originals:
        workbook = openpyxl.load_workbook(name)
        del workbook[META_SHEET]
        copy = tmp_path / Path(name).name
        workbook.save(copy)
        copies.append(str(copy))
    _, results = check_json(*copies)
    by_name = {Path(r["file"]).name: r for r in broken["results"]}
    for result in results:
        mapped = by_name[Path(result["file"]).name]
        assert result["form"] == mapped["form"]
        assert result["values"] == mapped["values"], result["file"]
        assert result["meta"] == mapped["meta"]

        def where(r: dict) -> set[tuple]:
            return {
                (f["rule"], f["sheet"], f["cell"], f["expected"], f["actual"])
                for f in r["findings"]
            }

        assert where(result) == where(mapped), result["file"]


def test_y1_at_a_formula_total_stays_where_last_years_total_is_no_sum_of_its_parts(
    tmp_path: Path,
) -> None:
    """Last year's 结转 总计 typed 5 over parts adding up to 3 (a hand-made return), this
    year's 上年结转 parts 3 and 0 against last year's 2 and 1: Y1 at both parts, and at the
    总计 column too (3 against 5: no repeat of the parts' gaps, which add up to 0)."""
    from tests.support import laid_out_by_hand

    last_template, _ = _template(tmp_path, "gov-2021", 2024)
    this_template, cells = _template(tmp_path, "gov-2021", 2025)
    filled_last, last, this = tmp_path / "t.xlsx", tmp_path / "2024.xlsx", tmp_path / "2025.xlsx"
    out = {"natural": 2, "business": 1}
    fill_workbook(
        last_template,
        filled_last,
        {
            **{f"applications.new.{k}": v for k, v in out.items()},
            **{f"applications.carried_out.{k}": v for k, v in out.items()},
            "applications.carried_out.total": 5,  # typed over the formula
        },
    )
    last.write_bytes(laid_out_by_hand(filled_last))
    fill_workbook(
        this_template,
        this,
        {"applications.carried_in.natural": 3, "applications.granted.natural": 3},
    )
    _, [result] = check_json(str(this), "--last-year", str(last))
    y1 = {f["cell"]: (f["actual"], f["expected"]) for f in result["findings"] if f["rule"] == "Y1"}
    total = cells["applications.carried_in.total"][1]
    assert y1 == {
        cells["applications.carried_in.natural"][1]: (3, 2),
        cells["applications.carried_in.business"][1]: (None, 1),
        total: (3, 5),
    }
