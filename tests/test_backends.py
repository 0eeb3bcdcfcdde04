"""Every installed backend renders every schedule to the same values, against exact math.

Parametrized over ``lrsched.backends()``: a new backend is tested here without new tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from oracle import assert_close, exact_exponential

import lrsched

SPECS = [
    lrsched.ExponentialDecay(0.1, 100000, 0.96, staircase=True),
    lrsched.ExponentialDecay(0.1, 3, 0.999999, staircase=True),
    lrsched.ExponentialDecay(3e-4, 7919, 0.5),
    lrsched.ExponentialDecay(1e-7, 100, 10.0),
    lrsched.ExponentialDecay(0.0, 10, 0.5),
]


def steps_for(spec):
    period = spec.decay_steps
    boundaries = [k * period + d for k in (1, 2, 1000, (2**31 - 1) // period) for d in (-period, -1, 0)]
    return sorted({s for s in [0, 1, 2, 2**24 + 1, 2**31 - 1, *boundaries] if 0 <= s <= 2**31 - 1})


def float32_valued(values):
    return all(float(np.float32(v)) == v or not np.isfinite(v) for v in values)


@pytest.mark.parametrize("backend", lrsched.backends())
@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_backend_matches_exact_math(backend, spec):
    steps = steps_for(spec)
    got = lrsched.evaluate(spec, steps, backend)
    assert len(got) == len(steps) and all(type(v) is float for v in got)
    dtype = "float32" if float32_valued(got) and not float32_valued([spec(s) for s in steps]) else "float64"
    for step, value in zip(steps, got, strict=True):
        want = exact_exponential(
            spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase, step
        )
        assert_close(value, want, dtype=dtype)


@pytest.mark.parametrize("backend", lrsched.backends())
def test_backends_agree_on_stair_boundaries(backend):
    spec = SPECS[1]
    steps = steps_for(spec)
    got = lrsched.evaluate(spec, steps, backend)
    by_step = dict(zip(steps, got, strict=True))
    last_steps = [
        s
        for s in steps
        if s % spec.decay_steps == spec.decay_steps - 1 and s - spec.decay_steps + 1 in by_step
    ]
    assert len(last_steps) >= 3
    for last in last_steps:
        first = last - spec.decay_steps + 1
        assert by_step[last] == by_step[first], last  # one stair, one value, bit for bit
        if last + 1 in by_step and abs(by_step[last + 1]) >= 1.1754943508222875e-38:
            assert by_step[last] != by_step[last + 1], last  # the next stair differs (where float32 can tell)
