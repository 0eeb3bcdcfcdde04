"""Rendering into Keras (imported on first render, not when the plugin loads)."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from lrsched import BackendUnavailableError, Schedule
from lrsched_tensorflow.keras_schedule import KerasSchedule

__all__ = ["evaluate", "render"]

if int(keras.__version__.split(".")[0]) < 3:  # pragma: no cover - the extra installs Keras 3
    raise BackendUnavailableError(
        f"the tensorflow backend needs Keras 3; keras {keras.__version__} is installed "
        "(install it with: pip install 'lrsched-xp[tensorflow]')"
    )


def render(spec: Schedule, *, dtype: str = "float32") -> KerasSchedule:
    """``spec`` as a ``keras.optimizers.schedules.LearningRateSchedule``.

    Args:
      spec: the schedule.
      dtype: ``"float32"`` (default) or ``"float64"``: the dtype it computes and returns.

    Example:
      >>> import lrsched
      >>> lr = lrsched.render(lrsched.ExponentialDecay(0.1, 100000, 0.96, staircase=True), "keras")
      >>> round(float(lr(250000)), 6)
      0.09216
    """
    return KerasSchedule(spec, dtype=dtype)


def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
    """The float32 values at ``steps`` (int64), as Python floats."""
    from keras import ops

    values = render(spec)(ops.convert_to_tensor(list(steps), dtype="int64"))
    return [float(v) for v in ops.convert_to_numpy(values)]
