"""Cycles: a periodic cosine (``CosineAnnealing``), triangle cycles (``Cyclical``), and one cycle
up and down (``OneCycle``): PyTorch's ``CosineAnnealingLR``, ``CyclicLR`` and ``OneCycleLR``, in
closed form with torch's arguments and semantics.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema, model_validator
from pydantic_core.core_schema import ValidationInfo

from lrsched.numerics import (
    xp_cycle,
    xp_half_cosine_fraction,
    xp_interval_fraction,
    xp_lerp,
    xp_periodic_progress,
    xp_progress,
    xp_remaining,
    xp_scaled_power,
)
from lrsched.spec import (
    _INT64,
    Bool,
    Doc,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    Schedule,
    UnitFloat,
    _choice,
    _fail,
    _non_negative_int,
    _real,
)
from lrsched.xp import is_exact

__all__ = ["CosineAnnealing", "Cyclical", "OneCycle"]


def _optional_steps(value: object, info: ValidationInfo) -> int | None:
    return None if value is None else _non_negative_int(value, info)


#: An int in [0, 2**63 - 1], or None.
OptionalSteps = Annotated[
    int | None,
    PlainValidator(_optional_steps),
    WithJsonSchema({**_INT64, "type": ["integer", "null"], "minimum": 0}),
    Doc("int, >= 0, or None"),
]


def _divisor(value: object, info: ValidationInfo) -> float:
    result = _real(value, info)
    if result < 1:  # every rate of OneCycle's cycle is then <= max_lr
        raise _fail(info, "must be >= 1 (the cycle starts and ends below max_lr)", value)
    return result


#: A finite float >= 1.
Divisor = Annotated[
    float, PlainValidator(_divisor), WithJsonSchema({"type": "number", "minimum": 1}), Doc("float, >= 1")
]


def _nonnegative(step: Any, xp: Any) -> Any:
    """``max(step, 0)``: these schedules start at step 0, and count earlier steps as 0."""
    if isinstance(step, int):
        return max(step, 0)
    if xp.iinfo(step.dtype).min >= 0:
        return step
    return xp.where(step < 0, xp.zeros_like(step), step)


class CosineAnnealing(Schedule):
    """A cosine between ``initial_learning_rate`` and ``eta_min``, periodic: torch's
    ``CosineAnnealingLR`` in closed form.

    ``eta_min + (initial_learning_rate - eta_min) * (1 + cos(pi * step / T_max)) / 2`` at every
    step: ``eta_min`` at ``T_max``, back up to ``initial_learning_rate`` at ``2 * T_max``, and so
    on (torch's closed form is periodic; Keras's ``CosineDecay`` stays at its floor from
    ``decay_steps`` on). The cosine's argument is reduced modulo ``2 * T_max`` in integers, so the
    period is exact at any step; steps below 0 continue the cosine (it is even).

    Args:
      initial_learning_rate: the rate at step 0 (torch: the param group's initial lr); finite, >= 0.
      T_max: half the period, in steps: where the rate reaches ``eta_min``; an int >= 1.
      eta_min: the rate at ``T_max``; finite, >= 0 (above ``initial_learning_rate``: a rise).

    Example:
      >>> import lrsched
      >>> spec = lrsched.CosineAnnealing(0.1, 100, eta_min=0.01)
      >>> spec(0), spec(50), spec(100), spec(200)
      (0.1, 0.055, 0.01, 0.1)
    """

    unsigned_steps = True

    initial_learning_rate: NonNegativeFloat
    T_max: PositiveInt
    eta_min: NonNegativeFloat = 0.0

    def value(self, step: Any, xp: Any) -> Any:
        # step / T reduced exactly modulo 2 (cos(pi * step / T) is periodic, and even)
        done, left = xp_periodic_progress(step, 0, 1, self.T_max, lazy=True, xp=xp)
        head = xp_half_cosine_fraction(done, left, xp=xp)  # (1 + cos) / 2: 1 at 0, 0 at T

        def tail() -> Any:  # 1 - head, accurate near 0 (computed only if the lerp needs it)
            return xp_half_cosine_fraction(left, done(), xp=xp)

        return xp_lerp(self.eta_min, self.initial_learning_rate, head, q=tail, overwrite_p=True, xp=xp)

    def breakpoints(self) -> tuple[int, ...]:
        """Where the cosine turns: ``T_max`` (the floor) and ``2 * T_max`` (the top again)."""
        return (self.T_max, 2 * self.T_max)

    def horizon(self) -> int:
        return 3 * self.T_max


class Cyclical(Schedule):
    """Triangle cycles between ``base_lr`` and ``max_lr`` (Smith's cyclical learning rate):
    torch's ``CyclicLR``, with its arguments and modes.

    Each cycle lasts ``step_size_up + step_size_down`` steps: a line up from ``base_lr`` over
    ``step_size_up`` steps, then down over ``step_size_down``. The amplitude ``max_lr - base_lr``
    is scaled by ``mode``: ``"triangular"`` keeps it; ``"triangular2"`` halves it every cycle;
    ``"exp_range"`` multiplies it by ``gamma ** step``. The position in the cycle is an exact
    integer (torch computes it as ``1 + step / cycle - floor(1 + step / cycle)`` in float64,
    whose error grows with the step). Steps below 0 count as 0.

    Args:
      base_lr: the bottom of each cycle (the rate at step 0); finite, >= 0.
      max_lr: the top of the first cycle; finite, >= ``base_lr``.
      step_size_up: the steps of each rise; an int >= 1.
      step_size_down: the steps of each fall; an int >= 0, or None for ``step_size_up``.
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: ``"exp_range"``'s factor per step; in (0, 1].

    Example:
      >>> import lrsched
      >>> spec = lrsched.Cyclical(0.01, 0.1, step_size_up=10, mode="triangular2")
      >>> spec(0), spec(5), spec(10), spec(20), spec(30)
      (0.01, 0.055, 0.1, 0.01, 0.055)
    """

    unsigned_steps = True

    base_lr: NonNegativeFloat
    max_lr: NonNegativeFloat
    step_size_up: PositiveInt = 2000
    step_size_down: OptionalSteps = None
    mode: _choice("triangular", "triangular2", "exp_range") = "triangular"  # type: ignore[valid-type]
    gamma: PositiveFloat = 1.0

    @model_validator(mode="after")
    def _check(self) -> Cyclical:
        if self.max_lr < self.base_lr:
            raise ValueError(
                f"Argument `max_lr` must be >= base_lr={self.base_lr!r} (the cycle's top). "
                f"Received: max_lr={self.max_lr!r}"
            )
        if self.gamma > 1:
            raise ValueError(
                f"Argument `gamma` must be in (0, 1] (exp_range's decay per step). Received: gamma={self.gamma!r}"
            )
        if self.step_size_up + self._down > 2**63 - 1:
            raise ValueError(
                "Arguments `step_size_up` + `step_size_down` (a cycle) must be <= 2**63 - 1. Received: "
                f"step_size_up={self.step_size_up}, step_size_down={self.step_size_down}"
            )
        return self

    @property
    def _down(self) -> int:
        return self.step_size_up if self.step_size_down is None else self.step_size_down

    def value(self, step: Any, xp: Any) -> Any:
        up, down = self.step_size_up, self._down
        step = _nonnegative(step, xp)
        cycle, position = xp_cycle(step, up + down, xp=xp)
        rise = xp_progress(position, 0, up, xp=xp)  # position / up, 1 from the top on
        triangle = rise  # past the top: (cycle - position) / down (a dtype that cannot hold up: never)
        if down and (isinstance(position, int) or up < xp.iinfo(position.dtype).max):
            triangle = xp.where(position <= up, rise, xp_remaining(position, up, down, xp=xp))
        base, mode = self.base_lr, self.mode
        if is_exact(xp):  # the plain formula
            span = xp.real(self.max_lr) - xp.real(base)
            if mode != "triangular":
                span = span * xp.pow(
                    xp.real(0.5 if mode == "triangular2" else self.gamma),
                    cycle if mode == "triangular2" else step,
                )
            return triangle * span + base
        span = math.fsum((self.max_lr, -base))  # max_lr - base_lr, rounded once
        if mode == "triangular2":
            span = xp_scaled_power(span, 0.5, cycle, xp=xp)
        elif mode == "exp_range":
            span = xp_scaled_power(span, self.gamma, step, xp=xp)
        return triangle * span + base

    def breakpoints(self) -> tuple[int, ...]:
        """The first tops and restarts."""
        up, cycle = self.step_size_up, self.step_size_up + self._down
        return tuple(sorted({up, cycle, cycle + up, 2 * cycle}))

    def horizon(self) -> int:
        return 3 * (self.step_size_up + self._down)


class OneCycle(Schedule):
    """One cycle up and down (Smith's 1cycle policy): torch's ``OneCycleLR``, with its arguments,
    defaults and phase ends.

    From ``initial = max_lr / div_factor`` up to ``max_lr``, then down to ``min_lr = initial /
    final_div_factor``, each phase annealed along a half cosine (``"cos"``) or a line
    (``"linear"``). As in torch, the first phase ends at the real step ``e = pct_start *
    total_steps - 1`` (computed in float64 as torch does, not rounded to a step) and the last at
    ``total_steps - 1``; with ``three_phase`` the second phase goes back down to ``initial`` by
    ``2 * pct_start * total_steps - 2`` and a third down to ``min_lr``. The value at integer
    step ``k`` in a phase from ``a`` to ``b`` has ``pct = (k - a) / (b - a)``, exact to the
    step (:func:`lrsched.numerics.xp_interval_fraction`). From ``total_steps - 1`` on, ``min_lr``
    (torch raises past ``total_steps`` and extrapolates at it); a first phase of length 0
    (``pct_start * total_steps == 1``, where torch divides by zero) gives ``max_lr`` at step 0.

    Args:
      max_lr: the peak; finite, >= 0.
      total_steps: the cycle's steps; an int >= 1.
      pct_start: the fraction of the steps spent rising; in [0, 1] (<= 0.5 with ``three_phase``).
      anneal_strategy: ``"cos"`` or ``"linear"``.
      div_factor: ``max_lr / initial``; finite, >= 1 (torch: > 0).
      final_div_factor: ``initial / min_lr``; finite, >= 1 (torch: > 0).
      three_phase: go back to ``initial`` before falling to ``min_lr``.

    Example:
      >>> import lrsched
      >>> spec = lrsched.OneCycle(1.0, 11, pct_start=0.5, anneal_strategy="linear", div_factor=10.0)
      >>> spec(0), spec(2), spec(4), spec(10)
      (0.1, 0.5, 0.9, 1e-05)
    """

    unsigned_steps = True

    max_lr: NonNegativeFloat
    total_steps: PositiveInt
    pct_start: UnitFloat = 0.3
    anneal_strategy: _choice("cos", "linear") = "cos"  # type: ignore[valid-type]
    div_factor: Divisor = 25.0
    final_div_factor: Divisor = 1e4
    three_phase: Bool = False

    @model_validator(mode="after")
    def _check(self) -> OneCycle:
        if self.three_phase and self.pct_start > 0.5:
            raise ValueError(
                "Argument `pct_start` must be <= 0.5 with three_phase=True (the first two phases, "
                f"each pct_start * total_steps long, must fit). Received: pct_start={self.pct_start!r}"
            )
        return self

    @cached_property
    def _phases(self) -> tuple[tuple[float, float, float, float], ...]:
        """``(start, end, start_lr, end_lr)`` per phase, each float as torch computes it."""
        initial = self.max_lr / self.div_factor
        low = initial / self.final_div_factor
        total, pct = self.total_steps, self.pct_start
        # past 2**53 torch's float64 end may round beyond total_steps - 1 (pct_start 1.0): the
        # phases end there at the latest
        first = min(float(pct * total) - 1, total - 1)
        if not self.three_phase:
            return ((0.0, first, initial, self.max_lr), (first, total - 1, self.max_lr, low))
        second = min(float(2 * pct * total) - 2, total - 1)
        return (
            (0.0, first, initial, self.max_lr),
            (first, second, self.max_lr, initial),
            (second, total - 1, initial, low),
        )

    def _anneal(
        self, done: Any, left: Any, rest: Any, phase: tuple[float, float, float, float], xp: Any
    ) -> Any:
        """A phase's value from the fractions done and left of it (``done`` a function of no
        arguments) and, for ``"cos"``, ``rest = (1 + cos(pi * done)) / 2``."""
        _, _, a, b = phase
        if self.anneal_strategy == "linear":
            return xp_lerp(a, b, done(), q=left, xp=xp)
        return xp_lerp(b, a, rest, q=lambda: xp_half_cosine_fraction(left, done(), xp=xp), xp=xp)

    def value(self, step: Any, xp: Any) -> Any:
        step = _nonnegative(step, xp)
        *phases, last = self._phases
        # a phase holds the steps up to its end (torch's ``step <= end_step``); phases ending
        # before step 0 hold none
        live = [p for p in phases if p[1] >= 0]
        if isinstance(step, int):
            phase = next((p for p in live if step <= p[1]), last)
            done, left = xp_interval_fraction(step, phase[0], phase[1], lazy=True, xp=xp)
            rest = None if self.anneal_strategy == "linear" else xp_half_cosine_fraction(done, left, xp=xp)
            return self._anneal(done, left, rest, phase, xp)
        # each phase with the mask of the steps it holds (None: every step no earlier phase holds)
        top = xp.iinfo(step.dtype).max
        held = []
        for phase in [*live, last]:
            end = math.floor(phase[1])
            if phase is last or end >= top:
                held.append((None, phase))
                break
            held.append((step <= end, phase))

        def pick(values: list[Any]) -> Any:
            """Each step's own phase's value."""
            out = values[-1]
            for (mask, _), value in zip(reversed(held[:-1]), reversed(values[:-1]), strict=True):
                out = xp.where(mask, value, out)
            return out

        # the fractions of each step's own phase, then one half cosine of them (a transcendental
        # once per step, not once per phase), then each phase's lerp (a few operations)
        fractions = [xp_interval_fraction(step, p[0], p[1], lazy=True, xp=xp) for _, p in held]
        left = pick([f[1] for f in fractions])

        def done() -> Any:
            return pick([f[0]() for f in fractions])

        rest = None if self.anneal_strategy == "linear" else xp_half_cosine_fraction(done, left, xp=xp)
        return pick([self._anneal(done, left, rest, p, xp) for _, p in held])

    def breakpoints(self) -> tuple[int, ...]:
        """The first step of each phase after the first, and the end."""
        starts = {math.floor(end) + 1 for _, end, _, _ in self._phases[:-1] if end >= 0}
        return tuple(sorted({*starts, self.total_steps - 1}))

    def horizon(self) -> int:
        return self.total_steps + max(self.total_steps // 4, 10)
