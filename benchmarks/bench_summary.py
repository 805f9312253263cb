"""How fast `toolkit summary` turns an inbox into the summary workbook.

    python benchmarks/bench_summary.py              # N = 100, 1000
    python benchmarks/bench_summary.py 100 1000 10000

Builds 40 distinct returns (filled templates, a quarter with an error, and hand-laid copies
without our map) and copies them into an inbox of N files. Prints, per N: files per second
of the whole command; a bare python-calamine read of every sheet of the same files and the
ratio to it; a plain openpyxl loop (load every workbook, read every cell) and the ratio;
the peak memory of the command; and the command's fixed cost: the same run over an inbox of
one of the returns, against the same roster (start-up, imports, roster, workbook), which no
reader can make up for. Targets (issue 5): >= 300 files/s at N = 1,000 on 2 cores, within
2.5x of the bare read, >= 10x faster than openpyxl, peak RSS < 1 GB at 10,000.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import openpyxl
from python_calamine import CalamineWorkbook

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook
from toolkit.forms.registry import load_form
from toolkit.template.writer import META_SHEET

DISTINCT = 40
RUNS = 3  # runs per N up to 1,000, the median reported (a shared machine is noisy)


def variants(folder: Path) -> list[Path]:
    spec = load_form("gov-2021")
    template = folder / "template.xlsx"
    build_template(spec, template, unit="测试街道", year=2025)
    made = []
    for i in range(DISTINCT):
        values = consistent_fill(spec, np.random.default_rng(i))
        if i % 4 == 0:
            values["applications.new.total"] = 999  # an error
        path = folder / f"v{i:03d}.xlsx"
        fill_workbook(template, path, values)
        if i % 3 == 0:  # laid out by hand: no map, found by labels
            workbook = openpyxl.load_workbook(path)
            del workbook[META_SHEET]
            workbook.save(path)
        made.append(path)
    return made


def inbox_of(n: int, sources: list[Path], folder: Path) -> tuple[Path, Path]:
    """N returns, each matched to its own roster unit by its file name (the copies all name
    the same unit inside), and a roster with a tenth more units than returns (missing)."""
    inbox = folder / f"inbox-{n}"
    for i in range(n):
        target = inbox / f"{i // 500:03d}" / f"单位{i:05d}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sources[i % len(sources)], target)
    roster = folder / f"roster-{n}.csv"
    units = "".join(f"单位{i:05d},,第{i % 7}组\n" for i in range(n + n // 10))
    roster.write_text("单位名称,邮箱,分组\n" + units, encoding="utf-8")
    return inbox, roster


def bare_calamine(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()
    return time.perf_counter() - started


def plain_openpyxl(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        workbook = openpyxl.load_workbook(path, data_only=True, read_only=True)
        for sheet in workbook.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
        workbook.close()
    return time.perf_counter() - started


def run_summary(inbox: Path, roster: Path, target: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in KB of the largest process) of one run of the
    command, as a user runs it: bytecode cached (a sandbox setting PYTHONDONTWRITEBYTECODE
    would make every run compile the toolkit again)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    target.unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "summary",
            str(inbox),
            "-r",
            str(roster),
            "-o",
            str(target),
            "--format",
            "json",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env=env,
    )
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, cpu, after.ru_maxrss


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = variants(folder)
        warm, warm_roster = inbox_of(20, sources, folder)
        run_summary(warm, warm_roster, folder / "warm.xlsx")  # bytecode and file caches
        for n in sizes:
            inbox, roster = inbox_of(n, sources, folder)
            files = sorted(inbox.rglob("*.xlsx"))
            runs = [
                run_summary(inbox, roster, folder / f"summary-{n}.xlsx")
                for _ in range(RUNS if n <= 1000 else 1)
            ]
            took, cpu, peak = sorted(runs)[len(runs) // 2]  # the median run
            alone = folder / f"one-{n}"
            alone.mkdir()
            shutil.copy(files[0], alone / files[0].name)
            one = folder / f"one-{n}.xlsx"
            fixed = sorted(run_summary(alone, roster, one)[0] for _ in range(3))
            bare = bare_calamine(files)
            sample = files[: min(len(files), 200)]
            plain = plain_openpyxl(sample) * len(files) / len(sample)
            print(
                f"N={n:<6} summary {took:7.2f} s  {n / took:6.1f} files/s (CPU {cpu:5.2f} s; "
                f"median of {len(runs)}) | bare calamine {bare:6.2f} s (summary "
                f"{took / bare:4.1f}x) | openpyxl ~{plain:7.2f} s ({plain / took:4.1f}x slower "
                f"than summary) | peak RSS {peak / 1024:6.0f} MB (largest process so far) | "
                f"fixed cost {fixed[1]:5.2f} s (one return, same roster; median of 3)"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
