"""Rendering into numpy (imported on first render, not when the plugin loads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lrsched import ConfigError, Schedule, StepError
from lrsched.xp import with_float_dtype

_DTYPES = {"float64": np.float64, "float32": np.float32, "float16": np.float16}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def render(spec: Schedule, *, dtype: str = "float64") -> Callable[[Any], Any]:
    """``f(step)`` computing ``spec.value(step, numpy)`` in ``dtype``.

    Args:
      spec: the schedule.
      dtype: ``"float64"`` (default), ``"float32"`` or ``"float16"``.

    Example:
      >>> import numpy as np, lrsched
      >>> f = lrsched.render(lrsched.ExponentialDecay(1.0, 2, 0.25), "numpy")
      >>> f(np.arange(5))
      array([1.    , 0.5   , 0.25  , 0.125 , 0.0625])
      >>> f(4)
      0.0625
    """
    if dtype not in _DTYPES:
        raise ConfigError(f"numpy backend: dtype must be one of {sorted(_DTYPES)}; received {dtype!r}")
    xp = np if dtype == "float64" else with_float_dtype(np, _DTYPES[dtype])
    value = spec.value

    def schedule(step: Any) -> Any:
        steps = np.asarray(step) if not isinstance(step, int) else _python_int(step)
        if steps.dtype.kind not in "iu":
            steps = _integral(steps)
        with np.errstate(over="ignore", under="ignore"):
            out = value(steps, xp)
        return float(out) if out.ndim == 0 else out

    schedule.__name__ = schedule.__qualname__ = f"{type(spec).__name__}_numpy"
    schedule.__doc__ = f"{spec!r} rendered by lrsched for numpy ({dtype})."
    return schedule


def _python_int(step: int) -> np.ndarray:
    if isinstance(step, bool) or not _INT64_MIN <= step <= _INT64_MAX:
        raise StepError(f"numpy backend: step must be an integer in int64's range; received {step!r}")
    return np.asarray(step, dtype=np.int64)


def _integral(steps: np.ndarray) -> np.ndarray:
    """Float steps holding whole numbers are accepted as int64; anything else is an error."""
    if steps.dtype.kind == "f":
        ints = steps.astype(np.int64)
        if np.array_equal(ints, steps):
            return ints
        raise StepError("numpy backend: steps must be whole numbers; received a float array with fractions")
    raise StepError(f"numpy backend: steps must be integers; received dtype {steps.dtype}")
