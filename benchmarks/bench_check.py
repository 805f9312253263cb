"""How fast `toolkit check` answers: the shipped example, and N returns in one call.

    python benchmarks/bench_check.py            # N = 100
    python benchmarks/bench_check.py 100 1000

Prints wall-clock seconds of the command as a user runs it (start-up included), the
start-up alone, and per-file figures for N filled templates (read by their map) and N
hand-laid workbooks (the same tables without our map: found by their labels), with the
ratio to the target of one second per file. Nothing is asserted.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import openpyxl

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook
from toolkit.forms.registry import load_form
from toolkit.template.writer import META_SHEET

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "兰江街道2020年报.xlsx"
TARGET_PER_FILE = 1.0  # seconds: "well under a second per file after start-up"


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def _timed_python(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def best(*args: str, runs: int = 3) -> float:
    return min(timed(*args) for _ in range(runs))


def make_returns(folder: Path, n: int) -> tuple[list[str], list[str]]:
    spec = load_form("gov-2021")
    template = folder / "template.xlsx"
    build_template(spec, template, unit="测试街道", year=2025)
    mapped, laid = [], []
    for i in range(n):
        path = folder / f"mapped-{i:05d}.xlsx"
        fill_workbook(template, path, consistent_fill(spec, np.random.default_rng(i)))
        mapped.append(str(path))
        workbook = openpyxl.load_workbook(path)
        del workbook[META_SHEET]  # without our map: read by labels like a hand-made file
        hand = folder / f"hand-{i:05d}.xlsx"
        workbook.save(hand)
        laid.append(str(hand))
    return mapped, laid


def main(sizes: list[int]) -> None:
    startup = best("--help")
    imports = min(_timed_python("import toolkit.check.run, pandera.pandas") for _ in range(3))
    example = best("check", str(EXAMPLE))
    print(f"start-up (toolkit --help)            {startup:6.2f} s")
    print(f"python + imports of check (pandera)  {imports:6.2f} s")
    print(
        f"check shipped example, whole command {example:6.2f} s   (after start-up "
        f"{example - startup:5.2f} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            mapped, laid = make_returns(Path(tmp), n)
            for label, paths in (("template returns", mapped), ("hand-laid returns", laid)):
                took = timed("check", "--format", "json", *paths)
                per_file = (took - startup) / n
                print(
                    f"check {n:>5} {label:<18} {took:7.2f} s   {per_file * 1000:7.1f} ms/file   "
                    f"{per_file / TARGET_PER_FILE:5.3f} of the 1 s/file target"
                )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100])
