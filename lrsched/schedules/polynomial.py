"""Polynomial decay: ``(initial - end) * (1 - step / decay_steps) ** power + end``."""

from __future__ import annotations

from typing import Any

from lrsched.numerics import xp_lerp, xp_polynomial, xp_polynomial_fall
from lrsched.spec import Bool, Name, NonNegativeFloat, PositiveInt, PowerFloat, Schedule

__all__ = ["PolynomialDecay"]


class PolynomialDecay(Schedule):
    """Polynomial decay, with Keras's arguments, defaults and positional order.

    ``(initial_learning_rate - end_learning_rate) * (1 - p) ** power + end_learning_rate`` with
    ``p = min(step, decay_steps) / decay_steps``: ``end_learning_rate`` from ``decay_steps`` on.
    With ``cycle``, ``p = step / (decay_steps * c)`` for ``c = max(1, ceil(step / decay_steps))``
    (Keras's cycle: the end value at every multiple of ``decay_steps``, then a new, longer decay
    from a lower value). An ``end_learning_rate`` above the initial one makes it a rise.

    Before step 0 (inside ``Offset``, as TF Model Garden's ``PolynomialDecayWithOffset``) a decay
    is extended as Keras computes it, ``(1 + |step| / decay_steps) ** power``; a rise is not
    extended below its start (Keras's is, through 0 to negative rates, where float32 cannot hold
    the difference of two near terms): ``initial_learning_rate`` there, as with ``cycle``.

    Args:
      initial_learning_rate: the rate at step 0; finite, >= 0.
      decay_steps: the decay's length; an integer in [1, 2**63 - 1].
      end_learning_rate: the rate at its end; finite, >= 0.
      power: the polynomial's power; in [0, 128] (1: linear).
      cycle: restart the decay at each multiple of ``decay_steps``, as Keras does.
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.PolynomialDecay(0.1, 1000, end_learning_rate=0.0, power=2.0)
      >>> spec(0), spec(500), spec(1000), spec(10**30)
      (0.1, 0.025, 0.0, 0.0)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    decay_steps: PositiveInt
    end_learning_rate: NonNegativeFloat = 0.0001
    power: PowerFloat = 1.0
    cycle: Bool = False
    name: Name = "PolynomialDecay"

    def value(self, step: Any, xp: Any) -> Any:
        start, end = self.initial_learning_rate, self.end_learning_rate
        if end <= start:
            return xp_polynomial_fall(start, end, step, self.decay_steps, self.power, cycle=self.cycle, xp=xp)
        # a rise: its fraction, accurate near 0, where the value is start
        fraction = xp_polynomial(step, 0, self.decay_steps, self.power, rising=True, cycle=self.cycle, xp=xp)
        return xp_lerp(start, end, fraction, overwrite_p=True, xp=xp)  # fraction: a new array

    def breakpoints(self) -> tuple[int, ...]:
        """The decay's end (with ``cycle``, its first few ends)."""
        d = self.decay_steps
        return (d, 2 * d, 3 * d, 6 * d) if self.cycle else (d,)

    def horizon(self) -> int:
        return (7 if self.cycle else 2) * self.decay_steps
