"""fakeai: an OpenAI-compatible API server that answers with simulated responses, compiled from an OpenAPI spec."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["AppConfig", "__version__", "app", "create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import fakeai` stays cheap and `uvicorn fakeai:app` builds the app from the environment.
    if name == "app":
        from .app import app_from_env

        globals()["app"] = application = app_from_env()
        return application
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "AppConfig":
        from .config import AppConfig

        return AppConfig
    raise AttributeError(name)
