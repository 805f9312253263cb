"""Broken, odd and hostile published reports: the fuzz corpus of `toolkit audit`.

Seeds are real reports: the .docx and .html `toolkit report` writes for the shipped gov-2021
example, a page as a government site serves it (GBK, layout tables), and the shipped text
copied from a page. Each category is a function ``(rng, seeds, folder, index) -> path``;
``run_audit`` audits a folder of them and says what went wrong. The suite runs a few of each
(tests/test_fuzz_documents.py); `benchmarks/fuzz_audit.py` runs thousands.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fuzzcorpus import HOSTILE_TEXTS, entries, package
from tests.fuzzrun import (
    Tally,
    _judge_call,
    count_results,
    digests,
    formula_parts,
    leaks,
    run,
)
from tests.published import lanjiang_2020_page

ROOT = Path(__file__).resolve().parent.parent
TEXT_REPORT = ROOT / "examples" / "兰江街道2020年报（网页文字）.txt"


@dataclass(frozen=True)
class DocSeeds:
    docx: bytes
    html: bytes  # our own page (utf-8)
    page: bytes  # a government site's page (GBK, layout tables)
    text: bytes
    secret: Path  # a local file an external entity points at; must never show up anywhere


def make_seeds(folder: Path, secret: Path) -> DocSeeds:
    """The seeds, made with the installed command from the shipped example."""
    source = ROOT / "examples" / "凤山街道2025年报.xlsx"
    made = {}
    for suffix in ("docx", "html"):
        target = folder / f"seed.{suffix}"
        call = run(["report", str(source), "-o", str(target), "--force"], folder)
        if call.returncode != 0:
            raise RuntimeError(call.stderr)
        made[suffix] = target.read_bytes()
    page = lanjiang_2020_page().encode("gb18030")
    return DocSeeds(made["docx"], made["html"], page, TEXT_REPORT.read_bytes(), secret)


def _write(folder: Path, i: int, suffix: str, data: bytes) -> Path:
    path = folder / f"{i:05d}{suffix}"
    path.write_bytes(data)
    return path


def _any(rng: random.Random, seeds: DocSeeds) -> tuple[str, bytes]:
    return rng.choice(
        [(".docx", seeds.docx), (".html", seeds.html), (".html", seeds.page), (".txt", seeds.text)]
    )


# ---------------------------------------------------------------------------- categories


def byte_flips(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    suffix, data = _any(rng, seeds)
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        mutable[rng.randrange(len(mutable))] = rng.randrange(256)
    return _write(folder, i, suffix, bytes(mutable))


def truncated(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    suffix, data = _any(rng, seeds)
    return _write(folder, i, suffix, data[: rng.randrange(1, len(data))])


def docx_xml_cut(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """word/document.xml with a chunk cut out or repeated: broken XML, or merges that lie."""
    parts = entries(seeds.docx)
    xml = parts["word/document.xml"]
    start = rng.randrange(len(xml))
    end = min(len(xml), start + rng.randint(1, 4000))
    xml = xml[:start] + (xml[start:end] * rng.randint(0, 3)) + xml[end:]
    xml = re.sub(rb'w:val="(\d+)"', lambda m: b'w:val="%d"' % rng.choice([0, 1, 99, 10**6]), xml)
    parts["word/document.xml"] = xml
    return _write(folder, i, ".docx", package(parts))


def docx_entities(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """A DTD in document.xml: an external entity at a local secret, or a billion laughs."""
    parts = entries(seeds.docx)
    xml = parts["word/document.xml"].decode("utf-8")
    if rng.random() < 0.5:
        dtd = f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{seeds.secret}">]>'
    else:
        laughs = "".join(f'<!ENTITY l{k} "{f"&l{k - 1};" * 10}">' for k in range(1, 9))
        dtd = f'<!DOCTYPE w:document [<!ENTITY l0 "ha">{laughs}<!ENTITY x "&l8;">]>'
    head, sep, body = xml.partition("?>")
    body = body.replace("<w:t>", "<w:t>&x;", 1)
    parts["word/document.xml"] = (head + sep + dtd + body).encode("utf-8")
    return _write(folder, i, ".docx", package(parts))


def html_tag_soup(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """Tags dropped, doubled or left open; spans changed to anything."""
    page = rng.choice([seeds.html.decode("utf-8"), seeds.page.decode("gb18030")])
    tokens = re.split(r"(<[^>]*>)", page)
    for _ in range(rng.randint(1, 60)):
        k = rng.randrange(len(tokens))
        action = rng.random()
        if action < 0.4:
            tokens[k] = ""
        elif action < 0.7:
            tokens[k] = tokens[k] * 2
        else:
            tokens[k] = re.sub(
                r'(rowspan|colspan)="?\d+"?',
                lambda m: f'{m.group(1)}="{rng.choice(["0", "-1", "3", "x", "999", "65535"])}"',
                tokens[k],
            )
    return _write(folder, i, ".html", "".join(tokens).encode("utf-8"))


def html_encodings(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """The page in another encoding, declared rightly, wrongly or not at all."""
    page = seeds.page.decode("gb18030")
    encoding = rng.choice(["utf-8", "utf-16", "gb18030", "big5", "utf-8-sig", "latin-1"])
    declared = rng.choice(["gb2312", "utf-8", "utf-16", "idna", "x-unknown", ""])
    page = page.replace("charset=gb2312", f"charset={declared}")
    return _write(folder, i, ".html", page.encode(encoding, errors="replace"))


def text_lines(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """The flattened text with lines dropped, doubled, swapped, split by tabs or spaces."""
    lines = seeds.text.decode("utf-8").split("\n")
    for _ in range(rng.randint(1, 25)):
        k = rng.randrange(len(lines))
        action = rng.random()
        if action < 0.3:
            del lines[k]
        elif action < 0.5:
            lines.insert(k, lines[k])
        elif action < 0.7:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
        elif action < 0.85:
            lines[k] = "\t" * rng.randint(1, 3) + lines[k]
        else:
            cut = rng.randrange(len(lines[k]) + 1)
            lines[k : k + 1] = [lines[k][:cut], lines[k][cut:]]
    return _write(folder, i, ".txt", "\n".join(lines).encode("utf-8"))


def hostile_titles(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """The unit in the title and signature replaced by a formula, DDE, controls or 1 MB."""
    hostile = rng.choice(HOSTILE_TEXTS)
    kind = rng.choice(["html", "text", "docx"])
    if kind == "text":
        text = seeds.text.decode("utf-8").replace("兰江街道办事处", hostile)
        return _write(folder, i, ".txt", text.encode("utf-8"))
    if kind == "html":
        page = seeds.html.decode("utf-8").replace("凤山街道办事处", hostile.replace("<", "&lt;"))
        return _write(folder, i, ".html", page.encode("utf-8"))
    parts = entries(seeds.docx)
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8", "replace")
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        "凤山街道办事处".encode(), escaped
    )
    return _write(folder, i, ".docx", package(parts))


def mhtml_wrappers(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """A page saved as one file, its MIME wrapping broken in some way."""
    boundary = rng.choice(["----B----", "", "x" * 2000])
    encoding = rng.choice(["base64", "quoted-printable", "8bit", "x-unknown"])
    body = seeds.html if encoding != "base64" else base64.encodebytes(seeds.html)
    if rng.random() < 0.3:
        body = body[: len(body) // 2]
    head = (
        f"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/related; type="text/html"; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/html; charset={rng.choice(['utf-8', 'gbk', 'nope'])}"
        f"\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode() if rng.random() < 0.7 else b""
    return _write(folder, i, ".mht", head + body + tail)


def oversized(rng: random.Random, seeds: DocSeeds, folder: Path, i: int) -> Path:
    """More than any report: spans, cells, paragraphs, lines, nesting."""
    choice = rng.randrange(5)
    if choice == 0:
        span = rng.choice(["1001", "99999999", "1" * 40])
        data = f'<table><tr><td colspan="{span}" rowspan="{span}">1</td></tr></table>'
    elif choice == 1:
        data = "<table>" + "<tr>" + "<td>1</td>" * 400 + "</tr>" * 400 + "</table>"
    elif choice == 2:
        data = "<p>一、总体情况</p>" * 250_000
    elif choice == 3:
        data = "<table><tr><td>" * 80 + "规章" + "</td></tr></table>" * 80
    else:
        return _write(folder, i, ".txt", b"0\n" * 250_000)
    return _write(folder, i, ".html", data.encode("utf-8"))


CATEGORIES: dict[str, Callable[[random.Random, DocSeeds, Path, int], Path]] = {
    "byte flips": byte_flips,
    "truncated": truncated,
    "docx XML cut/repeated": docx_xml_cut,
    "docx DTD (XXE, laughs)": docx_entities,
    "html tag soup": html_tag_soup,
    "html encodings": html_encodings,
    "text lines shuffled": text_lines,
    "hostile unit names": hostile_titles,
    "MHTML wrappers": mhtml_wrappers,
    "oversized": oversized,
}


def make_corpus(root: Path, seeds: DocSeeds, per_category: int, seed: int) -> dict[Path, str]:
    """``per_category`` files of each category, a folder per category under ``root``."""
    rng = random.Random(seed)
    corpus: dict[Path, str] = {}
    for n, (name, make) in enumerate(CATEGORIES.items()):
        folder = root / f"c{n:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_category):
            corpus[make(rng, seeds, folder, i)] = name
    return corpus


def run_audit(
    folder: Path, out: Path, corpus: dict[Path, str], secret: bytes, tally: Tally
) -> None:
    """`toolkit audit` over one category folder, with a summary workbook: every file gets a
    result, nothing crashes, nothing leaks, no formula is written, no input changes."""
    before = digests(folder)
    out.mkdir(parents=True, exist_ok=True)
    workbook = out / f"{folder.name}.xlsx"
    call = run(["audit", str(folder), "-o", str(workbook), "--format", "json"], out)
    files = sorted(p for p in folder.iterdir() if p.is_file())
    _judge_call(call, len(files), tally)
    if "内部错误" in call.stderr or "internal error" in call.stderr.lower():
        tally.crashes.append(f"audit {folder.name}: {call.stderr.strip()[-200:]}")
    try:
        results = json.loads(call.stdout)["results"]
    except (ValueError, KeyError):
        tally.crashes.append(f"audit {folder.name}: no JSON report ({call.stderr.strip()[-200:]})")
        return
    by_file = {Path(r["file"]).name: r for r in results}
    if sorted(by_file) != [p.name for p in files]:
        tally.crashes.append(f"audit {folder.name}: {len(results)} results for {len(files)} files")
    answered = [(path, by_file[path.name]) for path in files if path.name in by_file]
    count_results("audit", answered, corpus, tally)
    if digests(folder) != before:
        tally.modified_inputs.append(folder.name)
    if workbook.is_file():
        tally.formulas_written += [
            f"{workbook.name}:{n}" for n in formula_parts(workbook.read_bytes())
        ]
    else:
        tally.crashes.append(f"audit {folder.name}: no summary workbook written")
    tally.leaks += leaks(out, secret, [call.stdout, call.stderr])
