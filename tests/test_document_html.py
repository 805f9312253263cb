"""The report as an HTML page: what write_html renders read_html reads back; saved government
pages (GBK, layout tables, merged cells) come back as paragraphs and tables; hostile pages are
refused fast or read without error."""

from __future__ import annotations

import time

import pytest

from toolkit.document.html_io import read_html, write_html
from toolkit.document.model import (
    DocTable,
    Document,
    DocumentTooLarge,
    Paragraph,
    TableCell,
)

HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("x")'


def cells_of(table: DocTable) -> list[tuple[str, int, int, int, int, bool]]:
    return sorted((c.text, c.row, c.col, c.rows, c.cols, c.header) for c in table.cells)


def merged_table() -> DocTable:
    head = [
        TableCell("项目", 0, 0, rows=3, header=True),  # a 3-row span
        TableCell("申请人情况", 0, 1, cols=2, header=True),  # a 2-column span
        TableCell("合计\n（件）", 0, 3, rows=2, cols=2, header=True),  # a 2×2 span
        TableCell("自然人", 1, 1, header=True),
        TableCell("法人或其他组织", 1, 2, header=True),
        *(TableCell(name, 2, col, header=True) for col, name in enumerate("甲乙丙丁", 1)),
    ]
    body = [
        TableCell("一、本年新收政府信息公开申请数量", 3, 0, header=True),
        TableCell("12", 3, 1),
        TableCell("0", 3, 2),
        TableCell("", 3, 3),
        TableCell("1,024", 3, 4),
        TableCell("二、上年结转政府信息公开申请数量", 4, 0, header=True),
        TableCell("3.5", 4, 1),
        TableCell("", 4, 2),
        TableCell("7", 4, 3),
        TableCell("8", 4, 4),
    ]
    caption = "表1 收到和处理政府信息公开申请情况"
    return DocTable(head + body, caption=caption, widths=(3, 1, 1, 1, 1))


def report() -> Document:
    return Document(
        [
            Paragraph("某区人民政府2025年政府信息公开工作年度报告", "title"),
            Paragraph("本报告由某区人民政府办公室编制。", "body"),
            Paragraph("一、总体情况", "heading"),
            Paragraph("2025年，某区认真贯彻落实《中华人民共和国政府信息公开条例》。", "body"),
            merged_table(),
            Paragraph("二、存在的主要问题及改进情况", "heading"),
            Paragraph("本年度无收费。", "body"),
            Paragraph("注：数据统计截至2025年12月31日。", "note"),
            Paragraph("某区人民政府办公室", "signature"),
            Paragraph("2026年1月20日", "signature"),
        ]
    )


def test_round_trip_keeps_paragraphs_roles_and_merged_cells() -> None:
    document = report()
    page = write_html(document, title="2025年政府信息公开工作年度报告")
    back = read_html(page.encode("utf-8"))

    assert [p.text for p in back.paragraphs] == [p.text for p in document.paragraphs]
    # signature and note are presentation: they come back as body text
    expected_roles = [
        p.role if p.role in ("title", "heading") else "body" for p in document.paragraphs
    ]
    assert [p.role for p in back.paragraphs] == expected_roles
    assert [type(b) for b in back.blocks] == [type(b) for b in document.blocks]
    (table,) = back.tables
    assert table.caption == "表1 收到和处理政府信息公开申请情况"
    assert cells_of(table) == cells_of(merged_table())


def test_uncovered_positions_are_written_as_empty_cells() -> None:
    sparse = DocTable([TableCell("名称", 0, 0, cols=2, header=True), TableCell("5", 1, 1)])
    page = write_html(Document([sparse]), title="t")
    assert '<tr><td></td><td class="num">5</td></tr>' in page
    (table,) = read_html(page.encode()).tables
    assert ("", 1, 0, 1, 1, False) in cells_of(table)


def test_hostile_text_stays_text() -> None:
    document = Document(
        [
            Paragraph(HOSTILE),
            Paragraph(FORMULA),
            Paragraph("a\x00b\x1bc"),
            DocTable([TableCell(HOSTILE, 0, 0), TableCell(FORMULA, 0, 1)], caption=HOSTILE),
        ]
    )
    page = write_html(document, title=HOSTILE)
    assert "<script" not in page.lower()
    assert "\x00" not in page and "\x1b" not in page
    back = read_html(page.encode("utf-8"))
    assert [p.text for p in back.paragraphs] == [HOSTILE, FORMULA, "abc"]
    (table,) = back.tables
    assert [c.text for c in table.cells] == [HOSTILE, FORMULA]
    assert table.caption == HOSTILE


def test_page_is_accessible_and_self_contained() -> None:
    page = write_html(report(), title="年报")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert "<title>年报</title>" in page
    assert "<caption>表1 收到和处理政府信息公开申请情况</caption>" in page
    assert '<th scope="col" rowspan="3">项目</th>' in page
    assert '<th scope="colgroup" colspan="2">申请人情况</th>' in page
    assert '<th scope="row">一、本年新收政府信息公开申请数量</th>' in page
    assert 'rowspan="2"' in page and "合计<br>（件）" in page
    assert '<p class="signature">' in page and '<p class="note">' in page
    assert "@page" in page and "37mm 26mm 35mm 28mm" in page and "FangSong" in page
    for external in ("<script", "<link", "src=", "http://", "https://", "@import"):
        assert external not in page


GBK_PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>政府信息公开</title></head><body>
<p>某县人民政府2025年政府信息公开工作年度报告</p><p>一、总体情况</p>
</body></html>"""


def test_gbk_page_with_a_declared_charset() -> None:
    back = read_html(GBK_PAGE.encode("gbk"))
    assert [p.text for p in back.paragraphs] == [
        "某县人民政府2025年政府信息公开工作年度报告",
        "一、总体情况",
    ]


def test_gbk_page_without_a_declaration() -> None:
    page = GBK_PAGE.replace(
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', ""
    )
    data = page.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read_html(data).paragraphs[0].text == "某县人民政府2025年政府信息公开工作年度报告"


def test_bom_wins_over_a_declaration() -> None:
    data = "\ufeff" + GBK_PAGE
    assert read_html(data.encode("utf-16-le")).paragraphs[1].text == "一、总体情况"
    assert read_html(data.encode("utf-8")).paragraphs[1].text == "一、总体情况"


@pytest.mark.parametrize(
    ("label", "encoding"),
    [
        ("idna", "gbk"),
        ("rot13", "gbk"),
        ("unicode_escape", "gbk"),
        ("no-such-codec", "gbk"),
        ("utf-16", "utf-8"),  # a page whose <meta> could be read is not UTF-16: read as UTF-8
    ],
)
def test_an_odd_declared_charset_is_not_used(label: str, encoding: str) -> None:
    data = f'<meta charset="{label}"><p>年报</p>'.encode(encoding)
    assert read_html(data).paragraphs == [Paragraph("年报")]


def test_spaces_and_line_breaks_survive_the_round_trip() -> None:
    document = Document(
        [
            Paragraph("第一行\n第二行"),
            Paragraph("共  3   件"),
            Paragraph("甲　乙"),
            DocTable([TableCell("a  b\nc", 0, 0)]),
        ]
    )
    back = read_html(write_html(document, title="t").encode())
    assert [p.text for p in back.paragraphs] == ["第一行", "第二行", "共  3   件", "甲　乙"]
    assert back.tables[0].cells == [TableCell("a  b\nc", 0, 0)]
    page = b"<p>a&nbsp;&nbsp;b \n c</p><pre>x\ny</pre><table><td>\n 1<p>2</p>&nbsp;</td></table>"
    back = read_html(page)
    assert [p.text for p in back.paragraphs] == ["a  b c", "x", "y"]
    assert back.tables[0].cells == [TableCell("1\n2", 0, 0)]


LAYOUT_PAGE = """<!DOCTYPE html><html><head><title>x</title>
<script>var a = "<table><tr><td>not a table</td></tr></table>";</script></head>
<body><table width="980" border="0">
<tr><td class="title"><h1>某镇2025年政府信息公开工作年度报告</h1></td></tr>
<tr><td>
  <p>&nbsp;&nbsp;一、总体情况</p>
  <div>　　本年度，某镇主动公开政府信息<span>128</span>条。<br>其中政策文件12件。</div>
  <table border="1"><tr><td colspan="4">第二十条第（一）项</td></tr>
    <tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
    <tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr></table>
  <p>二、收费情况</p>
  <table border="1"><thead><tr><th>收费项目</th><th>金额（万元）</th></tr></thead>
    <tbody><tr><td>信息处理费</td><td>0</td></tr></tbody></table>
  <table><tr><td>&nbsp;</td><td> </td></tr></table>
</td></tr>
<tr><td align="right">某镇人民政府<br>2026年1月</td></tr></table>
<!-- <table><tr><td>comment</td></tr></table> --></body></html>"""


def test_layout_tables_become_paragraphs_around_the_data_tables() -> None:
    back = read_html(LAYOUT_PAGE.encode("utf-8"))
    assert [(p.text, p.role) for p in back.paragraphs] == [
        ("某镇2025年政府信息公开工作年度报告", "title"),
        ("一、总体情况", "body"),
        ("本年度，某镇主动公开政府信息128条。", "body"),
        ("其中政策文件12件。", "body"),
        ("二、收费情况", "body"),
        ("某镇人民政府", "body"),
        ("2026年1月", "body"),
    ]
    kinds = ["T" if isinstance(b, DocTable) else "P" for b in back.blocks]
    assert kinds == ["P", "P", "P", "P", "T", "P", "T", "P", "P"]  # the empty table is dropped
    first, second = back.tables
    assert first.rows_of_text() == [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "0"],
    ]
    assert first.cells[0] == TableCell("第二十条第（一）项", 0, 0, 1, 4, False)
    assert cells_of(second) == sorted(
        [
            ("收费项目", 0, 0, 1, 1, True),
            ("金额（万元）", 0, 1, 1, 1, True),
            ("信息处理费", 1, 0, 1, 1, False),
            ("0", 1, 1, 1, 1, False),
        ]
    )


REPORT_TABLE = """<table border="1" cellspacing="0">
<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，
    等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业<br>企业</td><td>科研<br>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{numbers}</tr>
<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{numbers}</tr>
<tr><td rowspan="4">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>{numbers}</tr>
<tr><td colspan="2">（二）部分公开</td>{numbers}</tr>
<tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td>{numbers}</tr>
<tr><td>2.其他法律行政法规禁止公开</td>{numbers}</tr>
</table>""".replace("{numbers}", "".join(f"<td>{n}</td>" for n in range(1, 8)))


def test_a_real_report_table_puts_merged_cells_in_place() -> None:
    (table,) = read_html(REPORT_TABLE.encode("utf-8")).tables
    at = {(c.row, c.col): c for c in table.cells}
    assert (table.height, table.width) == (9, 10)
    assert (at[0, 0].rows, at[0, 0].cols) == (3, 3)
    assert at[0, 0].text == "（本列数据的勾稽关系为：第一项加第二项之和， 等于第三项加第四项之和）"
    assert (at[0, 3].text, at[0, 3].cols) == ("申请人情况", 7)
    assert (at[1, 3].text, at[1, 3].rows) == ("自然人", 2)
    assert (at[1, 4].text, at[1, 4].cols) == ("法人或其他组织", 5)
    assert (at[1, 9].text, at[1, 9].rows) == ("总计", 2)
    assert [at[2, c].text for c in range(4, 9)] == [
        "商业\n企业",
        "科研\n机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert (at[5, 0].text, at[5, 0].rows) == ("三、本年度办理结果", 4)
    assert (at[5, 1].text, at[5, 1].cols) == ("（一）予以公开", 2)
    assert (at[6, 1].text, at[6, 1].col) == ("（二）部分公开", 1)
    assert (at[7, 1].text, at[7, 1].rows) == ("（三）不予公开", 2)
    assert at[8, 2].text == "2.其他法律行政法规禁止公开"
    for row in range(3, 9):
        assert [at[row, c].text for c in range(3, 10)] == [str(n) for n in range(1, 8)]
    assert len(table.cells) == 2 + 3 + 5 + 6 * 7 + (1 + 1 + 2 + 1 + 2 + 1)  # no stray cells


def test_odd_spans_follow_the_html_table_model() -> None:
    page = b"""<table><tbody><tr><td rowspan="0">a</td><td colspan="x">b</td>
    <td rowspan="9">c</td></tr><tr><td>d</td></tr></tbody>
    <tbody><tr><td colspan="+2">e</td><td rowspan="-3">f</td></tr></tbody></table>"""
    (table,) = read_html(page).tables
    assert cells_of(table) == sorted(
        [
            ("a", 0, 0, 1, 1, False),
            ("b", 0, 1, 1, 1, False),
            ("c", 0, 2, 2, 1, False),  # clipped at the end of its row group
            ("d", 1, 0, 1, 1, False),
            ("e", 2, 0, 1, 2, False),
            ("f", 2, 2, 1, 1, False),
        ]
    )


def test_a_colspan_stops_at_a_cell_reaching_down_from_above() -> None:
    page = b"<table><tr><td>a</td><td rowspan=2>b</td><td>c</td></tr><tr><td colspan=3>d</table>"
    (table,) = read_html(page).tables
    assert ("d", 1, 0, 1, 1, False) in cells_of(table)  # HTML would overlap it with b


def test_an_enormous_span_fails_fast() -> None:
    start = time.perf_counter()
    for page in (
        b'<table><tr><td colspan="1000000000">x</td></tr></table>',
        b'<table><tr><td rowspan="99999999999999999999999">x</td></tr></table>',
        b'<table><tr><td colspan="900">x</td></tr>'
        b'<tr><td rowspan="900">y</td></tr></table>',  # each span allowed, not the grid
        b"<table>" + b'<tr><td colspan="1000">x</td></tr>' * 200 + b"</table>",
    ):
        with pytest.raises(DocumentTooLarge):
            read_html(page)
    assert time.perf_counter() - start < 2


def test_deeply_nested_tables_are_refused() -> None:
    page = b"<table><tr><td>" * 60 + b"x" + b"</td></tr></table>" * 60
    with pytest.raises(DocumentTooLarge):
        read_html(page)
    ok = b"<table><tr><td>" * 10 + b"x" + b"</td></tr></table>" * 10
    (table,) = read_html(ok).tables
    assert table.cells == [TableCell("x", 0, 0)]


@pytest.mark.parametrize(
    "page",
    [
        "<table><tr><td>a<td>b<tr><td>c</table>",
        "</td></tr></table><p>x</td></table>",
        "<table><tr><td>a</td></tr>",
        '<p title="<table><tr><td>">x</p><table><tr><td>y',
        "<table><table><tr><td>a</td></tr></table>",
        "<div><p>unclosed<h1>h<table><caption>c<tr><td>1</caption></td>",
        "<svg><svg></svg><table><tr><td>hidden</td></tr></table>",
        "<table><tr><td><table><tr><td>" * 20,
        "<!-- unclosed comment <table>",
        "<p>a</p></br><br/>&#0;&bogus;<![CDATA[x]]><?pi?></html></html>",
        "<td>" * 5000 + "</tr>" * 5000,
        "<![foo]>x<![ y <![CDATA[z]]><![if !supportLists]>w<![endif]>",
        "<a " * 20000,  # quadratic in CPython's parser unless defused
        "<!--x>" * 20000,
        "<p>" + "<a b='" * 20000,
    ],
)
def test_malformed_html_is_read_without_error(page: str) -> None:
    start = time.perf_counter()
    document = read_html(page.encode("utf-8"))
    assert time.perf_counter() - start < 2
    for table in document.tables:
        assert table.cells and any(c.text for c in table.cells)


def test_malformed_tables_are_read_as_a_browser_would() -> None:
    back = read_html(b"<table><tr><td>a<td>b<tr><td>c</table><p>after")
    (table,) = back.tables
    assert cells_of(table) == sorted(
        [("a", 0, 0, 1, 1, False), ("b", 0, 1, 1, 1, False), ("c", 1, 0, 1, 1, False)]
    )
    assert back.paragraphs == [Paragraph("after")]
    # <table> directly inside a table (not in a cell) closes it: two tables, not a layout
    assert len(read_html(b"<table><tr><td>a</td></tr><table><tr><td>b</table>").tables) == 2
