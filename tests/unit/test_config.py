"""fakeai.config: defaults, FAKEAI_* environment, YAML file, and precedence flag > env > file > default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from fakeai import config
from fakeai.config import DEFAULT_API_KEYS, AppConfig, Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("FAKEAI_"):
            monkeypatch.delenv(name)


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fakeai.yaml"
    path.write_text(text)
    return path


def test_defaults() -> None:
    s = Settings()
    assert s.host == "127.0.0.1"
    assert s.port == 8000
    assert s.workers == 1
    assert s.debug is False
    assert s.log_level == "info"
    assert s.spec is None
    assert s.spec_cache_dir is None
    assert s.data_dir == str(Path.home() / ".local" / "share" / "fakeai")
    assert s.max_body_bytes == 512 * 1024 * 1024
    assert s.require_api_key is True
    assert s.api_keys == DEFAULT_API_KEYS == ["sk-fakeai-1234567890abcdef", "sk-test-abcdefghijklmnop"]
    assert s.admin_api_keys == []
    assert (s.strict_params, s.strict_models, s.variety, s.fast) == (False, False, False, False)
    assert (s.response_delay, s.random_delay, s.max_variance) == (0.0, False, 0.3)


def test_default_key_list_is_not_shared_between_instances() -> None:
    a = Settings()
    a.api_keys.append("sk-extra")
    assert Settings().api_keys == DEFAULT_API_KEYS
    assert "sk-extra" not in DEFAULT_API_KEYS


def test_env_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAI_PORT", "9123")
    assert Settings().port == 9123


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sk-a,sk-b", ["sk-a", "sk-b"]),
        (" sk-a , sk-b ,, ", ["sk-a", "sk-b"]),
        ("sk-only", ["sk-only"]),
        ('["sk-a", "sk-b"]', ["sk-a", "sk-b"]),
        ('  ["sk-json"]', ["sk-json"]),
        ("", []),
    ],
)
def test_env_api_keys_forms(monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv("FAKEAI_API_KEYS", raw)
    monkeypatch.setenv("FAKEAI_ADMIN_API_KEYS", raw)
    s = Settings()
    assert s.api_keys == expected
    assert s.admin_api_keys == expected


@pytest.mark.parametrize(("raw", "expected"), [("false", False), ("0", False), ("true", True), ("1", True)])
def test_env_require_api_key(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FAKEAI_REQUIRE_API_KEY", raw)
    assert Settings().require_api_key is expected


def test_env_names_are_case_insensitive_and_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("fakeai_host", "0.0.0.0")
    monkeypatch.setenv("FAKEAI_RESPONSE_DELAY", "0.25")
    monkeypatch.setenv("FAKEAI_SPEC", "/tmp/x.yaml")
    s = Settings()
    assert s.host == "0.0.0.0"
    assert s.response_delay == 0.25
    assert s.spec == Path("/tmp/x.yaml")


def test_env_value_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAI_PORT", "70000")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_yaml_file(tmp_path: Path) -> None:
    path = _yaml(
        tmp_path,
        "port: 9001\nhost: 0.0.0.0\napi_keys: [sk-y1, sk-y2]\nrequire_api_key: false\n"
        "response_delay: 0.5\nspec: /srv/spec.yaml\nunknown_key: ignored\n",
    )
    s = config.load(path)
    assert isinstance(s, Settings)
    assert s.port == 9001
    assert s.host == "0.0.0.0"
    assert s.api_keys == ["sk-y1", "sk-y2"]
    assert s.require_api_key is False
    assert s.response_delay == 0.5
    assert s.spec == Path("/srv/spec.yaml")
    assert s.workers == 1  # not in the file: default


def test_yaml_key_list_as_comma_string(tmp_path: Path) -> None:
    s = config.load(_yaml(tmp_path, "api_keys: sk-a,sk-b\n"))
    assert s.api_keys == ["sk-a", "sk-b"]


def test_missing_config_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml"):
        config.load(tmp_path / "nope.yaml")
    with pytest.raises(FileNotFoundError):
        config.load(tmp_path)  # a directory is not a config file


def test_load_without_file_is_plain_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAI_WORKERS", "3")
    s = config.load(None, port=1234)
    assert type(s) is Settings
    assert (s.port, s.workers) == (1234, 3)


# ---------------------------------------------------------------------- precedence, each pair


def test_precedence_file_beats_default(tmp_path: Path) -> None:
    assert config.load(_yaml(tmp_path, "port: 9001\n")).port == 9001


def test_precedence_env_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAI_PORT", "9002")
    assert config.load().port == 9002


def test_precedence_flag_beats_default() -> None:
    assert config.load(port=9003).port == 9003


def test_precedence_env_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAI_PORT", "9002")
    monkeypatch.setenv("FAKEAI_API_KEYS", "sk-env")
    s = config.load(_yaml(tmp_path, "port: 9001\napi_keys: [sk-file]\nhost: 10.0.0.1\n"))
    assert s.port == 9002
    assert s.api_keys == ["sk-env"]
    assert s.host == "10.0.0.1"  # only in the file


def test_precedence_flag_beats_file(tmp_path: Path) -> None:
    s = config.load(_yaml(tmp_path, "port: 9001\ndebug: true\n"), port=9003, debug=False)
    assert s.port == 9003
    assert s.debug is False


def test_precedence_flag_beats_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAI_PORT", "9002")
    monkeypatch.setenv("FAKEAI_REQUIRE_API_KEY", "false")
    s = config.load(port=9003, require_api_key=True)
    assert s.port == 9003
    assert s.require_api_key is True


def test_precedence_all_three(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAI_PORT", "9002")
    monkeypatch.setenv("FAKEAI_WORKERS", "2")
    path = _yaml(tmp_path, "port: 9001\nworkers: 5\nlog_level: debug\n")
    s = config.load(path, port=9003)
    assert (s.port, s.workers, s.log_level, s.host) == (9003, 2, "debug", "127.0.0.1")


# ---------------------------------------------------------------------- AppConfig


def test_appconfig_is_settings_and_accepts_the_seed_kwargs() -> None:
    assert AppConfig is Settings
    import fakeai

    assert fakeai.AppConfig is Settings
    c = AppConfig(
        host="0.0.0.0",
        port=8080,
        debug=True,
        require_api_key=False,
        response_delay=0.5,
        random_delay=True,
        max_variance=0.2,
    )
    assert (c.host, c.port, c.debug, c.require_api_key) == ("0.0.0.0", 8080, True, False)
    assert (c.response_delay, c.random_delay, c.max_variance) == (0.5, True, 0.2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"port": -1},
        {"port": 65536},
        {"workers": 0},
        {"response_delay": -0.1},
        {"max_variance": -1},
        {"max_body_bytes": 0},
    ],
)
def test_out_of_range_values_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match=next(iter(kwargs))):
        Settings(**kwargs)  # type: ignore[arg-type]
