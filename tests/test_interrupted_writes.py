"""Interrupted writes (issue 6): a summary or a marked copy whose writing fails halfway, or
whose process is killed at any moment, leaves the previous output intact or a complete new
one under the final name, never a half-written workbook; outputs that would overwrite an
input, or an existing file without --force, are refused before any work."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "凤山街道2025年报.xlsx"
HAND = ROOT / "examples" / "兰江街道2020年报（手工表格）.xlsx"
SHEETS = ["总览", "报送情况", "问题清单", "汇总表", "图表", "明细"]


def inbox_of(folder: Path, count: int) -> Path:
    inbox = folder / "收件箱"
    inbox.mkdir()
    for i in range(count):
        shutil.copy(GOOD if i % 2 else HAND, inbox / f"单位{i:03d}.xlsx")
    return inbox


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def complete_summary(path: Path) -> bool:
    """A whole summary workbook: a sound zip whose sheets all read."""
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.testzip() is not None:
                return False
        workbook = CalamineWorkbook.from_path(str(path))
        for name in SHEETS:
            workbook.get_sheet_by_name(name).to_python()
        return workbook.sheet_names == SHEETS
    except Exception:
        return False


def test_a_summary_whose_writer_fails_halfway_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = inbox_of(tmp_path, 4)
    out = tmp_path / "汇总.xlsx"
    first = CliRunner().invoke(app, ["summary", str(inbox), "-o", str(out)])
    assert first.exit_code in (0, 1) and complete_summary(out), first.output
    before = digest(out)

    def fail_halfway(self: xlsxwriter.Workbook) -> None:
        Path(self.filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", fail_halfway)
    second = CliRunner().invoke(app, ["summary", str(inbox), "-o", str(out), "--force"])
    assert second.exit_code == 2 and "Traceback" not in second.output
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["收件箱", "汇总.xlsx"]  # no temp left


def test_killed_at_any_moment_the_summary_is_the_old_one_or_a_whole_new_one(
    tmp_path: Path,
) -> None:
    inbox = inbox_of(tmp_path, 40)
    out = tmp_path / "汇总.xlsx"
    command = [sys.executable, "-m", "toolkit", "summary", str(inbox), "-o", str(out)]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, timeout=300)
    whole_run = time.perf_counter() - started
    assert complete_summary(out)
    before = digest(out)
    outcomes = set()
    for i in range(8):  # kills spread over the run, the write at its end included
        process = subprocess.Popen(
            [*command, "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(whole_run * (0.2 + i * 0.12))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert complete_summary(out), i
        outcomes.add("old" if digest(out) == before else "new")
        for leftover in tmp_path.glob(".toolkit-*"):
            leftover.unlink()  # a killed process cannot remove its temp file; it is hidden
    assert "old" in outcomes  # at least one kill landed before the replace
    assert sorted(p.name for p in inbox.iterdir()) == [f"单位{i:03d}.xlsx" for i in range(40)]


def test_an_output_over_an_input_or_an_existing_file_is_refused_before_any_work(
    tmp_path: Path,
) -> None:
    inbox = inbox_of(tmp_path, 2)
    victim = inbox / "单位000.xlsx"
    before = digest(victim)
    run = CliRunner().invoke(app, ["summary", str(inbox), "-o", str(victim), "--force"])
    assert run.exit_code == 2 and digest(victim) == before
    existing = tmp_path / "已有.xlsx"
    existing.write_bytes(b"keep me")
    run = CliRunner().invoke(app, ["summary", str(inbox), "-o", str(existing)])
    assert run.exit_code == 2 and existing.read_bytes() == b"keep me"
    run = CliRunner().invoke(app, ["check", str(victim), "--annotate", str(victim)])
    assert run.exit_code == 2 and digest(victim) == before


_CTRL_C_WHILE_DRAFTING = """
import os, signal, sys, time
import toolkit.summary.replies as replies

def interrupted(self, index):  # a draft being written when the user presses Ctrl-C
    if index == 0:
        os.killpg(0, signal.SIGINT)  # the terminal signals the whole process group
    time.sleep(5)

replies._Job.write = interrupted
sys.argv = ["toolkit", *sys.argv[1:]]
from toolkit.cli import main
main()
"""


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_ctrl_c_while_drafts_are_written_is_said_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the group: the workers writing drafts leave it to
    the command, which says what was and was not written (workers printed tracebacks)."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n甲街道\n乙街道\n丙街道\n", encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            _CTRL_C_WHILE_DRAFTING,
            "summary",
            str(inbox),
            "-r",
            str(roster),
            "--replies",
            str(tmp_path / "回复"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
        cwd=ROOT,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert "已中断" in run.stderr and "--force" in run.stderr
