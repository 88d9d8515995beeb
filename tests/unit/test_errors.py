"""fakeai.errors: OpenAI's error envelope, param paths from pydantic locs, wording and codes of 400s."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fakeai import errors
from fakeai.errors import APIError, from_validation, param_path

# ---------------------------------------------------------------------- small models


class Text(BaseModel):
    type: Literal["text"]
    text: str


class Image(BaseModel):
    type: Literal["image_url"]
    image_url: dict[str, str]


Part = Annotated[Text | Image, Field(discriminator="type")]


class UserMessage(BaseModel):
    role: Literal["user"]
    content: str | list[Part]


class SystemMessage(BaseModel):
    role: Literal["system"]
    content: str


Message = Annotated[UserMessage | SystemMessage, Field(discriminator="role")]


class Chat(BaseModel):
    model: str
    messages: list[Message]
    temperature: float | None = None
    n: int = 1
    grid: list[list[int]] = []
    mode: Literal["fast", "slow"] = "fast"
    stream: bool = False


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class Positive(BaseModel):
    count: int

    @field_validator("count")
    @classmethod
    def _positive(cls, v: int) -> int:
        if v <= 0:
            raise ValueError("must be positive")
        return v


def _error(model: type[BaseModel], data: Any, prefix: str = "") -> dict[str, Any]:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    err = from_validation(exc.value, data, prefix)
    assert isinstance(err, APIError)
    assert err.status == 400
    assert err.type == "invalid_request_error"
    return err.body()["error"]


# ---------------------------------------------------------------------- param_path


@pytest.mark.parametrize(
    ("loc", "data", "missing", "expected"),
    [
        (
            ("messages", 0, "user", "content"),
            {"messages": [{"role": "user", "content": 5}]},
            False,
            "messages[0].content",
        ),
        (
            ("messages", 0, "user", "content", "str"),
            {"messages": [{"role": "user", "content": 5}]},
            False,
            "messages[0].content",
        ),
        (("messages", 0, "user", "content"), {"messages": [{"role": "user"}]}, True, "messages[0].content"),
        (("model",), {}, True, "model"),
        (("model",), {}, False, ""),
        (("grid", 1, 0), {"grid": [[1], ["x", 2]]}, False, "grid[1][0]"),
        (("grid", 1, 0, "int"), {"grid": [[1], [[3]]]}, False, "grid[1][0]"),
        (("a", "b", "c"), {"a": {"b": {}}}, True, "a.b.c"),
        (("a", 3), {"a": [1]}, False, "a"),  # an index past the end is not in the input
        (
            ("messages", 0, "user", "content", "list[tagged-union[Text,Image]]", 1, "image_url", "image_url", "url"),
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "text", "text": "x"}, {"type": "image_url", "image_url": {"url": 1}}],
                    }
                ]
            },
            False,
            "messages[0].content[1].image_url.url",
        ),
        (
            ("messages", 0, "user", "content", "list[tagged-union[Text,Image]]", 0, "text", "text"),
            {"messages": [{"role": "user", "content": [{"type": "text"}]}]},
            True,
            "messages[0].content[0].text",
        ),
        (("metadata", "k"), {"metadata": {"k": 1}}, False, "metadata.k"),
    ],
)
def test_param_path(loc: tuple[int | str, ...], data: Any, missing: bool, expected: str) -> None:
    assert param_path(loc, data, missing) == expected


@pytest.mark.parametrize(
    ("loc", "data", "missing", "expected"),
    [
        (
            ("tool_calls", 0, "function", "id"),
            {"tool_calls": [{"id": 5, "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            False,
            "tool_calls[0].id",
        ),
        (
            ("tool_calls", 0, "function", "id"),
            {"tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            True,
            "tool_calls[0].id",
        ),
    ],
    ids=["type-error", "missing"],
)
def test_param_path_tag_equal_to_a_field_name(
    loc: tuple[int | str, ...], data: Any, missing: bool, expected: str
) -> None:
    assert param_path(loc, data, missing) == expected


def test_tool_call_id_error_names_the_id_in_the_real_model() -> None:
    from fakeai.generated import models

    data = {
        "model": "gpt-4o",
        "messages": [
            {
                "role": "assistant",
                "tool_calls": [{"id": 5, "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            }
        ],
    }
    err = _error(models.CreateChatCompletionRequest, data)
    assert err["param"] == "messages[0].tool_calls[0].id"


# ---------------------------------------------------------------------- from_validation


def test_missing_field() -> None:
    err = _error(Chat, {"messages": []})
    assert err == {
        "message": "Missing required parameter: 'model'.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "missing_required_parameter",
    }


def test_missing_nested_field_wins_over_a_type_error() -> None:
    err = _error(Chat, {"model": 5, "messages": [{"role": "user"}]})
    assert err["param"] == "messages[0].content"
    assert err["code"] == "missing_required_parameter"
    assert err["message"] == "Missing required parameter: 'messages[0].content'."


@pytest.mark.parametrize(
    ("data", "param", "expected", "got"),
    [
        ({"model": 5, "messages": []}, "model", "a string", "an integer"),
        ({"model": "m", "messages": "hi"}, "messages", "an array", "a string"),
        ({"model": "m", "messages": [], "temperature": "hot"}, "temperature", "a number", "a string"),
        ({"model": "m", "messages": [], "n": "many"}, "n", "an integer", "a string"),
        ({"model": "m", "messages": [], "n": [1]}, "n", "an integer", "an array"),
        ({"model": "m", "messages": [], "stream": "maybe"}, "stream", "a boolean", "a string"),
        ({"model": "m", "messages": [], "grid": [[1], ["x"]]}, "grid[1][0]", "an integer", "a string"),
        ({"model": "m", "messages": [{"role": "system", "content": None}]}, "messages[0].content", "a string", "null"),
        (
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": {}}]}]},
            "messages[0].content[0].text",
            "a string",
            "an object",
        ),
    ],
)
def test_type_errors(data: dict[str, Any], param: str, expected: str, got: str) -> None:
    err = _error(Chat, data)
    assert err["code"] == "invalid_type"
    assert err["param"] == param
    assert err["message"] == f"Invalid type for '{param}': expected {expected}, but got {got} instead."


def test_type_error_of_the_whole_body() -> None:
    err = _error(Chat, [1, 2])
    assert err["param"] is None
    assert err["message"] == "Invalid type for the request body: expected an object, but got an array instead."


def test_literal_error() -> None:
    err = _error(Chat, {"model": "m", "messages": [], "mode": "medium"})
    assert err["code"] == "invalid_value"
    assert err["param"] == "mode"
    assert err["message"] == "Invalid value for 'mode': 'medium'. Supported values are: 'fast' or 'slow'."


def test_union_tag_error() -> None:
    err = _error(Chat, {"model": "m", "messages": [{"role": "robot", "content": "x"}]})
    assert err["code"] == "invalid_value"
    assert err["param"] == "messages[0]"
    assert err["message"].startswith("Invalid value for 'messages[0]': Input tag 'robot' found using 'role'")


def test_value_error() -> None:
    err = _error(Positive, {"count": -3})
    assert err == {
        "message": "Invalid value for 'count': Value error, must be positive.",
        "type": "invalid_request_error",
        "param": "count",
        "code": "invalid_value",
    }


def test_extra_forbidden() -> None:
    err = _error(Strict, {"name": "x", "colour": "red"})
    assert err["code"] == "unknown_parameter"
    assert err["param"] == "colour"
    assert err["message"] == "Unrecognized request argument supplied: colour"


def test_prefix_is_prepended() -> None:
    err = _error(Chat, {"messages": []}, prefix="body")
    assert err["param"] == "body.model"
    assert err["message"] == "Missing required parameter: 'body.model'."


# ---------------------------------------------------------------------- APIError and helpers


def test_api_error_response_envelope() -> None:
    e = APIError(
        429,
        "Slow down.",
        type="rate_limit_error",
        param="model",
        code="rate_limit_exceeded",
        headers={"retry-after": "2"},
    )
    assert str(e) == "Slow down."
    r = e.response()
    assert r.status_code == 429
    assert r.media_type == "application/json"
    assert r.headers["retry-after"] == "2"
    assert r.headers["content-type"] == "application/json"
    assert orjson.loads(r.body) == {
        "error": {"message": "Slow down.", "type": "rate_limit_error", "param": "model", "code": "rate_limit_exceeded"}
    }


def test_api_error_defaults() -> None:
    body = orjson.loads(APIError(400, "Bad.").response().body)
    assert body == {"error": {"message": "Bad.", "type": "invalid_request_error", "param": None, "code": None}}


def test_helpers() -> None:
    nf = errors.not_found("No such file: 'file_1'.", param="file_id", code="not_found")
    assert (nf.status, nf.type, nf.param, nf.code) == (404, "invalid_request_error", "file_id", "not_found")
    br = errors.bad_request("Nope.")
    assert (br.status, br.message, br.param, br.code) == (400, "Nope.", None, None)
    se = errors.server_error()
    assert (se.status, se.type) == (500, "server_error")
    assert se.message == "The server had an error while processing your request."


def test_invalid_api_key_masks_the_key() -> None:
    key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789WXYZ"
    e = errors.invalid_api_key(key)
    assert (e.status, e.code, e.type) == (401, "invalid_api_key", "invalid_request_error")
    assert key not in e.message
    assert "abcdefghij" not in e.message
    shown = "sk-" + "*" * 20 + "WXYZ"
    assert e.message.startswith(f"Incorrect API key provided: {shown}.")
    assert "FAKEAI_API_KEYS" in e.message


def test_invalid_api_key_mask_keeps_short_keys_short() -> None:
    e = errors.invalid_api_key("sk-12345678")  # 11 chars: 3 shown, 4 hidden, 4 shown
    assert "Incorrect API key provided: sk-****5678." in e.message
    assert errors.invalid_api_key("abc").message.startswith("Incorrect API key provided: abc.")


@pytest.mark.parametrize("key", [None, ""])
def test_invalid_api_key_without_a_key(key: str | None) -> None:
    e = errors.invalid_api_key(key)
    assert e.status == 401
    assert e.code == "invalid_api_key"
    assert e.message.startswith("You didn't provide an API key.")
    assert "Authorization: Bearer YOUR_KEY" in e.message
