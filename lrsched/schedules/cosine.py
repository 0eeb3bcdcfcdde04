"""Cosine decay, with or without warm-up, and cosine decay with warm restarts (SGDR)."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from typing import Any

from pydantic import model_validator

from lrsched.numerics import (
    _cycles,
    xp_blend,
    xp_cosine_step,
    xp_geometric_cycle,
    xp_half_cosine,
    xp_half_cosine_fraction,
)
from lrsched.schedules.composition import Warmup
from lrsched.spec import (
    Name,
    NonNegativeFloat,
    NonNegativeInt,
    OptionalFloat,
    PositiveFloat,
    PositiveInt,
    PowerFloat,
    Schedule,
    UnitFloat,
)

__all__ = ["CosineDecay", "CosineDecayRestarts", "CosinePowerDecay"]


class CosineDecay(Schedule):
    """Cosine decay, with Keras's arguments, defaults and positional order (``name`` third).

    Without ``warmup_target``: ``initial_learning_rate * (alpha + (1 - alpha) * (1 + cos(pi *
    p)) / 2)`` with ``p = min(step, decay_steps) / decay_steps``. With it, Keras's warm-up: a
    line from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps`` steps, then
    the cosine decay from ``warmup_target``, its steps counted from ``warmup_steps`` (this is
    :class:`lrsched.Warmup` around a cosine decay).

    Before step 0 (inside ``Offset``, as TF Model Garden's ``CosineDecayWithOffset``) the cosine
    is extended as Keras computes it: periodic, ``cos(pi * |step| / decay_steps)``; a warm-up's
    line is not extended below its start (Keras's is, down to negative rates).

    Args:
      initial_learning_rate: the rate at step 0; finite, >= 0.
      decay_steps: the decay's length; an integer in [1, 2**63 - 1].
      alpha: the fraction of the decay's start left at its end; in [0, 1].
      name: Keras's name for the schedule; kept in configs.
      warmup_target: the rate the warm-up reaches (None: no warm-up); finite, >= 0.
      warmup_steps: the warm-up's length; an int >= 0, > 0 only with ``warmup_target``.

    Example:
      >>> import lrsched
      >>> spec = lrsched.CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=100)
      >>> spec(0), spec(50), spec(100), spec(600), spec(1100)
      (0.0, 0.05, 0.1, 0.05, 0.0)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    alpha: UnitFloat = 0.0
    name: Name = "CosineDecay"
    warmup_target: OptionalFloat = None
    warmup_steps: NonNegativeInt = 0

    @model_validator(mode="after")
    def _warmup_needs_a_target(self) -> CosineDecay:
        if self.warmup_target is not None and self.warmup_target < 0:
            raise ValueError(
                f"Argument `warmup_target` must be >= 0. Received: warmup_target={self.warmup_target!r}"
            )
        if self.warmup_steps and self.warmup_target is None:
            raise ValueError(
                "Argument `warmup_steps` needs `warmup_target` (the rate the warm-up reaches; Keras "
                f"ignores the warm-up without it). Received: warmup_steps={self.warmup_steps}, "
                "warmup_target=None"
            )
        return self

    @cached_property
    def _warmup(self) -> Warmup:
        """Keras's warm-up as the composition it is (built once per spec)."""
        decay = CosineDecay(self.warmup_target, self.decay_steps, self.alpha)
        return Warmup(decay, self.warmup_steps, start_value=self.initial_learning_rate)

    def value(self, step: Any, xp: Any) -> Any:
        if self.warmup_target is not None:
            return self._warmup.value(step, xp)
        step = xp_cosine_step(step, self.decay_steps, xp=xp)
        return xp_blend(
            self.initial_learning_rate, self.alpha, xp_half_cosine(step, 0, self.decay_steps, xp=xp), xp=xp
        )

    def breakpoints(self) -> tuple[int, ...]:
        """The decay's end (and the warm-up's)."""
        if self.warmup_target is None:
            return (self.decay_steps,)
        return tuple(sorted({self.warmup_steps, self.warmup_steps + self.decay_steps}))

    def horizon(self) -> int:
        return self.warmup_steps + self.decay_steps + max(self.decay_steps // 2, 10)


class CosineDecayRestarts(Schedule):
    """Cosine decay with warm restarts (SGDR), with Keras's arguments, defaults and positional order.

    ``initial_learning_rate * (alpha + (1 - alpha) * m_mul**i * (1 + cos(pi * f)) / 2)`` where
    cycle ``i`` lasts ``first_decay_steps * t_mul**i`` steps and ``f`` is the fraction of it done.
    The restarts fall on the exact integer steps (Keras finds them with a float logarithm, a step
    off at some restarts and far off past 2**24 in float32). For ``t_mul < 1`` the cycles
    shrink towards step ``first_decay_steps / (1 - t_mul)``; from there on the value is
    ``alpha * initial_learning_rate`` (Keras: nan). Steps below 0 count as 0. With ``m_mul > 1``
    a cycle whose start is beyond the float dtype's range is inf throughout, as in Keras.

    Args:
      initial_learning_rate: the rate at step 0; finite, >= 0.
      first_decay_steps: the first cycle's length; an integer in [1, 2**63 - 1].
      t_mul: the factor on each next cycle's length; finite, > 0.
      m_mul: the factor on each next cycle's initial rate; finite, > 0.
      alpha: the fraction of the initial rate left at the end of each cycle; in [0, 1].
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.CosineDecayRestarts(0.1, 100, t_mul=2.0, m_mul=0.5)
      >>> spec(0), spec(50), spec(100), spec(300)
      (0.1, 0.05, 0.05, 0.025)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    first_decay_steps: PositiveInt
    t_mul: PositiveFloat = 2.0
    m_mul: PositiveFloat = 1.0
    alpha: UnitFloat = 0.0
    name: Name = "SGDRDecay"

    @model_validator(mode="after")
    def _few_enough_restarts(self) -> CosineDecayRestarts:
        if self.t_mul != 1.0:
            try:
                _cycles(self.first_decay_steps, float(self.t_mul), 2**63 - 1)
            except ValueError:
                raise ValueError(
                    f"Argument `t_mul` is too close to 1 for first_decay_steps={self.first_decay_steps}: "
                    f"more than 2**17 restarts before step 2**63 - 1. Received: t_mul={self.t_mul!r}"
                ) from None
        return self

    def value(self, step: Any, xp: Any) -> Any:
        i, done, left = xp_geometric_cycle(step, self.first_decay_steps, self.t_mul, xp=xp)
        shape = xp_half_cosine_fraction(done, left, xp=xp)
        return xp_blend(self.initial_learning_rate, self.alpha, shape, base=self.m_mul, n=i, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        """The first few restarts: ``ceil(first * (t_mul**i - 1) / (t_mul - 1))``."""
        first, t = self.first_decay_steps, Fraction(self.t_mul)
        starts = []
        for i in range(1, 5):
            start = first * i if t == 1 else first * (t**i - 1) / (t - 1)
            if t < 1 and start >= first / (1 - t):
                break
            starts.append(math.ceil(start))
        return tuple(sorted(set(starts)))

    def horizon(self) -> int:
        return max(self.breakpoints(), default=self.first_decay_steps) + self.first_decay_steps


# -- optax's shapes ------------------------------------------------------------------------------
class CosinePowerDecay(Schedule):
    """A cosine decay raised to a power, with optax's ``cosine_decay_schedule`` arguments and defaults.

    ``init_value * (alpha + (1 - alpha) * ((1 + cos(pi * p)) / 2) ** exponent)`` with ``p =
    min(step, decay_steps) / decay_steps``: ``alpha * init_value`` from ``decay_steps`` on. With
    ``exponent=1`` this is :class:`CosineDecay` (Keras's signature has no exponent, so the shape
    with one is its own class). Before step 0 (inside ``Offset``) the cosine is extended, periodic,
    as optax computes it.

    Args:
      init_value: the rate at step 0; finite, >= 0.
      decay_steps: the decay's length; an integer in [1, 2**63 - 1].
      alpha: the fraction of ``init_value`` left at the end; in [0, 1].
      exponent: the power on the half cosine; in [0, 128].

    Example:
      >>> import lrsched
      >>> spec = lrsched.CosinePowerDecay(0.1, 1000, exponent=2.0)
      >>> spec(0), spec(500), spec(1000), spec(10**9)
      (0.1, 0.025, 0.0, 0.0)
    """

    unsigned_steps = True

    init_value: NonNegativeFloat
    decay_steps: PositiveInt
    alpha: UnitFloat = 0.0
    exponent: PowerFloat = 1.0

    def value(self, step: Any, xp: Any) -> Any:
        step = xp_cosine_step(step, self.decay_steps, xp=xp)
        shape = xp_half_cosine(step, 0, self.decay_steps, exponent=self.exponent, xp=xp)
        return xp_blend(self.init_value, self.alpha, shape, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        """The decay's end."""
        return (self.decay_steps,)

    def horizon(self) -> int:
        return self.decay_steps + max(self.decay_steps // 2, 10)
