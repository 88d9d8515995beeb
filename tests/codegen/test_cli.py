"""`python -m fakeai.codegen`: exit 2 and `error:` for a broken spec, `--check` exit 1 naming drifted files, 0 when
up to date. One run goes through a real subprocess; the rest call the same `main()` in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakeai.codegen.__main__ import main
from fakeai.codegen.compile import GENERATED_FILES

from .support import BROKEN, SPECS, compiled


def test_broken_spec_exits_2_with_error_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "fakeai.codegen", "--spec", str(BROKEN / "no_responses.yaml"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: no_responses.yaml: GET /things: the operation has no responses")
    assert "Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("case", ["invalid_yaml", "undefined_security_scheme", "unresolvable_ref"])
def test_broken_spec_in_process(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--spec", str(BROKEN / f"{case}.yaml"), "--out", str(tmp_path), "--no-examples"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert list(tmp_path.iterdir()) == []


def test_extension_clash_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--spec", str(SPECS / "minimal.yaml"), "--extension", str(BROKEN / "extension_redefines.yaml")]
    assert main([*argv, "--out", str(tmp_path), "--no-examples"]) == 2
    assert "GET /ping is defined in both" in capsys.readouterr().err


def test_write_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = ["--spec", str(SPECS / "minimal.yaml"), "--out", str(tmp_path), "--no-examples"]
    assert main(spec) == 0
    assert "1 operations; wrote" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED_FILES)
    for name in GENERATED_FILES:
        assert (tmp_path / name).read_text(encoding="utf-8") == compiled("minimal").files[name], name
    assert json.loads((tmp_path / "examples.json").read_text())["examples"] == {}

    # fresh output: up to date
    assert main([*spec, "--check"]) == 0
    captured = capsys.readouterr()
    assert "up to date (1 operations)" in captured.out and captured.err == ""

    # writing again changes nothing
    assert main(spec) == 0
    assert "wrote nothing" in capsys.readouterr().out

    # a hand-edited file is drift, named on stderr; the file is left as it was
    routes = tmp_path / "routes.py"
    edited = routes.read_text(encoding="utf-8") + "# hand edit\n"
    routes.write_text(edited, encoding="utf-8")
    assert main([*spec, "--check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("drift: ") and "routes.py" in err
    assert "models.py" not in err
    assert routes.read_text(encoding="utf-8") == edited

    # a missing file is drift too
    (tmp_path / "spec.json").unlink()
    assert main([*spec, "--check"]) == 1
    err = capsys.readouterr().err
    assert "routes.py" in err and "spec.json" in err


def test_verbose_prints_normalisation_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--spec", str(SPECS / "quirks.yaml"), "--out", str(tmp_path), "--no-examples", "-v"]) == 0
    out = capsys.readouterr().out
    assert "normalise: dropped pseudo-path /items/search?beta=true" in out
    assert "normalise: renamed schema Thing-2 -> Thing2" in out


def test_missing_spec_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--spec", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")]) == 2
    assert "nope.yaml" in capsys.readouterr().err
