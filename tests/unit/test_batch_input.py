"""behaviors/batch_input: upload checks per purpose and batch validation, line numbers included."""

from __future__ import annotations

import json
from typing import Any

from fakeai.behaviors.batch_input import MAX_BATCH_REQUESTS, parse_batch, upload_problem

EP = "/v1/embeddings"


def line(i: int, **over: Any) -> bytes:
    obj = {"custom_id": f"c{i}", "method": "POST", "url": EP, "body": {"model": "m", "input": "x"}, **over}
    return json.dumps(obj).encode()


def test_upload_checks_depend_on_purpose() -> None:
    assert upload_problem(b"\x00\xff not text", "user_data") is None
    assert upload_problem(b"", "batch") is None
    assert "line 2 is not valid UTF-8" in (upload_problem(b"{}\n\xff\xfe\n", "fine-tune") or "")
    assert "line 3 is not valid JSON" in (upload_problem(line(1) + b"\n\n{oops\n", "batch") or "")
    assert "line 1 is not a JSON object" in (upload_problem(b"[]\n", "fine-tune") or "")
    assert upload_problem(b'{"messages": []}\n', "fine-tune") is None
    assert "'body' that is not a JSON object" in (upload_problem(line(1, body=[1]), "batch") or "")


def test_blank_lines_and_crlf_keep_their_numbers() -> None:
    parsed = parse_batch(line(1) + b"\r\n\r\n" + line(2) + b"\r\n", EP)
    assert not parsed.errors
    assert [(r.line, r.custom_id) for r in parsed.requests] == [(1, "c1"), (3, "c2")]
    assert parsed.model == "m"


def test_empty_and_oversized_files() -> None:
    assert [e["code"] for e in parse_batch(b"\n \n", EP).errors] == ["empty_file"]
    big = b"\n".join(line(i) for i in range(MAX_BATCH_REQUESTS + 1))
    assert parse_batch(big, EP).errors[0]["code"] == "too_many_tasks"


def test_model_may_be_left_out_for_moderations_only() -> None:
    body = {"input": "hello"}
    ok = parse_batch(line(1, url="/v1/moderations", body=body), "/v1/moderations")
    assert not ok.errors and ok.model is None
    bad = parse_batch(line(1, body=body), EP)
    assert [(e["code"], e["param"], e["line"]) for e in bad.errors] == [("missing_required_parameter", "body.model", 1)]


def test_errors_make_no_requests() -> None:
    parsed = parse_batch(line(1) + b"\nnot json\n", EP)
    assert parsed.requests == []
    assert parsed.errors == [
        {"code": "invalid_json_line", "message": parsed.errors[0]["message"], "param": None, "line": 2}
    ]
