"""Configuration: every knob is a flag, a FAKEAI_* environment variable and a key of an optional YAML file.

Precedence: flag > environment > config file > default. `AppConfig` is the settings class under the name the
seeds' examples use (`from fakeai.config import AppConfig`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_API_KEYS = ["sk-fakeai-1234567890abcdef", "sk-test-abcdefghijklmnop"]
FAULT_TYPES = (
    "rate_limit",
    "invalid_api_key",
    "context_length",
    "server_error",
    "service_unavailable",
    "timeout",
    "model_not_found",
    "disconnect",
    "malformed_chunk",
)

_Keys = Annotated[list[str], NoDecode]


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "fakeai"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAKEAI_", extra="ignore", validate_default=True)

    # --- server
    host: str = Field("127.0.0.1", description="Address to bind.")
    port: int = Field(8000, ge=0, le=65535, description="Port to bind.")
    workers: int = Field(1, ge=1, description="Uvicorn worker processes.")
    debug: bool = Field(False, description="Debug logging and auto-reload.")
    log_level: str = Field("info", description="Log level: critical, error, warning, info, debug.")
    spec: Path | None = Field(None, description="Serve this OpenAPI 3.0/3.1 document instead of the built-in spec.")
    spec_cache_dir: Path | None = Field(None, description="Where compiled --spec packages are cached.")
    data_dir: str = Field(
        default_factory=lambda: str(_default_data_dir()),
        description="Directory of the SQLite store (':memory:' keeps nothing).",
    )
    max_body_bytes: int = Field(512 * 1024 * 1024, ge=1, description="Largest request body accepted (413 above).")

    # --- auth
    require_api_key: bool = Field(True, description="Require `Authorization: Bearer KEY`.")
    api_keys: _Keys = Field(default_factory=lambda: list(DEFAULT_API_KEYS), description="Accepted API keys.")
    admin_api_keys: _Keys = Field(
        default_factory=list, description="Admin keys for /organization/*; empty: any API key is accepted."
    )

    # --- request handling
    strict_params: bool = Field(False, description="Reject unknown request fields with OpenAI's 400.")
    strict_models: bool = Field(False, description="Unknown model ids get 404 model_not_found.")
    catalog_file: Path | None = Field(None, description="A YAML file of models added to (or overriding) the catalog.")
    echo: bool = Field(False, description="Every generation answers with the last user message (per model: catalog).")
    variety: bool = Field(
        False, description="Requests without a seed vary between calls (default: same request, same answer)."
    )

    # --- simulated latency (the seeds' knobs; see the latency model)
    fast: bool = Field(False, description="Zero simulated latency, for CI and for measuring fakeai's own cost.")
    response_delay: float = Field(0.0, ge=0, description="Base delay added to every response, seconds.")
    random_delay: bool = Field(False, description="Vary the delay randomly.")
    max_variance: float = Field(0.3, ge=0, description="Maximum relative variance of the random delay.")

    # --- serving simulation (behaviors/latency.py): per model, from its catalog profile unless overridden
    latency_mode: Literal["open", "batching"] = Field(
        "open", description="open: TTFT and ITL per request; batching: a continuous-batching engine that ticks."
    )
    latency_profile: str | None = Field(None, description="Use this catalog latency profile for every model.")
    ttft: float | None = Field(
        None, ge=0, description="Time to first token, seconds (overrides the profile's prefill)."
    )
    itl: float | None = Field(None, ge=0, description="Inter-token latency, seconds (overrides the profile).")
    jitter_cv: float | None = Field(None, ge=0, description="Coefficient of variation of the lognormal jitter.")
    max_num_seqs: int | None = Field(None, ge=1, description="Requests running at once per simulated worker.")
    max_queue: int = Field(1024, ge=0, description="Requests that may wait for a slot; beyond that, 429.")
    load_stretch: float = Field(0.5, ge=0, description="Open loop: how much prefill and ITL stretch at full load.")
    step_ms: float | None = Field(None, gt=0, description="Batching: engine step in ms (default: the profile's ITL).")
    max_batch_size: int | None = Field(None, ge=1, description="Batching: sequences per step (default max_num_seqs).")
    prefill_chunk: int = Field(512, ge=1, description="Batching: prefill tokens per sequence per step.")
    prefill_budget: int = Field(2048, ge=1, description="Batching: prefill tokens per step, all sequences.")
    kv_block_size: int = Field(16, ge=1, description="KV cache block size in tokens.")
    kv_blocks: int = Field(16384, ge=1, description="KV cache capacity in blocks, per simulated worker.")
    kv_workers: int = Field(1, ge=1, description="Simulated workers behind the KV-aware router.")
    router_overlap_weight: float = Field(1.0, ge=0, description="KV router: weight of the cached prefix.")
    router_load_weight: float = Field(1.0, ge=0, description="KV router: weight of the worker's load.")
    startup_delay: float = Field(0.0, ge=0, description="Seconds after start-up during which inference answers 503.")

    background_grace: float = Field(
        10.0,
        ge=0,
        description="Responses API: a background create waits this long for its answer before returning it queued.",
    )

    # --- stored resources
    batch_pace: float = Field(0.0, ge=0, description="Seconds between a batch's lines (0: back to back, 8 at a time).")

    # --- faults and rate limits (off by default)
    fault_rate: float = Field(0.0, ge=0, le=1, description="Share of requests that get an injected fault.")
    fault_types: _Keys = Field(
        default_factory=lambda: list(FAULT_TYPES), description="Faults to draw from (see README: Faults)."
    )
    fault_timeout: float = Field(30.0, ge=0, description="How long the `timeout` fault holds a request, seconds.")
    rate_limit_rpm: int = Field(0, ge=0, description="Requests per minute per API key (0: no limit).")
    rate_limit_tpm: int = Field(0, ge=0, description="Tokens per minute per API key (0: no limit).")

    @field_validator("fault_types")
    @classmethod
    def _known_faults(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - set(FAULT_TYPES))
        if unknown:
            raise ValueError(f"unknown fault types {unknown}; known: {', '.join(FAULT_TYPES)}")
        return v

    @field_validator("api_keys", "admin_api_keys", "fault_types", mode="before")
    @classmethod
    def _split_keys(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip()
            if v.startswith("["):
                import json

                return json.loads(v)
            return [k.strip() for k in v.split(",") if k.strip()]
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        from pydantic_settings import YamlConfigSettingsSource

        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if settings_cls.model_config.get("yaml_file"):
            sources.append(YamlConfigSettingsSource(settings_cls))
        return tuple(sources)


AppConfig = Settings


def load(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from overrides (flags) > FAKEAI_* environment > YAML config file > defaults."""
    cls: type[Settings] = Settings
    if config_file is not None:
        if not config_file.is_file():
            raise FileNotFoundError(f"config file not found: {config_file}")
        config = SettingsConfigDict(**{**Settings.model_config, "yaml_file": config_file})
        cls = type("Settings", (Settings,), {"model_config": config})
    return cls(**overrides)
