"""The limits on what one file may make the reader do: defaults no real return comes near,
each settable by an environment variable, a wrong setting a usage error (exit 2) naming it,
and a file over a limit an F1 that says which limit and how to raise it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.errors import UserError
from toolkit.limits import MB, SETTINGS, Limits, from_environment

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "凤山街道2025年报.xlsx"


def toolkit(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **environment},
    )


def test_defaults_are_far_above_a_real_return() -> None:
    limits = from_environment({})
    assert limits == Limits()
    assert GOOD.stat().st_size * 100 < limits.file_bytes
    assert limits.sheet_cells >= 1_000_000 and limits.seconds_per_file >= 60


def test_every_setting_is_read_in_its_unit() -> None:
    limits = from_environment(
        {
            "TOOLKIT_MAX_FILE_MB": "2",
            "TOOLKIT_MAX_UNZIPPED_MB": "0.5",
            "TOOLKIT_MAX_SHEET_CELLS": "5000",
            "TOOLKIT_READ_TIMEOUT": "7.5",
            "TOOLKIT_MAX_ZIP_ENTRIES": " 30 ",
        }
    )
    assert limits.file_bytes == 2 * MB and limits.unzipped_bytes == MB // 2
    assert limits.sheet_cells == 5000 and limits.seconds_per_file == 7.5
    assert limits.zip_entries == 30
    assert set(SETTINGS) >= {"TOOLKIT_MAX_FILE_MB", "TOOLKIT_READ_TIMEOUT"}


@pytest.mark.parametrize("value", ["abc", "0", "-3", "inf", "nan"])
def test_a_wrong_setting_is_a_usage_error_naming_it(value: str) -> None:
    with pytest.raises(UserError) as raised:
        from_environment({"TOOLKIT_MAX_SHEET_CELLS": value})
    assert "TOOLKIT_MAX_SHEET_CELLS" in raised.value.render()


def test_through_the_command_a_wrong_setting_stops_before_any_work() -> None:
    done = toolkit("check", str(GOOD), TOOLKIT_READ_TIMEOUT="soon")
    assert done.returncode == 2
    assert "TOOLKIT_READ_TIMEOUT" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TOOLKIT_MAX_FILE_MB", "0.01", "TOOLKIT_MAX_FILE_MB"),
        ("TOOLKIT_MAX_UNZIPPED_MB", "0.05", "TOOLKIT_MAX_UNZIPPED_MB"),
        ("TOOLKIT_MAX_ZIP_ENTRIES", "3", "TOOLKIT_MAX_ZIP_ENTRIES"),
        ("TOOLKIT_READ_TIMEOUT", "0.0001", "TOOLKIT_READ_TIMEOUT"),
    ],
)
def test_a_file_over_a_limit_is_f1_saying_how_to_raise_it(
    variable: str, value: str, says: str
) -> None:
    done = toolkit("check", "--format", "json", str(GOOD), **{variable: value})
    assert done.returncode == 2, done.stderr
    [result] = json.loads(done.stdout)["results"]
    assert result["status"] == "unreadable"
    assert result["findings"][0]["rule"] == "F1" and says in result["findings"][0]["message"]


def test_a_sheet_over_the_cell_limit_is_refused_by_name(tmp_path: Path) -> None:
    hand = ROOT / "examples" / "兰江街道2020年报（手工表格）.xlsx"
    done = toolkit("check", "--format", "json", str(hand), TOOLKIT_MAX_SHEET_CELLS="100")
    [result] = json.loads(done.stdout)["results"]
    assert result["status"] == "unreadable"
    assert "TOOLKIT_MAX_SHEET_CELLS" in result["findings"][0]["message"]


def test_a_template_return_over_the_cell_limit_is_refused_too() -> None:
    done = toolkit("check", "--format", "json", str(GOOD), TOOLKIT_MAX_SHEET_CELLS="100")
    [result] = json.loads(done.stdout)["results"]
    assert result["status"] == "unreadable" and "封面" in result["findings"][0]["message"]


def test_a_value_longer_than_a_cell_holds_is_refused(tmp_path: Path) -> None:
    from tests.fuzzcorpus import entries, package

    parts = entries(GOOD.read_bytes())
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        "凤山街道办事处".encode(), ("凤山" + "街" * 40_000).encode()
    )
    path = tmp_path / "超长.xlsx"
    path.write_bytes(package(parts))
    done = toolkit("check", "--format", "json", str(path))
    [result] = json.loads(done.stdout)["results"]
    assert done.returncode == 2 and result["status"] == "unreadable"
    message = result["findings"][0]["message"]
    assert "40002" in message and "TOOLKIT_MAX_TEXT_CHARS" in message and "封面" in message
    done = toolkit("check", "--format", "json", str(path), TOOLKIT_MAX_TEXT_CHARS="50000")
    assert json.loads(done.stdout)["results"][0]["status"] != "unreadable"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TOOLKIT_READ_TIMEOUT", "99999999"),  # past what a wait takes: OverflowError
        ("TOOLKIT_MAX_WORKER_MEMORY_MB", "1e13"),  # past any rlimit: every file was F1
        ("TOOLKIT_MAX_FILE_MB", "1e300"),
    ],
)
def test_a_huge_setting_means_no_practical_limit(variable: str, value: str) -> None:
    done = toolkit("check", str(GOOD), "--format", "json", **{variable: value})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["status"] == "ok"
