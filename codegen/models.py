"""Pydantic models for every component schema, by datamodel-code-generator (pinned, called in-process)."""

from __future__ import annotations

import ast
import json
import warnings
from importlib.metadata import version
from typing import Any

from .errors import SpecError

DMCG_VERSION = version("datamodel-code-generator")


def generate(model_doc: dict[str, Any], header: str) -> str:
    """Python source of the models. Deterministic: the same document and tool version give the same bytes."""
    from datamodel_code_generator import DataModelType, InputFileType, PythonVersion
    from datamodel_code_generator import generate as dmcg
    from datamodel_code_generator.config import Formatter

    options: dict[str, Any] = {
        "input_file_type": InputFileType.OpenAPI,
        "output_model_type": DataModelType.PydanticV2BaseModel,
        "target_python_version": PythonVersion.PY_311,
        "use_annotated": True,
        "field_constraints": True,
        "enum_field_as_literal": "all",
        "use_union_operator": True,
        "use_standard_collections": True,
        "use_double_quotes": True,
        "disable_timestamp": True,
        "allow_population_by_field_name": True,
        # Unknown request fields are accepted (vLLM extras such as ignore_eos) and kept in model_extra.
        "extra_fields": "allow",
        "formatters": [Formatter.BUILTIN],
        "custom_file_header": header,
    }
    try:
        with warnings.catch_warnings():
            # The generator warns about constraints it cannot express (e.g. maxLength on AnyUrl); the models are
            # still correct, and the warnings would fail runs under `-W error`.
            warnings.simplefilter("ignore")
            out = dmcg(json.dumps(model_doc), **options)
    except Exception as e:  # the generator raises many types; report them as one
        raise SpecError(f"datamodel-code-generator failed: {type(e).__name__}: {e}") from e
    if not isinstance(out, str):
        raise SpecError("datamodel-code-generator returned several modules; expected one")
    return out if out.endswith("\n") else out + "\n"


def class_names(source: str) -> set[str]:
    return {n.name for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}
