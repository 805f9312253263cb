"""Round trip at library level: template → filled with openpyxl → (saved by LibreOffice) →
read back through the template's own map → validated → findings at the right cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from tests.fills import consistent_fill
from tests.libreoffice import recalculate
from tests.support import build_template, fill_workbook, read_map
from toolkit.check.run import check_files
from toolkit.forms.registry import load_all, load_form
from toolkit.read.sniff import sniff
from toolkit.read.template import read_template_return

SPEC = load_form("gov-2021")


def _read(path: Path):
    found = read_template_return(path, sniff(path).kind)
    assert found is not None
    return found


def _fills(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    template = tmp_path / "模板.xlsx"
    build_template(SPEC, template, unit="兰江街道")
    good = consistent_fill(SPEC, np.random.default_rng(3))
    bad = {
        **good,
        "applications.new.total": 999,  # typed over a formula
        "applications.carried_out.business": "十二",  # text where a number belongs
        "applications.granted.legal": "=1/0",
    }  # an error value
    files = {}
    for name, values in (("good", good), ("bad", bad)):
        files[name] = tmp_path / f"{name}.xlsx"
        fill_workbook(template, files[name], values)
    return template, files


def test_a_return_not_made_from_our_template_is_not_read_as_one(tmp_path: Path) -> None:
    other = tmp_path / "手工.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "一、本年新收政府信息公开申请数量"
    workbook.save(other)
    assert read_template_return(other, "xlsx") is None


def test_the_map_of_a_tampered_template_is_not_trusted(tmp_path: Path) -> None:
    template = tmp_path / "t.xlsx"
    build_template(SPEC, template)
    wb = openpyxl.load_workbook(template)
    meta = wb["_toolkit"]
    tampered = 0
    for row in meta.iter_rows():
        cells = str(row[1].value or "").split("\n")  # packed lines "key REF"
        for at, line in enumerate(cells):
            if line.startswith("applications.new.natural "):
                cells[at] = "applications.new.natural ../../etc/passwd"
                row[1].value = "\n".join(cells)
                tampered += 1
    assert tampered == 1
    wb.save(tmp_path / "tampered.xlsx")
    assert read_template_return(tmp_path / "tampered.xlsx", "xlsx") is None


def test_a_map_packed_one_sheet_per_row_reads_like_one_entry_per_row() -> None:
    """Templates write the packed map; maps of one entry per row (earlier templates, and
    the shipped examples) read the same; a long sheet is split over rows under a cell's
    limit."""
    from toolkit.cellmap import map_rows, parse_rows

    cells = {f"table.row{i}.column{i % 7}": ("申请情况", f"D{i + 9}") for i in range(2000)}
    cells["meta.unit"] = ("封面", "B6")
    rows = [["toolkit_marker", "toolkit-template"], *map_rows("fields", cells)]
    assert len(rows) < 10 and all(len(text) <= 32_767 for row in rows for text in row)
    markers, sections = parse_rows(rows)
    assert markers == {"toolkit_marker": "toolkit-template"}
    assert sections["fields"] == cells
    old_style = [["fields", str(len(cells))]] + [[k, s, r] for k, (s, r) in cells.items()]
    assert parse_rows(old_style)[1]["fields"] == cells


def _check(paths: list[Path]) -> list[dict[str, dict]]:
    """Findings of each return through the check pipeline, by rule instance (rule@field)."""
    forms, _ = load_all()
    results = check_files([str(p) for p in paths], forms, isolate=False)
    return [{f"{f.rule}@{f.fields[0]}": f.to_json() for f in r.findings} for r in results]


def test_findings_never_trust_cached_totals(tmp_path: Path) -> None:
    """openpyxl saves formulas without cached values; the totals are recomputed anyway."""
    template, files = _fills(tmp_path)
    good, bad = _check([files["good"], files["bad"]])
    assert [k for k, f in good.items() if f["severity"] == "error"] == []
    a3 = bad["A3@applications.new.total"]
    cells, _ = read_map(template)
    assert a3["actual"] == 999 and (a3["sheet"], a3["cell"]) == cells["applications.new.total"]
    assert "N1@applications.carried_out.business" in bad
    assert "N1@applications.granted.legal" not in bad  # the formula's result is unknown here


@pytest.mark.libreoffice
def test_after_libreoffice_saves_it_the_same_findings_and_the_error_value(
    soffice: str, tmp_path: Path
) -> None:
    _, files = _fills(tmp_path)
    saved = recalculate(list(files.values()), tmp_path / "saved")
    good, bad = _check([saved[files["good"]], saved[files["bad"]]])
    assert [k for k, f in good.items() if f["severity"] == "error"] == []
    assert {
        "A3@applications.new.total",
        "N1@applications.carried_out.business",
        "N1@applications.granted.legal",  # #DIV/0! now sits in the cell
    } <= set(bad)
    # the 法律服务机构 column's balance reads the error (through the （七）总计 formula over
    # it): it judges nothing until the cell is corrected, and is not said again
    assert "A1@applications.carried_out.legal" not in bad


def test_a_supplementary_sheet_added_to_a_template_return_is_read(tmp_path: Path) -> None:
    """A unit copies the 补充统计 sheet into its filled template (one file for both): the
    supplement is found by its labels on the added sheet and its rules join the report's
    (before, the template's map was read and the added sheet never looked at)."""
    from tests.support import run_toolkit

    supp = load_form("supp-stats")
    report, table = tmp_path / "模板.xlsx", tmp_path / "补充模板.xlsx"
    build_template(SPEC, report, unit="测试街道", year=2025)
    build_template(supp, table, unit="测试街道", year=2025)
    filled_report, filled_table = tmp_path / "年报.xlsx", tmp_path / "补充.xlsx"
    fill_workbook(report, filled_report, consistent_fill(SPEC, np.random.default_rng(1)))
    figures = consistent_fill(supp, np.random.default_rng(2))
    figures["supp.channel.website"] = float(figures["supp.active.total"] or 0) + 1  # S3
    fill_workbook(table, filled_table, figures)
    added = openpyxl.load_workbook(filled_table)["补充统计"]
    workbook = openpyxl.load_workbook(filled_report)
    sheet = workbook.create_sheet("补充统计")
    for row in added.iter_rows():
        for cell in row:
            if cell.value is not None:  # its formulas too: they name cells of its own sheet
                sheet[cell.coordinate] = cell.value
    both = tmp_path / "年报和补充表.xlsx"
    workbook.save(both)
    done = run_toolkit("check", "--format", "json", str(both))
    import json

    (result,) = json.loads(done.stdout)["results"]
    assert result["form"] == "gov-2021"
    assert result["values"]["supp.channel.website"] == figures["supp.channel.website"]
    assert [(f["rule"], f["sheet"]) for f in result["findings"]] == [("S3", "补充统计")]
    assert done.returncode == 1
