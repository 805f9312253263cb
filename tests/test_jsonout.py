"""JSON written piece by piece is the text json.dumps gives for the whole document."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.jsonout import Lazy, encode, write_document


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


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
keys = st.text(max_size=6) | st.integers(-5, 5) | st.floats(allow_nan=False) | st.booleans()
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=5)
        | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_any_document_is_written_as_json_dumps_writes_it(document: object) -> None:
    assert encode(document) == json.dumps(document, ensure_ascii=False, indent=2)
    stream = io.StringIO()
    write_document(stream, {"results": Lazy([document, document], lambda item: item)})
    expected = json.dumps({"results": [document, document]}, ensure_ascii=False, indent=2)
    assert stream.getvalue() == expected + "\n"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.1234567, 0.1234567),  # a typed figure keeps its digits (N1 names it)
        (0.1 + 0.2, 0.3),  # a sum's binary noise goes
        (1.0, 1),
        (float("nan"), None),
        (True, None),
    ],
)
def test_json_numbers_keep_the_digits_typed(value: object, shown: object) -> None:
    from toolkit.check.result import json_number

    number = json_number(value)
    assert number == shown and type(number) is type(shown)
