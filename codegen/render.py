"""Render generated/routes.py and generated/operations.py from the operation table with jinja2.

The view built here holds every string the templates print, already computed; templates only lay them out.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jinja2

from .ir import Operation

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("fakeai.codegen", "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)


def literal(value: Any, indent: int = 0) -> str:
    """Python source for a value made of dataclasses, tuples, strings, numbers, booleans and None."""
    pad = " " * indent
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = []
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if f.default is not dataclasses.MISSING and v == f.default:
                continue
            fields.append((f.name, v))
        flat = f"{type(value).__name__}(" + ", ".join(f"{k}={literal(v)}" for k, v in fields) + ")"
        if "\n" not in flat and len(flat) + indent <= 116:
            return flat
        inner = "".join(f"{pad}    {k}={literal(v, indent + 4)},\n" for k, v in fields)
        return f"{type(value).__name__}(\n{inner}{pad})"
    if isinstance(value, tuple):
        if not value:
            return "()"
        flat = "(" + ", ".join(literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
        if "\n" not in flat and len(flat) + indent <= 116:
            return flat
        inner = "".join(f"{pad}    {literal(v, indent + 4)},\n" for v in value)
        return f"(\n{inner}{pad})"
    return repr(value)


def routes(ops: tuple[Operation, ...], header: str) -> str:
    view = [
        {
            "decorator": op.method.lower(),
            "path": repr(op.route_path),
            "operation_id": repr(op.operation_id),
            "function": op.py_name,
        }
        for op in ops
    ]
    return _env.get_template("routes.py.j2").render(header=header, ops=view)


def operations(ops: tuple[Operation, ...], header: str, sha256: str) -> str:
    return _env.get_template("operations.py.j2").render(
        header=header, sha256=repr(sha256), operations=[literal(op, 4) for op in ops]
    )
