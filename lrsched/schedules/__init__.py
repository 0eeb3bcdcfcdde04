"""The built-in schedules, one module per family. They register through the ``lrsched`` entry
points like any plugin: this package is the entry point ``schedules``.

A schedule's whole math is its ``value(step, xp)`` in its family's module, built on the helpers
of :mod:`lrsched.numerics`; this package only lists them.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from lrsched.hookspecs import hookimpl
from lrsched.schedules.composition import Clip, Constant, Join, Offset, Product, Scale, Warmup
from lrsched.schedules.cosine import CosineDecay, CosineDecayRestarts, CosinePowerDecay
from lrsched.schedules.cyclical import CosineAnnealing, Cyclical, OneCycle  # PyTorch's
from lrsched.schedules.exponential import ExponentialDecay
from lrsched.schedules.hf import CosineCycles, CosineHardRestarts, InverseSqrtDecay, OneMinusSqrtDecay
from lrsched.schedules.inverse_time import InverseTimeDecay
from lrsched.schedules.model_garden import (
    CosineDecayWithOffset,
    DirectPowerDecay,
    ExponentialDecayWithOffset,
    LinearWarmup,
    PiecewiseConstantDecayWithOffset,
    PolynomialDecayWithOffset,
    PolynomialWarmUp,
    PowerAndLinearDecay,
    PowerDecayWithOffset,
    StepCosineDecayWithOffset,
)
from lrsched.schedules.piecewise import PiecewiseConstantDecay
from lrsched.schedules.polynomial import PolynomialDecay

__all__ = [
    "BUILTIN",
    "Clip",
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
    "ExponentialDecay",
    "ExponentialDecayWithOffset",
    "InverseSqrtDecay",
    "InverseTimeDecay",
    "Join",
    "LinearWarmup",
    "Offset",
    "OneCycle",
    "OneMinusSqrtDecay",
    "PiecewiseConstantDecay",
    "PiecewiseConstantDecayWithOffset",
    "PolynomialDecay",
    "PolynomialDecayWithOffset",
    "PolynomialWarmUp",
    "PowerAndLinearDecay",
    "PowerDecayWithOffset",
    "Product",
    "Scale",
    "StepCosineDecayWithOffset",
    "Warmup",
]

#: Every built-in schedule class, in the order ``lrsched list`` shows them.
BUILTIN: tuple[type, ...] = (
    # Keras's schedules
    ExponentialDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    InverseTimeDecay,
    CosineDecay,
    CosineDecayRestarts,
    # composition
    Constant,
    Join,
    Warmup,
    Offset,
    Scale,
    Clip,
    # HF transformers' shapes
    CosineCycles,
    CosineHardRestarts,
    InverseSqrtDecay,
    OneMinusSqrtDecay,
    # PyTorch's closed-form schedulers
    CosineAnnealing,
    Cyclical,
    OneCycle,
    Product,
    # optax's shapes (composition expresses the rest: docs/catalogue.md)
    CosinePowerDecay,
    # TF Model Garden's schedules
    ExponentialDecayWithOffset,
    PiecewiseConstantDecayWithOffset,
    PolynomialDecayWithOffset,
    CosineDecayWithOffset,
    LinearWarmup,
    PolynomialWarmUp,
    DirectPowerDecay,
    PowerAndLinearDecay,
    PowerDecayWithOffset,
    StepCosineDecayWithOffset,
)


@hookimpl
def lrsched_register_schedules(register: Any) -> None:
    for cls in BUILTIN:
        register(cls)


class _SchedulesPackage(types.ModuleType):
    """``lrsched.schedules`` is this package and, called, the registry's listing: the package took
    the name of the function ``lrsched.schedules()``, which stays as it was."""

    def __call__(self) -> dict[str, type]:
        """Registered names mapped to their schedule classes (built-in and plugins')."""
        from lrsched.plugins import schedules

        return schedules()


sys.modules[__name__].__class__ = _SchedulesPackage
