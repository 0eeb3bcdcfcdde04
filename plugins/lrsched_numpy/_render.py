"""Rendering into numpy (imported on first render, not when the plugin loads)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from lrsched import ConfigError, Schedule, StepError
from lrsched.xp import with_float_dtype

_DTYPES = {"float64": np.float64, "float32": np.float32, "float16": np.float16}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_TOP = np.float64(2.0**63)  # the first float beyond int64


def render(spec: Schedule, *, dtype: str = "float64") -> Callable[[Any], Any]:
    """``f(step)`` computing ``spec.value(step, numpy)`` in ``dtype``.

    Steps follow lrsched's step policy (the Steps table in the guide): integers of any dtype,
    and floats holding whole numbers (as int64); a negative, fractional or non-finite step is
    a :class:`lrsched.StepError`.

    Args:
      spec: the schedule.
      dtype: ``"float64"`` (default), ``"float32"`` or ``"float16"``.

    Example:
      >>> import numpy as np, lrsched
      >>> f = lrsched.render(lrsched.ExponentialDecay(1.0, 2, 0.25), "numpy")
      >>> f(np.arange(5))
      array([1.    , 0.5   , 0.25  , 0.125 , 0.0625])
      >>> f(4), f(4.0)
      (0.0625, 0.0625)
    """
    if dtype not in _DTYPES:
        raise ConfigError(
            f"numpy backend: option `dtype` must be one of {sorted(_DTYPES)}; received dtype={dtype!r}"
        )
    xp = np if dtype == "float64" else with_float_dtype(np, _DTYPES[dtype])
    value = spec.value
    unsigned = spec.takes_unsigned_steps()  # a value() computing ``n - step`` gets signed steps

    def schedule(step: Any) -> Any:
        if isinstance(step, int):
            steps = _python_int(step, unsigned)
        else:
            steps = np.asarray(step)
            steps = _nonnegative(steps if steps.dtype.kind in "iu" else _integral(steps), unsigned)
        with np.errstate(all="ignore"):  # branch-free code computes lanes that where() discards
            out = value(steps, xp)
        return float(out) if out.ndim == 0 else out

    schedule.__name__ = schedule.__qualname__ = f"{type(spec).__name__}_numpy"
    schedule.__doc__ = f"{spec!r} rendered by lrsched for numpy ({dtype})."
    return schedule


def _python_int(step: int, unsigned: bool) -> np.ndarray:
    if isinstance(step, bool) or not 0 <= step <= _INT64_MAX:
        rule = "must be an integer, not a bool" if isinstance(step, bool) else "must be in [0, 2**63 - 1]"
        raise StepError(f"numpy backend: step {rule}; received {step!r}")
    if not unsigned:
        return np.asarray(step, dtype=np.int64)
    return np.asarray(step, dtype=np.uint32 if step < 2**32 else np.uint64)  # as :func:`_nonnegative`


def _nonnegative(steps: np.ndarray, own: bool) -> np.ndarray:
    """Integer steps, all >= 0 (a StepError otherwise); with ``own`` (a spec that
    :meth:`~lrsched.Schedule.takes_unsigned_steps`), as an unsigned dtype: the schedules'
    branches for steps below 0 drop out (their dtype says none is there), and 64-bit steps below
    2**32 go to uint32 (fewer digits to split), as a view of their low halves where the layout
    allows (no copy). One pass: a negative step viewed as unsigned is at least 2**(bits - 1)."""
    if not steps.dtype.isnative:  # a view below reads the bytes in the machine's order
        steps = steps.astype(steps.dtype.newbyteorder("="))
    unsigned = steps.view(np.dtype(f"u{steps.dtype.itemsize}"))
    top = int(unsigned.max()) if unsigned.size else 0
    if steps.dtype.kind == "i" and top > np.iinfo(steps.dtype).max:
        raise _negative(steps)
    if not own:
        return steps
    if unsigned.dtype.itemsize <= 4 or top >= 2**32:
        return unsigned
    if unsigned.ndim and unsigned.strides[-1] == 8:
        low = 0 if sys.byteorder == "little" else 1  # which half holds the low 32 bits
        return unsigned.view(np.uint32)[..., low::2]
    return unsigned.astype(np.uint32)


def _negative(steps: np.ndarray) -> StepError:
    return StepError(f"numpy backend: steps must be >= 0; received steps down to {steps.min().item()}")


def _integral(steps: np.ndarray) -> np.ndarray:
    """Floats holding whole numbers in int64's range become int64; anything else is an error."""
    if steps.dtype.kind != "f":
        raise StepError(
            f"numpy backend: steps must be integers or whole-number floats; received dtype {steps.dtype}"
        )
    bad = ~((np.floor(steps) == steps) & (np.abs(steps) < _TOP))
    if bad.any():
        first = steps[bad].flat[0].item()
        raise StepError(
            f"numpy backend: float steps must be finite whole numbers in int64's range; received {first!r}"
        )
    return steps.astype(np.int64)  # negatives: :func:`_nonnegative`'s error
