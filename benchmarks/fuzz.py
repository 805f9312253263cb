"""The full fuzz run of issue 6: N broken, odd and hostile files through `toolkit check
--format json` (in batches) and `toolkit summary` (per folder of the corpus), with a table
of what happened per category.

    python benchmarks/fuzz.py              # 1,000 files
    python benchmarks/fuzz.py 10000        # the issue's run
    python benchmarks/fuzz.py 10000 --batch 500

Prints, per category: files tried, their statuses; then the exit codes of every call,
crashes (must be 0), the slowest call per file, the peak memory of any call, inputs
modified (must be 0), files written outside the outputs (must be 0), outputs holding the
file an external entity points at (must be 0), formulas written into the summary
workbooks (must be 0). Exits 1 when any of the must-be-0 figures is not.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzcorpus import CATEGORIES, EXPENSIVE, load_seeds, make_corpus
from tests.fuzzrun import (
    Tally,
    check_batch,
    check_one,
    digests,
    environment_note,
    leaks,
    stray_files,
    summary_run,
)

SECRET = b"FUZZ-SECRET-3e1b07"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="?", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=250, help="files per check call")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    per_category = max(1, options.files // len(CATEGORIES))
    with tempfile.TemporaryDirectory(prefix="toolkit-fuzz-") as tmp:
        root = Path(tmp)
        secret = root / "secret.txt"
        secret.write_bytes(SECRET)
        inbox = root / "inbox"
        started = time.perf_counter()
        # the costly ones (300 MB zip bombs, 100,000-row sheets, far cells) one in fifty
        corpus = make_corpus(
            inbox, load_seeds(secret), per_category, options.seed, max(2, per_category // 50)
        )
        made = time.perf_counter() - started
        print(f"{len(corpus)} files made in {made:.0f} s ({environment_note()})", flush=True)
        before = digests(inbox)
        existing = {p for p in root.rglob("*") if p.is_file()}
        tally = Tally()
        workbooks = [p for p in corpus if p.suffix != ".eml"]
        started = time.perf_counter()
        for at in range(0, len(workbooks), options.batch):
            check_batch(workbooks[at : at + options.batch], corpus, root, tally)
            print(
                f"  check: {min(at + options.batch, len(workbooks))}/{len(workbooks)}", flush=True
            )
        checked = time.perf_counter() - started
        # the costliest kinds (and a few of every other) also alone: per-file time and memory
        alone = [p for p in workbooks if corpus[p] in EXPENSIVE]
        alone += [p for p in workbooks if corpus[p] not in EXPENSIVE][
            :: max(1, len(workbooks) // 60)
        ]
        for path in alone:
            check_one(path, root, tally)
        out = root / "out"
        started = time.perf_counter()
        texts = []
        for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
            report = summary_run(folder, out / folder.name, root, tally, corpus)
            texts.append(str(report))
        summarised = time.perf_counter() - started
        tally.modified_inputs = [k for k, v in digests(inbox).items() if before.get(k) != v]
        tally.stray_outputs = stray_files(existing, root, [out])
        tally.leaks = leaks(out, SECRET, texts)
        print_table(tally, checked, summarised, len(workbooks), len(corpus))
    bad = (
        tally.crashes
        or tally.modified_inputs
        or tally.stray_outputs
        or tally.leaks
        or tally.formulas_written
    )
    return 1 if bad else 0


def print_table(
    tally: Tally, checked: float, summarised: float, workbooks: int, files: int
) -> None:
    print()
    columns = ("ok", "warnings", "errors", "unreadable")
    print("| category | files | ok | warnings | errors | unreadable | other |")
    print("|---|---|---|---|---|---|---|")
    for category in CATEGORIES:
        seen = tally.statuses.get(category, {})
        cells = " | ".join(str(seen.get(s, 0)) for s in columns)
        other = ", ".join(f"{k} {v}" for k, v in seen.items() if k not in columns) or ""
        print(f"| {category} | {tally.tried.get(category, 0)} | {cells} | {other} |")
    print("(workbooks through `check`; saved mails through `summary`, one line per attachment)")
    print()
    exits = ", ".join(f"{code}: {count}" for code, count in sorted(tally.exits.items()))
    print(
        f"check: {workbooks} workbooks in {checked:.0f} s; summary: {files} files in "
        f"{summarised:.0f} s (mails included)"
    )
    print(f"exit codes of all calls: {exits}")
    print(f"crashes: {len(tally.crashes)}")
    for line in tally.crashes[:20]:
        print(f"  {line}")
    print(f"slowest batch call, seconds per file: {tally.max_seconds_per_file:.2f}")
    if tally.single:
        worst = max(tally.single.items(), key=lambda item: item[1][0])
        hungriest = max(tally.single.items(), key=lambda item: item[1][1])
        print(
            f"files checked alone: {len(tally.single)}; slowest {worst[1][0]:.2f} s "
            f"({Path(worst[0]).name}, whole command); most memory {hungriest[1][1]:.0f} MB "
            f"({Path(hungriest[0]).name}, command and its readers)"
        )
    print(f"peak memory of any call: {tally.max_peak_mb:.0f} MB")
    print(f"inputs modified: {len(tally.modified_inputs)}")
    print(f"files written outside the outputs: {len(tally.stray_outputs)}")
    print(f"outputs holding the external entity's target: {len(tally.leaks)}")
    print(f"formulas written into summary workbooks: {len(tally.formulas_written)}")


if __name__ == "__main__":
    sys.exit(main())
