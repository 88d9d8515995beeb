"""Module fixtures for API tests that need a server of their own (listing tests count every object in its store).

Import both into a test module (`from tests.api.own_server import own_client, own_server  # noqa: F401`): within it
they stand for `server` (the live server and its store) and `client` (an `openai.OpenAI` SDK client on it),
in place of conftest's in-process TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

from fakeai.app import create_app
from tests.conftest import API_KEY, LiveServer, make_settings


@pytest.fixture(scope="module", name="server")
def own_server() -> Iterator[tuple[LiveServer, Any]]:
    app = create_app(make_settings())
    with LiveServer(app) as live:
        yield live, app.state.services.store


@pytest.fixture(scope="module", name="client")
def own_client(server: tuple[LiveServer, Any]) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key=API_KEY, base_url=server[0].url + "/v1", max_retries=0) as c:
        yield c
