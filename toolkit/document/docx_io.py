"""Report documents as .docx: write one in the style of Chinese official documents
(GB/T 9704: A4, 仿宋_GB2312 3号 body, 黑体 headings, 方正小标宋简体 title) and read a
published one back into the model (paragraphs and tables with their spans, in order).

Text always goes in as plain runs, never fields or hyperlinks, so an untrusted string cannot
become anything active. Fonts are named, not embedded: where one is missing, Word or
LibreOffice substitutes a similar one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT as ALIGN
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from lxml.etree import _Element

from toolkit.document.model import (
    MAX_BLOCKS,
    MAX_TABLE_CELLS,
    MAX_TABLE_SPAN,
    DocTable,
    Document,
    DocumentTooLarge,
    Paragraph,
    Role,
    TableCell,
    add_cells,
    lays_out_page,
)

__all__ = ["read_docx", "write_docx"]

_TEXT_WIDTH = Mm(210 - 28 - 26)
_FANG, _HEI, _LATIN = "仿宋_GB2312", "黑体", "Times New Roman"
# paragraph style: east Asian font, Latin font, size, alignment, first-line indent, exact line
# height (None: single), space after, bold -- all in points
_STYLES: dict[str, tuple[str, str, float, ALIGN, float, float | None, float, bool | None]] = {
    "Normal": (_FANG, _LATIN, 16, ALIGN.JUSTIFY, 32, 28, 0, None),
    "Title": ("方正小标宋简体", "方正小标宋简体", 22, ALIGN.CENTER, 0, 36, 28, None),
    "Heading 1": (_HEI, _HEI, 16, ALIGN.LEFT, 0, 28, 0, None),
    "Signature": (_FANG, _LATIN, 16, ALIGN.RIGHT, 0, 28, 0, None),
    "Note": (_FANG, _LATIN, 12, ALIGN.JUSTIFY, 0, 20, 0, None),
    "Table Caption": (_HEI, _HEI, 14, ALIGN.CENTER, 0, 28, 6, True),
    "Table Text": (_FANG, _LATIN, 10.5, ALIGN.LEFT, 0, None, 0, None),
    "Footer": ("宋体", _LATIN, 14, ALIGN.CENTER, 0, None, 0, None),
}
# built-in style names for title and heading, so any reader (and read_docx) sees the role
_ROLE_STYLE = {"title": "Title", "heading": "Heading 1", "signature": "Signature", "note": "Note"}
# what lxml refuses in XML text: C0 controls but \t\n\r, surrogates, U+FFFE/U+FFFF
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NUMBER = re.compile(r"[-+−]?[\d,，]*\d(?:\.\d+)?%?")
_BORDER = '<w:{} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")
_PAGE_FIELD = f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------- writing


def write_docx(document: Document, target: Path, *, title: str | None = None) -> None:
    """Render ``document`` as a .docx at ``target`` (the caller makes the write atomic)."""
    doc = docx.Document()
    section = doc.sections[0]  # page first: add_table sizes tables to the text width
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(24)  # page number about 7 mm below the text block
    _setup_styles(doc, document.language)
    _page_number(section)
    previous: Paragraph | DocTable | None = None
    for block in document.blocks:
        if isinstance(block, Paragraph):
            doc.add_paragraph(_clean(block.text), style=_ROLE_STYLE.get(block.role, "Normal"))
        else:
            if isinstance(previous, DocTable) and not block.caption:
                doc.add_paragraph()  # Word joins two adjacent tables into one
            _add_table(doc, block)
        previous = block
    if previous is None or isinstance(previous, DocTable):
        doc.add_paragraph()  # Word wants a paragraph, not a table, before the section end
    if title is None:
        title = next((p.text for p in document.paragraphs if p.role == "title"), "")
    props = doc.core_properties
    props.title = _clean(title).replace("\n", " ")
    props.language = document.language
    props.author = props.comments = props.last_modified_by = ""  # not "python-docx"
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0)  # not 2013
    rels = doc.part.package.rels  # drop the template's thumbnail: it shows another document
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]
    doc.save(str(target))


def _setup_styles(doc: DocxDocument, language: str) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(rpr, _FANG, _LATIN)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.insert_element_before(OxmlElement("w:lang"), "w:eastAsianLayout", "w:oMath")
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if ppr is not None:
        ppr.remove_all("w:spacing")  # the template adds 10 pt after every paragraph
    for name, (east, latin, size, align, indent, line, after, bold) in _STYLES.items():
        try:
            style = doc.styles[name]
        except KeyError:
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = doc.styles["Normal"]
        element = style.element
        if element.rPr is not None:  # the template's colours, theme fonts, letter spacing
            element.remove(element.rPr)
        if element.pPr is not None:
            element.pPr.remove_all("w:pBdr", "w:contextualSpacing")  # the Title's blue rule
        style.font.size, style.font.bold = Pt(size), bold
        _set_fonts(element.get_or_add_rPr(), east, latin)
        fmt = style.paragraph_format
        fmt.alignment, fmt.first_line_indent = align, Pt(indent)
        fmt.space_before, fmt.space_after = Pt(0), Pt(after)
        fmt.line_spacing = Pt(line) if line else 1.0  # a length means "exactly"
        if name in ("Heading 1", "Table Caption"):
            fmt.keep_with_next = True


def _set_fonts(rpr: _Element, east: str, latin: str) -> None:
    """Name the fonts; w:eastAsia is the one Chinese text uses (font.name sets only ascii)."""
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the names below
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east)):
        fonts.set(qn(attr), value)


def _page_number(section: Section) -> None:
    """'— 1 —' in the footer: a fixed PAGE field, built here, never from input text."""
    paragraph = section.footer.paragraphs[0]
    paragraph.style = "Footer"
    paragraph.add_run("— ")
    paragraph._p.append(parse_xml(_PAGE_FIELD))
    paragraph.add_run(" —")


def _add_table(doc: DocxDocument, model: DocTable) -> None:
    height, width = model.height, model.width
    if model.caption:
        doc.add_paragraph(_clean(model.caption).replace("\n", " "), style="Table Caption")
    if not height:
        return
    _check_cells(model.cells, height, width)
    table = doc.add_table(rows=height, cols=width)
    table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
    tbl = table._tbl
    tbl.tblPr.find(qn("w:tblW")).attrib.update(
        {qn("w:type"): "dxa", qn("w:w"): str(_TEXT_WIDTH.twips)}  # the full text width
    )
    # borders on the table itself: a named table style may not exist where it is opened
    borders = "".join(_BORDER.format(side) for side in _SIDES)
    tbl.tblPr.insert_element_before(
        parse_xml(f"<w:tblBorders {nsdecls('w')}>{borders}</w:tblBorders>"),
        *("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"),
    )
    if model.caption:  # the table's name for screen readers
        caption = OxmlElement("w:tblCaption", {qn("w:val"): _clean(model.caption)[:255]})
        tbl.tblPr.insert_element_before(caption, "w:tblDescription")
    widths = _column_widths(model.widths, width)
    for column, size in zip(table.columns, widths, strict=True):
        column.width = size  # the grid, which LibreOffice reads
    for row in table.rows:  # room around 五号 text, as published tables have
        row.height, row.height_rule = Mm(7), WD_ROW_HEIGHT_RULE.AT_LEAST
    for tr in tbl.tr_lst:
        for tc, size in zip(tr.tc_lst, widths, strict=True):
            tc.width = size  # each cell, which Word reads; merging adds them up
            blank = _Cell(tc, table)
            blank.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            blank.paragraphs[0].style = "Table Text"  # also in the cells a merge hides
    for cell in model.cells:  # merge all first: merging moves cell content around
        if cell.rows > 1 or cell.cols > 1:
            far = tbl.tr_lst[cell.row + cell.rows - 1].tc_at_grid_offset(cell.col + cell.cols - 1)
            tbl.tr_lst[cell.row].tc_at_grid_offset(cell.col).merge(far)
    for cell in model.cells:
        _fill(table, tbl.tr_lst[cell.row].tc_at_grid_offset(cell.col), cell)
    for tr in tbl.tr_lst[: _header_rows(model)]:  # repeated at the top of every page
        tr.get_or_add_trPr().insert_element_before(
            OxmlElement("w:tblHeader"), "w:tblCellSpacing", "w:jc", "w:hidden"
        )


def _check_cells(cells: list[TableCell], height: int, width: int) -> None:
    """Refuse what python-docx could not merge: overlapping cells, negative positions."""
    if height * width > MAX_TABLE_CELLS:
        raise DocumentTooLarge(f"a table of {height}×{width} cells")
    taken = [[False] * width for _ in range(height)]
    for cell in cells:
        if min(cell.row, cell.col) < 0 or min(cell.rows, cell.cols) < 1:
            raise ValueError(f"bad table cell position or span: {cell}")
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.col, cell.col + cell.cols):
                if taken[r][c]:
                    raise ValueError(f"table cells overlap at row {r}, column {c}")
                taken[r][c] = True


def _column_widths(weights: tuple[float, ...], count: int) -> list[Length]:
    if len(weights) != count or not all(math.isfinite(w) and w > 0 for w in weights):
        weights = (2.0, *[1.0] * (count - 1)) if count >= 3 else (1.0,) * count  # labels wider
    total = sum(weights)
    sizes = [Length(int(_TEXT_WIDTH * w / total)) for w in weights]
    sizes[-1] = Length(_TEXT_WIDTH - sum(sizes[:-1]))  # rounding goes to the last column
    return sizes


def _fill(table: Table, tc: _Element, cell: TableCell) -> None:
    """The cell's text, once, one paragraph per line; headers bold, headers and numbers
    centred."""
    for p in tc.p_lst:
        tc.remove(p)
    target = _Cell(tc, table)
    for line in _clean(cell.text).split("\n"):
        paragraph = target.add_paragraph(style="Table Text")
        paragraph.add_run(line).bold = True if cell.header else None
        if cell.header or _NUMBER.fullmatch(line.strip()):
            paragraph.alignment = ALIGN.CENTER


def _header_rows(model: DocTable) -> int:
    """How many leading rows hold only header cells (where a cell starts)."""
    starts: dict[int, list[bool]] = {}
    for cell in model.cells:
        starts.setdefault(cell.row, []).append(cell.header)
    count = 0
    while starts.get(count) and all(starts[count]):
        count += 1
    return count


# ---------------------------------------------------------------- reading

_W_P, _W_TBL, _W_TR, _W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_W_T, _W_TAB = qn("w:t"), qn("w:tab")
_BREAKS = (qn("w:br"), qn("w:cr"))
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")}
# deleted text, properties, and the fallback copy of a drawing (its text box is in the choice)
_SKIP = {qn("w:del"), qn("w:moveFrom"), qn("w:pPr"), qn("w:rPr")}
_SKIP.add("{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback")


@dataclass
class _Region:
    """A merged cell while its table is read."""

    lines: list[str]
    row: int
    col: int
    rows: int
    cols: int


def read_docx(path: Path) -> Document:
    """Paragraphs and tables of a .docx body in reading order. Parse errors propagate;
    DocumentTooLarge when it claims more than a report holds."""
    doc = docx.Document(str(path))
    names = {s.get(qn("w:styleId")): _style_name(s) for s in doc.styles.element.iter(qn("w:style"))}
    blocks: list[Paragraph | DocTable] = []
    _read_blocks(doc.element.body, names, blocks, [0])
    return Document(blocks=blocks)


def _read_blocks(
    parent: _Element,
    names: dict[str, str],
    blocks: list[Paragraph | DocTable],
    cells: list[int],  # grid positions of the tables read so far (one counter, shared)
) -> None:
    for element in _children(parent, {_W_P, _W_TBL}):
        if element.tag == _W_P:
            text = _paragraph_text(element).strip()
            style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if text:
                name = "" if style is None else names.get(style.get(qn("w:val")), "")
                blocks.append(Paragraph(text, _role(name)))
        elif _lays_out(element):
            # a table holding tables lays out a page (a web page pasted or converted into
            # Word): its cells' paragraphs and tables are the report's, in reading order
            # (recursion is bounded: lxml refuses XML nested deeper than 256 levels)
            for tr in _children(element, {_W_TR}):
                for tc in _children(tr, {_W_TC}):
                    _read_blocks(tc, names, blocks, cells)
        elif (table := _read_table(element)).cells:
            cells[0] = add_cells(cells[0], table)
            blocks.append(table)
        if len(blocks) > MAX_BLOCKS:
            raise DocumentTooLarge(f"more than {MAX_BLOCKS} paragraphs and tables")


def _lays_out(tbl: _Element) -> bool:
    """A table around the report rather than one of its tables: the tables inside it hold
    more cells than it does (a small table nested in one cell is that cell's content)."""
    if tbl.find(f".//{_W_TBL}") is None:
        return False
    own = sum(1 for tr in _children(tbl, {_W_TR}) for _ in _children(tr, {_W_TC}))
    nested = sum(1 for _ in tbl.iter(_W_TC)) - own
    return lays_out_page(own, nested)


def _style_name(style: _Element) -> str:
    name = style.find(qn("w:name"))
    return style.get(qn("w:styleId"), "") if name is None else name.get(qn("w:val"), "")


def _role(style_name: str) -> Role:
    lowered = style_name.strip().lower()  # Word writes "heading 1", WPS may write "标题 1"
    if lowered == "title":
        return "title"
    return "heading" if lowered.startswith(("heading", "标题")) else "body"


def _children(parent: _Element, tags: set[str]) -> Iterator[_Element]:
    """Children of ``parent`` with one of ``tags``, looking through content controls."""
    for child in parent:
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tags)


def _paragraph_text(p: _Element) -> str:
    return "".join(_texts(p))


def _texts(element: _Element) -> Iterator[str]:
    # recursion is bounded: lxml refuses XML nested deeper than 256 levels
    for child in element:
        if child.tag == _W_T:
            yield child.text or ""
        elif child.tag == _W_TAB:
            yield "\t"
        elif child.tag in _BREAKS:
            if child.get(qn("w:type")) in (None, "textWrapping"):  # not page/column breaks
                yield "\n"
        elif child.tag == _W_P:  # a text box's paragraph inside this one
            yield "\n"
            yield from _texts(child)
        elif child.tag not in _SKIP:
            yield from _texts(child)


def _cell_lines(tc: _Element) -> list[str]:
    """The cell's paragraphs, with the text of any nested table folded in."""
    lines: list[str] = []
    for element in _children(tc, {_W_P, _W_TBL}):
        if element.tag == _W_P:
            lines.append(_paragraph_text(element).strip())
        else:
            for tr in _children(element, {_W_TR}):
                for inner in _children(tr, {_W_TC}):
                    lines.extend(_cell_lines(inner))
    return lines


def _count(parent: _Element | None, tag: str, default: int) -> int:
    """A span from ``parent/tag/@w:val``, refused above MAX_TABLE_SPAN before any use."""
    node = None if parent is None else parent.find(qn(tag))
    value = "" if node is None else (node.get(qn("w:val")) or "").strip()
    if not re.fullmatch(r"[0-9]+", value):
        return default  # absent or malformed: Word ignores it too
    if len(value) > 9 or int(value) > MAX_TABLE_SPAN:
        raise DocumentTooLarge(f"a table cell spans {value[:12]} columns")
    return max(int(value), default)


def _read_table(tbl: _Element) -> DocTable:
    regions: list[_Region] = []
    above: dict[int, _Region] = {}  # grid column -> region of the row above a vMerge continues
    width = 0
    for row, tr in enumerate(_children(tbl, {_W_TR})):
        col = _count(tr.find(qn("w:trPr")), "w:gridBefore", 0)
        merging: dict[int, _Region] = {}
        for tc in _children(tr, {_W_TC}):
            tcpr = tc.find(qn("w:tcPr"))
            span = _count(tcpr, "w:gridSpan", 1)
            vmerge = None if tcpr is None else tcpr.find(qn("w:vMerge"))
            lines = _cell_lines(tc)
            region = above.get(col)
            # a bare vMerge (or "continue") extends the region above; "restart" starts one
            if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue" and region:
                region.rows += 1
                if region.rows > MAX_TABLE_SPAN:
                    raise DocumentTooLarge(f"a table cell spans more than {MAX_TABLE_SPAN} rows")
                region.lines.extend(line for line in lines if line)  # stray text is kept
            else:
                region = _Region(lines, row, col, 1, span)
                regions.append(region)
            if vmerge is not None:
                merging[col] = region
            col += span
        above = merging
        width = max(width, col)
        if (row + 1) * width > MAX_TABLE_CELLS:
            raise DocumentTooLarge(f"a table of more than {MAX_TABLE_CELLS} cells")
    return DocTable(
        cells=[TableCell("\n".join(r.lines).strip(), r.row, r.col, r.rows, r.cols) for r in regions]
    )
