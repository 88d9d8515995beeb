"""Load a compiled spec package: the checked-in fakeai.generated, or one compiled from `--spec FILE`.

A custom spec is compiled by the same codegen at start-up into a cache directory keyed by the sha256 of its
bytes and the tool versions, then imported like the built-in package. A second start with the same spec
imports the cached package and compiles nothing.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

from fakeai.codegen.ir import Operation

log = logging.getLogger("fakeai.spec")


@dataclass(frozen=True)
class SpecPackage:
    name: str
    sha256: str
    operations: tuple[Operation, ...]
    models: ModuleType
    routes: ModuleType
    spec: dict[str, Any]
    spec_bytes: bytes
    examples: dict[str, list[Any]]
    builtin: bool

    @property
    def by_id(self) -> dict[str, Operation]:
        return {op.operation_id: op for op in self.operations}

    def model(self, name: str | None) -> Any:
        return getattr(self.models, name) if name else None


def _load_package(pkg: str, builtin: bool) -> SpecPackage:
    models = importlib.import_module(f"{pkg}.models")
    routes = importlib.import_module(f"{pkg}.routes")
    ops_mod = importlib.import_module(f"{pkg}.operations")
    base = Path(models.__file__ or "").parent
    spec_bytes = (base / "spec.json").read_bytes()
    examples = orjson.loads((base / "examples.json").read_bytes()).get("examples", {})
    return SpecPackage(
        name=pkg,
        sha256=ops_mod.SPEC_SHA256,
        operations=ops_mod.OPERATIONS,
        models=models,
        routes=routes,
        spec=orjson.loads(spec_bytes),
        spec_bytes=spec_bytes,
        examples=examples,
        builtin=builtin,
    )


def load_builtin() -> SpecPackage:
    return _load_package("fakeai.generated", builtin=True)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fakeai" / "specs"


def cache_key(raw: bytes) -> str:
    from fakeai.codegen.compile import tool_versions

    h = hashlib.sha256(raw)
    h.update(repr(sorted(tool_versions().items())).encode())
    h.update(_codegen_fingerprint().encode())
    return h.hexdigest()[:24]


def _codegen_fingerprint() -> str:
    """A hash of the compiler's own source, so a changed compiler does not reuse stale packages."""
    h = hashlib.sha256()
    root = Path(importlib.import_module("fakeai.codegen").__file__ or "").parent
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".j2"):
            h.update(p.read_bytes())
    return h.hexdigest()


# Seconds of Hypothesis example drawing when compiling a --spec document (the rest use the structural generator).
EXAMPLES_BUDGET = 8.0


def load_custom(spec_path: Path, cache_dir: Path | None = None, *, draw_examples: bool = True) -> SpecPackage:
    """Compile `spec_path` (or reuse the cached compilation) and import it."""
    from fakeai.codegen import compile as compiler
    from fakeai.codegen import load as loader

    raw = spec_path.read_bytes()
    key = cache_key(raw)
    pkg = f"fakeai_spec_{key}"
    root = (cache_dir or default_cache_dir()) / key
    target = root / pkg
    if not (target / "operations.py").exists():
        t0 = time.perf_counter()
        compiled = compiler.compile_sources(
            loader.parse(raw, spec_path.name), [], draw_examples=draw_examples, examples_budget=EXAMPLES_BUDGET
        )
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
        compiler.write(compiled, tmp)
        try:
            tmp.rename(target)
        except OSError:  # another process won the race: use its copy
            shutil.rmtree(tmp, ignore_errors=True)
        log.info(
            "compiled %s (%d operations) in %.1fs (%s) into %s",
            spec_path,
            len(compiled.operations),
            time.perf_counter() - t0,
            ", ".join(f"{k} {v:.1f}s" for k, v in compiled.timings.items()),
            target,
        )
    else:
        log.info("using cached compilation of %s: %s", spec_path, target)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return _load_package(pkg, builtin=False)


def load(spec_path: Path | None, cache_dir: Path | None = None) -> SpecPackage:
    return load_builtin() if spec_path is None else load_custom(spec_path, cache_dir)
