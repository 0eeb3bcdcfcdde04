"""A tiny float64 array namespace on Python scalars: what :class:`ScheduleLR` evaluates
``spec.value`` with, once per ``scheduler.step()``.

Steps are Python ints and reals are Python floats (IEEE float64), so the core's float64 path
runs (``scale * exp(num * c)``, within 1e-12 relative of the exact math) at the cost of a few
Python operations, where the exact namespace behind ``spec(step)`` costs tens of microseconds.
Overflow gives ``inf`` and underflow ``0.0``, as float64 arrays do; nothing raises.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import lrsched

__all__ = ["scalar_value", "xp_scalar"]


def _safe(fn: Callable[[float], float]) -> Callable[[Any], float]:
    def wrapped(x: Any) -> float:
        try:
            return fn(x)
        except OverflowError:
            return math.inf
        except ValueError:  # outside the domain (log of a negative): IEEE says nan
            return math.nan

    wrapped.__name__ = wrapped.__qualname__ = fn.__name__
    return wrapped


def _cast(x: Any, dtype: Any) -> Any:
    return float(x) if dtype is float else int(x)


class _ScalarNamespace:
    """Array API names over Python ints (the integer dtype) and floats (the float dtype)."""

    __name__ = "lrsched_torch._scalar.xp_scalar"
    lrsched_float_dtype = float
    float64 = float
    int64 = int
    pi, e, inf, nan = math.pi, math.e, math.inf, math.nan

    exp = staticmethod(_safe(math.exp))
    expm1 = staticmethod(_safe(math.expm1))
    log = staticmethod(_safe(math.log))
    log1p = staticmethod(_safe(math.log1p))
    log2 = staticmethod(_safe(math.log2))
    log10 = staticmethod(_safe(math.log10))
    sqrt = staticmethod(_safe(math.sqrt))
    sin = staticmethod(_safe(math.sin))
    cos = staticmethod(_safe(math.cos))
    tan = staticmethod(_safe(math.tan))
    tanh = staticmethod(_safe(math.tanh))
    isfinite = staticmethod(math.isfinite)
    isnan = staticmethod(math.isnan)

    @staticmethod
    def asarray(x: Any, dtype: Any = None) -> Any:
        return x if dtype is None else _cast(x, dtype)

    @staticmethod
    def astype(x: Any, dtype: Any) -> Any:
        return _cast(x, dtype)

    @staticmethod
    def zeros_like(x: Any, dtype: Any = None) -> Any:
        return _cast(0, type(x) if dtype is None else dtype)

    @staticmethod
    def ones_like(x: Any, dtype: Any = None) -> Any:
        return _cast(1, type(x) if dtype is None else dtype)

    @staticmethod
    def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Any:
        return _cast(fill_value, type(x) if dtype is None else dtype)

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        return a if condition else b

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return math.nan if a != a or b != b else min(a, b)

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return math.nan if a != a or b != b else max(a, b)

    @staticmethod
    def clip(x: Any, min: Any = None, max: Any = None) -> Any:
        if min is not None and x < min:
            x = min
        if max is not None and x > max:
            x = max
        return x

    @staticmethod
    def abs(x: Any) -> Any:
        return abs(x)

    @staticmethod
    def floor(x: Any) -> Any:
        return float(math.floor(x)) if math.isfinite(x) else x

    @staticmethod
    def ceil(x: Any) -> Any:
        return float(math.ceil(x)) if math.isfinite(x) else x

    @staticmethod
    def round(x: Any) -> Any:
        return float(round(x)) if math.isfinite(x) else x  # half to even, as the Array API says

    @staticmethod
    def floor_divide(a: Any, b: Any) -> Any:
        return a // b

    @staticmethod
    def remainder(a: Any, b: Any) -> Any:
        return a % b

    @staticmethod
    def isdtype(dtype: Any, kind: Any) -> bool:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        names = {float: {"real floating", "numeric"}, int: {"integral", "signed integer", "numeric"}}
        return any(k is dtype or k in names.get(dtype, ()) for k in kinds)

    def __repr__(self) -> str:
        return self.__name__


#: The namespace (see the module docstring).
xp_scalar = _ScalarNamespace()


def scalar_value(spec: lrsched.Schedule) -> Callable[[int], float]:
    """``step -> float(spec.value(step, xp_scalar))``: the schedule in float64 on Python scalars.

    Schedules that call a function this namespace lacks fall back to numpy float64 0-d arrays
    (the same float64 math, slower); the choice is made once, here.

    Example:
      >>> import lrsched
      >>> f = scalar_value(lrsched.ExponentialDecay(0.1, 10, 0.5))
      >>> f(0), f(10), f(20)
      (0.1, 0.05, 0.025)
    """
    value = spec.value
    try:
        for probe in (0, 1):
            result = value(probe, xp_scalar)
            if not isinstance(result, numbers.Real):
                raise TypeError(type(result).__name__)
    except (AttributeError, TypeError):
        return _numpy_value(spec)

    def evaluate(step: int) -> float:
        return float(value(step, xp_scalar))

    return evaluate


def _numpy_value(spec: lrsched.Schedule) -> Callable[[int], float]:
    import numpy as np

    value = spec.value

    def evaluate(step: int) -> float:
        with np.errstate(all="ignore"):
            return float(value(np.asarray(step, dtype=np.int64), np))

    return evaluate
