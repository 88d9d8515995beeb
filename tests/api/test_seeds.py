"""Every python example of the seeds (../shared/seeds), run as written against a live fakeai on loopback.

A document's examples run in order in one namespace, as a reader pastes them into one session (later examples use
the client and helpers of earlier ones). Only the hard-coded server address is rewritten. Content is checked by the
tests of each endpoint (test_chat, test_seed_media, ...); this test is that no example fails. Examples that are
response samples (JSON), that start their own server, or that need something the document leaves to the reader
are listed below with what is done instead.

Seeds 000 (FakeAI's README; its unit-test example uses the key "sk-fakeai-test"), 003 (a proxy that ignores the
key) and 004 (a vLLM service without authentication) run against a server with require_api_key off; 001 and 002
against the default one, with its default keys.
"""

from __future__ import annotations

import contextlib
import gc
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeai.behaviors.sim.audio import synthesize_pcm
from fakeai.behaviors.sim.audio_codecs import encode
from fakeai.behaviors.sim.png import render_png

from fakeai.app import create_app
from tests.conftest import REPO, LiveServer, make_settings

SEEDS = REPO.parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_ADDRESS = re.compile(r"http://(?:localhost|127\.0\.0\.1|0\.0\.0\.0):\d+")
OPEN = {"000", "003", "004"}  # run against a server that accepts any key
# names a fragment uses that its document never defines (the reader supplies them)
PRELUDE = {("004", 27): 'prompt = "Explain how a KV cache speeds up decoding."\n'}


def documents() -> list[str]:
    return sorted(p.name[:3] for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def blocks(prefix: str) -> list[str]:
    return _BLOCK.findall(next(SEEDS.glob(f"{prefix}_*.txt")).read_text())


def is_sample(code: str) -> bool:
    """A response shown as JSON (with `...` and comments), not code to run."""
    return code.lstrip().startswith(("{", "["))


@pytest.fixture(scope="module")
def open_server() -> Iterator[LiveServer]:
    with LiveServer(create_app(make_settings(require_api_key=False))) as server:
        yield server


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The files the examples open: scanned pages and a recording."""
    monkeypatch.chdir(tmp_path)
    page = render_png(64, 48, seed=1, prompt="a scanned page")
    for name in ("document.png", "image.png", "page1.png", "page2.png", "page3.png"):
        (tmp_path / name).write_bytes(page)
    speech = "Hello, this is a short recording for the transcription examples. It lasts a few seconds."
    (tmp_path / "speech.mp3").write_bytes(encode(synthesize_pcm(speech, sample_rate=24000), 24000, "mp3"))
    return tmp_path


# the examples leave clients and files for the garbage collector to close: their leaks, not fakeai's
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("prefix", documents())
def test_every_example_runs(
    prefix: str,
    live_server: LiveServer,
    open_server: LiveServer,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = (open_server if prefix in OPEN else live_server).url
    monkeypatch.setenv("OPENAI_API_BASE", f"{url}/v1")  # seed 004 reads its address and key from a .env
    monkeypatch.setenv("OPENAI_API_KEY", "not-needed")
    monkeypatch.setattr(sys, "argv", ["seed-example"])  # unittest.main() parses argv
    namespace: dict[str, object] = {}
    ran = 0
    for i, code in enumerate(blocks(prefix)):
        if is_sample(code):
            continue
        code = PRELUDE.get((prefix, i), "") + _ADDRESS.sub(url, code)
        # an example that starts its own server is run as an import: its configuration is built, no server started
        namespace["__name__"] = "seed_example" if "uvicorn.run(" in code else "__main__"
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"<seed {prefix} example {i}>", "exec"), namespace)
        except SystemExit as e:  # unittest.main() and scripts that exit
            assert e.code in (None, 0), f"seed {prefix} example {i} exited with {e.code}:\n{out.getvalue()[-2000:]}"
        except Exception as e:
            raise AssertionError(
                f"seed {prefix} example {i} failed: {e!r}\n--- output:\n{out.getvalue()[-2000:]}"
            ) from e
        ran += 1
    assert ran >= 3
    namespace.clear()
    gc.collect()  # the examples' unclosed clients and files are closed now, inside this test's warning filter
