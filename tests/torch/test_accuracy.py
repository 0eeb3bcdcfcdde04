"""Accuracy against exact math (Python's decimal, tests/support/oracle.py), never against lrsched.

The scheduler's float lr: within 1e-12 relative for every step up to 2**53. The tensor function:
float32 within 4 ulps for int64 steps, eager and compiled, with no float64 anywhere, and exact
staircase boundaries.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from lrsched_torch import ScheduleLR, TensorSchedule
from oracle import exact_exponential, ulps32
from torch.utils._python_dispatch import TorchDispatchMode

import lrsched

TINY64 = 2.2250738585072014e-308  # float64's smallest normal
INT64_MAX = 2**63 - 1


def exact_of(spec, step):
    return exact_exponential(
        spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase, step
    )


def relative_error(got: float, exact: Decimal) -> float:
    if math.isinf(float(exact)) or math.isinf(got):
        return 0.0 if got == float(exact) else math.inf
    if exact == 0:
        return 0.0 if got == 0 else math.inf
    # Below float64's normal range relative accuracy is not representable: measure against TINY64.
    return float(abs(Decimal(got) - exact) / max(abs(exact), Decimal(TINY64)))


configs = st.builds(
    lrsched.ExponentialDecay,
    initial_learning_rate=st.floats(1e-8, 10.0),
    decay_steps=st.integers(1, 10**7) | st.sampled_from([1, 3, 1000, 100000, 2**31 - 1, 2**40 + 1]),
    decay_rate=st.floats(0.01, 1.0) | st.floats(1.0, 3.0),
    staircase=st.booleans(),
)
steps53 = st.integers(0, 2**53) | st.integers(0, 10**7)


@given(spec=configs, steps=st.lists(steps53, min_size=1, max_size=20))
def test_scheduler_lr_within_1e12_of_exact_math_up_to_2_53(spec, steps):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = ScheduleLR(opt, spec)
    for step in steps:
        (got,) = scheduler.lr_at(step)
        assert relative_error(got, exact_of(spec, step)) <= 1e-12, (spec, step, got)


def test_scheduler_lr_at_2_53_through_load_state_dict(optimizer_factory):
    spec = lrsched.ExponentialDecay(0.1, decay_steps=2**50, decay_rate=0.96)
    opt = optimizer_factory(0.1)
    scheduler = ScheduleLR(opt, spec)
    scheduler.load_state_dict({**scheduler.state_dict(), "last_epoch": 2**53 - 1, "_step_count": 2})
    opt.step()
    scheduler.step()
    assert scheduler.last_epoch == 2**53
    assert relative_error(opt.param_groups[0]["lr"], exact_of(spec, 2**53)) <= 1e-12


# -- the tensor function ---------------------------------------------------------------------------
TENSOR_SPECS = [
    lrsched.ExponentialDecay(0.1, 100000, 0.96, staircase=True),
    lrsched.ExponentialDecay(0.1, 3, 0.999999, staircase=True),
    lrsched.ExponentialDecay(3e-4, 7919, 0.5),
    lrsched.ExponentialDecay(1e-7, 100, 10.0),
    lrsched.ExponentialDecay(1.0, 1, 0.9999),
    lrsched.ExponentialDecay(2.5, 2**40 + 7, 0.31, staircase=True),
]


def int64_steps(spec, n=400, seed=0):
    """Log-uniform int64 steps, the stair boundaries around them, and the int64 extremes."""
    rng = random.Random(seed)
    steps = {0, 1, 2**24 + 1, 2**31 - 1, 2**31, 2**53 + 1, INT64_MAX}
    for _ in range(n):
        steps.add(int(2 ** rng.uniform(0, 63)) - 1)
    d = spec.decay_steps
    for k in [1, 2, 7, 2**20, INT64_MAX // d]:
        steps.update(s for s in (k * d - 1, k * d, k * d + 1) if 0 <= s <= INT64_MAX)
    return sorted(steps)


def float32_ulps(values, spec, steps):
    worst = 0.0
    for got, step in zip(values, steps, strict=True):
        exact = exact_of(spec, step)
        if abs(float(exact)) >= 3.4028235677973366e38:  # beyond float32: inf is the right answer
            assert got == math.inf, (spec, step, got)
            continue
        worst = max(worst, float(ulps32(got, exact)))
    return worst


@pytest.mark.parametrize("spec", TENSOR_SPECS, ids=repr)
def test_tensor_function_float32_within_4_ulps_for_int64_steps(spec):
    steps = int64_steps(spec)
    got = TensorSchedule(spec)(torch.tensor(steps, dtype=torch.int64))
    assert got.dtype == torch.float32
    assert float32_ulps(got.tolist(), spec, steps) <= 4


def test_compiled_tensor_function_is_as_accurate():
    """Inductor (the default backend) keeps the float32 error within 4 ulps. One spec, the one with
    the most terms (int64 steps in six 12-bit digits), to spend the C++ toolchain once."""
    spec = TENSOR_SPECS[1]
    steps = sorted(set().union(*(int64_steps(s, n=100, seed=1) for s in TENSOR_SPECS)))
    got = torch.compile(TensorSchedule(spec), fullgraph=True)(torch.tensor(steps, dtype=torch.int64))
    assert float32_ulps(got.tolist(), spec, steps) <= 4


@pytest.mark.parametrize("spec", [s for s in TENSOR_SPECS if s.staircase], ids=repr)
def test_staircase_boundaries_are_exact_for_int64_steps(spec):
    f = TensorSchedule(spec)
    d = spec.decay_steps
    stairs = sorted({1, 2, 3, 1000, 2**24 // d + 1, 2**31 // d + 1, 2**53 // d + 1, INT64_MAX // d})
    stairs = [k for k in stairs if 1 <= k <= INT64_MAX // d]
    last = torch.tensor([k * d - 1 for k in stairs], dtype=torch.int64)
    first = torch.tensor([(k - 1) * d for k in stairs], dtype=torch.int64)
    start = torch.tensor([k * d for k in stairs], dtype=torch.int64)
    assert torch.equal(f(last), f(first))  # one stair, one value, bit for bit
    before, after = f(last), f(start)
    moving = before > 0  # far out both sides underflow to 0
    assert moving[:3].all() and (after[moving] != before[moving]).all()  # a new stair at k * decay_steps
    for k, value in zip(stairs, f(start).tolist(), strict=True):
        exact = exact_of(spec, k * d)
        assert (value == 0.0 and abs(float(exact)) < 1e-45) or ulps32(value, exact) <= 4


class _Dtypes(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.seen = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if isinstance(out, torch.Tensor):  # the eager step check reads a bool back
            self.seen.add(out.dtype)
        return out


def test_float32_uses_no_float64():
    f = TensorSchedule(TENSOR_SPECS[2])
    with _Dtypes() as mode:
        f(torch.tensor([0, 10**6, 2**62], dtype=torch.int64))
    assert torch.float64 not in mode.seen
    assert torch.float32 in mode.seen


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_other_dtypes(dtype):
    spec = TENSOR_SPECS[2]
    steps = [0, 1, 7919, 10**6, 2**40]
    got = TensorSchedule(spec, dtype=dtype)(torch.tensor(steps))
    assert got.dtype == getattr(torch, dtype)
    if dtype == "float64":
        for value, step in zip(got.tolist(), steps, strict=True):
            assert relative_error(value, exact_of(spec, step)) <= 1e-12
    else:  # computed in float32, then rounded once
        assert torch.equal(got, TensorSchedule(spec)(torch.tensor(steps)).to(got.dtype))


def test_step_inputs():
    f = TensorSchedule(lrsched.ExponentialDecay(1.0, 1, 0.5))
    assert f(3).item() == 0.125 and f(3).shape == ()
    assert f(torch.tensor([[1, 2]], dtype=torch.int32)).tolist() == [[0.5, 0.25]]
    assert f(torch.tensor([3], dtype=torch.uint8)).tolist() == [0.125]
    assert f(np.int64(2)).item() == 0.25
    on_meta = f(torch.tensor([1, 2], device="meta"))  # traced again there, its constants made there
    assert on_meta.device.type == "meta" and on_meta.shape == (2,) and on_meta.dtype == torch.float32
    assert f(torch.tensor([1.0, 3.0])).tolist() == [0.5, 0.125]  # whole-number floats: their step
    assert f(3.0).item() == 0.125 and f(np.array([3.0])).tolist() == [0.125]
    with pytest.raises(
        lrsched.StepError, match=r"float steps must be finite whole numbers .*; received 1\.5"
    ):
        f(torch.tensor([1.0, 1.5]))
    with pytest.raises(lrsched.StepError, match=r"steps must be >= 0; received steps down to -2"):
        f(torch.tensor([1, -2]))
    with pytest.raises(lrsched.StepError, match=r"step must be an integer, not a bool; received True"):
        f(True)
    with pytest.raises(
        lrsched.StepError, match=r"must be in \[0, 2\*\*63 - 1\]; received 9223372036854775808"
    ):
        f(2**63)
    with pytest.raises(lrsched.StepError, match=r"received dtype torch\.complex64"):
        f(torch.tensor([1j]))
    with pytest.raises(
        lrsched.ConfigError, match=r"torch backend: option `dtype` must be one of .*; received dtype='float8'"
    ):
        TensorSchedule(TENSOR_SPECS[0], dtype="float8")


def test_building_blocks_within_4_ulps():
    """The numerics building blocks on array-api-compat torch (float32 and float64, int64 steps)."""
    from blocks import check_namespace
    from lrsched_torch._tensor import namespace

    for dtype, name in [(torch.float32, "float32"), (torch.float64, "float64")]:
        check_namespace(namespace(dtype), torch.from_numpy, np.int64, name)
