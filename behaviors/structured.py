"""Structured outputs: response_format json_schema (strict or not) and json_object; the Responses API's
text.format. The content is JSON valid for the schema, with values from the prompt where a field name allows."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from fakeai.errors import APIError

from .generation import Answer, Budget, generator, text_answer
from .sim.textgen import pick_keywords
from .tools import jsongen


@dataclass(frozen=True)
class Format:
    kind: str  # json_schema | json_object
    schema: dict[str, Any] | None = None
    name: str = "response"
    strict: bool = False


def response_format(rf: Any, param: str = "response_format") -> Format | None:
    """The structured format a request asks for (None for plain text). An invalid schema is a 400 naming it."""
    if not isinstance(rf, dict) or rf.get("type") in (None, "text"):
        return None
    if rf["type"] == "json_object":
        return Format("json_object")
    if rf["type"] != "json_schema":
        return None
    spec = rf.get("json_schema", rf)  # chat nests it under json_schema; Responses' text.format is flat
    schema = spec.get("schema")
    where = f"{param}.json_schema.schema" if "json_schema" in rf else f"{param}.schema"
    if schema is None:
        return Format("json_object", name=str(spec.get("name", "response")))
    if not isinstance(schema, dict):
        raise APIError(400, f"Invalid schema for response_format: '{where}' must be an object.", param=where)
    problem = jsongen().validate_schema(schema)
    if problem is not None:
        name = spec.get("name", "response")
        raise APIError(
            400, f"Invalid schema for response_format '{name}': {problem}", param=where, code="invalid_json_schema"
        )
    return Format("json_schema", schema, str(spec.get("name", "response")), bool(spec.get("strict")))


def value(fmt: Format, topic: str, rng: random.Random) -> Any:
    if fmt.schema is not None:
        return jsongen().generate(fmt.schema, prompt=topic, rng=rng)
    keywords = pick_keywords(topic, 3)
    sentence = "".join(generator().generate(topic, rng, 40)).strip()
    return {"answer": sentence, "topics": keywords}


def answer(fmt: Format, topic: str, rng: random.Random, budget: Budget, reasoning: list[str]) -> Answer:
    remaining = Budget(limit=max(0, budget.limit - len(reasoning)))
    out = text_answer(json.dumps(value(fmt, topic, rng), ensure_ascii=False), remaining)
    out.reasoning = reasoning
    return out
