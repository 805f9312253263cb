"""Write a built report to a file: the format chosen, atomically, never over an input."""

from __future__ import annotations

from pathlib import Path

from toolkit.document.report import Built
from toolkit.errors import UserError
from toolkit.files import atomic_write

FORMATS = ("docx", "html")
_SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html"}


def choose_format(requested: str | None, output: str | None) -> str:
    """--format when given, else the output's extension, else docx. An output named for
    another kind of file (.pdf, .xlsx), or for the other format, is refused: the file would
    not be what its name says."""
    suffix = Path(output).suffix.lower() if output else ""
    named = _SUFFIXES.get(suffix)
    if suffix and named is None:
        raise UserError("document.bad_suffix", path=output or "", suffix=suffix)
    if requested is None:
        return named or "docx"
    fmt = requested.lower()
    if fmt not in FORMATS:
        raise UserError("document.bad_format", value=requested)
    if named is not None and named != fmt:
        raise UserError("document.suffix_conflict", path=output or "", suffix=suffix, fmt=fmt)
    return fmt


def write_report(built: Built, target: Path, fmt: str) -> None:
    atomic_write(target, lambda tmp: _write(built, tmp, fmt))


def _write(built: Built, path: Path, fmt: str) -> None:
    if fmt == "html":
        from toolkit.document.html_io import write_html

        path.write_text(write_html(built.document, title=built.title), encoding="utf-8")
    else:
        from toolkit.document.docx_io import write_docx

        write_docx(built.document, path, title=built.title)
