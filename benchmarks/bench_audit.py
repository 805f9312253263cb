"""How fast `toolkit audit` reads a folder of published reports into findings and the summary
workbook, and how fast `toolkit report` publishes one.

    python benchmarks/bench_audit.py            # N = 50, 500
    python benchmarks/bench_audit.py 50 500

Builds 30 distinct published reports with `toolkit report`'s own library (gov-2021 returns,
a quarter with an error, each as .docx, .html and flattened text) and copies them into a
folder of N files. Prints per N: seconds and reports per second of `toolkit audit DIR -o
x.xlsx`, and its peak memory; once: the time of one `toolkit report` call (start-up
included).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook
from toolkit.check.pipeline import check_files
from toolkit.document.publish import write_report
from toolkit.document.report import build_report
from toolkit.forms.registry import load_all, load_form

DISTINCT = 30


def published(folder: Path) -> tuple[list[Path], Path]:
    spec = load_form("gov-2021")
    template = folder / "template.xlsx"
    build_template(spec, template, unit="测试街道办事处", year=2025)
    returns = []
    for i in range(DISTINCT // 3):
        values = consistent_fill(spec, np.random.default_rng(i))
        values["meta.unit"] = f"测试{i:02d}街道办事处"
        if i % 4 == 0:
            values["applications.new.total"] = 999  # an error
        path = folder / f"r{i:02d}.xlsx"
        fill_workbook(template, path, values)
        returns.append(str(path))
    made = []
    for result in check_files(returns, load_all()[0], isolate=False):
        built = build_report(result)
        stem = Path(result.file).stem
        for fmt in ("docx", "html"):
            target = folder / f"{stem}.{fmt}"
            write_report(built, target, fmt)
            made.append(target)
        text = folder / f"{stem}.txt"  # a page copied as text: one cell per line
        lines = []
        for block in built.document.blocks:
            if hasattr(block, "cells"):
                lines += [cell.text for cell in sorted(block.cells, key=lambda c: (c.row, c.col))]
            else:
                lines.append(block.text)
        text.write_text("\n".join(lines), encoding="utf-8")
        made.append(text)
    return made, Path(returns[0])


def run(*args: str) -> tuple[float, int]:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        sources, a_return = published(folder)
        seconds, _ = run("report", str(a_return), "-o", str(folder / "one.docx"))
        print(f"toolkit report (one .docx, start-up included): {seconds:.2f} s")
        for n in sizes:
            reports = folder / f"reports-{n}"
            reports.mkdir()
            for i in range(n):
                source = sources[i % len(sources)]
                shutil.copy(source, reports / f"{i:05d}{source.suffix}")
            seconds, peak = run("audit", str(reports), "-o", str(folder / f"audit-{n}.xlsx"))
            print(
                f"N={n:>6}: toolkit audit -o: {seconds:6.2f} s, {n / seconds:6.1f} reports/s, "
                f"peak RSS {peak / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 500])
