"""Piecewise constant: a value per interval between boundaries."""

from __future__ import annotations

import bisect
from typing import Any

from pydantic import model_validator

from lrsched.schedules.composition import _full, _reachable
from lrsched.spec import IncreasingSteps, Name, NonNegativeFloatTuple, Schedule

__all__ = ["PiecewiseConstantDecay"]


class PiecewiseConstantDecay(Schedule):
    """A constant value per interval, with Keras's arguments, defaults and positional order.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while ``boundaries[i - 1] < step
    <= boundaries[i]``, ``values[-1]`` after the last boundary: a boundary step still has the
    value before it (Keras's rule; optax's ``piecewise_constant_schedule`` changes *at* its
    boundaries).

    Args:
      boundaries: steps, strictly increasing, each in [0, 2**63 - 1].
      values: ``len(boundaries) + 1`` rates, each finite and >= 0.
      name: Keras's name for the schedule; kept in configs.

    Example:
      >>> import lrsched
      >>> spec = lrsched.PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001])
      >>> spec(100), spec(101), spec(10**9)
      (0.1, 0.01, 0.001)
    """

    unsigned_steps = True

    boundaries: IncreasingSteps
    values: NonNegativeFloatTuple
    name: Name = "PiecewiseConstant"

    @model_validator(mode="after")
    def _lengths_match(self) -> PiecewiseConstantDecay:
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError(
                f"Argument `values` must have len(boundaries) + 1 = {len(self.boundaries) + 1} "
                f"elements, one per interval. Received: values={list(self.values)} with "
                f"boundaries={list(self.boundaries)}"
            )
        return self

    def value(self, step: Any, xp: Any) -> Any:
        if isinstance(step, int):  # one step (exact or Python scalars)
            return _full(step, self.values[bisect.bisect_left(self.boundaries, step)], xp)
        out = _full(step, self.values[0], xp)
        for boundary, value in zip(self.boundaries, self.values[1:], strict=True):
            if not _reachable(step, boundary + 1, xp):
                break
            out = xp.where(step > boundary, xp.zeros_like(out) + value, out)
        return out

    @classmethod
    def _lrsched_strategy_(cls, default: Any) -> Any:
        """For :mod:`lrsched.testing.strategies`: matching numbers of boundaries and values."""
        from hypothesis import strategies as st

        from lrsched.testing.strategies import FLOAT_LIMIT

        rates = st.floats(0, FLOAT_LIMIT, allow_nan=False, allow_infinity=False)

        def build(boundaries: list[int]) -> Any:
            values = st.lists(rates, min_size=len(boundaries) + 1, max_size=len(boundaries) + 1)
            return values.map(lambda v: cls(sorted(boundaries), v))

        return st.lists(st.integers(0, 2**40), max_size=4, unique=True).flatmap(build)

    def breakpoints(self) -> tuple[int, ...]:
        """The first step of each interval after the first: ``boundary + 1``."""
        return tuple(b + 1 for b in self.boundaries)

    def horizon(self) -> int:
        last = self.boundaries[-1] if self.boundaries else 0
        return last + max(last // 4, 10)
