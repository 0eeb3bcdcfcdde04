"""Composition: schedules built from schedules, each one native object in every backend.

``Constant``, ``Join``, ``Warmup``, ``Offset``, ``Scale`` and ``Clip`` hold their inner schedules
as fields (serialized by registered name, nested), and their ``value`` calls the inner
schedules' ``value`` on the same namespace: a composition renders as one Keras
``LearningRateSchedule``, one torch ``LRScheduler``, one optax schedule, one numpy function.

What each hands its inner schedules (the conventions table of ``docs/composition.md``):

* ``Join``: schedule ``i`` sees ``step - boundaries[i - 1]`` (optax's ``join_schedules``).
* ``Warmup``: with ``shift=True`` the wrapped schedule sees ``step - warmup_steps`` (optax, HF,
  Keras's ``CosineDecay`` warm-up); with ``shift=False`` the raw step (TF Model Garden's
  ``LinearWarmup``). The ramp ends at the wrapped schedule's value where it takes over.
* ``Offset``: the wrapped schedule sees ``step - offset``, negative before the offset (TF Model
  Garden's ``*WithOffset`` classes).
* ``Scale``, ``Clip``: the step unchanged.

Branch-free, ``Join`` and ``Warmup`` compute every piece at every step and keep one with
``where``; the lanes a piece's value is discarded in hand it step 0, never a negative step the
combinator made up (``step - boundary`` before the boundary), so a schedule need not be defined
where it is never used.
"""

from __future__ import annotations

import bisect
import functools
import math
import warnings
from typing import Any

from pydantic import model_validator

from lrsched.numerics import (
    xp_half_cosine,
    xp_lerp,
    xp_product,
    xp_progress,
    xp_progress_power,
    xp_ratio_power,
    xp_remaining,
    xp_rounds_to_inf,
    xp_scale,
)
from lrsched.spec import (
    Bool,
    IncreasingSteps,
    NonNegativeFloat,
    NonNegativeInt,
    OptionalFloat,
    PowerFloat,
    Schedule,
    ScheduleField,
    ScheduleTuple,
    _choice,
)
from lrsched.xp import is_exact, xp_float_dtype

__all__ = ["Clip", "Constant", "Join", "Offset", "Product", "Scale", "Warmup"]


def _full(step: Any, value: float, xp: Any) -> Any:
    """``value`` in ``xp``'s float dtype, shaped like ``step``."""
    full_like = getattr(xp, "full_like", None)  # one pass where the namespace has it
    if full_like is not None and not isinstance(step, int):
        return full_like(step, value, dtype=xp_float_dtype(xp))
    return xp.zeros_like(step, dtype=xp_float_dtype(xp)) + value


def _wide(step: Any, xp: Any) -> Any:
    """``step`` as int64 where it is narrower (int32 where the namespace has no int64 arrays:
    JAX without ``jax_enable_x64``); uint64 stays as it is."""
    if isinstance(step, int) or xp.iinfo(step.dtype).bits >= 64:
        return step
    with warnings.catch_warnings():  # JAX warns that int64 is int32 without x64: that is fine
        warnings.simplefilter("ignore")
        return xp.astype(step, xp.int64)


def _shift(step: Any, offset: int, xp: Any) -> Any:
    """``step - offset`` in ``step``'s (signed) dtype; an offset beyond the dtype's range is
    clamped to it (such steps are before the offset by more than the dtype can count)."""
    if isinstance(step, int) or offset == 0:
        return step - offset
    info = xp.iinfo(step.dtype)
    return xp.clip(step, info.min + min(offset, info.max), None) - min(offset, info.max)


def _since(step: Any, start: int, xp: Any) -> Any:
    """``step - start`` from ``start`` on, and 0 before it: what a ``where`` keeps from ``start`` on
    sees the shifted step, and the lanes it discards see step 0, not a negative step the
    combinator invented (a schedule need not be defined there, and numpy warns on what it
    computes in them). ``start`` must be reachable in ``step``'s dtype (:func:`_reachable`)."""
    shifted = xp.clip(step, start, None)
    shifted -= start  # in place: clip made a new array
    return shifted


def _reachable(step: Any, boundary: int, xp: Any) -> bool:
    """Whether a step of ``step``'s dtype can reach ``boundary``."""
    return isinstance(step, int) or boundary <= xp.iinfo(step.dtype).max


class Constant(Schedule):
    """A constant learning rate: ``learning_rate`` at every step.

    optax's ``constant_schedule``, HF's ``"constant"``. (The field is not called ``value``:
    that is the method.)

    Args:
      learning_rate: the rate; finite, >= 0.

    Example:
      >>> import lrsched
      >>> lrsched.Constant(0.01)(10**6)
      0.01
    """

    unsigned_steps = True

    learning_rate: NonNegativeFloat

    def value(self, step: Any, xp: Any) -> Any:
        return _full(step, self.learning_rate, xp)


class Join(Schedule):
    """Schedules one after another: ``schedules[i]`` runs from ``boundaries[i - 1]`` on and sees
    ``step - boundaries[i - 1]``, as optax's ``join_schedules``.

    Args:
      schedules: at least one schedule.
      boundaries: ``len(schedules) - 1`` steps, strictly increasing, each in [0, 2**63 - 1].

    Example:
      >>> import lrsched
      >>> spec = lrsched.Join([lrsched.Constant(0.1), lrsched.Constant(0.01)], boundaries=[100])
      >>> spec(99), spec(100)
      (0.1, 0.01)
    """

    unsigned_steps = True

    schedules: ScheduleTuple
    boundaries: IncreasingSteps

    @model_validator(mode="after")
    def _lengths_match(self) -> Join:
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                f"Argument `boundaries` must have len(schedules) - 1 = {len(self.schedules) - 1} "
                f"elements, one between each pair of schedules. Received: boundaries="
                f"{list(self.boundaries)} with {len(self.schedules)} schedules"
            )
        return self

    def value(self, step: Any, xp: Any) -> Any:
        if isinstance(step, int):  # one step (exact or Python scalars): only its piece runs
            i = bisect.bisect_right(self.boundaries, step)
            return self.schedules[i].value(step - (self.boundaries[i - 1] if i else 0), xp)
        out = self.schedules[0].value(step, xp)
        for boundary, schedule in zip(self.boundaries, self.schedules[1:], strict=True):
            if not _reachable(step, boundary, xp):
                break
            out = xp.where(step < boundary, out, schedule.value(_since(step, boundary, xp), xp))
        return out

    @classmethod
    def _lrsched_strategy_(cls, default: Any) -> Any:
        """For :mod:`lrsched.testing.strategies`: one to three pieces and a matching number of
        boundaries (random lists of each would rarely match)."""
        from hypothesis import strategies as st

        from lrsched.testing.strategies import specs

        def joined(pieces: list[Schedule]) -> Any:
            steps = st.lists(
                st.integers(0, 2**40), min_size=len(pieces) - 1, max_size=len(pieces) - 1, unique=True
            )
            return steps.map(lambda b: cls(pieces, sorted(b)))

        return st.lists(specs(max_depth=0), min_size=1, max_size=3).flatmap(joined)

    def breakpoints(self) -> tuple[int, ...]:
        """The joins, and each piece's own breakpoints moved to where it runs."""
        steps = set(self.boundaries)
        for start, schedule in zip((0, *self.boundaries), self.schedules, strict=True):
            steps.update(start + b for b in schedule.breakpoints())
        return tuple(sorted(steps))

    def horizon(self) -> int:
        return (self.boundaries[-1] if self.boundaries else 0) + self.schedules[-1].horizon()


class Warmup(Schedule):
    """A warm-up ramp from ``start_value`` to ``schedule``'s value where the ramp ends.

    For ``step < warmup_steps`` the ramp, with ``p = step / warmup_steps`` and ``target`` the
    wrapped schedule's value at the step where it takes over:

    * ``"linear"``: ``start + (target - start) * p``;
    * ``"cosine"``: ``start + (target - start) * (1 - cos(pi * p)) / 2``;
    * ``"exponential"``: ``start * (target / start) ** p`` (needs ``start_value > 0``; a
      ``target`` of 0 gives 0 after step 0, one below 0 NaN, as ``ratio ** p`` does);
    * ``"polynomial"``: ``start + (target - start) * p ** power`` (TF Model Garden's
      ``PolynomialWarmUp``).

    From ``warmup_steps`` on, the wrapped schedule: with ``shift=True`` it sees
    ``step - warmup_steps`` (so ``target`` is its value at 0: optax, HF, Keras's ``CosineDecay``
    warm-up); with ``shift=False`` the raw step (``target`` is its value at ``warmup_steps``: TF
    Model Garden's ``LinearWarmup``). Negative steps give ``start_value``.

    Args:
      schedule: the schedule after the warm-up.
      warmup_steps: the ramp's length; an int >= 0 (0: no ramp).
      start_value: the value at step 0; finite, >= 0.
      shape: ``"linear"``, ``"cosine"``, ``"exponential"`` or ``"polynomial"``.
      shift: whether the wrapped schedule's steps start at the end of the ramp.
      power: the polynomial ramp's power, in [0, 128]; only with ``shape="polynomial"``.

    Example:
      >>> import lrsched
      >>> spec = lrsched.Warmup(lrsched.ExponentialDecay(0.1, 1000, 0.5), warmup_steps=100)
      >>> spec(0), spec(50), spec(100), spec(1100)
      (0.0, 0.05, 0.1, 0.05)
    """

    unsigned_steps = True

    schedule: ScheduleField
    warmup_steps: NonNegativeInt
    start_value: NonNegativeFloat = 0.0
    shape: _choice("linear", "cosine", "exponential", "polynomial") = "linear"  # type: ignore[valid-type]
    shift: Bool = True
    power: PowerFloat = 1.0

    @model_validator(mode="after")
    def _exponential_needs_a_start(self) -> Warmup:
        if self.shape == "exponential" and self.start_value <= 0:
            raise ValueError(
                "Argument `start_value` must be > 0 for shape='exponential' (a geometric ramp "
                f"starts from a positive value). Received: start_value={self.start_value!r}"
            )
        if self.power != 1.0 and self.shape != "polynomial":
            raise ValueError(
                f"Argument `power` shapes a polynomial ramp only: it must be 1.0 for shape={self.shape!r}. "
                f"Received: power={self.power!r}"
            )
        return self

    def _ramp(self, step: Any, target: Any, xp: Any) -> Any:
        w, start = self.warmup_steps, self.start_value
        if (
            isinstance(target, float)
            and not is_exact(xp)
            and (math.isinf(target) or (self.shape == "polynomial" and xp_rounds_to_inf(target, xp=xp)))
        ):
            # any part of an infinite target is infinite: not the ramp's fraction, which may
            # underflow to 0 (p ** 64 near the start). A polynomial ramp takes a target beyond
            # the dtype as the dtype holds it, inf (a linear or cosine ramp's p >= 2**-63 does not
            # underflow: it computes the values below inf)
            inf = math.copysign(math.inf, target)
            return xp.where(step > 0, _full(step, inf, xp), _full(step, start, xp))
        if self.shape == "linear":
            p, q = xp_progress(step, 0, w, xp=xp), functools.partial(xp_remaining, step, 0, w, xp=xp)
            # q: computed only if the lerp needs it; p, the lerp's to compute in
            return xp_lerp(start, target, p, q=q, overwrite_p=True, xp=xp)
        if self.shape == "cosine":
            p = xp_half_cosine(step, 0, w, rising=True, xp=xp)
            q = functools.partial(xp_half_cosine, step, 0, w, xp=xp)
            return xp_lerp(start, target, p, q=q, overwrite_p=True, xp=xp)
        if self.shape == "polynomial":
            p = xp_progress_power(step, 0, w, self.power, xp=xp)
            q = functools.partial(xp_progress_power, step, 0, w, self.power, complement=True, xp=xp)
            return xp_lerp(start, target, p, q=q, overwrite_p=True, xp=xp)
        if is_exact(xp):
            return start * (target / start) ** (xp.clip(step, 0, w) / w)
        if not 0 < target < math.inf:  # ratio ** p for p > 0: 0 to 0, inf to inf, nan across 0 (or to nan)
            after = target / start if target in (0, math.inf) else math.nan
            return xp.where(step > 0, _full(step, start * after, xp), _full(step, start, xp))
        # no bound beyond the steps' dtype: JAX's clip wraps 128 to int8's -128
        top = w if isinstance(step, int) else min(w, xp.iinfo(step.dtype).max)
        return xp_ratio_power(start, target, xp.clip(step, 0, top), w, xp=xp)

    def value(self, step: Any, xp: Any) -> Any:
        w = self.warmup_steps
        if w == 0:
            return self.schedule.value(step, xp)
        inner = self.schedule
        if isinstance(step, int):  # one step (exact or Python scalars): only its branch runs
            if step >= w:
                return inner.value(step - w if self.shift else step, xp)
            at = 0 if self.shift else w
            target = inner.value(xp.asarray(at), xp) if is_exact(xp) else _target(self)
            return self._ramp(step, target, xp)
        if not _reachable(step, w, xp):
            return self._ramp(step, _target(self), xp)
        after = inner.value(_since(step, w, xp) if self.shift else xp.clip(step, w, None), xp)
        return xp.where(step < w, self._ramp(step, _target(self), xp), after)

    def breakpoints(self) -> tuple[int, ...]:
        """The ramp's end, and the wrapped schedule's breakpoints after it."""
        moved = [b + self.warmup_steps if self.shift else b for b in self.schedule.breakpoints()]
        return tuple(sorted({self.warmup_steps, *(b for b in moved if b >= self.warmup_steps)}))

    def horizon(self) -> int:
        inner = self.schedule.horizon()
        return self.warmup_steps + inner if self.shift else max(self.warmup_steps, inner)


_TARGETS: dict[int, tuple[Warmup, float]] = {}


def _target(warmup: Warmup) -> float:
    """Where a warm-up's ramp ends: the wrapped schedule's value there, correctly rounded (a
    constant of the spec, computed once; found by identity, which costs nothing per step, where
    hashing the spec would hash every nested schedule)."""
    entry = _TARGETS.get(id(warmup))
    if entry is None or entry[0] is not warmup:
        if len(_TARGETS) >= 1024:
            _TARGETS.clear()
        entry = _TARGETS[id(warmup)] = (warmup, warmup.schedule(0 if warmup.shift else warmup.warmup_steps))
    return entry[1]


class Offset(Schedule):
    """``schedule(step - offset)``: the wrapped schedule starts ``offset`` steps late.

    Before the offset the wrapped schedule sees negative steps and its formula extended there,
    exactly as TF Model Garden's ``*WithOffset`` classes compute it (no clamp). With integer
    steps of a narrow dtype, an offset beyond its range clamps to it.

    Args:
      schedule: the schedule to delay.
      offset: an int >= 0.

    Example:
      >>> import lrsched
      >>> spec = lrsched.Offset(lrsched.ExponentialDecay(0.1, 10, 0.5, staircase=True), offset=100)
      >>> spec(100), spec(110), spec(90)
      (0.1, 0.05, 0.2)
    """

    unsigned_steps = True

    schedule: ScheduleField
    offset: NonNegativeInt

    def value(self, step: Any, xp: Any) -> Any:
        inner, offset = self.schedule, self.offset
        step = _wide(step, xp)
        if not isinstance(step, int) and xp.isdtype(step.dtype, "unsigned integer"):  # uint64
            before = -xp.astype(offset - xp.minimum(step, offset), xp.int64)  # in [-offset, 0]
            after = inner.value(_shift(step, offset, xp), xp)
            return xp.where(step >= offset, after, inner.value(before, xp))
        return inner.value(_shift(step, offset, xp), xp)

    def breakpoints(self) -> tuple[int, ...]:
        return tuple(sorted({self.offset, *(b + self.offset for b in self.schedule.breakpoints())}))

    def horizon(self) -> int:
        return self.offset + self.schedule.horizon()


class Scale(Schedule):
    """``factor * schedule(step)``.

    Computed from ``schedule``'s value in the float dtype, so where that over- or underflows
    so does the product; ``factor=0`` gives 0 at every step (not ``inf * 0``), and a factor
    beyond float32's range is applied without rounding it to 0 or inf (:func:`~lrsched.numerics.xp_scale`).

    Args:
      schedule: the schedule to scale.
      factor: finite, >= 0.

    Example:
      >>> import lrsched
      >>> lrsched.Scale(lrsched.Constant(0.1), 0.5)(7)
      0.05
    """

    unsigned_steps = True

    schedule: ScheduleField
    factor: NonNegativeFloat

    def value(self, step: Any, xp: Any) -> Any:
        if self.factor == 0:  # 0 at every step, where the schedule overflows a float too (inf * 0 is nan)
            return _full(step, 0.0, xp)
        return xp_scale(self.schedule.value(step, xp), self.factor, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        return self.schedule.breakpoints()

    def horizon(self) -> int:
        return self.schedule.horizon()


class Clip(Schedule):
    """``schedule(step)`` clipped to ``[minimum, maximum]`` (either bound may be None).

    Args:
      schedule: the schedule to clip.
      minimum: the lowest value, or None.
      maximum: the highest value, or None; ``minimum <= maximum``.

    Example:
      >>> import lrsched
      >>> spec = lrsched.Clip(lrsched.ExponentialDecay(0.1, 1, 0.5), minimum=0.01)
      >>> spec(1), spec(10)
      (0.05, 0.01)
    """

    unsigned_steps = True

    schedule: ScheduleField
    minimum: OptionalFloat = None
    maximum: OptionalFloat = None

    @model_validator(mode="after")
    def _ordered(self) -> Clip:
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(
                f"Argument `minimum` must be <= `maximum`. Received: minimum={self.minimum!r}, "
                f"maximum={self.maximum!r}"
            )
        return self

    def value(self, step: Any, xp: Any) -> Any:
        return xp.clip(self.schedule.value(step, xp), self.minimum, self.maximum)

    def breakpoints(self) -> tuple[int, ...]:
        return self.schedule.breakpoints()

    def horizon(self) -> int:
        return self.schedule.horizon()


# -- the product of schedules (PyTorch's ChainedScheduler) ------------------------------------------
def _times(a: Any, b: Any, xp: Any) -> Any:
    """``a * b``, and 0 where either is 0 (also where the other overflowed to inf)."""
    if not hasattr(a, "dtype") and not hasattr(b, "dtype"):  # Python scalars or exact reals
        if xp.isfinite(a) and xp.isfinite(b):  # no comparison with 0 (an exact 0 computed inexactly
            return a * b  # would leave it open at every precision of the exact namespace)
        zero = a if a == 0 else b if b == 0 else None  # inf * 0 is nan: the 0 factor's 0 instead
        return a * b if zero is None else zero * 0
    zero = (a == 0) | (b == 0)
    dtype = xp_float_dtype(xp)
    # 0 * 0 where either is 0: no 0 * inf, not even in a lane discarded (float64: a 0-d 0)
    nought = xp.asarray(0.0, dtype=dtype) if dtype == xp.float64 else xp.zeros_like(a)
    return xp.where(zero, nought, a) * xp.where(zero, nought, b)


class Product(Schedule):
    """The product of schedules' values at each step: ``schedules[0](step) * schedules[1](step) * ...``.

    PyTorch's ``ChainedScheduler`` of multiplicative schedulers (each multiplies the lr by its own
    factor): the first schedule is the lr, the others factors (rates of 1.0 at their start).
    Where a factor is 0 the product is 0, even where another overflowed.

    Args:
      schedules: at least one schedule.

    Example:
      >>> import lrsched
      >>> warmup = lrsched.PiecewiseConstantDecay([1], [0.1, 1.0])  # ConstantLR(factor=0.1, total_iters=2)
      >>> spec = lrsched.Product([lrsched.ExponentialDecay(1.0, 1, 0.5), warmup])
      >>> spec(0), spec(1), spec(2)
      (0.1, 0.05, 0.25)
    """

    unsigned_steps = True

    schedules: ScheduleTuple

    def value(self, step: Any, xp: Any) -> Any:
        values = [schedule.value(step, xp) for schedule in self.schedules]
        floats = all(type(v) in (float, int) for v in values)  # Python's, not numpy's scalars
        if len(values) > 2 and not is_exact(xp) and (floats or all(hasattr(v, "dtype") for v in values)):
            # two factors whose product over- or underflows while a third brings it back
            return xp_product(values, xp=xp)
        out = values[0]
        for value in values[1:]:
            out = _times(out, value, xp)
        return out

    def breakpoints(self) -> tuple[int, ...]:
        return tuple(sorted({b for schedule in self.schedules for b in schedule.breakpoints()}))

    def horizon(self) -> int:
        return max(schedule.horizon() for schedule in self.schedules)
