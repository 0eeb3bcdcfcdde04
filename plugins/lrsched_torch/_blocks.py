"""How :class:`ScheduleLR` evaluates ``spec.value`` for ``scheduler.step()``: in float64 numpy, a
block of :data:`BLOCK` consecutive steps at a time.

One ``spec.value`` call on a block of int64 steps costs about what one call on a Python int does
(tens of numpy operations, whatever the block's length), so a step costs a list lookup, and the
block's call (50 to 200 us) once every :data:`BLOCK` steps. Blocks are aligned (block ``b``
holds steps ``b * BLOCK`` to ``(b + 1) * BLOCK - 1``), so the value at a step depends on the
step alone, never on the steps evaluated before: a resumed run sets the same lrs as an
uninterrupted one. The math is the numpy backend's float64 path, within 1e-12 relative of the
exact math at every int64 step (the conformance kit checks both).

Steps beyond int64 (Python ints from 2**63 on), and schedules whose ``value`` works on single
steps only (a Python ``if`` on the step), use :func:`lrsched_torch._scalar.scalar_value`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import lrsched
from lrsched_torch._scalar import scalar_value

__all__ = ["BLOCK", "block_value"]

#: Steps per block: a block's call is amortized to well under a microsecond a step, and a step
#: far from the current block (``lr_at``) costs one block's call.
BLOCK = 512
_KEPT = 4  # blocks kept besides the current one: an lr_at() elsewhere does not evict the current block
_INT64_TOP = 2**63


class _Blocks:
    """``step -> float``: ``spec.value`` on the aligned block holding ``step``, the last few blocks kept."""

    __slots__ = ("_blocks", "_scalar", "_spec", "_start", "_value", "_values")

    def __init__(self, spec: lrsched.Schedule) -> None:
        self._spec = spec
        self._value = spec.value
        self._scalar: Callable[[int], float] | None = None  # made on the first step beyond int64
        self._blocks: dict[int, list[float]] = {}
        self._start = 0
        self._values = self._block(0)

    def __call__(self, step: int) -> float:
        offset = step - self._start
        if 0 <= offset < BLOCK:
            return self._values[offset]
        if step >= _INT64_TOP:
            if self._scalar is None:
                self._scalar = scalar_value(self._spec)
            return self._scalar(step)
        start = step - step % BLOCK
        values = self._blocks.get(start)
        if values is None:
            values = self._block(start)
        self._start, self._values = start, values
        return values[step - start]

    def _block(self, start: int) -> list[float]:
        # BLOCK divides 2**63: the last block ends at int64's max
        steps = np.int64(start) + np.arange(BLOCK, dtype=np.int64)
        with np.errstate(all="ignore"):  # branch-free code computes lanes that where() discards
            out = self._value(steps, np)
        values = np.broadcast_to(np.asarray(out, dtype=np.float64), steps.shape).tolist()
        if len(self._blocks) > _KEPT:
            del self._blocks[next(iter(self._blocks))]  # the oldest
        self._blocks[start] = values
        return values


def block_value(spec: lrsched.Schedule) -> Callable[[int], float]:
    """``step -> float(spec.value(step, numpy))`` for an int ``step >= 0``, a block at a time.

    A schedule whose ``value`` fails on a block of steps (one written for single steps) is
    evaluated a step at a time instead; the choice is made once, here.

    Example:
      >>> import lrsched
      >>> f = block_value(lrsched.ExponentialDecay(0.1, 10, 0.5))
      >>> f(0), f(10), f(20), f(10**6)
      (0.1, 0.05, 0.025, 0.0)
    """
    try:
        return _Blocks(spec)
    except (TypeError, ValueError, AttributeError):
        return scalar_value(spec)
