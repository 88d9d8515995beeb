"""The seeds' examples for embeddings, images, ranking, moderation and transcription, run as written against a
live server on a free port (only the hard-coded base URL is rewritten). Seed 004 documents a service without
authentication (api_key "not-needed"): its examples run against a server with require_api_key off."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from fakeai.behaviors.sim.audio import synthesize_pcm
from fakeai.behaviors.sim.audio_codecs import encode

from fakeai.app import create_app
from tests.conftest import REPO, LiveServer, make_settings

SEEDS = REPO.parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
_FENCE = re.compile(r"^\s*```(\w*)\s*$")
# A client for the examples that use one without creating it (they continue an earlier block of their document).
_CLIENT = 'from openai import OpenAI\nclient = OpenAI(api_key="{key}", base_url="{url}/v1")\n'


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text()


def python_blocks(doc: str) -> dict[str, list[str]]:
    """The python code blocks of a markdown document, by the heading they follow."""
    out: dict[str, list[str]] = {}
    heading, block, state = "", [], "text"  # state: text, python (a python block) or other (any other block)
    for line in doc.splitlines():
        fence = _FENCE.match(line)
        if fence and state == "text":
            state, block = ("python" if fence.group(1) == "python" else "other"), []
        elif fence:
            if state == "python":
                out.setdefault(heading, []).append("\n".join(block))
            state = "text"
        elif state == "python":
            block.append(line)
        elif state == "text" and line.startswith("#"):
            heading = line.lstrip("#").strip()
    return out


def run(code: str, url: str, namespace: dict[str, object] | None = None) -> str:
    code = code.replace("http://localhost:8000", url).replace("http://localhost:8200", url)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<seed example>", "exec"), namespace if namespace is not None else {"__name__": "__main__"})
    return out.getvalue()


@pytest.fixture(scope="module")
def open_server() -> Iterator[LiveServer]:
    with LiveServer(create_app(make_settings(require_api_key=False))) as server:
        yield server


def test_seed_000(live_server: LiveServer) -> None:
    blocks = python_blocks(seed("000"))
    out = run(blocks["Simple Embedding"][0], live_server.url)
    assert "Embedding dimensions: 768" in out and "Text 3: 768 dimensions" in out
    out = run(blocks["Simple Image Generation"][0], live_server.url)
    assert f"Generated image URL: {live_server.url}/v1/images/files/" in out and "Image 3: http" in out
    out = run(blocks["Basic Reranking"][0], live_server.url)
    indices = re.findall(r"Index (\d+): logit score = (-?[\d.]+)", out)
    assert [i for i, _ in indices][-1] == "1" and float(indices[0][1]) > 2  # the weather passage last
    out = run(blocks["Multiple Passages"][0], live_server.url)
    assert len(re.findall(r"^\d\. \[Score: ", out, re.M)) == 5
    out = run(blocks["Interpreting Logit Scores"][0], live_server.url)
    assert out.index("Index 0:") < out.index("Index 3:")
    assert "Highly relevant" in out and "Not relevant" in out


def test_seed_001(live_server: LiveServer) -> None:
    blocks = python_blocks(seed("001"))
    namespace: dict[str, object] = {"__name__": "__main__"}
    run(_CLIENT.format(key="sk-fakeai-1234567890abcdef", url="http://localhost:8000"), live_server.url, namespace)
    single, batch = blocks["Create Embeddings"]
    assert "Embedding vector with 768 dimensions" in run(single, live_server.url, namespace)
    assert "Embedding 2: 768 dimensions" in run(batch, live_server.url, namespace)
    assert f"Image URL: {live_server.url}/v1/images/files/" in run(
        blocks["Generate Images"][0], live_server.url, namespace
    )
    out = run(blocks["Create Ranking"][0], live_server.url)
    assert len(re.findall(r"^Passage [012]: score -?\d+\.\d\d$", out, re.M)) == 3


def test_seed_002(live_server: LiveServer) -> None:
    blocks = python_blocks(seed("002"))
    sdk = blocks["Example Usage with OpenAI Python Client"][0]
    client_part = sdk.split("# Example 1")[0]
    embeddings_part = sdk[sdk.index("# Example 7") :]
    assert "Embedding dimensions: 768" in run(client_part + embeddings_part, live_server.url)
    out = run(blocks["Using the Rankings API"][0], live_server.url)
    assert re.findall(r"Index (\d+): score", out)[0] == "0"
    out = run(blocks["Using the Moderation API"][0], live_server.url)
    assert "Flagged: True" in out
    assert "Input 0: flagged=False\nInput 1: flagged=True\nInput 2: flagged=False" in out


def test_seed_004(open_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(seed("004"))
    url = open_server.url
    monkeypatch.chdir(tmp_path)
    speech = "Hello, this is a short recording for the transcription examples. It lasts a few seconds."
    (tmp_path / "speech.mp3").write_bytes(encode(synthesize_pcm(speech, sample_rate=24000), 24000, "mp3"))
    opened: list[IO[Any]] = []  # the transcription examples open files and never close them

    def tracked_open(*args: Any, **kwargs: Any) -> IO[Any]:
        opened.append(open(*args, **kwargs))  # noqa: SIM115
        return opened[-1]

    namespace: dict[str, object] = {"__name__": "__main__", "open": tracked_open}
    run(_CLIENT.format(key="not-needed", url="http://localhost:8200"), url, namespace)
    out = run(blocks["Single Text Embedding"][0], url, namespace)
    assert "Embedding dimension: 1024" in out and "Tokens used: " in out
    assert "Text 2: 1024 dimensions" in run(blocks["Batch Embeddings"][0], url, namespace)
    out = run(blocks["RAG Workflow Example"][0], url, namespace)
    assert "Most relevant: Renewable energy reduces carbon emissions" in out
    assert "Answer: " in out
    good = next(b for b in blocks["Performance Tips"] if "embeddings.create" in b)
    run(good, url, namespace)
    for heading in ("Basic Transcription", "Transcription with Language", "Advanced Transcription Options"):
        text = run(blocks[heading][0], url, namespace).strip()
        assert 5 <= len(text.split()) <= 30, (heading, text)  # a few seconds of audio, at about 2.5 words a second
    for f in opened:
        f.close()
