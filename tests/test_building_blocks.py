"""The numerics building blocks against exact math (mpmath, tests/support/blocks.py).

Measured as the catalogue is held: float32 within 4 ulps and float64 within 1e-12, at the size
``max(|exact|, 1e-6 * peak)``, at int32 and int64 steps up to the dtype's max.
"""

from __future__ import annotations

import array_api_strict
import numpy as np
import pytest
from blocks import BLOCKS, evaluate, half_cosine, interesting_steps, inverse_time, naive_half_cosine, worst
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsched.exact import namespace
from lrsched.numerics import (
    xp_cycle,
    xp_half_cosine,
    xp_inverse_time,
    xp_lerp,
    xp_polynomial,
    xp_progress,
    xp_remaining,
)
from lrsched.xp import scalar, with_float_dtype

exact = namespace(256)  # the exact namespace at a fixed precision: plain formulas, exact results

BOUND = {"float32": 4, "float64": 1e-12}
NAMESPACES = {
    "numpy-float32": (with_float_dtype(np, np.float32), np.asarray, "float32"),
    "numpy-float64": (np, np.asarray, "float64"),
    "strict-float32": (
        with_float_dtype(array_api_strict, array_api_strict.float32),
        array_api_strict.asarray,
        "float32",
    ),
}
INT_DTYPES = [np.int32, np.int64]


def intervals(top: int):
    starts = st.one_of(st.sampled_from([0, 1, 1000, top - 3, top, top + 1, 2**70]), st.integers(0, top))
    lengths = st.one_of(
        st.sampled_from([1, 2, 3, 100, 2**24 - 1, 2**24 + 3, 10**9 + 7, top, top + 1, 2 * top, 2**70]),
        st.integers(1, 2 * top),
    )
    return st.tuples(starts, lengths)


@pytest.fixture(autouse=True)
def _quiet_float_edges():
    with np.errstate(over="ignore", under="ignore"):
        yield


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
@pytest.mark.parametrize("int_dtype", INT_DTYPES, ids=lambda d: d.__name__)
@settings(max_examples=12)
@given(data=st.data())
def test_block_against_exact_math(block, namespace, int_dtype, data):
    xp, to_xp, dtype = NAMESPACES[namespace]
    top = int(np.iinfo(int_dtype).max)
    start, length = data.draw(intervals(top))
    steps = interesting_steps(start, length, top, np.random.default_rng(data.draw(st.integers(0, 2**32))), 8)
    got, want = evaluate(block, steps, start, length, xp, to_xp, int_dtype)
    assert np.asarray(got).dtype == np.dtype(dtype)
    error, i = worst(got, want, dtype)
    assert error <= BOUND[dtype], f"step {steps[i]}: {np.asarray(got).reshape(-1)[i]!r} is {error:.3g} off"


@pytest.mark.parametrize("block", BLOCKS)
@settings(max_examples=30)
@given(st.data())
def test_block_on_python_scalars(block, data):
    """lrsched.xp.scalar: Python ints of any size and float64 reals."""
    start, length = data.draw(intervals(2**63 - 1))
    steps = data.draw(st.lists(st.integers(0, 2**80), min_size=1, max_size=6))
    steps += [start, start + length // 2, start + length - 1]
    for step in steps:
        got, want = evaluate(block, [step], start, length, scalar, lambda a: int(a[0]), object)
        assert type(got) is float
        assert worst([got], want, "float64")[0] <= 1e-12


def test_naive_half_cosine_fails_the_same_check():
    """``0.5 * (1 + cos(pi t / T))`` in float32 is fine at the peak and thousands of ulps off at the tail."""
    f32 = with_float_dtype(np, np.float32)
    length = 100_000
    steps = np.arange(length - 400, length + 1, dtype=np.int32)
    want = [half_cosine(int(s), 0, length) for s in steps]
    naive_error, _ = worst(naive_half_cosine(f32, steps, 0, length), want, "float32")
    ours_error, _ = worst(xp_half_cosine(steps, 0, length, xp=f32), want, "float32")
    assert naive_error > 1000
    assert ours_error <= 1.5


@pytest.mark.parametrize("int_dtype", [*INT_DTYPES, np.uint8, np.uint32, np.uint64], ids=lambda d: d.__name__)
def test_edges_are_exact(int_dtype):
    top = int(np.iinfo(int_dtype).max)
    length = min(100, top)
    steps = np.asarray([0, 5, 5 + length, top], dtype=int_dtype)
    for xp in (np, with_float_dtype(np, np.float32)):
        assert xp_progress(steps, 5, length, xp=xp).tolist() == [0, 0, 1, 1]
        assert xp_remaining(steps, 5, length, xp=xp).tolist() == [1, 1, 0, 0]
        assert xp_half_cosine(steps, 5, length, xp=xp).tolist() == [1, 1, 0, 0]
        assert xp_polynomial(steps, 5, length, 0.0, xp=xp).tolist() == [1, 1, 1, 1]
        assert xp_polynomial(steps, 5, length, 2.5, xp=xp).tolist() == [1, 1, 0, 0]
        assert xp_half_cosine(steps, 5, length, exponent=3.0, xp=xp).tolist() == [1, 1, 0, 0]
        p = xp.asarray([0.0, 1.0], dtype=xp.float32 if xp is not np else np.float64)
        assert xp_lerp(0.1, 0.7, p, xp=xp).tolist() == [float(p.dtype.type(0.1)), float(p.dtype.type(0.7))]


@pytest.mark.parametrize(
    "int_dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64], ids=lambda d: d.__name__
)
@given(period=st.one_of(st.integers(1, 300), st.integers(1, 2**65)), data=st.data())
def test_cycle_is_exact(int_dtype, period, data):
    info = np.iinfo(int_dtype)
    steps = data.draw(st.lists(st.integers(max(int(info.min), 0), int(info.max)), min_size=1, max_size=10))
    index, position = xp_cycle(np.asarray(steps, dtype=int_dtype), period, xp=np)
    assert index.dtype == position.dtype == int_dtype
    assert index.tolist() == [s // period for s in steps]
    assert position.tolist() == [s % period for s in steps]
    assert xp_cycle(10**30, period, xp=exact) == divmod(10**30, period)


@pytest.mark.parametrize("int_dtype", INT_DTYPES, ids=lambda d: d.__name__)
@given(
    den=st.one_of(st.sampled_from([1, 3, 1000]), st.integers(1, 2**64)),
    rate=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 1e-6]), st.floats(0, 100)),
    data=st.data(),
)
def test_inverse_time(int_dtype, den, rate, data):
    info = np.iinfo(int_dtype)
    nums = [*data.draw(st.lists(st.integers(0, int(info.max)), min_size=1, max_size=8)), 0, 1, int(info.max)]
    want = [inverse_time(n, den, rate) for n in nums]
    for xp, dtype in [(np, "float64"), (with_float_dtype(np, np.float32), "float32")]:
        got = xp_inverse_time(np.asarray(nums, dtype=int_dtype), den, rate, xp=xp)
        assert worst(got, want, dtype)[0] <= BOUND[dtype]
    for num, w in zip(nums, want, strict=True):
        assert worst([xp_inverse_time(num, den, rate, xp=scalar)], [w], "float64")[0] <= 1e-12


def test_staircase_inverse_time_steps_on_the_right_integer():
    """Past 2**24 a float32 step cannot say which stair it is on; integer ``step // den`` can."""
    f32 = with_float_dtype(np, np.float32)
    steps = np.asarray([3 * 11184812 - 1, 3 * 11184812], dtype=np.int32)
    num = steps // 3
    got = xp_inverse_time(num, 1, 1e-3, xp=f32)
    assert num.tolist() == [11184811, 11184812] and got[0] > got[1]


def test_exact_namespace_plain_formulas():
    """The exact namespace: Python ints of any size, plain formulas, exact results."""
    big = 10**40
    assert float(xp_progress(big + 5, big, 10, xp=exact)) == 0.5
    assert float(xp_remaining(big + 9, big, 10, xp=exact)) == 0.1
    assert float(xp_inverse_time(3, 1, 0.5, xp=exact)) == 0.4


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_bad_arguments_name_the_argument(bad):
    with pytest.raises(ValueError, match="start must be an int >= 0"):
        xp_progress(np.int32(1), bad, 10, xp=np)
    with pytest.raises(ValueError, match="power must be a finite float >= 0"):
        xp_polynomial(np.int32(1), 0, 10, -1.0 if bad == -1 else float("inf"), xp=np)


@pytest.mark.slow
@pytest.mark.parametrize("block", BLOCKS)
@given(seed=st.integers(0, 2**32))
def test_soak_blocks_float32(block, seed):
    """The fuzz env's long run: 400 random int64 steps per interval, float32 within 4 ulps."""
    rng = np.random.default_rng(seed)
    top = 2**63 - 1
    start, length = int(rng.integers(0, 2**40)), int(rng.integers(1, top))
    steps = interesting_steps(start, length, top, rng, 400)
    got, want = evaluate(block, steps, start, length, with_float_dtype(np, np.float32), np.asarray, np.int64)
    assert worst(got, want, "float32")[0] <= 4
