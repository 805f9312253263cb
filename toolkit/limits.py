"""What one mailed file may make the reader do: far above any real return (a filled template
is ~40 KB zipped, ~400 KB unzipped, four sheets of a few hundred cells), each settable by an
environment variable for an office that needs more (or less)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from toolkit.errors import UserError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * MB
    unzipped_bytes: int = 200 * MB
    compression_ratio: int = 200  # unzipped / zipped over the whole package
    zip_entries: int = 10_000
    sheet_cells: int = 2_000_000  # rows × columns of one sheet (a dense grid: ~100 MB)
    text_chars: int = 32_767  # one value the form reads (what Excel or WPS lets a cell hold)
    seconds_per_file: float = 120.0
    worker_memory_bytes: int = 3 * 1024 * MB  # what a reader process may add to its start
    # what one summary run may copy out of mails and archives into its work folder (a
    # thousand units' returns take ~100 MB; a mail of zip bombs each under the ratio, ~110x)
    inbox_copy_bytes: int = 4 * 1024 * MB


# environment variable -> (field, how many of the field's unit one of the variable's is)
SETTINGS: dict[str, tuple[str, float]] = {
    "TOOLKIT_MAX_FILE_MB": ("file_bytes", MB),
    "TOOLKIT_MAX_UNZIPPED_MB": ("unzipped_bytes", MB),
    "TOOLKIT_MAX_COMPRESSION_RATIO": ("compression_ratio", 1),
    "TOOLKIT_MAX_ZIP_ENTRIES": ("zip_entries", 1),
    "TOOLKIT_MAX_SHEET_CELLS": ("sheet_cells", 1),
    "TOOLKIT_MAX_TEXT_CHARS": ("text_chars", 1),
    "TOOLKIT_READ_TIMEOUT": ("seconds_per_file", 1),
    "TOOLKIT_MAX_WORKER_MEMORY_MB": ("worker_memory_bytes", MB),
    "TOOLKIT_MAX_INBOX_COPIES_MB": ("inbox_copy_bytes", MB),
}


_CEILING = 2**50  # bytes, cells, entries: a petabyte is no limit at all here
_CEILING_SECONDS = 1_000_000.0  # eleven days


def from_environment(environment: Mapping[str, str]) -> Limits:
    """The defaults, with every variable of SETTINGS that is set; a value that is not a
    positive number is a usage error naming the variable."""
    limits = Limits()
    for name, (attribute, unit) in SETTINGS.items():
        text = environment.get(name, "").strip()
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not value > 0 or value == float("inf"):
            raise UserError("cli.bad_limit", name=name, value=text)
        default = getattr(Limits(), attribute)
        # a huge value means "no practical limit": kept below what the system's timers and
        # memory limits take (2147483 s overflowed a wait; 1e13 MB every rlimit)
        number = min(value * unit, _CEILING if isinstance(default, int) else _CEILING_SECONDS)
        limits = replace(
            limits, **{attribute: number if isinstance(default, float) else int(number)}
        )
    return limits


@lru_cache(maxsize=1)
def current() -> Limits:
    """The limits of this run (read once; worker processes inherit them)."""
    return from_environment(os.environ)
