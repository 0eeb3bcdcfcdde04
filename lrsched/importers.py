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

__all__ = [
    "convert",
    "from_hf",
    "from_keras",
    "from_model_garden",
    "from_optax",
    "from_torch",
    "from_torch_groups",
    "from_training_arguments",
]

#: optax's schedules that follow a metric or carry state, not the step: no spec can equal them.
_OPTAX_NOT_CLOSED = {
    "reduce_on_plateau": "it follows a metric (a loss) through its state, not the step",
    "contrib.reduce_on_plateau": "it follows a metric (a loss) through its state, not the step",
    "inject_hyperparams": "it wraps an optimizer, not a schedule: render the spec and pass it to the optimizer",
    "inject_stateful_hyperparams": "it wraps an optimizer, not a schedule: render the spec and pass it to the optimizer",
}

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


#: TF Model Garden's schedule classes (``official.modeling.optimization.lr_schedule``), each
#: registered in lrsched under the same name with the same arguments.
MODEL_GARDEN = (
    "ExponentialDecayWithOffset",
    "PiecewiseConstantDecayWithOffset",
    "PolynomialDecayWithOffset",
    "CosineDecayWithOffset",
    "LinearWarmup",
    "PolynomialWarmUp",
    "DirectPowerDecay",
    "PowerAndLinearDecay",
    "PowerDecayWithOffset",
    "StepCosineDecayWithOffset",
)


def from_keras(schedule: Any) -> Schedule:
    """The lrsched spec equal to a Keras or TF Model Garden schedule.

    Takes a schedule object: a Keras 3 or tf_keras built-in, one of TF Model Garden's classes
    (its ``offset`` and nested schedule read from the object), or lrsched's own rendered
    schedule; or a config: what ``keras.optimizers.schedules.serialize`` (or tf_keras's) writes,
    ``{"module": ..., "class_name": ..., "config": ..., "registered_name": ...}``, or the bare
    ``{"class_name": ..., "config": ...}``, with the class's constructor arguments as config.
    Nothing a config names is imported.

    What a config cannot hold is lost, as when TF Model Garden reads its own: a ``*WithOffset``
    class's ``get_config`` drops ``offset`` (read as 0, as its ``from_config`` reads it), and its
    warm-ups write the wrapped schedule's config without its class name (known here by its keys:
    a Keras 2 ``ExponentialDecay`` and ``InverseTimeDecay`` have the same keys and, with ``name``
    None, cannot be told apart: read the object instead). A Keras 2 ``name`` of None is the
    class's default name.

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
        return deserialize(_keras_form(schedule))
    spec = getattr(type(schedule), "spec", None)
    if isinstance(spec, property) and isinstance(schedule.spec, Schedule):  # lrsched's rendered schedule
        return schedule.spec
    cls = type(schedule)
    module = cls.__module__ or ""
    keras_family = any((base.__module__ or "").split(".")[0] in ("keras", "tf_keras") for base in cls.__mro__)
    if keras_family and cls.__name__ in KERAS_BUILTINS and module.split(".")[0] in ("keras", "tf_keras"):
        return deserialize(_keras_form({"class_name": cls.__name__, "config": schedule.get_config()}))
    if keras_family and cls.__name__ in MODEL_GARDEN and module.rsplit(".", 1)[-1].endswith("lr_schedule"):
        return deserialize(
            _keras_form({"class_name": cls.__name__, "config": _model_garden_config(schedule)})
        )
    if callable(schedule) and not hasattr(schedule, "get_config"):
        raise NotClosedFormError(f"from_keras: {_CALLABLE}; received {schedule!r}")
    raise ConfigError(
        f"from_keras takes a Keras LearningRateSchedule ({', '.join(KERAS_BUILTINS)}; TF Model Garden's "
        f"{', '.join(MODEL_GARDEN)}; or one rendered by lrsched) or its serialized dict; received a "
        f"{module}.{cls.__name__}"
    )


def _model_garden_config(schedule: Any) -> dict[str, Any]:
    """A TF Model Garden schedule's arguments, read from the object where its ``get_config``
    loses them (the offset of a ``*WithOffset`` class; a warm-up's nested schedule)."""
    name = type(schedule).__name__
    if name in MODEL_GARDEN[:4]:  # _make_offset_wrapper's classes: the base's get_config, no offset
        return {**schedule.get_config(), "offset": schedule._offset}
    if name in ("LinearWarmup", "PolynomialWarmUp"):
        after = schedule._after_warmup_lr_sched
        config = {
            "after_warmup_lr_sched": float(after) if not callable(after) else from_keras(after),
            "warmup_steps": schedule._warmup_steps,
            "name": schedule._name,
        }
        if name == "LinearWarmup":
            return {**config, "warmup_learning_rate": schedule._init_warmup_lr}
        return {**config, "power": schedule._power}
    return schedule.get_config()


def _keras_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keras's, tf_keras's and TF Model Garden's serialized forms of their own classes as lrsched's
    ``{"class_name": ..., "config": ...}``, a Keras 2 ``name`` of None dropped (the class's default
    name); anything else as it is, for :func:`lrsched.deserialize`."""
    from lrsched import lookups

    name, config, module = data.get("class_name"), data.get("config"), data.get("module") or ""
    ours = (name in KERAS_BUILTINS and module.split(".")[0] in ("", "keras", "tf_keras")) or (
        name in MODEL_GARDEN and (not module or module.rsplit(".", 1)[-1].endswith("lr_schedule"))
    )
    if (
        not ours
        or not isinstance(config, Mapping)
        or set(data) - {"class_name", "config", "module", "registered_name"}
    ):
        return dict(data)
    config = dict(config)
    if "name" in config and config["name"] is None:
        field = lookups.schedule_class(name).model_fields.get("name")
        if field is not None and field.default is not None:
            del config["name"]
    return {"class_name": name, "config": config}


def from_model_garden(config: Any) -> Schedule:
    """The spec of the schedule TF Model Garden's ``OptimizerFactory`` builds from an
    ``OptimizationConfig``: its ``learning_rate`` one-of config (``constant``, ``stepwise``,
    ``exponential``, ``polynomial``, ``cosine``, ``power``, ``power_linear``,
    ``power_with_offset``, ``step_cosine_with_offset``), wrapped in its ``warmup`` (``linear``,
    ``polynomial``), each config's defaults as TF Model Garden's. Takes the config object or its
    ``as_dict()``, or an experiment config (its YAML as a dict) holding it at
    ``trainer.optimizer_config``; the optimizer's own settings are not read. Errors name the key.

    Example:
      >>> import lrsched
      >>> spec = lrsched.from_model_garden({
      ...     "learning_rate": {"type": "stepwise", "stepwise": {"boundaries": [100], "values": [0.1, 0.01]}},
      ...     "warmup": {"type": "linear", "linear": {"warmup_steps": 10}}})
      >>> spec(5), spec(10), spec(100), spec(101)
      (0.05, 0.1, 0.1, 0.01)
    """
    from lrsched._model_garden_names import model_garden_spec

    return model_garden_spec(config)


def from_hf(
    name: Any,
    learning_rate: float,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    **scheduler_specific_kwargs: Any,
) -> Schedule:
    """The spec of HF transformers' ``get_scheduler(name, optimizer, ...)`` for an optimizer with
    ``lr=learning_rate``: ``spec(k) == learning_rate * lr_lambda(k)``.

    ``name`` is a ``transformers.SchedulerType`` value (``"linear"``, ``"cosine"``,
    ``"cosine_with_restarts"``, ``"polynomial"``, ``"constant"``, ``"constant_with_warmup"``,
    ``"inverse_sqrt"``, ``"cosine_with_min_lr"``, ``"cosine_warmup_with_min_lr"``,
    ``"warmup_stable_decay"``) or the enum; the rest are ``get_scheduler``'s arguments. See the
    catalogue's HF section for each mapping; ``"reduce_lr_on_plateau"`` is a
    :class:`lrsched.NotClosedFormError`.

    Example:
      >>> import lrsched
      >>> spec = lrsched.from_hf("linear", 0.1, num_warmup_steps=10, num_training_steps=110)
      >>> spec(5), spec(10), spec(60), spec(110)
      (0.05, 0.1, 0.05, 0.0)
    """
    from lrsched._hf_names import hf_spec

    return hf_spec(name, learning_rate, num_warmup_steps, num_training_steps, **scheduler_specific_kwargs)


def from_training_arguments(args: Mapping[str, Any]) -> Schedule:
    """The spec of the schedule HF's ``Trainer`` builds from ``TrainingArguments`` (as a dict, the
    JSON ``TrainingArguments.to_json_string`` writes): ``lr_scheduler_type``, ``learning_rate``,
    ``max_steps``, ``lr_scheduler_kwargs``, and the warm-up as transformers reads it:
    ``warmup_steps`` (a value below 1 is a fraction of ``max_steps``, rounded up, as transformers 5
    reads it) or transformers 4's ``warmup_ratio`` (``ceil(max_steps * warmup_ratio)``), the
    steps winning where both are given. Errors name the key.

    Example:
      >>> import lrsched
      >>> spec = lrsched.from_training_arguments(
      ...     {"lr_scheduler_type": "linear", "learning_rate": 0.1, "max_steps": 110, "warmup_ratio": 0.09})
      >>> spec(5), spec(10), spec(60)
      (0.05, 0.1, 0.05)
    """
    import math

    def get(key: str, default: Any = None, required: bool = False) -> Any:
        if key not in args or args[key] is None:
            if required:
                raise ConfigError(f"TrainingArguments: key {key!r} is required; received keys {sorted(args)}")
            return default
        return args[key]

    name = get("lr_scheduler_type", "linear")
    rate = get("learning_rate", 5e-5)
    total = get("max_steps", required=True)
    if isinstance(total, bool) or not isinstance(total, int) or total <= 0:
        raise ConfigError(
            f"TrainingArguments: key 'max_steps' must be an int > 0 (an epoch count cannot give a step "
            f"count here); received max_steps={total!r}"
        )
    steps, ratio = get("warmup_steps", 0), get("warmup_ratio", 0.0)
    for key, value in (("warmup_steps", steps), ("warmup_ratio", ratio)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
            raise ConfigError(
                f"TrainingArguments: key {key!r} must be a number >= 0; received {key}={value!r}"
            )
    if steps and steps < 1:  # transformers 5: a fraction of max_steps
        warmup = math.ceil(total * steps)
    elif steps:
        if not float(steps).is_integer():
            raise ConfigError(
                f"TrainingArguments: key 'warmup_steps' must be an int or a fraction below 1; received {steps!r}"
            )
        warmup = int(steps)
    else:
        warmup = math.ceil(total * ratio)
    kwargs = get("lr_scheduler_kwargs", {}) or {}
    if not isinstance(kwargs, Mapping):
        raise ConfigError(f"TrainingArguments: key 'lr_scheduler_kwargs' must be a dict; received {kwargs!r}")
    try:
        return from_hf(name, rate, warmup, total, **kwargs)
    except ConfigError as exc:
        raise type(exc)(f"TrainingArguments (lr_scheduler_type={name!r}): {exc}") from None


def convert(data: Any) -> Schedule:
    """The spec a framework's config describes, recognised by its keys:

    * ``{"optax": name, "kwargs": {...}}``: an optax call (:func:`lrsched.from_optax`);
    * HF ``TrainingArguments`` (``lr_scheduler_type``, ``max_steps``, ...):
      :func:`from_training_arguments`;
    * ``{"class_name": ..., "config": ...}`` (with Keras's ``module`` and ``registered_name`` or
      without): a Keras, TF Model Garden or lrsched schedule (:func:`from_keras`);
    * a TF Model Garden ``OptimizationConfig`` (``learning_rate``, ``warmup``) or an experiment
      holding one at ``trainer.optimizer_config`` (:func:`from_model_garden`).

    This is what ``lrsched convert`` reads.

    Example:
      >>> import lrsched
      >>> lrsched.convert({"lr_scheduler_type": "constant", "learning_rate": 0.1, "max_steps": 10})
      Constant(learning_rate=0.1)
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"a schedule config is a mapping; received {type(data).__name__}")
    if "optax" in data:
        unknown = sorted(set(data) - {"optax", "kwargs"})
        if unknown:
            raise ConfigError(f"an optax call takes keys 'optax' and 'kwargs'; received key {unknown[0]!r}")
        kwargs = data.get("kwargs", {}) or {}
        if not isinstance(kwargs, Mapping):
            raise ConfigError(
                f"key 'kwargs' must be a mapping of optax's keyword arguments; received {kwargs!r}"
            )
        kwargs = dict(kwargs)
        scales = kwargs.get("boundaries_and_scales")
        if isinstance(scales, Mapping):  # JSON and TOML keys are strings: "1000" is step 1000
            kwargs["boundaries_and_scales"] = {
                int(key) if isinstance(key, str) and key.isascii() and key.isdigit() else key: value
                for key, value in scales.items()
            }
        return from_optax(data["optax"], **kwargs)
    if "lr_scheduler_type" in data or "max_steps" in data:
        return from_training_arguments(data)
    if "class_name" in data:
        return from_keras(data)
    if isinstance(data.get("learning_rate"), Mapping) or isinstance(data.get("trainer"), Mapping):
        return from_model_garden(data)
    raise ConfigError(
        "not a schedule config lrsched knows: expected a key 'class_name' (Keras, TF Model Garden, lrsched), "
        "'optax' (an optax call), 'lr_scheduler_type' (HF TrainingArguments), or 'learning_rate' or "
        f"'trainer' (a TF Model Garden OptimizationConfig or experiment); received keys {sorted(data)}"
    )


def from_torch(scheduler: Any) -> Schedule:
    """The spec whose value at step ``k`` is the lr a constructed torch scheduler sets for the
    optimizer's first param group after ``k`` calls of ``scheduler.step()``.

    Reads the scheduler's class, its attributes and each group's ``initial_lr`` (torch is not
    imported here): ``StepLR``, ``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``,
    ``PolynomialLR``, ``CosineAnnealingLR``, ``CosineAnnealingWarmRestarts``, ``CyclicLR``,
    ``OneCycleLR``, and ``SequentialLR``/``ChainedScheduler`` of them. ``LambdaLR``,
    ``MultiplicativeLR`` and ``ReduceLROnPlateau`` are a :class:`lrsched.NotClosedFormError`.
    For every group's lr, :func:`from_torch_groups` gives the render options too.
    """
    from lrsched_torch._names import torch_spec

    return torch_spec(scheduler)


def from_torch_groups(scheduler: Any) -> tuple[Schedule, dict[str, Any]]:
    """``(spec, options)`` with ``lrsched.render(spec, "torch", optimizer=opt, **options)``
    setting every param group's lr as ``scheduler`` does (``options`` is ``scale=`` where the
    groups' lrs are proportional, else ``groups=``: see docs/torch.md)."""
    from lrsched_torch._names import torch_render_args

    return torch_render_args(scheduler)


def from_optax(name: str, /, **kwargs: Any) -> Schedule:
    """The spec of ``optax.<name>(**kwargs)``: the same value at every step >= 0.

    ``name`` is the optax function's name (``"warmup_cosine_decay_schedule"``), ``kwargs`` its
    keyword arguments by optax's names; ``join_schedules`` takes lrsched specs (map each piece
    first). optax's ``reduce_on_plateau`` is a :class:`lrsched.NotClosedFormError`. The
    catalogue's optax section lists each mapping.

    Example:
      >>> import lrsched
      >>> spec = lrsched.from_optax("warmup_cosine_decay_schedule", init_value=0.0, peak_value=0.1,
      ...                           warmup_steps=10, decay_steps=110)
      >>> spec(5), spec(10), spec(60), spec(110)
      (0.05, 0.1, 0.05, 0.0)
    """
    from lrsched._optax_names import optax_spec

    key = str(name).removeprefix("optax.")
    if key in _OPTAX_NOT_CLOSED:
        raise NotClosedFormError(
            f"optax's {key!r} has no lrsched spec: {_OPTAX_NOT_CLOSED[key]}; keep optax's own for it"
        )
    if callable(name):
        raise NotClosedFormError(f"from_optax: {_CALLABLE}; received {name!r}")
    return optax_spec(key, **kwargs)
