"""The model catalog: which models exist, what they can do, how fast and how expensive they are.

A declarative YAML file ships with the package (behaviors/data/catalog.yaml); a user file named by the
`catalog_file` setting adds models or overrides them by id. Unknown model ids are created on first use, as the
seeds document (their kind guessed from the name), unless `strict_models` is set. Pure data: no web framework.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, fields, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

KINDS = ("chat", "reasoning", "embedding", "image", "audio", "moderation", "rerank")


@dataclass(frozen=True)
class LatencyProfile:
    """Open-loop timing of one simulated inference server (seconds)."""

    name: str = "instant"
    prefill_overhead: float = 0.0
    prefill_per_token: float = 0.0
    itl: float = 0.0
    max_num_seqs: int = 1024
    jitter_cv: float = 0.0


@dataclass(frozen=True)
class ModelInfo:
    id: str
    owned_by: str = "fakeai"
    kind: str = "chat"
    created: int = 1735689600
    context_window: int = 131072
    max_output_tokens: int = 16384
    embedding_dimensions: int | None = None
    reasoning: bool = False
    vision: bool = False
    audio_input: bool = False
    audio_output: bool = False
    latency_profile: str = "medium"
    price_input: float = 0.0
    price_output: float = 0.0
    price_per_image: float | None = None
    price_per_minute: float | None = None
    max_input_tokens: int | None = None
    echo: bool = False
    aliases: tuple[str, ...] = ()
    dynamic: bool = False

    def as_openai(self) -> dict[str, Any]:
        """The Model object, with the fields vLLM adds (root, parent, max_model_len) for clients that read them."""
        return {
            "id": self.id,
            "object": "model",
            "created": self.created,
            "owned_by": self.owned_by,
            "root": self.id,
            "parent": None,
            "max_model_len": self.context_window,
        }


_FIELDS = {f.name for f in fields(ModelInfo)}
_PROFILE_FIELDS = {f.name for f in fields(LatencyProfile)}


def guess_kind(model_id: str) -> str:
    """The kind of an unknown model, from its name (text-embedding-..., whisper-..., dall-e-..., ...-rerank...)."""
    name = model_id.lower()
    rules = (
        (r"embed|bge-(?!rerank)|e5-|gte-|minilm|mpnet", "embedding"),
        (r"rerank|ranker|nv-rerankqa", "rerank"),
        (r"moderation", "moderation"),
        (r"dall-e|gpt-image|diffusion|sdxl|flux|imagen", "image"),
        (r"whisper|transcribe|tts|speech|audio-only", "audio"),
        (r"(^|[-/])o[1-9]($|-)|deepseek-r1|reason|thinking|qwq|gpt-oss", "reasoning"),
    )
    for pattern, kind in rules:
        if re.search(pattern, name):
            return kind
    return "chat"


@dataclass
class Catalog:
    models: dict[str, ModelInfo]
    profiles: dict[str, LatencyProfile]
    defaults: dict[str, Any] = field(default_factory=dict)
    _aliases: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._reindex()

    def _reindex(self) -> None:
        self._aliases = {a.lower(): m.id for m in self.models.values() for a in (m.id, *m.aliases)}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, user_file: Path | None = None) -> Catalog:
        base = yaml.safe_load(files("fakeai.behaviors").joinpath("data", "catalog.yaml").read_text())
        docs = [base]
        if user_file is not None:
            docs.append(yaml.safe_load(Path(user_file).read_text()) or {})
        defaults: dict[str, Any] = {}
        profiles: dict[str, LatencyProfile] = {"instant": LatencyProfile()}
        entries: dict[str, dict[str, Any]] = {}
        for doc in docs:
            defaults.update(doc.get("defaults") or {})
            for name, p in (doc.get("profiles") or {}).items():
                profiles[name] = LatencyProfile(name=name, **{k: v for k, v in p.items() if k in _PROFILE_FIELDS})
            for entry in doc.get("models") or []:
                if not isinstance(entry, dict) or "id" not in entry:
                    raise ValueError(f"catalog entry without an id: {entry!r}")
                unknown = set(entry) - _FIELDS
                if unknown:
                    raise ValueError(f"catalog entry {entry['id']}: unknown keys {sorted(unknown)}")
                entries[entry["id"]] = {**entries.get(entry["id"], {}), **entry}
        models = {}
        for mid, entry in entries.items():
            merged = {k: v for k, v in defaults.items() if k in _FIELDS}
            merged.update(entry)
            merged["aliases"] = tuple(merged.get("aliases") or ())
            info = ModelInfo(**merged)
            if info.kind not in KINDS:
                raise ValueError(f"catalog entry {mid}: kind {info.kind!r} is not one of {KINDS}")
            if info.latency_profile not in profiles:
                raise ValueError(f"catalog entry {mid}: no latency profile {info.latency_profile!r}")
            models[mid] = info
        return cls(models=models, profiles=profiles, defaults=defaults)

    # ------------------------------------------------------------------ lookups
    def get(self, model_id: str) -> ModelInfo | None:
        mid = self._aliases.get(model_id.lower())
        return self.models.get(mid) if mid else None

    def create(self, model_id: str) -> ModelInfo:
        """Add an unknown model on first use, with the kind its name suggests."""
        with self._lock:
            existing = self.get(model_id)
            if existing is not None:
                return existing
            kind = guess_kind(model_id)
            base = {k: v for k, v in self.defaults.items() if k in _FIELDS}
            base.update(
                id=model_id, kind=kind, dynamic=True, owned_by=model_id.split("/")[0] if "/" in model_id else "user"
            )
            base["reasoning"] = kind == "reasoning"
            if kind == "embedding":
                base.update(embedding_dimensions=1536, context_window=8191, latency_profile="embedding")
            elif kind in ("image", "audio"):
                base.update(latency_profile="media")
            elif kind in ("rerank", "moderation"):
                base.update(latency_profile="embedding", max_input_tokens=8192)
            info = ModelInfo(**base)
            self.models[model_id] = info
            self._reindex()
            return info

    def add(self, info: ModelInfo) -> None:
        with self._lock:
            self.models[info.id] = info
            self._reindex()

    def remove(self, model_id: str) -> bool:
        with self._lock:
            info = self.get(model_id)
            if info is None:
                return False
            del self.models[info.id]
            self._reindex()
            return True

    def all(self) -> list[ModelInfo]:
        return sorted(self.models.values(), key=lambda m: m.id)

    def profile(self, model: ModelInfo) -> LatencyProfile:
        return self.profiles.get(model.latency_profile, LatencyProfile())

    def with_echo(self, model: ModelInfo) -> ModelInfo:
        return replace(model, echo=True)
