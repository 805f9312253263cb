"""JSON written piece by piece is the text json.dumps gives for the whole document."""

from __future__ import annotations

import io
import json

from toolkit.jsonout import Lazy, write_document


def test_the_streamed_text_is_what_json_dumps_writes() -> None:
    items = [{"file": "a\n“b”.xlsx", "values": {"x": 1, "y": None}, "findings": []}, {"z": []}]
    for results in (items, [], items[:1]):
        document = {"schema": "s/1", "units": [{"u": "兰江"}], "results": results, "tail": {}}
        stream = io.StringIO()
        write_document(stream, {**document, "results": Lazy(results, dict)})
        assert stream.getvalue() == json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    stream = io.StringIO()
    write_document(stream, {})
    assert stream.getvalue() == json.dumps({}, indent=2) + "\n"
