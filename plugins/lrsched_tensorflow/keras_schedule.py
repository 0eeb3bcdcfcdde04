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
        """The learning rate at ``step``: an int32/int64 (or whole-number float) tensor, variable,
        numpy value or Python number. Returns a tensor of :attr:`dtype` shaped like ``step``."""
        step = _as_steps(step)
        if keras.backend.backend() == "tensorflow":
            return _xla_value(self._spec, self._dtype)(step)
        return self._spec.value(step, namespace(self._dtype))

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
        return self.spec.value(step, self.xp)


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
    """``step`` as an integer tensor of the current Keras backend (int64 where it has it)."""
    wide = _int64_available()
    int_dtype = "int64" if wide else "int32"
    if isinstance(step, keras.Variable):  # the optimizer's iteration count
        step = step.value
    if not hasattr(step, "dtype") or isinstance(step, (np.ndarray, np.generic)):  # Python, numpy, lists
        return ops.convert_to_tensor(_host_steps(step, wide), dtype=int_dtype)
    dtype = keras.backend.standardize_dtype(step.dtype)
    step = ops.convert_to_tensor(step)
    if dtype in ("int32", "int64"):
        return step
    if dtype in _KINDS_OK:  # narrow ints; floats holding whole step counts, as Keras's own schedules take
        return ops.cast(step, int_dtype)
    raise StepError(
        f"tensorflow backend: steps must be integers or whole-number floats; received dtype {dtype}"
    )


_KINDS_OK = {
    "int8",
    "int16",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
}


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
        if not (np.all(np.isfinite(steps)) and np.array_equal(steps, np.floor(steps))):
            raise StepError(f"tensorflow backend: step must be a whole number; received {step!r}")
        if not np.all(np.abs(steps) < 2.0**63):
            raise StepError(f"tensorflow backend: steps must be in int64's range; received {step!r}")
        steps = steps.astype(np.int64)
    elif steps.dtype.kind not in "iu":
        raise StepError(f"tensorflow backend: steps must be integers; received {step!r}")
    info = np.iinfo(np.int64 if wide else np.int32)
    if steps.size and (steps.max() > info.max or steps.min() < info.min):
        name = "int64" if wide else "int32 (JAX without jax_enable_x64)"
        raise StepError(f"tensorflow backend: steps must be in {name}'s range; received {step!r}")
    return steps
