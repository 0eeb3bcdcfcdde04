"""Which steps the kit tests a schedule at, and the exact values there (``spec(step)``, cached)."""

from __future__ import annotations

import math
import random
import struct
import zlib
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "boundary_steps",
    "exact",
    "peak",
    "round_to",
    "rounded_parts",
    "rounded_parts_range",
    "same_value",
    "sample_steps",
]

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_DENSE = 64  # evenly spaced steps across the active range
_RANDOM = 24  # random steps in the active range, and as many in int32's and int64's ranges
_FAR = (2**24, 2**31 - 1, 2**53, 2**62)  # where float32 and float64 stop holding every integer
#: Bits at which :func:`same_value` compares exact values: a schedule's values at two steps below
#: 2**64 that differ at all differ by far more than 2**-320 of their size.
_WIDE = 320


@lru_cache(maxsize=65536)
def exact(spec: Schedule, step: int) -> float:
    """``spec(step)``: the correctly rounded exact value, the kit's oracle."""
    return float(spec(step))


@lru_cache(maxsize=65536)
def _wide(spec: Schedule, step: int) -> tuple:
    """``spec.value`` at ``step`` in exact math at :data:`_WIDE` bits, as mpmath's raw number."""
    from lrsched.exact import namespace

    ns = namespace(_WIDE, strict=False)
    return ns.real(spec.value(ns.Int(step), ns)).v


def same_value(spec: Schedule, s: int, t: int) -> bool:
    """Whether the exact values at steps ``s`` and ``t`` are equal (one stair, a clipped run), not
    merely equal once rounded to float64, as a smooth schedule's values at neighbouring steps
    past 2**53 are: there a backend's own rounding may give two neighbouring floats."""
    return exact(spec, s) == exact(spec, t) and _wide(spec, s) == _wide(spec, t)


def _rng(spec: Schedule, salt: str) -> random.Random:
    return random.Random(zlib.crc32(f"{spec!r}|{salt}".encode()))


def _int_fields(spec: Schedule) -> list[int]:
    return [v for v in spec.__dict__.values() if isinstance(v, int) and not isinstance(v, bool) and v > 0]


@lru_cache(maxsize=1024)
def boundary_steps(spec: Schedule, max_step: int = INT64_MAX) -> tuple[int, ...]:
    """The spec's boundaries, and for a periodic one (boundaries that are multiples of one period)
    the multiples of the period around 2**24, 2**31, 2**53 and 2**62 where the exact value jumps:
    whole stairs slip there when a step is rounded to a float."""
    found = {b for b in spec.breakpoints() if 0 < b <= max_step}
    period = math.gcd(*found) if found else 0
    if period:
        for far in _FAR:
            n = far // period
            for b in (n * period, (n + 1) * period):
                if period < b <= max_step and exact(spec, b - 1) != exact(spec, b):
                    found.add(b)
    return tuple(sorted(found))


@lru_cache(maxsize=1024)
def sample_steps(spec: Schedule, max_step: int = INT64_MAX) -> tuple[int, ...]:
    """The steps the value checks use, all in ``[0, max_step]``: step 0; each boundary and its
    neighbours (:func:`boundary_steps`); the spec's preview steps; its integer fields and their
    neighbours; steps spread densely and at random across the active range (up to the spec's
    :meth:`~lrsched.Schedule.horizon`); random int32 and int64 steps; int32's and int64's max."""
    rng = _rng(spec, "steps")
    horizon = max(1, min(spec.horizon(), max_step))
    steps = {0, 1, 2, INT32_MAX, INT64_MAX}
    for b in boundary_steps(spec, max_step):
        steps.update((b - 2, b - 1, b, b + 1))
    steps.update(spec.preview_steps())
    for v in _int_fields(spec):
        steps.update((v - 1, v, v + 1, v // 2, 2 * v))
    steps.update(horizon * i // _DENSE for i in range(_DENSE + 1))
    steps.update(rng.randint(0, horizon) for _ in range(_RANDOM))
    steps.update(rng.randint(0, INT32_MAX) for _ in range(_RANDOM))
    steps.update(rng.randint(0, INT64_MAX) for _ in range(_RANDOM))
    return tuple(sorted(s for s in steps if 0 <= s <= max_step))


@lru_cache(maxsize=1024)
def peak(spec: Schedule) -> float:
    """The largest finite ``|spec(step)|`` over the sampled steps: the scale of the tolerances."""
    values = [abs(exact(spec, s)) for s in sample_steps(spec)]
    finite = [v for v in values if math.isfinite(v)]
    return max(finite, default=0.0)


def few_steps(spec: Schedule, count: int, max_step: int = INT32_MAX) -> list[int]:
    """A few telling steps (0, boundaries, preview steps, the dtype's max), for the costlier checks."""
    chosen = [0, 1, *boundary_steps(spec, max_step)[:4], *spec.preview_steps(), max_step]
    out: list[int] = []
    for s in chosen:
        if 0 <= s <= max_step and s not in out:
            out.append(s)
    return out[:count]


# -- compositions whose parts leave the dtype's range ---------------------------------------------
#: Per dtype: the smallest normal magnitude and the magnitude from which a value rounds to inf.
_RANGE = {"float32": (2.0**-126, 2.0**128 - 2.0**103), "float64": (2.0**-1022, math.inf)}


def round_to(value: float, dtype: str) -> float:
    """``value`` rounded to ``dtype`` (``"float32"``: inf beyond its range), as a Python float."""
    if dtype == "float64" or not math.isfinite(value):
        return value
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


#: What a part below the dtype's normal range may be off by (the kit's own tolerance there: two
#: float64 subnormal spacings, four float32 ones).
_SUBNORMAL_SLACK = {"float32": 4 * 2.0**-149, "float64": 2 * 2.0**-1074}


class _RoundedPart:
    """A nested schedule whose exact value is rounded to ``dtype`` (its own parts first): the
    value a composition receives from it in that dtype; a subnormal one moved by ``side`` times
    the slack the kit allows it. Anything else is the part's own."""

    def __init__(self, part: Schedule, dtype: str, side: int, beyond: list[bool]) -> None:
        self._part, self._dtype, self._side, self._beyond = part, dtype, side, beyond

    def value(self, step: object, xp: object) -> object:
        got, inner_beyond = _parts_rounded(self._part, int(step), self._dtype, self._side)  # type: ignore[call-overload]
        rounded = round_to(got, self._dtype)
        tiny, huge = _RANGE[self._dtype]
        # beyond the dtype's normal range (0 and float64's subnormals included: the exact part
        # may be below float64's range, where a float64 reads 0)
        if inner_beyond or not (math.isnan(got) or tiny <= abs(got) < huge):
            self._beyond[0] = True
        if self._side and math.isfinite(rounded) and abs(rounded) < tiny:
            moved = rounded + self._side * _SUBNORMAL_SLACK[self._dtype]
            rounded = max(moved, 0.0) if got >= 0 else moved  # a part >= 0 stays so
        return xp.asarray(rounded)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._part, name)


@lru_cache(maxsize=65536)
def _parts_rounded(spec: Schedule, step: int, dtype: str, side: int = 0) -> tuple[float, bool]:
    """``spec``'s exact value at ``step`` with each nested schedule's value rounded to ``dtype``
    (recursively; a subnormal one moved by ``side`` times its slack), correctly rounded to
    float64; and whether any part was beyond the dtype's normal range there."""
    parts = spec.nested_schedules()
    if not parts:
        from lrsched.exact import exact_value

        return exact_value(spec.value, step), False
    beyond = [False]
    update = {
        name: tuple(_RoundedPart(p, dtype, side, beyond) for p in value)
        if isinstance(value, tuple)
        else _RoundedPart(value, dtype, side, beyond)  # type: ignore[arg-type]
        for name, value in parts.items()
    }
    from lrsched.exact import exact_value

    return exact_value(spec.model_copy(update=update).value, step), beyond[0]


def rounded_parts(spec: Schedule, step: int, dtype: str) -> float | None:
    """A composition's second oracle: its exact value at ``step`` where each nested schedule's
    value is first rounded to ``dtype``, or ``None`` where every part is within the dtype's
    normal range there (the oracle is then :func:`exact` alone).

    A composition computes on its parts' values in the dtype: a part beyond the dtype's range
    (a ``Product`` factor of 1e-72 in float32, a warm-up target of 1e300) reaches it as 0 or inf
    however exactly the backend computes, so the kit also accepts the composition of those values.

    Example:
      >>> import lrsched
      >>> spec = lrsched.Product([lrsched.Constant(1.5e27), lrsched.Constant(3.7e-72)])
      >>> exact(spec, 0), rounded_parts(spec, 0, "float32"), rounded_parts(spec, 0, "float64")
      (5.5499999999999994e-45, 0.0, None)
    """
    if not spec.nested_schedules():
        return None
    value, beyond = _parts_rounded(spec, int(step), dtype)
    return value if beyond else None


def rounded_parts_range(spec: Schedule, step: int, dtype: str) -> tuple[float, float]:
    """Where :func:`rounded_parts` is not ``None``: the least and greatest of the composition's
    exact values with each subnormal part moved down and up by the slack the kit allows it (two
    float64 subnormal spacings, four float32 ones), for compositions that grow or shrink with
    each part (a subnormal factor computed one spacing off, times 5, is five spacings off)."""
    low, high = (_parts_rounded(spec, int(step), dtype, side)[0] for side in (-1, 1))
    return min(low, high), max(low, high)
