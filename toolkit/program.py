"""The `toolkit` program: the process around the command line.

A run is short, and most of what it allocates lives until it ends: modules, form specs,
the returns read. With the collector's default thresholds it walks all of that again and
again while modules load and results arrive (0.3 s of CPU over the processes of a
1,000-return summary). A first generation of 100,000 objects makes those walks rare;
cyclic garbage is still collected.
"""

from __future__ import annotations

import gc
import os
import sys

GC_THRESHOLDS = (100_000, 20, 20)  # the defaults are (700, 10, 10)


def run() -> None:
    """``toolkit``: the command line's ``main``, then the process ends without tearing down
    what it built object by object (everything is written and closed by then; at 1,000
    returns the teardown alone took 60 ms)."""
    gc.set_threshold(*GC_THRESHOLDS)
    from toolkit.cli import main  # after the thresholds: its imports are most of start-up

    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as the interpreter would report it
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        code = code or 2
    os._exit(code or 0)
