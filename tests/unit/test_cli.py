"""fakeai.cli: every Settings field is a `fakeai serve` flag; --config; export_env round trip; version; compile."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakeai import __version__, cli, config
from fakeai.config import Settings

PYTHON = "/work/venv/bin/python" if Path("/work/venv/bin/python").exists() else sys.executable
FIELDS = sorted(Settings.model_fields)

# field -> (flag arguments, expected value); non-default values, one set per field.
FLAG_CASES: dict[str, list[tuple[list[str], Any]]] = {
    "host": [(["--host", "0.0.0.0"], "0.0.0.0")],
    "port": [(["--port", "9123"], 9123)],
    "workers": [(["--workers", "4"], 4)],
    "debug": [(["--debug"], True), (["--no-debug"], False)],
    "log_level": [(["--log-level", "debug"], "debug")],
    "spec": [(["--spec", "specs/custom.yaml"], Path("specs/custom.yaml"))],
    "spec_cache_dir": [(["--spec-cache-dir", "/tmp/fakeai-cache"], Path("/tmp/fakeai-cache"))],
    "data_dir": [(["--data-dir", ":memory:"], ":memory:"), (["--data-dir", "/var/lib/fakeai"], "/var/lib/fakeai")],
    "max_body_bytes": [(["--max-body-bytes", "1024"], 1024)],
    "require_api_key": [(["--require-api-key"], True), (["--no-require-api-key"], False)],
    "api_keys": [(["--api-keys", "sk-a,sk-b"], ["sk-a", "sk-b"]), (["--api-keys", "sk-one"], ["sk-one"])],
    "admin_api_keys": [(["--admin-api-keys", "sk-admin1,sk-admin2"], ["sk-admin1", "sk-admin2"])],
    "strict_params": [(["--strict-params"], True), (["--no-strict-params"], False)],
    "strict_models": [(["--strict-models"], True), (["--no-strict-models"], False)],
    "catalog_file": [(["--catalog-file", "models.yaml"], Path("models.yaml"))],
    "echo": [(["--echo"], True), (["--no-echo"], False)],
    "variety": [(["--variety"], True), (["--no-variety"], False)],
    "fast": [(["--fast"], True), (["--no-fast"], False)],
    "response_delay": [(["--response-delay", "0.75"], 0.75)],
    "random_delay": [(["--random-delay"], True), (["--no-random-delay"], False)],
    "max_variance": [(["--max-variance", "0.05"], 0.05)],
    "latency_mode": [(["--latency-mode", "batching"], "batching")],
    "latency_profile": [(["--latency-profile", "small"], "small")],
    "ttft": [(["--ttft", "0.1"], 0.1)],
    "itl": [(["--itl", "0.02"], 0.02)],
    "jitter_cv": [(["--jitter-cv", "0.2"], 0.2)],
    "max_num_seqs": [(["--max-num-seqs", "64"], 64)],
    "max_queue": [(["--max-queue", "8"], 8)],
    "load_stretch": [(["--load-stretch", "0.25"], 0.25)],
    "step_ms": [(["--step-ms", "12.5"], 12.5)],
    "max_batch_size": [(["--max-batch-size", "32"], 32)],
    "prefill_chunk": [(["--prefill-chunk", "256"], 256)],
    "prefill_budget": [(["--prefill-budget", "4096"], 4096)],
    "kv_block_size": [(["--kv-block-size", "32"], 32)],
    "kv_blocks": [(["--kv-blocks", "1000"], 1000)],
    "kv_workers": [(["--kv-workers", "4"], 4)],
    "router_overlap_weight": [(["--router-overlap-weight", "2"], 2.0)],
    "router_load_weight": [(["--router-load-weight", "0.5"], 0.5)],
    "startup_delay": [(["--startup-delay", "3"], 3.0)],
    "batch_pace": [(["--batch-pace", "0.05"], 0.05)],
    "background_grace": [(["--background-grace", "0"], 0.0)],
    "fault_rate": [(["--fault-rate", "0.1"], 0.1)],
    "fault_types": [(["--fault-types", "timeout,disconnect"], ["timeout", "disconnect"])],
    "fault_timeout": [(["--fault-timeout", "5"], 5.0)],
    "rate_limit_rpm": [(["--rate-limit-rpm", "60"], 60)],
    "rate_limit_tpm": [(["--rate-limit-tpm", "100000"], 100000)],
}


@pytest.fixture(autouse=True)
def restore_environ() -> Iterator[None]:
    """export_env writes os.environ directly (for uvicorn's workers): undo it, or later tests inherit FAKEAI_*."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("FAKEAI_"):
            monkeypatch.delenv(name)


def _serve(*args: str) -> Settings:
    ns = cli.build_parser().parse_args(["serve", *args])
    assert ns.command == "serve"
    return cli.settings_from_args(ns)


def test_flag_table_covers_every_settings_field() -> None:
    assert sorted(FLAG_CASES) == FIELDS


@pytest.mark.parametrize(
    ("field", "args", "expected"),
    [(f, a, e) for f in FIELDS for a, e in FLAG_CASES.get(f, [])],
    ids=[f"{f}:{' '.join(a)}" for f in FIELDS for a, _ in FLAG_CASES.get(f, [])],
)
def test_each_flag_sets_its_field(field: str, args: list[str], expected: Any) -> None:
    s = _serve(*args)
    assert getattr(s, field) == expected
    assert type(getattr(s, field)) is type(expected)
    # and nothing else moves from its default
    default = Settings().model_dump()
    changed = {k for k, v in s.model_dump().items() if v != default[k]}
    assert changed <= {field}


@pytest.mark.parametrize("field", [f for f in FIELDS if Settings.model_fields[f].annotation is bool])
def test_boolean_flags_override_the_opposite_env(field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    flag = "--" + field.replace("_", "-")
    monkeypatch.setenv(f"FAKEAI_{field.upper()}", "true")
    assert getattr(_serve(f"--no-{flag[2:]}"), field) is False
    monkeypatch.setenv(f"FAKEAI_{field.upper()}", "false")
    assert getattr(_serve(flag), field) is True


def test_no_flags_gives_defaults() -> None:
    assert _serve() == Settings()


def test_all_flags_at_once() -> None:
    args = [a for f in FIELDS for a in FLAG_CASES[f][0][0]]
    s = _serve(*args)
    for f in FIELDS:
        assert getattr(s, f) == FLAG_CASES[f][0][1], f


def test_invalid_flag_value_is_rejected() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="port"):
        _serve("--port", "not-a-port")


def test_config_file_is_honoured_and_a_flag_beats_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fakeai.yaml"
    path.write_text("port: 9001\nworkers: 3\napi_keys: [sk-file]\nstrict_models: true\n")
    s = _serve("--config", str(path))
    assert (s.port, s.workers, s.api_keys, s.strict_models) == (9001, 3, ["sk-file"], True)

    s = _serve("--config", str(path), "--port", "9100", "--no-strict-models")
    assert (s.port, s.workers, s.strict_models) == (9100, 3, False)

    monkeypatch.setenv("FAKEAI_WORKERS", "5")  # env sits between flag and file
    assert _serve("--config", str(path)).workers == 5


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        _serve("--config", str(tmp_path / "absent.yaml"))


@pytest.mark.parametrize(
    "args",
    [
        [],
        [a for f in FIELDS for a in FLAG_CASES[f][0][0]],
        ["--no-require-api-key", "--api-keys", "sk-x", "--admin-api-keys", "", "--spec", "/a b/spec.yaml"],
        ["--response-delay", "0.1", "--max-variance", str(0.1 + 0.2), "--data-dir", ":memory:"],
    ],
    ids=["defaults", "every-flag", "lists-and-paths", "floats"],
)
def test_export_env_round_trips(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    original = _serve(*args)
    monkeypatch.setenv("FAKEAI_SPEC", "/stale/spec.yaml")  # a stale value for a None field must go
    monkeypatch.setenv("FAKEAI_CONFIG", "/stale/config.yaml")
    cli.export_env(original)
    assert "FAKEAI_CONFIG" not in os.environ
    if original.spec is None:
        assert "FAKEAI_SPEC" not in os.environ
    assert Settings() == original
    assert Settings().model_dump() == original.model_dump()


def test_export_env_round_trips_settings_loaded_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fakeai.yaml"
    path.write_text("port: 9001\napi_keys: [sk-1, sk-2]\nrandom_delay: true\nspec_cache_dir: /c\n")
    original = _serve("--config", str(path), "--host", "::1")
    cli.export_env(original)
    assert Settings().model_dump() == original.model_dump()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"fakeai {__version__}"


def test_version_from_the_command_line() -> None:
    out = subprocess.run(
        [PYTHON, "-m", "fakeai", "--version"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.strip() == f"fakeai {__version__}"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "serve" in out
    assert "compile" in out


def test_serve_help_lists_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    for f in FIELDS:
        assert "--" + f.replace("_", "-") in out


TINY_SPEC = textwrap.dedent(
    """\
    openapi: 3.1.0
    info: {title: tiny, version: "1"}
    paths:
      /widgets:
        get:
          operationId: listWidgets
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Widget"}
        post:
          operationId: createWidget
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Widget"}
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Widget"}
      /widgets/{widget_id}:
        get:
          operationId: getWidget
          parameters:
            - {name: widget_id, in: path, required: true, schema: {type: string}}
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Widget"}
    components:
      schemas:
        Widget:
          type: object
          properties:
            id: {type: string}
            size: {type: integer}
          required: [id]
    """
)


def test_compile_prints_the_operation_count(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_SPEC)
    cache = tmp_path / "cache"
    proc = subprocess.run(
        [PYTHON, "-m", "fakeai", "compile", str(spec), "--spec-cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("FAKEAI_")},
    )
    assert proc.returncode == 0, proc.stderr
    assert f"{spec}: 3 operations, ready in" in proc.stdout
    compiled = list(cache.glob("*/fakeai_spec_*/operations.py"))
    assert len(compiled) == 1
    text = compiled[0].read_text()
    for oid in ("listWidgets", "createWidget", "getWidget"):
        assert f"operation_id='{oid}'" in text


def test_settings_fields_have_help_text() -> None:
    for name, field in config.Settings.model_fields.items():
        assert field.description, name
