"""optax's schedule functions as lrsched specs: the mapping an optax importer builds on.

Each closed-form schedule of ``optax.schedules`` (0.2.x) is a registered schedule, or a
composition of them, with optax's value at every step >= 0: the same step 0, the same steps at
each boundary, the same value after the end. :func:`optax_spec` takes an optax function's name
and its keyword arguments, exactly as optax takes them (same names, same defaults), and builds
the spec the way optax builds the function: ``warmup_cosine_decay_schedule`` is a ``Join`` of
what ``linear_schedule`` and ``cosine_decay_schedule`` map to, as in optax's own source.

optax's quiet fallbacks are kept, because they are its values: ``transition_steps <= 0`` (and
``decay_rate == 0`` for ``exponential_decay``) is a constant ``init_value``, a negative
``transition_begin`` counts as 0. Where optax raises (``cosine_decay_schedule`` with
``decay_steps <= 0``, a negative scale, an unknown ``interpolate_type``), this raises a
:class:`lrsched.ConfigError` naming the argument. What lrsched's specs cannot hold is a
``ConfigError`` too: negative rates, a power or exponent outside [0, 128], an ``alpha``
outside [0, 1] with ``exponent != 1``, negative boundaries where optax would start a piece
before step 0.

No optax (nor JAX) is imported here.

Example:
  >>> from lrsched._optax_names import optax_spec
  >>> optax_spec("linear_schedule", init_value=0.1, end_value=0.0, transition_steps=100, transition_begin=10)
  Join(schedules=(Constant(learning_rate=0.1), PolynomialDecay(initial_learning_rate=0.1, decay_steps=100, end_learning_rate=0.0, power=1.0, cycle=False, name='PolynomialDecay')), boundaries=(10,))
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from lrsched.errors import ConfigError, UnknownScheduleError, unknown_name_message
from lrsched.schedules import (
    Clip,
    Constant,
    CosineDecay,
    CosinePowerDecay,
    ExponentialDecay,
    Join,
    PiecewiseConstantDecay,
    PolynomialDecay,
    Warmup,
)
from lrsched.spec import Schedule

__all__ = ["OPTAX_NAMES", "optax_spec"]


def _fail(function: str, argument: str, rule: str, value: object) -> ConfigError:
    return ConfigError(f"optax.{function}: argument `{argument}` {rule}. Received: {argument}={value!r}")


def _int(function: str, argument: str, value: object) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    raise _fail(function, argument, "must be an integer", value)


def _product(values: Iterable[float]) -> float:
    """The product of floats, exact, rounded once (optax multiplies in float32, step by step)."""
    return float(math.prod((Fraction(v) for v in values), start=Fraction(1)))


def _join(schedules: Sequence[Schedule], boundaries: Sequence[int], function: str) -> Schedule:
    """optax's ``join_schedules`` for steps >= 0: a piece that ends at or before step 0 never
    runs; a boundary below 0 would hand the next piece steps ahead of the count (refused)."""
    if len(boundaries) != len(schedules) - 1:
        raise _fail(
            function,
            "boundaries",
            f"must have len(schedules) - 1 = {len(schedules) - 1} elements",
            boundaries,
        )
    for b in boundaries:
        if b < 0:
            raise _fail(
                function, "boundaries", "must be >= 0 (lrsched pieces start at step >= 0)", list(boundaries)
            )
    first = max((i for i, b in enumerate(boundaries) if b == 0), default=-1) + 1
    schedules, boundaries = schedules[first:], boundaries[first:]
    return schedules[0] if not boundaries else Join(schedules, boundaries)


# -- optax's functions, with optax's signatures --------------------------------------------------
def constant_schedule(value: float) -> Schedule:
    return Constant(value)


def polynomial_schedule(
    init_value: float, end_value: float, power: float, transition_steps: int, transition_begin: int = 0
) -> Schedule:
    transition_steps = _int("polynomial_schedule", "transition_steps", transition_steps)
    transition_begin = _int("polynomial_schedule", "transition_begin", transition_begin)
    if transition_steps <= 0:  # optax: a constant init_value
        return Constant(init_value)
    decay = PolynomialDecay(init_value, transition_steps, end_learning_rate=end_value, power=power)
    return _join([Constant(init_value), decay], [max(transition_begin, 0)], "polynomial_schedule")


def linear_schedule(
    init_value: float, end_value: float, transition_steps: int, transition_begin: int = 0
) -> Schedule:
    return polynomial_schedule(init_value, end_value, 1.0, transition_steps, transition_begin)


def piecewise_constant_schedule(
    init_value: float, boundaries_and_scales: Mapping[int, float] | None = None
) -> Schedule:
    items = _boundaries_and_scales("piecewise_constant_schedule", boundaries_and_scales)
    # the running products; a scale at a boundary <= 0 applies from step 0 on
    values = [_product([init_value, *(s for _, s in items[:i])]) for i in range(len(items) + 1)]
    first = sum(1 for b, _ in items if b <= 0)
    if first == len(items):
        return Constant(values[-1])
    # optax scales from the boundary on; a PiecewiseConstantDecay boundary keeps the value before it
    return PiecewiseConstantDecay([b - 1 for b, _ in items[first:]], values[first:])


def _boundaries_and_scales(function: str, mapping: Mapping[int, float] | None) -> list[tuple[int, float]]:
    if mapping is None:
        return []
    if not isinstance(mapping, Mapping):
        raise _fail(function, "boundaries_and_scales", "must be a dict {step: scale} or None", mapping)
    items = sorted((_int(function, "boundaries_and_scales", b), s) for b, s in mapping.items())
    for _, scale in items:
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale >= 0:
            raise _fail(function, "boundaries_and_scales", "must have scales >= 0", dict(mapping))
    return items


def exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    transition_steps = _int("exponential_decay", "transition_steps", transition_steps)
    transition_begin = _int("exponential_decay", "transition_begin", transition_begin)
    if transition_steps <= 0 or decay_rate == 0:  # optax: a constant init_value, no clip
        return Constant(init_value)
    decay = ExponentialDecay(init_value, transition_steps, decay_rate, staircase=staircase)
    spec = _join([Constant(init_value), decay], [max(transition_begin, 0)], "exponential_decay")
    if end_value is None:
        return spec
    # optax: a lower bound when decay_rate < 1, else an upper bound (at every step, begin included)
    return Clip(spec, minimum=end_value) if decay_rate < 1 else Clip(spec, maximum=end_value)


def cosine_decay_schedule(
    init_value: float, decay_steps: int, alpha: float = 0.0, exponent: float = 1.0
) -> Schedule:
    decay_steps = _int("cosine_decay_schedule", "decay_steps", decay_steps)
    if decay_steps <= 0:
        raise _fail("cosine_decay_schedule", "decay_steps", "must be > 0", decay_steps)
    if exponent != 1:
        return CosinePowerDecay(init_value, decay_steps, alpha=alpha, exponent=exponent)
    if alpha > 1:  # a rise from init_value to alpha * init_value: the cosine warm-up's ramp
        end = float(Fraction(init_value) * Fraction(alpha))
        return Warmup(Constant(end), decay_steps, start_value=init_value, shape="cosine")
    return CosineDecay(init_value, decay_steps, alpha=alpha)


def piecewise_interpolate_schedule(
    interpolate_type: str, init_value: float, boundaries_and_scales: Mapping[int, float] | None = None
) -> Schedule:
    function = "piecewise_interpolate_schedule"
    if interpolate_type not in ("linear", "cosine"):
        raise _fail(function, "interpolate_type", "must be 'linear' or 'cosine'", interpolate_type)
    items = _boundaries_and_scales(function, boundaries_and_scales)
    if items and items[0][0] < 0:
        raise _fail(
            function, "boundaries_and_scales", "must have boundaries >= 0", dict(boundaries_and_scales)
        )
    # the points (boundary, value): optax interpolates between the running products
    points = [(0, init_value)]
    for i, (boundary, _) in enumerate(items):
        points.append((boundary, _product([init_value, *(s for _, s in items[: i + 1])])))
    if len(points) > 1 and points[1][0] == 0:  # an empty first interval
        points.pop(0)
    pieces = [
        Warmup(Constant(end), b1 - b0, start_value=start, shape=interpolate_type)
        for (b0, start), (b1, end) in itertools.pairwise(points)
    ]
    return _join([*pieces, Constant(points[-1][1])], [b for b, _ in points[1:]], function)


def linear_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    transition_steps = _int("linear_onecycle_schedule", "transition_steps", transition_steps)
    if transition_steps <= 0:
        raise _fail("linear_onecycle_schedule", "transition_steps", "must be > 0", transition_steps)
    return piecewise_interpolate_schedule(
        "linear",
        peak_value / div_factor,
        {  # a dict literal, as optax's: a repeated boundary keeps its last scale
            int(pct_start * transition_steps): div_factor,
            int(pct_final * transition_steps): 1.0 / div_factor,
            transition_steps: 1.0 / final_div_factor,
        },
    )


def cosine_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    transition_steps = _int("cosine_onecycle_schedule", "transition_steps", transition_steps)
    if transition_steps <= 0:
        raise _fail("cosine_onecycle_schedule", "transition_steps", "must be > 0", transition_steps)
    return piecewise_interpolate_schedule(
        "cosine",
        peak_value / div_factor,
        {
            int(pct_start * transition_steps): div_factor,
            int(transition_steps): 1.0 / (div_factor * final_div_factor),
        },
    )


def warmup_constant_schedule(init_value: float, peak_value: float, warmup_steps: int) -> Schedule:
    return linear_schedule(init_value, peak_value, warmup_steps)


def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    function = "warmup_cosine_decay_schedule"
    warmup_steps = _int(function, "warmup_steps", warmup_steps)
    decay_steps = _int(function, "decay_steps", decay_steps)
    if decay_steps - warmup_steps <= 0:  # optax's cosine_decay_schedule raises
        raise _fail(function, "decay_steps", f"must be > warmup_steps = {warmup_steps}", decay_steps)
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value  # as optax computes it
    pieces = [
        linear_schedule(init_value, peak_value, warmup_steps),
        cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha=alpha, exponent=exponent),
    ]
    return _join(pieces, [warmup_steps], function)


def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    warmup_steps = _int("warmup_exponential_decay_schedule", "warmup_steps", warmup_steps)
    pieces = [
        linear_schedule(init_value, peak_value, warmup_steps),
        exponential_decay(peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value),
    ]
    return _join(pieces, [warmup_steps], "warmup_exponential_decay_schedule")


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]]) -> Schedule:
    schedules, boundaries, step = [], [], 0
    for kwargs in cosine_kwargs:
        schedules.append(optax_spec("warmup_cosine_decay_schedule", **kwargs))
        step += _int("sgdr_schedule", "decay_steps", kwargs["decay_steps"])
        boundaries.append(step)
    if not schedules:
        raise _fail("sgdr_schedule", "cosine_kwargs", "must hold at least one dict", cosine_kwargs)
    return _join(schedules, boundaries[:-1], "sgdr_schedule")


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """optax's ``join_schedules`` of lrsched specs (each piece already mapped)."""
    if not schedules:
        raise _fail("join_schedules", "schedules", "must hold at least one schedule", schedules)
    steps = [_int("join_schedules", "boundaries", b) for b in boundaries]
    return _join(list(schedules), steps, "join_schedules")


_FUNCTIONS: dict[str, Callable[..., Schedule]] = {
    f.__name__: f
    for f in (
        constant_schedule,
        polynomial_schedule,
        linear_schedule,
        piecewise_constant_schedule,
        exponential_decay,
        cosine_decay_schedule,
        piecewise_interpolate_schedule,
        linear_onecycle_schedule,
        cosine_onecycle_schedule,
        warmup_constant_schedule,
        warmup_cosine_decay_schedule,
        warmup_exponential_decay_schedule,
        sgdr_schedule,
        join_schedules,
    )
}
#: The optax functions :func:`optax_spec` maps: every closed-form schedule of ``optax.schedules``.
OPTAX_NAMES: tuple[str, ...] = tuple(_FUNCTIONS)


def optax_spec(name: str, /, **kwargs: Any) -> Schedule:
    """The lrsched spec of ``optax.<name>(**kwargs)``: the same value at every step >= 0.

    Args:
      name: an optax schedule function's name (:data:`OPTAX_NAMES`), e.g. ``"linear_schedule"``.
      **kwargs: its arguments, by optax's names, with optax's defaults. For ``join_schedules``,
        ``schedules`` holds lrsched specs (each mapped already).

    Returns:
      A registered schedule or a composition of them (the table in ``docs/catalogue.md``).

    Raises:
      UnknownScheduleError: ``name`` is not one of :data:`OPTAX_NAMES` (the closest is named).
      ConfigError: a missing or unknown argument, one optax refuses, or one lrsched's specs cannot
        hold; the message names the function and the argument.

    Example:
      >>> from lrsched._optax_names import optax_spec
      >>> spec = optax_spec("piecewise_constant_schedule", init_value=0.1, boundaries_and_scales={100: 0.5})
      >>> spec(99), spec(100)
      (0.1, 0.05)
      >>> spec
      PiecewiseConstantDecay(boundaries=(99,), values=(0.1, 0.05), name='PiecewiseConstant')
    """
    function = _FUNCTIONS.get(name)
    if function is None:
        raise UnknownScheduleError(unknown_name_message("optax schedule", name, OPTAX_NAMES))
    try:
        inspect.signature(function).bind(**kwargs)
    except TypeError as error:
        parameters = ", ".join(inspect.signature(function).parameters)
        raise ConfigError(f"optax.{name}: {error}; it takes {parameters}") from None
    try:
        return function(**kwargs)
    except ConfigError as error:
        if str(error).startswith("optax."):
            raise
        raise ConfigError(f"optax.{name}: {error}") from None
