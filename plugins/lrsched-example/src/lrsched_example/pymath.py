"""The pymath backend: ``spec.value`` run on plain Python floats with the ``math`` module.

A backend is an array namespace plus a wrapper; this one's "arrays" are Python scalars, so it
shows the smallest namespace lrsched's built-in schedules need.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lrsched import Schedule, StepError


class _PyMath:
    """Python ints and floats (float64) with the Array API's function names."""

    __name__ = "lrsched_example.pymath"
    float64 = float32 = lrsched_float_dtype = float  # every float is a Python float
    int64 = int32 = int

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> Any:
        return (dtype or type(value))(value)

    @staticmethod
    def astype(value: Any, dtype: Any) -> Any:
        return dtype(value)

    @staticmethod
    def zeros_like(value: Any, dtype: Any = None) -> Any:
        return (dtype or type(value))(0)

    @staticmethod
    def iinfo(dtype: Any) -> Any:
        class Info:
            min, max, bits = -(2**63), 2**63 - 1, 64

        return Info

    @staticmethod
    def isdtype(dtype: Any, kind: Any) -> bool:
        return (dtype is float and kind == "real floating") or (dtype is int and kind == "integral")

    @staticmethod
    def floor_divide(a: Any, b: Any) -> Any:
        return a // b

    @staticmethod
    def remainder(a: Any, b: Any) -> Any:
        return a % b

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        return a if condition else b

    @staticmethod
    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def ones_like(value: Any, dtype: Any = None) -> Any:
        return (dtype or type(value))(1)

    @staticmethod
    def pow(x: float, y: float) -> float:
        try:
            return math.pow(x, y)
        except OverflowError:
            return math.inf

    sqrt = staticmethod(math.sqrt)
    log = staticmethod(math.log)
    log1p = staticmethod(math.log1p)
    isfinite = staticmethod(math.isfinite)
    expm1 = staticmethod(math.expm1)
    floor = staticmethod(math.floor)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    pi = math.pi
    minimum = staticmethod(min)
    maximum = staticmethod(max)
    abs = staticmethod(abs)

    @staticmethod
    def clip(value: Any, lo: Any = None, hi: Any = None) -> Any:
        """The Array API's clip: either bound may be None."""
        if lo is not None:
            value = max(value, lo)
        return value if hi is None else min(value, hi)


namespace = _PyMath()


def render(spec: Schedule) -> Callable[[int], float]:
    """``f(step)`` for a Python int step, computed in Python floats.

    Example:
      >>> import lrsched
      >>> render(lrsched.ExponentialDecay(1.0, 2, 0.25))(4)
      0.0625
    """
    value = spec.value

    def schedule(step: int | float) -> float:
        # lrsched's step policy: ints, or floats holding whole numbers; never negative
        if isinstance(step, float) and step.is_integer():
            step = int(step)
        if isinstance(step, bool) or not isinstance(step, int):
            raise StepError(f"pymath backend: step must be a whole number; received {step!r}")
        if step < 0:
            raise StepError(f"pymath backend: step must be >= 0; received {step!r}")
        return float(value(step, namespace))

    return schedule


def evaluate(spec: Schedule, steps: list[int]) -> list[float]:
    """The pymath backend's values at ``steps``.

    Example:
      >>> import lrsched
      >>> evaluate(lrsched.ExponentialDecay(1.0, 2, 0.25), [0, 2, 4])
      [1.0, 0.25, 0.0625]
    """
    f = render(spec)
    return [f(step) for step in steps]
