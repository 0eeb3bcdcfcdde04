"""Rendering into JAX (imported on first render, not when the plugin loads)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from lrsched import ConfigError, LrschedError, Schedule, StepError
from lrsched.xp import with_float_dtype

__all__ = ["evaluate", "namespace", "render"]

_DTYPES = {
    "float32": jnp.float32,
    "float64": jnp.float64,
    "bfloat16": jnp.bfloat16,
    "float16": jnp.float16,
}


def _x64() -> bool:
    return bool(jax.config.jax_enable_x64)


# -- the namespace ---------------------------------------------------------------------------
def _bitcast(x: Any, dtype: Any) -> Any:
    """The one primitive the core's ``xp_ldexp`` needs from JAX to write powers of two as bits
    (``jnp.ldexp`` is ``frexp`` plus a float ``pow``: most of a float32 schedule's cost)."""
    return lax.bitcast_convert_type(x, dtype)


@functools.cache
def namespace(dtype: str) -> Any:
    """The namespace a rendered schedule hands to ``spec.value`` for ``dtype``: ``jax.numpy``
    in that float dtype (:func:`lrsched.xp.with_float_dtype`) with JAX's bitcast."""
    return with_float_dtype(jnp, _DTYPES[dtype], bitcast=_bitcast)


# -- rendering -------------------------------------------------------------------------------
def render(spec: Schedule, *, dtype: str | None = None, jit: bool = True) -> Callable[[Any], Any]:
    """An optax ``Schedule``: ``f(step)`` computing ``spec.value(step, jax.numpy)``.

    Nothing is traced or computed here: ``f`` closes over the frozen spec only.

    Args:
      spec: the schedule.
      dtype: ``None`` (default: JAX's default float, float32 or float64 under
        ``jax_enable_x64``, read at each call), ``"float32"``, ``"float64"`` (needs
        ``jax_enable_x64``), ``"bfloat16"`` or ``"float16"`` (computed in float32, then cast).
      jit: wrap the computation in ``jax.jit`` so eager calls are one compiled call; inside
        an outer ``jit``/``vmap``/``scan`` it is inlined either way.

    Returns:
      ``f(step) -> jax.Array`` for an integer step (Python int, numpy or JAX integer array,
      or tracer) of any shape; the result has the step's shape.

    Example:
      >>> import jax, lrsched
      >>> f = lrsched.render(lrsched.ExponentialDecay(1.0, 2, 0.25), "jax")
      >>> jax.jit(f)(4)
      Array(0.0625, dtype=float32)
    """
    if dtype is not None and dtype not in _DTYPES:
        raise ConfigError(
            f"jax backend: option `dtype` must be None or one of {sorted(_DTYPES)}; received {dtype!r}"
        )
    if not isinstance(jit, bool):
        raise ConfigError(f"jax backend: option `jit` must be True or False; received {jit!r}")
    value = spec.value

    def compute(steps: Any) -> Any:
        name = dtype or ("float64" if _x64() else "float32")
        if name == "float64" and not _x64():
            raise LrschedError(
                "jax backend: dtype='float64' needs jax_enable_x64 "
                "(jax.config.update('jax_enable_x64', True)); it is off"
            )
        return value(steps, namespace(name))

    computed = jax.jit(compute) if jit else compute

    def schedule(step: Any) -> Any:
        return computed(_steps(step))

    schedule.__name__ = schedule.__qualname__ = f"{type(spec).__name__}_jax"
    schedule.__doc__ = f"{spec!r} rendered by lrsched for JAX ({dtype or 'default float'})."
    return schedule


def _steps(step: Any) -> Any:
    """``step`` as an integer JAX array (or tracer); anything else is a :class:`StepError`."""
    if isinstance(step, bool):
        raise StepError(f"jax backend: step must be an integer; received {step!r}")
    if isinstance(step, int):
        info = jnp.iinfo(jnp.int64 if _x64() else jnp.int32)
        if not info.min <= step <= info.max:
            hint = "" if _x64() else " (enable jax_enable_x64 for int64 steps)"
            raise StepError(
                f"jax backend: step must fit in {info.dtype}, [{info.min}, {info.max}]{hint}; received {step}"
            )
        return jnp.asarray(step, dtype=info.dtype)
    dtype = getattr(step, "dtype", None)
    if dtype is None:
        if isinstance(step, (float, complex)) or not hasattr(step, "__index__"):
            raise StepError(
                f"jax backend: step must be an integer or an integer array; "
                f"received {type(step).__name__}: {step!r}"
            )
        return _steps(operator.index(step))
    if not jnp.issubdtype(dtype, jnp.integer):
        raise StepError(f"jax backend: step arrays must have an integer dtype; received {dtype}")
    widest = np.dtype(np.int64 if _x64() else np.int32)
    if isinstance(step, jax.Array):  # arrays and tracers
        if jnp.issubdtype(dtype, jnp.signedinteger):
            return step
        if dtype.itemsize < widest.itemsize:  # unsigned: widened exactly to a signed dtype
            return step.astype(widest)
        if isinstance(step, jax.core.Tracer):
            raise StepError(
                f"jax backend: traced {dtype} steps cannot be checked to fit in {widest}; "
                f"pass {widest} steps (or enable jax_enable_x64 for uint32)"
            )
    step = np.asarray(step)
    if step.dtype.kind == "i" and step.dtype.itemsize <= widest.itemsize:
        return jnp.asarray(step)
    info = np.iinfo(widest)
    if step.size and (step.min() < info.min or step.max() > info.max):
        hint = "" if _x64() else " (enable jax_enable_x64 for int64 steps)"
        raise StepError(
            f"jax backend: {step.dtype} steps must fit in {widest}{hint}; "
            f"received steps in [{step.min()}, {step.max()}]"
        )
    return jnp.asarray(step.astype(widest))


def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
    """The default rendering's values at ``steps`` as Python floats (int64 steps under x64)."""
    f = render(spec)
    info = np.iinfo(np.int64 if _x64() else np.int32)
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int) or not info.min <= step <= info.max:
            raise StepError(
                f"jax backend: evaluate takes integer steps in {info.dtype}'s range "
                f"[{info.min}, {info.max}]; received {step!r}"
            )
    return [float(v) for v in np.asarray(f(np.asarray(list(steps), dtype=info.dtype))).reshape(-1)]
