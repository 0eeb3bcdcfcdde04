"""lrsched's twins of Keras's schedules against Keras's own classes.

Three sources, each compared with the others over random configs (hypothesis) at step 0, every
boundary and its neighbours, across the active range and far past its end:

* ``keras_exact``: Keras's formulas transcribed here and evaluated in exact arithmetic (mpmath at
  200 bits, integer steps), written independently of lrsched's numerics: the truth;
* Keras itself in float64 (an ``initial_learning_rate`` of dtype float64 makes every Keras
  schedule compute in float64): its semantics, which must match the truth to float64 accuracy
  (a different boundary, stair or formula is far beyond that);
* Keras itself in float32 (its default, with a float32 step): how far it is from the truth,
  side by side with lrsched's float32, which stays within 4 ulps.

Where Keras is off (float32 past 2**24, a restart found by a float logarithm, nan past the
accumulation point of shrinking restarts) the test shows it and asserts lrsched is at least as
close; no tolerance is loosened to hide it.
"""

from __future__ import annotations

import inspect
import json
import math
from fractions import Fraction

import keras
import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrsched
from lrsched.testing import assert_close, float32_ulp, strategies

TWINS = [
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
]
MP = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
MP.prec = 200


# -- the truth: Keras's formulas in exact arithmetic ------------------------------------------
def _restart(first: int, t: Fraction, step: int) -> tuple[int, Fraction]:
    """Keras's cycle index and the fraction done, exactly: the largest i with S_i <= step."""
    if t == 1:
        i, rest = divmod(step, first)
        return i, Fraction(rest, first)
    start, length, i = Fraction(0), Fraction(first), 0
    limit = Fraction(first) / (1 - t) if t < 1 else None
    if limit is not None and step >= limit:
        return -1, Fraction(0)  # past every cycle: Keras's log of a negative number (nan)
    while start + length <= step:
        start, length, i = start + length, length * t, i + 1
    return i, (step - start) / length


def keras_exact(spec: lrsched.Schedule, step: int) -> float:
    """Keras's formula for ``spec`` at the integer ``step``, exactly, rounded to float64 (nan where
    Keras's exact math is undefined)."""
    c = spec.get_config()
    mpf = MP.mpf
    name = type(spec).__name__
    if name == "ExponentialDecay":
        p = Fraction(step // c["decay_steps"]) if c["staircase"] else Fraction(step, c["decay_steps"])
        value = mpf(c["initial_learning_rate"]) * MP.power(
            mpf(c["decay_rate"]), mpf(p.numerator) / p.denominator
        )
    elif name == "PiecewiseConstantDecay":
        index = sum(1 for b in c["boundaries"] if step > b)
        value = mpf(c["values"][index])
    elif name == "PolynomialDecay":
        d = c["decay_steps"]
        if c["cycle"]:
            d = d * (1 if step == 0 else -(-step // d))
            p = Fraction(step, d)
        else:
            p = Fraction(min(step, d), d)
        q = mpf((1 - p).numerator) / (1 - p).denominator
        lr0, end = mpf(c["initial_learning_rate"]), mpf(c["end_learning_rate"])
        value = (lr0 - end) * MP.power(q, mpf(c["power"])) + end if c["power"] else lr0
    elif name == "InverseTimeDecay":
        p = Fraction(step // c["decay_steps"]) if c["staircase"] else Fraction(step, c["decay_steps"])
        denominator = 1 + mpf(c["decay_rate"]) * (mpf(p.numerator) / p.denominator)
        value = mpf(c["initial_learning_rate"]) / denominator
    elif name == "CosineDecay":
        lr0, d, w = mpf(c["initial_learning_rate"]), c["decay_steps"], c["warmup_steps"]
        alpha = mpf(c["alpha"])
        if c["warmup_target"] is None:
            s, top = min(step, d), lr0
        else:
            s, top = min(step, d + w), mpf(c["warmup_target"])
            if s < w:
                return float(lr0 + (top - lr0) * mpf(s) / w)
            s -= w
        cosine = (1 + MP.cos(MP.pi * mpf(s) / d)) / 2
        value = top * ((1 - alpha) * cosine + alpha)
    elif name == "CosineDecayRestarts":
        i, done = _restart(c["first_decay_steps"], Fraction(c["t_mul"]), step)
        if i < 0:
            return math.nan
        cosine = (1 + MP.cos(MP.pi * mpf(done.numerator) / done.denominator)) / 2
        alpha = mpf(c["alpha"])
        value = mpf(c["initial_learning_rate"]) * (
            (1 - alpha) * MP.power(mpf(c["m_mul"]), i) * cosine + alpha
        )
    else:
        raise AssertionError(name)
    return float(value)


# -- Keras itself ---------------------------------------------------------------------------
def native(spec: lrsched.Schedule, dtype: str = "float32") -> keras.optimizers.schedules.LearningRateSchedule:
    """Keras's own class with the spec's arguments; float64 makes Keras compute in float64."""
    config = spec.get_config()
    if dtype == "float64":  # every float argument: Keras casts a Python float through float32
        for key, value in config.items():
            if isinstance(value, float):
                config[key] = np.float64(value)
        if "values" in config:
            config["values"] = [np.float64(v) for v in config["values"]]
    return getattr(keras.optimizers.schedules, type(spec).__name__)(**config)


def keras_values(schedule, steps: list[int]) -> list[float]:
    # one scalar step at a time: CosineDecay's warm-up takes a scalar condition (ops.cond); Keras's
    # own overflow (an intermediate past the float range) is its result, compared as it is
    import warnings

    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        return [float(schedule(np.int64(s))) for s in steps]


def ordinary(spec: lrsched.Schedule) -> bool:
    """Every float constant 0 or within 1e-300..1e300, and a polynomial's two ends within a factor
    1e6 of each other: where Keras's float64 arithmetic itself is ordinary (a subnormal base, an
    overflowing intermediate power, an end that cancels the start are its numerics, not its
    semantics; lrsched is held to exact math there by the kit and the float32 test)."""
    config = spec.get_config()
    values = [v for v in config.values() if isinstance(v, float)]
    values += [v for v in config.get("values", []) if isinstance(v, float)]
    if "end_learning_rate" in config:  # Keras's (lr - end) * p + end cancels where one dwarfs the other
        lr, end = config["initial_learning_rate"], config["end_learning_rate"]
        if min(lr, end) > 0 and max(lr, end) > 1e6 * min(lr, end):
            return False
    return all(v == 0 or 1e-300 <= abs(v) <= 1e300 for v in values)


def steps_of(spec: lrsched.Schedule) -> list[int]:
    horizon = spec.horizon()
    rng = np.random.default_rng(abs(hash(spec)) % 2**32)
    steps = {0, 1, 2, 2**24 + 1, 2**31 - 1, 2**40 + 3, horizon, 10 * horizon}
    for b in spec.breakpoints():
        steps.update((b - 1, b, b + 1))
    steps.update(int(s) for s in rng.integers(0, min(max(horizon, 1), 2**62), 12))
    return sorted(s for s in steps if 0 <= s < 2**62)


def restart_steps(spec: lrsched.Schedule, steps: list[int]) -> set[int]:
    """The steps within one of a restart (CosineDecayRestarts)."""
    if type(spec).__name__ != "CosineDecayRestarts":
        return set()
    c = spec.get_config()
    first, t = c["first_decay_steps"], Fraction(c["t_mul"])
    near = set()
    for s in steps:
        i, _ = _restart(first, t, s)
        j, _ = _restart(first, t, max(s - 1, 0))
        k, _ = _restart(first, t, s + 1)
        if i != j or i != k:
            near.add(s)
    return near


def cycle_start(spec: lrsched.Schedule, step: int) -> float:
    """CosineDecayRestarts: the value where the step's cycle starts (0 for other schedules)."""
    if type(spec).__name__ != "CosineDecayRestarts":
        return 0.0
    c = spec.get_config()
    i, _ = _restart(c["first_decay_steps"], Fraction(c["t_mul"]), step)
    return float(MP.mpf(c["initial_learning_rate"]) * MP.power(MP.mpf(c["m_mul"]), max(i, 0)))


def specs_of(name: str):
    # Keras's PiecewiseConstantDecay needs a boundary (it reads boundaries[0]); lrsched's takes none
    return strategies.specs(name, max_depth=0).filter(lambda s: getattr(s, "boundaries", (0,)) != ())


SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- signatures and configs ------------------------------------------------------------------
@pytest.mark.parametrize("name", TWINS)
def test_signature_is_keras_s(name):
    """Same argument names, positional order and defaults as the installed Keras's class."""
    theirs = inspect.signature(getattr(keras.optimizers.schedules, name).__init__)
    ours = inspect.signature(getattr(lrsched, name))
    expected = [(p.name, p.default) for p in list(theirs.parameters.values())[1:]]
    assert [(p.name, p.default) for p in ours.parameters.values()] == expected


@pytest.mark.parametrize("name", TWINS)
@SETTINGS
@given(data=st.data())
def test_lrsched_reads_what_keras_writes(name, data):
    """``keras.optimizers.schedules.serialize`` of Keras's object deserializes to the equal spec,
    and Keras reads what lrsched writes back into an equal Keras object."""
    spec = data.draw(specs_of(name))
    written = keras.optimizers.schedules.serialize(native(spec))
    assert written["module"] == "keras.optimizers.schedules" and written["registered_name"] is None
    assert lrsched.deserialize(written) == spec
    back = keras.optimizers.schedules.deserialize(lrsched.serialize(spec))
    assert type(back).__name__ == name
    assert lrsched.deserialize(keras.optimizers.schedules.serialize(back)) == spec


# -- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TWINS)
@SETTINGS
@given(data=st.data())
def test_semantics_match_keras_in_float64(name, data):
    """Keras in float64 agrees with the exact formula to float64 accuracy except at steps Keras
    misplaces (a restart found by a float logarithm: within one step of a restart only), and
    lrsched's spec(k) is the exact formula correctly rounded."""
    spec = data.draw(specs_of(name))
    steps = steps_of(spec)
    truth = [keras_exact(spec, s) for s in steps]
    theirs = keras_values(native(spec, "float64"), steps)
    peak = max((abs(v) for v in truth if math.isfinite(v)), default=0.0)
    misplaced = restart_steps(spec, steps)
    for step, want, got in zip(steps, truth, theirs, strict=True):
        if math.isnan(want):  # past every cycle of shrinking restarts: Keras's nan, lrsched's floor
            assert math.isnan(got)
            c = spec.get_config()
            assert spec(step) == c["alpha"] * c["initial_learning_rate"] or spec(step) == pytest.approx(
                c["alpha"] * c["initial_learning_rate"], rel=1e-15
            )
            continue
        ours = spec(step)
        assert_close(ours, want, dtype="float64", peak=peak, rtol=2**-52, where=f"lrsched step {step}")
        if not (math.isfinite(got) and ordinary(spec)):
            continue  # Keras's own float64 numerics at extreme constants (see ordinary)
        off = abs(got - want) > 1e-9 * max(abs(want), 1e-6 * peak) + 1e-300
        assert not off or step in misplaced, (
            f"Keras (float64) differs at step {step}: {got!r} vs exact {want!r}"
        )


@pytest.mark.parametrize("name", TWINS)
@SETTINGS
@given(data=st.data())
def test_float32_side_by_side_with_keras(name, data):
    """lrsched's float32 rendering stays within 4 ulps of the exact value at every step; Keras's
    float32 is compared with the same exact value, and where it is off by more, lrsched is closer."""
    spec = data.draw(specs_of(name))
    steps = steps_of(spec)
    truth = [keras_exact(spec, s) for s in steps]
    peak = max((abs(v) for v in truth if math.isfinite(v)), default=0.0)
    ours = lrsched.render(spec, "tensorflow")(np.array(steps, np.int64)).numpy().tolist()
    theirs = keras_values(native(spec, "float32"), steps)
    for step, want, got, kgot in zip(steps, truth, ours, theirs, strict=True):
        if math.isnan(want) or abs(want) > 3.4e38 or cycle_start(spec, step) > 3.4e38:
            continue  # (a cycle that starts beyond float32's range is inf, as documented)
        ulps = assert_close(got, want, dtype="float32", peak=peak, where=f"step {step}")
        size = max(abs(want), 1e-6 * peak)
        keras_ulps = abs(kgot - want) / float32_ulp(size) if math.isfinite(kgot) else math.inf
        assert ulps <= max(keras_ulps, 4)


def test_keras_float32_is_far_off_where_lrsched_is_not(record_property):
    """The gap, measured: Keras's float32 cosine tail, and its float32 step past 2**24 (a restart
    a step off; a polynomial's tail several steps off)."""
    cases = {
        "CosineDecay tail": (lrsched.CosineDecay(0.1, 10**6), [10**6 - 1, 10**6 - 7, 10**6 - 100]),
        "CosineDecayRestarts past 2**24": (
            lrsched.CosineDecayRestarts(0.1, 3, 2.0),
            [3 * (2**23 - 1) - 1, 3 * 2**23 + 5],
        ),
        "PolynomialDecay tail past 2**24": (
            lrsched.PolynomialDecay(0.1, 2**26 + 1, 0.0, 0.5),
            [2**26 - 4, 2**26 - 10],
        ),
    }
    rows = []
    for label, (spec, steps) in cases.items():
        truth = [keras_exact(spec, s) for s in steps]
        peak = max(keras_exact(spec, 0), *truth)
        ours = lrsched.render(spec, "tensorflow")(np.array(steps, np.int64)).numpy().tolist()
        theirs = keras_values(native(spec), steps)
        ulp = [float32_ulp(max(abs(t), 1e-6 * peak)) for t in truth]
        our_worst = max(abs(o - t) / u for o, t, u in zip(ours, truth, ulp, strict=True))
        their_worst = max(abs(k - t) / u for k, t, u in zip(theirs, truth, ulp, strict=True))
        rows.append(f"{label}: lrsched {our_worst:.2f} ulps, keras {their_worst:.3g} ulps")
        assert our_worst <= 4 < their_worst, rows[-1]
    record_property("keras_float32_gap", "; ".join(rows))


# -- validation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kwargs", "words"),
    [
        ("PiecewiseConstantDecay", {"boundaries": [10, 5], "values": [1.0, 0.5, 0.1]}, "strictly increasing"),
        ("PiecewiseConstantDecay", {"boundaries": [10], "values": [1.0]}, "len(boundaries) + 1"),
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 1.5}, "alpha=1.5"),
        (
            "CosineDecayRestarts",
            {"initial_learning_rate": 0.1, "first_decay_steps": 10, "alpha": -0.1},
            "alpha=-0.1",
        ),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "power": -1.0}, "power=-1.0"),
        (
            "CosineDecay",
            {"initial_learning_rate": 0.1, "decay_steps": 10, "warmup_steps": 5},
            "warmup_target",
        ),
        (
            "CosineDecayRestarts",
            {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 0.0},
            "t_mul=0.0",
        ),
        (
            "CosineDecayRestarts",
            {"initial_learning_rate": 0.1, "first_decay_steps": 10, "m_mul": -1.0},
            "m_mul=-1.0",
        ),
        (
            "InverseTimeDecay",
            {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5},
            "decay_steps=0",
        ),
    ],
)
def test_bad_arguments_are_config_errors_naming_the_field(name, kwargs, words):
    with pytest.raises(lrsched.ConfigError) as info:
        getattr(lrsched, name)(**kwargs)
    assert words in str(info.value)


# -- saving -----------------------------------------------------------------------------------
def test_every_twin_saves_and_loads_with_the_model(python, tmp_path):
    """model.save, then load_model in a fresh process, for one spec of each twin."""
    import warnings

    from examples import EXAMPLES

    specs = [EXAMPLES[name][-1] for name in TWINS]
    for i, spec in enumerate(specs):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lrsched.render(spec, "keras")), loss="mse")
        model.fit(np.ones((6, 2), "float32"), np.ones((6, 1), "float32"), batch_size=2, verbose=0)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
            model.save(tmp_path / f"m{i}.keras")
    out = python(
        f"""
        import keras, lrsched, json
        for i in range({len(specs)}):
            model = keras.models.load_model({str(tmp_path)!r} + f"/m{{i}}.keras", safe_mode=True)
            print(json.dumps(model.optimizer._learning_rate.get_config()["schedule"]))
            print(float(model.optimizer.learning_rate))
        """
    )
    lines = out.strip().splitlines()[-2 * len(specs) :]
    for spec, config, lr in zip(specs, lines[::2], lines[1::2], strict=True):
        assert lrsched.deserialize(config) == spec
        assert float(lr) == pytest.approx(spec(3), rel=1e-6)


# -- the importer ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TWINS)
@SETTINGS
@given(data=st.data())
def test_from_keras_reads_objects_and_what_keras_writes(name, data):
    spec = data.draw(specs_of(name))
    obj = native(spec)
    assert lrsched.from_keras(obj) == spec
    assert lrsched.from_keras(keras.optimizers.schedules.serialize(obj)) == spec
    assert lrsched.from_keras(lrsched.render(spec, "keras")) == spec
    rendered = keras.optimizers.schedules.serialize(lrsched.render(spec, "keras"))
    assert lrsched.from_keras(rendered) == spec


@pytest.mark.parametrize("name", TWINS)
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_convert_what_keras_writes_then_load(name, data, tmp_path):
    """``lrsched convert`` of a Keras schedule's file (``serialize``, as JSON), then
    ``lrsched.load``: the lrs of the Keras object itself (computing in float64, its arguments
    float64), as in test_semantics_match_keras_in_float64."""
    from lrsched.cli import main

    spec = data.draw(specs_of(name))
    original = native(spec, "float64")
    source, target = tmp_path / "keras.json", tmp_path / "lrsched.yaml"
    source.write_text(json.dumps(keras.optimizers.schedules.serialize(original)))
    assert main(["convert", str(source), "-o", str(target)]) == 0
    loaded = lrsched.load(target)
    assert loaded == spec
    steps = [s for s in steps_of(spec) if s < 2**24]
    theirs = keras_values(original, steps)
    peak = max((abs(loaded(s)) for s in steps), default=0.0)
    misplaced = restart_steps(spec, steps)
    for step, got in zip(steps, theirs, strict=True):
        want = loaded(step)
        if ordinary(spec) and math.isfinite(got) and step not in misplaced:
            assert abs(got - want) <= 1e-9 * max(abs(want), 1e-6 * peak) + 1e-300, (step, got, want)


def test_from_keras_refuses_what_is_not_a_closed_form():
    with pytest.raises(lrsched.NotClosedFormError, match="Python function of the step"):
        lrsched.from_keras(lambda step: 0.1 * 0.5**step)

    class Custom(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.1

        def get_config(self):
            return {}

    with pytest.raises(lrsched.ConfigError, match=r"received a .*Custom"):
        lrsched.from_keras(Custom())
