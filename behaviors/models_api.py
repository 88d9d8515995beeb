"""Models: listModels, retrieveModel, deleteModel; and `resolve_model`, which every behaviour uses to look up
(or create on first use) the model a request names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fakeai.context import Context
from fakeai.errors import APIError
from fakeai.registry import lifespan, serves
from fakeai.services import Services

from .catalog import Catalog, ModelInfo

_KIND = "model"


def _build(services: Services) -> Catalog:
    catalog = Catalog.load(services.settings.catalog_file)
    # models created on first use by earlier runs (or other workers) are in the store
    for obj in services.store.list(_KIND, limit=100_000, order="asc").items:
        if catalog.get(obj["id"]) is None:
            catalog.create(obj["id"])
    return catalog


def catalog(ctx: Context | Services) -> Catalog:
    services = ctx.services if isinstance(ctx, Context) else ctx
    return services.get("catalog", _build)


@lifespan
async def _load_catalog(services: Services) -> AsyncIterator[None]:
    """Read the catalog (YAML) at start-up, not on the first request."""
    catalog(services)
    yield


def not_found(model_id: str) -> APIError:
    return APIError(
        404,
        f"The model `{model_id}` does not exist or you do not have access to it.",
        param="model",
        code="model_not_found",
    )


def resolve_model(ctx: Context | Services, model_id: str | None) -> ModelInfo:
    """The catalog entry for `model_id`; unknown ids are created on first use (404 with strict_models)."""
    services = ctx.services if isinstance(ctx, Context) else ctx
    if model_id is None:
        raise APIError(400, "You must provide a model parameter.", param="model", code="missing_required_parameter")
    if not model_id.strip():
        raise not_found(model_id)
    cat = catalog(ctx)
    info = cat.get(model_id)
    if info is None:
        if services.settings.strict_models:
            raise not_found(model_id)
        info = cat.create(model_id)
        services.store.put(_KIND, info.id, info.as_openai(), created_at=info.created)
    if services.settings.echo and not info.echo:
        info = cat.with_echo(info)
    return info


@serves("listModels")
async def list_models(_: Any, ctx: Context) -> dict[str, Any]:
    return {"object": "list", "data": [m.as_openai() for m in catalog(ctx).all()]}


@serves("retrieveModel")
async def retrieve_model(_: Any, ctx: Context) -> dict[str, Any]:
    model_id = ctx.params.model
    info = catalog(ctx).get(model_id)
    if info is None:
        raise not_found(model_id)
    return info.as_openai()


@serves("deleteModel")
async def delete_model(_: Any, ctx: Context) -> dict[str, Any]:
    """Models created on first use (and fine-tunes) can be deleted; the catalog's base models cannot."""
    model_id = ctx.params.model
    cat = catalog(ctx)
    info = cat.get(model_id)
    if info is None:
        raise not_found(model_id)
    if not info.dynamic:
        raise APIError(
            400, f"The model `{model_id}` is a base model of the catalog and cannot be deleted.", param="model"
        )
    cat.remove(info.id)
    ctx.services.store.delete(_KIND, info.id)
    return {"id": info.id, "object": "model", "deleted": True}
