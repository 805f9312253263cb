"""The least time `toolkit summary` could take over N returns with the libraries it is built
on, whatever our own code does: the floor under issue 5's throughput targets.

    python benchmarks/bench_floor.py            # N = 1000
    python benchmarks/bench_floor.py 1000 3000

Uses bench_summary's inbox (40 distinct returns, every third laid out by hand, copied N
times). Each part is the library's own work alone, the median of 3 runs:

- start-up: a fresh interpreter importing the fixed stack (typer with its pydantic adapter,
  pandas, pandera, xlsxwriter, python-calamine, openpyxl);
- reading: a bare python-calamine read of every sheet of every file, split across one forked
  process per core (bench_summary's bare read is the same on one process);
- validation: every gov-2021 rule compiled and run by pandera over N filled returns, once;
- writing: xlsxwriter writing the 明细 sheet's numbers alone (each return's figures as
  counted: what it typed, and its totals).

Prints each part, their sum, and the time the targets allow: N / 300 files per second, and
2.5x the one-process bare read. What is left between the floor and a target is all the time
there is for everything else: finding tables by their labels, formulas, matching units,
findings, the other sheets, moving results between processes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
import xlsxwriter
from bench_summary import bare_calamine, inbox_of, variants

from tests.fills import consistent_fill
from toolkit.forms.model import Rule
from toolkit.forms.pandas_rules import RuleFrame
from toolkit.forms.registry import load_form
from toolkit.summary.consolidate import count_returns
from toolkit.validate.run import check_frame

RUNS = 3
STACK = "import typer._adapters, pandas, pandera.pandas, xlsxwriter, python_calamine, openpyxl"


def median_of(measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(RUNS))


def start_up() -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", STACK], check=True, env=env)
    return time.perf_counter() - started


def _read_share(files: list[Path]) -> float:
    return bare_calamine(files)


def reading(files: list[Path]) -> float:
    cores = os.cpu_count() or 1
    started = time.perf_counter()
    with get_context("fork").Pool(cores) as pool:
        pool.map(_read_share, [files[i::cores] for i in range(cores)])
    return time.perf_counter() - started


def filled_frame(n: int) -> tuple[RuleFrame, list[list[float]]]:
    """N filled returns as the frame validation stacks, and the numbers 明细 writes of each
    (its figures as counted: what it typed, and the totals)."""
    spec = load_form("gov-2021")
    rows = [consistent_fill(spec, np.random.default_rng(i % 40)) for i in range(n)]
    frame = pd.DataFrame(rows, columns=list(spec.fields))
    figures = count_returns(spec, rows).figures()
    numbers = [[v for v in row.values() if v is not None] for row in figures]
    return RuleFrame(frame), numbers


def holding_rules(frame: RuleFrame) -> list[Rule]:
    """The rules the filled returns satisfy: the run validates with them, and pandera has no
    failure to report (reporting failures is the toolkit's cost, not the floor's)."""
    spec = load_form("gov-2021")
    failing = {f.instance for f in check_frame(spec, RuleFrame(frame.values))}
    return [r for r in spec.rules if r.instance not in failing and not r.uses_last_year]


def validation(frame: RuleFrame, rules: list[Rule]) -> float:
    spec = load_form("gov-2021")
    started = time.perf_counter()
    found = check_frame(spec, RuleFrame(frame.values), rules)
    took = time.perf_counter() - started
    assert not found, "the floor's rules must all hold"
    return took


def writing(numbers: list[list[float]], folder: Path) -> float:
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(folder / "numbers.xlsx"))
    sheet = workbook.add_worksheet()
    for row, values in enumerate(numbers):
        for column, value in enumerate(values):
            sheet.write_number(row, column, value)
    workbook.close()
    return time.perf_counter() - started


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = variants(folder)
        boot = median_of(start_up)
        for n in sizes:
            inbox, _ = inbox_of(n, sources, folder)
            files = sorted(inbox.rglob("*.xlsx"))
            bare_calamine(files)  # the files into the page cache
            one_process = median_of(lambda files=files: bare_calamine(files))
            read = median_of(lambda files=files: reading(files))
            frame, numbers = filled_frame(n)
            rules = holding_rules(frame)
            validate = median_of(lambda frame=frame, rules=rules: validation(frame, rules))
            write = median_of(lambda numbers=numbers: writing(numbers, folder))
            a_row = sum(map(len, numbers)) / n
            floor = boot + read + validate + write
            for name, target in (
                ("300 files/s", n / 300),
                ("2.5x bare read", 2.5 * one_process),
            ):
                left = target - floor
                print(
                    f"N={n:<6} floor {floor:5.2f} s = start-up {boot:4.2f} + reading {read:4.2f} "
                    f"({os.cpu_count()} processes) + validation {validate:4.2f} ({len(rules)} "
                    f"rules) + writing {write:4.2f} ({a_row:.0f} numbers a row) | target "
                    f"{name}: {target:5.2f} s, "
                    f"left for all else {left:5.2f} s = {left / n * 1000:5.2f} ms a file"
                )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
