"""Label text as it is compared: the same wording typed by different hands compares equal.

FORMS.md "Variants": Unicode NFKC (full-width brackets, digits and punctuation become
half-width), then no whitespace at all (spaces, U+3000, line breaks). On top of that the
enumerators people type differently ("1．", "1、", "1 .") and curly versus straight quotes
are made one, so "（三）⏎不予公开" and "(三)不予公开" are the same label.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WHITESPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})
_ARABIC_ENUMERATOR = re.compile(r"^(\d{1,2})[、.,]")
_CHINESE_ENUMERATOR = re.compile(r"^([一二三四五六七八九十]{1,3})[、.,]")


def compact(text: str) -> str:
    """NFKC (full-width to half-width) and no whitespace at all: how a typed value or a
    label is first made comparable."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The comparable form of a label (其它 and 其他 are one word, typed either way)."""
    folded = compact(text).translate(_QUOTES).rstrip(":")  # "（七）总计：" is its label
    folded = folded.replace("其它", "其他")
    folded = _ARABIC_ENUMERATOR.sub(r"\1.", folded)
    return _CHINESE_ENUMERATOR.sub(r"\1、", folded)


# a row label's number, in any style, once normalised: "一、", "(一)", "1.", "(1)", "1)"
_ANY_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十\d]{1,3}\)|\d{1,2}[.)])"
)
NUMBERING = frozenset("一二三四五六七八九十(0123456789")  # what a numbered label starts with
MIN_UNNUMBERED = 4  # shorter, a label without its number is ambiguous ("总计", "其他")


@lru_cache(maxsize=65536)
def unnumbered(text: str) -> str:
    """A normalised label without its leading number: sections get renumbered, or lose
    their numbers, when units retype the tables ("（一）本年新收…", "本年新收…")."""
    if not text or text[0] not in NUMBERING:
        return text
    return _ANY_ENUMERATOR.sub("", text, count=1)


def without_note(text: str) -> str | None:
    """A normalised label with a local note appended, minus the note:
    "规章(设区的市、自治州人民政府应提供相关数据)" -> "规章". None when there is no note.
    (The label is what comes before the first bracket; found without a regular expression,
    which on a line of 80,000 "(" takes minutes.)"""
    if not text.endswith(")"):
        return None
    opening = text.find("(", 1)
    if opening == -1 or opening > len(text) - 2:
        return None
    return text[:opening]


def forms_of(label: str, variants: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every normalised wording a label may take in a file."""
    seen: dict[str, None] = {}
    for text in (label, *variants):
        seen.setdefault(normalise(text), None)
    return tuple(seen)
