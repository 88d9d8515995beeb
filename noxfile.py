"""Developer sessions: generate (add `-- --check` for the drift check), serve, tests, lint, bench."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]
PYTHON = "3.11"


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Compile spec/ into generated/ (`nox -s generate -- --check` exits 1 on drift)."""
    session.install("-e", ".")
    session.run("python", "-m", "fakeai.codegen", *session.posargs)


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Run the server; arguments go to `fakeai serve` (e.g. `nox -s serve -- --port 9000 --fast`)."""
    session.install("-e", ".[speed]")
    session.run("python", "-m", "fakeai", "serve", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite (what README and .ci/run run)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff format --check, ruff check, mypy."""
    session.install("-e", ".[dev]")
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")
    session.run("mypy", "fakeai", "codegen", "behaviors")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The load benchmark (bench/): fakeai against a bare FastAPI endpoint and a raw ASGI app, same run."""
    session.install("-e", ".[test,speed]")
    session.run("python", "-m", "bench", *session.posargs)
