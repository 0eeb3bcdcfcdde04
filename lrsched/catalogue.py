"""The built-in schedules. They register through the ``lrsched`` entry points like any plugin."""

from __future__ import annotations

from typing import Any

from lrsched.hookspecs import hookimpl
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

    def preview_steps(self, horizon: int | None = None) -> list[int]:
        """Step 0, the steps either side of the first stair boundaries, and the horizon."""
        period = self.decay_steps
        horizon = 10 * period if horizon is None else horizon
        steps = {0, 1, period // 2, horizon}
        for k in (1, 2, 3, 5):
            steps.update((k * period - 1, k * period))
        return sorted(s for s in steps if 0 <= s <= horizon)


@hookimpl
def lrsched_register_schedules(register: Any) -> None:
    register(ExponentialDecay)
