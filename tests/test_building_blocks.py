"""The numerics building blocks against exact math (mpmath, tests/support/blocks.py).

Measured as the catalogue is held: float32 within 4 ulps and float64 within 1e-12, at the size
``max(|exact|, 1e-6 * peak)``, at int32 and int64 steps up to the dtype's max.
"""

from __future__ import annotations

import math

import array_api_strict
import mpmath
import numpy as np
import pytest
from blocks import (
    BLOCKS,
    check_geometric,
    evaluate,
    geometric_cycle,
    geometric_start,
    half_cosine,
    interesting_steps,
    inverse_time,
    keras_float32_index,
    naive_half_cosine,
    restart_steps,
    worst,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsched.exact import exact_value, namespace
from lrsched.numerics import (
    xp_cycle,
    xp_geometric_cycle,
    xp_half_cosine,
    xp_half_cosine_fraction,
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


def test_a_power_of_the_half_cosine_keeps_its_accuracy():
    """A power multiplies the relative error of its base: with exponent 40 the half cosine's base
    must be good to far better than its float32 ulp (optax's ``cosine_decay_schedule(exponent=)``,
    lrsched's ``CosinePowerDecay``; a base good to 1 ulp gives 2.3 ulps here in numpy, 6.8 in JAX)."""
    f32 = with_float_dtype(np, np.float32)
    length, exponent = 1023906, 40.156348416287216
    steps = np.asarray([335969, 369104, 1, length // 2, length - 3], dtype=np.int64)
    want = [half_cosine(int(s), 0, length, exponent) for s in steps]
    error, i = worst(xp_half_cosine(steps, 0, length, exponent=exponent, xp=f32), want, "float32")
    assert error <= 2, f"step {steps[i]}: {error:.3g} ulps"


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
    with pytest.raises(ValueError, match=r"power must be a finite float in \[0, 128\]"):
        xp_polynomial(np.int32(1), 0, 10, {-1: -1.0, 1.5: float("inf")}.get(bad, 129.0), xp=np)


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


# -- geometric cycles ---------------------------------------------------------------------------
T_MULS = [1.0, 2.0, 1.5, 0.9, 3.0]


@pytest.mark.parametrize("t_mul", T_MULS)
@pytest.mark.parametrize("int_dtype", INT_DTYPES, ids=lambda d: d.__name__)
@settings(max_examples=8)
@given(first=st.one_of(st.sampled_from([1, 3, 10, 1000]), st.integers(1, 10**6)), seed=st.integers(0, 2**32))
def test_geometric_cycle_against_exact_math(t_mul, int_dtype, first, seed):
    """Restarts on the right integer step (near 2**24, 2**31, the dtype's max), fractions within bounds."""
    top = int(np.iinfo(int_dtype).max)
    steps = restart_steps(first, t_mul, top, np.random.default_rng(seed))
    for name in sorted(NAMESPACES):
        xp, to_xp, dtype = NAMESPACES[name]
        check_geometric(xp, to_xp, dtype, int_dtype, first, t_mul, steps)


@pytest.mark.parametrize("t_mul", [*T_MULS, 1.25, 0.5, 0.99])
@settings(max_examples=10)
@given(first=st.integers(1, 10**6), data=st.data())
def test_geometric_cycle_on_python_ints(t_mul, first, data):
    """lrsched.xp.scalar (float64 from the table) and the exact namespace (plain formulas)."""
    steps = data.draw(st.lists(st.integers(-5, 2**70), min_size=1, max_size=4))
    steps += [math.ceil(geometric_start(i, first, t_mul)) + d for i in (1, 5) for d in (-1, 0)]
    for step in steps:
        i, done, left = geometric_cycle(step, first, t_mul)
        got = xp_geometric_cycle(step, first, t_mul, xp=scalar)
        assert got[0] == i and type(got[1]) is float
        assert worst(list(got[1:]), [done, left], "float64")[0] <= 1e-12
        assert xp_geometric_cycle(step, first, t_mul, xp=exact)[0] == i
        for k, want in [(1, done), (2, left)]:  # correctly rounded
            assert exact_value(
                lambda s, xp, k=k: xp_geometric_cycle(s, first, t_mul, xp=xp)[k], step
            ) == float(want)
        cosine = exact_value(
            lambda s, xp: xp_half_cosine_fraction(*xp_geometric_cycle(s, first, t_mul, xp=xp)[1:], xp=xp),
            step,
        )
        assert cosine == float((1 + mpmath.cospi(done)) / 2)


def test_geometric_cycle_with_t_mul_1_is_xp_cycle():
    steps = np.asarray([0, 9, 10, 25, 2**31 - 1], dtype=np.int32)
    index, done, left = xp_geometric_cycle(steps, 10, 1.0, xp=np)
    want_index, position = xp_cycle(steps, 10, xp=np)
    np.testing.assert_array_equal(index, want_index)
    np.testing.assert_array_equal(done, position / 10)
    np.testing.assert_array_equal(left, (10 - position) / 10)


def test_keras_float32_arithmetic_puts_a_restart_one_step_late():
    """t_mul = 2, first = 3: cycle 23 starts at 3 * (2**23 - 1) = 25165821. At the step before it,
    Keras's float32 ``log(1 + c) / log(2)`` is exactly 23; the integer table says 22."""
    f32 = with_float_dtype(np, np.float32)
    step = 3 * (2**23 - 1) - 1
    assert keras_float32_index(step, 3, 2.0) == 23
    index, done, left = xp_geometric_cycle(np.asarray([step, step + 1], dtype=np.int32), 3, 2.0, xp=f32)
    assert index.tolist() == [22, 23]
    assert left[0] == np.float32(1 / (3 * 2**22)) and done[1] == 0


@pytest.mark.parametrize("int_dtype", [np.int8, np.uint8, np.uint16, np.int64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("t_mul", [2.0, 0.5, 1.5])
def test_geometric_cycle_narrow_dtypes_and_shapes(int_dtype, t_mul):
    top = int(np.iinfo(int_dtype).max)
    steps = np.arange(0, top, max(top // 60, 1)).astype(int_dtype).reshape(-1, 1)[:60]
    for xp in (np, with_float_dtype(np, np.float32)):
        index, done, left = xp_geometric_cycle(steps, 3, t_mul, xp=xp)
        assert index.shape == done.shape == left.shape == steps.shape
        want = [geometric_cycle(int(s), 3, t_mul) for s in steps.reshape(-1).tolist()]
        assert index.reshape(-1).tolist() == [i for i, _, _ in want]
    negative = xp_geometric_cycle(np.asarray([-5, 0], dtype=np.int32), 3, 2.0, xp=np)
    assert negative[0].tolist() == [0, 0] and negative[1].tolist() == [0, 0]


@pytest.mark.parametrize(
    ("first", "t_mul", "message"),
    [
        (0, 2.0, "first must be an int >= 1"),
        (1.5, 2.0, "first must be"),
        (3, 0.0, "t_mul must be"),
        (3, float("inf"), "t_mul must be"),
        (1, 1.0000001, "too close to 1"),
    ],
)
def test_geometric_cycle_bad_arguments(first, t_mul, message):
    with pytest.raises(ValueError, match=message):
        xp_geometric_cycle(np.asarray([1], dtype=np.int64), first, t_mul, xp=np)
