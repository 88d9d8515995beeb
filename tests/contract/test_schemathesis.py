"""schemathesis over every operation of spec/, in-process, positive and negative data, every check.

Two exclusions, both forced by the wire format rather than by the server: in multipart bodies and in
deepObject query parameters every value is text, so a negative case that changes a value's JSON *type* arrives
as a valid string; `negative_data_rejection` is not run for those operations. And where schemathesis can
generate no negative case at all (an operation whose only inputs are free-form path strings) the negative run
is skipped, saying so.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.generation import GenerationMode

from fakeai.app import create_app
from tests.conftest import API_KEY, make_settings

APP = create_app(make_settings())
_AUTH = {"bearer": API_KEY}
CONFIG = schemathesis.Config.from_dict({"auth": {"openapi": {"ApiKeyAuth": _AUTH, "AdminApiKeyAuth": _AUTH}}})
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)
OPERATIONS = [r.ok() for r in SCHEMA.get_all_operations()]
MAX_EXAMPLES = 12

# Rules a schema cannot state: they span fields or need the data itself (an upload that is not an image, more
# embedding dimensions than the model has, a size or voice the model does not offer). A schema-valid request may
# break them, and OpenAI answers 400 naming the field; for these operations such a 400 is accepted in positive
# cases, but only when its `param` is one of the fields listed (a prefix match, for `images[0].image_url`).
SEMANTIC_400: dict[str, tuple[str, ...]] = {
    "createEmbedding": ("dimensions",),
    "createImage": ("size", "quality", "n", "output_format", "background", "prompt"),
    "createImageEdit": ("image", "images[", "mask", "size", "quality", "output_format", "background", "prompt"),
    "createImageVariation": ("image", "size"),
    "createSpeech": ("voice",),
    "createModeration": ("input",),
    # a tool_choice / function_call that names a function the request does not define
    "createChatCompletion": ("tool_choice", "function_call"),
    "createFile": ("file",),  # files for batch and fine-tune must be JSONL, checked line by line
}


def _text_encoded(op: schemathesis.APIOperation) -> bool:
    raw = op.definition.raw
    bodies = raw.get("requestBody", {}).get("content", {})
    deep = any(p.get("style") == "deepObject" for p in raw.get("parameters", []))
    return deep or (bool(bodies) and all(ct.startswith("multipart/") for ct in bodies))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.label)
def test_operation(op: schemathesis.APIOperation, mode: GenerationMode) -> None:
    excluded = [negative_data_rejection] if mode is GenerationMode.NEGATIVE and _text_encoded(op) else []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(op.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        allowed = SEMANTIC_400.get(op.definition.raw.get("operationId", ""), ())
        if mode is not GenerationMode.POSITIVE or not allowed:
            case.call_and_validate(excluded_checks=excluded)
            return
        response = case.call()
        semantic = response.status_code == 400 and str(_error_param(response)).startswith(allowed)
        case.validate_response(
            response, excluded_checks=[*excluded, positive_data_acceptance] if semantic else excluded
        )

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            pytest.skip(f"schemathesis can generate no schema-violating request for {op.label}")
        raise
    except Exception as e:  # schemathesis' own generation limits, not server failures
        if mode is GenerationMode.NEGATIVE and "does not support" in str(e):
            pytest.skip(f"schemathesis cannot generate negative data for {op.label}: {str(e)[:120]}")
        raise


def _error_param(response: object) -> str | None:
    try:
        return str(response.json()["error"]["param"])  # type: ignore[attr-defined]
    except Exception:
        return None


def test_every_operation_is_covered() -> None:
    from fakeai.generated.operations import OPERATIONS as TABLE

    labels = {op.label for op in OPERATIONS}
    assert {f"{op.method} {op.path}" for op in TABLE} == labels
