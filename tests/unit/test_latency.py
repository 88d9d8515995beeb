"""The open-loop schedule of behaviors/latency.py: absolute deadlines (a stall mid-stream is caught up, lateness does
not accumulate), except that a first token sent late (fakeai's own set-up outlasted the TTFT) starts the schedule
from when it was really sent. Tolerances are generous: this checks the schedule's shape, not fakeai's speed."""

from __future__ import annotations

import asyncio
import itertools
import random
import time

from fakeai.behaviors.latency import engine
from fakeai.behaviors.models_api import resolve_model

from fakeai.app import create_app
from tests.conftest import make_settings

TTFT, ITL = 0.05, 0.03


def stream(block_before_first: float, stall_after: int, stall: float) -> list[float]:
    """Send times of 8 tokens, relative to the request's arrival; the loop is blocked (as by a burst of set-ups)
    for `block_before_first` seconds before the first token and for `stall` seconds after token `stall_after`."""
    services = create_app(make_settings(fast=False, ttft=TTFT, itl=ITL, jitter_cv=0.0, load_stretch=0.0)).state.services

    async def run() -> list[float]:
        model = resolve_model(services, "meta-llama/Llama-3.1-8B-Instruct")
        arrival = time.monotonic()
        seq = engine(services).submit(model, [1, 2, 3], 3, 8, random.Random(0), arrival)
        time.sleep(block_before_first)
        sent = []
        for i in range(8):
            await (seq.first_token() if i == 0 else seq.next_token())
            sent.append(time.monotonic() - arrival)
            if i == stall_after:
                time.sleep(stall)
        seq.close()
        return sent

    return asyncio.run(run())


def test_tokens_keep_absolute_deadlines() -> None:
    sent = stream(0.0, -1, 0.0)
    for i, t in enumerate(sent):
        assert abs(t - (TTFT + i * ITL)) < 0.012, (i, t)


def test_a_stall_mid_stream_is_caught_up() -> None:
    sent = stream(0.0, 2, 0.1)  # tokens 3..5 fell due during the stall
    assert sent[3] - sent[2] > 0.09
    assert sent[4] - sent[3] < 0.01  # sent at once: their deadlines had passed
    assert abs(sent[7] - (TTFT + 7 * ITL)) < 0.012  # and the stream ends on schedule


def test_a_late_first_token_restarts_the_schedule() -> None:
    sent = stream(0.15, -1, 0.0)  # the loop was busy past the 50 ms TTFT
    assert sent[0] > 0.14
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert all(abs(g - ITL) < 0.012 for g in gaps), gaps  # no tokens back to back to catch up
