"""A local office adds a form as data: a spec file under tests/data, no code change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.libreoffice import recalculate
from tests.support import fill_workbook, read_map, read_sheets, value_at
from toolkit.cli import app

SPEC = Path(__file__).parent / "data" / "local-training.toml"
runner = CliRunner()


def test_local_form_is_listed_and_templated_by_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOLKIT_FORMS_PATH", str(SPEC.parent))
    listed = runner.invoke(app, ["forms"])
    assert listed.exit_code == 0 and "local-training" in listed.output
    out = tmp_path / "培训.xlsx"
    made = runner.invoke(
        app, ["template", "--form", "local-training", "--year", "2025", "-o", str(out)]
    )
    assert made.exit_code == 0, made.output
    fields, checks = read_map(out)
    assert "training.all.total" in fields
    assert {
        "L1@training.all.total",
        "L2@training.all.total",
        "L3@training.budget.amount",
        "M1@meta.unit",
    } <= set(checks)


@pytest.mark.libreoffice
def test_local_form_rules_work_in_the_spreadsheet(tmp_path: Path, soffice: str) -> None:
    template = tmp_path / "培训.xlsx"
    made = runner.invoke(
        app,
        [
            "template",
            "--spec",
            str(SPEC),
            "--year",
            "2025",
            "--unit",
            "兰江街道",
            "-o",
            str(template),
        ],
    )
    assert made.exit_code == 0, made.output
    good = {
        "training.staff.male": 3,
        "training.staff.female": 4,
        "training.grassroots.male": 10,
        "training.grassroots.female": 12,
        "training.budget.amount": 2.5,
    }
    typed_over = {**good, "training.all.total": 30}  # should be 29
    costly = {**good, "training.budget.amount": 150}
    files = {}
    for name, values in {"good": good, "typed_over": typed_over, "costly": costly}.items():
        files[name] = tmp_path / f"{name}.xlsx"
        fill_workbook(template, files[name], values)
    out = recalculate(list(files.values()), tmp_path / "recalc")
    fields, checks = read_map(template)

    def failing(name: str) -> tuple[list[str], str]:
        sheets = read_sheets(out[files[name]])
        bad = [i for i, (s, r) in checks.items() if value_at(sheets, s, r) is not True]
        return bad, value_at(sheets, "封面", "B3")

    assert failing("good") == ([], "✓ 全部通过")
    sheets = read_sheets(out[files["good"]])
    assert value_at(sheets, *fields["training.all.total"]) == 29
    bad, status = failing("typed_over")
    # a typed-over grand total breaks both the row sum and the column sum
    assert bad == ["L1@training.all.total", "L2@training.all.total"]
    assert status.startswith("✗ 有 2 处错误")
    bad, status = failing("costly")
    assert bad == ["L3@training.budget.amount"] and status.startswith("!")


NARROW = """
id = "narrow"
version = "1"
name = "窄表测试"
include = ["_header.toml"]
sheets = ["封面", "窄表"]

[[tables]]
key = "q"
sheet = "窄表"
title = "两列的小表"
label_widths = [20]
value_width = 10

  [[tables.blocks]]
  header = [["项目", "数量"]]
  columns = [{ key = "n" }]
  rows = [{ key = "part", labels = ["其中"] }, { key = "whole", labels = ["总数"] }]

[[rules]]
id = "Q1"
assert = "q.part.n <= q.whole.n"
at = "q.part.n"

[messages.zh]
Q1 = "其中不能大于总数"
"""


@pytest.mark.libreoffice
def test_a_narrow_local_form_keeps_its_checks_apart_from_its_text(
    tmp_path: Path, soffice: str
) -> None:
    """A two-column table: the 校验结果 area widens, and never covers a check cell."""
    spec = tmp_path / "narrow.toml"
    spec.write_text(NARROW, encoding="utf-8")
    template = tmp_path / "narrow.xlsx"
    made = runner.invoke(
        app,
        [
            "template",
            "--spec",
            str(spec),
            "--year",
            "2025",
            "--unit",
            "兰江街道",
            "-o",
            str(template),
        ],
    )
    assert made.exit_code == 0, made.output
    broken = tmp_path / "broken.xlsx"
    fill_workbook(template, broken, {"q.part.n": 5, "q.whole.n": 3})
    out = recalculate([template, broken], tmp_path / "recalc")
    _, checks = read_map(template)
    sheet, ref = checks["Q1@q.part.n"]
    assert value_at(read_sheets(out[template]), sheet, ref) is True
    assert value_at(read_sheets(out[broken]), sheet, ref) is False
    assert value_at(read_sheets(out[broken]), "封面", "B3").startswith("✗")
    sheets = read_sheets(out[template])
    assert any("其中不能大于总数" in str(v) for row in sheets["窄表"] for v in row)


def test_a_broken_local_spec_does_not_hide_the_shipped_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.toml").write_text("id = [", encoding="utf-8")
    (tmp_path / "mine.toml").write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("TOOLKIT_FORMS_PATH", str(tmp_path))
    listed = runner.invoke(app, ["forms"])
    assert listed.exit_code == 2  # the broken ones are reported ...
    assert "broken.toml" in listed.output and "mine.toml" in listed.output
    assert "gov-2021" in listed.output and "supp-stats" in listed.output  # ... the rest listed
    year = runner.invoke(
        app, ["template", "--form", "gov-2019", "--year", "2025", "-o", str(tmp_path / "t.xlsx")]
    )
    assert year.exit_code == 2 and "--form gov-2021" in year.output


def test_a_narrow_form_with_many_thin_columns_is_laid_out(tmp_path: Path) -> None:
    spec = tmp_path / "thin.toml"
    spec.write_text(
        NARROW.replace('id = "narrow"', 'id = "thin"')
        .replace('header = [["项目", "数量"]]', 'header = [["项目", "甲", "乙", "丙", "合计"]]')
        .replace(
            'columns = [{ key = "n" }]',
            'columns = [{ key = "n" }, { key = "a" }, { key = "b" }, { key = "c" }]',
        )
        .replace("label_widths = [20]", "label_widths = [6]")
        .replace("value_width = 10", "value_width = 6"),
        encoding="utf-8",
    )
    out = tmp_path / "thin.xlsx"
    made = runner.invoke(app, ["template", "--spec", str(spec), "--year", "2025", "-o", str(out)])
    assert made.exit_code == 0, made.output
    _, checks = read_map(out)
    assert "Q1@q.part.n" in checks


def test_a_local_forms_rules_are_named_in_words_where_a_part_is_blamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One part typed wrong under totals typed right breaks its row's L1 and its column's
    L2; the finding at the part names both rules by the form's own sentences, not by bare
    ids (a local form gives its words as data)."""
    monkeypatch.setenv("TOOLKIT_FORMS_PATH", str(SPEC.parent))
    template = tmp_path / "培训.xlsx"
    made = runner.invoke(
        app, ["template", "--form", "local-training", "--year", "2025", "-o", str(template)]
    )
    assert made.exit_code == 0, made.output
    typed = tmp_path / "typed.xlsx"
    fill_workbook(
        template,
        typed,
        {
            "meta.unit": "兰江街道",
            "training.staff.male": 13,  # 3 typed 13
            "training.staff.female": 4,
            "training.staff.total": 7,
            "training.grassroots.male": 10,
            "training.grassroots.female": 20,
            "training.grassroots.total": 30,
            "training.all.male": 13,
            "training.all.female": 24,
            "training.all.total": 37,
            "training.budget.amount": 2,
        },
    )
    checked = runner.invoke(app, ["check", "--format", "json", str(typed)])
    assert checked.exit_code == 1, checked.output
    [finding] = json.loads(checked.stdout)["results"][0]["findings"]
    assert finding["fields"][0] == "training.staff.male" and finding["expected"] == 3
    said = finding["message"]
    assert "“各行：合计 = 男 + 女”（L1）" in said, said
    assert "“各列：合计行 = 本单位工作人员 + 基层工作人员”（L2）" in said, said
    english = runner.invoke(app, ["check", "--format", "json", "--lang", "en", str(typed)])
    said = json.loads(english.stdout)["results"][0]["findings"][0]["message"]
    assert '"Every row: total = male + female" (L1)' in said, said
