"""Helpers shared by the codegen tests: where the fixtures live, a per-session compile cache, and loading the
generated sources as modules so the tests can check what they do, not only what they say."""

from __future__ import annotations

import copy
import functools
import json
import sys
import types
from pathlib import Path
from typing import Any

from fakeai.codegen import load, normalize
from fakeai.codegen.compile import Compiled, compile_sources
from fakeai.codegen.load import Source

HERE = Path(__file__).resolve().parent
SPECS = HERE / "specs"
EXPECTED = HERE / "expected"
BROKEN = HERE / "broken"
GOLDEN_CASES = ("minimal", "crud", "multipart", "streaming", "openapi30", "quirks")


def spec_source(case: str) -> Source:
    return load.read(SPECS / f"{case}.yaml")


@functools.cache
def compiled(case: str) -> Compiled:
    """The golden case compiled once per session (datamodel-code-generator takes ~0.3 s a spec)."""
    return compile_sources(spec_source(case), [], draw_examples=False)


def source_of(doc: dict[str, Any], name: str = "test.yaml") -> Source:
    return load.parse(json.dumps(doc).encode(), name)


def compile_doc(doc: dict[str, Any], name: str = "test.yaml") -> Compiled:
    return compile_sources(source_of(doc, name), [], draw_examples=False)


def normalized(doc: dict[str, Any]) -> dict[str, Any]:
    return normalize.normalize(copy.deepcopy(doc))[0]


_loaded: dict[str, types.ModuleType] = {}


def load_module(name: str, source: str) -> types.ModuleType:
    """Execute generated source as a module registered in sys.modules (pydantic resolves forward references
    through the module), once per name and session."""
    qual = f"_fakeai_codegen_test.{name}"
    if qual not in _loaded:
        mod = types.ModuleType(qual)
        sys.modules[qual] = mod
        exec(compile(source, f"<generated {name}>", "exec"), mod.__dict__)
        _loaded[qual] = mod
    return _loaded[qual]


def generated_module(case: str, filename: str) -> types.ModuleType:
    return load_module(f"{case}.{filename.removesuffix('.py')}", compiled(case).files[filename])


def spec_json(case: str) -> dict[str, Any]:
    return json.loads(compiled(case).files["spec.json"])


def operation(case: str, operation_id: str) -> Any:
    return next(op for op in compiled(case).operations if op.operation_id == operation_id)


# Small documents for unit tests -------------------------------------------------------------------------------


def ok_response(schema: str | None = None, status: str = "200") -> dict[str, Any]:
    resp: dict[str, Any] = {"description": "ok"}
    if schema:
        resp["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    return {status: resp}


def doc_with(paths: dict[str, Any], schemas: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """An OpenAPI 3.1 document with the given paths and component schemas (by default one object `Obj`)."""
    if schemas is None:
        schemas = {"Obj": {"type": "object", "properties": {"id": {"type": "string"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
        **top,
    }


def get_op(operation_id: str, **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "responses": ok_response("Obj"), **extra}
