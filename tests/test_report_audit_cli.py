"""`toolkit report` and `toolkit audit` as a user runs them: what is refused and why, the
exit codes, the files written (never over an input), and a folder of published reports
turned into one summary workbook."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from docx import Document as WordDocument

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook, read_sheets, run_toolkit

HERE = Path(__file__).parent
EXAMPLES = HERE.parent / "examples"
FLATTENED = EXAMPLES / "兰江街道2020年报（网页文字）.txt"


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A clean gov-2021 return and one whose 办理结果 total is off by one."""
    folder = tmp_path_factory.mktemp("returns")
    template = folder / "template.xlsx"
    spec = build_template("gov-2021", template, unit="凤山街道办事处")
    values = consistent_fill(spec, np.random.default_rng(7))
    values["text.overview"] = "全年主动公开政府信息。"
    clean, broken = folder / "凤山街道.xlsx", folder / "凤山街道（错）.xlsx"
    fill_workbook(template, clean, values)
    wrong = dict(values, **{"meta.unit": "兰溪镇人民政府"})
    wrong["applications.carried_out.natural"] = (
        values.get("applications.carried_out.natural") or 0
    ) + 1
    fill_workbook(template, broken, wrong)
    # （七）总计 of 自然人 cleared: W6 takes it as its parts' sum, but the 总计 formula over
    # it shows a figure without it, and the blank would be published as it is
    blank = folder / "凤山街道（总计未填）.xlsx"
    fill_workbook(template, blank, dict(values, **{"applications.handled_total.natural": None}))
    return {"clean": clean, "broken": broken, "blank": blank}


def test_report_writes_a_docx_named_after_its_title(returns: dict, tmp_path: Path) -> None:
    done = run_toolkit("report", str(returns["clean"]), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [made] = list(tmp_path.glob("*.docx"))
    assert made.name == "凤山街道办事处2025年度政府信息公开工作年度报告.docx"
    texts = [p.text for p in WordDocument(str(made)).paragraphs]
    assert texts[0] == "凤山街道办事处2025年度政府信息公开工作年度报告"
    assert "一、总体情况" in texts and "全年主动公开政府信息。" in texts
    assert "六、其他需要报告的事项" in texts
    assert texts[-2:][0] == "凤山街道办事处"  # signed by the unit, then dated
    assert str(made) in done.stdout or made.name in done.stdout
    # the empty sections are named, so the unit can fill them before publishing
    assert "五、存在的主要问题及改进情况" in done.stderr


def test_report_html_by_extension_and_by_format(returns: dict, tmp_path: Path) -> None:
    done = run_toolkit("report", str(returns["clean"]), "-o", str(tmp_path / "年报.html"))
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "年报.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<table" in page and 'lang="zh-CN"' in page
    done = run_toolkit(
        "report", str(returns["clean"]), "--format", "html", "-o", str(tmp_path / "x")
    )
    # named without an extension: the format's is added
    assert done.returncode == 0 and (tmp_path / "x.html").read_text("utf-8").startswith("<!DOC")


def test_report_refuses_a_return_with_errors_unless_forced(returns: dict, tmp_path: Path) -> None:
    target = tmp_path / "年报.docx"
    done = run_toolkit("report", str(returns["broken"]), "-o", str(target))
    assert done.returncode == 1
    assert not target.exists()
    assert "A1" in done.stderr and "--force" in done.stderr
    done = run_toolkit("report", str(returns["broken"]), "-o", str(target), "--force")
    assert done.returncode == 0, done.stderr
    assert target.is_file() and "--force" in done.stderr


def test_report_refuses_a_total_left_blank_unless_forced(returns: dict, tmp_path: Path) -> None:
    target = tmp_path / "年报.html"
    check = run_toolkit("check", str(returns["blank"]))
    assert check.returncode == 0 and "W6" in check.stdout  # a warning for check
    done = run_toolkit("report", str(returns["blank"]), "-o", str(target))
    assert done.returncode == 1 and not target.exists()
    assert "W6" in done.stderr and "--force" in done.stderr


def test_report_never_writes_over_its_input_or_an_existing_file(
    returns: dict, tmp_path: Path
) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(returns["clean"].read_bytes())
    before = source.read_bytes()
    done = run_toolkit("report", str(source), "-o", str(source), "--force")
    assert done.returncode == 2 and source.read_bytes() == before
    existing = tmp_path / "old.docx"
    existing.write_bytes(b"keep me")
    done = run_toolkit("report", str(source), "-o", str(existing))
    assert done.returncode == 2 and existing.read_bytes() == b"keep me"
    assert "Traceback" not in done.stderr


def test_report_usage_errors_exit_2(returns: dict, tmp_path: Path) -> None:
    done = run_toolkit("report", str(returns["clean"]), "--format", "pdf")
    assert done.returncode == 2 and "docx" in done.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("不是年报", encoding="utf-8")
    done = run_toolkit("report", str(notes), "-o", str(tmp_path / "r.docx"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert not (tmp_path / "r.docx").exists()
    done = run_toolkit("--lang", "en", "report", str(notes), "-o", str(tmp_path / "r.docx"))
    assert "is not an Excel" in done.stderr
    done = run_toolkit(
        "report", str(returns["clean"]), "-o", str(tmp_path / "r.html"), "--format", "docx"
    )
    assert done.returncode == 2 and "--format" in done.stderr and "docx" in done.stderr
    # a folder: one return makes one report, so the advice names one file (not *.xlsx, which
    # report refuses as extra arguments)
    done = run_toolkit("report", str(tmp_path))
    assert done.returncode == 2 and "请写出其中一个文件" in done.stderr, done.stderr
    assert "*.xlsx" not in done.stderr


def test_report_named_without_an_extension_gets_its_formats(returns: dict, tmp_path: Path) -> None:
    """-o 年报 gives 年报.docx (or .html with --format html), as the usage message promises
    (a Word file with no extension was written)."""
    for fmt in ("docx", "html"):
        done = run_toolkit(
            "report", str(returns["clean"]), "-o", str(tmp_path / "年报"), "--format", fmt
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / f"年报.{fmt}").is_file() and not (tmp_path / "年报").exists()
    folder = tmp_path / "已有文件夹"
    folder.mkdir()
    done = run_toolkit("report", str(returns["clean"]), "-o", str(folder))
    assert done.returncode == 2 and not folder.with_name("已有文件夹.docx").exists()


@pytest.fixture(scope="module")
def published(returns: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as an evaluator saves it from websites: a .docx, a web page, a copied text,
    a PDF, a broken report, and a page whose title carries a formula."""
    folder = tmp_path_factory.mktemp("websites")
    for name, source, extra in (
        ("凤山街道.docx", returns["clean"], ()),
        ("凤山街道（错）.html", returns["broken"], ("--force",)),
    ):
        done = run_toolkit("report", str(source), "-o", str(folder / name), *extra)
        assert done.returncode == 0, done.stderr
    (folder / "兰江街道.txt").write_bytes(FLATTENED.read_bytes())
    (folder / "扫描件.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n")
    page = (folder / "凤山街道.docx").with_suffix(".html")
    done = run_toolkit("report", str(returns["clean"]), "-o", str(page))
    hostile = page.read_text("utf-8").replace(
        "凤山街道办事处2025", "=HYPERLINK(&quot;http://x&quot;)2025"
    )
    page.write_text(hostile, "utf-8")
    (folder / "说明.md").write_text("not a report", "utf-8")  # not a report file: not read
    return folder


def test_audit_a_folder_gives_each_report_its_findings(published: Path) -> None:
    done = run_toolkit("audit", str(published), "--format", "json")
    assert done.returncode == 2  # the PDF cannot be read
    results = {Path(r["file"]).name: r for r in json.loads(done.stdout)["results"]}
    assert set(results) == {
        "凤山街道.docx",
        "凤山街道（错）.html",
        "兰江街道.txt",
        "扫描件.pdf",
        "凤山街道.html",
    }
    assert results["凤山街道.docx"]["status"] == "ok"
    assert results["兰江街道.txt"]["status"] == "ok"
    assert results["凤山街道（错）.html"]["status"] == "errors"
    assert "A1" in {f["rule"] for f in results["凤山街道（错）.html"]["findings"]}
    pdf = results["扫描件.pdf"]
    assert pdf["status"] == "unreadable" and "PDF" in pdf["findings"][0]["message"]


def test_audit_writes_one_summary_workbook_of_all_units(published: Path, tmp_path: Path) -> None:
    target = tmp_path / "审核汇总.xlsx"
    done = run_toolkit("audit", str(published), "-o", str(target))
    assert done.returncode == 2 and target.is_file(), done.stderr
    sheets = read_sheets(target)
    units = "\n".join(str(c) for row in sheets["报送情况"] for c in row)
    assert all(unit in units for unit in ("凤山街道办事处", "兰江街道办事处", "兰溪镇人民政府"))
    problems = sheets["问题清单"]
    assert any("A1" in row for row in problems)
    # a unit named like a formula stays text: calamine would read a formula as its result
    assert any('=HYPERLINK("http://x")' in str(c) for row in sheets["报送情况"] for c in row)
    assert "汇总表" in sheets and "明细" in sheets


def test_audit_of_nothing_to_read_is_a_usage_error(tmp_path: Path) -> None:
    done = run_toolkit("audit", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert str(tmp_path) in done.stderr


def test_audit_never_writes_its_summary_over_a_report_it_reads(tmp_path: Path) -> None:
    """-o naming a report of the folder audited is refused even with --force (it had been
    left out of the audit and replaced by the summary); -o names an .xlsx; a summary the
    audit wrote there before is replaced, not read as a report."""
    folder = tmp_path / "网站"
    folder.mkdir()
    report = folder / "兰江街道.txt"
    report.write_bytes(FLATTENED.read_bytes())
    workbook = folder / "手工表格.xlsx"
    workbook.write_bytes((EXAMPLES / "兰江街道2020年报（手工表格）.xlsx").read_bytes())
    for target in (report, workbook, tmp_path / "审核汇总.html"):
        before = target.read_bytes() if target.exists() else None
        done = run_toolkit("audit", str(folder), "-o", str(target), "--force")
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert (target.read_bytes() if target.exists() else None) == before
    ours = folder / "审核汇总.xlsx"
    for _ in range(2):
        done = run_toolkit("audit", str(folder), "-o", str(ours), "--force", "--format", "json")
        assert done.returncode == 0, done.stderr
        read = {Path(r["file"]).name for r in json.loads(done.stdout)["results"]}
        assert read == {"兰江街道.txt", "手工表格.xlsx"}


def test_audit_o_naming_a_folder_writes_its_summary_there(tmp_path: Path) -> None:
    """`-o 文件夹` was refused ("只能保存为 .xlsx"): the summary goes into the folder as
    年报审核汇总.xlsx, said where; audited again, the folder's summary is ours to replace
    (with --force), not a report, and the reports are untouched."""
    folder = tmp_path / "网站"
    folder.mkdir()
    report = folder / "兰江街道.txt"
    report.write_bytes(FLATTENED.read_bytes())
    done = run_toolkit("audit", str(folder), "-o", str(folder))
    target = folder / "年报审核汇总.xlsx"
    assert done.returncode == 0 and f"已写出汇总表：{target}" in done.stdout, done.stderr
    assert "报送情况" in read_sheets(target)
    again = run_toolkit("audit", str(folder), "-o", str(folder))
    assert again.returncode == 2 and "已存在" in again.stderr and "--force" in again.stderr
    forced = run_toolkit("audit", str(folder), "-o", str(folder), "--force", "--format", "json")
    assert forced.returncode == 0, forced.stderr
    assert [Path(r["file"]).name for r in json.loads(forced.stdout)["results"]] == ["兰江街道.txt"]
    assert report.read_bytes() == FLATTENED.read_bytes()


def test_audit_says_what_it_passed_over_as_summary_does(tmp_path: Path) -> None:
    """Lock files Office leaves beside an open file, check --annotate's marked copies and
    an earlier summary were left out unsaid (summary lists what it passes over): each is
    said, with why, in the text (on stderr beside JSON) and in 报送情况."""
    folder = tmp_path / "网站"
    folder.mkdir()
    (folder / "兰江街道.txt").write_bytes(FLATTENED.read_bytes())
    (folder / "~$兰江街道.docx").write_bytes(b"\x0czhangsan" + b"\x00" * 150)
    (folder / "~$手工表格.xlsx").write_bytes(b"\x0czhangsan" + b"\x00" * 150)
    marked = folder / "手工表格.批注.xlsx"
    marked.write_bytes((EXAMPLES / "兰江街道2020年报（手工表格）.xlsx").read_bytes())
    inputs = {p: p.read_bytes() for p in folder.iterdir()}
    target = folder / "审核汇总.xlsx"
    done = run_toolkit("audit", str(folder), "-o", str(target))
    assert done.returncode == 0, done.stderr
    said = [line.split(None, 1) for line in done.stdout.splitlines() if "已跳过" in line]
    assert [(label, Path(text.split("：")[0]).name) for label, text in said] == [
        ("已跳过", "~$兰江街道.docx"),
        ("已跳过", "~$手工表格.xlsx"),
        ("已跳过", "手工表格.批注.xlsx"),
    ]
    assert "临时文件" in said[0][1] and "批注副本" in said[2][1]
    assert done.stdout.index("已跳过") < done.stdout.index("结论：")
    rows = read_sheets(target)["报送情况"]
    listed = {str(row[3]): str(row[7]) for row in rows if row[2] == "已跳过"}
    assert set(listed) == {"~$兰江街道.docx", "~$手工表格.xlsx", "手工表格.批注.xlsx"}
    again = run_toolkit("audit", str(folder), "--format", "json")
    assert again.returncode == 0 and "已跳过" not in again.stdout, again.stderr
    assert [Path(r["file"]).name for r in json.loads(again.stdout)["results"]] == ["兰江街道.txt"]
    assert f"{target}：这是本工具生成的汇总表" in again.stderr
    assert sum(line.startswith("  已跳过 ") for line in again.stderr.splitlines()) == 4
    assert all(p.read_bytes() == data for p, data in inputs.items())
