"""A report as an HTML page, both ways: `write_html` renders a Document as one self-contained,
accessible page for a unit's website; `read_html` parses a saved government page (often GBK,
often laid out with nested tables) back into a Document.

Standard library only. Every text written is escaped; reading is bounded by the model's limits
(spans, table cells, blocks, nesting) so a hostile page fails fast instead of exhausting memory.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from toolkit.document.model import (
    MAX_BLOCKS,
    MAX_TABLE_CELLS,
    MAX_TABLE_SPAN,
    Block,
    DocTable,
    Document,
    DocumentTooLarge,
    Paragraph,
    Role,
    TableCell,
    add_cells,
    lays_out_page,
)

MAX_TABLE_NESTING = 50  # layout tables nest a few deep; 50 is only ever an attack
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # never valid in a page's text
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace; NBSP and U+3000 are kept
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")
_BREAK = "\x00"  # a line break inside buffered text; control characters are stripped first

_STYLE = """\
body { max-width: 52em; margin: 2em auto; padding: 0 1em; line-height: 1.8; font-size: 16pt;
  font-family: "FangSong", "仿宋", "仿宋_GB2312", "STFangsong", serif; color: #000; }
h1 { font-family: "方正小标宋简体", "SimSun", "宋体", serif; font-size: 22pt; font-weight: normal;
  text-align: center; margin: 1em 0; }
h2 { font-size: 16pt; margin: 0.8em 0 0.4em; }
p { margin: 0; text-indent: 2em; }
p.signature { text-align: right; text-indent: 0; }
p.note { font-size: 12pt; text-indent: 0; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; font-size: 12pt; }
caption { font-weight: bold; padding: 0.4em; }
th, td { border: 1px solid #000; padding: 0.3em 0.5em; vertical-align: middle; }
th { font-weight: bold; background: #f2f2f2; text-align: center; }
td.num { text-align: center; }
@media print { @page { size: A4; margin: 37mm 26mm 35mm 28mm; }
  body { max-width: none; margin: 0; padding: 0; } th { background: none; }
  tr { page-break-inside: avoid; } }
"""

# ---------------------------------------------------------------------------------------- write

_TAGS: dict[str, tuple[str, str]] = {
    "title": ("h1", ""),
    "heading": ("h2", ""),
    "body": ("p", ""),
    "signature": ("p", ' class="signature"'),
    "note": ("p", ' class="note"'),
}


def _text(text: str) -> str:
    """Escaped text, line breaks as <br>, runs of spaces kept: no text can become markup."""
    lines = _CONTROL.sub("", text).split("\n")
    return "<br>".join(escape(line).replace("  ", " &nbsp;") for line in lines)


def write_html(document: Document, *, title: str) -> str:
    lang = escape(_CONTROL.sub("", document.language))
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(_line(_CONTROL.sub('', title)))}</title>",  # no markup in <title>
        f"<style>\n{_STYLE}</style>",
        "</head>",
        "<body>",
    ]
    for block in document.blocks:
        if isinstance(block, Paragraph):
            tag, attrs = _TAGS.get(block.role, ("p", ""))
            out.append(f"<{tag}{attrs}>{_text(block.text)}</{tag}>")
        else:
            out.extend(_table_html(block))
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _table_html(table: DocTable) -> list[str]:
    height, width = table.height, table.width
    if height * width > MAX_TABLE_CELLS:
        raise DocumentTooLarge(f"table of {height}×{width} positions")
    starts: dict[tuple[int, int], TableCell] = {}
    covered: set[tuple[int, int]] = set()
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if (cell.row, cell.col) in covered:
            continue  # overlapping cells are a model error: the first one wins
        starts[cell.row, cell.col] = cell
        covered.update(
            (r, c)
            for r in range(cell.row, cell.row + max(cell.rows, 1))
            for c in range(cell.col, cell.col + max(cell.cols, 1))
        )
    # rows above the first row holding a data cell are the column headers
    first_data = min((c.row for c in starts.values() if not c.header), default=height)
    out = ["<table>"]
    if table.caption:
        out.append(f"<caption>{_text(table.caption)}</caption>")
    if len(table.widths) == width and all(w > 0 for w in table.widths):
        total = sum(table.widths)
        out.append(
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
            + "</colgroup>"
        )
    for r in range(height):
        row = []
        for c in range(width):
            cell = starts.get((r, c))
            if cell is None:
                if (r, c) not in covered:
                    row.append("<td></td>")  # keep every row complete
                continue
            attrs = "".join(
                f' {name}="{n}"'
                for name, n in (("colspan", cell.cols), ("rowspan", cell.rows))
                if n > 1
            )
            if cell.header:
                scope = (
                    ("col" if cell.cols == 1 else "colgroup")
                    if r < first_data
                    else ("row" if cell.rows == 1 else "rowgroup")
                )
                row.append(f'<th scope="{scope}"{attrs}>{_text(cell.text)}</th>')
            else:
                numeric = ' class="num"' if _NUMBER.fullmatch(cell.text.strip()) else ""
                row.append(f"<td{numeric}{attrs}>{_text(cell.text)}</td>")
        out.append("<tr>" + "".join(row) + "</tr>")
    out.append("</table>")
    return out


# ----------------------------------------------------------------------------------------- read

_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "csgb2312", "euc-cn"}  # labels Python lacks too
# what a web page may be in: not idna, rot13, unicode-escape or any other codec Python knows
_WEB = re.compile(
    r"utf-8|hz|big5(hkscs)?|euc_(jp|kr)|shift_jis|cp9(32|49|50)|iso2022_(jp|kr)"
    r"|iso8859-\d+|cp12\d\d|koi8-[ru]|cp866|mac-roman"
)


def _declared(head: bytes) -> str | None:
    match = _CHARSET.search(head)
    return _web_encoding(match.group(1).decode("ascii")) if match else None


def _web_encoding(label: str) -> str | None:
    """The codec a web page labelled ``label`` is read with, as browsers read the label."""
    label = label.strip().lower()
    try:
        name = "gb18030" if label in _GB else codecs.lookup(label).name if label else ""
    except LookupError:
        return None
    if name.startswith("utf-16"):
        return "utf-8"  # a page read as ASCII cannot be UTF-16, whatever it says (browsers)
    if name in ("gb2312", "gbk", "gb18030"):
        return "gb18030"  # a superset: pages labelled GB2312 use GBK characters
    if name in ("ascii", "iso8859-1"):
        return "cp1252"  # as browsers read these labels
    return name if _WEB.fullmatch(name) else None


def decode(data: bytes, charset: str | None = None) -> str:
    """Text saved on a Chinese desktop or served by a Chinese site: a BOM, then a charset
    the page declares (or ``charset``, what its MIME header said), then UTF-8 strictly,
    then GB18030 (a superset of GBK and GB2312)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _declared(data[:4096]) or (_web_encoding(charset) if charset else None)
    if declared:
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _defused(text: str) -> str:
    """CPython before 3.12.11 rescans to the end of the page for each construct left open there
    (quadratic, gh-135462). After the last ">" or "-->" nothing can close: make it text."""
    tail = text.rfind(">") + 1
    text = text[:tail] + text[tail:].replace("<", "&lt;")
    end = max(text.rfind("-->"), 0)
    return text[:end] + text[end:].replace("<!--", "&lt;!--")


def _line(text: str) -> str:
    return _SPACES.sub(" ", text).replace("\xa0", " ").strip()


def _lines(parts: list[str]) -> list[str]:
    return [line for line in map(_line, "".join(parts).split(_BREAK)) if line]


def _span(value: str | None) -> int:
    """HTML's rules for a non-negative integer; 0 or garbage is 1, beyond the limit refused."""
    digits = re.match(r"\s*\+?(\d+)", value or "")
    if not digits:
        return 1
    if len(digits.group(1)) > 9 or int(digits.group(1)) > MAX_TABLE_SPAN:
        raise DocumentTooLarge(f"a cell spans {digits.group(1)[:12]} rows or columns")
    return max(int(digits.group(1)), 1)


_SKIP = {"script", "style", "head", "title", "noscript", "template", "svg", "iframe"}
_IN_HEAD = {"meta", "link", "base", "title", "script", "style", "noscript", "template"}
_BLOCK = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
_CELL_BREAK = _BLOCK - {"table", "tbody", "td", "tfoot", "th", "thead", "tr", "caption"}
_ROW_GROUPS = {"thead", "tbody", "tfoot"}

Event = tuple[str, str, str | None, str | None]  # (kind, tag or text, rowspan, colspan)


@dataclass
class _Open:
    """A table being read: a candidate buffers its events until it is known not to nest."""

    events: list[Event] | None = field(default_factory=list)  # None once it is a container
    in_cell: bool = False
    ordinal: int = -1  # its place among the page's tables (the census counts the same way)


class _Reader(HTMLParser):
    def __init__(self, containers: list[bool] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        # per table, in order: whether it lays out the page (its nested tables hold more
        # cells than it does); unknown (the census itself): every nesting table does
        self._containers = containers
        self._ordinal = 0
        self._folding = 0  # depth inside a small table nested in a data table's cell
        self.blocks: list[Block] = []
        self._skip: list[str] = []  # open elements whose content is not the report's
        self._in_head = False
        self._tables: list[_Open] = []
        self._parts: list[str] = []  # the paragraph line being built
        self._role: Role = "body"
        self._started = False  # the line has visible text
        self._heading: str | None = None
        self._pre = 0
        self._cells = 0  # grid positions of the tables read so far

    # -- tokens, filtered: what is never shown does not reach the model
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.append(tag)  # the same element nested (svg in svg)
            return
        if self._in_head and tag not in _IN_HEAD:
            self._in_head = False  # content: the head has ended, as a browser decides
        if tag in _SKIP:
            if tag == "head":
                self._in_head = True
            else:
                self._skip.append(tag)
            return
        get = dict(attrs).get
        self._event(("start", tag, get("rowspan"), get("colspan")))

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # "<![foo]>" makes _markupbase raise AssertionError; browsers read it as a bogus comment
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # HTML ignores "/>": <br/> is <br>, <div/> is <div>

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
        elif tag == "head":
            self._in_head = False
        elif tag != "br":  # </br> after <br/> would add nothing
            self._event(("end", tag, None, None))

    def handle_data(self, data: str) -> None:
        if not self._skip and not self._in_head:
            self._event(("text", _CONTROL.sub("", data), None, None))

    # -- tables: a table that holds a table is layout, its contents read as ordinary blocks
    def _event(self, event: Event) -> None:
        kind, tag = event[0], event[1]
        top = self._tables[-1] if self._tables else None
        if self._folding and top is not None and top.events is not None:
            self._fold(event, top)
            return
        if kind == "start" and tag == "table":
            if top is not None and not top.in_cell:
                self._end_table()  # <table> directly in a table closes it (HTML parsing)
                top = self._tables[-1] if self._tables else None
            ordinal, self._ordinal = self._ordinal, self._ordinal + 1
            if top is not None and top.events is not None and not self._lays_out(top):
                self._folding = 1  # a small table in a cell is that cell's content
                top.events.append(("start", "br", None, None))
                return
            if top is not None and top.events is not None:
                events, top.events = top.events, None  # it nests: a container after all
                for past in events:
                    self._flow(past)
            if len(self._tables) >= MAX_TABLE_NESTING:
                raise DocumentTooLarge(f"tables nested more than {MAX_TABLE_NESTING} deep")
            self._tables.append(_Open(events=[event], ordinal=ordinal))
            return
        if kind == "end" and tag == "table":
            if top is not None:
                self._end_table()
            return
        if top is not None and kind != "text":
            if tag in ("td", "th") and kind == "start":
                top.in_cell = True
            elif tag in ("td", "th", "tr") or tag in _ROW_GROUPS:
                top.in_cell = False
        if top is not None and top.events is not None:
            top.events.append(event)
            if len(top.events) > 8 * MAX_TABLE_CELLS:
                raise DocumentTooLarge("a table with more tags than a report holds")
        else:
            self._flow(event)

    def _lays_out(self, table: _Open) -> bool:
        known = self._containers
        return known is None or not 0 <= table.ordinal < len(known) or known[table.ordinal]

    def _fold(self, event: Event, top: _Open) -> None:
        """Inside a table nested in a data table's cell: its text joins the cell, a line per
        inner cell; its own table tags are dropped."""
        kind, tag = event[0], event[1]
        if tag == "table":
            if kind == "start":
                self._ordinal += 1
                self._folding += 1
                if self._folding > MAX_TABLE_NESTING:
                    raise DocumentTooLarge(f"tables nested more than {MAX_TABLE_NESTING} deep")
            else:
                self._folding -= 1
            top.events.append(("start", "br", None, None))  # type: ignore[union-attr]
            return
        if tag in _TABLE_PARTS:
            if kind == "start" and tag in ("td", "th", "tr"):
                top.events.append(("start", "br", None, None))  # type: ignore[union-attr]
            return
        top.events.append(event)  # type: ignore[union-attr]

    def _end_table(self) -> None:
        table = self._tables.pop()
        if table.events is None:
            self._flow(("end", "table", None, None))
            return
        self._flush()
        foster, doc_table = _build_table(table.events)
        for line in foster:  # text outside any cell: HTML shows it before the table
            self._add(Paragraph(line))
        if doc_table is not None:
            self._cells = add_cells(self._cells, doc_table)
            self._add(doc_table)

    # -- ordinary flow: block boundaries and <br> end a line, each line one paragraph
    def _flow(self, event: Event) -> None:
        kind, value = event[0], event[1]
        if kind == "text":
            lines = value.split("\n") if self._pre else [value]
            for i, text in enumerate(lines):
                if i:
                    self._flush()
                if not self._started and _line(text):  # a line's role is where it starts
                    self._started = True
                    self._role = (
                        "title" if self._heading == "h1" else "heading" if self._heading else "body"
                    )
                self._parts.append(text)
            return
        if value in _BLOCK or value == "br":
            self._flush()
        if value in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = value if kind == "start" else None
        elif value == "pre":
            self._pre = self._pre + 1 if kind == "start" else max(self._pre - 1, 0)

    def _flush(self) -> None:
        text = _line("".join(self._parts))
        self._parts, self._started = [], False
        if text:
            self._add(Paragraph(text, self._role))

    def _add(self, block: Block) -> None:
        if len(self.blocks) >= MAX_BLOCKS:
            raise DocumentTooLarge(f"more than {MAX_BLOCKS} paragraphs and tables")
        self.blocks.append(block)

    def finish(self) -> list[Block]:
        self.close()
        while self._tables:
            self._end_table()  # an unclosed table ends with the page
        self._flush()
        return self.blocks


@dataclass(slots=True)
class _Cell:
    parts: list[str]  # text, _BREAK between lines
    row: int
    col: int
    rows: int
    cols: int
    header: bool


_TABLE_PARTS = {"caption", "td", "th", "tr"} | _ROW_GROUPS


def _build_table(events: list[Event]) -> tuple[list[str], DocTable | None]:
    """The HTML table model: each cell at the first free column of its row, rowspans reserving
    positions below, clipped at the end of their row group. Checked before anything is marked."""
    cells: list[_Cell] = []
    group: list[_Cell] = []  # cells of the current row group, for clipping
    taken: dict[int, set[int]] = {}  # row -> columns reserved from above (current rows only)
    captions: list[list[str]] = []
    foster: list[str] = []  # text in the table but in no cell
    cell: _Cell | None = None
    caption: list[str] | None = None
    row, cursor, height, width, area, in_row = -1, 0, 0, 0, 0, False

    def end_group() -> None:
        nonlocal group, height
        for c in group:
            c.rows = min(c.rows, row + 1 - c.row)
        height = min(height, row + 1)
        for r in [r for r in taken if r > row]:
            del taken[r]
        group = []

    for kind, value, rowspan, colspan in events[1:]:
        target = cell.parts if cell else foster if caption is None else caption
        if kind == "text":
            target.append(value)
            continue
        if value in _CELL_BREAK or value == "br":
            target.append(_BREAK)
        if value not in _TABLE_PARTS:
            continue
        cell, caption = None, None  # any table part ends the open cell or caption
        foster.append(_BREAK)
        if value in _ROW_GROUPS:
            end_group()
        if kind == "end" or value in _ROW_GROUPS:
            in_row = in_row and value not in _ROW_GROUPS and value != "tr"
            continue
        if value == "caption":
            caption = []
            captions.append(caption)
        elif value == "tr" or not in_row:  # a cell outside a row opens one
            row, cursor, in_row = row + 1, 0, True
            taken.pop(row - 1, None)
        if value in ("td", "th"):
            rows, cols = _span(rowspan), _span(colspan)
            busy = taken.get(row, set())
            while cursor in busy:
                cursor += 1
            # a colspan over a position a cell above still holds: HTML overlaps them, we stop
            cols = next((k for k in range(1, cols) if cursor + k in busy), cols)
            height, width = max(height, row + rows), max(width, cursor + cols)
            area += rows * cols
            if height * width > MAX_TABLE_CELLS or area > MAX_TABLE_CELLS:
                raise DocumentTooLarge(f"a table of more than {MAX_TABLE_CELLS} positions")
            for r in range(row, row + rows):
                taken.setdefault(r, set()).update(range(cursor, cursor + cols))
            cell = _Cell([], row, cursor, rows, cols, value == "th")
            cells.append(cell)
            group.append(cell)
            cursor += cols
    end_group()
    found = [
        TableCell("\n".join(_lines(c.parts)), c.row, c.col, c.rows, c.cols, c.header) for c in cells
    ]
    title = "\n".join(line for parts in captions for line in _lines(parts))
    table = DocTable(found, caption=title or None) if any(c.text for c in found) else None
    return _lines(foster), table


class _Census(_Reader):
    """A first reading that only counts, per table in order, its own cells and the cells of
    the tables inside it: a table lays out the page when those hold more."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: list[list[int]] = []  # per table: [own cells, nested cells]
        self._open: list[tuple[int, list[bool]]] = []  # (ordinal, [in a cell])

    def _event(self, event: Event) -> None:
        kind, tag = event[0], event[1]
        if kind == "text":
            return
        if tag == "table" and kind == "start":
            if self._open and not self._open[-1][1][0]:
                self._close()  # <table> directly in a table closes it, as the reader does
            if len(self._open) >= MAX_TABLE_NESTING:
                raise DocumentTooLarge(f"tables nested more than {MAX_TABLE_NESTING} deep")
            self.counts.append([0, 0])
            self._open.append((len(self.counts) - 1, [False]))
        elif tag == "table":
            if self._open:
                self._close()
        elif self._open:
            in_cell = self._open[-1][1]
            if tag in ("td", "th") and kind == "start":
                in_cell[0] = True
                self.counts[self._open[-1][0]][0] += 1
            elif tag in ("td", "th", "tr") or tag in _ROW_GROUPS:
                in_cell[0] = False

    def _close(self) -> None:
        ordinal, _ = self._open.pop()
        if self._open:
            own, nested = self.counts[ordinal]
            self.counts[self._open[-1][0]][1] += own + nested

    def finish(self) -> list[Block]:
        self.close()
        while self._open:
            self._close()
        return []


def read_html(data: bytes, charset: str | None = None) -> Document:
    """``charset``: what a MIME header said (MHTML), where the page declares none."""
    page = _defused(decode(data, charset))
    census = _Census()
    census.feed(page)
    census.finish()
    containers = [lays_out_page(own, nested) for own, nested in census.counts]
    reader = _Reader(containers)
    reader.feed(page)
    return Document(reader.finish())
