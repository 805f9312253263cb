"""A JSON document written piece by piece: the same text as ``json.dumps(document,
indent=2, ensure_ascii=False)``, without holding every result's dictionary (and the whole
text) in memory at once — 10,000 results would take hundreds of MB.

The standard library encodes in C only without indentation. A container holding no other
container (a result's values, a finding) is written by the C encoder, its item separator
carrying the line break and indentation; only the nesting around it is walked here. At
1,000 returns that is 0.12 -> 0.07 s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TextIO

_INDENT = "  "
_SCALAR = json.JSONEncoder(ensure_ascii=False)  # C-accelerated (no indent)
_PLAIN = frozenset({str, int, float, bool, type(None)})  # written the same at any depth
_KEYS = frozenset({str})


class Lazy:
    """A list written item by item: ``make`` is called for each item as it is written."""

    def __init__(self, items: Iterable[Any], make: Callable[[Any], Any]) -> None:
        self.items = items
        self.make = make


def write_document(stream: TextIO, document: dict[str, Any]) -> None:
    """``document`` as indented JSON and a final newline; values may be ``Lazy`` lists."""
    stream.write("{")
    for i, (key, value) in enumerate(document.items()):
        stream.write(("," if i else "") + "\n  " + _SCALAR.encode(key) + ": ")
        if isinstance(value, Lazy):
            _write_list(stream, value)
        else:
            stream.write(encode(value, 1))
    stream.write("\n}\n" if document else "}\n")


def _write_list(stream: TextIO, value: Lazy) -> None:
    stream.write("[")
    empty = True
    for item in value.items:
        stream.write(("\n    " if empty else ",\n    ") + encode(value.make(item), 2))
        empty = False
    stream.write("]" if empty else "\n  ]")


def encode(value: Any, level: int = 0) -> str:
    """``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it when it
    stands ``level`` levels deep."""
    if isinstance(value, dict):
        members, brackets = value.values(), "{}"
    elif isinstance(value, (list, tuple)):
        members, brackets = value, "[]"
    else:
        return _SCALAR.encode(value)
    if not value:
        return brackets
    inner = "\n" + _INDENT * (level + 1)
    if _PLAIN.issuperset(map(type, members)):
        body = _flat(level).encode(value)[1:-1]
    elif not isinstance(value, dict):
        body = ("," + inner).join(encode(item, level + 1) for item in value)
    elif _KEYS.issuperset(map(type, value)):
        body = ("," + inner).join(
            _SCALAR.encode(k) + ": " + encode(v, level + 1) for k, v in value.items()
        )
    else:  # keys json converts to text its own way
        return _indented(value, level)
    return brackets[0] + inner + body + "\n" + _INDENT * level + brackets[1]


@lru_cache(maxsize=16)
def _flat(level: int) -> json.JSONEncoder:
    """The C encoder writing a container's items one per line, ``level + 1`` deep."""
    return json.JSONEncoder(ensure_ascii=False, separators=(",\n" + _INDENT * (level + 1), ": "))


_PYTHON = json.JSONEncoder(ensure_ascii=False, indent=2)


def _indented(value: Any, level: int) -> str:
    # JSON text holds no raw line breaks inside strings: every one is the encoder's own
    return _PYTHON.encode(value).replace("\n", "\n" + _INDENT * level)
