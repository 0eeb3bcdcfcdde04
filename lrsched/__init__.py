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
    NotClosedFormError,
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
    # HF transformers' shapes
    "CosineCycles": "lrsched.schedules",
    "CosineHardRestarts": "lrsched.schedules",
    "InverseSqrtDecay": "lrsched.schedules",
    "OneMinusSqrtDecay": "lrsched.schedules",
    # optax's shapes
    "CosinePowerDecay": "lrsched.schedules",
    # TF Model Garden's schedules
    "CosineDecayWithOffset": "lrsched.schedules",
    "DirectPowerDecay": "lrsched.schedules",
    "ExponentialDecayWithOffset": "lrsched.schedules",
    "LinearWarmup": "lrsched.schedules",
    "PiecewiseConstantDecayWithOffset": "lrsched.schedules",
    "PolynomialDecayWithOffset": "lrsched.schedules",
    "PolynomialWarmUp": "lrsched.schedules",
    "PowerAndLinearDecay": "lrsched.schedules",
    "PowerDecayWithOffset": "lrsched.schedules",
    "StepCosineDecayWithOffset": "lrsched.schedules",
    "Schedule": "lrsched.spec",
    "ScheduleField": "lrsched.spec",
    "backends": "lrsched.rendering",
    "deserialize": "lrsched.serialization",
    "convert": "lrsched.importers",
    "dump": "lrsched.config",
    "evaluate": "lrsched.rendering",
    "from_hf": "lrsched.importers",
    "from_keras": "lrsched.importers",
    "from_model_garden": "lrsched.importers",
    "from_optax": "lrsched.importers",
    "from_torch": "lrsched.importers",
    "from_torch_groups": "lrsched.importers",
    "from_training_arguments": "lrsched.importers",
    "hookimpl": "lrsched.hookspecs",
    "load": "lrsched.config",
    "plot": "lrsched.plotting",
    "render": "lrsched.rendering",
    "schema": "lrsched.json_schema",
    "serialize": "lrsched.serialization",
    # PyTorch's closed-form schedulers
    "CosineAnnealing": "lrsched.schedules",
    "Cyclical": "lrsched.schedules",
    "OneCycle": "lrsched.schedules",
    "Product": "lrsched.schedules",
}

__all__ = [
    "Backend",
    "BackendUnavailableError",
    "Clip",
    "ConfigError",
    "Constant",
    "CosineAnnealing",
    "CosineCycles",
    "CosineDecay",
    "CosineDecayRestarts",
    "CosineDecayWithOffset",
    "CosineHardRestarts",
    "CosinePowerDecay",
    "Cyclical",
    "DirectPowerDecay",
    "DuplicateNameError",
    "ExponentialDecay",
    "ExponentialDecayWithOffset",
    "InverseSqrtDecay",
    "InverseTimeDecay",
    "Join",
    "LinearWarmup",
    "LrschedError",
    "NotClosedFormError",
    "Offset",
    "OneCycle",
    "OneMinusSqrtDecay",
    "PiecewiseConstantDecay",
    "PiecewiseConstantDecayWithOffset",
    "PluginError",
    "PolynomialDecay",
    "PolynomialDecayWithOffset",
    "PolynomialWarmUp",
    "PowerAndLinearDecay",
    "PowerDecayWithOffset",
    "Product",
    "Scale",
    "Schedule",
    "ScheduleField",
    "StepCosineDecayWithOffset",
    "StepError",
    "UnknownBackendError",
    "UnknownScheduleError",
    "UnsupportedFunctionError",
    "Warmup",
    "__version__",
    "backends",
    "convert",
    "deserialize",
    "dump",
    "evaluate",
    "from_hf",
    "from_keras",
    "from_model_garden",
    "from_optax",
    "from_torch",
    "from_torch_groups",
    "from_training_arguments",
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
    from lrsched.config import dump, load
    from lrsched.hookspecs import hookimpl
    from lrsched.importers import (
        convert,
        from_hf,
        from_keras,
        from_model_garden,
        from_optax,
        from_torch,
        from_torch_groups,
        from_training_arguments,
    )
    from lrsched.json_schema import schema
    from lrsched.plotting import plot
    from lrsched.rendering import backends, evaluate, render
    from lrsched.schedules import (
        Clip,
        Constant,
        CosineAnnealing,
        CosineCycles,
        CosineDecay,
        CosineDecayRestarts,
        CosineDecayWithOffset,
        CosineHardRestarts,
        CosinePowerDecay,
        Cyclical,
        DirectPowerDecay,
        ExponentialDecay,
        ExponentialDecayWithOffset,
        InverseSqrtDecay,
        InverseTimeDecay,
        Join,
        LinearWarmup,
        Offset,
        OneCycle,
        OneMinusSqrtDecay,
        PiecewiseConstantDecay,
        PiecewiseConstantDecayWithOffset,
        PolynomialDecay,
        PolynomialDecayWithOffset,
        PolynomialWarmUp,
        PowerAndLinearDecay,
        PowerDecayWithOffset,
        Product,
        Scale,
        StepCosineDecayWithOffset,
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
    "importers",
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
