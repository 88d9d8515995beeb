"""The continuous-batching engine as a discrete simulation: ceilings, cliffs, preemption, cancellation."""

from __future__ import annotations

from fakeai.behaviors.sim.batching import BatchEngine, Seq


def run(engine: BatchEngine, seqs: list[Seq], ticks: int) -> dict[int, list[tuple[int, str]]]:
    """Submit everything at tick 0 and record (tick, event) per sequence."""
    for s in seqs:
        engine.submit(s)
    log: dict[int, list[tuple[int, str]]] = {s.sid: [] for s in seqs}
    for t in range(1, ticks + 1):
        for ev in engine.tick():
            log[ev.seq.sid].append((t, ev.kind))
    return log


def seqs(n: int, prompt: int = 32, out: int = 50) -> list[Seq]:
    return [Seq(sid=i, prompt_tokens=prompt, prefill_tokens=prompt, output_tokens=out) for i in range(n)]


def test_a_single_sequence_prefills_then_decodes_one_token_per_tick() -> None:
    log = run(BatchEngine(), seqs(1, out=5), 20)[0]
    kinds = [k for _, k in log]
    assert kinds == ["admitted", "first", "token", "token", "token", "token", "done"]
    ticks = [t for t, k in log if k in ("first", "token")]
    assert ticks == [1, 2, 3, 4, 5]  # one token per step after the first


def test_decode_throughput_flattens_at_max_batch_size() -> None:
    """Tokens per tick never exceed max_batch_size, and reach it when enough sequences are running."""
    for n in (4, 8, 16, 64):
        engine = BatchEngine(max_batch_size=8, prefill_budget=10_000, prefill_chunk=10_000)
        log = run(engine, seqs(n, out=200), 60)
        per_tick: dict[int, int] = {}
        for events in log.values():
            for t, k in events:
                if k in ("first", "token"):
                    per_tick[t] = per_tick.get(t, 0) + 1
        steady = [per_tick.get(t, 0) for t in range(5, 55)]
        assert max(steady) <= 8
        assert min(steady) == min(n, 8)


def test_ttft_cliff_when_prefill_binds() -> None:
    """With a per-tick prefill budget of 1000 tokens, 10 prompts of 1000 tokens get first tokens one per tick."""
    engine = BatchEngine(max_batch_size=64, prefill_budget=1000, prefill_chunk=1000)
    log = run(engine, seqs(10, prompt=1000, out=5), 30)
    firsts = sorted(t for events in log.values() for t, k in events if k == "first")
    assert firsts == list(range(1, 11))
    # with a large budget they all start at once
    engine = BatchEngine(max_batch_size=64, prefill_budget=100_000, prefill_chunk=100_000)
    log = run(engine, seqs(10, prompt=1000, out=5), 30)
    assert {t for events in log.values() for t, k in events if k == "first"} == {1}


def test_chunked_prefill_takes_several_ticks() -> None:
    engine = BatchEngine(prefill_chunk=256, prefill_budget=256)
    log = run(engine, seqs(1, prompt=1000, out=2), 10)[0]
    assert next(t for t, k in log if k == "first") == 4  # ceil(1000 / 256)


def test_kv_exhaustion_preempts_and_recomputes() -> None:
    """Blocks for ~3 sequences' growth: later sequences are preempted, requeued, and still finish."""
    engine = BatchEngine(
        max_batch_size=8, block_size=16, capacity_blocks=24, prefill_budget=10_000, prefill_chunk=10_000
    )
    log = run(engine, seqs(4, prompt=16, out=100), 2000)
    assert engine.preemptions > 0
    assert all(events[-1][1] == "done" for events in log.values())
    assert engine.free_blocks == engine.capacity_blocks
    generated = {sid: sum(1 for _, k in events if k in ("first", "token")) for sid, events in log.items()}
    assert set(generated.values()) == {100}


def test_waiting_for_blocks_then_admission() -> None:
    engine = BatchEngine(max_batch_size=8, block_size=16, capacity_blocks=4, prefill_budget=10_000)
    log = run(engine, seqs(2, prompt=40, out=3), 40)  # each needs 3 blocks: the second waits
    first_done = max(t for t, k in log[0] if k == "done")
    admitted_second = next(t for t, k in log[1] if k == "admitted")
    assert admitted_second >= first_done


def test_cancel_frees_slot_and_blocks() -> None:
    engine = BatchEngine(max_batch_size=1)
    a, b = seqs(2, out=1000)
    engine.submit(a)
    engine.submit(b)
    for _ in range(5):
        engine.tick()
    assert a in engine.running and b in engine.waiting
    engine.cancel(a)
    assert a.state == "cancelled" and engine.free_blocks == engine.capacity_blocks
    events = engine.tick()
    assert any(ev.seq is b and ev.kind == "admitted" for ev in events)
