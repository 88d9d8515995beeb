"""compile.py: the document handed to datamodel-code-generator, and the models that come out of it."""

from __future__ import annotations

import json
from typing import Any

from fakeai.codegen import compile as compiler

from .support import compile_doc, doc_with, get_op, load_module


def _model_doc(props: dict[str, Any]) -> dict[str, Any]:
    return doc_with({"/a": {"get": get_op("a")}}, {"Obj": {"type": "object", "properties": props}})


def test_without_deprecated_strips_the_keyword_only() -> None:
    schemas = {
        "A": {
            "type": "object",
            "deprecated": True,
            "properties": {
                "deprecated": {"type": "boolean"},  # a property that happens to be called `deprecated`
                "old": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}], "deprecated": True},
            },
            "required": ["deprecated"],
        }
    }
    assert compiler._without_deprecated(schemas) == {
        "A": {
            "type": "object",
            "properties": {
                "deprecated": {"type": "boolean"},
                "old": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
            },
            "required": ["deprecated"],
        }
    }


def test_deprecated_fields_keep_their_flag_in_the_served_spec_only() -> None:
    c = compile_doc(
        _model_doc({"old": {"type": "string", "deprecated": True}, "flag": {"type": "boolean"}}), "dep.yaml"
    )
    spec = json.loads(c.files["spec.json"])
    assert spec["components"]["schemas"]["Obj"]["properties"]["old"]["deprecated"] is True
    models = load_module("deprecated.models", c.files["models.py"])
    assert models.Obj(old="x").old == "x"  # no DeprecationWarning on read (the suite runs with -W error)


def test_without_deprecated_leaves_defaults_alone() -> None:
    flags = {
        "type": "object",
        "additionalProperties": {"type": "boolean"},
        "default": {"deprecated": False, "beta": True},
    }
    c = compile_doc(_model_doc({"flags": flags}), "dep_default.yaml")
    models = load_module("deprecated_default.models", c.files["models.py"])
    assert models.Obj().flags == {"deprecated": False, "beta": True}
