"""The Keras object a rendered schedule is: a ``keras.optimizers.schedules.LearningRateSchedule``.

Importing this module registers :class:`KerasSchedule` with Keras serialization as
``"lrsched>Schedule"``, so ``model.save`` / ``keras.models.load_model`` and
``keras.optimizers.schedules.serialize`` / ``deserialize`` round-trip it. (Loading in a
process that never imports this module is handled by the import hook in
:mod:`lrsched_tensorflow._keras_hook`.)

This module imports keras; ``lrsched_tensorflow`` itself does not.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import keras
import numpy as np
from keras import ops

import lrsched
from lrsched import ConfigError, StepError
from lrsched_tensorflow._names import KERAS_REGISTERED_NAME
from lrsched_tensorflow._xp import namespace

__all__ = ["DTYPES", "KerasSchedule"]

#: The float dtypes a rendered schedule can compute and return in.
DTYPES = ("float32", "float64")
_PACKAGE, _NAME = KERAS_REGISTERED_NAME.split(">")


@keras.saving.register_keras_serializable(package=_PACKAGE, name=_NAME)
class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """An lrsched schedule as a Keras ``LearningRateSchedule``; the math is ``spec.value``.

    ``schedule(step)`` is ``spec.value(step, xp)`` for a namespace ``xp`` over ``keras.ops``,
    computed in ``dtype``. On Keras's TensorFlow backend the computation runs as one
    XLA-compiled function (eagerly, inside ``tf.function`` and inside ``model.fit``): that is
    faster than op-by-op execution and keeps grappler from reassociating the careful float32
    arithmetic (see the docs). On JAX and PyTorch it runs as the backend's own ops.

    Args:
      schedule: an :class:`lrsched.Schedule`, or its serialized form (``lrsched.serialize``).
      dtype: ``"float32"`` (default; also under a ``mixed_float16`` policy) or ``"float64"``.

    Example:
      >>> import lrsched
      >>> lr = lrsched.render(lrsched.ExponentialDecay(0.1, 1000, 0.5, staircase=True), "tensorflow")
      >>> round(float(lr(2000)), 7)
      0.025
    """

    def __init__(self, schedule: lrsched.Schedule | dict[str, Any], dtype: str = "float32") -> None:
        super().__init__()
        if not isinstance(schedule, lrsched.Schedule):
            if not isinstance(schedule, (dict, str, bytes)):
                raise ConfigError(
                    "KerasSchedule: `schedule` must be an lrsched.Schedule or its serialized dict; "
                    f"received {type(schedule).__name__}: {schedule!r}"
                )
            schedule = lrsched.deserialize(schedule)
        if dtype not in DTYPES:
            raise ConfigError(
                f"tensorflow backend: option `dtype` must be one of {list(DTYPES)}; received dtype={dtype!r}"
            )
        self._spec = schedule
        self._dtype = dtype

    @property
    def spec(self) -> lrsched.Schedule:
        """The lrsched schedule this object computes."""
        return self._spec

    @property
    def dtype(self) -> str:
        """The float dtype of the learning rate it returns."""
        return self._dtype

    def __call__(self, step: Any) -> Any:
        """The learning rate at ``step``: an integer (or whole-number float) tensor, variable,
        numpy value or Python number. Returns a tensor of :attr:`dtype` shaped like ``step``.

        Where the step's value can be read (eagerly) a negative, fractional or non-finite step
        is a :class:`lrsched.StepError`; traced (``tf.function``, XLA, ``jax.jit``) a fractional
        or non-finite step gives NaN and a negative one the formula extended to it."""
        step = _as_steps(step)
        if keras.backend.backend() == "tensorflow":
            return _xla_value(self._spec, self._dtype)(step)
        return _value(self._spec, namespace(self._dtype), step)

    def get_config(self) -> dict[str, Any]:
        """``{"schedule": lrsched.serialize(spec), "dtype": dtype}``."""
        return {"schedule": lrsched.serialize(self._spec), "dtype": self._dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasSchedule:
        """The inverse of :meth:`get_config`."""
        if not isinstance(config, dict) or "schedule" not in config or set(config) - {"schedule", "dtype"}:
            raise ConfigError(
                f'a {KERAS_REGISTERED_NAME!r} config is {{"schedule": {{...}}, "dtype": "float32"}}; '
                f"received {config!r}"
            )
        return cls(**config)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KerasSchedule):
            return NotImplemented
        return (self._spec, self._dtype) == (other._spec, other._dtype)

    def __hash__(self) -> int:
        return hash((KerasSchedule, self._spec, self._dtype))

    def __repr__(self) -> str:
        return f"KerasSchedule({self._spec!r}, dtype={self._dtype!r})"


class _Value:
    """``spec.value(step, xp)`` as a callable object: TensorFlow keys its retracing statistics by
    a function's code, which closures share, so rendering many schedules would warn falsely."""

    def __init__(self, spec: lrsched.Schedule, dtype: str) -> None:
        self.spec, self.xp = spec, namespace(dtype)
        self.__name__ = f"lrsched_{type(spec).__name__}"

    def __call__(self, step: Any) -> Any:
        return _value(self.spec, self.xp, step)


def _value(spec: lrsched.Schedule, xp: Any, step: Any) -> Any:
    """``spec.value(step, xp)``; a float step (traced: unchecked) is computed on its integer
    value, and a fractional or non-finite one gives NaN, never another step's value."""
    dtype = keras.backend.standardize_dtype(step.dtype)
    if dtype not in _FLOATS:
        return spec.value(step, xp)
    int_dtype = "int64" if _int64_available() else "int32"
    top = float(np.iinfo(int_dtype).max) + 1.0  # the first float beyond the integer dtype
    # every finite float16 fits
    fits = ops.isfinite(step) if dtype == "float16" else ops.less(ops.abs(step), top)
    fractional = ops.logical_not(ops.logical_and(ops.equal(ops.floor(step), step), fits))
    ints = ops.cast(ops.where(fractional, ops.zeros_like(step), step), int_dtype)
    out = spec.value(ints, xp)
    return ops.where(fractional, ops.full_like(out, np.nan), out)


@lru_cache(maxsize=256)
def _xla_value(spec: lrsched.Schedule, dtype: str) -> Any:
    """``spec.value`` as one XLA-compiled ``tf.function`` (traced once per step dtype and rank)."""
    import tensorflow as tf

    return tf.function(_Value(spec, dtype), jit_compile=True, reduce_retracing=True, autograph=False)


def _int64_available() -> bool:
    if keras.backend.backend() != "jax":
        return True
    import jax

    return bool(jax.config.jax_enable_x64)


def _as_steps(step: Any) -> Any:
    """``step`` as a tensor of the current Keras backend: int32/int64 (int64 where it has it),
    checked wherever its value can be read; a traced float tensor is left to :func:`_value`."""
    wide = _int64_available()
    int_dtype = "int64" if wide else "int32"
    if isinstance(step, keras.Variable):  # the optimizer's iteration count
        step = step.value
    if not hasattr(step, "dtype") or isinstance(step, (np.ndarray, np.generic)):  # Python, numpy, lists
        return ops.convert_to_tensor(_host_steps(step, wide), dtype=int_dtype)
    dtype = keras.backend.standardize_dtype(step.dtype)
    if dtype not in _INTS and dtype not in _FLOATS:
        raise StepError(
            f"tensorflow backend: steps must be integers or whole-number floats; received dtype {dtype}"
        )
    step = ops.convert_to_tensor(step)
    host = _host_value(step)
    if host is not None:  # eager: checked, floats included
        _host_steps(host.astype(np.float64) if dtype == "bfloat16" else host, wide)
        return step if dtype == int_dtype else ops.cast(step, int_dtype)
    if dtype in _FLOATS or dtype in ("int32", "int64"):
        return step  # traced floats: computed on their integer value, fractions masked
    return ops.cast(step, int_dtype)  # narrow and unsigned ints, exactly


_INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_FLOATS = ("float16", "bfloat16", "float32", "float64")


def _host_value(step: Any) -> np.ndarray | None:
    """The step's values on the host where they can be read (eager), else None (traced)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return step.numpy() if tf.executing_eagerly() and hasattr(step, "numpy") else None
    if backend == "jax":
        import jax

        return None if isinstance(step, jax.core.Tracer) else np.asarray(step)
    if backend == "torch":
        import torch

        if torch.compiler.is_compiling():
            return None
        step = step.detach()
        return (step.float() if step.dtype == torch.bfloat16 else step).cpu().numpy()  # numpy has no bfloat16
    return None


def _host_steps(step: Any, wide: bool) -> np.ndarray:
    """Python ints and floats (whole numbers), numpy values and lists of them, checked exactly."""
    if isinstance(step, (bool, np.bool_)):
        raise StepError(f"tensorflow backend: step must be an integer; received {step!r}")
    try:
        steps = np.asarray(step)
        if steps.dtype == object:  # Python ints beyond int64
            raise OverflowError
    except (OverflowError, ValueError, TypeError):
        raise StepError(
            f"tensorflow backend: steps must be integers in int64's range; received {step!r}"
        ) from None
    if steps.dtype.kind == "f":
        fractional = ~np.isfinite(steps) | (np.floor(steps) != steps)
        if fractional.any():
            raise StepError(
                "tensorflow backend: step must be a finite whole number; "
                f"received {steps[fractional].flat[0].item()!r}"
            )
        if not np.all(np.abs(steps) < np.float64(2.0**63)):
            raise StepError(f"tensorflow backend: steps must be in int64's range; received {step!r}")
        steps = steps.astype(np.int64)
    elif steps.dtype.kind not in "iu":
        raise StepError(f"tensorflow backend: steps must be integers; received {step!r}")
    if steps.size and steps.min() < 0:
        raise StepError(
            f"tensorflow backend: steps must be >= 0; received steps down to {steps.min().item()}"
        )
    info = np.iinfo(np.int64 if wide else np.int32)
    if steps.size and steps.max() > info.max:
        name = "int64" if wide else "int32 (JAX without jax_enable_x64)"
        raise StepError(f"tensorflow backend: steps must be in {name}'s range; received {step!r}")
    return steps
