"""TF Model Garden's schedules into lrsched, tested against TF Model Garden itself.

* ``lrsched.from_model_garden``: random ``OptimizationConfig`` dicts (each config's optional fields
  left out at random, so TF Model Garden's defaults are what is tested), built by TF Model
  Garden's own ``OptimizationConfig`` and ``OptimizerFactory.build_learning_rate()``: the spec
  equals ``from_keras`` of the object the factory built and gives its lrs.
* ``lrsched.from_keras`` of each TF Model Garden class's objects (offset and nested schedule read
  from the object) and of what TF Model Garden writes (``get_config``, tf_keras's ``serialize``):
  the offset its ``get_config`` drops is read as 0, as its ``from_config`` reads it.
* ``lrsched convert`` of an experiment's YAML, then ``lrsched.load``, against the factory's schedule.

The per-class differential tests (tests/tensorflow/test_model_garden.py) hold each class's values
to exact math and to TF Model Garden at every boundary; here TF Model Garden's float32 lrs are
compared where they are well-conditioned (steps below 10**6, outside the regions where lrsched
departs from it on purpose), within ``RTOL`` of the peak.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

tf_keras = pytest.importorskip("tf_keras")
pytest.importorskip(
    "gin", reason="TF Model Garden's optimizer factory imports gin-config (the tensorflow env has it)"
)
yaml = pytest.importorskip("yaml")

import tensorflow as tf  # noqa: E402
from official.modeling.optimization import lr_schedule, optimizer_factory  # noqa: E402
from official.modeling.optimization.configs import optimization_config  # noqa: E402

import lrsched  # noqa: E402
from lrsched.cli import main  # noqa: E402


def f32(low: float, high: float):
    """float32 values in [low, high], both sides holding the same constants."""
    return st.floats(low, high).map(lambda x: float(np.float32(x))).filter(lambda x: low <= x <= high)


RTOL = 1e-5  # TF Model Garden's float32 lrs at steps below 10**6, relative to the peak
RATES = st.one_of(st.sampled_from([0.1, 1.0, 0.5]), f32(1e-4, 10.0))
SMALL = st.integers(1, 10**4)
OFFSETS = st.one_of(st.just(0), st.integers(0, 10**4))
FRACTIONS = f32(0.0, 1.0)
POWERS = st.one_of(st.sampled_from([-0.5, -1.0, 1.0]), f32(-2.0, 2.0))


def _levels(draw, kind: str) -> dict:
    """Piecewise constant: a value per interval; step cosine: a value per boundary (from 0 or not)."""
    boundaries = sorted(draw(st.sets(st.integers(1, 10**4), min_size=1, max_size=3)))
    if kind == "step_cosine_with_offset" and draw(st.booleans()):
        boundaries = [0, *boundaries]
    count = len(boundaries) + (kind == "stepwise")
    return {"boundaries": boundaries, "values": draw(st.lists(RATES, min_size=count, max_size=count))}


@st.composite
def learning_rates(draw) -> dict:
    """A ``learning_rate`` one-of config, its optional fields present or not."""
    kind = draw(
        st.sampled_from(
            [
                "constant",
                "stepwise",
                "exponential",
                "polynomial",
                "cosine",
                "power",
                "power_linear",
                "power_with_offset",
                "step_cosine_with_offset",
            ]
        )
    )
    required, optional = {
        "constant": ({}, {"learning_rate": RATES}),
        "stepwise": ({}, {"offset": OFFSETS}),
        "exponential": (
            {"initial_learning_rate": RATES, "decay_steps": SMALL, "decay_rate": f32(0.25, 0.99)},
            {"staircase": st.booleans(), "offset": OFFSETS},
        ),
        "polynomial": (
            {"initial_learning_rate": RATES, "decay_steps": SMALL},
            {
                "end_learning_rate": f32(0.0, 1e-3),
                "power": f32(0.5, 3.0),
                "cycle": st.booleans(),
                "offset": OFFSETS,
            },
        ),
        "cosine": (
            {"initial_learning_rate": RATES, "decay_steps": SMALL},
            {"alpha": FRACTIONS, "offset": OFFSETS},
        ),
        "power": ({"initial_learning_rate": RATES}, {"power": POWERS}),
        "power_linear": (
            {"initial_learning_rate": RATES, "total_decay_steps": st.integers(0, 10**4)},
            {"power": POWERS, "linear_decay_fraction": FRACTIONS, "offset": OFFSETS},
        ),
        "power_with_offset": (
            {"initial_learning_rate": RATES},
            {"power": POWERS, "offset": OFFSETS, "pre_offset_learning_rate": RATES},
        ),
        "step_cosine_with_offset": ({}, {"offset": OFFSETS}),
    }[kind]
    config = draw(st.fixed_dictionaries(required, optional=optional))
    if kind in ("stepwise", "step_cosine_with_offset"):
        config.update(_levels(draw, kind))
    return {"type": kind, kind: config}


WARMUPS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"warmup_steps": st.integers(0, 10**3)}, optional={"warmup_learning_rate": RATES}
    ).map(lambda c: {"type": "linear", "linear": c}),
    st.fixed_dictionaries({"warmup_steps": st.integers(0, 10**3)}, optional={"power": f32(0.5, 3.0)}).map(
        lambda c: {"type": "polynomial", "polynomial": c}
    ),
)


def factory_schedule(params: dict):
    """What TF Model Garden builds from ``params``: its ``OptimizerFactory.build_learning_rate()``."""
    config = optimization_config.OptimizationConfig({"optimizer": {"type": "sgd"}, **params})
    return config, optimizer_factory.OptimizerFactory(config).build_learning_rate()


def tfm_values(schedule, steps: list[int]) -> list[float]:
    if not callable(schedule):  # the 'constant' type: a rate
        return [float(schedule)] * len(steps)
    return [float(schedule(tf.constant(s, tf.int64))) for s in steps]


def comparable_steps(params: dict, rng: np.random.Generator) -> list[int]:
    """Steps below 10**6 outside lrsched's documented departures: before a ``*WithOffset``
    schedule's offset (its cycle count, a warm-up line going on below its start) and from a step
    cosine's last boundary on (TF Model Garden's NaN)."""
    (kind,) = [k for k in params["learning_rate"] if k != "type"]
    config = params["learning_rate"][kind]
    offset = config.get("offset", 0) if kind not in ("power_with_offset", "power_linear") else 0
    last = math.inf
    if kind == "step_cosine_with_offset":
        last = offset + config["boundaries"][-1] if len(config["boundaries"]) > 1 else -1
    warmup = params.get("warmup") or {"type": None}
    warmup_steps = warmup.get(warmup["type"], {}).get("warmup_steps", 0)
    steps = {0, 1, 2, 10, 10**3, 10**4, 10**5, 999_999, *rng.integers(0, 3 * 10**4, 10).tolist()}
    for b in [offset, warmup_steps, *(offset + b for b in config.get("boundaries", ()))]:
        steps.update(b + d for d in (-1, 0, 1))
    return sorted(s for s in steps if offset <= s < min(last, 10**6))


def assert_same_lrs(spec, schedule, steps: list[int]) -> None:
    ours = [spec(s) for s in steps]
    theirs = tfm_values(schedule, steps)
    peak = max([abs(x) for x in ours] + [1e-30])
    for step, want, got in zip(steps, ours, theirs, strict=True):
        assert abs(got - want) <= RTOL * peak, (
            f"step {step}: TF Model Garden {got!r}, lrsched {want!r} ({spec!r})"
        )


@settings(max_examples=40, deadline=None)
@given(learning_rate=learning_rates(), warmup=WARMUPS, seed=st.integers(0, 2**32 - 1))
def test_from_model_garden_equals_what_its_optimizer_factory_builds(learning_rate, warmup, seed):
    params = {"learning_rate": learning_rate} | ({"warmup": warmup} if warmup else {})
    config, schedule = factory_schedule(params)
    spec = lrsched.from_model_garden(params)
    assert lrsched.from_model_garden(config) == spec  # the config object reads the same
    assert lrsched.from_model_garden(config.as_dict()) == spec  # and every default written out
    assert spec == (
        lrsched.Constant(schedule) if isinstance(schedule, float) else lrsched.from_keras(schedule)
    )
    assert_same_lrs(spec, schedule, comparable_steps(params, np.random.default_rng(seed)))


def test_model_garden_refusals_name_the_key():
    with pytest.raises(lrsched.ConfigError, match=r"'learning_rate.cosine.decay_steps' is required"):
        lrsched.from_model_garden(
            {"learning_rate": {"type": "cosine", "cosine": {"initial_learning_rate": 0.1}}}
        )
    with pytest.raises(lrsched.ConfigError, match=r"'warmup.linear.warmup_step' is not a field"):
        lrsched.from_model_garden(
            {
                "learning_rate": {"type": "constant"},
                "warmup": {"type": "linear", "linear": {"warmup_step": 3}},
            }
        )
    # TF Model Garden itself refuses both, later and from deep inside (its schedule at its first
    # call, its factory with a TypeError of LinearWarmup.__init__): lrsched names the key
    with pytest.raises(ValueError, match="None"):
        factory_schedule({"learning_rate": {"type": "cosine", "cosine": {"initial_learning_rate": 0.1}}})[1](
            0
        )
    with pytest.raises(TypeError, match="warmup_step"):
        factory_schedule(
            {
                "learning_rate": {"type": "constant"},
                "warmup": {"type": "linear", "linear": {"warmup_step": 3}},
            }
        )


# -- from_keras of TF Model Garden's objects and of what they write ----------------------------
def _objects():
    exponential = lr_schedule.ExponentialDecayWithOffset(  # named as TF Model Garden's factory names it
        offset=20,
        initial_learning_rate=0.1,
        decay_steps=10,
        decay_rate=0.5,
        staircase=True,
        name="ExponentialDecay",
    )
    cosine = lr_schedule.CosineDecayWithOffset(
        offset=7, initial_learning_rate=0.1, decay_steps=100, alpha=0.1
    )
    return [
        exponential,
        lr_schedule.PiecewiseConstantDecayWithOffset(offset=5, boundaries=[10, 30], values=[0.3, 0.2, 0.1]),
        lr_schedule.PolynomialDecayWithOffset(offset=3, initial_learning_rate=0.1, decay_steps=50, power=2.0),
        cosine,
        lr_schedule.LinearWarmup(exponential, warmup_steps=15, warmup_learning_rate=0.01),
        lr_schedule.LinearWarmup(0.2, warmup_steps=15, warmup_learning_rate=0.0, name="warm"),
        lr_schedule.PolynomialWarmUp(cosine, warmup_steps=5, power=2.0),
        lr_schedule.PolynomialWarmUp(lr_schedule.LinearWarmup(cosine, 4, 0.0), warmup_steps=2),
        lr_schedule.DirectPowerDecay(0.5, -0.5),
        lr_schedule.PowerAndLinearDecay(0.5, 1000, -0.5, 0.2, offset=9),
        lr_schedule.PowerDecayWithOffset(0.5, -0.5, offset=11, pre_offset_learning_rate=0.05),
        lr_schedule.StepCosineDecayWithOffset(boundaries=[0, 40, 90], values=[0.3, 0.2, 0.1], offset=4),
    ]


OBJECTS = _objects()
STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 20, 25, 30, 35, 40, 44, 45, 60, 93, 200, 5000]


@pytest.mark.parametrize("schedule", OBJECTS, ids=lambda s: type(s).__name__)
def test_from_keras_reads_model_garden_objects(schedule):
    spec = lrsched.from_keras(schedule)
    assert type(spec).__name__ == type(schedule).__name__
    offset = getattr(schedule, "_offset", 0) or getattr(schedule, "offset", 0)
    # StepCosineDecayWithOffset: TF Model Garden's NaN from its last boundary on (documented)
    last = (
        offset + schedule.boundaries[-1]
        if isinstance(schedule, lr_schedule.StepCosineDecayWithOffset)
        else math.inf
    )
    # before a *WithOffset schedule's offset lrsched departs from it (documented in each class)
    first = offset if hasattr(schedule, "base_lr_class") else 0
    assert_same_lrs(spec, schedule, [s for s in STEPS if first <= s < last])


def written(spec, nested: bool = False):
    """What survives TF Model Garden's configs of ``spec``: a ``*WithOffset`` class's offset is
    dropped (0); nested in a warm-up, it is written as its base (its class name is dropped too)."""
    if hasattr(spec, "_base"):
        return (
            spec._base(**spec.model_dump(exclude={"offset"}))
            if nested
            else spec.model_copy(update={"offset": 0})
        )
    if hasattr(spec, "after_warmup_lr_sched"):
        return spec.model_copy(
            update={"after_warmup_lr_sched": written(spec.after_warmup_lr_sched, nested=True)}
        )
    return spec


@pytest.mark.parametrize("schedule", OBJECTS, ids=lambda s: type(s).__name__)
def test_from_keras_reads_what_model_garden_writes(schedule):
    """``get_config`` and tf_keras's ``serialize``: all is read but the offset a ``*WithOffset``
    class drops, read as 0 (as TF Model Garden's own ``from_config`` reads it)."""
    spec = written(lrsched.from_keras(schedule))
    config = {"class_name": type(schedule).__name__, "config": schedule.get_config()}
    if hasattr(schedule, "base_lr_class"):
        assert "offset" not in config["config"]  # TF Model Garden drops it...
        assert schedule.from_config(config["config"])._offset == 0  # ...and reads 0 back itself
    assert lrsched.from_keras(config) == spec
    assert lrsched.from_keras(tf_keras.optimizers.schedules.serialize(schedule)) == spec
    assert lrsched.from_keras(json.loads(json.dumps(config))) == spec  # as a JSON file holds it


def test_a_nested_config_whose_keys_fit_two_classes_is_refused():
    """Keras 2's ExponentialDecay and InverseTimeDecay write the same keys; with ``name`` None,
    TF Model Garden's nested config cannot say which: refused, the object itself is read."""
    inner = tf_keras.optimizers.schedules.InverseTimeDecay(0.1, 10, 0.5)
    warm = lr_schedule.LinearWarmup(inner, warmup_steps=5, warmup_learning_rate=0.0)
    with pytest.raises(lrsched.ConfigError, match="fit ExponentialDecay and InverseTimeDecay"):
        lrsched.from_keras({"class_name": "LinearWarmup", "config": warm.get_config()})
    spec = lrsched.from_keras(warm)
    assert isinstance(spec.after_warmup_lr_sched, lrsched.InverseTimeDecay)
    assert_same_lrs(spec, warm, STEPS)


# -- lrsched convert of an experiment's YAML, then load ---------------------------------------
@settings(max_examples=8, deadline=None)
@given(learning_rate=learning_rates(), warmup=WARMUPS, seed=st.integers(0, 2**32 - 1))
def test_convert_an_experiment_yaml_then_load(tmp_path_factory, learning_rate, warmup, seed):
    params = {"learning_rate": learning_rate} | ({"warmup": warmup} if warmup else {})
    config, schedule = factory_schedule(params)
    folder = tmp_path_factory.mktemp("convert")
    source, target = folder / "experiment.yaml", folder / "schedule.json"
    source.write_text(
        yaml.safe_dump({"task": {}, "trainer": {"optimizer_config": config.as_dict(), "train_steps": 10}})
    )
    assert main(["convert", str(source), "-o", str(target)]) == 0
    spec = lrsched.load(target)
    assert spec == lrsched.from_model_garden(params)
    assert_same_lrs(spec, schedule, comparable_steps(params, np.random.default_rng(seed)))
