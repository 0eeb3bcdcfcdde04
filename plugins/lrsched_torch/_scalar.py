"""``spec.value`` in the core's float64 namespace on Python scalars (:data:`lrsched.xp.scalar`), a
step at a time: how :class:`ScheduleLR` evaluates steps beyond int64, and schedules whose
``value`` works on single steps only (:mod:`lrsched_torch._blocks` does the rest).

Steps are Python ints and reals are Python floats (IEEE float64), so the core's float64 path
runs (``scale * exp(num * c)``, within 1e-12 relative of the exact math) at the cost of a few
Python operations, where the exact namespace behind ``spec(step)`` costs tens of microseconds.
Overflow gives ``inf`` and underflow ``0.0``, as float64 arrays do; nothing raises.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import lrsched
from lrsched.xp import scalar

__all__ = ["scalar_value", "xp_scalar"]


#: The namespace: the core's float64 namespace on Python scalars.
xp_scalar = scalar


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
