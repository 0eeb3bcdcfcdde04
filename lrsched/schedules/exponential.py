"""Exponential decay: ``initial_learning_rate * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

from typing import Any

from lrsched.numerics import xp_floor_divide, xp_scaled_power
from lrsched.spec import Bool, Name, NonNegativeFloat, PositiveFloat, PositiveInt, Schedule

__all__ = ["ExponentialDecay"]


class ExponentialDecay(Schedule):
    """Exponential decay, with Keras's arguments, defaults and positional order.

    ``initial_learning_rate * decay_rate ** (step / decay_steps)``, where ``step /
    decay_steps`` is an integer division (a staircase) when ``staircase`` is true.

    Args:
      initial_learning_rate: the rate at step 0; finite, >= 0.
      decay_steps: steps per factor of ``decay_rate``; an integer in [1, 2**63 - 1].
      decay_rate: the factor per ``decay_steps``; finite, > 0 (> 1 grows).
      staircase: decay in whole stairs of ``decay_steps`` steps.
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.5, staircase=True)
      >>> spec(999), spec(1000), spec(10**30)
      (0.1, 0.05, 0.0)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    decay_rate: PositiveFloat
    staircase: Bool = False
    name: Name = "ExponentialDecay"

    def value(self, step: Any, xp: Any) -> Any:
        if self.staircase:
            num, den = xp_floor_divide(step, self.decay_steps, xp=xp), 1
        else:
            num, den = step, self.decay_steps
        return xp_scaled_power(self.initial_learning_rate, self.decay_rate, num, den, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        """The first stair boundaries (none without ``staircase``)."""
        return tuple(k * self.decay_steps for k in (1, 2, 3, 5)) if self.staircase else ()

    def horizon(self) -> int:
        return 10 * self.decay_steps
