"""fakeai.dispatch helpers."""

from __future__ import annotations

from starlette.responses import Response

from fakeai.dispatch import json_response


def test_json_response_is_what_starlette_builds() -> None:
    for body, status in ((b'{"a":1}', 200), (b"{}", 201), (b"[]" * 1000, 404)):
        ours, theirs = json_response(body, status), Response(body, status_code=status, media_type="application/json")
        assert (ours.body, ours.status_code, ours.raw_headers) == (theirs.body, theirs.status_code, theirs.raw_headers)
        assert ours.media_type == theirs.media_type and ours.background is None
        ours.headers["x-ratelimit-limit-requests"] = "60"  # headers added later land in the raw list
        assert (b"x-ratelimit-limit-requests", b"60") in ours.raw_headers
