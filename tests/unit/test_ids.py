"""fakeai.ids: random hex ids of the asked length, unique in practice."""

from __future__ import annotations

import re

from fakeai.ids import hex_id


def test_hex_ids_have_the_asked_length_and_do_not_repeat() -> None:
    ids = [hex_id(24) for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert len(hex_id(8)) == 8 and len(hex_id(48)) == 48
