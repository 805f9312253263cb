"""Cleaning untrusted names (units from rosters, mails and returns) before we show or write them."""

from __future__ import annotations

import re
import unicodedata

# Longer than any real unit name (the longest 单位全称 run to ~40 characters), short enough
# for document properties (255) and file names.
MAX_NAME_LENGTH = 100
_SPACES = re.compile(r"\s+")


def clean_name(text: str) -> str:
    """NFC text without control or format characters (no terminal escapes, no bidi tricks),
    line breaks and tabs turned into spaces, runs of spaces collapsed, ends trimmed."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(
        " " if ch in "\r\n\t\v\f" else ch
        for ch in text
        if ch in "\r\n\t\v\f" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )
    return _SPACES.sub(" ", kept).strip()
