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
import faulthandler
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from toolkit.check.result import CheckFinding, FileResult
from toolkit.forms.model import FormSpec
from toolkit.limits import current as current_limits
from toolkit.messages import current_language, render, set_language
from toolkit.read.sniff import DOCUMENT_SUFFIXES


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            line = next(x for x in status if x.startswith("VmSize:"))
        current = int(line.split()[1]) * 1024
        limit = current + current_limits().worker_memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, StopIteration, ValueError):
        pass  # no /proc or no rlimit (macOS, Windows): the process boundary still protects


TIMED_OUT = "read.timeout"  # what a worker sends for a file it took too long over


def _serve(
    conn: Connection,
    forms: list[FormSpec],
    form: FormSpec | None,
    lang: str,
    documents: bool = False,
    timeout: float | None = None,
) -> None:
    from toolkit.check.reading import read_file

    set_language(lang)
    _limit_memory()
    if not os.environ.get("TOOLKIT_DEBUG"):
        # a native reader that aborts prints its own backtrace (and faulthandler, if a test
        # runner enabled it, a Python one): the user gets our F1 instead
        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    try:
        while True:
            task = conn.recv()
            if task is None:
                return
            name, shown = task
            started = time.monotonic()
            result = read_file(name, forms, form, documents, shown)
            # a read longer than the limit is said so even when it ended before the parent
            # looked (busy importing, it may look late): the same file, the same answer
            late = timeout is not None and time.monotonic() - started > timeout
            conn.send(TIMED_OUT if late else result)
    except (EOFError, KeyboardInterrupt):
        return


class IsolatedReader:
    """One worker process: ``submit(name)`` hands it a file, whose FileResult arrives on the
    connection returned (``read_all`` drives several)."""

    def __init__(
        self,
        forms: list[FormSpec],
        form: FormSpec | None = None,
        timeout: float | None = None,
        before_fork: Callable[[], None] | None = None,
        documents: bool = False,
    ) -> None:
        self.forms = forms
        self.documents = documents  # published reports (audit) are read too
        self.form = form
        self.timeout = timeout if timeout is not None else current_limits().seconds_per_file
        self.before_fork = before_fork
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
        if self.before_fork is not None:
            self.before_fork()
        parent, child = self.context.Pipe()
        self.process = self.context.Process(
            target=_serve,
            args=(child, self.forms, self.form, current_language(), self.documents, self.timeout),
            daemon=True,
        )
        gc.freeze()  # the worker's collector then skips everything the parent holds
        try:
            self.process.start()
        finally:
            gc.unfreeze()
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

    def submit(self, name: str, shown: str | None = None) -> Connection:
        """Hand ``name`` to the worker (started if needed); its answer, calling the file
        ``shown`` if given, arrives on the connection returned."""
        conn = self.conn or self._start()
        conn.send((name, shown))
        return conn

    def failed(self, name: str, problem: str, shown: str | None = None) -> FileResult:
        """The answer for a file whose worker died or ran out of time; the worker is
        replaced on the next submit."""
        from toolkit.check.reading import sha256_of

        self._stop()
        path = Path(name)
        shown = shown or name
        digest = sha256_of(path) if path.is_file() else None
        result = FileResult(shown, digest, unreadable=True, why_unreadable=problem)
        if self.documents and path.suffix.lower() in DOCUMENT_SUFFIXES:
            problem += "_document"  # advice for a published report, not a workbook
        message = render(problem, path=shown, seconds=int(self.timeout))
        result.findings.append(CheckFinding("F1", "error", message))
        return result


class _Shared:
    """What thousands of returns have in common, kept once: every return of one template
    carries the same field -> cell map and the same field keys (a pickled result brings its
    own copies; at 10,000 returns that is hundreds of MB)."""

    def __init__(self) -> None:
        self.maps: list[dict[str, tuple[str, str]]] = []

    def compact(self, result: FileResult) -> FileResult:
        """``result`` with each field key held once for all returns (unpickled, every dict
        and set of a result brings its own copy: ~20 KB a return)."""
        result.values = _interned(result.values)
        if result.read is not None:
            for part in result.read.parts:
                part.values = _interned(part.values)
                part.cells = self._map(part.cells)
                part.errors, part.formulas, part.evaluated = (
                    {sys.intern(k) for k in keys} if keys else keys
                    for keys in (part.errors, part.formulas, part.evaluated)
                )
        for prepared in result.prepared:
            prepared.values = _interned(prepared.values)
            prepared.as_text = _interned(prepared.as_text)
        return result

    def _map(self, cells: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        for known in self.maps:
            if known == cells:
                return known
        if len(self.maps) < 64:  # a few templates and layouts; hand-made maps vary
            self.maps.append(cells)
        return cells


def _interned(mapping: dict[str, Any]) -> dict[str, Any]:
    return {sys.intern(k): v for k, v in mapping.items()} if mapping else mapping


QUEUE_DEPTH = 2  # files handed to a worker at once: the next is there when one is done


def read_all(
    names: list[str],
    forms: list[FormSpec],
    form: FormSpec | None = None,
    workers: int | None = None,
    timeout: float | None = None,
    done: Callable[[int], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    documents: bool = False,
    shown: list[str] | None = None,
) -> list[FileResult]:
    """Every file read in one of ``workers`` worker processes (default: one per core), in
    the order given (``shown``: what each is called in its result); ``done(count)`` is told
    each time one more file is answered; ``meanwhile`` runs in a thread once the workers
    have started (it has ended before this returns, and before a worker is ever forked
    again: a fork must not copy a thread in the middle of an import).

    Each worker holds up to QUEUE_DEPTH files, so it never waits for the parent between two
    files. A file's time starts when the worker turns to it (its previous answer arrived);
    when a worker dies or runs out of time, the file it was reading is F1 and the files
    queued behind it go to the fresh worker that replaces it."""
    timeout = timeout if timeout is not None else current_limits().seconds_per_file
    count = max(1, min(workers or os.cpu_count() or 1, len(names)))
    background = _Background()
    readers = [
        IsolatedReader(forms, form, timeout, background.join, documents) for _ in range(count)
    ]
    queues: dict[IsolatedReader, deque[int]] = {r: deque() for r in readers}
    started: dict[IsolatedReader, float] = {}  # when the worker turned to its current file
    results: list[FileResult | None] = [None] * len(names)
    pending = deque(range(len(names)))
    answered = 0
    shared = _Shared()

    finished = 0

    def fail(reader: IsolatedReader, problem: str) -> None:
        nonlocal finished
        index = queues[reader].popleft()
        results[index] = reader.failed(names[index], problem, shown[index] if shown else None)
        finished += 1
        pending.extendleft(reversed(queues[reader]))  # the rest go to the fresh worker
        queues[reader].clear()
        started.pop(reader, None)

    try:
        while pending or any(queues.values()):
            for reader in readers:
                while pending and len(queues[reader]) < QUEUE_DEPTH:
                    index = pending.popleft()
                    try:
                        reader.submit(names[index], shown[index] if shown else None)
                    except OSError:
                        queues[reader].append(index)
                        fail(reader, "read.reader_crashed")
                        continue
                    queues[reader].append(index)
                    if len(queues[reader]) == 1:  # an idle worker turns to it now
                        started[reader] = time.monotonic()
            if meanwhile is not None:
                background.start(meanwhile)
                meanwhile = None
            busy = {reader.conn: reader for reader in readers if queues[reader] and reader.conn}
            if not busy:
                continue
            soonest = min(started[r] for r in busy.values()) + timeout
            for conn in wait(list(busy), timeout=max(0.0, soonest - time.monotonic())):
                reader = busy[conn]  # type: ignore[index]
                try:
                    result = conn.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):
                    fail(reader, "read.reader_crashed")
                    continue
                if result == TIMED_OUT:
                    fail(reader, "read.timeout")
                    continue
                results[queues[reader].popleft()] = shared.compact(result)
                finished += 1
                started[reader] = time.monotonic()
            now = time.monotonic()
            for reader in busy.values():
                if queues[reader] and started.get(reader, now) + timeout <= now:
                    fail(reader, "read.timeout")
            if done is not None and finished != answered:
                answered = finished
                done(answered)
    finally:
        for reader in readers:
            reader.close()
        background.join()
    if meanwhile is not None:  # no file to read: nothing ran it
        meanwhile()
    return [r for r in results if r is not None]


class _Background:
    """At most one task in a thread; ``join`` waits for it (safe to call at any time)."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def start(self, task: Callable[[], None]) -> None:
        self.thread = threading.Thread(target=task, name="toolkit-imports", daemon=True)
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
