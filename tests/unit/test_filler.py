"""fakeai.filler: whole values (drawn examples or the skeleton), fresh copies, and small valid binary bodies."""

from __future__ import annotations

import io
import random
import struct
import wave
import zipfile
import zlib
from pathlib import Path
from typing import Any

import fakeai.generated
import orjson
import pytest

from fakeai.filler import Filler, binary, tiny_png, tiny_wav
from fakeai.skeleton import Skeleton

_BASE = Path(fakeai.generated.__file__).parent
SPEC: dict[str, Any] = orjson.loads((_BASE / "spec.json").read_bytes())
EXAMPLES: dict[str, list[Any]] = orjson.loads((_BASE / "examples.json").read_bytes())["examples"]
P = "#/components/schemas/"


@pytest.fixture(scope="module")
def filler() -> Filler:
    return Filler(SPEC, EXAMPLES)


def _with_examples(min_count: int = 2) -> str:
    for name, drawn in EXAMPLES.items():
        if len(drawn) >= min_count and len({orjson.dumps(d) for d in drawn}) == len(drawn):
            return name
    raise AssertionError("no schema with distinct drawn examples")


def _without_examples() -> str:
    for name in ("CreateChatCompletionRequest", "CreateEmbeddingRequest"):
        if name in SPEC["components"]["schemas"] and name not in EXAMPLES:
            return name
    return next(n for n in SPEC["components"]["schemas"] if n not in EXAMPLES)


def test_full_returns_the_drawn_example_the_seed_picks(filler: Filler) -> None:
    name = _with_examples()
    drawn = EXAMPLES[name]
    for seed in range(3 * len(drawn)):
        assert filler.full(P + name, seed) == drawn[seed % len(drawn)]
    assert len({orjson.dumps(filler.full(P + name, s)) for s in range(len(drawn))}) == len(drawn)


def test_full_uses_the_skeleton_when_a_schema_has_no_examples(filler: Filler) -> None:
    name = _without_examples()
    sk = Skeleton(SPEC)
    for seed in (0, 1, 2):
        got = filler.full(P + name, seed)
        assert got == sk.value(SPEC["components"]["schemas"][name], random.Random(seed))
        assert got == filler.full(P + name, seed)  # deterministic per seed
        assert got not in EXAMPLES.get(name, [])


def test_full_is_deterministic_for_every_component_schema(filler: Filler) -> None:
    other = Filler(SPEC, EXAMPLES)
    for name in SPEC["components"]["schemas"]:
        assert filler.full(P + name, 11) == other.full(P + name, 11), name


def test_full_returns_a_fresh_copy_of_an_example(filler: Filler) -> None:
    name = _with_examples()
    snapshot = orjson.dumps(EXAMPLES[name])
    first = filler.full(P + name, 0)
    assert isinstance(first, dict)
    expected = dict(first)
    first["id"] = "mutated"
    first["extra"] = {"nested": [1]}
    assert filler.full(P + name, 0) == expected
    assert orjson.dumps(EXAMPLES[name]) == snapshot


def test_full_returns_a_fresh_copy_of_a_skeleton_value(filler: Filler) -> None:
    name = _without_examples()
    first = filler.full(P + name, 3)
    expected = orjson.loads(orjson.dumps(first))
    for key in list(first):
        first[key] = "mutated"
    first["extra"] = 1
    assert filler.full(P + name, 3) == expected


_CONST_DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Fixed": {"const": {"id": "fixed", "tags": ["a"]}},
            "Choice": {"enum": [{"id": "only"}]},
            "Holder": {
                "type": "object",
                "properties": {"fixed": {"$ref": "#/components/schemas/Fixed"}},
                "required": ["fixed"],
            },
        }
    }
}


@pytest.mark.parametrize("name", ["Fixed", "Choice", "Holder"])
def test_full_of_const_and_enum_objects_is_a_fresh_copy(name: str) -> None:
    doc = orjson.loads(orjson.dumps(_CONST_DOC))
    f = Filler(doc, {})
    first = f.full(P + name, 0)
    expected = orjson.loads(orjson.dumps(first))
    target = first["fixed"] if name == "Holder" else first
    target["id"] = "mutated"  # what the dispatcher does with a path id
    assert f.full(P + name, 0) == expected
    assert doc == _CONST_DOC


def test_events_are_consecutive_seeds(filler: Filler) -> None:
    name = _with_examples()
    assert filler.events(P + name, 5, count=4) == [filler.full(P + name, 5 + i) for i in range(4)]


def test_complete_fills_required_fields(filler: Filler) -> None:
    out = filler.complete({"object": "batch"}, P + "Batch", 0)
    required = set(SPEC["components"]["schemas"]["Batch"].get("required", []))
    assert required
    assert required <= set(out)
    assert out["object"] == "batch"
    assert filler.complete({"object": "batch"}, P + "Batch", 0) == out


def test_schema_resolves_a_ref(filler: Filler) -> None:
    assert filler.schema(P + "Batch") is SPEC["components"]["schemas"]["Batch"]


# ---------------------------------------------------------------------- binary bodies


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert pos == len(data)
    return chunks


@pytest.mark.parametrize("media", ["image/png", "image/png; charset=binary", "IMAGE/PNG"])
def test_binary_png(media: str) -> None:
    data = binary(media, 7)
    chunks = _png_chunks(data)
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, color, compression, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (width, height, depth, color, compression, filt, interlace) == (1, 1, 8, 2, 0, 0, 0)
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == 1 + 3 and raw[0] == 0  # one scanline: filter byte + RGB
    assert chunks[2][1] == b""


def test_png_is_deterministic_and_varies_with_the_seed() -> None:
    assert tiny_png(1) == tiny_png(1)
    assert len({tiny_png(s) for s in range(10)}) > 1


@pytest.mark.parametrize("media", ["audio/mpeg", "audio/wav", "application/octet-stream", "audio/ogg; codecs=opus"])
def test_binary_wav(media: str) -> None:
    data = binary(media, 3)
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    with wave.open(io.BytesIO(data), "rb") as w:
        assert w.getnchannels() == 1
        assert w.getsampwidth() == 2
        assert w.getframerate() == 8000
        assert w.getnframes() == 2000
        assert len(w.readframes(w.getnframes())) == 4000
    assert data == tiny_wav(3)


def test_binary_zip() -> None:
    for media in ("application/zip", "application/x-zip-compressed"):
        data = binary(media, 0)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.testzip() is None
            assert zf.namelist() == ["README.txt"]
            assert zf.read("README.txt") == b"generated by fakeai\n"


def test_binary_text_and_sdp() -> None:
    assert binary("text/plain", 0) == b"generated by fakeai\n"
    sdp = binary("application/sdp", 0)
    assert sdp.startswith(b"v=0\r\n")
    assert b"\r\ns=fakeai\r\n" in sdp
