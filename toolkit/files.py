"""Safe output files: portable file names from untrusted text, atomic writes, output checks.

Unit names come from rosters and workbooks that anyone may have typed, so every file name built
from them goes through :func:`safe_file_stem`. Every output is written with :func:`atomic_write`
so that an interrupted run never leaves a half-written workbook where a good one used to be, and
:func:`check_outputs` refuses a dangerous set of outputs before any work starts.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

from toolkit.errors import UserError
from toolkit.messages import render

# Characters that Windows forbids in a file name, besides control characters.
_WINDOWS_FORBIDDEN = frozenset('<>:"/\\|?*')
# Invisible characters that can disguise a name (bidirectional overrides and marks).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Windows device names; "COM¹" and friends are reserved too, and "0" variants on newer Windows.
_SUPERSCRIPT_DIGITS = "¹²³"
_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789" + _SUPERSCRIPT_DIGITS]
)
_UNDERSCORE_RUN = re.compile(r"[_ ]*_[_ ]*")
_SPACE_RUN = re.compile(r" {2,}")
_TEMP_SUFFIX_MAX = 16


def _replace_char(char: str) -> str:
    """One character of a file name, or ``_`` / a space if it is unsafe on some system."""
    if char in _WINDOWS_FORBIDDEN or char in _BIDI_CONTROLS:
        return "_"
    category = unicodedata.category(char)
    if category in ("Cc", "Cs"):  # control characters (NUL, CR, LF, tab...) and lone surrogates
        return "_"
    if char.isspace() or category in ("Zl", "Zp"):  # U+3000, NBSP, line separators...
        return " "
    if char in ("\ufffe", "\uffff"):  # non-characters
        return "_"
    return char


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` bytes of UTF-8, never inside a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def _is_reserved(stem: str) -> bool:
    """Whether Windows treats ``stem`` as a device name (``nul.txt`` and ``CON `` count too)."""
    base = stem.split(".", 1)[0].rstrip(" ")
    return base.upper() in _RESERVED_NAMES


def _clean(name: str) -> str:
    """``name`` with unsafe characters replaced, runs collapsed and edge dots/spaces removed."""
    text = "".join(_replace_char(char) for char in unicodedata.normalize("NFC", name))
    text = _UNDERSCORE_RUN.sub("_", text)
    text = _SPACE_RUN.sub(" ", text)
    # and no leading "-": a shell command given the file would take it for an option
    return text.strip(". ").lstrip("-").strip(". ")


def safe_file_stem(name: str, max_bytes: int = 180, fallback: str = "unit") -> str:
    """A file-name stem made from the untrusted ``name`` that is safe on Windows, macOS and Linux.

    Chinese and other letters are kept; path separators, characters Windows forbids, control
    characters and invisible direction overrides become ``_``; runs of ``_`` and of spaces are
    collapsed; leading and trailing dots and spaces, and leading hyphens, are removed; a Windows
    device name (``CON``, ``nul.txt``...) gets a ``_`` prefix; the result is at most
    ``max_bytes`` bytes of UTF-8.
    A name with nothing usable left (empty, ``.``, ``..``, only symbols) gives ``fallback``.

    The default of 180 bytes leaves room for a ``(2)`` suffix and an extension within the
    255-byte limit of common file systems. The result never contains a path separator and
    never resolves outside the directory it is joined to.
    """
    if max_bytes < 1:
        raise ValueError("max_bytes must be at least 1")
    stem = _clean(_truncate_utf8(_clean(name), max_bytes))
    if stem in ("", "_"):
        cleaned_fallback = _clean(fallback)
        if cleaned_fallback in ("", "_"):
            cleaned_fallback = "unit"
        stem = _clean(_truncate_utf8(cleaned_fallback, max_bytes)) or "u"
    if _is_reserved(stem):
        stem = "_" + _truncate_utf8(stem, max_bytes - 1)
    return stem


def unique_stems(stems: list[str]) -> list[str]:
    """``stems`` in order, made unique case-insensitively by appending ``(2)``, ``(3)``...

    The first occurrence of each name keeps it unchanged, and a generated name never takes a
    name that appears elsewhere in the list, so ``["a", "A", "a(2)"]`` gives
    ``["a", "A(3)", "a(2)"]``. Comparison is case-insensitive (and Unicode-normalised) because
    Windows and macOS file systems usually are.
    """
    taken = {_stem_key(stem) for stem in stems}
    first_seen: set[str] = set()
    result: list[str] = []
    for stem in stems:
        key = _stem_key(stem)
        if key not in first_seen:
            first_seen.add(key)
            result.append(stem)
            continue
        number = 2
        while _stem_key(f"{stem}({number})") in taken:
            number += 1
        candidate = f"{stem}({number})"
        taken.add(_stem_key(candidate))
        result.append(candidate)
    return result


def _stem_key(stem: str) -> str:
    """The comparison key of a stem: NFC-normalised and case-folded."""
    return unicodedata.normalize("NFC", stem).casefold()


SUMMARY_MARKER = "toolkit_summary"  # custom property of our summary workbooks: outputs


def carries_marker(path: Path, marker: str) -> bool:
    """Whether a workbook we wrote says so (a custom document property named ``marker``):
    our marked copies and summaries are outputs, never returns or reports."""
    try:
        with zipfile.ZipFile(path) as archive:
            return package_carries_marker(archive, marker)
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False


def package_carries_marker(archive: zipfile.ZipFile, marker: str) -> bool:
    """``carries_marker`` of a package already open (a return being read)."""
    try:
        return marker.encode() in archive.read("docProps/custom.xml")[:1_000_000]
    except KeyError:  # no custom properties: none of ours
        return False


def _temp_path_for(path: Path) -> Path:
    """A new, exclusively created, hidden temp file next to ``path`` with the same extension.

    The extension is kept because some writers (pandas, for one) choose the format by it.
    """
    suffix = path.suffix if len(path.suffix) <= _TEMP_SUFFIX_MAX else ""
    while True:
        candidate = path.parent / f".toolkit-{secrets.token_hex(8)}.tmp{suffix}"
        try:
            handle = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        except OSError as error:  # a read-only folder or disk, a full disk
            raise UserError(
                "files.folder_not_writable", folder=str(path.parent), reason=_reason(error)
            ) from error
        os.close(handle)
        return candidate


_REASONS = {
    errno.EACCES: "files.reason_denied",
    errno.EPERM: "files.reason_denied",
    errno.EROFS: "files.reason_read_only",
    errno.ENOSPC: "files.reason_full",
    errno.EDQUOT: "files.reason_full",
}


def _reason(error: OSError) -> str:
    """Why the system refused a write, in the user's language where it is a common case."""
    key = _REASONS.get(error.errno or 0)
    return render(key) if key else (error.strerror or type(error).__name__)


def writable_folders(outputs: list[Path]) -> None:
    """Refuse, before any work, outputs whose existing folder refuses a new file (a file is
    made there and removed: permissions alone do not tell, for the administrator, or on a
    network share)."""
    for folder in dict.fromkeys(Path(output).parent for output in outputs):
        if folder.is_dir():
            _temp_path_for(folder / "probe").unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    """Flush ``path``'s content to disk."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    """Flush a directory entry change to disk where the system allows it (not on Windows)."""
    if os.name == "nt":
        return
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Create or replace ``path`` atomically with the file that ``write(tmp)`` produces.

    ``tmp`` is a hidden temp file in the same directory as ``path`` (so the final
    ``os.replace`` is atomic), with the same extension; ``write`` may overwrite it. After
    ``write`` returns, ``tmp`` is flushed to disk and moved over ``path``. If anything fails,
    including a ``KeyboardInterrupt``, the temp file is removed, the earlier content of ``path``
    (if any) is left intact and the exception is re-raised.

    One exception is translated: if the final replace is refused with ``PermissionError``
    (typically because the file is open in Excel or WPS on Windows), a ``UserError``
    ``files.replace_denied`` is raised instead, chained to the original error.
    """
    path = Path(path)
    tmp = _temp_path_for(path)
    try:
        write(tmp)
        _fsync_file(tmp)
        try:
            os.replace(tmp, path)
        except PermissionError as error:
            raise UserError("files.replace_denied", path=str(path)) from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _resolved(path: Path) -> Path:
    """``path`` made absolute with symlinks resolved, as far as the file system allows."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return path.absolute()


def _identity(path: Path) -> tuple[int, int] | None:
    """The file ``path`` names (device, inode), following symlinks; None when none exists."""
    try:
        found = path.stat()
    except (OSError, ValueError):
        return None
    return found.st_dev, found.st_ino


def _path_key(path: Path) -> str:
    """A key under which two outputs collide: resolved, normalised and case-folded.

    Case is ignored because outputs differing only in case overwrite each other on Windows
    and on macOS.
    """
    return unicodedata.normalize("NFC", str(_resolved(path))).casefold()


def _check_one_output(output: Path, inputs: list[Path], force: bool) -> None:
    """Raise ``UserError`` if ``output`` may not be written."""
    # the same file when both exist; else the same path once resolved (an input that is
    # missing may still name the output). One stat per input: an inbox holds thousands.
    target = _identity(output)
    for source in inputs:
        found = _identity(source)
        same = found == target if found is not None else _resolved(source) == _resolved(output)
        if same:
            raise UserError("files.same_as_input", path=str(output), input=str(source))
    if output.is_dir():
        raise UserError("files.is_directory", path=str(output))
    if output.exists() and not output.is_file():
        raise UserError("files.not_regular_file", path=str(output))
    if (output.exists() or output.is_symlink()) and not force:
        raise UserError("files.exists", path=str(output))
    parent = output.parent
    if not parent.exists():
        raise UserError("files.parent_missing", path=str(output), parent=str(parent))
    if not parent.is_dir():
        raise UserError("files.parent_not_dir", path=str(output), parent=str(parent))


def check_outputs(outputs: list[Path], inputs: list[Path], force: bool) -> None:
    """Refuse, before any work, a set of outputs that would lose data or cannot be written.

    Raises ``UserError`` if two outputs are the same path (ignoring case), if an output is the
    same file as an input (even with ``force``), if an output is an existing directory or other
    non-regular file, if an output exists and ``force`` is false, or if an output's parent
    directory is missing or not a directory.
    """
    seen: dict[str, Path] = {}
    for output in map(Path, outputs):
        key = _path_key(output)
        if key in seen:
            raise UserError("files.duplicate_output", path=str(output), other=str(seen[key]))
        seen[key] = output
    input_paths = [Path(source) for source in inputs]
    for output in map(Path, outputs):  # what --force cannot help first
        _check_one_output(output, input_paths, force=True)
    existing = [] if force else [p for p in map(Path, outputs) if p.exists() or p.is_symlink()]
    if len(existing) > 1:  # a folder of drafts from an earlier run: say so, not one name
        raise UserError("files.exist_many", path=str(existing[0]), count=len(existing))
    if existing:
        raise UserError("files.exists", path=str(existing[0]))
    writable_folders(outputs)
