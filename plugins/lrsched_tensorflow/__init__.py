"""The TensorFlow/Keras backend: a spec rendered as a native Keras ``LearningRateSchedule``.

``lrsched.render(spec, "tensorflow")`` (alias ``"keras"``) returns a
:class:`lrsched_tensorflow.keras_schedule.KerasSchedule`: it works eagerly, in ``tf.function``,
under XLA and in ``model.fit``, on each of Keras 3's backends (TensorFlow, JAX, PyTorch), and
saves with the model (registered with Keras as ``"lrsched>Schedule"``). Float32 by default
(``dtype="float64"`` to change it). This module imports no framework.

It also tells lrsched how to read what Keras writes (``lrsched_register_unwrappers``), registers
its conformance checks (``lrsched_register_checks``: :mod:`lrsched_tensorflow._checks`, imported
when one first runs), and,
through the entry point ``keras`` of the group ``lrsched.import_hooks``, registers its Keras
class as soon as a process that imported lrsched imports keras (see :mod:`._keras_hook`).
"""

from __future__ import annotations

from typing import Any

import lrsched
from lrsched_tensorflow._names import KERAS_BUILTINS_MODULE, KERAS_MODULE, KERAS_REGISTERED_NAME

__all__ = [
    "KERAS_BUILTINS_MODULE",
    "KERAS_MODULE",
    "KERAS_REGISTERED_NAME",
    "lrsched_register_backends",
    "lrsched_register_checks",
    "lrsched_register_unwrappers",
]


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "tensorflow",
            render="lrsched_tensorflow._render:render",
            evaluate="lrsched_tensorflow._render:evaluate",
            options={"dtype": ("float32", "float64")},
            requires=("keras",),
            extra="tensorflow",
            aliases=("keras",),
            description="a keras.optimizers.schedules.LearningRateSchedule (Keras 3 on TF, JAX or torch)",
        )
    )


def _unwrap_rendered(payload: dict[str, Any]) -> dict[str, Any]:
    """What Keras writes for a rendered schedule: the lrsched form is its config's "schedule"."""
    config = payload["config"]
    if not isinstance(config, dict) or not isinstance(config.get("schedule"), dict):
        raise lrsched.ConfigError(
            f'a {KERAS_REGISTERED_NAME!r} config holds the serialized schedule (a dict) under "schedule"; '
            f"received config={config!r}"
        )
    return config["schedule"]


def _unwrap_builtin(payload: dict[str, Any]) -> dict[str, Any]:
    """A Keras built-in schedule: the same class name and config as lrsched's, if registered."""
    return {"class_name": payload["class_name"], "config": payload["config"]}


@lrsched.hookimpl
def lrsched_register_unwrappers(register: Any) -> None:
    register(KERAS_MODULE, KERAS_REGISTERED_NAME, _unwrap_rendered)
    register(KERAS_BUILTINS_MODULE, None, _unwrap_builtin)


#: The conformance checks of :mod:`lrsched.testing` about Keras and TensorFlow: (name, variant,
#: function of :mod:`lrsched_tensorflow._checks`, modules required beyond the backend's keras).
_CHECKS = (
    ("values", "tensorflow", "values", ()),
    ("values", "tensorflow-float64", "values_float64", ()),
    ("boundaries", "tensorflow", "boundaries", ()),
    ("boundaries", "tensorflow-float64", "boundaries_float64", ()),
    ("step_dtypes", "tensorflow", "step_dtypes", ("tensorflow",)),
    ("keras_config", None, "keras_config", ()),
    ("kth_update", "keras", "kth_update", ()),
    ("step_policy", "tensorflow", "step_policy", ("tensorflow",)),
)


@lrsched.hookimpl
def lrsched_register_checks(register: Any) -> None:
    for name, variant, function, requires in _CHECKS:
        register(
            name,
            f"lrsched_tensorflow._checks:{function}",
            variant=variant,
            backend="tensorflow",
            requires=requires,
        )
