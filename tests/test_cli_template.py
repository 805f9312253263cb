"""`toolkit template` and `toolkit forms` as a user runs them: files, messages, exit codes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from tests.support import read_map, read_sheets, value_at
from toolkit.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_roster(path: Path, rows: list[list[str]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("名单")
    sheet.write_string(0, 0, "2025年度政务公开年报报送单位名单")  # a title row above the header
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    workbook.close()
    return path


def test_python_m_toolkit_writes_the_default_form(tmp_path: Path) -> None:
    out = tmp_path / "2025年报模板.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "template",
            "--form",
            "gov-2021",
            "--year",
            "2025",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "已生成模板" in done.stdout
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["封面", "主动公开", "申请情况", "复议诉讼"]
    fields, _ = read_map(out)
    assert value_at(read_sheets(out), *fields["meta.year"]) == 2025


def test_forms_lists_every_shipped_form() -> None:
    code, output = run("forms")
    assert code == 0
    for form in ("gov-2021", "gov-2019", "supp-stats"):
        assert form in output
    code, output = run("forms", "--format", "json")
    data = json.loads(output)
    assert data["schema"] == "toolkit-forms/1"
    assert {f["id"] for f in data["forms"]} == {"gov-2021", "gov-2019", "supp-stats"}


def test_existing_output_is_refused_then_replaced_with_force(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    out.write_bytes(b"keep me")
    code, output = run("template", "--year", "2025", "-o", str(out))
    assert code == 2
    assert "已存在" in output and "--force" in output
    assert out.read_bytes() == b"keep me"
    code, _ = run("template", "--year", "2025", "-o", str(out), "--force")
    assert code == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "封面"


def test_unit_is_prefilled_and_locked(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    code, _ = run("template", "--year", "2025", "--unit", "兰江街道办事处", "-o", str(out))
    assert code == 0
    fields, _ = read_map(out)
    sheet, ref = fields["meta.unit"]
    cell = openpyxl.load_workbook(out)[sheet][ref]
    assert cell.value == "兰江街道办事处" and cell.protection.locked


def test_password_protects_every_sheet(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run("template", "--year", "2025", "--password", "s3cret", "-o", str(out))[0] == 0
    wb = openpyxl.load_workbook(out)
    assert all(ws.protection.sheet and ws.protection.password for ws in wb.worksheets)


@pytest.mark.parametrize(("form", "year"), [("gov-2019", "2025"), ("gov-2021", "2020")])
def test_form_that_does_not_fit_the_year_is_refused(tmp_path: Path, form: str, year: str) -> None:
    out = tmp_path / "t.xlsx"
    code, output = run("template", "--form", form, "--year", year, "-o", str(out))
    assert code == 2
    assert "不能用表格" in output
    assert not out.exists()


def test_future_year_and_unknown_form_and_wrong_suffix(tmp_path: Path) -> None:
    code, output = run("template", "--year", "2999", "-o", str(tmp_path / "t.xlsx"))
    assert code == 2 and "2999" in output
    code, output = run("template", "--form", "gov-2030", "-o", str(tmp_path / "t.xlsx"))
    assert code == 2 and "gov-2021" in output  # lists the forms that exist
    code, output = run("template", "--year", "2025", "-o", str(tmp_path / "t.xls"))
    assert code == 2 and ".xlsx" in output
    assert list(tmp_path.iterdir()) == []


def test_english_messages_with_lang_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"x")
    code, output = run("template", "--year", "2025", "-o", str(out), "--lang", "en")
    assert code == 2 and "already exists" in output
    monkeypatch.setenv("TOOLKIT_LANG", "en")
    from toolkit.messages import set_language

    set_language(None)
    code, output = run("template", "--year", "2025", "-o", str(out))
    assert code == 2 and "already exists" in output


def test_roster_writes_one_locked_template_per_unit(tmp_path: Path) -> None:
    roster = write_roster(
        tmp_path / "单位名单.xlsx",
        [
            ["序号", "单位名称", "邮箱"],
            ["1", "兰江街道", "lj@example.cn"],
            ["2", "凤山街道办事处", ""],
            ["3", '=HYPERLINK("http://x","点我")', ""],
            ["4", "../../逃逸", ""],
        ],
    )
    before = sha(roster)
    out = tmp_path / "模板"
    code, output = run("template", "--year", "2025", "--roster", str(roster), "-o", str(out))
    assert code == 0, output
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4
    assert "兰江街道.xlsx" in names and "凤山街道办事处.xlsx" in names
    assert all(Path(n).parent == Path(".") and "/" not in n for n in names)
    assert sha(roster) == before
    for path in out.iterdir():
        fields, _ = read_map(path)
        sheet, ref = fields["meta.unit"]
        cell = openpyxl.load_workbook(path)[sheet][ref]
        assert cell.protection.locked
        assert cell.data_type == "s"  # a formula-looking unit name stays text
    hostile = next(p for p in out.iterdir() if "HYPERLINK" in p.name)
    fields, _ = read_map(hostile)
    assert value_at(read_sheets(hostile), *fields["meta.unit"]).startswith("=HYPERLINK")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["名称", "邮箱"], ["兰江街道", ""]], "单位名称"),
        ([["单位名称"], ["兰江街道"], ["凤山街道"], ["兰江街道"]], "重复"),
        ([["单位名称"]], "没有列出任何单位"),
    ],
)
def test_bad_roster_is_refused_and_nothing_written(
    tmp_path: Path, rows: list[list[str]], expected: str
) -> None:
    roster = write_roster(tmp_path / "名单.xlsx", rows)
    out = tmp_path / "模板"
    code, output = run("template", "--year", "2025", "--roster", str(roster), "-o", str(out))
    assert code == 2
    assert expected in output
    assert not out.exists() or not any(out.iterdir())


def test_roster_output_equal_to_the_roster_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "模板"
    out.mkdir()
    roster = write_roster(out / "兰江街道.xlsx", [["单位名称"], ["兰江街道"]])
    before = sha(roster)
    code, output = run(
        "template", "--year", "2025", "--roster", str(roster), "-o", str(out), "--force"
    )
    assert code == 2
    assert "同一个文件" in output
    assert sha(roster) == before


def test_missing_roster_and_bad_spec(tmp_path: Path) -> None:
    code, output = run("template", "--roster", str(tmp_path / "无.xlsx"), "-o", str(tmp_path))
    assert code == 2 and "找不到" in output
    spec = tmp_path / "bad.toml"
    spec.write_text('id = "x"\nversion = "1"\nnme = "typo"\n', encoding="utf-8")
    code, output = run("template", "--spec", str(spec), "-o", str(tmp_path / "t.xlsx"))
    assert code == 2
    assert "bad.toml" in output and "nme" in output
    assert not (tmp_path / "t.xlsx").exists()


def test_control_characters_never_reach_the_terminal_or_the_file(tmp_path: Path) -> None:
    roster = write_roster(
        tmp_path / "名单.xlsx",
        [
            ["单位名称"],
            ["兰江\x1b[31m街道\u202e"],
            ["凤山\n街道"],
        ],
    )
    out = tmp_path / "模板"
    code, output = run("template", "--year", "2025", "--roster", str(roster), "-o", str(out))
    assert code == 0, output
    assert "\x1b" not in output and "\u202e" not in output
    assert sorted(p.name for p in out.iterdir()) == ["兰江[31m街道.xlsx", "凤山 街道.xlsx"]
    fields, _ = read_map(out / "凤山 街道.xlsx")
    assert value_at(read_sheets(out / "凤山 街道.xlsx"), *fields["meta.unit"]) == "凤山 街道"


def test_overlong_unit_names_and_unit_with_roster_are_refused(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "名单.xlsx", [["单位名称"], ["局" * 101]])
    code, output = run(
        "template", "--year", "2025", "--roster", str(roster), "-o", str(tmp_path / "模板")
    )
    assert code == 2 and "第 3 行" in output and "100" in output  # row 1 is a title
    code, output = run(
        "template", "--year", "2025", "--unit", "局" * 101, "-o", str(tmp_path / "t.xlsx")
    )
    assert code == 2 and "100" in output
    code, output = run(
        "template",
        "--year",
        "2025",
        "--unit",
        "兰江街道",
        "--roster",
        str(roster),
        "-o",
        str(tmp_path / "模板"),
    )
    assert code == 2 and "不能同时使用" in output
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("command", ["summary", "check", "template"])
def test_help_says_every_option_in_full_in_a_narrow_terminal(command: str) -> None:
    """Chinese help has no space to break a line at: rich's option table cut it with "…"
    (--roster lost what the roster is for); each help text is said in full."""
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", command, "--help"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "90", "TERMINAL_WIDTH": "90"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout, done.stdout
    flat = "".join(line.strip(" │") for line in done.stdout.splitlines())
    if command == "summary":
        assert "据此判断谁已报送、谁未报送。" in flat, done.stdout
