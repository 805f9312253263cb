"""`toolkit audit` where published reports part from the clean case, each found by review:
tables copied a row per line, labels broken over lines, pages saved by browsers, outputs
beside inputs, and inputs built to hurt."""

from __future__ import annotations

import json
import quopri
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from tests.fills import consistent_fill
from tests.published import lanjiang_2020_page
from tests.support import build_template, fill_workbook, run_toolkit

HERE = Path(__file__).parent
FLATTENED = HERE.parent / "examples" / "兰江街道2020年报（网页文字）.txt"


def audit(*args: str) -> tuple[int, list[dict], str]:
    done = run_toolkit("audit", *args, "--format", "json")
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["results"], done.stderr


class _RowsAsLines(HTMLParser):
    """A page's text as a browser copies it: a table row per line, its cells between tabs."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th", "p", "h1", "h2"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.lines.append("\t".join(self.row))
            self.row = None
        elif tag in ("p", "h1", "h2") and self.cell is not None:
            self.lines.append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture(scope="module")
def page_2021(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gov-2021 report published by `toolkit report`, with rows that give only 总计."""
    folder = tmp_path_factory.mktemp("page")
    template = folder / "t.xlsx"
    spec = build_template("gov-2021", template, unit="凤山街道办事处")
    values = consistent_fill(spec, np.random.default_rng(3))
    for column in spec.sets["applicant"]:  # a row with only its total (W7), blanks elsewhere
        values[f"applications.unable_2.{column}"] = None
    values["applications.unable_2.total"] = 0
    source = folder / "凤山.xlsx"
    fill_workbook(template, source, values)
    page = folder / "凤山.html"
    done = run_toolkit("report", str(source), "-o", str(page))
    assert done.returncode == 0, done.stderr
    return page


def _rows_as_lines(page: Path) -> str:
    parser = _RowsAsLines()
    parser.feed(page.read_text("utf-8"))
    return "\n".join(parser.lines)


def test_a_table_copied_a_row_per_line_keeps_its_empty_cells(
    page_2021: Path, tmp_path: Path
) -> None:
    text = tmp_path / "rows.txt"
    text.write_text(_rows_as_lines(page_2021), "utf-8")
    _, [copied], _ = audit(str(text))
    _, [published], _ = audit(str(page_2021))
    assert copied["values"] == published["values"]
    assert [f["rule"] for f in copied["findings"]] == [f["rule"] for f in published["findings"]]
    assert "T1" not in {f["rule"] for f in copied["findings"]}


def test_a_wrong_figure_in_a_row_per_line_copy_is_an_error(page_2021: Path, tmp_path: Path) -> None:
    lines = _rows_as_lines(page_2021).split("\n")
    at = next(i for i, line in enumerate(lines) if "\t（一）予以公开\t" in line)
    cells = lines[at].split("\t")
    natural = cells.index("（一）予以公开") + 1
    cells[natural] = str(int(cells[natural]) + 1)  # 自然人 one more, 总计 left as it was
    lines[at] = "\t".join(cells)
    text = tmp_path / "wrong.txt"
    text.write_text("\n".join(lines), "utf-8")
    code, [result], _ = audit(str(text))
    assert code == 1
    assert "A3" in {f["rule"] for f in result["findings"]}


def test_a_row_label_broken_over_two_lines_is_still_its_row(tmp_path: Path) -> None:
    text = FLATTENED.read_text("utf-8").replace(
        "一、本年新收到政府信息公开申请数量\n", "一、本年新收到政府信息公开\n申请数量\n"
    )
    path = tmp_path / "broken.txt"
    path.write_text(text, "utf-8")
    code, [result], _ = audit(str(path))
    assert result["values"]["applications.new.total"] == 2
    assert (code, result["findings"]) == (0, [])


def test_a_unit_worded_otherwise_does_not_lose_the_figure(tmp_path: Path) -> None:
    text = FLATTENED.read_text("utf-8").replace("2.兼职人员数\n人\n3", "2.兼职人员数\n名\n3")
    path = tmp_path / "unit.txt"
    path.write_text(text, "utf-8")
    code, [result], _ = audit(str(path))
    assert result["values"]["supp.org.staff_part"] == 3
    assert (code, result["findings"]) == (0, [])


def test_unknown_text_between_a_label_and_its_numbers_is_t1_not_blank(tmp_path: Path) -> None:
    text = FLATTENED.read_text("utf-8").replace(
        "（一）予以公开\n1\n", "（一）予以公开\n另见附件说明\n1\n"
    )
    path = tmp_path / "note.txt"
    path.write_text(text, "utf-8")
    _, [result], _ = audit(str(path))
    assert "T1" in {f["rule"] for f in result["findings"]}
    assert result["values"]["applications.granted.natural"] is None
    assert not {"A1", "A2", "A3"} & {f["rule"] for f in result["findings"]}


def test_a_page_saved_by_chrome_as_one_file_is_read(tmp_path: Path) -> None:
    page = lanjiang_2020_page().replace("charset=gb2312", "charset=utf-8")
    body = page.encode("utf-8")
    mhtml = (
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.gov.cn/a.html\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n'
        b'\tboundary="----B----"\r\n\r\n------B----\r\nContent-Type: text/html\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + quopri.encodestring(body)
        + b"\r\n------B------\r\n"
    )
    path = tmp_path / "兰江.mhtml"
    path.write_bytes(mhtml)
    code, [result], _ = audit(str(path))
    assert (code, result["form"], result["findings"]) == (0, "gov-2019", [])


@pytest.mark.parametrize(
    "encode",
    [
        lambda page: page.replace("charset=gb2312", "charset=utf-16").encode("utf-16"),
        lambda page: b"\n" * 9000 + page.encode("gb18030"),
        lambda page: ("<!--" + "x" * 9000 + "-->" + page).encode("gb18030"),
    ],
    ids=["utf-16", "blank-lines-first", "long-comment-first"],
)
def test_pages_that_open_unusually_are_still_pages(tmp_path: Path, encode) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(encode(lanjiang_2020_page()))
    code, [result], _ = audit(str(path))
    assert (code, result["form"], result["findings"]) == (0, "gov-2019", [])


def test_full_width_digits_and_yuan_are_read_and_said(tmp_path: Path) -> None:
    page = lanjiang_2020_page().replace("<span> 1038 </span>", "<span>１０３８</span>", 1)
    page = page.replace("<span> 2504 </span>", "<span>2504元</span>")
    path = tmp_path / "p.html"
    path.write_bytes(page.encode("gb18030"))
    code, [result], _ = audit(str(path))
    w5 = [f for f in result["findings"] if f["rule"] == "W5"]
    assert len(w5) == 2 and code == 0
    assert result["values"]["supp.active.total"] == 1038
    assert result["values"]["active.procurement.amount"] == 0.2504  # 元 kept in 万元


def test_audit_beside_its_own_summary(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "兰江.txt").write_bytes(FLATTENED.read_bytes())
    target = folder / "汇总.xlsx"
    for _ in range(2):  # the second run neither audits the summary nor refuses to replace it
        done = run_toolkit("audit", str(folder), "-o", str(target), "--force")
        assert done.returncode == 0, done.stdout + done.stderr
    code, [result], _ = audit(str(folder))
    assert code == 0 and Path(result["file"]).name == "兰江.txt"


def test_mixed_absolute_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(FLATTENED.read_bytes())
    done = run_toolkit("audit", str(tmp_path / "a.txt"), "a.txt", "-o", "s.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "s.xlsx").is_file()


_MANY_TABLES = (
    '<table><tr><td colspan="100" rowspan="1000">x</td></tr>' + "<tr></tr>" * 999 + "</table>"
) * 1500


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("brackets.txt", "(" * 80_000),  # label notes were matched by a quadratic pattern
        ("lines.txt", "1\n" * 300_000),  # labels were scanned for through every line
        ("tables.html", _MANY_TABLES),  # each table under its limit, 150 million cells in all
    ],
)
def test_inputs_built_to_hurt_end_quickly(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    started = time.monotonic()
    code, [result], _ = audit(str(path))
    assert time.monotonic() - started < 30
    assert (code, result["status"]) == (2, "unreadable")


@pytest.mark.parametrize("output", ["年报.pdf", "年报.xlsx", "年报.txt"])
def test_report_refuses_an_output_named_for_another_format(tmp_path: Path, output: str) -> None:
    done = run_toolkit("report", str(HERE.parent / "examples" / "凤山街道2025年报.xlsx"),
                       "-o", str(tmp_path / output))  # fmt: skip
    assert done.returncode == 2 and ".docx" in done.stderr
    assert not (tmp_path / output).exists()


def test_summary_saved_into_its_inbox_is_replaced_not_read(tmp_path: Path) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "凤山.xlsx").write_bytes(
        (HERE.parent / "examples" / "凤山街道2025年报.xlsx").read_bytes()
    )
    target = inbox / "汇总.xlsx"
    for _ in range(2):
        done = run_toolkit("summary", str(inbox), "-o", str(target), "--force", "--format", "json")
        assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [Path(r["file"]).name for r in report["results"]] == ["凤山.xlsx"]


def test_prose_that_states_a_figure_two_ways_is_not_read(page_2021: Path, tmp_path: Path) -> None:
    page = page_2021.read_text("utf-8").replace(
        "</body>", "<p>本年度收取信息处理费共计380元。</p><p>本年度未收取信息处理费。</p></body>"
    )
    path = tmp_path / "two-ways.html"
    path.write_text(page, "utf-8")
    _, [result], _ = audit(str(path))
    [said] = [f for f in result["findings"] if f["rule"] == "T1"]
    assert said["fields"] == ["fees_info.collected_yuan"]
    assert "380" in said["message"] and "0" in said["message"]
    assert result["values"]["fees_info.collected_yuan"] is None


def test_a_document_that_outlasts_the_time_limit_gets_document_advice(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_text("<p>一、总体情况</p>" * 150_000, "utf-8")
    done = run_toolkit("audit", str(path), "--format", "json", env={"TOOLKIT_READ_TIMEOUT": "0.2"})
    [result] = json.loads(done.stdout)["results"]
    assert (done.returncode, result["findings"][0]["rule"]) == (2, "F1")
    assert "Excel" not in result["findings"][0]["message"]
