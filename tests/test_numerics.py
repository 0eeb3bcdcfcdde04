"""The numerics helper against exact math: float64, float32 (numpy and array_api_strict), exact ints."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import array_api_strict
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from oracle import assert_close, exact_exponential

import lrsched
from lrsched.exact import namespace as exact_namespace
from lrsched.numerics import xp_floor_divide, xp_ldexp, xp_product
from lrsched.testing import assert_close as kit_close
from lrsched.xp import scalar, with_float_dtype, xp_float_dtype

lr0s = st.one_of(st.sampled_from([0.0, 0.1, 1.0, 3e-4]), st.floats(1e-8, 10.0))
rates = st.one_of(st.sampled_from([0.5, 0.96, 0.999, 1.0, 2.0]), st.floats(1e-3, 4.0))
periods = st.one_of(st.sampled_from([1, 3, 1000, 100_000, 2**31 - 1]), st.integers(1, 2**40))
specs = st.builds(lrsched.ExponentialDecay, lr0s, periods, rates, st.booleans())


@pytest.fixture(autouse=True)
def _float_edges_are_expected():
    """Overflow to inf and underflow to 0 are the honest answers here (the numpy backend says so too)."""
    with np.errstate(over="ignore", under="ignore"):
        yield


def _check_all(spec, steps, got, *, dtype, ulps=4):
    for step, value in zip(steps, got, strict=True):
        want = exact_exponential(
            spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase, int(step)
        )
        if dtype == "float64" and not Decimal("1e-300") < want < Decimal("1e300") and want != 0:
            continue  # float64 exp over- or underflows before the scale is applied: documented
        assert_close(float(value), want, dtype=dtype, ulps=ulps)


@given(specs, st.lists(st.integers(0, 2**53), min_size=1, max_size=20))
def test_float64_within_1e_12_up_to_2_53(spec, steps):
    got = spec.value(np.asarray(steps, dtype=np.int64), np)
    assert got.dtype == np.float64
    _check_all(spec, steps, got, dtype="float64")


@given(specs, st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=20))
def test_float64_holds_for_every_int64_step(spec, steps):
    _check_all(spec, steps, spec.value(np.asarray(steps, dtype=np.int64), np), dtype="float64")


@pytest.mark.parametrize("int_dtype", [np.int32, np.int64])
@given(spec=specs, data=st.data())
def test_float32_within_2_ulps_numpy(int_dtype, spec, data):
    top = np.iinfo(int_dtype).max
    steps = data.draw(st.lists(st.one_of(st.integers(0, top), st.integers(0, 50)), min_size=1, max_size=20))
    got = spec.value(np.asarray(steps, dtype=int_dtype), with_float_dtype(np, np.float32))
    assert got.dtype == np.float32
    _check_all(spec, steps, got, dtype="float32", ulps=2)


@given(specs, st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=8))
def test_float32_within_2_ulps_array_api_strict(spec, steps):
    """Only standard Array API functions (and the portable ldexp): array_api_strict has no ldexp."""
    xp = array_api_strict
    got = spec.value(xp.asarray(steps, dtype=xp.int32), with_float_dtype(xp, xp.float32))
    assert got.dtype == xp.float32
    _check_all(spec, steps, np.asarray(got), dtype="float32", ulps=2)


@given(specs, st.lists(st.integers(0, 2**53), min_size=1, max_size=8))
def test_float64_array_api_strict(spec, steps):
    got = spec.value(array_api_strict.asarray(steps, dtype=array_api_strict.int64), array_api_strict)
    _check_all(spec, steps, np.asarray(got), dtype="float64")


@given(specs, st.integers(0, 10**40))
def test_python_ints_are_correctly_rounded(spec, step):
    q, r = divmod(step, spec.decay_steps)
    if (spec.staircase or r == 0) and q <= 200:  # a rational value: its Fraction, rounded once (ties to even)
        want = float(Fraction(spec.initial_learning_rate) * Fraction(spec.decay_rate) ** q)
    else:  # irrational (or beyond float64's range): 60 digits settle it
        want = float(
            exact_exponential(
                spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase, step
            )
        )
    assert spec(step) == want


@given(
    spec=specs.filter(lambda s: s.staircase),
    stair=st.integers(1, 2**62),
    int_dtype=st.sampled_from(["int32", "int64"]),
)
def test_stair_boundaries_are_exact(spec, stair, int_dtype):
    """The last step of a stair and the first of the next differ by exactly one factor of decay_rate."""
    top = np.iinfo(int_dtype).max
    boundary = stair * spec.decay_steps
    assume(boundary <= top)
    steps = np.asarray([boundary - spec.decay_steps, boundary - 1, boundary], dtype=int_dtype)
    for xp, dtype in [(np, "float64"), (with_float_dtype(np, np.float32), "float32")]:
        first, last, next_ = (float(v) for v in spec.value(steps, xp))
        assert first == last  # one stair, one value, bit for bit
        want = exact_exponential(
            spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, True, boundary
        )
        if dtype == "float32" or Decimal("1e-300") < want < Decimal("1e300"):
            assert_close(next_, want, dtype=dtype)
    assert spec(boundary - 1) == spec(boundary - spec.decay_steps)


def test_staircase_where_float32_division_slips():
    """Past 2**25 float32 steps round to multiples of 4: the naive stair is one too high; ours is exact."""
    spec = lrsched.ExponentialDecay(1.0, 3, 0.999999, staircase=True)
    step = 3 * 11184812 - 1  # 33554435, the last step of stair 11184811; float32 rounds it up to 3 * 11184812
    naive_stair = np.floor(np.float32(step) / np.float32(3))
    assert naive_stair == 11184812
    assert xp_floor_divide(np.int32(step), 3, xp=np) == 11184811
    got = spec.value(np.asarray([step], dtype=np.int32), with_float_dtype(np, np.float32))
    want = exact_exponential(1.0, 3, 0.999999, True, step)
    assert_close(float(got[0]), want, dtype="float32", ulps=2)
    naive = exact_exponential(1.0, 3, 0.999999, True, step + 1)  # what the naive stair evaluates
    assert_close(float(naive), want, dtype="float64", rtol=2e-6)  # one factor of decay_rate apart...
    with pytest.raises(AssertionError):
        assert_close(float(naive), want, dtype="float32", ulps=4)  # ...which is many float32 ulps


def test_negative_array_steps_extend_the_formula():
    """Documented: arrays may hold negative steps; the formula (with floor division) extends to them."""
    smooth = lrsched.ExponentialDecay(0.1, 10, 0.5)
    stairs = lrsched.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    steps = np.asarray([-10, -1, 0], dtype=np.int64)
    np.testing.assert_allclose(smooth.value(steps, np), [0.2, 0.1 * 0.5**-0.1, 0.1], rtol=1e-15)
    np.testing.assert_array_equal(stairs.value(steps, np), [0.2, 0.2, 0.1])
    f32 = stairs.value(steps.astype(np.int32), with_float_dtype(np, np.float32))
    np.testing.assert_array_equal(f32, np.float32([0.2, 0.2, 0.1]))


@pytest.mark.parametrize("int_dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
def test_unsigned_steps_in_float32(int_dtype):
    """Found with JAX, which wraps clip's negative bound into an unsigned dtype."""
    spec = lrsched.ExponentialDecay(1.0, 10, 0.5, staircase=True)
    steps = np.asarray([0, 9, 10, np.iinfo(int_dtype).max], dtype=int_dtype)
    got = spec.value(steps, with_float_dtype(np, np.float32))
    assert got[:3].tolist() == [1.0, 1.0, 0.5]
    _check_all(spec, steps.tolist(), got, dtype="float32", ulps=2)


@pytest.mark.parametrize("int_dtype", [np.int8, np.int32, np.int64, np.uint32])
def test_floor_divide_by_more_than_the_dtype_holds(int_dtype):
    info = np.iinfo(int_dtype)
    steps = np.asarray([info.min, 0, info.max], dtype=int_dtype)
    got = xp_floor_divide(steps, 2**64, xp=np)
    assert got.dtype == int_dtype
    assert got.tolist() == [s // 2**64 for s in steps.tolist()]
    assert xp_floor_divide(10**30, 7, xp=exact_namespace(128)) == 10**30 // 7


@pytest.mark.parametrize(("dtype", "top"), [("float32", 300), ("float64", 2300)])
def test_portable_ldexp_is_exact_for_every_exponent(dtype, top):
    xp = array_api_strict
    n = np.arange(-top, top + 1, dtype=np.int32)
    for x in (0.7071067, 1.0, 1.5, 2.828427, 0.0, 3e-320 if dtype == "float64" else 1e-40):
        want = np.ldexp(np.asarray(x, dtype=dtype), n)
        got = xp_ldexp(xp.full(n.shape, x, dtype=getattr(xp, dtype)), xp.asarray(n), xp=xp)
        np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("namespace", ["numpy", "numpy-float32", "array_api_strict"])
def test_a_product_of_three_has_the_range_of_its_result(namespace):
    """1e36 * 3e272 overflows float64 and 1e-200 * 1e-200 underflows: times a third factor each
    is back in range (found by tox -e fuzz: Product(Clip(Constant(2.5e36)), ...) gave inf)."""
    xp = {
        "numpy": np,
        "numpy-float32": with_float_dtype(np, np.float32),
        "array_api_strict": array_api_strict,
    }[namespace]
    narrow = namespace == "numpy-float32"
    dtype = xp_float_dtype(xp)
    rows = (
        [
            (2.5e36, 3e272, 0.125),
            (1e-200, 1e-200, 1e300),
            (0.0, math.inf, 2.0),
            (3.0, 5.0, 7.0),
            (1e-320, 1e300, 1e10),
        ]
        if not narrow
        else [
            (1e30, 1e20, 1e-25),
            (1e-30, 1e-20, 1e25),
            (0.0, math.inf, 2.0),
            (3.0, 5.0, 7.0),
            (1e-44, 1e30, 1e10),
        ]
    )
    with np.errstate(over="ignore"):
        columns = [xp.asarray([r[i] for r in rows], dtype=dtype) for i in range(3)]
    got = [float(v) for v in np.asarray(xp_product(columns, xp=xp)).tolist()]
    for (a, b, c), g in zip(rows, got, strict=True):
        want = float(Fraction(a) * Fraction(b) * Fraction(c)) if math.inf not in (a, b) else 0.0
        if narrow:
            a32, b32, c32 = (float(np.float32(v)) for v in (a, b, c))  # the factors as float32 holds them
            want = float(Fraction(a32) * Fraction(b32) * Fraction(c32)) if math.inf not in (a, b) else 0.0
        kit_close(g, want, dtype="float32" if narrow else "float64")
    assert xp_product([2.5e36, 3e272, 0.125], xp=scalar) == 9.375e307


def test_float_dtype_of_namespaces():
    assert xp_float_dtype(np) == np.float64
    assert xp_float_dtype(with_float_dtype(np, np.float32)) == np.float32
    assert xp_float_dtype(with_float_dtype(with_float_dtype(np, np.float32), np.float16)) == np.float16


def test_narrow_float_dtypes_round_from_float32():
    spec = lrsched.ExponentialDecay(0.1, 1000, 0.96)
    steps = np.arange(0, 10**6, 997)
    got = spec.value(steps, with_float_dtype(np, np.float16))
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, spec.value(steps, with_float_dtype(np, np.float32)).astype(np.float16))


def test_constant_schedules_and_zero_scale():
    steps = np.asarray([0, 10**9, 2**62], dtype=np.int64)
    np.testing.assert_array_equal(lrsched.ExponentialDecay(0.3, 7, 1.0).value(steps, np), [0.3] * 3)
    grows = lrsched.ExponentialDecay(0.0, 1, 2.0)  # 0 * inf must stay 0, not nan
    for xp in (np, with_float_dtype(np, np.float32)):
        np.testing.assert_array_equal(grows.value(steps, xp), [0.0] * 3)
    assert grows(10**100) == 0.0


def test_overflow_and_underflow_are_honest():
    grows = lrsched.ExponentialDecay(1.0, 1, 10.0)
    assert grows(400) == float("inf")
    assert lrsched.ExponentialDecay(1.0, 1, 0.1)(400) == 0.0
    f32 = grows.value(np.asarray([38, 39], dtype=np.int32), with_float_dtype(np, np.float32))
    assert f32[0] == np.float32(1e38) and np.isinf(f32[1])


@given(
    lr0=st.floats(1e-6, 100.0),
    rate=st.floats(1e-3, 4.0),
    period=st.integers(1, 10**6),
    stair=st.integers(0, 40),
    offset=st.integers(0, 10**6),
)
def test_integer_exponents_round_exactly_even_at_ties(lr0, rate, period, stair, offset):
    """A staircase value is rational: its exact Fraction, rounded once, is the answer (ties to even)."""
    spec = lrsched.ExponentialDecay(lr0, period, rate, staircase=True)
    step = stair * period + offset % period
    assert spec(step) == float(Fraction(lr0) * Fraction(rate) ** stair)


@pytest.mark.parametrize(
    ("spec", "step", "want"),
    [
        (lrsched.ExponentialDecay(9.0, 1, 0.96), 1, 8.64),  # 9 * 0.96 is exactly halfway: ties to even
        (lrsched.ExponentialDecay(1.0, 2, 2.25), 1, 1.5),  # a perfect square's root is rational
        (lrsched.ExponentialDecay(3.0, 2, 0.25), 3, 0.375),
        (lrsched.ExponentialDecay(0.1, 100000, 0.96, staircase=True), 250000, 0.09215999999999999),
    ],
)
def test_rational_results_are_exact(spec, step, want):
    assert spec(step) == want


@pytest.mark.slow
@given(spec=specs, seed=st.integers(0, 2**32 - 1))
def test_soak_float32_many_steps(spec, seed):
    """The fuzz env's long run: 2000 random int32 steps per spec, float32 within 2 ulps."""
    steps = np.random.default_rng(seed).integers(0, 2**31 - 1, 2000, dtype=np.int32)
    got = spec.value(steps, with_float_dtype(np, np.float32))
    _check_all(spec, steps.tolist(), got, dtype="float32", ulps=2)


@given(specs, st.integers(0, 2**63 - 1))
def test_the_float64_scalar_namespace(spec, step):
    """lrsched.xp.scalar runs the float64 path on Python scalars: within 1e-12, inf/0 at the edges."""
    from lrsched.xp import scalar

    got = spec.value(step, scalar)
    assert type(got) is float
    want = exact_exponential(
        spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase, step
    )
    if Decimal("1e-300") < want < Decimal("1e300") or want == 0 or float(want) == float("inf"):
        assert_close(got, want, dtype="float64")


def float64_ulps(got: float, exact: Fraction) -> float:
    return float(abs(Fraction(got) - exact) / Fraction(math.ulp(float(exact))))


@pytest.mark.parametrize("namespace", ["numpy", "strict", "scalar"])
@given(
    lr0=st.one_of(st.sampled_from([0.1, 1.0, 3e-4]), st.floats(1e-6, 10.0)),
    rate=st.one_of(st.sampled_from([0.5, 0.25, 0.96, 0.999, 2.0]), st.floats(0.9, 1.0)),
    stair=st.integers(0, 5000),
)
def test_float64_staircases_show_no_noise(namespace, lr0, rate, stair):
    """Issue 11: integer exponents in float64 are exact where the exact value is a float, else
    within 2 ulps (``exp(q * log(base))`` is ~158 ulps off at q = 5000)."""
    from lrsched.xp import scalar

    spec = lrsched.ExponentialDecay(lr0, 10, rate, staircase=True)
    step = 10 * stair + 9
    if namespace == "scalar":
        got = spec.value(step, scalar)
    else:
        xp = np if namespace == "numpy" else array_api_strict
        got = float(spec.value(xp.asarray([step], dtype=xp.int64), xp)[0])
    exact = Fraction(lr0) * Fraction(rate) ** stair
    if not 1e-300 < exact < 1e300 or not 2**-1000 < Fraction(rate) ** stair < 2**1000:
        return  # base ** q over- or underflows before the scale is applied (documented)
    if Fraction(float(exact)) == exact:
        assert got == float(exact)
    assert float64_ulps(got, exact) <= 2


def test_the_torch_steplr_example_prints_clean():
    from lrsched.xp import scalar

    spec = lrsched.ExponentialDecay(0.1, 1, 0.5, staircase=True)
    assert spec.value(3, scalar) == 0.0125
    assert spec.value(np.asarray([3]), np)[0] == 0.0125


@pytest.mark.parametrize("namespace", ["numpy", "scalar"])
@given(
    lr0=st.one_of(st.sampled_from([1.8e-217, 1e-300, 1e300, 2.0**-1000]), st.floats(1e-300, 1e300)),
    rate=st.one_of(st.sampled_from([2.0, 0.5, 0.96, 1e-5, 1e5]), st.floats(1e-6, 1e6)),
    period=st.one_of(st.sampled_from([1, 10, 56264]), st.integers(1, 10**6)),
    staircase=st.booleans(),
    data=st.data(),
)
def test_float64_intermediates_neither_overflow_nor_underflow(namespace, lr0, rate, period, staircase, data):
    """Issue: ``scale * exp(y)`` overflowed in ``exp`` (or underflowed) where the result is a normal
    float, e.g. ``ExponentialDecay(1.8e-217, 56264, 2.0)`` at step 80037208 (exactly 3.0e211).
    The steps drawn are those whose exact value lies near float64's edges, where it happens."""
    from lrsched.xp import scalar

    spec = lrsched.ExponentialDecay(lr0, period, rate, staircase)
    # the exponent (in stairs or fractional periods) where lr0 * rate ** e crosses 2**k
    k = data.draw(st.sampled_from([-1060, -1022, -1000, -900, 900, 1000, 1023, 1030]))
    e = (k - math.log2(lr0)) / math.log2(rate) if rate != 1 else 0.0
    step = round(e * period) + data.draw(st.integers(-3 * period, 3 * period))
    assume(0 <= step < 2**63)  # negative steps extend the formula with the plain intermediate
    want = exact_exponential(lr0, period, rate, staircase, step)
    if namespace == "scalar":
        got = spec.value(step, scalar)
    else:
        got = float(spec.value(np.asarray([step], dtype=np.int64), np)[0])
    if math.isinf(float(want)) and math.isfinite(got):  # at the top edge, one rounding either way
        assert abs(Decimal(got) - want) <= Decimal("1e-12") * want
    else:
        assert_close(got, want, dtype="float64")  # 1e-12 relative, or the subnormal spacing


def test_the_reported_overflow():
    spec = lrsched.ExponentialDecay(1.8e-217, 56264, 2.0)
    want = exact_exponential(1.8e-217, 56264, 2.0, False, 80037208)
    assert_close(float(spec.value(np.asarray([80037208]), np)[0]), want, dtype="float64")
    from lrsched.xp import scalar

    assert_close(spec.value(80037208, scalar), want, dtype="float64")
