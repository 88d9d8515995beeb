"""The spec compiler: OpenAPI documents in, a generated package (models, route stubs, operation table) out.

`python -m fakeai.codegen` (or `nox -s generate`) compiles spec/ into generated/; `--check` reports drift.
The same compiler runs at start-up for `fakeai serve --spec FILE`.
"""
