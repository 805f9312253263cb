"""Read one file as a return, never raising for a bad file: what it holds, or why it cannot
be read (F1–F3, and F4 for macros). Used inside the reader worker processes, so nothing here
imports pandas or pandera: workers start before the parent imports them."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from toolkit.check.result import CheckFinding, FileResult
from toolkit.check.values import prepare
from toolkit.forms.model import FormSpec
from toolkit.limits import current as current_limits
from toolkit.messages import render
from toolkit.read.returns import ReadReturn, read_return
from toolkit.read.sniff import FileProblem
from toolkit.read.source import Source, reading

log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def _checksum(package: Source) -> str | None:
    """The file's SHA-256, from the bytes the readers use when it is small enough for them
    (a file over the size limit is hashed as a stream and never read whole)."""
    path = package.path
    try:
        if not path.is_file():
            return None
        if path.stat().st_size > current_limits().file_bytes:
            return sha256_of(path)
        return hashlib.sha256(package.data()).hexdigest()
    except OSError:
        return None


def read_file(
    name: str,
    forms: list[FormSpec],
    form: FormSpec | None = None,
    documents: bool = False,
    shown: str | None = None,
) -> FileResult:
    """One file as given on the command line; never raises for a bad file. ``documents``:
    published reports (.docx, web pages, text) are read too (audit). ``shown``: what the
    result and its messages call the file (a mail's attachment is read from our copy, whose
    path means nothing to the unit it is sent back to)."""
    path = Path(name)
    with reading(path) as package:
        return _read(shown or name, package, forms, form, documents)


def _read(
    name: str, package: Source, forms: list[FormSpec], form: FormSpec | None, documents: bool
) -> FileResult:
    """``name``: what the file is called in the result and its messages."""
    path = package.path
    result = FileResult(name, _checksum(package))
    try:
        result.read = read_return(path, forms, form, documents)
    except FileProblem as problem:
        # the readers name the path they opened; the user knows the file by ``name``
        params = {**problem.params, "path": name} if "path" in problem.params else problem.params
        return _unreadable(result, problem.code, problem.message_id, params)
    except Exception:  # a malformed file can trip any reader library: it is unreadable
        log.debug("reading %s failed", name, exc_info=True)
        return _unreadable(result, "F1", "read.corrupt", {"path": name})
    too_long = _text_over_limit(result.read)
    if too_long is not None:
        sheet, cell, length = too_long
        limit = current_limits().text_chars
        params = {"path": name, "sheet": sheet, "cell": cell, "length": length, "limit": limit}
        result.read = None
        return _unreadable(result, "F1", "read.text_too_long", params)
    result.prepared = [prepare(part) for part in result.read.parts]
    if result.read.sniffed.macros:
        result.findings.append(CheckFinding("F4", "warning", render("check.macros")))
    return result


def _text_over_limit(read: ReadReturn) -> tuple[str, str, int] | None:
    """(sheet, cell, length) of a value the form reads that is longer than any spreadsheet
    cell holds (Excel and WPS stop at 32,767 characters): the file was not written by one."""
    limit = current_limits().text_chars
    for part in read.parts:
        for key, value in part.values.items():
            if isinstance(value, str) and len(value) > limit:
                sheet, cell = part.cells.get(key, ("", ""))
                return sheet, cell, len(value)
    return None


def _unreadable(result: FileResult, code: str, message_id: str, params: dict) -> FileResult:
    result.unreadable = True
    result.why_unreadable = message_id
    result.findings.append(CheckFinding(code, "error", render(message_id, **params)))
    return result
