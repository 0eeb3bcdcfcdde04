"""The kit's closeness rule: float64 within a relative ``rtol``, float32 within ``ulps`` units in the
last place, each measured at the size ``max(|exact|, 1e-6 * peak)``."""

from __future__ import annotations

import math

__all__ = ["FLOAT32_MAX", "ConformanceError", "assert_close", "float32_ulp", "size_floor"]

#: The largest finite float32.
FLOAT32_MAX = 3.4028234663852886e38
#: Exact values at or beyond this round to inf in float32 (the midpoint to 2**128).
FLOAT32_OVERFLOW = 3.4028235677973366e38
#: The fraction of the peak below which a value is held to the peak's tolerance, not its own.
SIZE_FLOOR = 1e-6


class ConformanceError(AssertionError):
    """A schedule failed a conformance check; the message names the check, the backend, the step,
    the value received and the exact value."""


def float32_ulp(x: float) -> float:
    """The float32 spacing at ``|x|``: ``2**(e - 23)`` for ``2**e <= |x| < 2**(e + 1)``; the
    subnormal spacing ``2**-149`` below the smallest normal.

    Example:
      >>> float32_ulp(1.0) == 2.0**-23, float32_ulp(0.0) == 2.0**-149
      (True, True)
    """
    # a size beyond float32's range (a millionth of a peak past it) keeps its own ulp
    x = FLOAT32_MAX if math.isinf(x) else abs(x)
    if x < 2.0**-126:
        return 2.0**-149
    return 2.0 ** (math.frexp(x)[1] - 24)


def size_floor(peak: float) -> float:
    """``1e-6 * peak``: the smallest size a value is held to (so tails are held to their own size
    down to a millionth of the peak, and to that below)."""
    return SIZE_FLOOR * abs(peak) if math.isfinite(peak) else 0.0


def assert_close(
    got: float,
    exact: float,
    *,
    dtype: str,
    peak: float = 0.0,
    rtol: float = 1e-12,
    ulps: float = 4,
    where: str = "",
    flush_subnormals: bool = False,
) -> float:
    """Raise :class:`ConformanceError` unless ``got`` is close to ``exact`` for ``dtype``.

    The error is measured at the size ``max(|exact|, 1e-6 * peak)``: a value in a schedule's tail
    is held to its own size, and one below a millionth of the peak to that millionth.

    - ``"float64"``: ``|got - exact| <= rtol * size`` (or within two subnormal spacings).
    - ``"float32"``: ``|got - exact| <= ulps * float32_ulp(size)``; an exact value beyond float32's
      range must give ``inf`` (or float32's max within the ulps), and ``inf`` counts as ``2**128``
      for one within the ulps of it.
    - NaN matches only NaN, and an infinite exact value only itself.

    Args:
      got: the value a backend returned, as a Python float.
      exact: the exact value (``spec(step)``, correctly rounded to float64).
      dtype: ``"float64"`` or ``"float32"`` (narrower dtypes are not checked by the kit).
      peak: the largest exact value of the schedule over the sampled steps.
      rtol: float64's relative tolerance.
      ulps: float32's tolerance in ulps.
      where: what to name in the message (the check, backend and step).
      flush_subnormals: the backend flushes subnormal results to 0 (XLA on CPU, TensorFlow):
        0 is then also right for an exact value below the dtype's smallest normal.

    Returns:
      The error in the dtype's unit (relative to the size for float64, ulps for float32).

    Example:
      >>> assert_close(0.1000000000000001, 0.1, dtype="float64") < 1e-12
      True
      >>> assert_close(1e-13, 0.0, dtype="float32", peak=1.0) < 1  # held to a millionth of the peak
      True
    """
    if dtype not in ("float32", "float64"):
        raise ValueError(f"assert_close: dtype must be 'float32' or 'float64'; received {dtype!r}")
    prefix = f"{where}: " if where else ""
    if math.isnan(exact) or math.isnan(got):
        if math.isnan(exact) and math.isnan(got):
            return 0.0
        raise ConformanceError(f"{prefix}got {got!r}, exact {exact!r}")
    if math.isinf(exact):
        if got == exact or (dtype == "float32" and abs(got) == FLOAT32_MAX and (got > 0) == (exact > 0)):
            return 0.0
        raise ConformanceError(f"{prefix}got {got!r}, exact {exact!r} (beyond float64's range)")
    size = max(abs(exact), size_floor(peak))
    if flush_subnormals and got == 0 and abs(exact) < (2.0**-126 if dtype == "float32" else 2.0**-1022):
        return 0.0
    if dtype == "float32" and got == math.copysign(math.inf, exact):
        # inf is float32's 2**128: right beyond the overflow threshold, and within the ulps of an
        # exact value that close to it (the dtype's max plus an ulp or two rounds to inf)
        past = (2.0**128 - abs(exact)) / float32_ulp(size)
        if abs(exact) >= FLOAT32_OVERFLOW or past <= ulps:
            return max(past, 0.0)
    if math.isinf(got):
        raise ConformanceError(f"{prefix}got {got!r}, exact {exact!r}")
    error = abs(got - exact)  # both are float64 values: this difference is within 1 ulp of the truth
    if dtype == "float64":
        unit = max(size, 2.0**-1022)
        allowed = max(rtol * size, 2 * 2.0**-1074)
        measured = error / unit
        if error > allowed:
            # relative to the size itself (a subnormal size too), with the spacings below normal
            relative = error / size if size else math.inf
            spacings = (
                f"; {error / 2.0**-1074:.4g} subnormal spacings, {allowed / 2.0**-1074:.4g} allowed"
                if size < 2.0**-1022
                else ""
            )
            raise ConformanceError(
                f"{prefix}got {got!r}, exact {exact!r}: relative error {relative:.3g} "
                f"(at size {size:.6g}{spacings}) exceeds float64's {rtol:g}"
            )
        return measured
    unit = float32_ulp(size)
    measured = error / unit
    if measured > ulps:
        raise ConformanceError(
            f"{prefix}got {got!r}, exact {exact!r}: {measured:.4g} float32 ulps (at size {size:.6g}) "
            f"exceed {ulps:g}"
        )
    return measured
