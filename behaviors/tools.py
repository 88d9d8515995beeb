"""Tool and function calling: whether to call, which function, how many calls, and their arguments.

tool_choice none / auto / required / a named function; legacy functions + function_call. With parallel tool
calls a prompt that names several entities of the same kind ("New York, London, and Tokyo") gets one call per
entity. Arguments are JSON valid for the tool's `parameters`, with values from the prompt where a property
name allows (see sim/jsongen). A follow-up turn holding tool results gets a final answer that uses them.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass, field
from typing import Any

from fakeai.errors import APIError

from .generation import Answer, Budget, generator, text_answer
from .prompt import content_text, last_user_text, tool_results_after_last_user
from .sim import tokenizer

_STOP = {
    "a", "an", "the", "of", "in", "on", "at", "for", "to", "and", "or", "is", "are", "what", "whats", "what's",
    "how", "me", "my", "i", "you", "please", "tell", "give", "get", "like", "it", "this", "that", "with", "by",
    "about", "current", "can", "could", "would", "do", "does", "be", "from", "there", "today", "now",
}  # fmt: skip
_ENTITY_PROPS = re.compile(
    r"location|city|place|destination|origin|country|region|symbol|ticker|company|name|query|term"
)
_JSONGEN: Any = None


def jsongen() -> Any:
    global _JSONGEN
    if _JSONGEN is None:
        from .sim.jsongen import JsonGenerator

        _JSONGEN = JsonGenerator()
    return _JSONGEN


@dataclass
class CallPlan:
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    function_call: dict[str, Any] | None = None


def functions(req: dict[str, Any]) -> list[dict[str, Any]]:
    """The callable functions of a request: `tools` of type function, or the legacy `functions`."""
    out = [t["function"] for t in req.get("tools") or [] if t.get("type") == "function" and "function" in t]
    return out or list(req.get("functions") or [])


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 1}


def relevance(fn: dict[str, Any], prompt: str) -> int:
    name_words = set(re.split(r"[_\W]+", str(fn.get("name", "")).lower()))
    desc = str(fn.get("description") or "")
    props = " ".join((fn.get("parameters") or {}).get("properties", {}) or {})
    return len(words(prompt) & (words(desc) | words(props) | {w for w in name_words if w not in _STOP}))


def entities(prompt: str, fn: dict[str, Any] | None = None) -> list[str]:
    """The prompt's named things of the kind the function takes: 'weather in New York, London, and Tokyo' gives
    the three cities for a `location` parameter; companies for `symbol`; people for `name`."""
    from .sim.jsongen_entities import find_entities

    found = find_entities(prompt)
    props = " ".join((fn or {}).get("parameters", {}).get("properties", {}) or {}).lower()
    places = [p.name for p in found.places]
    if re.search(r"location|city|place|destination|origin|country|region", props):
        return places
    if re.search(r"symbol|ticker|company", props):
        return list(found.companies) or re.findall(r"\b[A-Z]{2,5}\b", prompt)
    if re.search(r"name|person", props):
        return list(found.persons)
    return list(dict.fromkeys([*places, *found.persons, *found.companies, *found.proper]))


def takes_entity(fn: dict[str, Any]) -> bool:
    props = (fn.get("parameters") or {}).get("properties") or {}
    return any(
        _ENTITY_PROPS.search(k.lower()) and (v or {}).get("type", "string") == "string" for k, v in props.items()
    )


def _call_id(rng: random.Random) -> str:
    return "call_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))


def _arguments(fn: dict[str, Any], prompt: str, rng: random.Random, entity: str | None) -> str:
    schema = fn.get("parameters") or {"type": "object", "properties": {}}
    return json.dumps(jsongen().generate(schema, prompt=prompt, rng=rng, entity=entity))


def _chosen(req: dict[str, Any], fns: list[dict[str, Any]]) -> tuple[str, str | None]:
    """(mode, forced function name) from tool_choice or the legacy function_call."""
    choice = req.get("tool_choice") if req.get("tools") else req.get("function_call")
    if choice is None:
        return "auto", None
    if isinstance(choice, str):
        return choice, None
    name = (choice.get("function") or {}).get("name") if "function" in choice else choice.get("name")
    if choice.get("type") == "allowed_tools":
        return (choice.get("allowed_tools") or {}).get("mode", "auto"), None
    if name is None:
        return "required", None
    if name not in {f.get("name") for f in fns}:
        field, listed = ("tool_choice", "tools") if req.get("tools") else ("function_call", "functions")
        raise APIError(400, f"Invalid value for '{field}': no function named '{name}' in '{listed}'.", param=field)
    return "named", str(name)


def plan_calls(req: dict[str, Any], messages: list[dict[str, Any]], rng: random.Random) -> CallPlan | None:
    """The calls the model makes, or None when it answers in text."""
    fns = functions(req)
    if not fns:
        return None
    mode, forced = _chosen(req, fns)
    if mode == "none" or (mode == "auto" and has_results(messages)):
        return None
    prompt = last_user_text(messages)
    if forced is not None:
        fn = next(f for f in fns if f.get("name") == forced)
    else:
        scored = sorted(fns, key=lambda f: -relevance(f, prompt))
        fn = scored[0]
        if mode == "auto" and relevance(fn, prompt) == 0:
            return None
    legacy = not req.get("tools")
    if legacy:
        return CallPlan(function_call={"name": fn["name"], "arguments": _arguments(fn, prompt, rng, None)})
    targets: list[str | None] = [None]
    names = entities(prompt, fn)
    if req.get("parallel_tool_calls", True) is not False and len(names) > 1 and takes_entity(fn):
        targets = list(names)
    elif len(names) == 1 and takes_entity(fn):
        targets = [names[0]]
    calls = [
        {
            "id": _call_id(rng),
            "type": "function",
            "function": {"name": fn["name"], "arguments": _arguments(fn, prompt, rng, t)},
        }
        for t in targets
    ]
    return CallPlan(tool_calls=calls)


def call_tokens(fn: dict[str, Any]) -> int:
    return tokenizer.count_tokens(str(fn.get("name", ""))) + tokenizer.count_tokens(str(fn.get("arguments", ""))) + 3


def has_results(messages: list[dict[str, Any]]) -> bool:
    return bool(tool_results_after_last_user(messages)) and messages[-1].get("role") in ("tool", "function")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        parts = [
            f"the {str(k).replace('_', ' ')} is {_describe(v)}"
            for k, v in value.items()
            if not isinstance(v, dict | list)
        ]
        nested = [_describe(v) for v in value.values() if isinstance(v, dict | list)]
        text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")
        return "; ".join(t for t in [text, *nested] if t)
    if isinstance(value, list):
        return ", ".join(_describe(v) for v in value[:6])
    return str(value)


def final_answer(messages: list[dict[str, Any]], topic: str, rng: random.Random, budget: Budget) -> Answer:
    """The turn after tool results: a reply that states what the tools returned."""
    facts = []
    for m in tool_results_after_last_user(messages):
        raw = content_text(m.get("content"))
        try:
            facts.append(_describe(json.loads(raw)))
        except (ValueError, TypeError):
            facts.append(raw.strip())
    summary = "; ".join(f for f in facts if f) or "the tool returned no data"
    lead = f"Based on the results, {summary}."
    follow = "".join(generator().generate(topic, rng, 40))
    return text_answer(lead[0].upper() + lead[1:] + " " + follow, budget)
