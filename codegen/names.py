"""Name computation. Every Python name that appears in generated code is computed here, never in a template."""

from __future__ import annotations

import keyword
import re

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def words(name: str) -> list[str]:
    """Split an identifier in any style (camelCase, kebab-case, snake_case, Title Case) into lowercase words."""
    return [w.lower() for w in _WORD.findall(name)]


def snake(name: str) -> str:
    """createChatCompletion -> create_chat_completion; admin-api-keys-list -> admin_api_keys_list."""
    out = "_".join(words(name)) or "op"
    if out[0].isdigit():
        out = "op_" + out
    if keyword.iskeyword(out):
        out += "_"
    return out


def pascal(name: str) -> str:
    """createChatCompletion -> CreateChatCompletion; admin-api-keys-list -> AdminApiKeysList."""
    out = "".join(w[:1].upper() + w[1:] for w in words(name)) or "Model"
    if out[0].isdigit():
        out = "M" + out
    return out


def schema_identifier(name: str) -> str:
    """A component schema name made safe as a Python class name, changing as little as possible.

    'MessagePhase-2' -> 'MessagePhase2', 'Beta_AgentTagParam' -> 'BetaAgentTagParam'; valid names are unchanged.
    """
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
        return name
    cleaned = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
    if not cleaned or cleaned[0].isdigit():
        cleaned = "Schema" + cleaned
    return cleaned


def route_path(path: str, greedy: frozenset[str]) -> str:
    """An OpenAPI path template as a Starlette route path; parameters in `greedy` may contain slashes."""
    return re.sub(r"\{([^}/]+)\}", lambda m: f"{{{m.group(1)}:path}}" if m.group(1) in greedy else m.group(0), path)


def path_sort_key(route: str, method: str) -> tuple[tuple[tuple[int, str], ...], int, str]:
    """Route order: literal segments before parameters, so `/responses/compact` is tried before
    `/responses/{id}`; a greedy `{x:path}` parameter after everything that shares its prefix, so
    `/models/{model:path}` does not swallow `/models/{model}/versions`."""
    segs = tuple(
        (2, "") if s.endswith(":path}") else (1, "") if s.startswith("{") else (0, s)
        for s in route.strip("/").split("/")
    )
    return (segs, 0, method)


# Names the route template itself uses: an operation may not take them as its function name.
RESERVED = frozenset(
    {"router", "dispatch", "build_router", "APIRouter", "Request", "Response", "Dispatch", "annotations"}
)
