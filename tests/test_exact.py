"""``spec(step)``: the exact namespace (lrsched/exact.py) against mpmath at high precision.

The oracle evaluates each formula with mpmath's high-level functions at 3000 bits, a path that
shares none of lrsched's error bounds; ``float(oracle)`` is then the correctly rounded answer.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrsched
from lrsched.exact import evaluate, exact_value, namespace

ORACLE_BITS = 3000


def oracle(fn, *args):
    with mpmath.workprec(ORACLE_BITS):
        return float(fn(*[mpmath.mpf(a) for a in args]))


def to_float(fraction):
    try:
        return float(fraction)
    except OverflowError:
        return math.inf if fraction > 0 else -math.inf


UNARY = [
    ("exp", mpmath.exp, st.floats(-700, 700)),
    ("expm1", mpmath.expm1, st.floats(-50, 50)),
    ("log", mpmath.log, st.floats(1e-300, 1e300)),
    ("log1p", mpmath.log1p, st.floats(-0.999, 1e10)),
    ("sqrt", mpmath.sqrt, st.floats(0, 1e300)),
    ("sin", mpmath.sin, st.floats(-1e6, 1e6)),
    ("cos", mpmath.cos, st.floats(-1e6, 1e6)),
    (
        "cospi",
        mpmath.cospi,
        st.one_of(st.integers(-(10**6), 10**6).map(lambda n: n / 4), st.floats(-1e6, 1e6)),
    ),
    ("tanh", mpmath.tanh, st.floats(-30, 30)),
]


@pytest.mark.parametrize(("name", "reference", "floats"), UNARY, ids=[u[0] for u in UNARY])
@given(data=st.data())
def test_unary_functions_are_correctly_rounded(name, reference, floats, data):
    x = data.draw(floats)
    got = exact_value(lambda step, xp: getattr(xp, name)(xp.real(x)), 0)
    assert got == oracle(reference, x)


@given(
    base=st.floats(1e-3, 1e3),
    num=st.integers(-(10**6), 10**6),
    den=st.integers(1, 10**6),
    step=st.integers(0, 2**70),
)
def test_pow_with_float_and_integer_exponents(base, num, den, step):
    got = exact_value(lambda s, xp: xp.pow(xp.real(base), (s + num) / den), step)
    with mpmath.workprec(ORACLE_BITS):
        want = float(mpmath.mpf(base) ** (mpmath.mpf(step + num) / den))
    assert got == want
    small = num % 601 - 300  # an integer exponent: the exact power, rounded once
    assert exact_value(lambda s, xp: xp.real(base) ** small, 0) == to_float(Fraction(base) ** small)


@given(a=st.floats(-1e300, 1e300), b=st.floats(-1e300, 1e300), c=st.floats(1e-300, 1e300))
def test_arithmetic_is_exact_then_rounded_once(a, b, c):
    """Sums and products of floats are exact (so ties are ties); a quotient rounds once."""
    got = exact_value(lambda s, xp: (xp.real(a) * b + c) / c, 0)
    assert got == to_float((Fraction(a) * Fraction(b) + Fraction(c)) / Fraction(c))


def test_ties_round_to_even():
    one = 1.0
    assert exact_value(lambda s, xp: xp.real(one) + 2.0**-53, 0) == 1.0  # halfway: down, to even
    assert exact_value(lambda s, xp: xp.real(one + 2.0**-52) + 2.0**-53, 0) == 1.0 + 2.0**-51  # up, to even
    assert lrsched.ExponentialDecay(9.0, 1, 0.96)(1) == 8.64  # 9 * 0.96 is exactly halfway


def test_steps_of_any_size_divide_exactly():
    """``step / d`` on the exact namespace's steps is a real, not Python's rounded float."""
    big = 10**30 + 1
    assert exact_value(lambda s, xp: (s / 3 - big // 3) * 3, big) == big % 3
    assert exact_value(lambda s, xp: s / 3 - xp.floor(s / 3), big) == float(Fraction(big % 3, 3))
    assert exact_value(lambda s, xp: s * 0.5, 2**80 + 1) == float(Fraction(2**80 + 1, 2))


@pytest.mark.parametrize("length", [1000, 2**31 - 1, 2**62, 10**30])
def test_cancellation_is_evaluated_again_at_a_higher_precision(length):
    """A naive half-cosine cancels about 2 log2(length) bits in its tail: still correctly rounded."""
    step = length - 1

    def naive(s, xp):
        return 0.5 * (1 + xp.cos(xp.pi * s / length))

    with mpmath.workprec(ORACLE_BITS):
        want = float(0.5 * (1 + mpmath.cos(mpmath.pi * step / length)))
    assert exact_value(naive, step) == want
    assert want > 0


def test_cospi_is_exact_where_it_is_0_or_1_so_comparisons_decide_at_once(monkeypatch):
    """``cos(pi * x)`` at an exact multiple of 1/2 is exactly 0 or +-1: with an approximate pi,
    ``1 + cos(pi)`` is a ~2**-prec that a comparison with 0 never decides (found through
    CosineAnnealing at its floor: 4.5 ms a call, every precision up to the cap)."""
    precisions = []
    real = lrsched.exact.namespace
    monkeypatch.setattr(
        lrsched.exact, "namespace", lambda prec, strict=True: precisions.append(prec) or real(prec, strict)
    )
    for half in range(-8, 9):
        assert exact_value(
            lambda s, xp, h=half: xp.where(1 + xp.cospi(xp.real(h / 2)) == 0, 1.0, 2.0), 0
        ) == (1.0 if half % 4 == 2 else 2.0)
    assert lrsched.CosineAnnealing(0.1, 1000, eta_min=0.001)(3000) == 0.001
    assert lrsched.OneCycle(0.1, 10000)(2999) == 0.1  # the peak: the end of a phase
    assert lrsched.OneCycle(0.1, 10000)(11995) == 0.1 / 25 / 1e4  # past the end: the floor
    assert len(precisions) == 17 + 1 + 2  # one precision per value


@pytest.mark.parametrize(
    ("base", "exponent", "want"),
    [
        (0.25, 0.5, 0.5),
        (1.0, 0.3, 1.0),
        (1.0, 1.5, 1.0),
        (0.25, -1.5, 8.0),
        (2.0**-40, 0.125, 2.0**-5),
        (9.0, 2.5, 243.0),
    ],
)
def test_pow_is_exact_where_the_power_is_exact(base, exponent, want):
    """An exact power (a dyadic exponent of a perfect square, 1 ** anything) is exact, not
    exp(y log a): spec(0) of a rising PolynomialDecay with power 0.5 is 0.1 - 0.1 * 1 ** 0.5 = 0,
    which an inexact 1 ** 0.5 left open at every precision."""
    assert evaluate(lambda s, xp: xp.pow(xp.real(base), exponent) - want, 0) == (0.0, 104, True)
    assert lrsched.PolynomialDecay(0.0, 3000, 0.1, power=0.5)(0) == 0.0


def test_comparisons_floor_and_round_are_decided_exactly():
    # 0.1 * 3 is not 0.3 in float64 constants, and the exact namespace knows which side it is on
    assert exact_value(lambda s, xp: xp.where(xp.real(0.1) * 3 > 0.3, xp.real(1.0), xp.real(0.0)), 0) == 1.0
    assert exact_value(lambda s, xp: xp.floor(xp.exp(xp.real(1.0)) * 10), 0) == 27.0
    assert (
        exact_value(lambda s, xp: xp.round(xp.real(2.5)) + xp.round(xp.real(3.5)), 0) == 6.0
    )  # half to even


def test_ieee_edges():
    assert exact_value(lambda s, xp: xp.real(1.0) / 0.0, 0) == math.inf
    assert math.isnan(exact_value(lambda s, xp: xp.real(0.0) / 0.0, 0))
    assert exact_value(lambda s, xp: xp.log(xp.real(0.0)), 0) == -math.inf
    assert exact_value(lambda s, xp: xp.exp(xp.real(1e6)), 0) == math.inf
    assert exact_value(lambda s, xp: xp.exp(xp.real(-1e6)), 0) == 0.0
    assert exact_value(lambda s, xp: 0.0 * xp.exp(xp.real(1e6)), 0) == 0.0  # 0 * a huge value is 0, not nan
    assert (
        exact_value(lambda s, xp: xp.real(1.5) * 2.0**-1074, 0) == 2 * 2.0**-1074
    )  # subnormal, ties to even


def test_values_far_beyond_float64_keep_a_relative_error_bound():
    """exp(x) beyond float64's range is computed to the working precision, not kept as a value
    that only rounds right: a product of such values (Product of a rising and a falling
    exponential) comes back within the range, and a constant times one still decides at once."""
    rising, falling = lrsched.ExponentialDecay(1.0, 1, 1e30), lrsched.ExponentialDecay(1.0, 1, 1e-30)
    for step in (100, 10**6):
        value, _, settled = evaluate(lrsched.Product([rising, falling]).value, step)
        with mpmath.workprec(ORACLE_BITS):
            want = float(mpmath.mpf(1e30) ** step * mpmath.mpf(1e-30) ** step)
        assert settled and value == want
    huge = lrsched.ExponentialDecay(2.824960091663014e16, 28700, 2.3190878327718428e36)
    assert evaluate(huge.value, 377067549) == (math.inf, evaluate(huge.value, 377067549)[1], True)
    assert evaluate(huge.value, 377067549)[1] < 256  # decided at the first precision or so


def test_a_missing_function_is_named():
    ns = namespace(128)
    with pytest.raises(lrsched.UnsupportedFunctionError, match=r"no function 'arctan2'.*may use:.*cos"):
        ns.arctan2  # noqa: B018
    assert getattr(ns, "ldexp", None) is None  # still an AttributeError: getattr's default works
    assert isinstance(lrsched.UnsupportedFunctionError("x"), AttributeError)


class WarmupCosine(lrsched.Schedule):
    """A plugin's schedule written with cos and a float power: spec(k) needs the exact namespace."""

    peak: float = 0.1
    warmup: int = 100
    total: int = 1000

    def value(self, step, xp):
        p = xp.clip((step - self.warmup) / (self.total - self.warmup), 0.0, 1.0)
        decay = 0.5 * (1 + xp.cos(xp.pi * p)) ** 1.0
        return xp.where(step < self.warmup, self.peak * step / self.warmup, self.peak * decay)


def test_a_plugin_schedule_with_cos_works_in_spec_show_and_plot(fresh_host, capsys, tmp_path):
    from lrsched.cli import main

    class Plugin:
        @lrsched.hookimpl
        def lrsched_register_schedules(self, register):
            register(WarmupCosine)

    fresh_host.register(Plugin(), name="warmup-cosine")
    spec = WarmupCosine()
    assert spec(50) == 0.05
    assert spec(550) == pytest.approx(0.05, rel=1e-15)
    assert spec(1000) == 0.0
    assert main(["show", "WarmupCosine", "--steps", "0,50,550,1000"]) == 0
    out = capsys.readouterr().out
    assert "0.05" in out and "Traceback" not in out
    assert main(["plot", "WarmupCosine"]) == 0  # the sparkline, no traceback
    assert "Traceback" not in capsys.readouterr().err


class UsesArctan(lrsched.Schedule):
    lr: float = 0.1

    def value(self, step, xp):
        return self.lr * xp.arctan(xp.asarray(1.0) * step)


def test_show_names_a_missing_function_without_a_traceback(fresh_host, capsys):
    from lrsched.cli import main

    class Plugin:
        @lrsched.hookimpl
        def lrsched_register_schedules(self, register):
            register(UsesArctan)

    fresh_host.register(Plugin(), name="uses-arctan")
    with pytest.raises(lrsched.UnsupportedFunctionError, match="'arctan'"):
        UsesArctan()(3)
    code = main(["show", "UsesArctan", "--steps", "0,3"])
    err = capsys.readouterr().err
    assert code != 0
    assert "arctan" in err and "Traceback" not in err


def test_a_rational_tie_settles_at_the_first_precision():
    """A ramp's value at step 17 of 18 is ``a + (b - a) * 17 / 18``; with ``b - a = 9 * 2**-52``
    it is ``1 + 17 * 2**-53``, exactly halfway between two floats: to even, decided by the
    rational the quotient carries (it used to run every precision to the cap)."""
    from fractions import Fraction

    a, b = 1.0, 1 + 9 * 2**-52
    spec = lrsched.PolynomialDecay(a, 18, b)  # rising: start + (end - start) * p
    want = Fraction(a) + (Fraction(b) - Fraction(a)) * Fraction(17, 18)
    assert want == 1 + Fraction(17, 2**53)  # a tie
    value, prec, settled = evaluate(spec.value, 17)
    assert settled and prec < 256
    assert value == float(want) == 1 + 8 * 2**-52  # the even neighbour


@pytest.mark.parametrize(
    ("formula", "want"),
    [
        (lambda k, xp: xp.floor(k / 3 * 3), 7),  # 7 / 3 * 3 is exactly 7: floor 7, not 6
        (lambda k, xp: xp.ceil(k / 3 * 3), 7),
        (lambda k, xp: xp.round(k / 14 * 7), 4),  # 3.5: half to even
        (lambda k, xp: xp.where(k / 3 * 3 == 7, 1.0, 0.0), 1.0),
        (lambda k, xp: (k / 3 - 1) * 3 - 4, 0.0),  # an exact 0, from rationals
    ],
)
def test_rational_results_are_decided_exactly(formula, want):
    value, prec, settled = evaluate(formula, 7)
    assert value == want
    assert settled and prec < 256


def test_a_decided_extremum_is_the_value_picked_not_a_blur_of_both():
    """``minimum(x, 0)`` with ``x`` clearly above 0 is exactly 0: it was 0 with ``x``'s error
    bound, which no precision could round (found by tox -e fuzz: a Clip at maximum=0.0 took the
    last precision, 2064 bits)."""
    cosine = lrsched.CosineAnnealing(1.0, T_max=2**23, eta_min=0.0)
    for spec, want in ((lrsched.Clip(cosine, maximum=0.0), 0.0), (lrsched.Clip(cosine, minimum=0.5), 0.5)):
        value, prec, settled = evaluate(spec.value, 2**24 + 1 + 2**23)
        assert (value, settled) == (want, True) and prec < 256


def test_exactly_never_compares():
    """``exactly`` is known equality, decided without a comparison (an inexact real near 1 is not
    exactly 1, however it rounds); xp_lerp's exact ends use it."""
    ns = namespace(128)
    assert ns.exactly(ns.real(1.0), 1) and ns.exactly(ns.Int(3) / 3, 1) and ns.exactly(0, 0)
    assert not ns.exactly(ns.exp(ns.real(0.0)) * 1, 2) and not ns.exactly(ns.real(0.5), 1)
    near = ns.cos(ns.real(1e-30))  # 1 - 5e-61: inexact, rounds to 1 at 128 bits
    assert not ns.exactly(near, 1)


@pytest.mark.parametrize(("rate", "want"), [(2.0, math.inf), (0.5, 0.0)])
@pytest.mark.parametrize("step", [10**18 + 8, 2**63 - 1])
def test_powers_of_exponents_past_10_to_the_18_settle(rate, want, step):
    """2**k for an int64 step has an exponent near 10**18, where the error-bound sentinels sat:
    spec(1000002665268473736) of a Product over ExponentialDecay(1.0, 1, 2.0) read as having no
    correct bits and took every precision (found by tox -e fuzz's exact_settles check)."""
    value, prec, settled = evaluate(lrsched.ExponentialDecay(1.0, 1, rate).value, step)
    assert (value, settled) == (want, True)
    assert prec < 1000


@pytest.mark.parametrize("cycle", [False, True])
def test_a_rise_by_a_tiny_power_settles(cycle):
    """``1 - q**power`` for ``q`` near 1 and a power of 2.2e-311 is 3.7e-310 (a float64
    subnormal), which the difference decides only beyond 1074 bits: the exact rise is
    ``-expm1(power log q)`` (found by tox -e fuzz's exact_settles check)."""
    spec = lrsched.PolynomialDecay(0.0, 2, end_learning_rate=1.0, power=2.225073858507e-311, cycle=cycle)
    step = 16777217 if cycle else 1
    value, prec, settled = evaluate(spec.value, step)
    mpmath.mp.prec = 300
    q = mpmath.mpf(1) / 16777218 if cycle else mpmath.mpf(1) / 2
    assert settled and prec < 1000
    assert value == float(-mpmath.expm1(mpmath.mpf(2.225073858507e-311) * mpmath.log(q)))
