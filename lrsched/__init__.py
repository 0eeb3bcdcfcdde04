"""lrsched: declare a learning-rate schedule once, use it natively in numpy, TensorFlow/Keras,
PyTorch and JAX/optax.

``import lrsched`` is cheap and imports no framework (nor numpy, nor pydantic's models): the
names below load on first use, and plugins are discovered on the first registry lookup.

Example:
  >>> import lrsched
  >>> spec = lrsched.ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
  >>> spec(250000)
  0.09215999999999999
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lrsched import _import_hooks
from lrsched.errors import (
    BackendUnavailableError,
    ConfigError,
    DuplicateNameError,
    LrschedError,
    PluginError,
    StepError,
    UnknownBackendError,
    UnknownScheduleError,
    UnsupportedFunctionError,
)

__version__ = "0.1.0"

_LAZY = {
    "Backend": "lrsched.backend",
    "Clip": "lrsched.schedules",
    "Constant": "lrsched.schedules",
    "ExponentialDecay": "lrsched.schedules",
    "CosineDecay": "lrsched.schedules",
    "CosineDecayRestarts": "lrsched.schedules",
    "InverseTimeDecay": "lrsched.schedules",
    "PiecewiseConstantDecay": "lrsched.schedules",
    "PolynomialDecay": "lrsched.schedules",
    "Join": "lrsched.schedules",
    "Offset": "lrsched.schedules",
    "Scale": "lrsched.schedules",
    "Warmup": "lrsched.schedules",
    # optax's shapes
    "CosinePowerDecay": "lrsched.schedules",
    "Schedule": "lrsched.spec",
    "ScheduleField": "lrsched.spec",
    "backends": "lrsched.rendering",
    "deserialize": "lrsched.serialization",
    "evaluate": "lrsched.rendering",
    "hookimpl": "lrsched.hookspecs",
    "load": "lrsched.config",
    "plot": "lrsched.plotting",
    "render": "lrsched.rendering",
    "schema": "lrsched.json_schema",
    "serialize": "lrsched.serialization",
}

__all__ = [
    "Backend",
    "BackendUnavailableError",
    "Clip",
    "ConfigError",
    "Constant",
    "CosineDecay",
    "CosineDecayRestarts",
    "CosinePowerDecay",
    "DuplicateNameError",
    "ExponentialDecay",
    "InverseTimeDecay",
    "Join",
    "LrschedError",
    "Offset",
    "PiecewiseConstantDecay",
    "PluginError",
    "PolynomialDecay",
    "Scale",
    "Schedule",
    "ScheduleField",
    "StepError",
    "UnknownBackendError",
    "UnknownScheduleError",
    "UnsupportedFunctionError",
    "Warmup",
    "__version__",
    "backends",
    "deserialize",
    "evaluate",
    "hookimpl",
    "load",
    "plot",
    "render",
    "schedules",
    "schema",
    "serialize",
]

if TYPE_CHECKING:
    from lrsched import schedules
    from lrsched.backend import Backend
    from lrsched.config import load
    from lrsched.hookspecs import hookimpl
    from lrsched.json_schema import schema
    from lrsched.plotting import plot
    from lrsched.rendering import backends, evaluate, render
    from lrsched.schedules import (
        Clip,
        Constant,
        CosineDecay,
        CosineDecayRestarts,
        CosinePowerDecay,
        ExponentialDecay,
        InverseTimeDecay,
        Join,
        Offset,
        PiecewiseConstantDecay,
        PolynomialDecay,
        Scale,
        Warmup,
    )
    from lrsched.serialization import deserialize, serialize
    from lrsched.spec import Schedule, ScheduleField


_SUBMODULES = {
    "schedules",
    "backend",
    "cli",
    "config",
    "hookspecs",
    "host",
    "json_schema",
    "lookups",
    "numerics",
    "plotting",
    "plugins",
    "registry",
    "rendering",
    "serialization",
    "spec",
    "xp",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # ``lrsched.xp`` works without ``import lrsched.xp``, as in scipy
        return importlib.import_module(f"lrsched.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lrsched' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)


# Plugins' post-import hooks (entry-point group lrsched.import_hooks): e.g. once keras is
# imported, the TensorFlow plugin registers its Keras class. Reads nothing here; see the module.
_import_hooks.install()
