"""fakeai.registry: @serves registration, bind() against the spec's operation ids, request-type detection."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Optional

import pytest
from pydantic import BaseModel

from fakeai import registry
from fakeai.registry import DuplicateBehaviourError, RegistryError, UnknownOperationError, serves


class ReqModel(BaseModel):
    prompt: str


class OtherModel(BaseModel):
    n: int


@pytest.fixture
def test_ids() -> Iterator[None]:
    """Every operation id starting with testOnly registered by a test is removed afterwards."""
    before = set(registry._REGISTRY)
    yield
    for oid in list(registry._REGISTRY):
        if oid.startswith("testOnly") and oid not in before:
            del registry._REGISTRY[oid]


def _known() -> set[str]:
    """Ids the real behaviours use (whatever other tests loaded), so bind() judges only this test's ids."""
    from fakeai import spec_loader

    return set(spec_loader.load_builtin().by_id) | {o for o in registry._REGISTRY if not o.startswith("testOnly")}


def test_serves_registers_an_async_behaviour(test_ids: None) -> None:
    async def handler(req: ReqModel, ctx: Any) -> dict[str, str]:
        return {"echo": req.prompt}

    returned = serves("testOnlyA", "testOnlyB")(handler)
    assert returned is handler
    regs = registry.registered()
    for oid in ("testOnlyA", "testOnlyB"):
        assert regs[oid].func is handler
        assert regs[oid].operation_id == oid
        assert regs[oid].request_type is ReqModel
        assert regs[oid].where == f"{__name__}.test_serves_registers_an_async_behaviour.<locals>.handler"
    regs.pop("testOnlyA")  # registered() is a copy
    assert "testOnlyA" in registry._REGISTRY


def test_serves_rejects_a_non_async_function(test_ids: None) -> None:
    def sync_handler(req: Any, ctx: Any) -> None:
        return None

    with pytest.raises(RegistryError, match=r"sync_handler: a behaviour must be `async def`"):
        serves("testOnlySync")(sync_handler)  # type: ignore[arg-type]
    assert "testOnlySync" not in registry._REGISTRY


def test_serves_needs_an_operation_id() -> None:
    with pytest.raises(RegistryError, match="at least one operationId"):
        serves()


def test_serves_rejects_a_duplicate_id(test_ids: None) -> None:
    @serves("testOnlyDup")
    async def first(req: Any, ctx: Any) -> None:
        return None

    async def second(req: Any, ctx: Any) -> None:
        return None

    with pytest.raises(DuplicateBehaviourError) as exc:
        serves("testOnlyDup")(second)
    msg = str(exc.value)
    assert "'testOnlyDup'" in msg
    assert f"{__name__}.test_serves_rejects_a_duplicate_id.<locals>.first" in msg
    assert f"{__name__}.test_serves_rejects_a_duplicate_id.<locals>.second" in msg
    assert registry._REGISTRY["testOnlyDup"].func is first  # the first one stays
    assert isinstance(exc.value, RegistryError)


def test_bind_raises_for_an_id_no_spec_defines(test_ids: None) -> None:
    @serves("testOnlyTypo")
    async def typo_behaviour(req: Any, ctx: Any) -> None:
        return None

    with pytest.raises(UnknownOperationError) as exc:
        registry.bind(active=["testOnlyOther"], known=_known())
    msg = str(exc.value)
    assert "testOnlyTypo" in msg
    assert f"{__name__}.test_bind_raises_for_an_id_no_spec_defines.<locals>.typo_behaviour" in msg
    assert "testOnlyOther" not in msg


def test_bind_accepts_ids_known_only_to_the_builtin_spec(test_ids: None) -> None:
    @serves("testOnlyKnown")
    async def known(req: Any, ctx: Any) -> None:
        return None

    # a custom spec that does not define testOnlyKnown, while the built-in one (known) does
    assert registry.bind(active=["testOnlyServed"], known=_known() | {"testOnlyKnown"}) == {}


def test_bind_binds_only_active_ids_and_logs_the_unserved(test_ids: None, caplog: pytest.LogCaptureFixture) -> None:
    @serves("testOnlyActive1", "testOnlyActive2")
    async def active(req: Any, ctx: Any) -> None:
        return None

    @serves("testOnlyInactive")
    async def inactive(req: Any, ctx: Any) -> None:
        return None

    caplog.set_level(logging.INFO, logger="fakeai.registry")
    bound = registry.bind(
        active=["testOnlyActive1", "testOnlyActive2", "testOnlyFillerA", "testOnlyFillerB"],
        known=_known() | {"testOnlyInactive"},
    )
    assert sorted(bound) == ["testOnlyActive1", "testOnlyActive2"]
    assert bound["testOnlyActive1"].func is active
    records = [r for r in caplog.records if r.name == "fakeai.registry"]
    assert len(records) == 1
    msg = records[0].getMessage()
    assert msg.startswith("2 operations have behaviours; 2 are answered by the schema filler:")
    assert msg.endswith("testOnlyFillerA, testOnlyFillerB")
    assert "testOnlyActive1" not in msg
    assert "testOnlyInactive" not in msg


def test_bind_truncates_a_long_unserved_list(test_ids: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="fakeai.registry")
    ids = [f"testOnlyOp{i:02d}" for i in range(45)]
    assert registry.bind(active=ids, known=_known()) == {}
    msg = caplog.records[-1].getMessage()
    assert "0 operations have behaviours; 45 are answered" in msg
    assert "testOnlyOp39" in msg
    assert "testOnlyOp40" not in msg
    assert msg.endswith(", ...")


# ---------------------------------------------------------------------- _request_type


async def _typed(req: ReqModel, ctx: Any) -> None:
    return None


async def _optional(req: ReqModel | None, ctx: Any) -> None:
    return None


async def _optional_old(req: Optional[OtherModel], ctx: Any) -> None:  # noqa: UP045 - the older spelling
    return None


async def _untyped(req, ctx):  # type: ignore[no-untyped-def]
    return None


async def _plain(req: dict[str, Any], ctx: Any) -> None:
    return None


async def _no_params() -> None:
    return None


async def _unresolvable(req: NoSuchModel, ctx: Any) -> None:  # type: ignore[name-defined]  # noqa: F821
    return None


@pytest.mark.parametrize(
    ("func", "expected"),
    [
        (_typed, ReqModel),
        (_optional, ReqModel),
        (_optional_old, OtherModel),
        (_untyped, None),
        (_plain, None),
        (_no_params, None),
        (_unresolvable, None),
    ],
    ids=["model", "model-or-none", "optional", "untyped", "dict", "no-params", "unresolvable"],
)
def test_request_type(func: Any, expected: type[BaseModel] | None) -> None:
    assert registry._request_type(func) is expected


def test_request_type_reads_only_the_first_parameter() -> None:
    async def second_is_model(req: Any, ctx: ReqModel) -> None:
        return None

    assert registry._request_type(second_is_model) is None
