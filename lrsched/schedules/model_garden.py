"""TF Model Garden's schedules (``official/modeling/optimization/lr_schedule.py``), under its class
names and constructor arguments, each a composition of lrsched's schedules and building blocks.

* ``ExponentialDecayWithOffset``, ``PiecewiseConstantDecayWithOffset``,
  ``PolynomialDecayWithOffset``, ``CosineDecayWithOffset``: TF Model Garden's
  ``_make_offset_wrapper`` around Keras's schedule, here :class:`~lrsched.Offset` around lrsched's
  twin of it. As in TF Model Garden, ``offset`` comes first and is the only positional argument;
  the Keras arguments are keyword-only.
* ``LinearWarmup``, ``PolynomialWarmUp``: :class:`~lrsched.Warmup` with ``shift=False`` (the
  wrapped schedule sees the raw step; the ramp ends at its value at ``warmup_steps``).
* ``DirectPowerDecay``, ``PowerAndLinearDecay``, ``PowerDecayWithOffset``: powers of the step
  (:func:`~lrsched.numerics.xp_step_power`).
* ``StepCosineDecayWithOffset``: cosine ramps between values, joined.

TF Model Garden computes in float32 with the step cast to float32: past 2**24 its steps round
(a boundary or a stair moves by up to a few steps, then by more). Here, as everywhere in
lrsched, the integer step is exact and the value is the exact math's, to float32's 4 ulps.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Mapping
from fractions import Fraction
from functools import cached_property
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from lrsched.errors import ConfigError
from lrsched.numerics import MAX_STEP_POWER, xp_cosine_step, xp_linear_fall, xp_step_power
from lrsched.schedules.composition import Clip, Constant, Join, Offset, Warmup, _full, _reachable, _shift
from lrsched.schedules.cosine import CosineDecay, CosineDecayRestarts
from lrsched.schedules.exponential import ExponentialDecay
from lrsched.schedules.inverse_time import InverseTimeDecay
from lrsched.schedules.piecewise import PiecewiseConstantDecay
from lrsched.schedules.polynomial import PolynomialDecay
from lrsched.spec import (
    Bool,
    Doc,
    IncreasingSteps,
    Name,
    NonNegativeFloat,
    NonNegativeFloatTuple,
    NonNegativeInt,
    OptionalFloat,
    PositiveFloat,
    PositiveInt,
    PowerFloat,
    Schedule,
    ScheduleField,
    UnitFloat,
    _annotated,
    _fail,
    _non_negative_float,
    _real,
    _schedule_field,
    _serialize_nested,
    field_doc,
)

__all__ = [
    "CosineDecayWithOffset",
    "DirectPowerDecay",
    "ExponentialDecayWithOffset",
    "LinearWarmup",
    "PiecewiseConstantDecayWithOffset",
    "PolynomialDecayWithOffset",
    "PolynomialWarmUp",
    "PowerAndLinearDecay",
    "PowerDecayWithOffset",
    "StepCosineDecayWithOffset",
]


def _schedule_or_rate(value: object, info: ValidationInfo) -> Schedule:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return Constant(_non_negative_float(value, info))
    if isinstance(value, Mapping) and "class_name" not in value and "module" not in value:
        return _bare_config(value, info)
    return _schedule_field(value, info)


def _bare_config(config: Mapping[str, Any], info: ValidationInfo) -> Schedule:
    """The schedule of a config written without its class name (TF Model Garden's nested
    ``after_warmup_lr_sched``), known by its keys: the class whose arguments are exactly the keys
    (or, failing that, take them all and need no other), and where two classes have the same
    arguments (``ExponentialDecay``, ``InverseTimeDecay``), the one ``name`` names. A Keras 2
    ``name`` of None is the class's default name."""
    # what TF Model Garden's warm-ups may wrap: Keras's schedules and TF Model Garden's (a
    # *WithOffset class writes its base's config, its offset dropped)
    wrapped = (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay)
    wrapped += (CosineDecayRestarts, LinearWarmup, PolynomialWarmUp, DirectPowerDecay, PowerAndLinearDecay)
    wrapped += (PowerDecayWithOffset, StepCosineDecayWithOffset)
    classes: dict[str, type[Schedule]] = {cls.__name__: cls for cls in wrapped}
    keys = set(config)

    def fits(cls: type[Schedule], exact: bool) -> bool:
        fields = cls.model_fields
        required = {name for name, field in fields.items() if field.is_required()}
        return keys == set(fields) if exact else required <= keys <= set(fields)

    found = [name for name, cls in classes.items() if fits(cls, exact=True)]
    found = found or [name for name, cls in classes.items() if fits(cls, exact=False)]
    if len(found) > 1:
        named = [
            name for name in found if config.get("name") in (name, classes[name].model_fields["name"].default)
        ]
        found = named if len(named) == 1 else found
    if len(found) != 1:
        which = f"fit {' and '.join(found)}" if found else "fit no schedule TF Model Garden's warm-ups wrap"
        raise _fail(
            info,
            f"is a schedule config without its class name (as TF Model Garden's warm-ups write it) whose keys "
            f"{which}: write it as {{'class_name': ..., 'config': {{...}}}}, or read the schedule object "
            f"itself with lrsched.from_keras",
            dict(config),
        )
    cls = classes[found[0]]
    args = dict(config)
    if args.get("name", "") is None and cls.model_fields["name"].default is not None:
        del args["name"]  # Keras 2 writes name None for its default
    try:
        return cls(**args)
    except ConfigError as exc:
        raise ValueError(f"Argument `{info.field_name}` (a {cls.__name__} config): {exc}") from None


#: A nested schedule, or a rate standing for a :class:`~lrsched.Constant` (TF Model Garden's
#: warm-ups wrap a schedule or a float).
ScheduleOrRate = Annotated[
    Schedule,
    PlainValidator(_schedule_or_rate),
    PlainSerializer(_serialize_nested, when_used="json"),
    WithJsonSchema({"anyOf": [{"x-lrsched": "schedule"}, {"type": "number", "minimum": 0}]}),
    Doc("Schedule, or a float >= 0 (a Constant)"),
]


def _step_power(value: object, info: ValidationInfo) -> float:
    result = _real(value, info)
    if not -MAX_STEP_POWER <= result <= MAX_STEP_POWER:
        raise _fail(info, "must be in [-16, 16]", value)
    return result


#: The power of a step: a float in [-16, 16] (``(2**63) ** 16`` is within float64's range).
StepPower = Annotated[
    float,
    PlainValidator(_step_power),
    WithJsonSchema({"type": "number", "minimum": -MAX_STEP_POWER, "maximum": MAX_STEP_POWER}),
    Doc("float, in [-16, 16]"),
]


def _optional_name(value: object, info: ValidationInfo) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _fail(info, "must be a string or None", value)
    return value


#: A string or None (TF Model Garden's ``LinearWarmup`` name).
OptionalName = Annotated[
    str | None,
    PlainValidator(_optional_name),
    WithJsonSchema({"type": ["string", "null"]}),
    Doc("str or None"),
]


def _at_least(step: Any, low: int, xp: Any) -> Any:
    """``max(step, low)`` in the step's integer dtype (``low`` within its range)."""
    if isinstance(step, int):
        return max(step, low)
    return xp.where(step < low, xp.zeros_like(step) + low, step)


# -- Keras's schedules after an offset ---------------------------------------------------------
class _WithOffset(Schedule):
    """TF Model Garden's ``_make_offset_wrapper``: ``base(step - offset)``, the base schedule's
    formula extended to the steps before the offset as Keras computes it (see each base).

    ``offset`` is the first field and the only positional argument (TF Model Garden's
    ``__init__(self, offset=0, **kwargs)``); the base's fields follow, keyword-only, with the
    base's names, defaults and rules.
    """

    unsigned_steps = True

    _base: ClassVar[type[Schedule]]
    offset: NonNegativeInt = 0

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        # Schedule's signature makes every field positional, which a required field after
        # ``offset=0`` cannot be: here the others are keyword-only, as in TF Model Garden
        BaseModel.__pydantic_init_subclass__.__func__(cls, **kwargs)  # type: ignore[attr-defined]
        positional, keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY
        cls.__signature__ = inspect.Signature(
            [
                inspect.Parameter(
                    name,
                    positional if name == "offset" else keyword,
                    default=inspect.Parameter.empty if field.is_required() else field.default,
                    annotation=field_doc(_annotated(cls, name)),
                )
                for name, field in cls.model_fields.items()
            ]
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > 1:
            raise ConfigError(
                f"{type(self).__name__} takes one positional argument (offset), as in TF Model "
                f"Garden; pass {', '.join(list(type(self).model_fields)[1:])} by keyword. Received "
                f"{len(args)} positional arguments"
            )
        super().__init__(*args, **kwargs)

    @model_validator(mode="after")
    def _base_is_valid(self) -> _WithOffset:
        try:
            self._schedule  # noqa: B018 (built and cached here: the base's cross-field rules)
        except ConfigError as exc:
            raise ValueError(str(exc).removeprefix(f"invalid {self._base.__name__}: ")) from None
        return self

    @cached_property
    def _schedule(self) -> Offset:
        """``Offset(base(...), offset)``, built once per spec."""
        fields = {name: getattr(self, name) for name in type(self).model_fields if name != "offset"}
        return Offset(self._base(**fields), self.offset)

    def value(self, step: Any, xp: Any) -> Any:
        return self._schedule.value(step, xp)

    def breakpoints(self) -> tuple[int, ...]:
        return self._schedule.breakpoints()

    def horizon(self) -> int:
        return self._schedule.horizon()


class ExponentialDecayWithOffset(_WithOffset):
    """Keras's exponential decay from step ``offset`` on (TF Model Garden's class).

    ``initial_learning_rate * decay_rate ** ((step - offset) / decay_steps)`` (a stair count
    ``floor((step - offset) / decay_steps)`` with ``staircase``): :class:`~lrsched.Offset` around
    :class:`~lrsched.ExponentialDecay`. Before the offset the exponent is negative: the rate is
    above ``initial_learning_rate`` (below it for ``decay_rate > 1``), as TF Model Garden computes.

    Args:
      offset: the step the decay starts from; an int >= 0 (the only positional argument).
      initial_learning_rate: the rate at ``offset``; finite, >= 0.
      decay_steps: steps per factor of ``decay_rate``; an integer in [1, 2**63 - 1].
      decay_rate: the factor per ``decay_steps``; finite, > 0.
      staircase: decay in whole stairs of ``decay_steps`` steps.
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.ExponentialDecayWithOffset(
      ...     100, initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True
      ... )
      >>> spec(90), spec(100), spec(110)
      (0.2, 0.1, 0.05)
    """

    _base = ExponentialDecay
    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    decay_rate: PositiveFloat
    staircase: Bool = False
    name: Name = "ExponentialDecay"


class PiecewiseConstantDecayWithOffset(_WithOffset):
    """Keras's piecewise constant rate, its boundaries counted from step ``offset`` (TF Model
    Garden's class).

    ``values[i]`` while ``boundaries[i - 1] < step - offset <= boundaries[i]``:
    :class:`~lrsched.Offset` around :class:`~lrsched.PiecewiseConstantDecay`. Before the offset,
    ``values[0]``.

    Args:
      offset: where the boundaries are counted from; an int >= 0 (the only positional argument).
      boundaries: steps after the offset, strictly increasing, each in [0, 2**63 - 1].
      values: ``len(boundaries) + 1`` rates, each finite and >= 0.
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.PiecewiseConstantDecayWithOffset(10, boundaries=[50, 80], values=[1.0, 0.5, 0.1])
      >>> spec(60), spec(61), spec(91)
      (1.0, 0.5, 0.1)
    """

    _base = PiecewiseConstantDecay
    boundaries: IncreasingSteps
    values: NonNegativeFloatTuple
    name: Name = "PiecewiseConstant"

    @classmethod
    def _lrsched_strategy_(cls, default: Any) -> Any:
        """For :mod:`lrsched.testing.strategies`: Keras's schedule's strategy, with an offset."""
        from hypothesis import strategies as st

        from lrsched.testing.strategies import specs

        return st.builds(
            lambda base, offset: cls(offset, boundaries=base.boundaries, values=base.values, name=base.name),
            specs(PiecewiseConstantDecay),
            st.integers(0, 2**40),
        )


class PolynomialDecayWithOffset(_WithOffset):
    """Keras's polynomial decay from step ``offset`` on (TF Model Garden's class).

    ``(initial_learning_rate - end_learning_rate) * (1 - p) ** power + end_learning_rate`` with
    ``p = min(step - offset, decay_steps) / decay_steps``: :class:`~lrsched.Offset` around
    :class:`~lrsched.PolynomialDecay`. Before the offset the formula is extended as Keras computes
    it, ``(1 + (offset - step) / decay_steps) ** power``; with ``cycle``, steps before the offset
    give ``initial_learning_rate`` (TF Model Garden: inf or nan there, from a cycle of length 0).

    Args:
      offset: the step the decay starts from; an int >= 0 (the only positional argument).
      initial_learning_rate: the rate at ``offset``; finite, >= 0.
      decay_steps: the decay's length; an integer in [1, 2**63 - 1].
      end_learning_rate: the rate at its end; finite, >= 0.
      power: the polynomial's power; in [0, 128].
      cycle: restart the decay at each multiple of ``decay_steps``, as Keras does.
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.PolynomialDecayWithOffset(
      ...     100, initial_learning_rate=0.1, decay_steps=1000, end_learning_rate=0.0
      ... )
      >>> spec(100), spec(600), spec(1100), spec(0)
      (0.1, 0.05, 0.0, 0.11)
    """

    _base = PolynomialDecay
    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    end_learning_rate: NonNegativeFloat = 0.0001
    power: PowerFloat = 1.0
    cycle: Bool = False
    name: Name = "PolynomialDecay"


class CosineDecayWithOffset(_WithOffset):
    """Keras's cosine decay (with its optional warm-up) from step ``offset`` on (TF Model
    Garden's class).

    :class:`~lrsched.Offset` around :class:`~lrsched.CosineDecay`: ``initial_learning_rate *
    (alpha + (1 - alpha) * (1 + cos(pi * p)) / 2)`` with ``p = min(step - offset, decay_steps) /
    decay_steps``. Before the offset the cosine is extended as Keras computes it (periodic); a
    warm-up's line is not extended below its start (Keras's is, down to negative rates: here
    ``initial_learning_rate`` before the offset).

    Args:
      offset: the step the schedule starts from; an int >= 0 (the only positional argument).
      initial_learning_rate: the rate at ``offset``; finite, >= 0.
      decay_steps: the decay's length; an integer in [1, 2**63 - 1].
      alpha: the fraction of the decay's start left at its end; in [0, 1].
      name: Keras's name for the schedule; kept in configs.
      warmup_target: the rate the warm-up reaches (None: no warm-up); finite, >= 0.
      warmup_steps: the warm-up's length; an int >= 0, > 0 only with ``warmup_target``.

    Example:
      >>> import lrsched
      >>> spec = lrsched.CosineDecayWithOffset(10, initial_learning_rate=1.0, decay_steps=100)
      >>> spec(10), spec(60), spec(110), spec(0)
      (1.0, 0.5, 0.0, 0.9755282581475768)
    """

    _base = CosineDecay
    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    alpha: UnitFloat = 0.0
    name: Name = "CosineDecay"
    warmup_target: OptionalFloat = None
    warmup_steps: NonNegativeInt = 0


# -- warm-ups ----------------------------------------------------------------------------------
class LinearWarmup(Schedule):
    """A linear warm-up before a schedule that sees the raw step (TF Model Garden's class).

    ``warmup_learning_rate + step / warmup_steps * (target - warmup_learning_rate)`` for ``step <
    warmup_steps``, with ``target = after_warmup_lr_sched(warmup_steps)``; from there on
    ``after_warmup_lr_sched(step)``: :class:`~lrsched.Warmup` with ``shift=False``.

    Args:
      after_warmup_lr_sched: the schedule after the warm-up, or a rate (a
        :class:`~lrsched.Constant`).
      warmup_steps: the ramp's length; an int >= 0 (0: no ramp).
      warmup_learning_rate: the rate at step 0; finite, >= 0.
      name: TF Model Garden's name for the schedule (None by default); kept in configs.

    Example:
      >>> import lrsched
      >>> decay = lrsched.ExponentialDecay(0.1, 100, 0.5)
      >>> spec = lrsched.LinearWarmup(decay, warmup_steps=100, warmup_learning_rate=0.0)
      >>> spec(0), spec(50), spec(100), spec(200)
      (0.0, 0.025, 0.05, 0.025)
    """

    unsigned_steps = True

    after_warmup_lr_sched: ScheduleOrRate
    warmup_steps: NonNegativeInt
    warmup_learning_rate: NonNegativeFloat
    name: OptionalName = None

    @cached_property
    def _warmup(self) -> Warmup:
        """The composition it is, built once per spec."""
        return Warmup(self.after_warmup_lr_sched, self.warmup_steps, self.warmup_learning_rate, shift=False)

    def value(self, step: Any, xp: Any) -> Any:
        return self._warmup.value(step, xp)

    def breakpoints(self) -> tuple[int, ...]:
        return self._warmup.breakpoints()

    def horizon(self) -> int:
        return self._warmup.horizon()


class PolynomialWarmUp(Schedule):
    """A polynomial warm-up from 0 before a schedule that sees the raw step (TF Model Garden's
    class).

    ``target * (max(step, 1) / warmup_steps) ** power`` for ``step < warmup_steps``, with
    ``target = after_warmup_lr_sched(warmup_steps)``; from there on ``after_warmup_lr_sched(step)``.
    Step 0 has step 1's rate, as in TF Model Garden (its ``max(step, 1)``). This is
    :class:`~lrsched.Warmup` with ``shape="polynomial"`` and ``shift=False``, at ``max(step, 1)``.

    Args:
      after_warmup_lr_sched: the schedule after the warm-up, or a rate (a
        :class:`~lrsched.Constant`).
      warmup_steps: the ramp's length; an int >= 0 (0: no ramp).
      power: the ramp's power; in [0, 128] (1: linear).
      name: TF Model Garden's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.PolynomialWarmUp(0.1, warmup_steps=10, power=2.0)
      >>> spec(0), spec(1), spec(5), spec(10)
      (0.001, 0.001, 0.025, 0.1)
    """

    unsigned_steps = True

    after_warmup_lr_sched: ScheduleOrRate
    warmup_steps: NonNegativeInt
    power: PowerFloat = 1.0
    name: Name = "PolynomialWarmup"

    @cached_property
    def _warmup(self) -> Warmup:
        """The composition it is, built once per spec."""
        return Warmup(
            self.after_warmup_lr_sched, self.warmup_steps, shape="polynomial", shift=False, power=self.power
        )

    def value(self, step: Any, xp: Any) -> Any:
        if self.warmup_steps == 0:  # no ramp: the schedule at the raw step (0 included)
            return self.after_warmup_lr_sched.value(step, xp)
        return self._warmup.value(_at_least(step, 1, xp), xp)

    def breakpoints(self) -> tuple[int, ...]:
        return self._warmup.breakpoints()

    def horizon(self) -> int:
        return self._warmup.horizon()


# -- powers of the step ------------------------------------------------------------------------
class DirectPowerDecay(Schedule):
    """A power of the step: ``initial_learning_rate * max(step, 1) ** power`` (TF Model Garden's
    class; ``power=-0.5`` is an inverse square-root decay).

    Steps below 1 count as 1. Computed by :func:`~lrsched.numerics.xp_step_power`.

    Args:
      initial_learning_rate: the rate at steps 0 and 1; finite, >= 0.
      power: the step's power; in [-16, 16] (negative: a decay).
      name: TF Model Garden's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.DirectPowerDecay(0.1, power=-0.5)
      >>> spec(0), spec(1), spec(100)
      (0.1, 0.1, 0.01)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    power: StepPower = 1.0
    name: Name = "DirectPowerDecay"

    def value(self, step: Any, xp: Any) -> Any:
        return xp_step_power(self.initial_learning_rate, step, self.power, xp=xp)

    def horizon(self) -> int:
        return 10_000


class PowerAndLinearDecay(Schedule):
    """A power of the steps since ``offset``, times a linear fall to 0 over the last
    ``linear_decay_fraction`` of ``total_decay_steps`` (TF Model Garden's class).

    With ``s = step - offset``: ``initial_learning_rate * max(s, 1) ** power * min(1, (T - s) /
    (T * f))`` clipped at 0, for ``T = total_decay_steps`` and ``f = linear_decay_fraction``
    (without the linear factor when ``T * f`` is 0). So ``initial_learning_rate`` up to step
    ``offset + 1``, 0 from ``offset + T`` on. The fall's length ``T * f`` is exact (not
    rounded to a float, nor to whole steps): :func:`~lrsched.numerics.xp_linear_fall`, folded into
    :func:`~lrsched.numerics.xp_step_power` so that the product keeps its accuracy.

    Args:
      initial_learning_rate: the rate up to step ``offset + 1``; finite, >= 0.
      total_decay_steps: where the rate reaches 0, counted from ``offset``; an int >= 0.
      power: the power of the steps since the offset; in [-16, 16].
      linear_decay_fraction: the fraction of ``total_decay_steps`` the linear fall lasts; in [0, 1].
      offset: where the steps are counted from; an int >= 0.
      name: TF Model Garden's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.PowerAndLinearDecay(1.0, 100, power=-1.0, linear_decay_fraction=0.5)
      >>> spec(0), spec(40), spec(60), spec(100)
      (1.0, 0.025, 0.013333333333333334, 0.0)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    total_decay_steps: NonNegativeInt
    power: StepPower = 1.0
    linear_decay_fraction: UnitFloat = 0.1
    offset: NonNegativeInt = 0
    name: Name = "PowerAndLinearDecay"

    @property
    def _fall_length(self) -> Fraction:
        """``T * f``, exactly."""
        return self.total_decay_steps * Fraction(self.linear_decay_fraction)

    def value(self, step: Any, xp: Any) -> Any:
        since = _shift(step, self.offset, xp)  # steps before the offset count as 1, as step 0
        fall = None
        if self._fall_length > 0:
            fall = xp_linear_fall(step, self.offset + self.total_decay_steps, self._fall_length, xp=xp)
        return xp_step_power(self.initial_learning_rate, since, self.power, factor=fall, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        """The offset, the start and the end of the linear fall."""
        end = self.offset + self.total_decay_steps
        return tuple(sorted({self.offset, end - math.ceil(self._fall_length), end}))

    def horizon(self) -> int:
        return self.offset + self.total_decay_steps + max(self.total_decay_steps // 4, 1000)


class PowerDecayWithOffset(Schedule):
    """``pre_offset_learning_rate`` up to step ``offset``, then a power of the steps since it,
    capped at ``pre_offset_learning_rate`` (TF Model Garden's class).

    ``min(initial_learning_rate * (step - offset) ** power, pre_offset_learning_rate)`` for
    ``step > offset``; ``pre_offset_learning_rate`` for ``step <= offset``: :class:`~lrsched.Clip`
    around :class:`~lrsched.Offset` around :class:`DirectPowerDecay`.

    Args:
      initial_learning_rate: the factor on the power; finite, >= 0.
      power: the power of the steps since the offset; in [-16, 16].
      offset: the last step of the constant rate; an int >= 0.
      pre_offset_learning_rate: the rate up to the offset, and the cap after it; finite, >= 0.
      name: TF Model Garden's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.PowerDecayWithOffset(1.0, power=-1.0, offset=10, pre_offset_learning_rate=3.0)
      >>> spec(1), spec(10), spec(11), spec(20)
      (3.0, 3.0, 1.0, 0.1)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    power: StepPower = 1.0
    offset: NonNegativeInt = 0
    pre_offset_learning_rate: NonNegativeFloat = 1.0e6
    name: Name = "PowerDecayWithOffset"

    @cached_property
    def _after(self) -> Clip:
        """The rate after the offset, built once per spec."""
        power = Offset(DirectPowerDecay(self.initial_learning_rate, self.power), self.offset)
        return Clip(power, maximum=self.pre_offset_learning_rate)

    def value(self, step: Any, xp: Any) -> Any:
        before = _full(step, self.pre_offset_learning_rate, xp)
        if isinstance(step, int):
            return self._after.value(step, xp) if step > self.offset else before
        if not _reachable(step, self.offset + 1, xp):
            return before
        return xp.where(step > self.offset, self._after.value(step, xp), before)

    def breakpoints(self) -> tuple[int, ...]:
        return (self.offset + 1,)

    def horizon(self) -> int:
        return self.offset + 10_000


# -- cosine steps ------------------------------------------------------------------------------
class _Periodic(Schedule):
    """``schedule`` at the step folded into ``[0, length]`` where ``cos(pi * step / length)`` has
    the same value (:func:`~lrsched.numerics.xp_cosine_step`): a cosine ramp continued as the
    cosine it is, on both sides. Internal to :class:`StepCosineDecayWithOffset`; not registered."""

    unsigned_steps = True

    schedule: ScheduleField
    length: PositiveInt

    def value(self, step: Any, xp: Any) -> Any:
        return self.schedule.value(xp_cosine_step(step, self.length, periodic=True, xp=xp), xp)


class StepCosineDecayWithOffset(Schedule):
    """Cosine ramps from each of ``values`` to the next, one per interval between ``boundaries``,
    counted from ``offset`` (TF Model Garden's class).

    With ``s = step - offset``, ``L_i = boundaries[i + 1] - boundaries[i]`` and ``v = values``:
    from ``s = boundaries[i]`` (``i >= 1``), ``v[i + 1] + (v[i] - v[i + 1]) * (1 + cos(pi * (s -
    boundaries[i]) / L_i)) / 2``; before ``boundaries[1]``, the first level, ``v[1] + (v[0] - v[1])
    * (1 + cos(pi * s / L_0)) / 2``, as TF Model Garden computes it: from ``s = 0``, not from
    ``boundaries[0]``, and periodic in ``s`` (before the offset too). The last level has no length:
    TF Model Garden gives NaN from ``s = boundaries[-1]`` on (``0 / 0`` in its cosine); here
    ``values[-1]``, where the level before ends. Each level is :class:`~lrsched.Warmup`'s cosine
    ramp, the levels :class:`~lrsched.Join`\\ ed, all in :class:`~lrsched.Offset`.

    Args:
      boundaries: where each level starts, counted from ``offset``; strictly increasing, each in
        [0, 2**63 - 1], as many as ``values``.
      values: each level's starting rate; at least one, each finite and >= 0.
      offset: where the boundaries are counted from; an int >= 0.
      name: TF Model Garden's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.StepCosineDecayWithOffset([0, 100, 200], [1.0, 0.5, 0.1], offset=10)
      >>> spec(10), spec(60), spec(110), spec(160), spec(210)
      (1.0, 0.75, 0.5, 0.3, 0.1)
    """

    unsigned_steps = True

    boundaries: IncreasingSteps
    values: NonNegativeFloatTuple
    offset: NonNegativeInt = 0
    name: Name = "StepCosineDecayWithOffset"

    @model_validator(mode="after")
    def _lengths_match(self) -> StepCosineDecayWithOffset:
        if not self.values:
            raise ValueError("Argument `values` must have at least 1 element. Received: values=[]")
        if len(self.boundaries) != len(self.values):
            raise ValueError(
                f"Argument `boundaries` must have len(values) = {len(self.values)} elements, where "
                f"each level starts. Received: boundaries={list(self.boundaries)} with "
                f"values={list(self.values)}"
            )
        return self

    @cached_property
    def _schedule(self) -> Offset:
        """The composition it is, built once per spec."""
        b, v = self.boundaries, self.values
        levels: list[Schedule] = [
            Warmup(Constant(v[i + 1]), b[i + 1] - b[i], start_value=v[i], shape="cosine")
            for i in range(len(v) - 1)
        ]
        if levels:
            levels[0] = _Periodic(schedule=levels[0], length=b[1] - b[0])
        return Offset(Join([*levels, Constant(v[-1])], b[1:]), self.offset)

    def value(self, step: Any, xp: Any) -> Any:
        return self._schedule.value(step, xp)

    @classmethod
    def _lrsched_strategy_(cls, default: Any) -> Any:
        """For :mod:`lrsched.testing.strategies`: as many boundaries as values."""
        from hypothesis import strategies as st

        from lrsched.testing.strategies import FLOAT_LIMIT

        rates = st.floats(0, FLOAT_LIMIT, allow_nan=False, allow_infinity=False)

        def build(boundaries: list[int]) -> Any:
            values = st.lists(rates, min_size=len(boundaries), max_size=len(boundaries))
            return st.builds(
                lambda v, offset: cls(sorted(boundaries), v, offset), values, st.integers(0, 2**40)
            )

        return st.lists(st.integers(0, 2**40), min_size=1, max_size=4, unique=True).flatmap(build)

    def breakpoints(self) -> tuple[int, ...]:
        """Where each level starts, and where the first reaches ``values[1]``."""
        return self._schedule.breakpoints()

    def horizon(self) -> int:
        return self._schedule.horizon()
