"""NoamDecay: the schedule of "Attention Is All You Need", written once against ``xp``."""

from __future__ import annotations

from typing import Any

from lrsched import Schedule
from lrsched.numerics import xp_scale
from lrsched.spec import PositiveFloat, PositiveInt
from lrsched.xp import xp_float_dtype


class NoamDecay(Schedule):
    """Linear warm-up, then inverse square-root decay.

    ``factor * d_model**-0.5 * min(n**-0.5, n * warmup_steps**-1.5)`` with ``n = step + 1``.

    Below ``n = 1`` (steps before -1: what ``Offset`` hands it before its offset, and traced code
    given a negative step) the warm-up line goes on, ``n * warmup_steps**-1.5``: ``n**-0.5`` has
    no real value there, and the warm-up term is the smaller one for every ``n <= warmup_steps``.

    Args:
      d_model: the model width.
      warmup_steps: steps of linear warm-up; the peak is at ``step = warmup_steps - 1``.
      factor: a scale.

    Example:
      >>> spec = NoamDecay(512, 4000)
      >>> round(spec(3999), 8)
      0.00069877
    """

    d_model: PositiveInt
    warmup_steps: PositiveInt
    factor: PositiveFloat = 1.0

    def value(self, step: Any, xp: Any) -> Any:
        n = xp.astype(step, xp_float_dtype(xp)) + 1  # in floats: step + 1 would wrap at the dtype's max
        scale = self.factor / self.d_model**0.5
        decay = 1.0 / xp.sqrt(xp.clip(n, 1.0, None))  # n < 1: the warm-up term wins the minimum anyway
        # xp_scale: a scale below float32's range (a factor of 1e-45) is not rounded to its
        # subnormals first, where the warm-up line past -1 (n < 0: |n| grows) would magnify it
        return xp_scale(xp.minimum(decay, n / self.warmup_steps**1.5), scale, xp=xp)
