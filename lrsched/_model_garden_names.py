"""TF Model Garden's optimization configs as lrsched specs (no TF Model Garden import).

:func:`model_garden_spec` reads what TF Model Garden's ``OptimizationConfig`` holds (as the dict
its ``as_dict()`` writes, or as an experiment's YAML writes it under
``trainer.optimizer_config``): the ``learning_rate`` and ``warmup`` one-of configs, and returns
the spec of what its ``OptimizerFactory.build_learning_rate()`` builds: ``LR_CLS[type](**config)``,
wrapped in ``WARMUP_CLS[type](lr, **warmup)``. Each config's defaults are those of its dataclass
in ``official/modeling/optimization/configs/learning_rate_config.py`` (tf-models-official 2.20).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrsched.errors import ConfigError, LrschedError
from lrsched.spec import Schedule

__all__ = ["LR_TYPES", "WARMUP_TYPES", "model_garden_spec"]

_REQUIRED = object()

#: ``learning_rate.type``: the lrsched class (TF Model Garden's own, as ``OptimizerFactory``'s
#: ``LR_CLS`` names it; ``constant`` is a rate) and its config's fields with their defaults.
LR_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "constant": ("Constant", {"name": "Constant", "learning_rate": 0.1}),
    "stepwise": (
        "PiecewiseConstantDecayWithOffset",
        {"name": "PiecewiseConstantDecay", "boundaries": _REQUIRED, "values": _REQUIRED, "offset": 0},
    ),
    "exponential": (
        "ExponentialDecayWithOffset",
        {
            "name": "ExponentialDecay",
            "initial_learning_rate": _REQUIRED,
            "decay_steps": _REQUIRED,
            "decay_rate": _REQUIRED,
            "staircase": None,
            "offset": 0,
        },
    ),
    "polynomial": (
        "PolynomialDecayWithOffset",
        {
            "name": "PolynomialDecay",
            "initial_learning_rate": _REQUIRED,
            "decay_steps": _REQUIRED,
            "end_learning_rate": 0.0001,
            "power": 1.0,
            "cycle": False,
            "offset": 0,
        },
    ),
    "cosine": (
        "CosineDecayWithOffset",
        {
            "name": "CosineDecay",
            "initial_learning_rate": _REQUIRED,
            "decay_steps": _REQUIRED,
            "alpha": 0.0,
            "offset": 0,
        },
    ),
    "power": (
        "DirectPowerDecay",
        {"name": "DirectPowerDecay", "initial_learning_rate": _REQUIRED, "power": -0.5},
    ),
    "power_linear": (
        "PowerAndLinearDecay",
        {
            "name": "PowerAndLinearDecay",
            "initial_learning_rate": _REQUIRED,
            "total_decay_steps": _REQUIRED,
            "power": -0.5,
            "linear_decay_fraction": 0.1,
            "offset": 0,
        },
    ),
    "power_with_offset": (
        "PowerDecayWithOffset",
        {
            "name": "PowerDecayWithOffset",
            "initial_learning_rate": _REQUIRED,
            "power": -0.5,
            "offset": 0,
            "pre_offset_learning_rate": 1.0e6,
        },
    ),
    "step_cosine_with_offset": (
        "StepCosineDecayWithOffset",
        {"name": "StepCosineDecayWithOffset", "boundaries": _REQUIRED, "values": _REQUIRED, "offset": 0},
    ),
}
#: ``warmup.type``: TF Model Garden's warm-up class (``WARMUP_CLS``) and its config's fields.
WARMUP_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "linear": ("LinearWarmup", {"name": "linear", "warmup_learning_rate": 0.0, "warmup_steps": _REQUIRED}),
    "polynomial": ("PolynomialWarmUp", {"name": "polynomial", "power": 1.0, "warmup_steps": _REQUIRED}),
}
#: ``OptimizationConfig``'s keys: the optimizer's and the moving average's do not shape the rate.
_OPTIMIZATION_KEYS = ("optimizer", "ema", "learning_rate", "warmup")


def _as_dict(value: Any) -> Any:
    """A TF Model Garden config object (``base_config.Config``) as the dict it writes."""
    return value.as_dict() if callable(getattr(value, "as_dict", None)) else value


def _one_of(config: Any, where: str, types: dict[str, tuple[str, dict[str, Any]]]) -> tuple[str, dict] | None:
    """``(type, the chosen config with its defaults)`` of a one-of config; None for no type."""
    config = _as_dict(config)
    if config is None:
        return None
    if not isinstance(config, Mapping):
        raise ConfigError(f"TF Model Garden config: key {where!r} must be a mapping; received {config!r}")
    unknown = sorted(set(config) - {"type", *types})
    if unknown:
        raise ConfigError(
            f"TF Model Garden config: key {where}.{unknown[0]!r} is not one of its types "
            f"({', '.join(types)}) or 'type'"
        )
    kind = config.get("type")
    if kind is None:
        return None
    if kind not in types:
        raise ConfigError(
            f"TF Model Garden config: key '{where}.type' must be one of {', '.join(map(repr, types))}; "
            f"received {kind!r}"
        )
    chosen = _as_dict(config.get(kind)) or {}
    if not isinstance(chosen, Mapping):
        raise ConfigError(
            f"TF Model Garden config: key '{where}.{kind}' must be a mapping; received {chosen!r}"
        )
    fields = types[kind][1]
    unknown = sorted(set(chosen) - set(fields))
    if unknown:
        raise ConfigError(
            f"TF Model Garden config: key '{where}.{kind}.{unknown[0]}' is not a field of its {kind!r} config "
            f"({', '.join(fields)})"
        )
    merged = {**fields, **chosen}
    missing = [k for k, v in merged.items() if v is _REQUIRED or (v is None and fields[k] is _REQUIRED)]
    if missing:
        raise ConfigError(
            f"TF Model Garden config: key '{where}.{kind}.{missing[0]}' is required (its default is None, "
            f"which TF Model Garden's schedule cannot take); received {dict(chosen)!r}"
        )
    return kind, merged


def model_garden_spec(config: Any) -> Schedule:
    """The spec of ``OptimizerFactory(OptimizationConfig(config)).build_learning_rate()``.

    ``config``: an ``OptimizationConfig`` (or its ``as_dict()``), or an experiment config holding
    one at ``trainer.optimizer_config``.
    """
    from lrsched import schedules

    config, where = _as_dict(config), ""
    if isinstance(config, Mapping) and "trainer" in config:
        trainer = _as_dict(config["trainer"])
        if not isinstance(trainer, Mapping) or "optimizer_config" not in trainer:
            raise ConfigError("TF Model Garden config: key 'trainer.optimizer_config' is required")
        config, where = _as_dict(trainer["optimizer_config"]), "trainer.optimizer_config."
    if not isinstance(config, Mapping):
        raise ConfigError(
            f"a TF Model Garden OptimizationConfig is a mapping; received {type(config).__name__}"
        )
    unknown = sorted(set(config) - set(_OPTIMIZATION_KEYS))
    if unknown:
        raise ConfigError(
            f"TF Model Garden config: key '{where}{unknown[0]}' is not a key of an OptimizationConfig "
            f"({', '.join(_OPTIMIZATION_KEYS)})"
        )
    chosen = _one_of(config.get("learning_rate"), f"{where}learning_rate", LR_TYPES)
    if chosen is None:
        raise ConfigError(
            f"TF Model Garden config: key '{where}learning_rate.type' is required (TF Model Garden: "
            "'Learning rate type must be specified'); "
            f"one of {', '.join(map(repr, LR_TYPES))}"
        )
    kind, args = chosen
    try:
        if kind == "constant":
            lr: Schedule = schedules.Constant(args["learning_rate"])
        else:
            if "staircase" in args and args["staircase"] is None:  # Keras's `if staircase:`
                args["staircase"] = False
            lr = getattr(schedules, LR_TYPES[kind][0])(**args)
    except LrschedError as exc:
        raise type(exc)(f"TF Model Garden config, key '{where}learning_rate.{kind}': {exc}") from None
    warmup = _one_of(config.get("warmup"), f"{where}warmup", WARMUP_TYPES)
    if warmup is None:
        return lr
    kind, args = warmup
    if isinstance(lr, schedules.Constant):  # TF Model Garden wraps the rate itself
        lr = lr.learning_rate
    try:
        return getattr(schedules, WARMUP_TYPES[kind][0])(lr, **args)
    except LrschedError as exc:
        raise type(exc)(f"TF Model Garden config, key '{where}warmup.{kind}': {exc}") from None
