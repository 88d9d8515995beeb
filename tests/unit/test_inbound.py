"""fakeai.inbound: form keys as SDKs send them (`a[b]` nests, `a[]` and repeated keys make lists)."""

from __future__ import annotations

from typing import Any

import pytest

from fakeai.inbound import _assign


def _form(*pairs: tuple[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        _assign(data, key, value)
    return data


def test_plain_key() -> None:
    assert _form(("model", "whisper-1")) == {"model": "whisper-1"}


def test_one_level_of_nesting() -> None:
    assert _form(("a[b]", "1")) == {"a": {"b": "1"}}


def test_two_levels_of_nesting() -> None:
    assert _form(("a[b][c]", "2")) == {"a": {"b": {"c": "2"}}}


def test_nested_keys_merge() -> None:
    data = _form(
        ("chunking_strategy[type]", "static"),
        ("chunking_strategy[static][max_chunk_size_tokens]", "800"),
        ("chunking_strategy[static][chunk_overlap_tokens]", "400"),
        ("model", "m"),
    )
    assert data == {
        "chunking_strategy": {
            "type": "static",
            "static": {"max_chunk_size_tokens": "800", "chunk_overlap_tokens": "400"},
        },
        "model": "m",
    }


def test_bracket_list_key_repeated() -> None:
    data = _form(("timestamp_granularities[]", "word"), ("timestamp_granularities[]", "segment"))
    assert data == {"timestamp_granularities": ["word", "segment"]}


def test_bracket_list_key_once_is_a_list() -> None:
    assert _form(("include[]", "logprobs")) == {"include": ["logprobs"]}


def test_nested_bracket_list() -> None:
    data = _form(("a[b][]", "1"), ("a[b][]", "2"), ("a[c]", "3"))
    assert data == {"a": {"b": ["1", "2"], "c": "3"}}


def test_repeated_plain_keys_make_a_list() -> None:
    data = _form(("image", b"\x89PNG-1"), ("image", b"\x89PNG-2"), ("image", b"\x89PNG-3"))
    assert data == {"image": [b"\x89PNG-1", b"\x89PNG-2", b"\x89PNG-3"]}


def test_repeated_nested_keys_make_a_list() -> None:
    assert _form(("a[b]", "1"), ("a[b]", "2")) == {"a": {"b": ["1", "2"]}}


def test_values_keep_their_type_and_order() -> None:
    data = _form(("file", b"\x00bytes"), ("purpose", "batch"), ("meta[k]", "v"))
    assert list(data) == ["file", "purpose", "meta"]
    assert data["file"] == b"\x00bytes"


def test_assign_adds_to_existing_data() -> None:
    data: dict[str, Any] = {"model": "m", "a": {"x": "0"}}
    _assign(data, "a[y]", "1")
    _assign(data, "tags[]", "t")
    assert data == {"model": "m", "a": {"x": "0", "y": "1"}, "tags": ["t"]}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("metadata[user id]", {"metadata": {"user id": "v"}}),
        ("metadata[a.b]", {"metadata": {"a.b": "v"}}),
        ("x[0]", {"x": {"0": "v"}}),
    ],
)
def test_bracket_contents_are_kept_verbatim(key: str, expected: dict[str, Any]) -> None:
    assert _form((key, "v")) == expected
