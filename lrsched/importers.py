"""Importers: a schedule as a framework wrote it, in, the equal lrsched spec out.

Each reads the framework's own objects or configs without importing any module a config names;
what cannot be a spec (a schedule that follows a metric, an arbitrary function) is a
:class:`lrsched.NotClosedFormError` saying why and what to use instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrsched.errors import ConfigError, NotClosedFormError
from lrsched.spec import Schedule

__all__ = ["from_keras"]

#: Keras's built-in schedule classes (``keras.optimizers.schedules``), each registered in lrsched
#: under the same name with the same arguments.
KERAS_BUILTINS = (
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
)

_CALLABLE = (
    "a Python function of the step is not a closed form lrsched can read: write it as a schedule "
    "(a lrsched.Schedule subclass with value(step, xp): see docs/writing-a-plugin.md), or compose "
    "the built-in ones (docs/catalogue.md)"
)


def from_keras(schedule: Any) -> Schedule:
    """The lrsched spec equal to a Keras schedule.

    Takes a Keras ``LearningRateSchedule`` object (a built-in, or lrsched's own rendered schedule)
    or what ``keras.optimizers.schedules.serialize`` writes (``{"module":
    "keras.optimizers.schedules", "class_name": ..., "config": ..., "registered_name": None}``), or
    the bare ``{"class_name": ..., "config": ...}``. Nothing a config names is imported.

    Example:
      >>> import lrsched
      >>> lrsched.from_keras({
      ...     "module": "keras.optimizers.schedules", "class_name": "CosineDecay", "registered_name": None,
      ...     "config": {"initial_learning_rate": 0.1, "decay_steps": 1000, "alpha": 0.0, "name": "CosineDecay",
      ...                "warmup_target": None, "warmup_steps": 0}})
      CosineDecay(initial_learning_rate=0.1, decay_steps=1000, alpha=0.0, name='CosineDecay', warmup_target=None, warmup_steps=0)
    """
    from lrsched.serialization import deserialize

    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, Mapping):
        return deserialize(dict(schedule))
    spec = getattr(type(schedule), "spec", None)
    if isinstance(spec, property) and isinstance(schedule.spec, Schedule):  # lrsched's rendered schedule
        return schedule.spec
    cls = type(schedule)
    module = cls.__module__ or ""
    if module.split(".")[0] in ("keras", "tf_keras") and cls.__name__ in KERAS_BUILTINS:
        return deserialize({"class_name": cls.__name__, "config": schedule.get_config()})
    if callable(schedule) and not hasattr(schedule, "get_config"):
        raise NotClosedFormError(f"from_keras: {_CALLABLE}; received {schedule!r}")
    raise ConfigError(
        f"from_keras takes a Keras LearningRateSchedule ({', '.join(KERAS_BUILTINS)}, or one rendered by "
        f"lrsched) or its serialized dict; received a {module}.{cls.__name__}"
    )
