"""`toolkit check` as a user runs it: file-level codes, exit codes, JSON contract, --annotate.

Every JSON output is validated against tests/data/toolkit-check-1.schema.json (written from
CHECK-JSON.md), and every run proves that its inputs were not modified.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from tests.support import read_map
from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOV_2021 = EXAMPLES / "凤山街道2025年报.xlsx"
GOV_2019 = EXAMPLES / "兰江街道2020年报.xlsx"
SUPP = EXAMPLES / "兰江街道2020补充统计表.xlsx"
SCHEMA_PATH = Path(__file__).parent / "data" / "toolkit-check-1.schema.json"
VALIDATOR = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LIST_SHEET = "问题清单"
# 凤山街道2025年报.xlsx as shipped: a few of its numbers.
NEW_NATURAL = "applications.new.natural"
NEW_TOTAL = "applications.new.total"

runner = CliRunner()


# ---------------------------------------------------------------------------- helpers


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(paths: Sequence[Path]) -> dict[Path, str]:
    return {p: sha(p) for p in paths if p.is_file()}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        data = json.loads(self.stdout)
        assert_valid(data)
        return data

    def results(self) -> list[dict[str, Any]]:
        return self.json()["results"]


def assert_valid(data: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def assert_clean_stderr(run: Run) -> None:
    assert "Traceback" not in run.stderr
    assert "程序内部错误" not in run.stderr and "internal error" not in run.stderr.lower()


def check(inputs: Sequence[Path], *options: str, subprocess_cwd: Path | None = None) -> Run:
    """Run `toolkit check` on ``inputs`` with ``options``; the inputs must come out unchanged,
    and a JSON output must match the schema and name each input's real sha256."""
    before = hashes(inputs)
    args = ["check", *(str(p) for p in inputs), *options]  # options last: `--annotate` alone
    if subprocess_cwd is not None:
        done = subprocess.run(
            [sys.executable, "-m", "toolkit", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=subprocess_cwd,
            timeout=120,
        )
        run = Run(done.returncode, done.stdout, done.stderr)
    else:
        result = runner.invoke(app, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        run = Run(result.exit_code, result.stdout, result.stderr)
    assert hashes(inputs) == before, "an input was modified"
    assert_clean_stderr(run)
    if "--format" in options and options[options.index("--format") + 1] == "json" and run.stdout:
        results = run.results()
        assert [r["file"] for r in results] == [str(p) for p in inputs]
        for path, result in zip(inputs, results, strict=True):
            assert result["sha256"] == (sha(path) if path.is_file() else None)
    return run


def copy(source: Path, folder: Path, name: str | None = None) -> Path:
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    return target


def edited(source: Path, target: Path, changes: dict[str, Any], as_text: bool = False) -> Path:
    """A copy of a template-made return with fields changed (cells found via `_toolkit`)."""
    fields, _ = read_map(source)
    workbook = openpyxl.load_workbook(source)
    for key, value in changes.items():
        sheet, ref = fields[key]
        cell = workbook[sheet][ref]
        cell.value = value
        if as_text:
            cell.data_type = "s"  # typed as text, even "=1+1"
    workbook.save(target)
    return target


def broken(folder: Path, name: str = "凤山街道-有错.xlsx") -> Path:
    """凤山街道's return with one more natural-person application: A1 no longer balances."""
    return edited(GOV_2021, folder / name, {NEW_NATURAL: 15})


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def sheet_xml(path: Path, sheet: str) -> str:
    """The XML part of ``sheet`` in the package at ``path`` (resolved through the rels)."""
    members = zip_members(path)
    workbook = members["xl/workbook.xml"].decode("utf-8")
    rels = members["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rid = None
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', tag)
        if name and name.group(1) == sheet:
            rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
    assert rid is not None, f"no sheet {sheet} in {path.name}"
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        if f'Id="{rid.group(1)}"' in rel:
            target = re.search(r'Target="([^"]*)"', rel)
            assert target is not None
            part = target.group(1).lstrip("/")
            part = part if part.startswith("xl/") else "xl/" + part
            return members[part].decode("utf-8")
    raise AssertionError(f"no part for sheet {sheet}")


# ---------------------------------------------------------------------------- bad files


def make_empty(folder: Path) -> Path:
    path = folder / "空文件.xlsx"
    path.write_bytes(b"")
    return path


def make_docx(folder: Path) -> Path:
    return write_zip(
        folder / "通知.xlsx",
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        },
    )


def make_text(folder: Path, name: str = "名单.xlsx") -> Path:
    path = folder / name
    path.write_text("单位名称,数量\n兰江街道,1\n", encoding="utf-8")
    return path


def make_truncated(folder: Path) -> Path:
    data = GOV_2021.read_bytes()
    path = folder / "下载中断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def make_zip_bomb(folder: Path) -> Path:
    """A real package whose first sheet unpacks to ~60 MB of the same row, repeated."""
    members = zip_members(GOV_2021)
    row = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    huge = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + row * (60 * 1024 * 1024 // len(row)) + b"</sheetData></worksheet>"
    )
    members["xl/worksheets/sheet1.xml"] = huge
    path = write_zip(folder / "炸弹.xlsx", members)
    assert path.stat().st_size < 1024 * 1024
    return path


def make_missing(folder: Path) -> Path:
    return folder / "不存在.xlsx"


def make_directory(folder: Path) -> Path:
    path = folder / "收件箱"
    path.mkdir()
    return path


def make_shopping_list(folder: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "购物清单"
    for row in (("物品", "数量", "单价"), ("苹果", 3, 5.5), ("牛奶", 2, 12), ("合计", 5, None)):
        sheet.append(row)
    path = folder / "购物清单.xlsx"
    workbook.save(path)
    return path


def make_encrypted(folder: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    path = folder / "加密.xlsx"
    with GOV_2021.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    return path


def make_macro(source: Path, target: Path) -> Path:
    """``source`` as a macro-enabled package (.xlsm with xl/vbaProject.bin)."""
    members = zip_members(source)
    types = members["[Content_Types].xml"].decode("utf-8")
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ).replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    rels = (
        members["xl/_rels/workbook.xml.rels"]
        .decode("utf-8")
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdVba" '
            'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            'Target="vbaProject.bin"/></Relationships>',
        )
    )
    members["[Content_Types].xml"] = types.encode("utf-8")
    members["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    members["xl/vbaProject.bin"] = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    return write_zip(target, members)


BAD_FILES: list[tuple[str, Callable[[Path], Path], str, tuple[str, ...]]] = [
    ("empty", make_empty, "F1", ("空", "重新发送")),
    ("docx_renamed", make_docx, "F1", ("不是 Excel", "另存为 .xlsx", "重新发送")),
    ("text_renamed", make_text, "F1", ("不是 Excel", "另存为 .xlsx", "重新发送")),
    ("truncated_zip", make_truncated, "F1", ("损坏或不完整", "重新发送")),
    ("zip_bomb", make_zip_bomb, "F1", ("异常庞大", "重新保存")),
    ("missing_path", make_missing, "F1", ("找不到文件", "检查路径")),
    ("directory", make_directory, "F1", ("文件夹", "*.xlsx")),
    ("no_report_table", make_shopping_list, "F2", ("没有找到", "年报", "统一模板")),
    ("encrypted", make_encrypted, "F3", ("密码", "取消密码", "重新发送")),
]


def assert_good_gov_2021(result: dict[str, Any], path: Path) -> None:
    """The untouched 凤山街道 return, read and checked in full."""
    assert result["file"] == str(path)
    assert result["status"] == "ok"
    assert result["form"] == "gov-2021"
    assert result["findings"] == []
    assert result["meta"]["unit"] == "凤山街道办事处" and result["meta"]["year"] == 2025
    assert result["values"][NEW_NATURAL] == 14
    assert result["values"][NEW_TOTAL] == 18


# ---------------------------------------------------------------------------- tests


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(VALIDATOR.schema)
    assert VALIDATOR.schema["$schema"].endswith("/draft/2020-12/schema")


def _mutations() -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    def result(doc: dict[str, Any]) -> dict[str, Any]:
        return doc["results"][0]

    def finding(doc: dict[str, Any]) -> dict[str, Any]:
        return result(doc)["findings"][0]

    return [
        ("schema id", lambda d: d.update(schema="toolkit-check/2")),
        ("extra top-level key", lambda d: d.update(version=1)),
        ("sha256 not hex", lambda d: result(d).update(sha256="xyz")),
        ("unknown status", lambda d: result(d).update(status="fine")),
        ("extra meta key", lambda d: result(d)["meta"].update(email=None)),
        ("missing meta key", lambda d: result(d)["meta"].pop("head")),
        ("year as text", lambda d: result(d)["meta"].update(year="2025")),
        ("value as text", lambda d: result(d)["values"].update(x="1")),
        ("unknown severity", lambda d: finding(d).update(severity="info")),
        ("empty message", lambda d: finding(d).update(message="")),
        ("cell not A1", lambda d: finding(d).update(cell="d33")),
        ("fields not strings", lambda d: finding(d).update(fields=[1])),
        ("extra finding key", lambda d: finding(d).update(hint="")),
        (
            "errors status without an error",
            lambda d: [f.update(severity="warning") for f in result(d)["findings"]],
        ),
        ("ok status with findings", lambda d: result(d).update(status="ok")),
        ("unreadable without an F code", lambda d: result(d).update(status="unreadable")),
    ]


@pytest.mark.parametrize(("name", "mutate"), _mutations(), ids=[n for n, _ in _mutations()])
def test_the_schema_rejects_what_the_contract_forbids(
    tmp_path: Path, name: str, mutate: Callable[[dict[str, Any]], None]
) -> None:
    doc = json.loads(check([broken(tmp_path)], "--format", "json").stdout)
    assert_valid(doc)
    mutate(doc)
    assert not VALIDATOR.is_valid(doc), name


@pytest.mark.parametrize(
    ("make", "code", "keywords"),
    [pytest.param(make, code, words, id=name) for name, make, code, words in BAD_FILES],
)
def test_file_level_problem_is_reported_and_other_files_still_checked(
    tmp_path: Path, make: Callable[[Path], Path], code: str, keywords: tuple[str, ...]
) -> None:
    bad = make(tmp_path)
    good = copy(GOV_2021, tmp_path)
    run = check([bad, good], "--format", "json")
    assert run.code == 2
    bad_result, good_result = run.results()
    assert bad_result["status"] == "unreadable"
    assert bad_result["form"] is None
    assert [f["rule"] for f in bad_result["findings"]] == [code]
    finding = bad_result["findings"][0]
    assert finding["severity"] == "error"
    assert finding["sheet"] is None and finding["cell"] is None
    assert bad.name in finding["message"]  # the sender's file is named
    for word in keywords:
        assert word in finding["message"], f"{word!r} not in {finding['message']!r}"
    assert_good_gov_2021(good_result, good)

    text = check([bad, good])
    assert text.code == 2
    assert f"{bad}：无法读取" in text.stdout
    assert finding["message"] in text.stdout
    assert text.stdout.rstrip().splitlines()[-1] == (
        "结论：共 2 个文件，1 个无问题，0 个仅有警告，0 个有错误，1 个无法读取。"
    )


def test_english_messages_for_a_file_level_problem(tmp_path: Path) -> None:
    bad = make_text(tmp_path, "notes.xlsx")
    run = check([bad, copy(GOV_2021, tmp_path)], "--format", "json", "--lang", "en")
    assert run.code == 2
    message = run.results()[0]["findings"][0]["message"]
    assert "notes.xlsx" in message and "Excel" in message
    assert not CJK.search(message), message


@pytest.mark.parametrize(
    ("make_source", "code", "status"),
    [
        pytest.param(lambda folder: copy(GOV_2021, folder), 0, "warnings", id="clean"),
        pytest.param(broken, 1, "errors", id="with_errors"),
    ],
)
def test_macro_enabled_workbook_is_read_and_checked_with_an_f4_warning(
    tmp_path: Path, make_source: Callable[[Path], Path], code: int, status: str
) -> None:
    source = make_source(tmp_path)
    macro = make_macro(source, tmp_path / "带宏.xlsm")
    plain = check([source], "--format", "json").results()[0]
    run = check([macro, copy(GOV_2021, tmp_path, "另一份.xlsx")], "--format", "json")
    assert run.code == code
    result, other = run.results()
    assert result["status"] == status
    assert result["form"] == "gov-2021"
    assert result["values"] == plain["values"]
    assert result["meta"] == plain["meta"]
    f4 = [f for f in result["findings"] if f["rule"] == "F4"]
    assert len(f4) == 1 and f4[0]["severity"] == "warning"
    assert "宏" in f4[0]["message"] and "不会被运行" in f4[0]["message"]
    assert [f for f in result["findings"] if f["rule"] != "F4"] == plain["findings"]
    assert other["status"] == "ok"


def test_annotated_copy_of_a_macro_workbook_has_no_macros(tmp_path: Path) -> None:
    macro = make_macro(broken(tmp_path), tmp_path / "带宏.xlsm")
    out = tmp_path / "out.xlsx"
    assert check([macro], "--annotate", str(out)).code == 1
    assert "xl/vbaProject.bin" not in zip_members(out)
    assert openpyxl.load_workbook(out).sheetnames[0] == LIST_SHEET


def test_clean_examples_exit_0(tmp_path: Path) -> None:
    inputs = [copy(p, tmp_path) for p in (GOV_2019, GOV_2021, SUPP)]
    run = check(inputs, "--format", "json")
    assert run.code == 0
    results = run.results()
    assert [r["form"] for r in results] == ["gov-2019", "gov-2021", "supp-stats"]
    assert [r["status"] for r in results] == ["ok"] * 3
    assert [r["meta"]["year"] for r in results] == [2020, 2025, 2020]
    assert all(r["findings"] == [] for r in results)
    assert any(k.startswith("supp.") for k in results[2]["values"])
    text = check(inputs)
    assert text.code == 0
    assert text.stdout.rstrip().splitlines()[-1] == (
        "结论：共 3 个文件，3 个无问题，0 个仅有警告，0 个有错误，0 个无法读取。"
    )


def test_a_file_with_errors_exits_1_and_explains_the_rule(tmp_path: Path) -> None:
    bad = broken(tmp_path)
    good = copy(GOV_2021, tmp_path)
    run = check([bad, good], "--format", "json")
    assert run.code == 1
    result, other = run.results()
    assert result["status"] == "errors"
    assert result["values"][NEW_NATURAL] == 15
    assert result["values"][NEW_TOTAL] == 19  # the SUM formula recomputed, not its cache
    a1 = next(f for f in result["findings"] if f["rule"] == "A1" and f["cell"] == "D33")
    assert a1["severity"] == "error" and a1["sheet"] == "申请情况"
    assert (a1["expected"], a1["actual"]) == (15, 16)
    assert NEW_NATURAL in a1["fields"]
    assert_good_gov_2021(other, good)


def test_blank_markers_read_as_null_not_as_errors(tmp_path: Path) -> None:
    source = edited(
        GOV_2021,
        tmp_path / "斜杠.xlsx",
        {
            "applications.new.research": "/",
            "applications.new.nonprofit": "无",
            "applications.new.legal": "—",
        },
        as_text=True,
    )
    run = check([source], "--format", "json")
    assert run.code == 0
    result = run.results()[0]
    assert result["status"] == "ok"
    for key in ("research", "nonprofit", "legal"):
        assert result["values"][f"applications.new.{key}"] is None


@pytest.mark.parametrize("make", [broken, make_shopping_list], ids=["template", "by_labels"])
def test_a_stray_far_away_cell_does_not_take_down_the_run(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    source = make(tmp_path)
    workbook = openpyxl.load_workbook(source)
    workbook.worksheets[0]["XFD1048576"] = "x"  # a visible sheet
    far = tmp_path / "远处有字.xlsx"
    workbook.save(far)
    good = copy(GOV_2021, tmp_path)
    # In a subprocess: the failure mode is an abort that would kill pytest itself.
    run = check([far, good], "--format", "json", subprocess_cwd=tmp_path)
    assert "stack backtrace" not in run.stderr and "memory allocation" not in run.stderr
    assert run.code == 2
    far_result, good_result = run.results()
    # python-calamine aborts its (worker) process on a dense grid of ~10^10 cells: that file
    # is reported unreadable and the run goes on
    assert far_result["status"] == "unreadable"
    assert [f["rule"] for f in far_result["findings"]] == ["F1"]
    assert "删除多余内容" in far_result["findings"][0]["message"]
    assert_good_gov_2021(good_result, good)


def test_errors_and_unreadable_together_exit_2(tmp_path: Path) -> None:
    run = check([broken(tmp_path), make_empty(tmp_path)], "--format", "json")
    assert run.code == 2
    assert [r["status"] for r in run.results()] == ["errors", "unreadable"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(lambda folder: ("--format", "xml"), "text、json", id="bad_format"),
        pytest.param(
            lambda folder: ("--last-year", str(GOV_2021)), "--last-year", id="last_year_two_files"
        ),
        pytest.param(
            lambda folder: ("--annotate", str(folder / "无此文件夹")),
            "不存在",
            id="annotate_missing_folder",
        ),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, options: Callable[[Path], tuple[str, ...]], message: str
) -> None:
    inputs = [copy(GOV_2021, tmp_path), copy(GOV_2019, tmp_path)]
    before = sorted(p.name for p in tmp_path.iterdir())
    run = check(inputs, *options(tmp_path))
    assert run.code == 2
    assert message in run.stderr
    assert run.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_text_report_groups_by_file_errors_first_then_verdict(tmp_path: Path) -> None:
    # One more natural-person application (A1 errors) and a number typed as text (W5 warning).
    mixed = edited(GOV_2021, tmp_path / "混合.xlsx", {NEW_NATURAL: 15})
    mixed = edited(mixed, mixed, {"applications.new.business": "3"}, as_text=True)
    good = copy(GOV_2019, tmp_path)
    bad = make_empty(tmp_path)
    run = check([mixed, good, bad])
    assert run.code == 2
    lines = run.stdout.rstrip().splitlines()
    headers = [i for i, line in enumerate(lines) if not line.startswith(" ") and line]
    assert lines[headers[0]].startswith(f"{mixed}（gov-2021，凤山街道办事处 2025 年度）")
    assert lines[headers[1]].startswith(f"{good}（gov-2019")
    assert lines[headers[2]] == f"{bad}：无法读取"
    first_block = lines[headers[0] + 1 : headers[1]]
    kinds = [line.split()[0] for line in first_block if line.strip()]
    assert "错误" in kinds and "警告" in kinds
    assert kinds == sorted(kinds, key=lambda k: k != "错误"), first_block
    assert any("W5" in line for line in first_block)
    assert lines[headers[1] + 1].strip() == "未发现问题。"
    assert lines[-1] == "结论：共 3 个文件，1 个无问题，0 个仅有警告，1 个有错误，1 个无法读取。"
    assert headers[-1] == len(lines) - 1  # the verdict is the last line, and one line


def test_annotate_default_name_refuses_overwrite_and_force_replaces_only_its_own_copy(
    tmp_path: Path,
) -> None:
    bad = broken(tmp_path)
    target = tmp_path / f"{bad.stem}.批注.xlsx"
    run = check([bad], "--annotate", subprocess_cwd=tmp_path)  # --annotate alone, last
    assert run.code == 1
    assert target.is_file()
    assert str(target) in run.stdout + run.stderr
    openpyxl.load_workbook(target)

    # an earlier marked copy: refused without --force, replaced with it
    before = sha(target)
    run = check([bad], "--annotate", "--format", "json", subprocess_cwd=tmp_path)
    assert run.code == 2 and run.stdout == "" and sha(target) == before
    run = check([bad], "--annotate", "--force", "--format", "json", subprocess_cwd=tmp_path)
    assert run.code == 1
    assert run.results()[0]["status"] == "errors"
    assert openpyxl.load_workbook(target).sheetnames[0] == LIST_SHEET

    # a file that is not one of our copies is never replaced, not even with --force
    target.write_bytes(b"the user's own notes")
    for extra in ((), ("--force",)):
        run = check([bad], "--annotate", *extra, "--format", "json", subprocess_cwd=tmp_path)
        assert run.code == 2 and run.stdout == ""
        assert target.read_bytes() == b"the user's own notes"


def test_annotate_followed_by_a_return_does_not_swallow_it(tmp_path: Path) -> None:
    """`--annotate a.xlsx` where a.xlsx is a return (an existing file, not one of our
    copies): a copy may never be written over it, so it is one of the files to check, each
    marked beside itself (it was taken as the copy's name, or left `check` without files,
    in English), and it is left as it was, --force or not."""
    first, second = broken(tmp_path), copy(GOV_2021, tmp_path)
    before = sha(first)
    run = check([second], "--force", "--annotate", str(first), subprocess_cwd=tmp_path)
    assert run.code == 1 and sha(first) == before, run.stderr
    assert (tmp_path / f"{first.stem}.批注.xlsx").is_file()
    alone = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", "--annotate", first.name, "--force"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert alone.returncode == 1 and "Missing argument" not in alone.stderr, alone.stderr
    # run again naming the copy written before: it is the copy to replace, not a return
    again = check([second], "--annotate", str(tmp_path / f"{first.stem}.批注.xlsx"), "--force")
    assert again.code == 0 and not (tmp_path / f"{first.stem}.批注.批注.xlsx").exists()


def test_annotate_never_writes_over_an_input_even_with_force(tmp_path: Path) -> None:
    bad = broken(tmp_path)
    assert check([bad], "--annotate", str(bad), "--force").code == 2
    # The default name of one input is another input.
    second = copy(bad, tmp_path, f"{bad.stem}.批注.xlsx")
    run = check([bad, second], "--annotate", "--force", subprocess_cwd=tmp_path)
    assert run.code == 2
    assert sha(second) == sha(bad)


@pytest.mark.parametrize("name", ["副本.ods", "副本.csv", "副本"])
def test_annotate_refuses_a_name_that_is_no_xlsx(tmp_path: Path, name: str) -> None:
    """The marked copy is an .xlsx: written under .ods, .csv or no suffix it would not open
    as what its name says (Excel warns, LibreOffice misreads)."""
    bad = broken(tmp_path)
    run = check([bad], "--annotate", str(tmp_path / name))
    assert run.code == 2 and "只能保存为 .xlsx" in run.stderr, run.stderr
    assert not (tmp_path / name).exists()


def test_annotate_writes_to_a_given_file_and_to_a_folder(tmp_path: Path) -> None:
    bad, good = broken(tmp_path), copy(GOV_2021, tmp_path)
    out = tmp_path / "批注" / "out.xlsx"
    out.parent.mkdir()
    assert check([bad], "--annotate", str(out)).code == 1
    assert out.is_file() and not (tmp_path / f"{bad.stem}.批注.xlsx").exists()
    folder = tmp_path / "全部批注"
    folder.mkdir()
    assert check([bad, good], "--annotate", str(folder)).code == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{p.stem}.批注.xlsx" for p in (bad, good)
    )


def list_rows(path: Path) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(path)[LIST_SHEET]
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]


def test_annotated_copy_lists_marks_and_keeps_everything(tmp_path: Path) -> None:
    # Errors and a warning, on two sheets.
    source = edited(GOV_2021, tmp_path / "源.xlsx", {NEW_NATURAL: 15})
    source = edited(source, source, {"applications.new.business": "3"}, as_text=True)
    out = tmp_path / "out.xlsx"
    run = check([source], "--format", "json", "--annotate", str(out))
    assert run.code == 1
    findings = run.results()[0]["findings"]
    assert {f["severity"] for f in findings} == {"error", "warning"}

    annotated = openpyxl.load_workbook(out)
    assert annotated.sheetnames[0] == LIST_SHEET
    listed = list_rows(out)
    assert len(listed) == len(findings)
    for row, finding in zip(listed, findings, strict=True):
        assert finding["rule"] in row
        assert (finding["sheet"] or "") in row and (finding["cell"] or "") in row
        assert finding["message"] in row

    for finding in findings:
        if finding["sheet"] and finding["cell"]:
            cell = annotated[finding["sheet"]][finding["cell"]]
            assert cell.comment is not None and finding["message"] in cell.comment.text
            assert cell.fill.fill_type == "solid"

    original = openpyxl.load_workbook(source)
    assert annotated.sheetnames[1:] == original.sheetnames
    for sheet in original.worksheets:
        copied = annotated[sheet.title]
        for row in sheet.iter_rows():
            for cell in row:
                mirror = copied[cell.coordinate]
                assert (mirror.value, mirror.data_type) == (cell.value, cell.data_type), (
                    sheet.title,
                    cell.coordinate,
                )
    fields, _ = read_map(source)
    sheet, ref = fields[NEW_TOTAL]
    assert str(annotated[sheet][ref].value).startswith("=SUM(")  # formulas kept


def test_a_marked_copy_sent_back_is_marked_afresh(tmp_path: Path) -> None:
    """A unit corrects one of two mistakes in the marked copy it was mailed and sends it
    back: marked again, it has one 问题清单 (the new one) and no mark on the cell it put
    right, only on the one still wrong."""
    source = edited(GOV_2021, tmp_path / "源.xlsx", {NEW_NATURAL: 15, "review.appeal.upheld": -1})
    first = tmp_path / "源.批注.xlsx"
    assert check([source], "--annotate", str(first)).code == 1
    fields, _ = read_map(source)
    corrected = edited(first, tmp_path / "改正后.xlsx", {"review.appeal.upheld": 1})
    second = tmp_path / "再批注.xlsx"
    run = check([corrected], "--format", "json", "--annotate", str(second))
    [result] = run.results()
    marked = openpyxl.load_workbook(second)
    assert [n for n in marked.sheetnames if n.startswith(LIST_SHEET)] == [LIST_SHEET]
    assert len(list_rows(second)) == len(result["findings"])
    sheet, ref = fields["review.appeal.upheld"]
    assert marked[sheet][ref].comment is None and marked[sheet][ref].fill.fill_type is None
    wrong = {(f["sheet"], f["cell"]) for f in result["findings"] if f["cell"]}
    assert wrong and all(marked[s][c].comment is not None for s, c in wrong)


def test_cell_text_starting_with_equals_stays_text_in_the_annotated_copy(tmp_path: Path) -> None:
    source = edited(GOV_2021, tmp_path / "等号.xlsx", {NEW_NATURAL: "=1+1"}, as_text=True)
    out = tmp_path / "out.xlsx"
    run = check([source], "--format", "json", "--annotate", str(out))
    assert run.code == 1
    n1 = [f for f in run.results()[0]["findings"] if f["rule"] == "N1"]
    assert len(n1) == 1 and "=1+1" in n1[0]["message"]

    sheet = openpyxl.load_workbook(out)[LIST_SHEET]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    quoting = [c for c in cells if isinstance(c.value, str) and "=1+1" in c.value]
    assert quoting and all(c.data_type == "s" for c in quoting)
    assert "<f>" not in sheet_xml(out, LIST_SHEET) and "<f " not in sheet_xml(out, LIST_SHEET)
    # The user's own text cell stays text too.
    fields, _ = read_map(source)
    data_sheet, ref = fields[NEW_NATURAL]
    xml = sheet_xml(out, data_sheet)
    cell_xml = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)
    assert cell_xml is not None and "<f" not in cell_xml.group(0)


def test_in_english_a_finding_names_its_table_and_sheet_in_english(tmp_path: Path) -> None:
    """--lang en: where a finding is placed reads in English too (the forms translate their
    tables' names), beside the sheet tab as the file names it; each sentence ends as one."""
    bad = edited(GOV_2021, tmp_path / "x.xlsx", {NEW_NATURAL: 15, "meta.unit": None})
    run = check([bad], "--lang", "en")
    lines = [x.strip() for x in run.stdout.splitlines() if x.strip().startswith("error")]
    assert any("封面 (Report details) B" in x and x.endswith("must be filled in.") for x in lines)
    assert any("申请情况 (Applications table) D33" in x for x in lines)


def test_a_long_sum_quotes_its_labels_briefly(tmp_path: Path) -> None:
    """A2 sums a column's twenty outcomes: the message quotes the non-zero ones by their
    labels without the notes the official labels end with, and cut short."""
    bad = edited(GOV_2021, tmp_path / "x.xlsx", {"applications.handled_total.natural": 99})
    run = check([bad], "--format", "json")
    [a2] = [f for f in run.results()[0]["findings"] if f["rule"] == "A2"]
    assert "（二）部分公开 2 +" in a2["message"]  # its note （区分处理的，…） left out
    assert "区分处理的" not in a2["message"]


def test_a_year_missing_and_a_year_to_come_are_told_apart(tmp_path: Path) -> None:
    """M1 over the report year: one sentence for a year not given as one, another for a
    year later than this one (a typo of the unit, or the wrong year's form)."""
    import datetime as dt

    later = edited(GOV_2021, tmp_path / "later.xlsx", {"meta.year": dt.date.today().year + 1})
    text = edited(GOV_2021, tmp_path / "text.xlsx", {"meta.year": "今年"})
    [found_later], [found_text] = (
        [f["message"] for f in r["findings"] if f["rule"] == "M1"]
        for r in check([later, text], "--format", "json").results()
    )
    assert "晚于今年" in found_later and "四位数" not in found_later
    assert "四位数" in found_text and "晚于今年" not in found_text


def test_a_habit_warned_of_at_many_cells_is_said_at_a_few_and_counted(tmp_path: Path) -> None:
    """Seven figures typed as text (W5 at seven cells): the text report says the first three
    and counts the other four on one line naming their cells; JSON keeps all seven."""
    [values] = [r["values"] for r in check([GOV_2021], "--format", "json").results()]
    rows = ("new", "carried_in", "granted", "partial", "unable_1", "other_1", "carried_out")
    keys = [f"applications.{row}.natural" for row in rows]
    typed = {key: str(int(values[key] or 0)) for key in keys}
    source = edited(GOV_2021, tmp_path / "文字.xlsx", typed, as_text=True)
    [result] = check([source], "--format", "json").results()
    cells = [f["cell"] for f in result["findings"] if f["rule"] == "W5"]
    assert len(cells) == 7 and result["status"] == "warnings"
    lines = [line for line in check([source]).stdout.splitlines() if "W5" in line]
    assert len(lines) == 4
    assert all(cell in line for cell, line in zip(cells[:3], lines, strict=False))
    assert "另有 4 处同类" in lines[3] and "、".join(cells[3:]) in lines[3]


def test_two_returns_of_one_name_get_a_marked_copy_each(tmp_path: Path) -> None:
    """兰江.xlsx and 兰江.xlsm checked together would both be 兰江.批注.xlsx (the run
    stopped, blaming letter case): each copy keeps its file's own suffix."""
    first = copy(broken(tmp_path), tmp_path, "兰江.xlsx")
    second = copy(first, tmp_path, "兰江.xlsm")
    run = check([first, second], "--annotate", subprocess_cwd=tmp_path)
    assert run.code == 1, run.stderr
    assert (tmp_path / "兰江.xlsx.批注.xlsx").is_file() and (
        tmp_path / "兰江.xlsm.批注.xlsx"
    ).is_file()


def test_returns_of_one_name_from_several_folders_are_marked_into_one(tmp_path: Path) -> None:
    """Every unit sends 年报.xlsx: marked into one folder, each gets its copy, numbered in
    the order given (the run stopped before checking anything, blaming letter case)."""
    inputs = []
    for unit in ("甲", "乙", "丙"):
        (tmp_path / unit).mkdir()
        inputs.append(copy(broken(tmp_path), tmp_path / unit, "年报.xlsx"))
    out = tmp_path / "批注"
    out.mkdir()
    run = check(inputs, "--annotate", str(out), subprocess_cwd=tmp_path)
    assert run.code == 1, run.stderr
    made = ["年报.xlsx.批注.xlsx", "年报(2).xlsx.批注.xlsx", "年报(3).xlsx.批注.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == sorted(made)
    assert all(str(out / name) in run.stderr + run.stdout for name in made)


def test_a_lock_file_taken_in_by_a_glob_is_skipped_and_said(tmp_path: Path) -> None:
    """收件箱/*.xlsx takes in ~$年报.xlsx while 年报.xlsx is open in Excel: it is said and
    skipped (it was F1 "not an Excel file, ask the unit to send it again", exit 2)."""
    report = copy(EXAMPLES / "凤山街道2025年报.xlsx", tmp_path, "年报.xlsx")
    lock = tmp_path / "~$年报.xlsx"
    lock.write_bytes(b"\x08zhangsan" + b"\x00" * 150)

    def toolkit(*args: Path | str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "toolkit", "check", *map(str, args)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    run = toolkit(lock, report, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert [Path(r["file"]).name for r in json.loads(run.stdout)["results"]] == ["年报.xlsx"]
    assert "~$年报.xlsx" in run.stderr
    alone = toolkit(lock)
    assert alone.returncode == 2 and "~$" in alone.stderr and "Traceback" not in alone.stderr


def test_a_blank_cell_a_rule_reads_is_given_as_null_not_as_zero(tmp_path: Path) -> None:
    """报告年度 left blank fails M1: its `actual` is null (the cell holds nothing), not the 0
    a blank adds to a sum."""
    path = edited(GOV_2021, tmp_path / "r.xlsx", {"meta.year": None})
    [result] = check([path], "--format", "json").results()
    [m1] = [f for f in result["findings"] if f["rule"] == "M1"]
    assert m1["fields"] == ["meta.year"] and m1["actual"] is None


def test_a_sum_of_money_is_shown_with_every_digit_typed(tmp_path: Path) -> None:
    """1.2345678 万元 breaks N1 by its seventh decimal: the message shows all of them (six
    significant digits showed 1.23457, hiding the fault)."""
    path = edited(GOV_2021, tmp_path / "r.xlsx", {"active.fees.amount": 1.2345678})
    [result] = check([path], "--format", "json").results()
    [n1] = [f for f in result["findings"] if f["rule"] == "N1"]
    assert n1["fields"] == ["active.fees.amount"] and "「1.2345678」" in n1["message"]


def test_a_file_given_twice_is_checked_once(tmp_path: Path) -> None:
    """`check a.xlsx --annotate a.xlsx` (the copy's name meant to be the file's own: it is
    never written over) and overlapping globs name a file twice: one result, one copy."""
    path = broken(tmp_path, "a.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(path), "--annotate", str(path)],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("a.xlsx（gov-2021") == 1, done.stdout
    assert done.stdout.count("已写出批注副本") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "a.批注.xlsx"]


def test_a_habit_counted_over_several_sheets_names_each_cells_sheet(tmp_path: Path) -> None:
    """Figures typed as text on 申请情况 and on 主动公开: the line counting the rest names
    the cells under their sheet (J12 of which sheet?)."""
    [values] = [r["values"] for r in check([GOV_2021], "--format", "json").results()]
    keys = [f"applications.{row}.natural" for row in ("new", "carried_in", "granted", "partial")]
    keys += [f"active.{doc}.issued" for doc in ("regs", "normative")]
    keys += ["active.regs.in_force", "active.normative.in_force"]
    typed = {key: str(int(values[key] or 0)) for key in keys}
    source = edited(GOV_2021, tmp_path / "文字.xlsx", typed, as_text=True)
    [result] = check([source], "--format", "json").results()
    w5 = [f for f in result["findings"] if f["rule"] == "W5"]
    rest = w5[3:]
    assert len({f["sheet"] for f in rest}) == 2, rest
    [line] = [line for line in check([source]).stdout.splitlines() if "处同类" in line]
    for sheet in {f["sheet"] for f in rest}:
        cells = "、".join(f["cell"] for f in rest if f["sheet"] == sheet)
        assert f"“{sheet}”{cells}" in line, line


def test_a_form_forced_on_a_return_of_the_other_format_is_said_first(tmp_path: Path) -> None:
    """`--form gov-2019` on a 2021-format return reads it as asked, but says first that it
    looks like the 2021 format (its findings may be false); the right form says nothing."""
    wrong = check([GOV_2021], "--form", "gov-2019").stdout.splitlines()
    assert wrong[1].startswith(
        "  说明：按指定的 --form 以“政府信息公开工作年度报告（2019年试行格式）”读取"
    )
    assert "更像“政府信息公开工作年度报告（2021年起格式）”" in wrong[1]
    right = check([GOV_2021], "--form", "gov-2021").stdout
    assert "--form" not in right and "未发现问题" in right


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (1.2345678, "1.2345678"),
        (0.1 + 0.2, "0.3"),
        (abs(100.3 - 100), "0.3"),  # a difference's noise past the digits typed
        (abs(1.2345678 - 1.234567), "0.0000008"),
        (1e-6, "0.000001"),
        (1e-300, "0"),
        (7.0, "7"),
        (-2.5, "-2.5"),
    ],
)
def test_numbers_in_messages_keep_the_digits_typed_and_no_more(number: float, shown: str) -> None:
    from toolkit.check.explain import number_text

    assert number_text(number) == shown
