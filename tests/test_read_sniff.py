"""What a file really is, from its bytes: every way a mailed return can fail to be one."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tests.libreoffice import convert
from toolkit.messages import render
from toolkit.read.sniff import FileProblem, Limits, sniff


def _xlsx(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("年报").write_number(0, 0, 1)
    workbook.close()
    return path


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _problem(path: Path, **kwargs: object) -> FileProblem:
    with pytest.raises(FileProblem) as info:
        sniff(path, **kwargs)
    problem = info.value
    for lang in ("zh", "en"):
        text = render(problem.message_id, lang=lang, **problem.params)
        assert "{" not in text and path.name in text  # the sender's file is named
    return problem


def test_workbooks_are_told_by_content_not_extension(tmp_path: Path) -> None:
    assert sniff(_xlsx(tmp_path / "a.xlsx")).kind == "xlsx"
    renamed = _xlsx(tmp_path / "b.xls")  # an .xlsx saved under an .xls name
    assert sniff(renamed).kind == "xlsx"
    macro = tmp_path / "c.xlsx"
    with zipfile.ZipFile(_xlsx(tmp_path / "base.xlsx")) as base:
        members = {i.filename: base.read(i) for i in base.infolist()}
    _zip(macro, {**members, "xl/vbaProject.bin": b"\x00" * 64})
    sniffed = sniff(macro)
    assert sniffed.kind == "xlsm" and sniffed.macros
    ods = _zip(
        tmp_path / "d.ods",
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
    )
    assert sniff(ods).kind == "ods"


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        ("empty.xlsx", b"", "F1", "read.empty"),
        ("text.xlsx", "单位名称,数量\n兰江,1\n".encode(), "F1", "read.not_spreadsheet"),
        ("page.xls", b"<html><body><table></table></body></html>", "F1", "read.not_spreadsheet"),
        ("cut.xlsx", None, "F1", "read.corrupt"),
        ("letter.xlsx", b"docx", "F1", "read.not_spreadsheet"),
    ],
)
def test_files_that_are_not_returns(
    tmp_path: Path, name: str, content: bytes | None, code: str, message: str
) -> None:
    path = tmp_path / name
    if name == "cut.xlsx":
        data = _xlsx(tmp_path / "whole.xlsx").read_bytes()
        path.write_bytes(data[: len(data) // 2])  # a download cut short
    elif name == "letter.xlsx":
        _zip(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    else:
        path.write_bytes(content or b"")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    problem = _problem(path)
    assert (problem.code, problem.message_id) == (code, message)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_missing_path_and_folder(tmp_path: Path) -> None:
    assert _problem(tmp_path / "无.xlsx").message_id == "read.missing"
    folder = tmp_path / "inbox"
    folder.mkdir()
    assert _problem(folder).message_id == "read.directory"


def test_a_zip_bomb_is_refused_without_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    assert bomb.stat().st_size < 100_000
    problem = _problem(bomb, limits=Limits(unzipped_bytes=10 * 1024 * 1024))
    assert problem.message_id == "read.zip_bomb"
    assert _problem(bomb).message_id == "read.zip_bomb"  # the ratio catches it by default


def test_an_encrypted_workbook_is_f3(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _xlsx(tmp_path / "plain.xlsx")
    locked = tmp_path / "加密.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    problem = _problem(locked)
    assert (problem.code, problem.message_id) == ("F3", "read.encrypted")


def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    big = _xlsx(tmp_path / "big.xlsx")
    problem = _problem(big, limits=Limits(file_bytes=1000))
    assert problem.message_id == "read.too_large"


@pytest.mark.libreoffice
def test_a_real_xls_saved_by_libreoffice(soffice: str, tmp_path: Path) -> None:
    source = _xlsx(tmp_path / "old.xlsx")
    xls = convert([source], tmp_path / "out", "xls")[source]
    renamed = xls.with_name("disguised.xlsx")  # an .xls mailed with an .xlsx name
    renamed.write_bytes(xls.read_bytes())
    assert sniff(xls).kind == "xls"
    assert sniff(renamed).kind == "xls"
    assert io.BytesIO(renamed.read_bytes()).read(8) == bytes.fromhex("D0CF11E0A1B11AE1")


DECLARATION = b'<!DOCTYPE s [<!ENTITY a "b">]>'
ROOT_ELEMENT = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _cut_at_4096(prolog: bytes) -> bytes:
    """Whitespace that puts the first bytes of ``prolog`` at the end of the first 4,096
    read, the rest after them."""
    return b" " * (4096 - len(XML_DECLARATION) - 5) + prolog


@pytest.mark.parametrize(
    ("prolog", "refused"),
    [
        (b"", False),
        (DECLARATION, True),
        (b" " * 5000 + DECLARATION, True),  # past any fixed head
        (b"<!--" + b"x" * 20_000 + b"-->\n" + DECLARATION, True),
        (b"<?pi " + b"y" * 9000 + b"?>" + DECLARATION, True),
        (_cut_at_4096(DECLARATION), True),  # "<!DOC" | "TYPE" across two reads
        (_cut_at_4096(b"<!-- -->") + DECLARATION, True),
        (b"<!-- <!DOCTYPE in a comment --> \n", False),
        (b"\t\r\n" * 3000, False),
    ],
)
def test_a_declaration_anywhere_in_the_prolog_is_refused(
    tmp_path: Path, prolog: bytes, refused: bool
) -> None:
    """A DTD may only stand before the first element: the prolog is read to its end."""
    workbook = _xlsx(tmp_path / "原件.xlsx")
    with zipfile.ZipFile(workbook) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/styles.xml"] = XML_DECLARATION + prolog + ROOT_ELEMENT
    crafted = _zip(tmp_path / "报表.xlsx", members)
    if refused:
        assert _problem(crafted).message_id == "read.xml_entities"
    else:
        assert sniff(crafted).kind == "xlsx"


def test_a_part_with_a_byte_order_mark_or_no_element_is_judged_by_its_prolog(
    tmp_path: Path,
) -> None:
    workbook = _xlsx(tmp_path / "原件.xlsx")
    with zipfile.ZipFile(workbook) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/styles.xml"] = b"\xef\xbb\xbf" + XML_DECLARATION + DECLARATION + ROOT_ELEMENT
    assert _problem(_zip(tmp_path / "a.xlsx", members)).message_id == "read.xml_entities"
    members["xl/styles.xml"] = XML_DECLARATION + b"<!-- never closed " + b"z" * 10_000
    assert sniff(_zip(tmp_path / "b.xlsx", members)).kind == "xlsx"  # no element to expand


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_a_declaration_is_found_however_the_part_is_packed(tmp_path: Path, method: int) -> None:
    """Part heads are unpacked from the package's bytes for stored and deflated parts and
    through zipfile otherwise: either way a declaration is found and a clean part passes."""
    workbook = _xlsx(tmp_path / "原件.xlsx")
    with zipfile.ZipFile(workbook) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    for name, prolog, refused in [
        ("bad.xlsx", b" " * 5000 + DECLARATION, True),
        ("good.xlsx", b"<!-- fine -->", False),
    ]:
        members["xl/styles.xml"] = XML_DECLARATION + prolog + ROOT_ELEMENT
        crafted = _zip(tmp_path / name, members, method)
        if refused:
            assert _problem(crafted).message_id == "read.xml_entities"
        else:
            assert sniff(crafted).kind == "xlsx"
