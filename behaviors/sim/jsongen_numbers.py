"""Numbers within a node's bounds for jsongen: minimum / maximum (inclusive or exclusive) and multipleOf.

Several ``multipleOf`` s combine into their least common multiple (exact, via fractions); float steps are
rounded to the step's decimals and re-checked with the same float rule as the ``jsonschema`` package.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

from fakeai.behaviors.sim.jsongen_nodes import Node
from fakeai.behaviors.sim.jsongen_validate import multiple_ok

__all__ = ["number_in_bounds"]


def number_in_bounds(node: Node, integer: bool, rng: random.Random) -> int | float:
    """A number the node's bounds and ``multipleOf`` s allow (within 1..100 when unbounded)."""
    lows = [v for v in (node.lo, node.lo_ex) if v is not None]
    highs = [v for v in (node.hi, node.hi_ex) if v is not None]
    lo: float = max(lows) if lows else 0
    hi: float = min(highs) if highs else 0
    if not lows and not highs:
        lo, hi = 1, 100
    elif not lows:
        lo = hi - 100 if hi < 1 else max(0, hi - 100)
    elif not highs:
        hi = lo + max(100, abs(lo))
    step = _step(node.mults, integer)
    if step:
        first, last = math.ceil(lo / step), math.floor(hi / step)
        k = rng.randint(first, last) if first <= last and last - first < 10**12 else first
        digits = _decimals(step)
        for cand in (k, k + 1, k - 1, first, last, first + 1, last - 1):
            v = cand * step
            if isinstance(v, float):
                v = round(v, digits)
                v = int(v) if v.is_integer() and abs(v) < 2**53 else v
            if lo <= v <= hi and v != node.lo_ex and v != node.hi_ex and all(multiple_ok(v, m) for m in node.mults):
                return v
        return k * step
    if integer:
        low = max(math.ceil(lo), math.floor(node.lo_ex) + 1 if node.lo_ex is not None else -(10**18))
        high = min(math.floor(hi), math.ceil(node.hi_ex) - 1 if node.hi_ex is not None else 10**18)
        return rng.randint(low, high) if low <= high else low
    v = round(rng.uniform(lo, hi), 2)
    if v < lo or v > hi or v == node.lo_ex or v == node.hi_ex:
        v = (lo + hi) / 2
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _decimals(step: float) -> int:
    exp = Decimal(repr(step)).as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 6


def _step(mults: list[float], integer: bool) -> int | float:
    """The smallest positive number that is a multiple of every ``multipleOf`` (and an integer if asked); 0: none."""
    if not mults:
        return 0
    try:
        fracs = [Fraction(repr(m)) for m in mults] + ([Fraction(1)] if integer else [])
    except (ValueError, ZeroDivisionError):
        return mults[0]
    num = fracs[0].numerator
    den = fracs[0].denominator
    for f in fracs[1:]:
        num = num * f.numerator // math.gcd(num, f.numerator)
        den = math.gcd(den, f.denominator)
    if num > 10**15:
        return mults[0]
    return num // den if num % den == 0 else num / den
