"""Inverse time decay: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

from typing import Any

from lrsched.numerics import xp_floor_divide, xp_inverse_time
from lrsched.spec import Bool, Name, NonNegativeFloat, PositiveInt, Schedule

__all__ = ["InverseTimeDecay"]


class InverseTimeDecay(Schedule):
    """Inverse time decay, with Keras's arguments, defaults and positional order.

    ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``, where ``step /
    decay_steps`` is an integer division (a staircase) when ``staircase`` is true. Steps below 0
    (inside ``Offset``) count as 0: the formula has a pole there.

    Args:
      initial_learning_rate: the rate at step 0; finite, >= 0.
      decay_steps: steps per unit of ``decay_rate``; an integer in [1, 2**63 - 1].
      decay_rate: finite, >= 0.
      staircase: decay in whole stairs of ``decay_steps`` steps.
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.InverseTimeDecay(0.1, decay_steps=100, decay_rate=0.5)
      >>> spec(0), spec(200)
      (0.1, 0.05)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    decay_rate: NonNegativeFloat
    staircase: Bool = False
    name: Name = "InverseTimeDecay"

    def value(self, step: Any, xp: Any) -> Any:
        if isinstance(step, int):
            step = max(step, 0)
        elif xp.iinfo(step.dtype).min < 0:
            step = xp.where(step < 0, xp.zeros_like(step), step)
        if self.staircase:
            num, den = xp_floor_divide(step, self.decay_steps, xp=xp), 1
        else:
            num, den = step, self.decay_steps
        return xp_inverse_time(num, den, self.decay_rate, scale=self.initial_learning_rate, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        """The first stair boundaries (none without ``staircase``)."""
        return tuple(k * self.decay_steps for k in (1, 2, 3, 5)) if self.staircase else ()
