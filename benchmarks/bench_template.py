"""How fast templates are written: one form, and a roster of N units.

    python benchmarks/bench_template.py            # N = 10, 100
    python benchmarks/bench_template.py 10 100 1000

Prints seconds per template and templates per second for each form and each N, the cost of
loading a spec, the time one LibreOffice process takes to recalculate the largest roster's
templates (when soffice is installed), and the vectorised rule check over 10,000 returns.
Nothing is asserted: speed targets live here, not in timed tests.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from tests.libreoffice import find_soffice, recalculate
from toolkit.forms.pandas_rules import RuleFrame, evaluate
from toolkit.forms.registry import load_form
from toolkit.template.make import make_roster_templates, make_template

YEARS = {"gov-2021": 2025, "gov-2019": 2020, "supp-stats": 2025}


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for form, year in YEARS.items():
            started = time.perf_counter()
            spec = load_form(form)
            load = time.perf_counter() - started
            started = time.perf_counter()
            make_template(spec, folder / f"{form}.xlsx", year)
            single = time.perf_counter() - started
            print(f"{form:<11} load spec {load * 1000:7.1f} ms   one template {single:6.3f} s")
        spec = load_form("gov-2021")
        for n in sizes:
            roster = folder / f"roster-{n}.csv"
            with roster.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["单位名称"])
                writer.writerows([[f"测试单位{i:05d}"] for i in range(n)])
            out = folder / f"out-{n}"
            started = time.perf_counter()
            made = make_roster_templates(spec, roster, out, 2025)
            took = time.perf_counter() - started
            print(
                f"roster N={n:<6} {took:8.2f} s   {took / len(made):6.3f} s/template   "
                f"{len(made) / took:6.1f} templates/s"
            )
        if find_soffice():
            paths = [m.path for m in made]
            started = time.perf_counter()
            recalculate(paths, folder / "recalc")
            took = time.perf_counter() - started
            print(
                f"LibreOffice, one process, {len(paths)} templates: {took:.2f} s "
                f"({took / len(paths) * 1000:.0f} ms/file)"
            )
        rng = np.random.default_rng(1)
        values = pd.DataFrame(
            {k: rng.integers(0, 20, 10_000).astype(float) for k in spec.numeric_keys}
        ).astype(object)
        values["meta.unit"] = "测试单位"
        started = time.perf_counter()
        evaluate(spec, RuleFrame(values))
        took = time.perf_counter() - started
        print(f"all {len(spec.rules)} gov-2021 rule instances over 10,000 returns: {took:.2f} s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 100])
