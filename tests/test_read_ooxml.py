"""Which cells hold a formula (and its text) or an error value: the fast text scan agrees
with an XML parser on real workbooks and on the spellings other writers use."""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml.ElementTree import fromstring

from toolkit.read.ooxml import SheetCells, _scan, formula_and_error_cells

ROOT = Path(__file__).resolve().parent.parent
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def parsed(data: bytes) -> tuple[dict[str, str], set[str]]:
    """The reference: ElementTree over the whole part (non-shared formulas only)."""
    formulas, errors = {}, set()
    for cell in fromstring(data).iter(f"{MAIN}c"):
        ref = cell.get("r", "")
        formula = cell.find(f"{MAIN}f")
        if formula is not None:
            formulas[ref] = formula.text or ""
        if cell.get("t") == "e":
            errors.add(ref)
    return formulas, errors


def test_the_scan_agrees_with_an_xml_parser_on_every_shipped_workbook() -> None:
    workbooks = list((ROOT / "examples").glob("*.xlsx"))
    assert len(workbooks) >= 4
    for path in workbooks:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    data = archive.read(name)
                    cells = SheetCells()
                    _scan(data, cells)
                    assert (cells.formulas, cells.errors) == parsed(data), (path.name, name)


def test_prefixes_attribute_order_shared_formulas_and_escapes() -> None:
    data = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheetData><x:row r="9">'
        b'<x:c s="1" r="D9"><x:v>2</x:v></x:c>'
        b'<x:c t="e" r="E9"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c>'
        b'<x:c r="J9"><x:f t="shared" ref="J9:J11" si="0">SUM(D9:I9)</x:f><x:v>2</x:v></x:c>'
        b'<x:c r="J10"><x:f t="shared" si="0"/><x:v>0</x:v></x:c>'
        b'<x:c r="K9" t="str"><x:f>IF(D9&gt;0,"a&amp;b","")</x:f><x:v>a&amp;b</x:v></x:c>'
        b'<x:c r="L9"/><x:c r="M9" t="inlineStr"><x:is><x:t>&lt;f&gt;</x:t></x:is></x:c>'
        b"</x:row></x:sheetData></x:worksheet>"
    )
    cells = SheetCells()
    _scan(data, cells)
    assert cells.formulas == {
        "E9": "1/0",
        "J9": "SUM(D9:I9)",
        "J10": "SUM(D10:I10)",  # the shared formula, translated to its cell
        "K9": 'IF(D9>0,"a&b","")',
    }
    assert cells.errors == {"E9"}


def test_a_sheet_without_formulas_is_not_scanned_cell_by_cell(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 3
    workbook.active["B1"] = "<f>"
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    found = formula_and_error_cells(path, {"Sheet"})
    assert found["Sheet"].formulas == {} and found["Sheet"].errors == set()


def test_asking_for_some_cells_gives_what_the_full_scan_says_about_them() -> None:
    """A template return is scanned only in the rows of its mapped cells: same answer."""
    from tests.support import read_map

    for name in ("凤山街道2025年报.xlsx", "兰江街道2020年报.xlsx"):
        path = ROOT / "examples" / name
        fields, _ = read_map(path)
        wanted: dict[str, set[str]] = {}
        for sheet, ref in fields.values():
            wanted.setdefault(sheet, set()).add(ref)
        full = formula_and_error_cells(path, set(wanted))
        some = formula_and_error_cells(path, set(wanted), wanted)
        found = 0
        for sheet, refs in wanted.items():
            expected = {r: t for r, t in full[sheet].formulas.items() if r in refs}
            assert some[sheet].formulas == expected, (name, sheet)
            assert some[sheet].errors & refs == full[sheet].errors & refs
            found += len(expected)
        assert found >= 30  # the totals are formulas


def test_looking_up_one_cell_agrees_with_the_full_scan_on_odd_spellings() -> None:
    """Rows without numbers, an empty formula before a shared master in another row."""
    from toolkit.read.ooxml import SheetPart

    parts = [
        b'<worksheet><sheetData><row><c r="A1"><f>1+1</f></c><c r="B1" t="e"><v>#N/A</v></c>'
        b"</row></sheetData></worksheet>",
        b'<worksheet><sheetData><row r="1"><c r="A1"><f></f></c>'
        b'<c r="B1"><f t="shared" ref="B1:B2" si="0">A1+1</f></c></row>'
        b'<row r="2"><c r="B2"><f t="shared" si="0"/></c></row></sheetData></worksheet>',
    ]
    for data in parts:
        full = SheetCells()
        _scan(data, full)
        part = SheetPart(data)
        for ref in ("A1", "B1", "B2", "C9"):
            text, error = part.cell(ref)
            assert text == full.formulas.get(ref), (data, ref)
            assert error == (ref in full.errors), (data, ref)
