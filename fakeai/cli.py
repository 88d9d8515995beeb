"""`fakeai serve` and friends. Every Settings field is a flag (--kebab-case); see fakeai.config for precedence."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import typing
from pathlib import Path
from typing import Any

from . import __version__, config

FLAG_EXCLUDE = frozenset({"model_config"})


def _is_bool(annotation: Any) -> bool:
    return annotation is bool


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    return origin is list


def add_settings_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None, help="YAML file of settings (keys as field names).")
    for name, field in config.Settings.model_fields.items():
        flag = "--" + name.replace("_", "-")
        helptext = field.description or ""
        if _is_bool(field.annotation):
            parser.add_argument(
                flag, dest=name, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS, help=helptext
            )
        elif _is_list(field.annotation):
            parser.add_argument(flag, dest=name, default=argparse.SUPPRESS, metavar="A,B,...", help=helptext)
        else:
            parser.add_argument(flag, dest=name, default=argparse.SUPPRESS, metavar=name.upper(), help=helptext)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="fakeai", description="OpenAI-compatible API server with simulated responses.")
    ap.add_argument("--version", action="version", version=f"fakeai {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the server (uvicorn)")
    add_settings_flags(serve)
    comp = sub.add_parser("compile", help="compile a spec into the cache (what `serve --spec` does at start-up)")
    comp.add_argument("spec", type=Path)
    comp.add_argument("--spec-cache-dir", type=Path, default=None)
    return ap


def settings_from_args(ns: argparse.Namespace) -> config.Settings:
    overrides = {k: v for k, v in vars(ns).items() if k in config.Settings.model_fields}
    return config.load(ns.config, **overrides)


def export_env(settings: config.Settings) -> None:
    """Hand the resolved settings to uvicorn's worker processes through FAKEAI_* variables."""
    for name, value in settings.model_dump().items():
        if value is None:
            os.environ.pop(f"FAKEAI_{name.upper()}", None)
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
        os.environ[f"FAKEAI_{name.upper()}"] = text
    os.environ.pop("FAKEAI_CONFIG", None)


def serve(settings: config.Settings) -> int:
    import uvicorn

    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if settings.spec is not None:
        from . import spec_loader

        t0 = time.perf_counter()
        pkg = spec_loader.load_custom(settings.spec, settings.spec_cache_dir)
        logging.getLogger("fakeai").info(
            "spec %s ready: %d operations in %.2fs", settings.spec, len(pkg.operations), time.perf_counter() - t0
        )
    export_env(settings)
    extra: dict[str, Any] = {}
    try:
        import uvloop  # noqa: F401

        extra["loop"] = "uvloop"
    except ImportError:
        pass
    try:
        import httptools  # noqa: F401

        extra["http"] = "httptools"
    except ImportError:
        pass
    uvicorn.run(
        "fakeai.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        reload=settings.debug and settings.workers == 1,
        access_log=settings.debug,
        # client addresses from X-Forwarded-For matter only to the access log (on with --debug); otherwise the
        # proxy-headers layer is one more wrapper around every request
        proxy_headers=settings.debug,
        timeout_graceful_shutdown=5,
        **extra,
    )
    return 0


def compile_spec(spec: Path, cache_dir: Path | None) -> int:
    from . import spec_loader

    t0 = time.perf_counter()
    pkg = spec_loader.load_custom(spec, cache_dir)
    print(f"{spec}: {len(pkg.operations)} operations, ready in {time.perf_counter() - t0:.1f}s ({pkg.name})")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    ns = ap.parse_args(argv)
    if ns.command == "serve":
        return serve(settings_from_args(ns))
    if ns.command == "compile":
        return compile_spec(ns.spec, ns.spec_cache_dir)
    ap.print_help()
    return 0


def server_main() -> int:
    """`fakeai-server` (the seeds' command): `fakeai serve` with the same flags."""
    return main(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
