"""Random ids for API objects and stored rows: unique, not secret, and cheap.

`os.urandom` is a system call per id (uuid4 too); ids need only be unique, so they come from a Mersenne Twister
seeded from the OS once per process (and again in a forked child, so parent and child never share a sequence)."""

from __future__ import annotations

import os
import random

_rng = random.Random()


def _reseed() -> None:
    _rng.seed()


os.register_at_fork(after_in_child=_reseed)


def hex_id(digits: int) -> str:
    """`digits` random lower-case hex digits."""
    return f"{_rng.getrandbits(4 * digits):0{digits}x}"
