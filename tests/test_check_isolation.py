"""Files are read by worker processes (one per core): answers come back in the order
given; a file that kills its worker or takes too long is F1, and the others are read."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from toolkit.check.isolation import read_all
from toolkit.forms.registry import load_all

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "凤山街道2025年报.xlsx"
HAND = ROOT / "examples" / "兰江街道2020年报（手工表格）.xlsx"


def test_answers_in_order_with_a_crashing_file_among_them(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(GOOD)
    workbook.worksheets[0]["XFD1048576"] = "x"  # python-calamine aborts its process on it
    far = tmp_path / "far.xlsx"
    workbook.save(far)
    names = []
    for i in range(6):
        source = HAND if i % 2 else GOOD
        names.append(str(shutil.copy(source, tmp_path / f"{i}{source.suffix}")))
    names.insert(3, str(far))
    forms, _ = load_all()
    seen: list[int] = []
    results = read_all(names, forms, workers=2, done=seen.append)
    assert [r.file for r in results] == names
    assert [r.unreadable for r in results] == [False, False, False, True, False, False, False]
    assert results[3].findings[0].rule == "F1"
    assert [r.read.primary.spec.id for r in results if r.read] == [
        "gov-2021",
        "gov-2019",
        "gov-2021",
        "gov-2019",
        "gov-2021",
        "gov-2019",
    ]
    assert seen == sorted(seen) and seen[-1] == len(names)


def test_a_file_that_takes_too_long_is_answered_f1_and_the_run_goes_on(tmp_path: Path) -> None:
    forms, _ = load_all()
    results = read_all([str(GOOD), str(HAND)], forms, workers=1, timeout=0.0001)
    assert all(r.unreadable and r.findings[0].rule == "F1" for r in results)
    assert "秒" in results[0].findings[0].message


def test_a_file_is_named_as_the_user_knows_it_even_when_its_reader_fails(tmp_path: Path) -> None:
    """An attachment is read from our copy; its result and message name the mail instead."""
    forms, _ = load_all()
    shown = ["收件箱/a.eml › 年报.xlsx", "收件箱/b.eml › 年报.xlsx"]
    slow = read_all([str(GOOD), str(HAND)], forms, workers=1, timeout=0.0001, shown=shown)
    broken = tmp_path / "m000001-000001.xlsx"
    broken.write_bytes(b"PK\x03\x04 cut short")
    [cut] = read_all([str(broken)], forms, workers=1, shown=["收件箱/c.eml › 表.xlsx"])
    for result, name in zip([*slow, cut], [*shown, "收件箱/c.eml › 表.xlsx"], strict=True):
        assert result.file == name and name in result.findings[0].message
        assert str(tmp_path) not in result.findings[0].message
    assert [r.why_unreadable for r in (*slow, cut)] == ["read.timeout"] * 2 + ["read.corrupt"]


def test_returns_of_one_template_share_one_cell_map(tmp_path: Path) -> None:
    names = [str(shutil.copy(GOOD, tmp_path / f"{i}.xlsx")) for i in range(3)]
    forms, _ = load_all()
    results = read_all(names, forms, workers=2)
    maps = [r.read.primary.cells for r in results]
    assert maps[0] == maps[1] == maps[2] and maps[0] is maps[1] is maps[2]


def test_every_field_key_of_every_result_is_held_once(tmp_path: Path) -> None:
    """Each result comes back unpickled with its own copy of every key; at 10,000 returns
    those copies were a fifth of the memory the summary used. A hand-made table has typed
    totals in some cells and formulas in others, so its sets are not empty."""
    names = [str(shutil.copy(HAND, tmp_path / f"{i}.xlsx")) for i in range(2)]
    forms, _ = load_all()
    first, second = read_all(names, forms, workers=2)
    keys = [
        [*part.values, *part.formulas | part.evaluated | part.errors, *prepared.values]
        for result in (first, second)
        for part, prepared in zip(result.read.parts, result.prepared, strict=True)
    ]
    assert len(keys[0]) > len(first.read.primary.values)  # the sets hold some keys
    held: dict[str, int] = {}
    for key in (k for group in keys for k in group):
        assert held.setdefault(key, id(key)) == id(key), key


def test_workers_start_before_the_validation_is_imported(tmp_path: Path) -> None:
    """The reading path needs neither pandas nor pandera: a fresh interpreter that reads a
    file through the workers has imported neither until the background task runs."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from toolkit.check.isolation import read_all\n"
        "from toolkit.forms.registry import load_all\n"
        "seen = {}\n"
        "def meanwhile():\n"
        "    seen['before'] = [m for m in ('pandas', 'pandera') if m in sys.modules]\n"
        "    import pandas\n"
        f"[r] = read_all([{str(GOOD)!r}], load_all()[0], workers=1, meanwhile=meanwhile)\n"
        "assert r.read is not None and not r.unreadable\n"
        "print(seen['before'], 'pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True"
