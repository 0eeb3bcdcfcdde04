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
      without): a Keras, TF Model Garden or lrsched schedule (:func:`from_keras`).

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
        from lrsched import from_optax

        return from_optax(data["optax"], **kwargs)
    if "lr_scheduler_type" in data or "max_steps" in data:
        return from_training_arguments(data)
    if "class_name" in data:
        return from_keras(data)
    raise ConfigError(
        "not a schedule config lrsched knows: expected a key 'class_name' (Keras, TF Model Garden, lrsched), "
        f"'optax' (an optax call) or 'lr_scheduler_type' (HF TrainingArguments); received keys {sorted(data)}"
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
