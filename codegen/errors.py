"""Typed errors raised by the compiler. Every message names the document and the place at fault."""

from __future__ import annotations


class SpecError(Exception):
    """The spec cannot be compiled. `where` is a JSON pointer or an operation (METHOD /path)."""

    def __init__(self, problem: str, where: str = "", source: str = "") -> None:
        self.problem = problem
        self.where = where
        self.source = source
        parts = [p for p in (source, where) if p]
        super().__init__(f"{': '.join(parts)}: {problem}" if parts else problem)


class DriftError(Exception):
    """`--check`: the checked-in generated files differ from what the compiler produces now."""

    def __init__(self, changed: list[str]) -> None:
        self.changed = changed
        super().__init__("generated files are out of date: " + ", ".join(changed) + " (run: nox -s generate)")
