"""Fuzz `toolkit audit` with broken and hostile published reports (tests/fuzzdocs.py).

    python benchmarks/fuzz_audit.py              # 50 of each kind
    python benchmarks/fuzz_audit.py 200 --seed 3

One `toolkit audit DIR -o summary.xlsx --format json` per kind. Prints, per kind, how the
files came out, and in all: crashes (tracebacks, internal errors, exit codes other than
0/1/2, a file without its result), exit codes, the slowest call per file, peak memory,
inputs modified, outputs holding the secret an external entity points at, formulas written.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzdocs import CATEGORIES, make_corpus, make_seeds, run_audit
from tests.fuzzrun import Tally

SECRET = b"TOOLKIT-FUZZ-SECRET-0b5e"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("per_category", nargs="?", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        secret = root / "secret.txt"
        secret.write_bytes(SECRET)
        seeds = make_seeds(root, secret)
        corpus = make_corpus(root / "corpus", seeds, args.per_category, args.seed)
        tally = Tally()
        for folder in sorted({p.parent for p in corpus}):
            run_audit(folder, root / "out", corpus, SECRET, tally)
    print(f"{'kind':<26} {'files':>5}  outcomes")
    for name in CATEGORIES:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tally.statuses[name].items()))
        print(f"{name:<26} {tally.tried[name]:>5}  {outcomes}")
    print(f"files: {sum(tally.tried.values())}, in {time.perf_counter() - started:.0f} s")
    print(f"crashes: {len(tally.crashes)}", *tally.crashes[:20], sep="\n  ")
    print(f"exit codes: {dict(sorted(tally.exits.items()))}")
    print(f"slowest call per file: {tally.max_seconds_per_file:.2f} s")
    print(f"peak memory of a call: {tally.max_peak_mb:.0f} MB")
    print(f"inputs modified: {len(tally.modified_inputs)}")
    print(f"outputs holding the secret: {len(tally.leaks)}")
    print(f"formulas written: {len(tally.formulas_written)}")
    return 1 if tally.crashes or tally.leaks or tally.modified_inputs else 0


if __name__ == "__main__":
    raise SystemExit(main())
