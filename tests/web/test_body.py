"""Hostile bodies get a 4xx that says what is wrong, before parsing cost can grow."""

import pytest

from lapor_hub.streams.web.body import MAX_DEPTH, parse_json_object
from lapor_hub.streams.web.responses import ApiError


@pytest.mark.parametrize(("raw", "says"), [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b'"text"', "must be a JSON object"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b'{"a": NaN}', "NaN is not a JSON number"),
    (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
    (b'{"a": 1e999}', "too large"),
    (b'{"a": ' + b"9" * 5000 + b"}", "more than 19 digits"),
    (b'{"a": "\\ud800"}', "lone surrogate"),
    (b'{"\\udfff": 1}', "lone surrogate"),
    (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested deeper"),
])
def test_a_malformed_body_is_a_400_that_says_why(raw, says):
    with pytest.raises(ApiError) as refused:
        parse_json_object(raw)
    assert refused.value.status == 400 and refused.value.code == "invalid_json"
    assert says in refused.value.message


def test_nesting_is_counted_outside_strings_only():
    brackets_in_text = {"title": "[" * 50 + "{" * 50, "nested": {"a": [1, {"b": '\\"]]]]'}]}}
    import json

    assert parse_json_object(json.dumps(brackets_in_text).encode()) == brackets_in_text
    deep = b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)
    assert parse_json_object(b'{"a": ' + deep + b"}")


def test_an_empty_body_is_an_empty_object():
    assert parse_json_object(b"") == {} and parse_json_object(b"  \n") == {}
