"""What the written template is, read back from the file: locks, labels, formulas, setup."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from tests.support import build_template, read_map, read_sheets, value_at
from toolkit.forms.model import FormSpec
from toolkit.template.plan import plan_workbook
from toolkit.template.writer import META_SHEET, template_rules

FORMS = ["gov-2021", "gov-2019", "supp-stats"]


@pytest.fixture(scope="module", params=FORMS)
def written(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[FormSpec, Path, openpyxl.Workbook]:
    path = tmp_path_factory.mktemp(request.param) / "template.xlsx"
    spec = build_template(request.param, path, unit="兰江街道办事处")
    return spec, path, openpyxl.load_workbook(path)


def _covered(ranges: list[str], cell: str) -> bool:
    col, row = openpyxl.utils.cell.coordinate_from_string(cell)
    c = openpyxl.utils.column_index_from_string(col)
    for rng in ranges:
        for part in rng.split():
            min_c, min_r, max_c, max_r = range_boundaries(part)
            if min_c <= c <= max_c and min_r <= row <= max_r:
                return True
    return False


def test_sheets_in_spec_order_and_meta_sheet_very_hidden(written) -> None:
    spec, _, wb = written
    assert wb.sheetnames == [*spec.sheets, META_SHEET]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    for name in spec.sheets:
        assert wb[name].sheet_state == "visible"
        assert wb[name].protection.sheet is True


def test_input_cells_unlocked_labels_and_totals_locked(written) -> None:
    spec, _, wb = written
    fields, _ = read_map(written[1])
    for key, fld in spec.fields.items():
        sheet, ref = fields[key]
        cell = wb[sheet][ref]
        if fld.computed:
            assert cell.protection.locked, key
            assert isinstance(cell.value, str) and cell.value.startswith("=SUM("), key
        elif key in ("meta.unit", "meta.year"):
            assert cell.protection.locked, key  # prefilled and locked
        else:
            assert cell.protection.locked is False, key
    plan = plan_workbook(spec, template_rules(spec))
    for sheet_plan in plan.sheets:
        ws: Worksheet = wb[sheet_plan.name]
        for table, top in sheet_plan.tables:
            for label in table.labels:
                cell = ws.cell(top + 2 + label.row, label.col + 1)
                assert cell.protection.locked is True
                # the official wording, character for character
                assert cell.value == label.text


def test_field_labels_verbatim_in_field_lists(written) -> None:
    spec, _, wb = written
    fields, _ = read_map(written[1])
    for key, fld in spec.fields.items():
        table = spec.table(fld.table)
        if table.layout == "fields":
            sheet, ref = fields[key]
            row = wb[sheet][ref].row
            assert wb[sheet].cell(row, 1).value == fld.label


def test_every_input_has_data_validation(written) -> None:
    spec, _, wb = written
    fields, _ = read_map(written[1])
    for key, fld in spec.fields.items():
        if fld.computed or key in ("meta.unit", "meta.year") or fld.kind == "longtext":
            continue
        sheet, ref = fields[key]
        validations = wb[sheet].data_validations.dataValidation
        matching = [dv for dv in validations if _covered([str(dv.sqref)], ref)]
        assert matching, f"{key} at {sheet}!{ref} has no data validation"
        dv = matching[0]
        assert dv.promptTitle and dv.prompt and dv.error  # Chinese input and error messages
        expected = {
            "count": "whole",
            "change": "whole",
            "money": "custom",
            "year": "whole",
            "date": "date",
            "text": "textLength",
            "phone": "textLength",
        }[fld.kind]
        assert dv.type == expected, key
        if fld.kind == "money":  # to the cent, as N1 reads it: 2504元 is 0.2504万元
            places = {"元": 2}.get(fld.unit or "", 6)
            assert f"ROUND({ref},{places})={ref}" in dv.formula1, (key, dv.formula1)
            assert f"最多 {places} 位小数" in dv.prompt, (key, dv.prompt)


def test_every_rule_target_is_coloured_by_its_own_check(written) -> None:
    spec, path, wb = written
    fields, checks = read_map(path)
    for rule in template_rules(spec):
        sheet, ref = fields[rule.at]
        helper_sheet, helper = checks[rule.instance]
        assert helper_sheet == sheet  # the check cell sits on the sheet it colours
        absolute = (
            "$"
            + "".join(c for c in helper if c.isalpha())
            + "$"
            + "".join(c for c in helper if c.isdigit())
        )
        formulas = [
            f
            for cf in wb[sheet].conditional_formatting
            if _covered([str(cf.sqref)], ref)
            for r in cf.rules
            for f in r.formula
        ]
        refs = {m for f in formulas for m in re.findall(r"\$[A-Z]+\$[0-9]+", f)}
        assert absolute in refs, f"{rule.instance}: {ref} not coloured by its own check"


def test_no_conditional_format_refers_to_another_sheet(written) -> None:
    spec, _, wb = written
    for name in spec.sheets:
        for cf in wb[name].conditional_formatting:
            for rule in cf.rules:
                assert not any("!" in f for f in rule.formula), (name, rule.formula)


def test_print_setup_and_frozen_panes(written) -> None:
    spec, _, wb = written
    for name in spec.sheets:
        ws = wb[name]
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth is omitted when it is the default, 1 page wide
        assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
        assert ws.freeze_panes is not None
    if spec.id == "gov-2021":
        assert wb["申请情况"].page_setup.orientation == "landscape"
        assert wb["申请情况"].print_title_rows  # header rows repeat on every page
        assert wb["申请情况"].freeze_panes == "D9"


def test_form_identity_stored(written) -> None:
    spec, path, wb = written
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["toolkit_form"] == spec.id
    assert props["toolkit_spec_version"] == spec.version
    assert props["toolkit_unit"] == "兰江街道办事处"
    sheets = read_sheets(path)
    meta = {row[0]: row[1] for row in sheets[META_SHEET] if row and row[0]}
    assert meta["toolkit_marker"] == "toolkit-template"
    assert meta["toolkit_form"] == spec.id


def test_cached_values_of_blank_template(written) -> None:
    """Viewers that do not recalculate see 0 totals, ✓ checks and the passing verdict."""
    spec, path, _ = written
    fields, checks = read_map(path)
    sheets = read_sheets(path)
    for key, fld in spec.fields.items():
        if fld.computed:
            assert value_at(sheets, *fields[key]) == 0
    assert all(value_at(sheets, s, r) is True for s, r in checks.values())
    assert value_at(sheets, spec.sheets[0], "B3") == "✓ 全部通过"
    assert value_at(sheets, *fields["meta.unit"]) == "兰江街道办事处"


def test_no_newer_excel_functions(written) -> None:
    _, path, _ = written
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                text = archive.read(name).decode("utf-8")
                assert "_xlfn" not in text and "_xlws" not in text, name
