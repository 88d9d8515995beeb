"""`python -m fakeai.codegen [--spec FILE [--extension FILE ...]] [--out DIR] [--check]`.

With no --spec, compiles spec/openapi.yaml + spec/extensions.yaml into generated/.
--check compares instead of writing and exits 1 on drift.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import compile as compiler
from . import load
from .errors import DriftError, SpecError

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fakeai.codegen", description=__doc__)
    ap.add_argument("--spec", type=Path, help="an OpenAPI 3.0/3.1 document (default: spec/openapi.yaml)")
    ap.add_argument("--extension", type=Path, action="append", default=[], help="documents merged into --spec")
    ap.add_argument("--out", type=Path, help="output directory (default: generated/ beside codegen/)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the output directory is out of date")
    ap.add_argument("--no-examples", action="store_true", help="skip the Hypothesis example draws")
    ap.add_argument("-v", "--verbose", action="store_true", help="print what normalisation changed")
    args = ap.parse_args(argv)
    try:
        if args.spec:
            main_src = load.read(args.spec)
            exts = [load.read(p) for p in args.extension]
        else:
            main_src, exts = compiler.default_sources()
        out = args.out or REPO / "generated"
        compiled = compiler.compile_sources(main_src, exts, draw_examples=not args.no_examples)
        if args.verbose:
            for note in compiled.notes:
                print("normalise:", note)
        if args.check:
            compiler.check(compiled, out)
            print(f"{out}: up to date ({len(compiled.operations)} operations)")
        else:
            changed = compiler.write(compiled, out)
            t = ", ".join(f"{k} {v:.1f}s" for k, v in compiled.timings.items())
            print(f"{out}: {len(compiled.operations)} operations; wrote {changed or 'nothing'} ({t})")
    except SpecError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except DriftError as e:
        print(f"drift: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
