"""Differential tests of lrsched's TF Model Garden twins against TF Model Garden itself.

TF Model Garden's ``official/modeling/optimization/lr_schedule.py`` (tf-models-official 2.20.0)
imports only tensorflow and tf_keras, but its package's ``__init__`` imports the config system
and the optimizer factory (gin-config, PyYAML and more): the tensorflow tox env installs
tf-models-official and tf-keras without dependencies, and the module is loaded here from the
installed distribution by file path (``importlib.util.spec_from_file_location``), so no
``official/__init__`` runs.

Each class against its twin over random configs (hypothesis, a bounded number per test; float
arguments drawn as float32 values, so both sides hold the same constants), at step 0, each
boundary and its neighbours, before the offset, and far past the end. TF Model Garden computes
in float32 with the step cast to float32, called here eagerly one int64 step at a time, as an
optimizer calls it. Both are held to the exact math (``spec(step)``, correctly rounded):

* lrsched in float32 (numpy; the conformance kit renders the same ``value`` for Keras): within
  4 ulps at every step, at the size ``max(|exact|, 1e-6 * peak)`` (:func:`lrsched.testing.assert_close`).
* TF Model Garden, where its float32 step is exact (below 2**24): the ``*WithOffset`` twins of
  Keras's schedules run TF Model Garden's own code in float64 (an ``initial_learning_rate`` tensor
  of float64 makes Keras compute in it), within ``RTOL64`` of the peak: the same formula, with
  no float32 noise to hide a difference behind; the others, whose code casts to float32, within
  ``TFM_ULPS`` float32 ulps of the peak.
* TF Model Garden in float32 past 2**24: measured (printed), not held; its steps round there,
  while lrsched stays within 4 ulps.
* Where lrsched departs from TF Model Garden on purpose (documented in each class), both sides of
  the departure are asserted.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

tf_keras = pytest.importorskip("tf_keras")

import tensorflow as tf  # noqa: E402

import lrsched  # noqa: E402
from lrsched.testing import assert_close, float32_ulp  # noqa: E402

#: TF Model Garden's float32 code may be this many float32 ulps of the schedule's peak from the
#: exact value where its step is exact (each operation rounds; a few amplify the rounding).
TFM_ULPS = 16
#: TF Model Garden's code run in float64: this far from the exact value, relative to the peak.
RTOL64 = 1e-9
FAR = 2**24  # from here on float32 steps round
EXAMPLES = 12  # configs per class


@functools.cache
def tfm():
    """TF Model Garden's lr_schedule.py, loaded by path from the installed distribution."""
    try:
        dist = importlib.metadata.distribution("tf-models-official")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("tf-models-official is not installed (the tensorflow tox env installs it)")
    (path,) = [f for f in dist.files if str(f).endswith("official/modeling/optimization/lr_schedule.py")]
    spec = importlib.util.spec_from_file_location("tfm_lr_schedule", path.locate())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tfm_values(schedule, steps: list[int]) -> np.ndarray:
    """TF Model Garden's schedule at each step, eagerly, one int64 step at a time."""
    return np.asarray([float(schedule(tf.constant(s, tf.int64))) for s in steps])


def lrsched_values(spec, steps: list[int]) -> np.ndarray:
    with np.errstate(all="ignore"):
        return lrsched.render(spec, "numpy", dtype="float32")(np.asarray(steps, np.int64)).astype(float)


def sample_steps(spec, rng: np.random.Generator, offset: int = 0) -> list[int]:
    """Step 0, each breakpoint and its neighbours, steps before the offset, the horizon and far
    past it, steps past 2**24, and random ones."""
    horizon = spec.horizon()
    steps = {0, 1, 2, 3, horizon, 3 * horizon, 10 * horizon, FAR - 1, FAR + 1, 2**31 - 1, 10**12 + 7, 2**62}
    for b in (*spec.breakpoints(), offset):
        steps.update(b + d for d in range(-2, 3))
    if offset:
        steps.update(rng.integers(0, offset, 6).tolist())
    steps.update(rng.integers(0, horizon + 1, 12).tolist())
    return sorted(s for s in steps if 0 <= s < 2**63)


def peak_of(exact: list[float]) -> float:
    return max([abs(e) for e in exact if math.isfinite(e) and abs(e) < 3.4e38], default=0.0)


def tfm_ulps(got: float, exact: float, peak: float) -> float:
    """TF Model Garden's float32 error in float32 ulps of ``max(peak, |exact|)``."""
    if exact >= 3.4028235677973366e38:  # beyond float32: its inf is right (a float32 max too)
        return 0.0 if got >= 3.4028234663852886e38 else math.inf
    if not math.isfinite(got):
        return math.inf
    return abs(got - exact) / float32_ulp(max(peak, abs(exact)))


MEASURED: dict[tuple[str, str], tuple] = {}


def compare(spec, schedule, steps, *, schedule64=None, slack=None, departs=None) -> None:
    """lrsched within 4 ulps everywhere; TF Model Garden as the module docstring says.

    ``schedule64``: TF Model Garden's schedule computing in float64 (held to ``RTOL64``; the
    float32 one is then measured only); ``slack(step)``: a factor on ``TFM_ULPS`` where TF Model
    Garden's float32 arithmetic amplifies its rounding; ``departs(step)``: a documented departure,
    checked by the caller."""
    exact = [spec(s) for s in steps]
    peak = peak_of(exact)
    name = type(spec).__name__
    ours = lrsched_values(spec, steps)
    theirs = tfm_values(schedule, steps)
    theirs64 = tfm_values(schedule64, [s for s in steps if s < FAR]) if schedule64 is not None else None
    for i, (step, want, got, their) in enumerate(
        zip(steps, exact, ours.tolist(), theirs.tolist(), strict=True)
    ):
        assert_close(got, want, dtype="float32", peak=peak, where=f"lrsched {spec!r} at step {step}")
        if departs is not None and departs(step):
            continue
        error = tfm_ulps(their, want, peak)
        where = f"TF Model Garden's {name} at step {step}: {their!r}, exact {want!r} (peak {peak:.6g}) for {spec!r}"
        if step >= FAR or schedule64 is not None:
            key = (name, "from 2**24" if step >= FAR else "below 2**24")
            if error > MEASURED.get(key, (0.0,))[0]:
                MEASURED[key] = (error, step, their, want, spec)
        if step >= FAR:
            continue
        if schedule64 is not None:
            their64 = float(theirs64[i])
            close = their64 == want or abs(their64 - want) <= RTOL64 * max(peak, abs(want))
            assert close, f"{where}; in float64 {their64!r}"
        else:
            assert error <= TFM_ULPS * (1 if slack is None else slack(step)), f"{where}: {error:.4g} ulps"


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if MEASURED:
        print("\nTF Model Garden in float32, worst error seen, in float32 ulps of max(peak, |exact|):")
        for (name, where), (error, step, their, want, spec) in sorted(MEASURED.items()):
            print(f"  {name}, {where}: {error:.4g} (step {step}: {their!r}, exact {want!r}; {spec!r})")


# -- strategies: configs of each class, float arguments as float32 values -----------------------
def f32(low: float, high: float):
    """float32 values in [low, high] (each bound rounded inward to a float32)."""
    low32, high32 = np.float32(low), np.float32(high)
    low32 = low32 if low32 >= low else np.nextafter(low32, np.float32(np.inf))
    high32 = high32 if high32 <= high else np.nextafter(high32, np.float32(-np.inf))
    return st.floats(float(low32), float(high32), width=32)


SMALL = st.integers(1, 10**5)
STEPS = st.one_of(st.just(0), st.integers(0, 10**6))
RATES = st.one_of(st.sampled_from([0.125, 1.0, 0.5]), f32(1e-6, 10.0))
FRACTIONS = st.one_of(st.sampled_from([0.0, 0.125, 0.5, 1.0]), f32(0.0, 1.0))
POWERS = st.one_of(st.sampled_from([-0.5, -1.0, 1.0]), f32(-2.0, 2.0))
SEEDS = st.integers(0, 2**32 - 1)
checked = settings(max_examples=EXAMPLES, deadline=None)


def in_float64(lr: float) -> tf.Tensor:
    """An ``initial_learning_rate`` that makes Keras's schedules compute in float64."""
    return tf.constant(lr, tf.float64)


@checked
@given(
    offset=STEPS,
    lr=RATES,
    decay_steps=SMALL,
    rate=st.one_of(st.sampled_from([0.5, float(np.float32(0.96))]), f32(0.05, 2.0)),
    staircase=st.booleans(),
    seed=SEEDS,
)
def test_exponential_decay_with_offset(offset, lr, decay_steps, rate, staircase, seed):
    kwargs = dict(decay_steps=decay_steps, decay_rate=rate, staircase=staircase)
    spec = lrsched.ExponentialDecayWithOffset(offset, initial_learning_rate=lr, **kwargs)
    steps = sample_steps(spec, np.random.default_rng(seed), offset)
    build = tfm().ExponentialDecayWithOffset
    compare(
        spec,
        build(offset=offset, initial_learning_rate=lr, **kwargs),
        steps,
        schedule64=build(offset=offset, initial_learning_rate=in_float64(lr), **kwargs),
    )


@checked
@given(
    offset=STEPS,
    boundaries=st.lists(st.integers(0, 10**6), min_size=1, max_size=4, unique=True).map(sorted),
    data=st.data(),
    seed=SEEDS,
)
def test_piecewise_constant_decay_with_offset(offset, boundaries, data, seed):
    values = data.draw(st.lists(RATES, min_size=len(boundaries) + 1, max_size=len(boundaries) + 1))
    spec = lrsched.PiecewiseConstantDecayWithOffset(offset, boundaries=boundaries, values=values)
    steps = sample_steps(spec, np.random.default_rng(seed), offset)
    schedule = tfm().PiecewiseConstantDecayWithOffset(offset=offset, boundaries=boundaries, values=values)
    compare(spec, schedule, steps)


@checked
@given(
    offset=STEPS,
    lr=RATES,
    decay_steps=SMALL,
    end=st.one_of(st.just(0.0), RATES),
    power=st.one_of(st.sampled_from([1.0, 2.0, 0.5]), f32(0.0, 4.0)),
    cycle=st.booleans(),
    seed=SEEDS,
)
def test_polynomial_decay_with_offset(offset, lr, decay_steps, end, power, cycle, seed):
    kwargs = dict(decay_steps=decay_steps, end_learning_rate=end, power=power, cycle=cycle)
    spec = lrsched.PolynomialDecayWithOffset(offset, initial_learning_rate=lr, **kwargs)
    steps = sample_steps(spec, np.random.default_rng(seed), offset)
    build = tfm().PolynomialDecayWithOffset
    # before the offset, with cycle: TF Model Garden's cycle count is 0 or negative (inf, nan or a
    # value of a negative cycle); for a rise: its line goes on down, through 0. lrsched gives
    # the rate at the offset in both
    departs = (lambda s: s < offset) if cycle or end > lr else None
    compare(
        spec,
        build(offset=offset, initial_learning_rate=lr, **kwargs),
        steps,
        schedule64=build(offset=offset, initial_learning_rate=in_float64(lr), **kwargs),
        departs=departs,
    )
    for step in [s for s in steps if s < offset] if departs is not None else []:
        assert spec(step) == lr


@checked
@given(
    offset=STEPS,
    lr=RATES,
    decay_steps=SMALL,
    alpha=FRACTIONS,
    warmup=st.one_of(st.none(), st.tuples(RATES, st.integers(0, 10**5))),
    seed=SEEDS,
)
def test_cosine_decay_with_offset(offset, lr, decay_steps, alpha, warmup, seed):
    kwargs = dict(decay_steps=decay_steps, alpha=alpha)
    if warmup is not None:
        kwargs.update(warmup_target=warmup[0], warmup_steps=warmup[1])
    spec = lrsched.CosineDecayWithOffset(offset, initial_learning_rate=lr, **kwargs)
    steps = sample_steps(spec, np.random.default_rng(seed), offset)
    build = tfm().CosineDecayWithOffset
    schedule64 = build(offset=offset, initial_learning_rate=in_float64(lr), **kwargs)
    # with a warm-up, before the offset: TF Model Garden extends the warm-up's line below its
    # start (down to negative rates); lrsched stays at the start
    departs = (lambda s: s < offset) if warmup is not None and warmup[1] else None
    compare(
        spec,
        build(offset=offset, initial_learning_rate=lr, **kwargs),
        steps,
        schedule64=schedule64,
        departs=departs,
    )
    if departs is not None:
        target, w = warmup
        before = [s for s in steps if s < offset]
        for step, their in zip(before, tfm_values(schedule64, before), strict=True):
            assert spec(step) == lr
            line = lr + (target - lr) * (step - offset) / w
            assert abs(their - line) <= RTOL64 * max(abs(lr), abs(target), abs(line)), (step, their, line)


def _after_warmup():
    """A schedule after a warm-up and its TF Model Garden twin: a rate, Keras's exponential decay
    (tf_keras's), or TF Model Garden's polynomial decay with an offset (well-conditioned in
    float32: the warm-up is what is tested)."""
    rate = RATES.map(lambda r: (r, r))
    exponential = st.tuples(RATES, SMALL, f32(0.25, 0.99)).map(
        lambda a: (lrsched.ExponentialDecay(*a), tf_keras.optimizers.schedules.ExponentialDecay(*a))
    )

    def polynomial(a):
        offset, lr, steps, power = a
        kwargs = dict(initial_learning_rate=lr, decay_steps=steps, end_learning_rate=0.0, power=power)
        return (
            lrsched.PolynomialDecayWithOffset(offset, **kwargs),
            tfm().PolynomialDecayWithOffset(offset=offset, **kwargs),
        )

    return st.one_of(rate, exponential, st.tuples(STEPS, RATES, SMALL, f32(1.0, 3.0)).map(polynomial))


@checked
@given(
    after=_after_warmup(),
    warmup_steps=st.integers(0, 10**5),
    start=st.one_of(st.just(0.0), RATES),
    seed=SEEDS,
)
def test_linear_warmup(after, warmup_steps, start, seed):
    ours, theirs = after
    spec = lrsched.LinearWarmup(ours, warmup_steps, start)
    steps = sample_steps(spec, np.random.default_rng(seed))
    compare(spec, tfm().LinearWarmup(theirs, warmup_steps, start), steps)


@checked
@given(
    after=_after_warmup(),
    warmup_steps=st.integers(0, 10**5),
    power=st.one_of(st.sampled_from([1.0, 2.0, 0.5]), f32(0.0, 4.0)),
    seed=SEEDS,
)
def test_polynomial_warmup(after, warmup_steps, power, seed):
    ours, theirs = after
    spec = lrsched.PolynomialWarmUp(ours, warmup_steps, power)
    steps = sample_steps(spec, np.random.default_rng(seed))
    compare(spec, tfm().PolynomialWarmUp(theirs, warmup_steps, power), steps)


@checked
@given(lr=RATES, power=POWERS, seed=SEEDS)
def test_direct_power_decay(lr, power, seed):
    spec = lrsched.DirectPowerDecay(lr, power)
    steps = sample_steps(spec, np.random.default_rng(seed))
    compare(spec, tfm().DirectPowerDecay(lr, power), steps)


@checked
@given(
    lr=RATES,
    total=st.one_of(st.just(0), st.integers(0, 10**6)),
    power=POWERS,
    fraction=FRACTIONS,
    offset=STEPS,
    seed=SEEDS,
)
def test_power_and_linear_decay(lr, total, power, fraction, offset, seed):
    spec = lrsched.PowerAndLinearDecay(lr, total, power, fraction, offset)
    steps = sample_steps(spec, np.random.default_rng(seed), offset)
    compare(spec, tfm().PowerAndLinearDecay(lr, total, power, fraction, offset), steps)


@checked
@given(lr=RATES, power=POWERS, offset=STEPS, pre=st.one_of(st.just(1.0e6), RATES), seed=SEEDS)
def test_power_decay_with_offset(lr, power, offset, pre, seed):
    spec = lrsched.PowerDecayWithOffset(lr, power, offset, pre)
    steps = sample_steps(spec, np.random.default_rng(seed), offset)
    compare(spec, tfm().PowerDecayWithOffset(lr, power, offset, pre), steps)


@checked
@given(
    boundaries=st.lists(st.integers(0, 10**6), min_size=1, max_size=4, unique=True).map(sorted),
    first_at_zero=st.booleans(),
    offset=STEPS,
    data=st.data(),
    seed=SEEDS,
)
def test_step_cosine_decay_with_offset(boundaries, first_at_zero, offset, data, seed):
    if first_at_zero:
        boundaries = sorted({0, *boundaries})
    values = data.draw(st.lists(RATES, min_size=len(boundaries), max_size=len(boundaries)))
    spec = lrsched.StepCosineDecayWithOffset(boundaries, values, offset)
    schedule = tfm().StepCosineDecayWithOffset(boundaries, values, offset)
    steps = sample_steps(spec, np.random.default_rng(seed), offset)
    # from the last boundary on (everywhere with one level): TF Model Garden's last level has
    # length 0 and gives NaN; lrsched holds values[-1] there
    last = offset + boundaries[-1] if len(boundaries) > 1 else -1
    # the first level is TF Model Garden's cosine of the float32 argument pi * s / L, whose
    # rounding grows with |s| / L: its periodic extension before the offset and past L
    first = boundaries[1] - boundaries[0] if len(boundaries) > 1 else 1
    compare(spec, schedule, steps, slack=lambda s: 1 + abs(s - offset) / first, departs=lambda s: s >= last)
    after = [s for s in steps if s >= last]
    assert np.isnan(tfm_values(schedule, after)).all()
    assert {spec(s) for s in after} == {values[-1]}


# -- past 2**24 --------------------------------------------------------------------------------
FAR_CASES = [
    (
        lrsched.ExponentialDecayWithOffset(
            10, initial_learning_rate=1.0, decay_steps=2**24 + 1, decay_rate=0.5, staircase=True
        ),
        lambda m: m.ExponentialDecayWithOffset(
            offset=10, initial_learning_rate=1.0, decay_steps=2**24 + 1, decay_rate=0.5, staircase=True
        ),
        [10 + k * (2**24 + 1) + d for k in (1, 2, 3) for d in (-1, 0)],
    ),
    (
        lrsched.PiecewiseConstantDecayWithOffset(
            7, boundaries=[10**9 + 1, 10**12 + 1], values=[1.0, 0.5, 0.25]
        ),
        lambda m: m.PiecewiseConstantDecayWithOffset(
            offset=7, boundaries=[10**9 + 1, 10**12 + 1], values=[1.0, 0.5, 0.25]
        ),
        [7 + b + d for b in (10**9 + 1, 10**12 + 1) for d in (0, 1, 2)],
    ),
    (
        lrsched.PowerDecayWithOffset(1.0, -0.5, offset=2**25 + 1, pre_offset_learning_rate=2.0),
        lambda m: m.PowerDecayWithOffset(1.0, -0.5, 2**25 + 1, 2.0),
        [2**25 + 1 + d for d in (0, 1, 2, 3)],
    ),
]


@pytest.mark.parametrize(("spec", "build", "steps"), FAR_CASES, ids=lambda c: type(c).__name__)
def test_past_2_24_tfm_is_off_and_lrsched_is_not(spec, build, steps, record_property):
    """Stairs, boundaries and offsets past 2**24: TF Model Garden's float32 steps put them a few
    steps off; lrsched's integer steps put them where they are."""
    exact = [spec(s) for s in steps]
    peak = max(exact)
    theirs = tfm_values(build(tfm()), steps)
    ours = lrsched.render(spec, "tensorflow")(tf.constant(steps, tf.int64)).numpy().astype(float)
    errors = [tfm_ulps(t, e, peak) for t, e in zip(theirs.tolist(), exact, strict=True)]
    record_property("tfm_worst_ulps", max(errors))
    print(f"\n{spec!r}: exact {exact}\n  TF Model Garden {theirs.tolist()}\n  lrsched {ours.tolist()}")
    assert max(errors) > 4  # TF Model Garden's step rounds: a boundary moves
    for got, want in zip(ours.tolist(), exact, strict=True):
        assert_close(got, want, dtype="float32", peak=peak)
