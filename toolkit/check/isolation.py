"""Read mailed files in a child process, so that one file can never take the run down.

python-calamine allocates a sheet's whole rectangle natively: one stray value in cell
XFD1048576 asks for half a terabyte and aborts the process, with no exception to catch
(PITFALLS). A crafted file may also make a reader spin. Each file is therefore read by a
worker process under a memory ceiling and a time limit; when the worker dies or runs out
of time, that file is reported unreadable (F1), a fresh worker is started, and the run goes
on with the next file.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from toolkit.check.result import CheckFinding, FileResult
from toolkit.forms.model import FormSpec
from toolkit.messages import current_language, render, set_language

DEFAULT_TIMEOUT = float(os.environ.get("TOOLKIT_READ_TIMEOUT", "120"))
MEMORY_HEADROOM = 3 * 2**30  # bytes a worker may add to what it starts with


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            line = next(x for x in status if x.startswith("VmSize:"))
        current = int(line.split()[1]) * 1024
        limit = current + MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, StopIteration, ValueError):
        pass  # no /proc or no rlimit (macOS, Windows): the process boundary still protects


def _serve(conn: Connection, forms: list[FormSpec], form: FormSpec | None, lang: str) -> None:
    from toolkit.check.run import read_file

    set_language(lang)
    _limit_memory()
    if not os.environ.get("TOOLKIT_DEBUG"):
        # a native reader that aborts prints its own backtrace: the user gets our F1 instead
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    try:
        while True:
            name = conn.recv()
            if name is None:
                return
            conn.send(read_file(name, forms, form))
    except (EOFError, KeyboardInterrupt):
        return


class IsolatedReader:
    """``read(name)`` gives the FileResult of one file, read in a worker process."""

    def __init__(
        self, forms: list[FormSpec], form: FormSpec | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.forms = forms
        self.form = form
        self.timeout = timeout
        methods = multiprocessing.get_all_start_methods()
        # fork: the worker starts with everything already imported (~ms, not ~1 s)
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.process: Any = None
        self.conn: Connection | None = None

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> Connection:
        parent, child = self.context.Pipe()
        self.process = self.context.Process(
            target=_serve,
            args=(child, self.forms, self.form, current_language()),
            daemon=True,
        )
        self.process.start()
        child.close()
        self.conn = parent
        return parent

    def _stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        if self.process is not None:
            self.process.join(5)
        self._stop()

    def read(self, name: str) -> FileResult:
        from toolkit.check.run import sha256_of

        conn = self.conn or self._start()
        problem = "read.reader_crashed"
        try:
            conn.send(name)
            if conn.poll(self.timeout):
                return conn.recv()
            problem = "read.timeout"
        except (EOFError, OSError):
            pass
        self._stop()
        path = Path(name)
        result = FileResult(name, sha256_of(path) if path.is_file() else None, unreadable=True)
        message = render(problem, path=name, seconds=int(self.timeout))
        result.findings.append(CheckFinding("F1", "error", message))
        return result
