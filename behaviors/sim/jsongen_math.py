"""Simple maths in a prompt, worked out for jsongen (``answer`` and ``steps`` fields of structured outputs).

Handles one linear equation in one variable (``8x + 7 = -23`` -> -3.75, with the three usual steps) or one
binary operation (``15 * 7``, ``15 times 7``, ``2 ^ 10``, ``9 divided by 4``).
"""

from __future__ import annotations

import re

__all__ = ["solve"]

_ARITH = re.compile(
    r"(?<![\w.-])(-?\d+(?:\.\d+)?)\s*([-+*/x×÷^]|plus|minus|times|divided by)\s*(-?\d+(?:\.\d+)?)(?![\w.]|[-/]\d)"
)
_LINEAR = re.compile(r"(-?\d*(?:\.\d+)?)\s*\*?\s*([a-z])\s*([-+])\s*(\d+(?:\.\d+)?)\s*=\s*(-?\d+(?:\.\d+)?)")


def solve(text: str) -> tuple[float | int | None, tuple[str, ...]]:
    """(answer, worked steps) for the first linear equation or binary arithmetic in ``text``, else (None, ())."""
    if m := _LINEAR.search(text):
        a = float(m.group(1)) if m.group(1) not in ("", "-") else (-1.0 if m.group(1) == "-" else 1.0)
        var, sign, b, c = m.group(2), m.group(3), float(m.group(4)), float(m.group(5))
        b = b if sign == "+" else -b
        if a:
            rhs = c - b
            x = rhs / a
            show = [f"{v:g}" for v in (a, abs(b), c, rhs, x)]
            move = "Subtract" if b >= 0 else "Add"
            steps: tuple[str, ...] = (
                f"Start with the equation {m.group(0).strip()}.",
                f"{move} {show[1]} {'from' if b >= 0 else 'to'} both sides: {show[0]}{var} = {show[3]}.",
                f"Divide both sides by {show[0]}: {var} = {show[4]}.",
            )
            return (int(x) if x.is_integer() else round(x, 6)), steps
    if m := _ARITH.search(text):
        a, op, b = float(m.group(1)), m.group(2).lower(), float(m.group(3))
        names = {"+": "Add", "plus": "Add", "-": "Subtract", "minus": "Subtract", "^": "Raise"}
        if op in ("/", "÷", "divided by") and b == 0:
            return None, ()
        if op in ("+", "plus"):
            r = a + b
        elif op in ("-", "minus"):
            r = a - b
        elif op in ("/", "÷", "divided by"):
            r = a / b
        elif op == "^":
            r = a**b if abs(b) < 64 else float("nan")
        else:
            r = a * b
        if r != r:
            return None, ()
        verb = names.get(op, "Divide" if op in ("/", "÷", "divided by") else "Multiply")
        result = int(r) if float(r).is_integer() else round(r, 6)
        steps = (f"Identify the operation: {m.group(0).strip()}.", f"{verb} {a:g} and {b:g} to get {result:g}.")
        return result, steps
    return None, ()
