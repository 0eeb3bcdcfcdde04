"""The numerics building blocks against exact math (mpmath, tests/support/blocks.py).

Measured as the catalogue is held: float32 within 4 ulps and float64 within 1e-12, at the size
``max(|exact|, 1e-6 * peak)``, at int32 and int64 steps up to the dtype's max.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

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
    periodic_progress,
    progress,
    ratio_steps,
    rational_cycle,
    restart_steps,
    worst,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import lrsched
from lrsched.exact import exact_value, namespace
from lrsched.numerics import (
    xp_cosine_step,
    xp_cycle,
    xp_geometric_cycle,
    xp_half_cosine,
    xp_half_cosine_fraction,
    xp_interval_fraction,
    xp_inverse_time,
    xp_lerp,
    xp_linear_fall,
    xp_periodic_progress,
    xp_polynomial,
    xp_progress,
    xp_progress_power,
    xp_progress_remaining,
    xp_ratio_power,
    xp_rational_cycle,
    xp_remaining,
    xp_sqrt_fall,
    xp_step_power,
)
from lrsched.testing import assert_close
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


@pytest.mark.parametrize("rising", [False, True])
def test_half_cosine_longer_than_the_step_dtype_counts(rising):
    """Half of 256 is beyond int8: array_api_strict refuses to compare int8 steps with it, and
    every int8 step is in the first half anyway."""
    steps = [0, 1, 64, 127]
    got = xp_half_cosine(
        array_api_strict.asarray(steps, dtype=array_api_strict.int8),
        0,
        256,
        rising=rising,
        xp=array_api_strict,
    )
    want = xp_half_cosine(np.asarray(steps), 0, 256, rising=rising, xp=np)
    np.testing.assert_array_equal(np.asarray(got), want)


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
    # rates far beyond 1 too: from rate * num >= 2**24 on the float32 form is another (a rate of
    # 2**100 was held at 2**-100 from step 1 on)
    rate=st.one_of(
        st.sampled_from([0.0, 0.5, 1.0, 1e-6, 3.4e17, 2.0**100, 1e300]), st.floats(0, 100), st.floats(0, 1e40)
    ),
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


@pytest.mark.parametrize("length", [1, 7, 10**5, 2**31 + 5, 2**53 + 3, 2**62 + 1])
@pytest.mark.parametrize("int_dtype", [np.int32, np.int64, np.uint32], ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", sorted(NAMESPACES))
def test_progress_remaining_is_progress_and_remaining(length, int_dtype, name):
    xp, to_xp, _ = NAMESPACES[name]
    info = np.iinfo(int_dtype)
    steps = [int(info.min), -1, 0, 1, length // 2, length - 1, length, length + 1, int(info.max)]
    steps = to_xp(np.asarray([s for s in steps if info.min <= s <= info.max], dtype=int_dtype))
    for start in (0, 3):
        p, q = xp_progress_remaining(steps, start, length, xp=xp)
        np.testing.assert_array_equal(np.asarray(p), np.asarray(xp_progress(steps, start, length, xp=xp)))
        np.testing.assert_array_equal(np.asarray(q), np.asarray(xp_remaining(steps, start, length, xp=xp)))
    for step in (0, 5, length, 2**70):
        assert xp_progress_remaining(step, 0, length, xp=scalar) == (
            xp_progress(step, 0, length, xp=scalar),
            xp_remaining(step, 0, length, xp=scalar),
        )


@pytest.mark.parametrize("length", [1, 3, 10**5, 2**31 - 1, 2**40 + 7, 2**53, 2**53 + 1, 2**62 + 3])
def test_sqrt_fall_against_exact_math(length):
    """1 - sqrt(p) within 4 ulps of its own value, near p = 1 too (float64 and float32)."""
    rng = np.random.default_rng(length)
    near_end = [length - d for d in (0, 1, 2, 3, 1000) if length - d >= 0]
    steps = [0, 1, 2, length // 4, length // 2, *near_end, length + 5]
    steps += [int(s) for s in rng.integers(0, min(length, 2**62), 50)]
    steps = np.asarray([s for s in steps if s < 2**63], dtype=np.int64)
    with mpmath.workprec(200):
        want = [1 - mpmath.sqrt(mpmath.mpf(min(int(s), length)) / length) for s in steps]
    for xp, kind in [(np, "float64"), (with_float_dtype(np, np.float32), "float32")]:
        got = [float(v) for v in xp_sqrt_fall(steps, 0, length, xp=xp)]
        assert worst(got, want, kind)[0] <= (4 if kind == "float32" else 1e-15)
    assert worst([xp_sqrt_fall(int(s), 0, length, xp=scalar) for s in steps], want, "float64")[0] <= 1e-15


class _WithoutSearchsorted:
    """A namespace as ``xp`` without ``searchsorted`` (TensorFlow's): the restart search's
    binary lifting."""

    def __init__(self, xp):
        self._xp = xp

    def __getattr__(self, name):
        if name == "searchsorted":
            raise AttributeError(name)
        return getattr(self._xp, name)


@pytest.mark.parametrize("t_mul", [2.0, 1.5, 0.9, 0.5, 3.0])
@pytest.mark.parametrize("first", [1, 3, 1000])
@pytest.mark.parametrize("int_dtype", [np.int32, np.int64, np.uint32], ids=lambda d: d.__name__)
@pytest.mark.parametrize("xp", [np, with_float_dtype(np, np.float32)], ids=["float64", "float32"])
def test_geometric_cycle_searches_alike_without_searchsorted(t_mul, first, int_dtype, xp):
    top = int(np.iinfo(int_dtype).max)
    rng = np.random.default_rng(first)
    steps = restart_steps(first, t_mul, top, rng) + [int(s) for s in rng.integers(0, top, 200)]
    steps = np.asarray([s for s in steps if 0 <= s <= top], dtype=int_dtype)
    got = xp_geometric_cycle(steps, first, t_mul, xp=_WithoutSearchsorted(xp))
    want = xp_geometric_cycle(steps, first, t_mul, xp=xp)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


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


# -- rational progress (HF transformers' num_cycles) ---------------------------------------------
CYCLES = st.one_of(
    st.sampled_from([0.5, 1.0, 3.0, 0.3, 1.3, 2.7, 1e-3, 123.456]),
    st.floats(1e-6, 1e3, allow_nan=False),
    st.floats(1e-300, 1e300, allow_nan=False),
)
LENGTHS = st.one_of(
    st.sampled_from([1, 2, 3, 7, 999, 2**24 + 1, 10**9 + 7, 2**40 + 3]), st.integers(1, 2**63 - 1)
)


def _ratio(cycles: float, length: int, factor: int) -> tuple[int, int]:
    ratio = Fraction(cycles) * factor / length
    return ratio.numerator, ratio.denominator


@pytest.mark.parametrize("int_dtype", INT_DTYPES, ids=lambda d: d.__name__)
@settings(max_examples=12)
@given(cycles=CYCLES, length=LENGTHS, start=st.sampled_from([0, -1, 5, 2**40]), seed=st.integers(0, 2**32))
def test_periodic_progress_against_exact_math(int_dtype, cycles, length, start, seed):
    """HF's cosine of num_cycles waves over a length: the phase exact to its rounding at every
    step of the dtype (negative ones too), so the troughs keep their relative accuracy."""
    num, den = _ratio(cycles, length, 2)
    info = np.iinfo(int_dtype)
    steps = ratio_steps(num, den, start, int(info.min), int(info.max), np.random.default_rng(seed))
    want = [periodic_progress(s, start, num, den) for s in steps]
    for name in sorted(NAMESPACES):
        xp, to_xp, dtype = NAMESPACES[name]
        done, left = xp_periodic_progress(to_xp(np.asarray(steps, dtype=int_dtype)), start, num, den, xp=xp)
        assert np.asarray(done).dtype == np.asarray(left).dtype == np.dtype(dtype)
        cosine = xp_half_cosine_fraction(done, left, xp=xp)
        for label, got, exact in [
            ("done", done, [d for d, _ in want]),
            ("left", left, [lf for _, lf in want]),
            ("cosine", cosine, [(1 + mpmath.cospi(d)) / 2 for d, _ in want]),
        ]:
            error, i = worst(got, exact, dtype)
            assert error <= BOUND[dtype], f"{name} {label} at step {steps[i]}: {error:.3g} off"


@settings(max_examples=30)
@given(cycles=CYCLES, length=LENGTHS, start=st.integers(-5, 5), data=st.data())
def test_periodic_progress_on_python_ints(cycles, length, start, data):
    """Python ints of any size: correctly rounded (scalar) and exact (the exact namespace)."""
    num, den = _ratio(cycles, length, 2)
    for step in [*data.draw(st.lists(st.integers(-(2**70), 2**70), min_size=1, max_size=4)), 0, length]:
        want = periodic_progress(step, start, num, den)
        got = xp_periodic_progress(step, start, num, den, xp=scalar)
        assert [type(g) for g in got] == [float, float]
        assert list(got) == [float(w) for w in want]  # int / int: correctly rounded
        cosine = exact_value(
            lambda s, xp: xp_half_cosine_fraction(*xp_periodic_progress(s, start, num, den, xp=xp), xp=xp),
            step,
        )
        assert cosine == float((1 + mpmath.cospi(want[0])) / 2)


def test_periodic_progress_is_hf_cosine_past_the_end():
    """num_cycles=0.5 over 1000 steps: down to 0 at 1000, up again to the start at 2000 (HF's
    cosine), and the phase of a non-whole period (1.3 waves: 769.2 steps) exact far out."""
    done, left = xp_periodic_progress(np.asarray([0, 500, 1000, 1500, 2000, 3000]), 0, 1, 1000, xp=np)
    cosine = xp_half_cosine_fraction(done, left, xp=np)
    assert cosine.tolist() == pytest.approx([1.0, 0.5, 0.0, 0.5, 1.0, 0.0], rel=1e-15)
    assert cosine[2] == cosine[5] == 0.0 and cosine[4] == 1.0  # the troughs exactly 0
    num, den = _ratio(1.3, 1000, 2)
    steps = [2**62 + k for k in range(-3, 4)]
    done, left = xp_periodic_progress(
        np.asarray(steps, dtype=np.int64), 0, num, den, xp=with_float_dtype(np, np.float32)
    )
    assert worst(left, [periodic_progress(s, 0, num, den)[1] for s in steps], "float32")[0] <= 1


@pytest.mark.parametrize("int_dtype", [*INT_DTYPES, np.uint8, np.int16, np.uint64], ids=lambda d: d.__name__)
@settings(max_examples=10)
@given(
    cycles=st.one_of(st.sampled_from([1.0, 2.0, 3.0, 0.3, 2.7, 7.0, 1e-300, 4096.0]), st.floats(0, 100)),
    length=LENGTHS,
    seed=st.integers(0, 2**32),
)
def test_rational_cycle_against_exact_math(int_dtype, cycles, length, seed):
    """HF's hard restarts: a restart on its exact integer step (done 0 exactly where one falls on
    an integer), the fractions and the cosine within bounds, up to the end and past it."""
    num, den = _ratio(cycles, length, 1)
    info = np.iinfo(int_dtype)
    top = int(info.max)
    steps = ratio_steps(num, den, 0, int(info.min), top, np.random.default_rng(seed))
    steps = sorted(
        {*steps, *(s for s in (length - 2, length - 1, length, length + 1) if int(info.min) <= s <= top)}
    )
    want = [rational_cycle(s, num, den, length) for s in steps]
    for name in sorted(NAMESPACES):
        xp, to_xp, dtype = NAMESPACES[name]
        done, left = xp_rational_cycle(to_xp(np.asarray(steps, dtype=int_dtype)), num, den, length, xp=xp)
        assert np.asarray(done).dtype == np.dtype(dtype)
        tiny = float(np.finfo(dtype).tiny)  # below it done may round to 0 without a restart
        for step, got, (exact, _) in zip(steps, np.asarray(done).tolist(), want, strict=True):
            if exact == 0 or exact >= tiny:
                assert (got == 0) == (exact == 0), f"{name}: step {step} is a restart: {exact == 0}, {got}"
        cosine = xp_half_cosine_fraction(done, left, xp=xp)
        for label, got, exact in [
            ("left", left, [lf for _, lf in want]),
            ("cosine", cosine, [(1 + mpmath.cospi(d)) / 2 for d, _ in want]),
        ]:
            error, i = worst(got, exact, dtype)
            assert error <= BOUND[dtype], f"{name} {label} at step {steps[i]}: {error:.3g} off"


@settings(max_examples=20)
@given(cycles=st.floats(0, 4096), length=LENGTHS, data=st.data())
def test_rational_cycle_on_python_ints(cycles, length, data):
    num, den = _ratio(cycles, length, 1)
    for step in [*data.draw(st.lists(st.integers(-5, 2**70), min_size=1, max_size=4)), length - 1]:
        want = rational_cycle(step, num, den, length)
        assert list(xp_rational_cycle(step, num, den, length, xp=scalar)) == [float(w) for w in want]
        assert exact_value(lambda s, xp: xp_rational_cycle(s, num, den, length, xp=xp)[1], step) == float(
            want[1]
        )


def test_rational_cycle_restarts_where_hf_puts_them():
    """3 cycles over 1000 steps: restarts at 333.33 and 666.67, so on steps 334 and 667."""
    steps = np.asarray([0, 333, 334, 666, 667, 999, 1000], dtype=np.int32)
    done, _left = xp_rational_cycle(steps, 3, 1000, 1000, xp=with_float_dtype(np, np.float32))
    assert done.tolist()[:5] == pytest.approx([0, 0.999, 0.002, 0.998, 0.001], abs=1e-6)
    assert done[5] == done[6]  # from the end on: as at end - 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: xp_periodic_progress(np.asarray([1]), 0, -1, 3, xp=np), "num must be an int >= 0"),
        (lambda: xp_periodic_progress(np.asarray([1]), 0, 1, 0, xp=np), "den must be an int >= 1"),
        (lambda: xp_periodic_progress(np.asarray([1]), 0.5, 1, 2, xp=np), "start must be an int"),
        (lambda: xp_rational_cycle(np.asarray([1]), 1, 2, 0, xp=np), "end must be an int >= 1"),
        (lambda: xp_rational_cycle(np.asarray([1]), 4097, 1, 2, xp=np), "more than 2\\*\\*12 cycles"),
    ],
)
def test_rational_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- intervals between real positions (torch's OneCycleLR phases) --------------------------------
def interval_fraction(step: int, start: Fraction, end: Fraction) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(done, left)`` exactly, steps below 0 counting as 0 and a step at or past the end done."""
    s = max(step, 0)
    if s >= end:
        done = Fraction(1)
    elif s <= start:
        done = Fraction(0)
    else:
        done = min(max((s - start) / (end - start), Fraction(0)), Fraction(1))
    return tuple(mpmath.mpf(f.numerator) / f.denominator for f in (done, 1 - done))


def _near_integers():
    """Real ends where the interval's maths is delicate: a hair from an integer, halves, big."""
    whole = st.one_of(st.integers(-3, 40), st.integers(0, 2**40), st.sampled_from([2**31 - 2, 2**62]))
    hair = st.sampled_from([0.0, 2.0**-40, -(2.0**-40), 0.5, 1e-9, -1e-9, 0.3])
    return st.builds(lambda w, h: float(w) + h, whole, hair)


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
@pytest.mark.parametrize("int_dtype", INT_DTYPES, ids=lambda d: d.__name__)
@settings(max_examples=25)
@given(start=_near_integers(), length=st.one_of(_near_integers(), st.floats(0, 10)), data=st.data())
def test_interval_fraction_against_exact_math(namespace, int_dtype, start, length, data):
    xp, to_xp, dtype = NAMESPACES[namespace]
    end = start + abs(length)
    a, b = Fraction(start), Fraction(end)
    top = int(np.iinfo(int_dtype).max)
    marks = [0, 1, math.floor(start), math.ceil(start), math.floor(end), math.ceil(end), top]
    steps = {m + d for m in marks for d in (-1, 0, 1)}
    steps |= set(data.draw(st.lists(st.integers(0, top), max_size=6)))
    steps = sorted(s for s in steps if 0 <= s <= top)
    done, left = xp_interval_fraction(to_xp(np.asarray(steps, dtype=int_dtype)), start, end, xp=xp)
    want = [interval_fraction(s, a, b) for s in steps]
    for got, k in ((done, 0), (left, 1)):
        assert np.asarray(got).dtype == np.dtype(dtype)
        error, i = worst(got, [w[k] for w in want], dtype)
        assert error <= BOUND[dtype], f"{('done', 'left')[k]} at step {steps[i]}: {error:.3g} off"
    for s, w in zip(steps[:6], want, strict=False):  # Python ints: float64, and correctly rounded
        got = xp_interval_fraction(s, start, end, xp=scalar)
        assert all(type(g) is float for g in got)
        assert worst(list(got), list(w), "float64")[0] <= 1e-12
        for k in (0, 1):
            assert exact_value(lambda t, xp, k=k: xp_interval_fraction(t, start, end, xp=xp)[k], s) == float(
                w[k]
            )


def test_interval_fraction_edges():
    f32 = with_float_dtype(np, np.float32)
    steps = np.asarray([-3, 0, 1, 2, 3, 4], dtype=np.int64)
    for xp in (np, f32):
        # a step at the end is done, also for an empty interval; negative steps count as 0
        assert xp_interval_fraction(steps, 2, 2, xp=xp)[0].tolist() == [0, 0, 0, 1, 1, 1]
        assert xp_interval_fraction(steps, -1.0, 3, xp=xp)[0].tolist() == [0.25, 0.25, 0.5, 0.75, 1, 1]
        assert xp_interval_fraction(steps, 0.5, 0.75, xp=xp)[1].tolist() == [1, 1, 0, 0, 0, 0]
        assert xp_interval_fraction(steps, 2**70, 2**71, xp=xp)[0].tolist() == [0] * 6
    # the step just past an end a hair below an integer: done is tiny, and exact in float32
    hair = 3.0 - 2.0**-40
    done, _ = xp_interval_fraction(np.asarray([3], dtype=np.int32), hair, hair + 1000, xp=f32)
    assert done[0] == np.float32(2.0**-40 / 1000)
    with pytest.raises(ValueError, match="end must be >= start"):
        xp_interval_fraction(steps, 3.0, 2.0, xp=np)
    with pytest.raises(ValueError, match="start must be finite"):
        xp_interval_fraction(steps, math.inf, 2.0, xp=np)


# -- powers of a fraction or of the step, real-length falls (TF Model Garden's schedules) ----------
def _exact_step_power(scale: float, step: int, power: float) -> mpmath.mpf:
    return mpmath.mpf(scale) * mpmath.mpf(max(step, 1)) ** mpmath.mpf(power)


#: Exact values at or beyond these round to inf.
OVERFLOW = {
    "float32": mpmath.mpf(3.4028235677973366e38),
    "float64": mpmath.mpf(2) ** 1024 * (1 - mpmath.mpf(2) ** -54),
}


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
@pytest.mark.parametrize("int_dtype", INT_DTYPES, ids=lambda d: d.__name__)
@settings(max_examples=10)
@given(
    scale=st.one_of(st.sampled_from([1.0, 0.1, 3e-4]), st.floats(1e-30, 1e30)),
    power=st.one_of(st.sampled_from([-0.5, -1.0, 1.0, -16.0, 16.0]), st.floats(-16, 16)),
    seed=st.integers(0, 2**32),
)
def test_step_power_against_exact_math(namespace, int_dtype, scale, power, seed):
    """``scale * max(step, 1) ** power`` at steps up to the dtype's max: float32 within 4 ulps (no
    intermediate overflow where the result is a float32), float64 within 1e-12."""
    xp, to_xp, dtype = NAMESPACES[namespace]
    top = int(np.iinfo(int_dtype).max)
    rng = np.random.default_rng(seed)
    steps = sorted({0, 1, 2, 3, 2**24 + 1, top, *rng.integers(0, top, 16, endpoint=True).tolist()})
    got = np.asarray(xp_step_power(scale, to_xp(np.asarray(steps, dtype=int_dtype)), power, xp=xp))
    assert got.dtype == np.dtype(dtype)
    for step, value in zip(steps, got.tolist(), strict=True):
        want = _exact_step_power(scale, step, power)
        if want >= OVERFLOW[dtype]:
            assert value == math.inf
            continue
        assert worst([value], [want], dtype, peak=0.0)[0] <= BOUND[dtype], (step, value, want)
    for step in [*steps[:4], 10**30]:  # Python ints: exact, and float64
        want = _exact_step_power(scale, step, power)
        assert float(xp_step_power(scale, step, power, xp=exact)) == float(want)
        if step < 2**63 and want < OVERFLOW["float64"]:
            assert worst([xp_step_power(scale, step, power, xp=scalar)], [want], "float64", 0.0)[0] <= 1e-12


def test_step_power_factor_keeps_an_overflowing_power_finite():
    """``scale * n ** power`` beyond float32 times a small factor: the product, not inf * factor."""
    f32 = with_float_dtype(np, np.float32)
    steps = np.asarray([2**40, 2**40], dtype=np.int64)
    factor = np.asarray([1e-9, 0.0], dtype=np.float32)
    got = xp_step_power(1e30, steps, 1.0, factor=factor, xp=f32)  # 1e30 * 2**40 ~ 1.1e42
    want = mpmath.mpf(1e30) * 2**40 * mpmath.mpf(float(factor[0]))
    assert worst([got[0]], [want], "float32", 0.0)[0] <= 4 and got[1] == 0.0


@pytest.mark.parametrize("complement", [False, True])
@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
@pytest.mark.parametrize("int_dtype", INT_DTYPES, ids=lambda d: d.__name__)
@settings(max_examples=10)
@given(
    power=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, 128.0]), st.floats(0, 128)),
    data=st.data(),
)
def test_progress_power_against_exact_math(complement, namespace, int_dtype, power, data):
    xp, to_xp, dtype = NAMESPACES[namespace]
    top = int(np.iinfo(int_dtype).max)
    start, length = data.draw(intervals(top))
    steps = interesting_steps(start, length, top, np.random.default_rng(data.draw(st.integers(0, 2**32))), 8)
    got = xp_progress_power(
        to_xp(np.asarray(steps, dtype=int_dtype)), start, length, power, complement=complement, xp=xp
    )
    assert np.asarray(got).dtype == np.dtype(dtype)
    want = [progress(s, start, length) ** power for s in steps]
    want = [1 - w for w in want] if complement else want
    error, i = worst(got, want, dtype)
    assert error <= BOUND[dtype], f"step {steps[i]}: {np.asarray(got)[i]!r} is {error:.3g} off"
    for step in steps[:3]:
        value = xp_progress_power(step, start, length, power, complement=complement, xp=exact)
        p = progress(step, start, length) ** power
        assert abs(float(value) - float(1 - p if complement else p)) <= 2**-52


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
@pytest.mark.parametrize("int_dtype", [*INT_DTYPES, np.uint64], ids=lambda d: d.__name__)
@settings(max_examples=10)
@given(
    end=st.one_of(st.sampled_from([1, 100, 2**31 - 1, 2**40, 2**63 - 1]), st.integers(1, 2**64)),
    fraction=st.one_of(st.sampled_from([1.0, 0.1, 0.5]), st.floats(1e-9, 1.0)),
    seed=st.integers(0, 2**32),
)
def test_linear_fall_against_exact_math(namespace, int_dtype, end, fraction, seed):
    """``clip((end - step) / length, 0, 1)`` with a real length (an end beyond the dtype too)."""
    xp, to_xp, dtype = NAMESPACES[namespace]
    if namespace.startswith("strict") and int_dtype is np.uint64:
        return  # array_api_strict has no mixed-kind clip bounds for uint64: numpy covers it
    length = end * Fraction(fraction)
    top = int(np.iinfo(int_dtype).max)
    begin = end - math.ceil(length)
    marks = [0, 1, begin - 1, begin, begin + 1, end - 1, end, end + 1, top]
    rng = random.Random(seed)
    steps = sorted({s for s in [*marks, *(rng.randint(0, top) for _ in range(8))] if 0 <= s <= top})
    got = xp_linear_fall(to_xp(np.asarray(steps, dtype=int_dtype)), end, length, xp=xp)
    assert np.asarray(got).dtype == np.dtype(dtype)
    fall = [min(max(Fraction(end - s), Fraction(0)) / length, Fraction(1)) for s in steps]
    want = [mpmath.mpf(f.numerator) / f.denominator for f in fall]
    error, i = worst(got, want, dtype)
    assert error <= BOUND[dtype], f"step {steps[i]}: {np.asarray(got)[i]!r} is {error:.3g} off"
    for step, f in zip(steps[:4], fall[:4], strict=True):
        assert float(xp_linear_fall(step, end, length, xp=exact)) == float(f)
        assert xp_linear_fall(step, end, length, xp=scalar) == pytest.approx(float(f), rel=1e-15)


@pytest.mark.parametrize(
    "int_dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint64], ids=lambda d: d.__name__
)
@given(length=st.one_of(st.integers(1, 300), st.integers(1, 2**64)), data=st.data())
def test_periodic_cosine_step_keeps_the_cosine(int_dtype, length, data):
    """``xp_cosine_step(periodic=True)``: a step in [0, length] whose cosine of ``pi * step / length``
    is the step's own, on both sides of 0 (exact: in integers; the dtype's minimum, whose
    ``|step|`` the dtype cannot hold, is one off where a period is longer than the dtype reaches)."""
    info = np.iinfo(int_dtype)
    low = int(info.min) + (1 if info.min < 0 else 0)
    steps = data.draw(st.lists(st.integers(low, int(info.max)), min_size=1, max_size=10))
    steps += [low, int(info.max), 0]
    got = xp_cosine_step(np.asarray(steps, dtype=int_dtype), length, periodic=True, xp=np)
    for step, folded in zip(steps, got.tolist(), strict=True):
        assert 0 <= folded <= length
        assert (folded - step) % (2 * length) == 0 or (folded + step) % (2 * length) == 0, (step, folded)
        assert folded == xp_cosine_step(step, length, periodic=True, xp=exact)


def test_step_power_and_linear_fall_bad_arguments():
    with pytest.raises(ValueError, match=r"power must be a finite float in \[-16, 16\]"):
        xp_step_power(1.0, np.int64(3), 17.0, xp=np)
    with pytest.raises(ValueError, match=r"length must be a real in \(0, end=10\]"):
        xp_linear_fall(np.int64(3), 10, 11.0, xp=np)
    with pytest.raises(ValueError, match="end must be an int >= 0"):
        xp_linear_fall(np.int64(3), -1, 1.0, xp=np)


@pytest.mark.parametrize(
    ("first", "t_mul"),
    [(2**63 - 1, 5.331609159610584e-75), (2251141600351, 1.401298464324817e-45), (3, 1e-90)],
)
def test_geometric_cycle_shorter_than_a_step(first, t_mul):
    """A cycle of ``first * t_mul`` far below a step holds one integer step (offsets 0): its
    fractions are exact constants, not products with ``1 / length``, which overflows float32 (nan
    from ``0 * inf``, found by the kit through CosineDecayRestarts) or even float64."""
    steps = sorted({s for s in [0, 1, first - 1, first, first + 1, 2**62, 2**63 - 1] if 0 <= s < 2**63})
    want = [xp_geometric_cycle(s, first, t_mul, xp=exact) for s in steps]
    for name in sorted(NAMESPACES):
        xp, to_xp, dtype = NAMESPACES[name]
        index, done, left = xp_geometric_cycle(to_xp(np.asarray(steps, dtype=np.int64)), first, t_mul, xp=xp)
        assert np.asarray(index).tolist() == [i for i, _, _ in want]
        assert worst(done, [mpmath.mpf(float(d)) for _, d, _ in want], dtype)[0] <= BOUND[dtype]
        assert worst(left, [mpmath.mpf(float(w)) for _, _, w in want], dtype)[0] <= BOUND[dtype]


@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_phases_end_by_the_last_step_past_2_53(three_phase):
    """torch's float64 phase end ``float(pct * total) - 1`` rounds beyond ``total - 1`` past 2**53
    (pct_start 1.0, or 0.5 with three phases): the phases end at ``total - 1`` at the latest."""
    total = 17140623191463657
    spec = lrsched.OneCycle(0.1, total, pct_start=0.5 if three_phase else 1.0, three_phase=three_phase)
    assert all(start <= end <= total - 1 for start, end, _, _ in spec._phases)
    steps = np.array([0, total - 2, total - 1, total], dtype=np.int64)
    got = lrsched.render(spec, "numpy")(steps)
    assert got.tolist() == pytest.approx([spec(int(s)) for s in steps], rel=1e-12)
    assert spec(total) == 0.1 / 25 / 1e4


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("alpha", [0.0, 0.25])
def test_restarts_past_the_limit_with_a_factor_beyond_the_float_range(dtype, alpha):
    """Cycles shrinking below a step (t_mul 2e-209) leave the fraction at 0 after the first
    restarts while ``m_mul ** i`` (1e37 per restart) is far past float32's range: the value there
    is ``alpha * lr0`` (0 * inf was nan, found by the kit's generated specs)."""
    spec = lrsched.CosineDecayRestarts(1.0, 3, t_mul=2e-209, m_mul=1e37, alpha=alpha)
    steps = np.array([0, 1, 2, 3, 4, 5, 100, 2**31 - 1], dtype=np.int64)
    got = lrsched.render(spec, "numpy", dtype=dtype)(steps)
    want = np.array([spec(int(s)) for s in steps], dtype=dtype)
    assert want[4:].tolist() == [alpha] * 4
    np.testing.assert_allclose(got, want, rtol=1e-12 if dtype == "float64" else 2**-22, atol=0)


def test_inverse_time_keeps_its_own_size_far_out():
    """InverseTimeDecay in float32 within 4 ulps of its own value out to 2**62 (it was held at
    2**-64 of its start beyond, 3x its value at 2**31: a warm-up whose target is taken that far
    out, PolynomialWarmUp(PolynomialWarmUp(...), 36320349998075), showed it; found by the kit's
    generated compositions)."""
    inner = lrsched.InverseTimeDecay(4.125e36, 297542, 7.36e15)
    outer = lrsched.PolynomialWarmUp(lrsched.PolynomialWarmUp(inner, 1, power=2.2e-308), 36320349998075)
    steps = np.array([2**31 - 1, 2**40, 36320349998075, 2**62], dtype=np.int64)
    for spec in (inner, outer):
        got = lrsched.render(spec, "numpy", dtype="float32")(steps).astype(np.float64)
        want = np.array([spec(int(s)) for s in steps])
        ulps = np.abs(got - want) / np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
        assert ulps.max() <= 4, (spec, ulps)


@pytest.mark.parametrize(("power", "end"), [(40.0, 0.5), (17.0, 0.0001), (128.0, 0.75), (33.3, 0.999)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_polynomial_extension_whose_power_overflows_where_the_value_does_not(dtype, power, end):
    """Before the offset, ``(1 + |k| / T) ** power`` may pass the float's max while ``(1 - end) *``
    it does not: it gave inf (PolynomialDecayWithOffset(67636224, 1.0, 1, 0.0001, power=40) at
    step 2**24, exactly 1.7975e308; found by tox -e fuzz). Every step of that window, sampled."""
    top, length = (3.4028234663852886e38, 10**6) if dtype == "float32" else (1.7976931348623157e308, 1)
    low = 2 ** (math.log2(top) / power)
    high = 2 ** ((math.log2(top) - math.log2(1 - end)) / power)
    ks = np.unique(np.linspace((low - 1) * length, (high - 1) * length, 60).astype(np.int64))
    spec = lrsched.Offset(
        lrsched.PolynomialDecay(1.0, length, end_learning_rate=end, power=power), int(ks[-1])
    )
    steps = int(ks[-1]) - ks
    got = lrsched.render(spec, "numpy", dtype=dtype)(steps).tolist()
    assert all(math.isfinite(g) for g in got[1:-1])  # the window's inside: finite
    for step, g in zip(steps.tolist(), got, strict=True):
        assert_close(g, spec(step), dtype=dtype, where=f"step {step}")


@pytest.mark.parametrize(
    ("start", "rate"),
    [(139.0, 5.996441099194341e32), (3e38, 1e50), (1e-30, 1e20), (5e-324, 1e-300), (2.0**-149, 2.0**-130)],
)
def test_inverse_time_divides_its_start_within(start, rate):
    """``start / (1 + rate * k)`` where ``1 / (1 + rate * k)`` is below float32's normal range:
    the start divided within, not times a subnormal quotient (139 / (6e32 * 9.2e7) was 68
    subnormal spacings off; found by tox -e fuzz); starts whose quotient with the rate leaves
    float32's range keep the old order."""
    spec = lrsched.InverseTimeDecay(start, 1, rate)
    steps = np.array([0, 1, 7, 92179111, 2**31 - 1, 2**40, 2**62], dtype=np.int64)
    got = lrsched.render(spec, "numpy", dtype="float32")(steps).tolist()
    for step, g in zip(steps.tolist(), got, strict=True):
        assert_close(g, spec(step), dtype="float32", where=f"step {step}")
    f64 = lrsched.render(spec, "numpy")(steps).tolist()
    for step, g in zip(steps.tolist(), f64, strict=True):
        assert_close(g, spec(step), dtype="float64", where=f"step {step}")


@pytest.mark.parametrize(
    ("scale", "top"),
    [(1.5e-295, 2.7e13), (5e-324, 1.7e308), (1e300, 1e-300), (1.7e308, 5e-324), (0.1, 3.0)],
)
@pytest.mark.parametrize("int_dtype", [np.int32, np.int64, np.uint64], ids=lambda d: d.__name__)
def test_ratio_power_beyond_float64s_ratio(scale, top, int_dtype):
    """A geometric ramp whose ratio top / scale over- or underflows float64 (found by tox -e fuzz:
    an exponential warm-up from 1.5e-295 to 2.7e13 gave inf)."""
    den = 7
    nums = list(range(den + 1))
    mpmath.mp.prec = 200
    want = [
        float(mpmath.mpf(scale) * (mpmath.mpf(top) / mpmath.mpf(scale)) ** (mpmath.mpf(n) / den))
        for n in nums
    ]
    got = xp_ratio_power(scale, top, np.asarray(nums, dtype=int_dtype), den, xp=np)
    assert worst(got, want, "float64")[0] <= 1e-12
    with np.errstate(over="ignore"):  # inf is float32's answer beyond its range
        f32 = xp_ratio_power(
            scale, top, np.asarray(nums, dtype=int_dtype), den, xp=with_float_dtype(np, np.float32)
        )
    for g, w in zip(f32.tolist(), want, strict=True):
        assert_close(g, w, dtype="float32")
    assert [xp_ratio_power(scale, top, n, den, xp=scalar) for n in (0, den)] == pytest.approx(
        [scale, top], rel=1e-14
    )


@pytest.mark.parametrize("int_dtype", [np.int8, np.uint8, np.int16], ids=lambda d: d.__name__)
def test_ratio_power_with_steps_too_narrow_for_its_root(int_dtype):
    """The fourth root's exponent is 4 * num: int8 steps hold 127, not 4 * 127 (found by tox -e
    fuzz: an exponential warm-up from 5e-324 over 128 steps gave inf at int8 step 127)."""
    scale, top, den = 5e-324, 1.0, 128
    nums = np.arange(0, 128, 9, dtype=int_dtype)
    mpmath.mp.prec = 200
    want = [float(mpmath.mpf(scale) * (mpmath.mpf(top) / scale) ** (mpmath.mpf(int(n)) / den)) for n in nums]
    assert worst(xp_ratio_power(scale, top, nums, den, xp=np), want, "float64")[0] <= 1e-12
    f32 = xp_ratio_power(scale, top, nums, den, xp=with_float_dtype(np, np.float32))
    for g, w in zip(f32.tolist(), want, strict=True):
        assert_close(g, w, dtype="float32")


@pytest.mark.parametrize("m_mul", [2.0, 1.8446744073709552e19])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_restarts_from_a_start_whose_span_is_subnormal(dtype, m_mul):
    """``initial * (1 - alpha)`` below float64's normal range, grown by ``m_mul**i``: 5e-324 * 0.5
    rounds to 0 in float64, which made every later cycle 0 (4e-323 exactly at step 15); in float32
    a span below its range made the three thirds of a power beyond it 0 * inf = nan (both found by
    tox -e fuzz)."""
    spec = lrsched.CosineDecayRestarts(5e-324, 1, t_mul=2.0, m_mul=m_mul, alpha=0.5)
    steps = np.array([0, 1, 2, 14, 15, 16, 100, 2**24 - 2, 2**24, 2**30 + 7, 2**31 - 1], dtype=np.int64)
    got = lrsched.render(spec, "numpy", dtype=dtype)(steps).tolist()
    peak = max(spec(int(s)) for s in steps)
    for step, g in zip(steps.tolist(), got, strict=True):
        assert_close(g, spec(step), dtype=dtype, peak=peak)


@pytest.mark.parametrize("rising", [False, True])
@pytest.mark.parametrize("length", [1, 2, 3, 1000, 100_000, 1023906, 2**24 - 1, 2**24, 2**31 - 1])
def test_half_cosine_squared_from_the_plain_pair(rising, length):
    """Exponent 2 squares the half cosine's plain float32 pair (no pair good to 2**-33): within 4
    ulps of mpmath at the ends, the middle, the tail and random steps, and CosinePowerDecay's
    value too (optax's ``cosine_decay_schedule(exponent=2)``)."""
    f32 = with_float_dtype(np, np.float32)
    rng = np.random.default_rng(length)
    marks = [0, 1, 2, length // 4, length // 2, length - 2, length - 1, length, length + 1]
    steps = sorted({s for s in marks + rng.integers(0, length + 1, 300).tolist() if 0 <= s < 2**31})
    array = np.asarray(steps, dtype=np.int32)
    got = xp_half_cosine(array, 0, length, exponent=2.0, rising=rising, xp=f32)
    want = [
        (((1 - mpmath.cospi(progress(s, 0, length))) / 2) ** 2) if rising else half_cosine(s, 0, length, 2.0)
        for s in steps
    ]
    error, i = worst(got, want, "float32")
    assert error <= 4, f"step {steps[i]}: {error:.3g} ulps"
    if not rising:
        spec = lrsched.CosinePowerDecay(0.1, length, alpha=0.01, exponent=2.0)
        alpha = mpmath.mpf(0.01)
        exacts = [mpmath.mpf(0.1) * ((1 - alpha) * w + alpha) for w in want]
        error, i = worst(spec.value(array, f32), exacts, "float32", peak=0.1)
        assert error <= 4, f"{spec}: step {steps[i]}: {error:.3g} ulps"
