"""Read a published report (audit): a .docx, a saved web page (plain or single-file MHTML),
or text copied from one, into the same return a workbook gives.

Documents with real tables are laid out as one sheet in reading order (paragraphs a row
each, tables with their merges) and go through the layout reader that reads hand-made
workbooks, by their labels; findings are then placed at the document's table and cell. Text whose
tables were flattened is read by the form's row order (``flat_text``). Either way the unit
and year come from the title, the date from the signature, and a statement's numbers (the
信息处理费 of section 六) from the prose.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple

from toolkit.document.model import Document, DocumentTooLarge, Paragraph
from toolkit.forms.model import FormSpec
from toolkit.messages import render
from toolkit.read.flat_text import TextLocated, Unresolved, flatten, locate_text
from toolkit.read.grid import Grid, Sheet, Span, a1, index_sheet
from toolkit.read.labels import compact
from toolkit.read.meta import SIGNED_ON, typed_day
from toolkit.read.numbers import document_value
from toolkit.read.returns import Part, ReadReturn, fill_meta, read_by_labels
from toolkit.read.sniff import FileProblem, Sniffed


def read_document(
    path: Path, sniffed: Sniffed, forms: list[FormSpec], form: FormSpec | None
) -> ReadReturn:
    try:
        data = path.read_bytes()
        if sniffed.kind == "text":
            from toolkit.document.html_io import decode

            return _from_text(path, sniffed, decode(data), forms, form)
        document = _parse(path, sniffed, data)
    except (DocumentTooLarge, MemoryError):
        raise FileProblem("F1", "read.document_too_large", path=str(path)) from None
    except FileProblem:
        raise
    except Exception:  # a malformed document can trip any parser: it is unreadable
        raise FileProblem("F1", "read.corrupt", path=str(path)) from None
    laid = document_grid(document)
    read = read_by_labels(path, sniffed, laid.grid, forms, form, min_share=0.0)
    _place_cells(read, laid)
    prose = "\n".join(p.text for p in document.paragraphs)
    _finish(read, prose, [p.text for p in document.paragraphs])
    return read


def _parse(path: Path, sniffed: Sniffed, data: bytes) -> Document:
    if sniffed.kind == "docx":
        from toolkit.document.docx_io import read_docx

        return read_docx(path)
    from toolkit.document.html_io import read_html

    if sniffed.kind == "mhtml":
        return read_html(*_mhtml_page(data, path))
    return read_html(data)


def _mhtml_page(data: bytes, path: Path) -> tuple[bytes, str | None]:
    """The page of a web page saved as one file (MHTML: a MIME message, like a mail), and
    the charset its MIME header gives."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True) or b"", part.get_content_charset()
    raise FileProblem("F1", "read.not_document", path=str(path))


# ---------------------------------------------------------------------------- tables


@dataclass
class Laid:
    """A document laid out as one sheet, in reading order: paragraphs one per row, each
    table's rows in place (a table continued after a page break, a 续表, then reads as the
    rest of the one above), and where each row came from."""

    grid: Grid
    places: list[tuple[str, int] | None]  # sheet row -> (table name, its row), or prose


def document_grid(document: Document) -> Laid:
    name = render("document.text_sheet")
    rows: list[list[Any]] = []
    places: list[tuple[str, int] | None] = []
    merges: dict[tuple[int, int], Span] = {}
    number = 0
    for block in document.blocks:
        if isinstance(block, Paragraph):
            rows.append([block.text])
            places.append(None)
            continue
        number += 1
        table_name = render("document.table_sheet", number=number)
        top = len(rows)
        for r, row in enumerate(block.rows_of_text()):
            rows.append([document_value(text) for text in row])
            places.append((table_name, r))
        for cell in block.cells:
            if cell.rows == 1 and cell.cols == 1:
                continue
            span = Span(
                name, top + cell.row, cell.col, top + cell.row + cell.rows - 1,
                cell.col + cell.cols - 1,
            )  # fmt: skip
            for r in range(span.top, span.bottom + 1):
                for c in range(span.left, span.right + 1):
                    merges[(r, c)] = span
        rows.append([])  # tables apart, as on the page
        places.append(None)
    sheet = Sheet(name, rows, merges)
    grid = Grid([sheet])
    index_sheet(grid, sheet)
    return Laid(grid, places)


def _place_cells(read: ReadReturn, laid: Laid) -> None:
    """Findings point at a table of the document and its cell (表3 D12), not at the sheet
    the document was laid out on."""
    for part in read.parts:
        for key, (_, ref) in list(part.cells.items()):
            row, col = coordinate_to_tuple(ref)
            place = laid.places[row - 1] if row - 1 < len(laid.places) else None
            if place is not None:
                part.cells[key] = (place[0], a1(place[1], col - 1))
        part.judge_missing = False


# ---------------------------------------------------------------------------- text


def _from_text(
    path: Path, sniffed: Sniffed, text: str, forms: list[FormSpec], form: FormSpec | None
) -> ReadReturn:
    flat = flatten(text)
    chosen = [form] if form is not None else [s for s in forms if s.role == "main"]
    mains = [locate_text(s, flat) for s in chosen]
    if form is not None and not mains[0].found_tables:
        raise FileProblem("F2", "read.form_not_found", path=str(path), form=form.id)
    if form is None or form.role == "main":
        mains = [m for m in mains if m.found_tables]
        mains.sort(key=lambda m: m.share, reverse=True)
        supplements = [locate_text(s, flat) for s in forms if s.role == "supplement"]
        supplements = [s for s in supplements if s.found_tables]
    else:
        mains, supplements = [], mains
    if not mains and not supplements:
        raise FileProblem("F2", "read.no_form", path=str(path))
    main = _text_part(mains[0]) if mains else None
    read = ReadReturn(path, sniffed, main, [_text_part(s) for s in supplements])
    numbered = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    lines = [line for _, line in numbered]
    laid = document_grid(Document([Paragraph(line) for line in lines]))
    head = read.primary
    fill_meta(head, laid.grid, dated=False)  # its date: under its signature (_finish)
    for key, (_, ref) in list(head.cells.items()):  # the title's line, not a sheet cell
        head.lines[key] = numbered[coordinate_to_tuple(ref)[0] - 1][0]
        del head.cells[key]
    for part in read.parts:
        part.judge_missing = False
    _finish(read, text, lines)
    return read


def _text_part(located: TextLocated) -> Part:
    return Part(
        located.spec,
        dict(located.values),
        {},
        missing_tables=list(located.missing_tables),
        missing_fields=list(located.missing_fields),
        lines=dict(located.lines),
        unresolved=list(located.unresolved),
    )


# ---------------------------------------------------------------------------- prose


def _finish(read: ReadReturn, prose: str, paragraphs: list[str]) -> None:
    """What only prose says: a statement's numbers, and the date the report was signed."""
    for part in read.parts:
        outline = part.spec.report
        if outline is None:
            continue
        for statement in outline.statements:
            for key, values in statement.read(prose).items():
                if part.values.get(key) is not None:
                    continue  # the tables say it
                if len(values) == 1:
                    part.values[key] = values[0]
                else:  # "收取信息处理费380元" and "未收取信息处理费": not ours to choose
                    label = part.spec.fields[key].label
                    part.unresolved.append(
                        Unresolved(label, (key,), 1, len(values), None, tuple(values))
                    )
    head = read.primary
    if "meta.date" in head.spec.fields and not head.values.get("meta.date"):
        signed = _signature_date(paragraphs)
        if signed is not None:
            head.values["meta.date"] = signed


def _signature_date(paragraphs: list[str]) -> dt.date | None:
    """The date under the signature: the last paragraph that is only a date."""
    for text in reversed(paragraphs[-8:]):
        if SIGNED_ON.fullmatch(compact(text)):
            return typed_day(compact(text))
    return None
