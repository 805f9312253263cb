"""A JSON document written piece by piece: the same text as ``json.dumps(document,
indent=2, ensure_ascii=False)``, without holding every result's dictionary (and the whole
text) in memory at once — 10,000 results would take hundreds of MB."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)


class Lazy:
    """A list written item by item: ``make`` is called for each item as it is written."""

    def __init__(self, items: Iterable[Any], make: Callable[[Any], Any]) -> None:
        self.items = items
        self.make = make


def write_document(stream: TextIO, document: dict[str, Any]) -> None:
    """``document`` as indented JSON and a final newline; values may be ``Lazy`` lists."""
    stream.write("{")
    for i, (key, value) in enumerate(document.items()):
        stream.write(("," if i else "") + "\n  " + _ENCODER.encode(key) + ": ")
        if isinstance(value, Lazy):
            _write_list(stream, value)
        else:
            stream.write(_indent(_ENCODER.encode(value), 1))
    stream.write("\n}\n" if document else "}\n")


def _write_list(stream: TextIO, value: Lazy) -> None:
    stream.write("[")
    empty = True
    for item in value.items:
        text = _indent(_ENCODER.encode(value.make(item)), 2)
        stream.write(("\n    " if empty else ",\n    ") + text)
        empty = False
    stream.write("]" if empty else "\n  ]")


def _indent(text: str, levels: int) -> str:
    # JSON text holds no raw line breaks inside strings: every one is the encoder's own
    return text.replace("\n", "\n" + "  " * levels)
