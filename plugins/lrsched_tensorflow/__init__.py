"""The TensorFlow/Keras backend: a spec rendered as a native Keras ``LearningRateSchedule``.

``lrsched.render(spec, "tensorflow")`` (alias ``"keras"``) returns a
:class:`lrsched_tensorflow.keras_schedule.KerasSchedule`: it works eagerly, in ``tf.function``,
under XLA and in ``model.fit``, on each of Keras 3's backends (TensorFlow, JAX, PyTorch), and
saves with the model (registered with Keras as ``"lrsched>Schedule"``). Float32 by default
(``dtype="float64"`` to change it). This module imports no framework.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lrsched
from lrsched_tensorflow import _keras_hook

__all__ = ["lrsched_register_backends"]

# Once lrsched has loaded this plugin, a later `import keras` registers the Keras class too (the
# .pth startup hook does the same for processes that never load it; see _keras_hook).
_keras_hook.install()


def _framework() -> Any:
    try:
        import lrsched_tensorflow._render as framework
    except ImportError as exc:  # keras is installed but its backend (KERAS_BACKEND) is not
        raise lrsched.BackendUnavailableError(
            f"the tensorflow backend could not import Keras: {type(exc).__name__}: {exc}; "
            "install it with: pip install 'lrsched-xp[tensorflow]'"
        ) from exc
    return framework


def _render_spec(spec: lrsched.Schedule, *, dtype: str = "float32") -> Any:
    return _framework().render(spec, dtype=dtype)


def _evaluate_spec(spec: lrsched.Schedule, steps: Sequence[int]) -> list[float]:
    return _framework().evaluate(spec, steps)


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "tensorflow",
            render=_render_spec,
            evaluate=_evaluate_spec,
            requires=("keras",),
            extra="tensorflow",
            aliases=("keras",),
            description="a keras.optimizers.schedules.LearningRateSchedule (Keras 3 on TF, JAX or torch)",
        )
    )
