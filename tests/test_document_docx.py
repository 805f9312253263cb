"""Reports as .docx: what write_docx renders reads back the same (paragraphs in order, every
table cell with its spans), in the GB/T 9704 page and fonts; read_docx gets the spans of
documents other writers made, and refuses a document that claims an absurd table."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from tests.libreoffice import convert
from toolkit.document.docx_io import read_docx, write_docx
from toolkit.document.model import (
    MAX_TABLE_CELLS,
    DocTable,
    Document,
    DocumentTooLarge,
    Paragraph,
    TableCell,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LONG = "本机关严格按照《中华人民共和国政府信息公开条例》要求，坚持以公开为常态、不公开为例外" * 12


def _table() -> DocTable:
    """Merged header cells (2 columns, 3 rows, 2×2), numbers, blank cells, a two-line label."""
    header = [
        TableCell("项目", 0, 0, rows=3, header=True),
        TableCell("申请人情况", 0, 1, cols=2, header=True),
        TableCell("办理结果", 0, 3, rows=2, cols=2, header=True),
        TableCell("合计", 0, 5, rows=3, header=True),
        TableCell("自然人", 1, 1, rows=2, header=True),
        TableCell("法人或其他组织", 1, 2, rows=2, header=True),
        TableCell("予以公开", 2, 3, header=True),
        TableCell("不予公开", 2, 4, header=True),
    ]
    body = [
        ("本年新收", "12", "1,234", "0", "", "1,246"),
        ("上年结转\n（件）", "", "3", "2.5%", "1", ""),
    ]
    cells = [TableCell(text, 3 + r, c) for r, row in enumerate(body) for c, text in enumerate(row)]
    return DocTable(cells=header + cells, caption="一、收到和处理政府信息公开申请情况")


def _document() -> Document:
    return Document(
        blocks=[
            Paragraph("某某市人民政府2024年政府信息公开工作年度报告", "title"),
            Paragraph("一、总体情况", "heading"),
            Paragraph(LONG),
            Paragraph("（一）主动公开。全年主动公开政府信息1,234条。"),
            _table(),
            Paragraph("注：表中数据截至2024年12月31日。", "note"),
            Paragraph("某某市人民政府办公室", "signature"),
            Paragraph("2025年1月20日", "signature"),
        ]
    )


def _cells(table: DocTable) -> list[tuple[str, int, int, int, int]]:
    return sorted((c.text, c.row, c.col, c.rows, c.cols) for c in table.cells)


def _outline(document: Document) -> list[tuple[str, object]]:
    """What a reader sees: paragraph texts and tables' cells, in order."""
    return [
        ("p", b.text) if isinstance(b, Paragraph) else ("table", _cells(b)) for b in document.blocks
    ]


def test_round_trip_keeps_paragraphs_in_order_and_every_cell_with_its_spans(
    tmp_path: Path,
) -> None:
    original = _document()
    path = tmp_path / "report.docx"
    write_docx(original, path)
    read = read_docx(path)
    expected: list[tuple[str, object]] = []
    for block in original.blocks:
        if isinstance(block, DocTable):  # the caption comes back as the paragraph above
            expected += [("p", block.caption), ("table", _cells(block))]
        else:
            expected.append(("p", block.text))
    assert _outline(read) == expected
    assert [p.role for p in read.paragraphs[:3]] == ["title", "heading", "body"]
    assert read.tables[0].caption is None
    assert read.tables[0].rows_of_text() == _table().rows_of_text()


def test_page_fonts_language_and_title_follow_the_official_style(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    write_docx(_document(), path)
    opened = docx.Document(str(path))
    section = opened.sections[0]
    for actual, mm in [
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ]:
        assert abs(actual - Mm(mm)) < Mm(0.1), (actual, mm)
    assert opened.core_properties.title == "某某市人民政府2024年政府信息公开工作年度报告"
    assert opened.core_properties.author == ""

    with zipfile.ZipFile(path) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
        body = etree.fromstring(archive.read("word/document.xml"))

    def fonts(style_id: str) -> dict[str, str]:
        (style,) = styles.iterfind(f"{W}style[@{W}styleId='{style_id}']")
        return {k.removeprefix(W): v for k, v in style.find(f"{W}rPr/{W}rFonts").items()}

    latin = "Times New Roman"
    assert fonts("Normal") == {"ascii": latin, "hAnsi": latin, "eastAsia": "仿宋_GB2312"}
    assert fonts("Title")["eastAsia"] == "方正小标宋简体"
    assert fonts("Heading1")["eastAsia"] == "黑体"
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}eastAsia") == "zh-CN"
    # the body paragraph is in the default (Normal) style, whose size is 3号 = 16 pt
    long = next(p for p in body.iter(f"{W}p") if "".join(p.itertext()) == LONG)
    assert long.find(f"{W}pPr/{W}pStyle") is None
    (normal,) = styles.iterfind(f"{W}style[@{W}styleId='Normal']")
    assert normal.find(f"{W}rPr/{W}sz").get(f"{W}val") == "32"
    assert normal.find(f"{W}pPr/{W}spacing").get(f"{W}lineRule") == "exact"
    # borders set on the table itself; no field or hyperlink in the body
    assert len(body.findall(f".//{W}tblPr/{W}tblBorders/*")) == 6
    assert not body.findall(f".//{W}fldSimple") and not body.findall(f".//{W}instrText")
    assert not body.findall(f".//{W}hyperlink")


def test_reads_spans_of_a_document_another_writer_made(tmp_path: Path) -> None:
    """python-docx directly: gridSpan, vMerge (restart/continue), gridBefore, a nested
    table, a paragraph inside a content control, a Heading style."""
    made = docx.Document()
    made.add_paragraph("二、主动公开政府信息情况", style="Heading 1")
    wrapped = made.add_paragraph("在内容控件里的段落")
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    wrapped._p.addprevious(sdt)
    sdt.append(content)
    content.append(wrapped._p)
    made.add_paragraph("")  # skipped: empty
    table = made.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "A"
    table.cell(0, 2).merge(table.cell(2, 2)).text = "B"
    for (r, c), text in {(0, 3): "C", (1, 0): "D", (1, 1): "E", (1, 3): "F", (2, 1): "G"}.items():
        table.cell(r, c).text = text
    last = table.cell(2, 3)
    last.text = "H"
    nested = last.add_table(rows=1, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "x", "y"
    row = table.rows[2]._tr  # the row starts one grid column in: no cell at (2, 0)
    row.remove(row.tc_lst[0])
    before = OxmlElement("w:gridBefore", {qn("w:val"): "1"})
    row.get_or_add_trPr().append(before)
    made.add_paragraph("表后说明")
    path = tmp_path / "made.docx"
    made.save(str(path))

    read = read_docx(path)
    assert [(p.text, p.role) for p in read.paragraphs] == [
        ("二、主动公开政府信息情况", "heading"),
        ("在内容控件里的段落", "body"),
        ("表后说明", "body"),
    ]
    assert isinstance(read.blocks[2], DocTable)
    assert _cells(read.tables[0]) == sorted(
        [
            ("A", 0, 0, 1, 2),
            ("B", 0, 2, 3, 1),
            ("C", 0, 3, 1, 1),
            ("D", 1, 0, 1, 1),
            ("E", 1, 1, 1, 1),
            ("F", 1, 3, 1, 1),
            ("G", 2, 1, 1, 1),
            ("H\nx\ny", 2, 3, 1, 1),
        ]
    )
    assert all(not c.header for c in read.tables[0].cells)


def _edited(tmp_path: Path, edit: dict[str, str]) -> Path:
    """A small docx (a 1×2 table merged into one cell) with its document.xml edited."""
    made = docx.Document()
    table = made.add_table(rows=1, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "合并"
    source, target = tmp_path / "small.docx", tmp_path / "edited.docx"
    made.save(str(source))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                for old, new in edit.items():
                    assert old in text
                    text = text.replace(old, new)
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return target


@pytest.mark.parametrize(
    "edit",
    [
        {'w:gridSpan w:val="2"': 'w:gridSpan w:val="1000000"'},
        {'w:gridSpan w:val="2"': 'w:gridSpan w:val="' + "9" * 5000 + '"'},
        {"<w:tr>": '<w:tr><w:trPr><w:gridBefore w:val="1000000"/></w:trPr>'},
        # a thousand rows of a 999-column cell: each span allowed, the table too big
        {
            "<w:tr>": '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="999"/></w:tcPr><w:p/></w:tc></w:tr>'
            * (MAX_TABLE_CELLS // 999 + 1)
            + "<w:tr>"
        },
    ],
    ids=["gridSpan", "gridSpan-5000-digits", "gridBefore", "cells"],
)
def test_an_absurd_table_is_refused_quickly(tmp_path: Path, edit: dict[str, str]) -> None:
    path = _edited(tmp_path, edit)
    start = time.monotonic()
    with pytest.raises(DocumentTooLarge):
        read_docx(path)
    assert time.monotonic() - start < 5


def test_a_continued_vertical_merge_and_a_malformed_span(tmp_path: Path) -> None:
    """Explicit w:val="continue", a continuation with nothing above (a new cell), and a
    gridSpan that is not a number (one column, as Word reads it)."""
    rows = (
        '<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>上</w:t></w:r>'
        '</w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="x"/></w:tcPr><w:p/></w:tc></w:tr>'
        '<w:tr><w:tc><w:tcPr><w:vMerge w:val="continue"/></w:tcPr><w:p/></w:tc>'
        "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>孤</w:t></w:r></w:p></w:tc></w:tr>"
    )
    path = _edited(tmp_path, {"<w:tr>": rows + "<w:tr>"})
    (table,) = read_docx(path).tables
    assert _cells(table) == sorted(
        [("上", 0, 0, 2, 1), ("", 0, 1, 1, 1), ("孤", 1, 1, 1, 1), ("合并", 2, 0, 1, 2)]
    )


def test_markup_nested_as_deep_as_the_parser_allows_reads(tmp_path: Path) -> None:
    depth = 240  # lxml refuses more than 256 levels; this is near the limit
    deep = "<w:smartTag>" * depth + "<w:r><w:t>深</w:t></w:r>" + "</w:smartTag>" * depth
    path = _edited(tmp_path, {"<w:r><w:t>合并</w:t></w:r>": deep})
    assert _cells(read_docx(path).tables[0]) == [("深", 0, 0, 1, 2)]


def test_control_characters_and_adjacent_tables_are_written(tmp_path: Path) -> None:
    dirty = "一\x00二\x07三\x1b四\ufffe\r\n五"
    tables = [
        DocTable(cells=[TableCell(dirty, 0, 0), TableCell("1", 0, 1)], caption=None),
        DocTable(cells=[TableCell("x", 0, 0, header=True)], caption=None),
    ]
    document = Document(blocks=[Paragraph(dirty, "title"), *tables])
    path = tmp_path / "dirty.docx"
    write_docx(document, path, title="标题\x01")
    read = read_docx(path)
    assert read.paragraphs[0].text == "一二三四\n五"
    assert [_cells(t) for t in read.tables] == [
        [("1", 0, 1, 1, 1), ("一二三四\n五", 0, 0, 1, 1)],
        [("x", 0, 0, 1, 1)],
    ]
    assert docx.Document(str(path)).core_properties.title == "标题"


def test_overlapping_cells_are_a_programming_error(tmp_path: Path) -> None:
    table = DocTable(cells=[TableCell("a", 0, 0, cols=2), TableCell("b", 0, 1)])
    with pytest.raises(ValueError, match="overlap"):
        write_docx(Document(blocks=[table]), tmp_path / "bad.docx")


@pytest.mark.libreoffice
def test_libreoffice_renders_the_written_docx_as_pdf(writer: str, tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    write_docx(_document(), path)
    pdf = convert([path], tmp_path / "pdf", "pdf", soffice=writer)[path]
    assert pdf.is_file()
    assert pdf.read_bytes()[:4] == b"%PDF"


@pytest.mark.libreoffice
def test_the_docx_libreoffice_saves_from_it_reads_the_same(writer: str, tmp_path: Path) -> None:
    """Another writer's XML for the same report (its own spans, styles, properties)."""
    path = tmp_path / "report.docx"
    write_docx(_document(), path)
    resaved = convert([path], tmp_path / "lo", "docx", soffice=writer)[path]
    assert _outline(read_docx(resaved)) == _outline(read_docx(path))
