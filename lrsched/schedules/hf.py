"""The shapes HF transformers' schedulers add: cosine waves of any number of cycles (continued
past their end, as HF's are), cosine decay with hard restarts, inverse square root decay, and the
``1-sqrt`` cooldown of its warmup-stable-decay schedule.

Each is the factor HF's ``lr_lambda`` computes, times the rate: HF multiplies the optimizer's
``lr`` by it. ``lrsched._hf_names.hf_spec`` maps every ``transformers.get_scheduler`` name onto
these and the composition schedules (docs/catalogue.md, "HF transformers").
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from typing import Annotated, Any

from pydantic import PlainValidator, ValidationInfo, WithJsonSchema

from lrsched.numerics import (
    xp_blend,
    xp_half_cosine_fraction,
    xp_inverse_time,
    xp_lerp,
    xp_periodic_progress,
    xp_progress,
    xp_rational_cycle,
    xp_sqrt_fall,
)
from lrsched.spec import Doc, NonNegativeFloat, NonNegativeInt, PositiveInt, Schedule, UnitFloat, _real

__all__ = ["CosineCycles", "CosineHardRestarts", "InverseSqrtDecay", "OneMinusSqrtDecay"]

#: The most cycles a ``CosineHardRestarts`` takes: its restarts are a table of exact steps.
MAX_RESTART_CYCLES = 2**12


def _restart_cycles(value: object, info: ValidationInfo) -> float:
    result = _real(value, info)
    if not 0 <= result <= MAX_RESTART_CYCLES:
        raise ValueError(
            f"Argument `{info.field_name}` must be in [0, 4096] (the restarts are a table of exact "
            f"steps). Received: {info.field_name}={value!r}"
        )
    return result


#: A number of hard-restart cycles: a float in [0, 4096].
RestartCycles = Annotated[
    float,
    PlainValidator(_restart_cycles),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_RESTART_CYCLES}),
    Doc("float, in [0, 4096]"),
]


def _ratio(x: Fraction) -> tuple[int, int]:
    return x.numerator, x.denominator


def _decimal(x: float) -> Fraction:
    """``x`` as the decimal it prints as (``1.2`` is 6/5, not the binary float 1.1999999999999999556):
    a number of cycles means what was written, so ``num_cycles=1.2`` over 6 steps restarts on
    step 5, as 6 / 1.2 says (and HF's float arithmetic gives); the binary value would put it on 6."""
    return Fraction(repr(x))


class CosineCycles(Schedule):
    """``num_cycles`` cosine waves over ``decay_steps`` steps, continued past them: HF
    transformers' ``cosine`` (with ``alpha``: ``cosine_with_min_lr``).

    ``initial_learning_rate * (alpha + (1 - alpha) * (1 + cos(2 pi num_cycles (step + lead) /
    decay_steps)) / 2)`` at every step. ``num_cycles=0.5`` (HF's default) is a half cosine from
    the rate down to ``alpha`` of it at ``decay_steps``, rising again after it, as HF's does (Keras's
    ``CosineDecay`` holds its floor instead). A period of ``decay_steps / num_cycles`` steps need
    not be whole: the phase is reduced exactly from the integer step
    (:func:`lrsched.numerics.xp_periodic_progress`), so the troughs keep their relative accuracy
    at every step. ``num_cycles`` is taken as the decimal it prints as (1.3 is 13/10). Before step
    0 (inside ``Offset``) the cosine is extended: it is even in ``step + lead``.

    Args:
      initial_learning_rate: the rate at the wave's crests; finite, >= 0.
      decay_steps: the steps ``num_cycles`` waves take (HF's ``num_training_steps -
        num_warmup_steps``); an integer in [1, 2**63 - 1].
      num_cycles: the number of full waves over ``decay_steps``; finite, >= 0 (0: constant).
      alpha: the fraction of the rate at the troughs (HF's ``min_lr_rate``); in [0, 1].
      lead: the wave runs this many steps ahead (HF's ``cosine_warmup_with_min_lr`` counts its
        progress from 1: ``lead=1``); an int >= 0.

    Example:
      >>> import lrsched
      >>> spec = lrsched.CosineCycles(0.1, 1000)
      >>> spec(0), spec(500), spec(1000), spec(1500)
      (0.1, 0.05, 0.0, 0.05)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    num_cycles: NonNegativeFloat = 0.5
    alpha: UnitFloat = 0.0
    lead: NonNegativeInt = 0

    @cached_property
    def _frequency(self) -> tuple[int, int]:
        """``2 * num_cycles / decay_steps`` as ``(num, den)``: half-turns per step."""
        return _ratio(_decimal(self.num_cycles) * 2 / self.decay_steps)

    def value(self, step: Any, xp: Any) -> Any:
        num, den = self._frequency
        done, left = xp_periodic_progress(step, -self.lead, num, den, lazy=True, xp=xp)
        shape = xp_half_cosine_fraction(done, left, xp=xp)
        return xp_blend(self.initial_learning_rate, self.alpha, shape, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        """The first troughs and crests, and ``decay_steps``."""
        num, den = self._frequency
        marks = {self.decay_steps}
        if num:
            marks.update(math.ceil(Fraction(k * den, num)) - self.lead for k in (1, 2, 3))
        return tuple(sorted(m for m in marks if 0 <= m < 2**63))

    def horizon(self) -> int:
        return self.decay_steps + max(self.decay_steps // 2, 10)


class CosineHardRestarts(Schedule):
    """Cosine decay restarting ``num_cycles`` times over ``decay_steps`` steps, 0 from then on: HF
    transformers' ``cosine_with_restarts``.

    ``initial_learning_rate * (1 + cos(pi * frac(num_cycles * step / decay_steps))) / 2`` for
    ``step < decay_steps``; 0 from ``decay_steps`` on. Each cycle lasts ``decay_steps /
    num_cycles`` steps, which need not be whole: the restarts fall on the exact integer steps
    ``ceil(i * decay_steps / num_cycles)`` (:func:`lrsched.numerics.xp_rational_cycle`), with
    ``num_cycles`` taken as the decimal it prints as: 1.2 cycles over 6 steps restart on step 5,
    as 6 / 1.2 says (its binary float, 1.2 - 4.4e-17, would restart on step 6). Steps below 0
    count as 0.

    Args:
      initial_learning_rate: the rate at each restart; finite, >= 0.
      decay_steps: HF's ``num_training_steps - num_warmup_steps``; an integer in [1, 2**63 - 1].
      num_cycles: the number of cycles over ``decay_steps``; in [0, 4096] (0: the rate until
        ``decay_steps``).

    Example:
      >>> import lrsched
      >>> spec = lrsched.CosineHardRestarts(0.1, 1000, num_cycles=2)
      >>> spec(0), spec(250), spec(500), spec(999) < 1e-6, spec(1000)
      (0.1, 0.05, 0.1, True, 0.0)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    num_cycles: RestartCycles = 1.0

    @cached_property
    def _frequency(self) -> tuple[int, int]:
        """``num_cycles / decay_steps`` as ``(num, den)``: cycles per step."""
        return _ratio(_decimal(self.num_cycles) / self.decay_steps)

    def value(self, step: Any, xp: Any) -> Any:
        num, den = self._frequency
        d = self.decay_steps
        done, left = xp_rational_cycle(step, num, den, d, xp=xp)
        value = xp_blend(self.initial_learning_rate, 0.0, xp_half_cosine_fraction(done, left, xp=xp), xp=xp)
        if isinstance(step, int):
            return value * 0 if step >= d else value
        if d > xp.iinfo(step.dtype).max:
            return value
        return xp.where(step >= d, xp.zeros_like(value), value)

    def breakpoints(self) -> tuple[int, ...]:
        """The first restarts, and ``decay_steps``."""
        num, den = self._frequency
        marks = {self.decay_steps}
        if num:
            marks.update(math.ceil(Fraction(k * den, num)) for k in (1, 2, 3))
        return tuple(sorted(m for m in marks if m <= self.decay_steps))

    def horizon(self) -> int:
        return self.decay_steps + max(self.decay_steps // 10, 10)


class InverseSqrtDecay(Schedule):
    """Inverse square root decay: ``initial_learning_rate / sqrt(1 + step / timescale)``, HF
    transformers' ``inverse_sqrt`` after its warm-up.

    ``sqrt`` of :func:`lrsched.numerics.xp_inverse_time`, so the value keeps that block's relative
    accuracy at every step (float32 within 2 ulps). Steps below 0 (inside ``Offset``) count as 0:
    the formula has a pole at ``-timescale``.

    Args:
      initial_learning_rate: the rate at step 0; finite, >= 0.
      timescale: the steps over which the rate falls to ``1 / sqrt(2)`` of itself (HF's
        ``timescale``, by default its ``num_warmup_steps``, or 10000 without a warm-up); an
        integer in [1, 2**63 - 1].

    Example:
      >>> import lrsched
      >>> spec = lrsched.InverseSqrtDecay(0.1, timescale=100)
      >>> spec(0), spec(300), spec(9900)
      (0.1, 0.05, 0.01)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    timescale: PositiveInt = 10_000

    def value(self, step: Any, xp: Any) -> Any:
        if isinstance(step, int):
            step = max(step, 0)
        elif xp.iinfo(step.dtype).min < 0:
            step = xp.where(step < 0, xp.zeros_like(step), step)
        return xp.sqrt(xp_inverse_time(step, self.timescale, 1.0, xp=xp)) * self.initial_learning_rate

    def horizon(self) -> int:
        return 10 * self.timescale


class OneMinusSqrtDecay(Schedule):
    """The ``1-sqrt`` cooldown: ``end + (initial - end) * (1 - sqrt(p))`` for ``p =
    min(step, decay_steps) / decay_steps``, HF transformers' ``warmup_stable_decay`` with
    ``decay_type="1-sqrt"``; ``end_learning_rate`` from ``decay_steps`` on.

    ``1 - sqrt(p)`` is computed as ``(1 - p) / (1 + sqrt(p))`` with ``1 - p`` from the exact
    integer remainder, so the end of the cooldown keeps its relative accuracy. Steps below 0
    count as 0. (The ``1-sqrt`` warm-up, ``1 - sqrt(1 - p)``, is ``PolynomialDecay`` with
    ``power=0.5`` rising to a larger end.)

    Args:
      initial_learning_rate: the rate at step 0; finite, >= 0.
      decay_steps: the cooldown's length; an integer in [1, 2**63 - 1].
      end_learning_rate: the rate at its end; finite, >= 0.

    Example:
      >>> import lrsched
      >>> spec = lrsched.OneMinusSqrtDecay(0.1, 100)
      >>> spec(0), spec(25), spec(100), spec(10**9)
      (0.1, 0.05, 0.0, 0.0)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    end_learning_rate: NonNegativeFloat = 0.0

    def value(self, step: Any, xp: Any) -> Any:
        d = self.decay_steps
        fraction = xp_sqrt_fall(step, 0, d, xp=xp)  # 1 - sqrt(p): a new array, the lerp's to compute in

        def root() -> Any:  # its complement, sqrt(p), computed only if the lerp needs it
            return xp.sqrt(xp_progress(step, 0, d, xp=xp))

        end, start = self.end_learning_rate, self.initial_learning_rate
        return xp_lerp(end, start, fraction, q=root, overwrite_p=True, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        return (self.decay_steps,)

    def horizon(self) -> int:
        return 2 * self.decay_steps
