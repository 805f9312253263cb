"""`toolkit check` reads workbooks laid out by hand in the official format: tables found by
their labels wherever they are, merged or not, worded as units word them; values read as a
person reads them; totals recomputed, never trusted; every finding at its cell.

The workbooks are built by `tests/handmade.py`; each test asserts one aspect of the JSON
output for one of them. Layouts the reader gets wrong are marked xfail (strict) with what
it says instead, so the reader can be fixed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.handmade import BUILDERS, ERROR_RULES, Case, build_all
from toolkit.cli import app


@dataclass
class Checked:
    case: Case
    exit_code: int
    result: dict[str, Any]  # this file's entry of `results`


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    return build_all(tmp_path_factory.mktemp("handmade"))


@pytest.fixture(scope="module")
def checked(cases: dict[str, Case]) -> dict[str, Checked]:
    """Each workbook checked on its own, in-process (its own exit code)."""
    runner = CliRunner()
    out = {}
    for name, case in cases.items():
        run = runner.invoke(app, ["check", str(case.path), "--format", "json"])
        report = json.loads(run.stdout)
        assert report["schema"] == "toolkit-check/1"
        (result,) = report["results"]
        out[name] = Checked(case, run.exit_code, result)
    return out


# (case, aspect) -> what the reader gets wrong, for the layouts it does not read yet
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _params(aspect: str) -> list[Any]:
    params = []
    for name in BUILDERS:
        reason = KNOWN_BUGS.get((name, aspect))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def _findings(result: dict[str, Any]) -> Counter[tuple[str, str | None, str | None]]:
    return Counter((f["rule"], f["sheet"], f["cell"]) for f in result["findings"])


@pytest.mark.parametrize("name", _params("form_and_meta"))
def test_form_unit_and_year_are_found(name: str, checked: dict[str, Checked]) -> None:
    got = checked[name]
    assert got.result["form"] == got.case.form
    assert (got.result["meta"]["unit"], got.result["meta"]["year"]) == (
        got.case.unit,
        got.case.year,
    )
    for key, value in got.case.meta.items():
        assert got.result["meta"][key] == value, key


@pytest.mark.parametrize("name", _params("values"))
def test_every_value_is_read_from_its_cell(name: str, checked: dict[str, Checked]) -> None:
    got = checked[name]
    expected = got.case.all_values
    values = got.result["values"]
    assert sorted(values) == sorted(expected)
    wrong = {k: (values[k], expected[k]) for k in expected if values[k] != expected[k]}
    assert wrong == {}, "key: (read, expected)"


@pytest.mark.parametrize("name", _params("findings"))
def test_findings_are_exactly_the_expected_ones_at_their_cells(
    name: str, checked: dict[str, Checked]
) -> None:
    got = checked[name]
    assert _findings(got.result) == Counter(got.case.findings)
    by_place = {(f["rule"], f["sheet"], f["cell"]): f for f in got.result["findings"]}
    for place, numbers in got.case.numbers.items():
        finding = by_place[place]
        assert (finding["expected"], finding["actual"]) == numbers, place
    for finding in got.result["findings"]:
        severity = "error" if finding["rule"] in ERROR_RULES else "warning"
        assert finding["severity"] == severity, finding


@pytest.mark.parametrize("name", _params("status"))
def test_status_and_exit_code(name: str, checked: dict[str, Checked]) -> None:
    got = checked[name]
    assert got.result["status"] == got.case.status
    assert got.exit_code == (1 if got.case.status == "errors" else 0)


def test_the_layouts_cover_both_outcomes(cases: dict[str, Case]) -> None:
    """The set is not all-clean nor all-broken: exit codes 0 and 1 are both exercised."""
    statuses = Counter(case.status for case in cases.values())
    assert statuses["ok"] >= 5 and statuses["warnings"] >= 5 and statuses["errors"] >= 3


def test_missing_table_warning_names_the_table(checked: dict[str, Checked]) -> None:
    got = checked["missing_table"].result
    (missing,) = [f for f in got["findings"] if f["rule"] == "W2" and f["cell"] is None]
    assert "复议诉讼情况表" in missing["message"]
    assert sorted(missing["fields"]) == sorted(
        f"review.{g}.{o}"
        for g in ("appeal", "suit_direct", "suit_after")
        for o in ("upheld", "corrected", "other", "pending", "total")
    )


def test_one_cli_call_over_all_files(cases: dict[str, Case], checked: dict[str, Checked]) -> None:
    """The installed command over every workbook at once: one result per file, in the order
    given, each as when checked alone; exit 1 since some have errors."""
    paths = [str(case.path) for case in cases.values()]
    digests = [hashlib.sha256(case.path.read_bytes()).hexdigest() for case in cases.values()]
    run = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", *paths, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert run.returncode == 1, run.stderr
    results = json.loads(run.stdout)["results"]
    assert [r["file"] for r in results] == paths
    assert [r["sha256"] for r in results] == digests  # and the files are left as they were
    assert [
        hashlib.sha256(case.path.read_bytes()).hexdigest() for case in cases.values()
    ] == digests
    for name, result in zip(cases, results, strict=True):
        assert result == checked[name].result, name


def test_the_bound_that_skips_a_form_is_never_below_what_the_search_finds(
    cases: dict[str, Case],
) -> None:
    """A national form is not searched for when its bound is below a form already found:
    the bound must hold for every layout, or a workbook would be read as the wrong form."""
    from toolkit.forms.registry import load_all
    from toolkit.read.grid import load_grid
    from toolkit.read.layout import locate, share_at_most

    forms, _ = load_all()
    root = Path(__file__).resolve().parent.parent / "examples"
    workbooks = [case.path for case in cases.values()] + sorted(root.glob("*.xlsx"))
    checked = 0
    for path in workbooks:
        grid = load_grid(str(path))
        for spec in forms:
            located = locate(spec, grid)
            assert share_at_most(spec, grid) >= located.share, (path.name, spec.id)
            checked += located.share > 0
    assert checked >= len(cases)  # the bound was tested where the forms are found


def test_a_sum_below_its_bound_says_what_it_comes_to(checked: dict[str, Checked]) -> None:
    """P1 (上一年项目数量 + 本年增/减 >= 0) names both figures and their sum, not only the
    change the cell shows."""
    [p1] = [f for f in checked["gov2019_variants"].result["findings"] if f["rule"] == "P1"]
    assert " 2 + 本年增/减 -5 = -3，应不小于 0。" in p1["message"], p1["message"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_hidden_rows_and_columns_are_known_in_xls_and_ods_too(
    kind: str, cases: dict[str, Case], soffice: str, tmp_path: Path
) -> None:
    """Last year's figures hidden beside this year's are passed over in an .xls (ROW and
    COLINFO records) or an .ods (row and column visibility) as in the .xlsx."""
    from tests.libreoffice import convert

    names = ("hidden_last_year_rows", "hidden_last_year_columns")
    saved = convert([cases[n].path for n in names], tmp_path, kind, soffice=soffice)
    runner = CliRunner()
    for name in names:
        run = runner.invoke(app, ["check", str(saved[cases[name].path]), "--format", "json"])
        (result,) = json.loads(run.stdout)["results"]
        expected = cases[name].all_values
        wrong = {
            k: (result["values"][k], v) for k, v in expected.items() if result["values"][k] != v
        }
        assert (run.exit_code, wrong) == (0, {}), name


def test_a_row_whose_label_is_not_found_is_not_called_blank(tmp_path: Path) -> None:
    """A rule over a row the reader could not find says so of its figures ("本年新收…
    空 + …" sent the unit to fill a row it had filled); W2 lists the row."""
    from tests.handmade import GOV_2021, Book, Style, _national_tables_stacked, _pair

    book = Book(tmp_path / "改了行名.xlsx")
    sheet = book.sheet("年报")
    _pair(sheet, 0, 0, "填报单位", "某某镇人民政府")
    _pair(sheet, 1, 0, "报告年度", 2025)
    renamed = Style(rename={"一、本年新收政府信息公开申请数量": "一、本年受理的申请"})
    _national_tables_stacked(sheet, "gov-2021", 3, 0, GOV_2021, renamed)
    book.save()
    run = CliRunner().invoke(app, ["check", str(book.path), "--format", "json"])
    (result,) = json.loads(run.stdout)["results"]
    a1 = [f["message"] for f in result["findings"] if f["rule"] == "A1"]
    assert a1 and all("本年新收政府信息公开申请数量 （未找到此格）" in m for m in a1), a1
    assert "W2" in {f["rule"] for f in result["findings"]}


def test_a_supplement_on_a_sheet_named_for_its_edition_is_read_with_a_form_chosen(
    tmp_path: Path,
) -> None:
    """补充统计表（2021年版） names an edition, not a year; with --form the supplement was
    dropped with the sheet (only the chosen form's tables were weighed)."""
    from tests.handmade import (
        GOV_2021,
        SUPP_ROWS,
        Book,
        _national_tables_stacked,
        draw,
        supp_layout,
    )

    book = Book(tmp_path / "补充表.xlsx")
    sheet = book.sheet("年报")
    sheet.put(0, 0, "某某镇人民政府2025年度政府信息公开工作年度报告")
    _national_tables_stacked(sheet, "gov-2021", 2, 0, GOV_2021)
    supp = {f"supp.{key}": i + 1 for i, (_, _, key) in enumerate(SUPP_ROWS) if key}
    draw(book.sheet("补充统计表（2021年版）"), supp_layout(), 1, 0, supp)
    book.sheet("2024年度对照").put(0, 0, "某某镇人民政府2024年度政府信息公开工作年度报告")
    book.save()
    for extra in ([], ["--form", "gov-2021"]):
        run = CliRunner().invoke(app, ["check", str(book.path), "--format", "json", *extra])
        (result,) = json.loads(run.stdout)["results"]
        read = {k: result["values"][k] for k in supp}
        assert read == supp, extra


# what `check` says it did not read, by case: (sheet, row or cell or None, words of why)
PASSED_OVER = {
    "last_year_sheet_first": ("2024年度", None, "2024 年度"),
    "revised_sheet_after_first": ("2025年度", None, "“2025年度（修改）”的旧版或草稿"),
    "draft_sheet_first": ("年报（草稿）", None, "“年报”的旧版或草稿"),
    "hidden_last_year_rows": ("年报", "A23", "整表隐藏的申请情况表"),
    "last_year_shown_above": ("年报", "A23", "上方写着“（2024年度数据，供对比）”"),
    "next_years_blank_sheet": ("2026年度", None, "2026 年度"),
    "hidden_last_year_and_a_row_deleted": ("年报", "A21", "整表隐藏的申请情况表"),
    "title_year_not_updated": ("年报", "B2", "标题写的是 2024 年度"),
    "this_years_blank_rows_hidden": ("年报", "A51", "上方写着“上年数据（供对照）”"),
    "town_named_old_revised": ("旧县镇年报", None, "“旧县镇年报（修改）”的旧版或草稿"),
    "draft_mark_leading": ("草稿-年报", None, "“年报”的旧版或草稿"),
    "revised_sheet_with_one_table": ("年报", None, "上的申请情况表：按名称是“年报（修改）”"),
    "next_years_blank_copy": ("年报", "A53", "（没有填数字）"),
    "date_line_between_copies": ("年报", "A54", "上方写着“附：上年数据（供参考）”"),
    "side_by_side_copies": ("年报", "A23", "读取的是从 L23 起的那一份（上方写着“2025年度”）"),
    "zeros_typed_in_the_report": ("年报（草稿）", None, "“年报”的旧版或草稿"),
    "this_year_word_over_a_year": ("年报", "A23", "读取的是从 A53 起的那一份（上方写着“本年度”）"),
    "copy_before_correction": ("年报", "A23", "（上方写着“修改前数据”）"),
    "sheets_before_and_after_correction": ("年报（修改前）", None, "“年报（修改后）”的旧版"),
    "header_corrected_on_the_revision": ("年报", None, "“年报（修改）”的旧版或草稿"),
    "side_by_side_merged_headings": (
        "年报",
        "L23",
        "读取的是从 A23 起的那一份（上方写着“2025年度”）",
    ),
    "side_by_side_a_row_lower": ("年报", "L24", "（上方写着“2024年度（供对比）”）"),
    "several_drafts": ("年报（草稿1）", None, "“年报（草稿2）”、“年报（草稿3）”上的"),
    "year_named_over_words": ("年报", "A53", "（上方写着“2024年度数据（与今年对比）”）"),
    "breakdown_under_the_report": ("年报", "A53", "（上方写着“其中：本年度下属单位”）"),
    "group_sheet_between_versions": ("年报", None, "按名称是“年报（修改）”的旧版或草稿"),
    "last_years_review_shown_above": ("年报", "A50", "（上方写着“2024年度（供对比）”）"),
    "excel_copy_with_other_figures": ("年报 (2)", None, "读取的是“年报”上的"),
    "blank_national_review_and_rows": (
        "年报",
        None,
        "还没有填数字，读取的是“复议诉讼（本单位）”上的",
    ),
    "last_row_retyped": ("统计表", None, "写作“四、结转下年度继续办理的”"),
    "blank_table_on_a_sheet_with_figures": ("Sheet2", None, "读取的是“Sheet1”上的"),
    "blank_sheet_with_a_phone_before_its_copy": (
        "年报",
        None,
        "还没有填数字，读取的是“年报 (2)”上的",
    ),
    "blank_sheet_before_its_copy": ("年报", None, "还没有填数字，读取的是“年报 (2)”上的"),
    "two_copies_nothing_tells": ("年报", "没有读取从 A51 起的", "读取的是行标签从 A22 起的那一份"),
}
# cases whose sentences name several sheets, or are several: (sheet, words) of each
ALSO_PASSED = {
    "numbered_revisions": [
        ("年报", "“年报”、“年报（修改1）”上的主动公开情况表、申请情况表、复议诉讼情况表"),
    ],
    "mistyped_labels": [
        ("统计表", "写作“（一）予以公开的”，与国家格式申请情况表的“（一）予以公开”"),
        ("统计表", "写作“5.属于三类内部事物信息”"),
        ("统计表", "写作“1.本机关不掌握相关的政府信息”"),
    ],
    "retyped_in_both_copies_side_by_side": [
        ("年报", "N31 的行标签写作“5.属于三类内部事物信息”"),
        ("年报", "未读取行标签从 A23 起的那一份（上方写着“2024年度（供对比）”）"),
    ],
    "two_copies_first_retyped": [
        ("年报", "C30 的行标签写作“5.属于三类内部事物信息”"),
        ("年报", "读取的是行标签从 A22 起的那一份（在前），没有读取从 A51 起的"),
    ],
    "mistyped_labels_and_instructions": [
        ("统计表", "写作“（一）予以公开的”"),
        ("统计表", "写作“5.属于三类内部事物信息”"),
        ("统计表", "写作“1.本机关不掌握相关的政府信息”"),
    ],
    "partly_filled_final_sheet": [
        ("年报", "上的主动公开情况表：按名称是“年报（正式）”的旧版或草稿"),
        ("年报（正式）", "上的申请情况表、复议诉讼情况表：还没有填数字"),
    ],
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_what_was_not_read_is_said_and_nothing_else(name: str, cases: dict[str, Case]) -> None:
    """A sheet of another year, a draft or last year's copy of a table passed over for
    another is said under the file's name (a unit wondering why its first sheet's figures
    are not the ones checked), and so is a title naming another year than the 报告年度 cell;
    a workbook whose every table was read, its years agreeing, says nothing of it."""
    run = CliRunner().invoke(app, ["check", str(cases[name].path)])
    notes = [line for line in run.stdout.splitlines() if line.startswith("  说明：")]
    if name in ALSO_PASSED:
        assert len(notes) == len(ALSO_PASSED[name]), notes
        for note, (sheet, why) in zip(notes, ALSO_PASSED[name], strict=True):
            assert f"工作表“{sheet}”" in note and why in note, note
        return
    if name not in PASSED_OVER:
        assert notes == []
        return
    sheet, row, why = PASSED_OVER[name]
    assert len(notes) == 1, notes
    assert f"工作表“{sheet}”" in notes[0] and why in notes[0]
    assert row is None or row in notes[0]


@pytest.mark.parametrize(
    ("name", "sheet"), [("mistyped_labels", "统计表"), ("two_copies_nothing_tells", "年报")]
)
def test_what_was_said_of_the_reading_is_in_the_marked_copy(
    name: str, sheet: str, cases: dict[str, Case], tmp_path: Path
) -> None:
    """The marked copy goes back to the unit: what the reading said (a label read though
    retyped, a copy not read) is listed under the findings as 说明, linked to its cell, and
    commented there without a fill (nothing there is wrong)."""
    from openpyxl import load_workbook

    target = tmp_path / "marked.xlsx"
    run = CliRunner().invoke(app, ["check", str(cases[name].path), "--annotate", str(target)])
    said = [line.removeprefix("  说明：") for line in run.stdout.splitlines() if "说明：" in line]
    assert said
    marked = load_workbook(target)
    rows = list(marked.worksheets[0].iter_rows(min_row=2, values_only=True))
    notes = [row for row in rows if row[1] == "说明"]
    assert [row[5] for row in notes] == said
    for row in notes:
        assert row[3] == sheet and row[4]
        cell = marked[sheet][row[4]]
        assert cell.comment is not None and row[5] in cell.comment.text
        assert cell.fill.fill_type is None


def test_a_units_own_comment_stays_in_the_marked_copy(
    cases: dict[str, Case], tmp_path: Path
) -> None:
    """A note at a cell the unit commented itself (a label it retyped, and explained) is
    listed, not written over the unit's comment."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment

    source = tmp_path / "commented.xlsx"
    book = load_workbook(cases["mistyped_labels"].path)
    run = CliRunner().invoke(app, ["check", str(cases["mistyped_labels"].path)])
    cell = next(line for line in run.stdout.splitlines() if "事物" in line).split("”")[1].split()[0]
    book["统计表"][cell].comment = Comment("按本单位口径填写", "张三")
    book.save(source)
    target = tmp_path / "marked.xlsx"
    CliRunner().invoke(app, ["check", str(source), "--annotate", str(target)])
    marked = load_workbook(target)
    kept = marked["统计表"][cell].comment
    assert kept is not None and kept.text == "按本单位口径填写" and kept.author == "张三"
    listed = [row[5] for row in marked.worksheets[0].iter_rows(values_only=True)]
    assert any(text and "事物" in text for text in listed)
