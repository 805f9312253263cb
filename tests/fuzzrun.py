"""Run `toolkit check` and `toolkit summary` over a fuzz corpus and say what went wrong.

Shared by the fast slice in the test suite (tests/test_fuzz.py) and the full run
(benchmarks/fuzz.py). Every call is a fresh process, as a user runs it; its time and peak
memory come from the operating system (wait4), not from the program under test.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.inbox.collect import TEMPORARY_PREFIXES

EXIT_CODES = {0, 1, 2}


@dataclass
class Call:
    """One run of the command."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


@dataclass
class Tally:
    """What a fuzz run found, per category."""

    tried: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    exits: Counter[int] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)  # what went wrong, one line each
    max_seconds_per_file: float = 0.0  # of a batch: its time over its files
    single: dict[str, tuple[float, float]] = field(default_factory=dict)  # file: (s, MB)
    max_peak_mb: float = 0.0
    modified_inputs: list[str] = field(default_factory=list)
    stray_outputs: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)  # outputs holding the secret
    formulas_written: list[str] = field(default_factory=list)


def run(args: list[str], cwd: Path, timeout: float = 1800) -> Call:
    """The command in a fresh process; its own peak memory (its reader processes included)
    from wait4, so one call's figure is not another's."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "toolkit", *args], cwd=cwd, stdout=out, stderr=err
        )
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Call(
            args,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            time.perf_counter() - started,
            usage.ru_maxrss / 1024,
        )


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def check_one(path: Path, cwd: Path, tally: Tally) -> None:
    """`toolkit check` on one file alone: its own time and memory (for the costly kinds)."""
    call = run(["check", "--format", "json", str(path)], cwd)
    _judge_call(call, 1, tally)
    tally.single[str(path)] = (call.seconds, call.peak_mb)


LOCK_FILE_SKIPPED = "lock file skipped"  # check passes over ~$x.xlsx, saying so on stderr


def check_batch(files: list[Path], corpus: dict[Path, str], cwd: Path, tally: Tally) -> None:
    """`toolkit check --format json` over ``files`` in one call. An Office lock file (~$x,
    .~x) is passed over, said on stderr, and has no result; a call given only those exits
    2 without a report."""
    call = run(["check", "--format", "json", *map(str, files)], cwd)
    _judge_call(call, len(files), tally)
    locks = [f for f in files if f.name.startswith(TEMPORARY_PREFIXES)]
    for path in locks:
        tally.tried[corpus[path]] += 1
        said = str(path) in call.stderr
        tally.statuses[corpus[path]][LOCK_FILE_SKIPPED if said else "skipped unsaid"] += 1
        if not said:
            tally.crashes.append(f"check: {path.name} passed over without a word")
    read = [f for f in files if f not in locks]
    if not read:
        if call.returncode != 2:
            tally.crashes.append(f"check: only lock files, exit {call.returncode}")
        return
    try:
        results = json.loads(call.stdout)["results"]
    except (ValueError, KeyError):
        tally.crashes.append(f"check: no JSON report ({call.stderr.strip()[-200:]})")
        return
    if [r["file"] for r in results] != [str(f) for f in read]:
        tally.crashes.append(f"check: {len(results)} results for {len(read)} files")
    count_results("check", zip(read, results, strict=False), corpus, tally)


def count_results(
    command: str, answered: Iterable[tuple[Path, dict]], corpus: dict[Path, str], tally: Tally
) -> None:
    """Each file's status under its category; an unreadable file must say why (an F)."""
    for path, result in answered:
        category = corpus[path]
        tally.tried[category] += 1
        tally.statuses[category][result["status"]] += 1
        if result["status"] == "unreadable" and not all(
            f["message"] and f["rule"].startswith("F") for f in result["findings"]
        ):
            tally.crashes.append(f"{command}: {path.name} unreadable without an F finding")


def summary_run(
    inbox: Path, out: Path, cwd: Path, tally: Tally, corpus: dict[Path, str] | None = None
) -> dict | None:
    """`toolkit summary` over ``inbox`` with a summary workbook and reply drafts in ``out``;
    with ``corpus``, the saved mails' outcomes are counted per category (`check` reads no
    mails): each attachment's status, an unreadable mail, or a mail with no workbook."""
    out.mkdir(parents=True, exist_ok=True)
    workbook, drafts = out / "汇总.xlsx", out / "回复草稿"
    files = sum(1 for p in inbox.rglob("*") if p.is_file())
    call = run(
        ["summary", str(inbox), "-o", str(workbook), "--replies", str(drafts), "--format", "json"],
        cwd,
    )
    _judge_call(call, files, tally)
    try:
        report = json.loads(call.stdout)
    except ValueError:
        tally.crashes.append(f"summary: no JSON report ({call.stderr.strip()[-200:]})")
        return None
    if corpus is not None:
        _count_mails(report, corpus, inbox, tally)
    if not workbook.is_file():
        tally.crashes.append("summary: no summary workbook written")
    else:
        tally.formulas_written += [
            f"{workbook.name}:{name}" for name in formula_parts(workbook.read_bytes())
        ]
    return report


def _count_mails(report: dict, corpus: dict[Path, str], inbox: Path, tally: Tally) -> None:
    attachments: dict[str, list[str]] = defaultdict(list)
    for result in report["results"]:
        if " › " in result["file"]:
            attachments[result["file"].split(" › ")[0]].append(result["status"])
    unreadable = {p["origin"].split(" › ")[0] for p in report["inbox_problems"]}
    for path, category in corpus.items():
        if path.suffix != ".eml" or inbox not in path.parents:
            continue
        tally.tried[category] += 1
        if str(path) in unreadable and not attachments.get(str(path)):
            tally.statuses[category]["unreadable mail"] += 1
        for status in attachments.get(str(path)) or ["no workbook attached"]:
            if str(path) not in unreadable or attachments.get(str(path)):
                tally.statuses[category][status] += 1


def formula_parts(data: bytes) -> list[str]:
    """The worksheet parts of a workbook that hold a formula (our summary writes none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def leaks(folder: Path, secret: bytes, extra: list[str]) -> list[str]:
    """Output files (and workbooks' parts, and texts) that hold ``secret``."""
    found = [f"output {i}" for i, text in enumerate(extra) if secret.decode() in text]
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if secret in data:
            found.append(str(path))
        if data[:2] == b"PK":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    found += [
                        f"{path}:{n}" for n in archive.namelist() if secret in archive.read(n)
                    ]
            except zipfile.BadZipFile:
                pass
    return found


def _judge_call(call: Call, files: int, tally: Tally) -> None:
    tally.exits[call.returncode] += 1
    tally.max_peak_mb = max(tally.max_peak_mb, call.peak_mb)
    tally.max_seconds_per_file = max(tally.max_seconds_per_file, call.seconds / max(files, 1))
    if call.returncode not in EXIT_CODES:
        tally.crashes.append(f"{call.args[0]}: exit code {call.returncode}")
    if "Traceback" in call.stderr or "Traceback" in call.stdout:
        tally.crashes.append(f"{call.args[0]}: a traceback was printed")


def stray_files(before: set[Path], root: Path, allowed: list[Path]) -> list[str]:
    """Files under ``root`` that are new and not inside an allowed output folder."""
    after = {p for p in root.rglob("*") if p.is_file()}
    return [
        str(p) for p in sorted(after - before) if not any(p == a or a in p.parents for a in allowed)
    ]


def environment_note() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
