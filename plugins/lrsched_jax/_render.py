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

__all__ = ["JaxSchedule", "evaluate", "namespace", "render"]

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
    in that float dtype (:func:`lrsched.xp.with_float_dtype`) with JAX's bitcast, and XLA's
    optimization barrier (``lrsched_barrier``: the core's ``xp_scale`` keeps XLA from folding a
    schedule's own constant into a scale factor, ``(x * 1.4e29) * 3.2e30`` into
    ``x * inf``, nan at the schedule's zeros)."""
    xp = with_float_dtype(jnp, _DTYPES[dtype], bitcast=_bitcast)
    xp.lrsched_barrier = lax.optimization_barrier
    return xp


# -- rendering -------------------------------------------------------------------------------
def render(spec: Schedule, *, dtype: str | None = None, jit: bool = True) -> JaxSchedule:
    """An optax ``Schedule``: ``f(step)`` computing ``spec.value(step, jax.numpy)``.

    Nothing is traced or computed here: ``f`` holds the frozen spec only.

    Args:
      spec: the schedule.
      dtype: ``None`` (default: JAX's default float, float32 or float64 under
        ``jax_enable_x64``, read at each call), ``"float32"``, ``"float64"`` (needs
        ``jax_enable_x64``), ``"bfloat16"`` or ``"float16"`` (computed in float32, then cast).
      jit: wrap the computation in ``jax.jit`` so eager calls are one compiled call; inside
        an outer ``jit``/``vmap``/``scan`` it is inlined either way.

    Returns:
      A :class:`JaxSchedule` ``f(step) -> jax.Array`` for an integer (or whole-number float)
      step (Python number, numpy or JAX array, or tracer) of any shape; the result has the
      step's shape.

    Example:
      >>> import jax, lrsched
      >>> f = lrsched.render(lrsched.ExponentialDecay(1.0, 2, 0.25), "jax")
      >>> jax.jit(f)(4)
      Array(0.0625, dtype=float32)
    """
    if dtype is not None and dtype not in _DTYPES:
        raise ConfigError(
            f"jax backend: option `dtype` must be None or one of {sorted(_DTYPES)}; received dtype={dtype!r}"
        )
    if not isinstance(jit, bool):
        raise ConfigError(f"jax backend: option `jit` must be True or False; received jit={jit!r}")
    return JaxSchedule(spec, dtype=dtype, jit=jit)


class JaxSchedule:
    """An lrsched spec as an optax ``Schedule``: ``f(step) -> jax.Array``, pure, for ``jit``,
    ``vmap``, ``scan`` and sharding. Build it with ``lrsched.render(spec, "jax")``.

    Steps follow lrsched's step policy (the Steps table in the guide). Where the step's value
    can be read (Python numbers, numpy arrays, concrete JAX arrays) a negative, fractional or
    non-finite step is a :class:`lrsched.StepError`. Traced (under ``jit``, ``vmap``,
    ``scan``), a fractional or non-finite float step gives NaN, and a negative step the
    formula extended to it.

    Example:
      >>> import lrsched
      >>> f = lrsched.render(lrsched.ExponentialDecay(1.0, 2, 0.25), "jax")
      >>> f
      JaxSchedule(ExponentialDecay(initial_learning_rate=1.0, decay_steps=2, decay_rate=0.25, staircase=False, name='ExponentialDecay'), dtype=None, jit=True)
      >>> float(f(4.0))
      0.0625
    """

    def __init__(self, spec: Schedule, *, dtype: str | None = None, jit: bool = True) -> None:
        self.spec, self.dtype, self.jit = spec, dtype, jit
        compute = _compute(spec.value, dtype)
        self._compute = jax.jit(compute) if jit else compute
        self.__name__ = self.__qualname__ = f"{type(spec).__name__}_jax"
        self.__doc__ = f"{spec!r} rendered by lrsched for JAX ({dtype or 'default float'})."

    def __call__(self, step: Any) -> Any:
        return self._compute(_steps(step))

    def __repr__(self) -> str:
        return f"JaxSchedule({self.spec!r}, dtype={self.dtype!r}, jit={self.jit!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JaxSchedule):
            return NotImplemented
        return (self.spec, self.dtype, self.jit) == (other.spec, other.dtype, other.jit)

    def __hash__(self) -> int:
        return hash((JaxSchedule, self.spec, self.dtype, self.jit))

    def __getstate__(self) -> dict[str, Any]:
        return {"spec": self.spec, "dtype": self.dtype, "jit": self.jit}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["spec"], dtype=state["dtype"], jit=state["jit"])  # type: ignore[misc]


def _compute(value: Callable[[Any, Any], Any], dtype: str | None) -> Callable[[Any], Any]:
    """``steps -> spec.value(steps, xp)``; float steps are computed on their integer value, and a
    fractional or non-finite one (only traced steps can be: the others are checked) gives NaN."""

    def compute(steps: Any) -> Any:
        name = dtype or ("float64" if _x64() else "float32")
        if name == "float64" and not _x64():
            raise LrschedError(
                "jax backend: dtype='float64' needs jax_enable_x64 "
                "(jax.config.update('jax_enable_x64', True)); it is off"
            )
        xp = namespace(name)
        if not jnp.issubdtype(steps.dtype, jnp.floating):
            return value(steps, xp)
        int_dtype = jnp.int64 if _x64() else jnp.int32
        top = float(jnp.iinfo(int_dtype).max) + 1.0
        fits = jnp.abs(steps) < top if float(jnp.finfo(steps.dtype).max) >= top else jnp.isfinite(steps)
        fractional = ~((jnp.floor(steps) == steps) & fits)
        out = value(jnp.where(fractional, 0, steps).astype(int_dtype), xp)
        return jnp.where(fractional, jnp.nan, out)

    return compute


def _steps(step: Any) -> Any:
    """``step`` as an integer JAX array, or a float JAX array or tracer (checked or masked by
    ``_compute``); numpy and Python steps are checked here."""
    if isinstance(step, bool):
        raise StepError(f"jax backend: step must be an integer; received {step!r}")
    if isinstance(step, int):
        info = jnp.iinfo(jnp.int64 if _x64() else jnp.int32)
        if not 0 <= step <= info.max:
            hint = "" if _x64() or step < 0 else " (enable jax_enable_x64 for int64 steps)"
            raise StepError(f"jax backend: step must be in [0, {info.max}]{hint}; received {step}")
        return jnp.asarray(step, dtype=info.dtype)
    dtype = getattr(step, "dtype", None)
    if dtype is None:
        if isinstance(step, float):
            if not step.is_integer():
                raise StepError(f"jax backend: step must be a finite whole number; received {step!r}")
            return _steps(int(step))
        if isinstance(step, complex) or not hasattr(step, "__index__"):
            raise StepError(
                f"jax backend: step must be an integer or an integer array; "
                f"received {type(step).__name__}: {step!r}"
            )
        return _steps(operator.index(step))
    widest = np.dtype(np.int64 if _x64() else np.int32)
    if isinstance(step, jax.core.Tracer):  # traced: nothing can be checked but the dtype
        if jnp.issubdtype(dtype, jnp.signedinteger) or jnp.issubdtype(dtype, jnp.floating):
            return step
        if jnp.issubdtype(dtype, jnp.unsignedinteger):
            if dtype.itemsize < widest.itemsize:  # widened exactly to a signed dtype
                return step.astype(widest)
            raise StepError(
                f"jax backend: traced {dtype} steps cannot be checked to fit in {widest}; "
                f"pass {widest} steps (or enable jax_enable_x64 for uint32)"
            )
        raise StepError(f"jax backend: steps must be integers or whole-number floats; received dtype {dtype}")
    host = np.asarray(step)  # for a concrete JAX array, cached on the host after the first read
    if jnp.issubdtype(host.dtype, jnp.floating):  # bfloat16 included (numpy kind "V")
        host = _host_floats(host.astype(np.float64) if host.dtype.kind != "f" else host, widest)
    elif host.dtype.kind not in "iu":
        raise StepError(
            f"jax backend: steps must be integers or whole-number floats; received dtype {host.dtype}"
        )
    if _least(host) < 0:
        raise StepError(f"jax backend: steps must be >= 0; received steps down to {_least(host)}")
    if isinstance(step, jax.Array) and (
        jnp.issubdtype(dtype, jnp.signedinteger) or jnp.issubdtype(dtype, jnp.floating)
    ):
        return step  # checked; computed where it lives (a float one on its integer value)
    if host.dtype.kind == "i" and host.dtype.itemsize <= widest.itemsize:
        return jnp.asarray(host)
    info = np.iinfo(widest)
    if host.size and host.max() > info.max:
        hint = "" if _x64() else " (enable jax_enable_x64 for int64 steps)"
        raise StepError(
            f"jax backend: {host.dtype} steps must fit in {widest}{hint}; "
            f"received steps up to {host.max().item()}"
        )
    return jnp.asarray(host.astype(widest))


def _least(host: np.ndarray) -> Any:
    """The least step (0 for none): ``item()`` for one, far cheaper than a reduction."""
    if host.ndim == 0:
        return host.item()
    return host.min().item() if host.size else 0


def _host_floats(step: np.ndarray, widest: np.dtype) -> np.ndarray:
    bad = ~(np.floor(step) == step) | ~np.isfinite(step)
    if bad.any():
        raise StepError(
            f"jax backend: float steps must be finite whole numbers; received {step[bad].flat[0].item()!r}"
        )
    if step.size and np.abs(step).max() >= np.float64(np.iinfo(widest).max) + 1.0:
        hint = "" if _x64() else " (enable jax_enable_x64 for int64 steps)"
        raise StepError(
            f"jax backend: steps must fit in {widest}{hint}; received steps up to {np.abs(step).max().item()!r}"
        )
    return step.astype(widest)


def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
    """The default rendering's values at ``steps`` as Python floats (int64 steps under x64)."""
    f = render(spec)
    info = np.iinfo(np.int64 if _x64() else np.int32)
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= info.max:
            raise StepError(
                f"jax backend: evaluate takes integer steps in [0, {info.max}]; received {step!r}"
            )
    return [float(v) for v in np.asarray(f(np.asarray(list(steps), dtype=info.dtype))).reshape(-1)]
