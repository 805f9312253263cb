"""Templates recalculated by a real spreadsheet engine (LibreOffice headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from tests.fills import break_rule, consistent_fill
from tests.libreoffice import recalculate
from tests.support import YEARS, error_cells, fill_workbook, read_map, read_sheets, value_at
from toolkit.check.pipeline import check_files
from toolkit.forms.loader import load_spec
from toolkit.forms.model import FormSpec
from toolkit.forms.registry import load_all, load_form
from toolkit.template.writer import TemplateOptions, template_rules, write_template

pytestmark = pytest.mark.libreoffice
LOCAL_FORM = Path(__file__).parent / "data" / "local-training.toml"
ERROR_PREFIXES = ("#", "Err:")


def _specs() -> list[FormSpec]:
    return [
        load_form("gov-2021"),
        load_form("gov-2019"),
        load_form("supp-stats"),
        load_spec(LOCAL_FORM),
    ]


def _errors(path: Path) -> list[tuple[str, str]]:
    """Error values anywhere: in the XML (calamine reads them as ''), or as text."""
    found = sorted(error_cells(path))
    for name, rows in read_sheets(path).items():
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, str) and v.startswith(ERROR_PREFIXES):
                    found.append((name, f"R{r + 1}C{c + 1}"))
    return found


def _formula_cells(path: Path) -> list[tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    return [
        (ws.title, cell.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]


@pytest.fixture(scope="module")
def blank_templates(
    soffice: str, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[FormSpec, Path, Path, Path, Path]]:
    """Per form: (spec, with unit, its recalculated copy, without unit, its copy)."""
    folder = tmp_path_factory.mktemp("blank")
    made = []
    for spec in _specs():
        year = YEARS.get(spec.id, 2025)
        with_unit = folder / f"{spec.id}-unit.xlsx"
        without = folder / f"{spec.id}-nounit.xlsx"
        write_template(spec, with_unit, TemplateOptions(year=year, unit="兰江街道"))
        write_template(spec, without, TemplateOptions(year=year))
        made.append((spec, with_unit, without))
    out = recalculate([p for _, a, b in made for p in (a, b)], folder / "recalc")
    return [(spec, a, out[a], b, out[b]) for spec, a, b in made]


def test_blank_templates_open_without_error_values_and_pass(blank_templates) -> None:
    for spec, original, recalculated, _, _ in blank_templates:
        sheets = read_sheets(recalculated)
        assert not _errors(recalculated), spec.id
        _, checks = read_map(original)
        failing = [i for i, (s, r) in checks.items() if value_at(sheets, s, r) is not True]
        assert not failing, f"{spec.id}: {failing}"
        assert value_at(sheets, spec.sheets[0], "B3") == "✓ 全部通过"
        # every line of every 校验结果 area shows ✓
        for sheet in spec.sheets:
            marks = [v for row in sheets[sheet] for v in row if v in ("✓", "✗", "!")]
            groups = {
                (r.id, r.message)
                for r in template_rules(spec)
                if read_map(original)[1][r.instance][0] == sheet
            }
            assert marks == ["✓"] * len(groups), (spec.id, sheet)


def test_blank_template_without_unit_fails_only_the_unit_check(blank_templates) -> None:
    for spec, _, _, original, recalculated in blank_templates:
        sheets = read_sheets(recalculated)
        assert not _errors(recalculated)
        _, checks = read_map(original)
        failing = [i for i, (s, r) in checks.items() if value_at(sheets, s, r) is not True]
        assert failing == ["M1@meta.unit"], spec.id
        assert value_at(sheets, spec.sheets[0], "B3").startswith("✗ 有 1 处错误")


def test_cached_values_equal_what_the_engine_computes(soffice: str, tmp_path: Path) -> None:
    """Formula cells written with values carry the results a spreadsheet computes."""
    rng = np.random.default_rng(7)
    files: list[tuple[FormSpec, Path]] = []
    for spec in _specs()[:3]:
        for i, rule in enumerate([None, "A1", "N1", "W1", "P1", "S3", "W3", "M1"]):
            values = consistent_fill(spec, rng)
            if rule is not None:
                if rule not in {r.id for r in spec.rules}:
                    continue
                values = break_rule(spec, rule, values, rng)
            year = values.pop("meta.year", None) or YEARS[spec.id]
            unit = values.pop("meta.unit", "兰江街道") if "meta.unit" in values else "兰江街道"
            path = tmp_path / f"{spec.id}-{i}.xlsx"
            write_template(spec, path, TemplateOptions(year=year, unit=unit, values=values))
            files.append((spec, path))
    out = recalculate([p for _, p in files], tmp_path / "recalc")
    for _spec, path in files:
        cached, computed = read_sheets(path), read_sheets(out[path])
        cells = _formula_cells(path)
        assert cells
        for sheet, ref in cells:
            mine, engine = value_at(cached, sheet, ref), value_at(computed, sheet, ref)
            if isinstance(mine, float) and isinstance(engine, float):
                assert mine == pytest.approx(engine), (path.name, sheet, ref)
            else:
                assert mine == engine, (path.name, sheet, ref, mine, engine)


def test_an_error_value_in_an_input_fails_the_checks_that_read_it(
    soffice: str, tmp_path: Path
) -> None:
    """#DIV/0! typed into a cell must not leave the sheet saying everything passes."""
    spec = load_form("gov-2021")
    template = tmp_path / "t.xlsx"
    write_template(spec, template, TemplateOptions(year=2025, unit="兰江街道"))
    broken = tmp_path / "broken.xlsx"
    fill_workbook(template, broken, {"applications.new.natural": "=1/0"})
    out = recalculate([broken], tmp_path / "recalc")[broken]
    sheets = read_sheets(out)
    fields, checks = read_map(template)
    assert fields["applications.new.natural"] in error_cells(out)
    failing = {i for i, (s, r) in checks.items() if value_at(sheets, s, r) is not True}
    assert {
        "A1@applications.carried_out.natural",
        "N1@applications.new.natural",
        "A3@applications.new.total",
    } <= failing
    assert value_at(sheets, "封面", "B3").startswith("✗")


def test_a_negative_part_is_red_once_not_again_at_the_totals_it_adds_to(
    tmp_path: Path,
) -> None:
    """-1 typed for 自然人 turns its own N1 check red; the formula totals it flows into (the
    row's 总计, （七）总计) are not red for N1 as well — the same error told once, as `check`
    tells it (before, the template counted it at every total over it)."""
    spec = load_form("gov-2021")
    template = tmp_path / "模板.xlsx"
    write_template(spec, template, TemplateOptions(year=2025, unit="兰江街道"))
    values = consistent_fill(spec, np.random.default_rng(4))
    for key, field in spec.fields.items():  # 自然人 all 0, so its totals come to -1
        if key.startswith("applications.") and key.endswith(".natural") and not field.computed:
            values[key] = 0
    values["applications.granted.natural"] = -1
    filled = tmp_path / "负数.xlsx"
    fill_workbook(template, filled, values)
    recalculated = recalculate([filled], tmp_path / "recalc")[filled]
    sheets = read_sheets(recalculated)
    _, checks = read_map(template)
    at = {r.instance: r for r in template_rules(spec)}
    red = [at[i] for i, (s, ref) in checks.items() if value_at(sheets, s, ref) is not True]
    n1 = [r.at for r in red if r.id == "N1"]
    assert n1 == ["applications.granted.natural"], n1


def test_what_shows_nothing_is_blank_and_a_year_typed_as_text_is_the_year(
    soffice: str, tmp_path: Path
) -> None:
    """A cell holding only a no-break space, a line break or a tab (pasted from a web page,
    Alt+Enter) is blank, and a 报告年度 typed as text ("2025年度") is that year: the
    template's live checks say so once recalculated, as `check` does on the same file. A real
    non-number, a year naming none, and a unit that shows nothing still fail in both."""
    spec = load_form("gov-2021")
    template = tmp_path / "模板.xlsx"
    write_template(spec, template, TemplateOptions(year=2025, unit="兰江街道"))
    shows_nothing = {
        "applications.new.natural": "\xa0",  # beside a figure: its row's A3 applies
        "applications.carried_in.natural": "\n",
        "active.regs.issued": "\r\n",
        "fees_info.noticed_yuan": "\t\xa0",  # money
        "review.appeal.upheld": " \xa0\u3000\n",
    }
    figures = {"applications.new.business": 3, "applications.granted.business": 3}
    quiet = tmp_path / "看不见的内容.xlsx"
    fill_workbook(template, quiet, {**shows_nothing, **figures, "meta.year": "2025年度"})
    wrong = tmp_path / "真的不是数字.xlsx"
    fill_workbook(
        template,
        wrong,
        {"applications.new.natural": "abc", "meta.year": "去年", "meta.unit": "\xa0\n"},
    )
    out = recalculate([quiet, wrong], tmp_path / "recalc")
    _, checks = read_map(template)

    def failing_in_template(path: Path) -> set[str]:
        sheets = read_sheets(out[path])
        assert not _errors(out[path])
        return {i for i, (s, ref) in checks.items() if value_at(sheets, s, ref) is not True}

    def failing_in_check(path: Path) -> set[str]:
        forms, _ = load_all()
        (result,) = check_files([str(path)], forms, isolate=False)
        return {f"{f.rule}@{f.fields[0]}" for f in result.findings if f.severity == "error"}

    assert failing_in_template(quiet) == set()
    assert value_at(read_sheets(out[quiet]), "封面", "B3") == "✓ 全部通过"
    assert failing_in_check(quiet) == set()
    expected = {"N1@applications.new.natural", "M1@meta.year", "M1@meta.unit"}
    assert failing_in_template(wrong) == expected
    assert failing_in_check(wrong) == expected
