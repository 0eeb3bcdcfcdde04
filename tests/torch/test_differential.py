"""Against torch's own chained schedulers, over random configs, both measured against exact math.

ExponentialLR(gamma=decay_rate ** (1 / decay_steps)) multiplies the previous lr by a rounded gamma
each step: its relative error grows about linearly with the step count (gamma's rounding error
times k), so it leaves 1e-12 after some 10**4 steps. StepLR(step_size=decay_steps,
gamma=decay_rate) agrees with ``staircase=True`` on every stair boundary, and its error grows with
the number of stairs. The rendered scheduler stays within 1e-12 everywhere: it never chains.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest
import torch
from lrsched_torch import ScheduleLR
from oracle import exact_exponential

import lrsched

STEPS = 100_000
CHECKPOINTS = [1_000, 10_000, 30_000, STEPS]


def configs(staircase: bool, n: int, seed: int):
    rng = random.Random(seed)
    for _ in range(n):
        decay_steps = rng.choice([1, 2, 10, 100, 1000]) if staircase else rng.randint(1, 5000)
        # a total decay over the run between e**-0.5 and e**-200: far from float64's underflow
        rate = math.exp(-(10 ** rng.uniform(math.log10(0.5), math.log10(200))) * decay_steps / STEPS)
        yield lrsched.ExponentialDecay(10 ** rng.uniform(-4, 0), decay_steps, rate, staircase=staircase)


def relative(got: float, spec, step: int) -> float:
    exact = exact_exponential(
        spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase, step
    )
    return float(abs(Decimal(got) - exact) / exact)


def run_both(spec, native_cls, **native_kwargs):
    """Step torch's scheduler and ours side by side; the lr of each at every step."""
    opts = [
        torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=spec.initial_learning_rate) for _ in "ab"
    ]
    native = native_cls(opts[0], **native_kwargs)
    ours = ScheduleLR(opts[1], spec)
    native_lrs, our_lrs = [], []
    for opt in opts:
        opt.step()
    for _ in range(STEPS + 1):
        native_lrs.append(opts[0].param_groups[0]["lr"])
        our_lrs.append(opts[1].param_groups[0]["lr"])
        native.step()
        ours.step()
    return native_lrs, our_lrs


def test_exponential_lr_drifts_and_ours_does_not():
    finals = []
    for spec in configs(staircase=False, n=6, seed=5):
        native, ours = run_both(
            spec, torch.optim.lr_scheduler.ExponentialLR, gamma=spec.decay_rate ** (1 / spec.decay_steps)
        )
        errors = {k: (relative(native[k], spec, k), relative(ours[k], spec, k)) for k in CHECKPOINTS}
        assert max(ours_error for _, ours_error in errors.values()) <= 1e-12, spec
        finals.append(errors[STEPS][0])
        assert errors[STEPS][0] >= errors[CHECKPOINTS[0]][0], spec  # the chained error grows
    assert max(finals) > 1e-12  # beyond our bound after 10**5 steps
    assert sorted(finals)[len(finals) // 2] > 1e-13  # and typically far beyond float64 rounding


def test_step_lr_agrees_on_boundaries_and_drifts_with_the_stair_count():
    finals = []
    for spec in configs(staircase=True, n=6, seed=11):
        native, ours = run_both(
            spec, torch.optim.lr_scheduler.StepLR, step_size=spec.decay_steps, gamma=spec.decay_rate
        )
        changes_native = [k for k in range(1, len(native)) if native[k] != native[k - 1]]
        changes_ours = [k for k in range(1, len(ours)) if ours[k] != ours[k - 1]]
        assert changes_native == changes_ours == list(range(spec.decay_steps, STEPS + 1, spec.decay_steps))
        assert max(relative(ours[k], spec, k) for k in CHECKPOINTS) <= 1e-12, spec
        finals.append((STEPS // spec.decay_steps, relative(native[STEPS], spec, STEPS)))
    many_stairs = [error for stairs, error in finals if stairs >= 10_000]
    assert many_stairs and max(many_stairs) > 1e-14  # the chained product accumulates rounding


@pytest.mark.parametrize("seed", range(3))
def test_same_first_values_as_native(seed):
    """Where chaining has not had time to drift, both give the same lrs to float64 rounding."""
    for spec in configs(staircase=bool(seed % 2), n=3, seed=100 + seed):
        opts = [
            torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=spec.initial_learning_rate) for _ in "ab"
        ]
        native = (
            torch.optim.lr_scheduler.StepLR(opts[0], spec.decay_steps, spec.decay_rate)
            if spec.staircase
            else torch.optim.lr_scheduler.ExponentialLR(opts[0], spec.decay_rate ** (1 / spec.decay_steps))
        )
        ours = ScheduleLR(opts[1], spec)
        for opt in opts:
            opt.step()
        for _ in range(50):
            assert ours.get_last_lr() == pytest.approx(native.get_last_lr(), rel=1e-13)
            native.step()
            ours.step()
