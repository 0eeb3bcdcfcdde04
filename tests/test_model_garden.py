"""TF Model Garden's schedules (lrsched/schedules/model_garden.py) without TensorFlow: TF Model
Garden's constructor signatures, its own tests' expected values (``lr_schedule_test.py`` and
``optimizer_factory_test.py`` of tf-models-official 2.20.0, transcribed), each class as the
composition it is, the documented departures, and validation. Against TF Model Garden itself:
tests/tensorflow/test_model_garden.py."""

from __future__ import annotations

import inspect
import json
import math

import jsonschema
import numpy as np
import pytest
from examples import EXAMPLES

import lrsched

DECAY = lrsched.ExponentialDecay(0.1, 1000, 0.5)


def values(spec, steps, dtype="float64"):
    return lrsched.render(spec, "numpy", dtype=dtype)(np.asarray(steps, dtype=np.int64)).tolist()


# -- constructors --------------------------------------------------------------------------------
KERAS_BASES = {
    "ExponentialDecayWithOffset": lrsched.ExponentialDecay,
    "PiecewiseConstantDecayWithOffset": lrsched.PiecewiseConstantDecay,
    "PolynomialDecayWithOffset": lrsched.PolynomialDecay,
    "CosineDecayWithOffset": lrsched.CosineDecay,
}
#: TF Model Garden's own signatures (lr_schedule.py), with its defaults.
TFM_SIGNATURES = {
    "LinearWarmup": "(after_warmup_lr_sched, warmup_steps, warmup_learning_rate, name=None)",
    "PolynomialWarmUp": "(after_warmup_lr_sched, warmup_steps, power=1.0, name='PolynomialWarmup')",
    "DirectPowerDecay": "(initial_learning_rate, power=1.0, name='DirectPowerDecay')",
    "PowerAndLinearDecay": (
        "(initial_learning_rate, total_decay_steps, power=1.0, linear_decay_fraction=0.1, offset=0, "
        "name='PowerAndLinearDecay')"
    ),
    "PowerDecayWithOffset": (
        "(initial_learning_rate, power=1.0, offset=0, pre_offset_learning_rate=1000000.0, "
        "name='PowerDecayWithOffset')"
    ),
    "StepCosineDecayWithOffset": "(boundaries, values, offset=0, name='StepCosineDecayWithOffset')",
}


def bare(signature: inspect.Signature) -> str:
    """The signature without annotations."""
    return str(
        signature.replace(parameters=[p.replace(annotation=p.empty) for p in signature.parameters.values()])
    )


@pytest.mark.parametrize("name", sorted(TFM_SIGNATURES))
def test_signature_is_tf_model_gardens(name):
    assert bare(inspect.signature(getattr(lrsched, name))) == TFM_SIGNATURES[name]


@pytest.mark.parametrize("name", sorted(KERAS_BASES))
def test_offset_twins_take_offset_first_and_keras_arguments_by_keyword(name):
    """TF Model Garden's ``__init__(self, offset=0, **kwargs)`` over Keras's schedule: the Keras
    arguments keyword-only, with the base's names and defaults (and its ``name``)."""
    params = list(inspect.signature(getattr(lrsched, name)).parameters.values())
    base = list(inspect.signature(KERAS_BASES[name]).parameters.values())
    assert (params[0].name, params[0].default, params[0].kind) == (
        "offset",
        0,
        params[0].POSITIONAL_OR_KEYWORD,
    )
    assert [(p.name, p.default) for p in params[1:]] == [(p.name, p.default) for p in base]
    assert {p.kind for p in params[1:]} == {inspect.Parameter.KEYWORD_ONLY}
    with pytest.raises(lrsched.ConfigError, match=r"takes one positional argument \(offset\).*by keyword"):
        getattr(lrsched, name)(10, 0.1)


@pytest.mark.parametrize("name", sorted(KERAS_BASES))
def test_offset_twins_are_offset_around_keras_twins(name):
    """``base(step - offset)`` at every step, the steps before the offset included (TF Model
    Garden's ``test_offset``, and before it)."""
    (spec, *_) = EXAMPLES[name]
    fields = {k: v for k, v in spec.get_config().items() if k != "offset"}
    base = KERAS_BASES[name](**fields)
    composed = lrsched.Offset(base, spec.offset)
    steps = sorted({0, 1, spec.offset - 1, spec.offset, spec.offset + 1, *spec.preview_steps()} - {-1})
    for step in steps:
        assert spec(step) == composed(step)
    assert values(spec, steps) == values(composed, steps)
    assert values(spec, steps, "float32") == values(composed, steps, "float32")


def test_tfm_offset_test():
    """TF Model Garden's ``OffsetLearningRateTest.test_offset``: ``offset_lr(step) ==
    base_lr(step - offset)`` for steps 10, 20, ..., 100 with offset 10."""
    cases = [
        (
            lrsched.PiecewiseConstantDecayWithOffset,
            lrsched.PiecewiseConstantDecay,
            dict(boundaries=[50, 80], values=[1.0, 0.5, 0.1]),
        ),
        (
            lrsched.PolynomialDecayWithOffset,
            lrsched.PolynomialDecay,
            dict(initial_learning_rate=1.0, decay_steps=100),
        ),
        (
            lrsched.ExponentialDecayWithOffset,
            lrsched.ExponentialDecay,
            dict(initial_learning_rate=1.0, decay_steps=100, decay_rate=0.5),
        ),
        (
            lrsched.CosineDecayWithOffset,
            lrsched.CosineDecay,
            dict(initial_learning_rate=1.0, decay_steps=100),
        ),
    ]
    for cls, base, kwargs in cases:
        offset_lr, base_lr = cls(offset=10, **kwargs), base(**kwargs)
        for step in range(10, 101, 10):
            assert offset_lr(step) == base_lr(step - 10)


# -- TF Model Garden's expected values -----------------------------------------------------------
@pytest.mark.parametrize(
    ("power", "fraction", "offset", "expected"),
    [  # lr_schedule_test.py, PowerAndLinearDecayTest (init_lr=1.0, total_decay_steps=100)
        (-1.0, 0.0, 0, [[0, 1.0], [1, 1.0], [40, 1 / 40], [60, 1 / 60], [100, 1 / 100]]),
        (0.0, 1.0, 0, [[0, 1.0], [1, 0.99], [40, 0.6], [60, 0.4], [100, 0.0]]),
        (-1.0, 0.5, 0, [[0, 1.0], [1, 1.0], [40, 1 / 40], [60, 1 / 60 * 0.8], [100, 0.0]]),
        (
            -1.0,
            0.5,
            90,
            [[0, 1.0], [90, 1.0], [91, 1.0], [130, 1 / 40], [150, 1 / 60 * 0.8], [190, 0.0], [200, 0.0]],
        ),
    ],
)
def test_power_and_linear_decay_tfm_cases(power, fraction, offset, expected):
    spec = lrsched.PowerAndLinearDecay(
        initial_learning_rate=1.0,
        power=power,
        linear_decay_fraction=fraction,
        total_decay_steps=100,
        offset=offset,
    )
    for step, value in expected:
        assert spec(step) == pytest.approx(value, rel=1e-15, abs=1e-300)
    steps = [s for s, _ in expected]
    np.testing.assert_allclose(values(spec, steps, "float32"), [v for _, v in expected], rtol=5e-7)


def test_optimizer_factory_expected_values():
    """optimizer_factory_test.py's schedules, as OptimizerFactory builds them: the warm-up wraps the
    decay (``WARMUP_CLS[type](lr, **warmup_config)``)."""
    stepwise = lrsched.PiecewiseConstantDecayWithOffset(
        0, boundaries=[10000, 20000], values=[0.1, 0.01, 0.001], name="PiecewiseConstantDecay"
    )
    polynomial_warmup = lrsched.PolynomialWarmUp(stepwise, warmup_steps=500, power=2.0, name="polynomial")
    expected = [
        [0, 0.0],
        [250, 0.025],
        [500, 0.1],
        [5500, 0.1],
        [10000, 0.1],
        [10001, 0.01],
        [20000, 0.01],
        [20001, 0.001],
    ]
    for step, value in expected:
        assert polynomial_warmup(step) == pytest.approx(value, abs=5e-7)  # assertAlmostEqual(places=6)
    power = lrsched.DirectPowerDecay(initial_learning_rate=1.0, power=-1.0)
    assert [power(s) for s in (0, 1, 250)] == [1.0, 1.0, 1 / 250]
    linear = lrsched.PowerAndLinearDecay(1.0, total_decay_steps=100, power=-1.0, linear_decay_fraction=0.5)
    assert [linear(s) for s in (0, 1, 40)] == [1.0, 1.0, 1 / 40] and linear(60) == pytest.approx(0.8 / 60)
    with_offset = lrsched.PowerDecayWithOffset(1.0, power=-1.0, offset=10, pre_offset_learning_rate=3.0)
    assert [with_offset(s) for s in (1, 10, 20)] == [3.0, 3.0, 0.1]
    step_cosine = lrsched.StepCosineDecayWithOffset(
        values=(0.0001, 0.00005), boundaries=(0, 500000), offset=10000
    )
    warmup = lrsched.LinearWarmup(step_cosine, warmup_steps=10000, warmup_learning_rate=0.0, name="linear")
    expected = [[0, 0.0], [5000, 1e-4 / 2.0], [10000, 1e-4], [20000, 9.994863e-05], [499999, 5e-05]]
    for step, value in expected:
        assert warmup(step) == pytest.approx(value, abs=5e-8)  # assertAlmostEqual (7 places)


# -- warm-ups ------------------------------------------------------------------------------------
def test_linear_warmup_is_a_warmup_without_shift_and_takes_a_rate():
    spec = lrsched.LinearWarmup(DECAY, 100, 0.01)
    ramp = lrsched.Warmup(DECAY, 100, 0.01, shift=False)
    assert [spec(s) for s in (0, 37, 99, 100, 5000)] == [ramp(s) for s in (0, 37, 99, 100, 5000)]
    assert spec(100) == DECAY(100) and spec(50) == pytest.approx(0.01 + (DECAY(100) - 0.01) / 2)
    rate = lrsched.LinearWarmup(0.1, 10, 0.0)
    assert rate == lrsched.LinearWarmup(lrsched.Constant(0.1), 10, 0.0)
    assert [rate(s) for s in (0, 5, 10, 10**9)] == [0.0, 0.05, 0.1, 0.1]
    assert lrsched.LinearWarmup(DECAY, 0, 0.5)(0) == DECAY(0)  # no ramp


def test_polynomial_warmup_counts_step_0_as_step_1():
    """TF Model Garden's ``max(step, 1) / warmup_steps``: step 0 is not 0 but step 1's rate."""
    spec = lrsched.PolynomialWarmUp(DECAY, 10, power=2.0)
    target = DECAY(10)
    assert spec(0) == spec(1) == pytest.approx(target / 100, rel=1e-15)
    assert spec(5) == pytest.approx(target / 4, rel=1e-15) and spec(10) == target and spec(11) == DECAY(11)
    assert lrsched.PolynomialWarmUp(DECAY, 1)(0) == DECAY(1)  # the ramp is the target itself
    assert [lrsched.PolynomialWarmUp(DECAY, 0)(s) for s in (0, 1)] == [DECAY(0), DECAY(1)]  # no ramp
    steps = [0, 1, 5, 9, 10, 11, 1000]
    assert values(spec, steps) == pytest.approx([spec(s) for s in steps], rel=1e-14)


def test_warmup_polynomial_shape():
    spec = lrsched.Warmup(DECAY, 100, 0.01, shape="polynomial", power=3.0, shift=False)
    target = DECAY(100)
    assert spec(0) == 0.01 and spec(100) == target
    assert spec(50) == pytest.approx(0.01 + (target - 0.01) * 0.5**3, rel=1e-15)
    down = lrsched.Warmup(lrsched.Constant(1e-4), 1000, 0.5, shape="polynomial", power=0.5)  # a fall
    assert down(999) == pytest.approx(1e-4 + (0.5 - 1e-4) * (1 - math.sqrt(0.999)), rel=1e-14)
    with pytest.raises(
        lrsched.ConfigError, match=r"`power`.*must be 1.0 for shape='linear'. Received: power=2.0"
    ):
        lrsched.Warmup(DECAY, 10, power=2.0)
    with pytest.raises(lrsched.ConfigError, match=r"`power` must be in \[0, 128\]. Received: power=-1.0"):
        lrsched.Warmup(DECAY, 10, shape="polynomial", power=-1.0)


# -- powers of the step --------------------------------------------------------------------------
def test_direct_power_decay_counts_steps_below_1_as_1():
    spec = lrsched.DirectPowerDecay(0.1, -0.5)
    assert [spec(s) for s in (0, 1, 4, 10**6)] == [0.1, 0.1, 0.05, 1e-4]
    assert lrsched.Offset(spec, 10)(3) == 0.1  # negative steps too
    assert lrsched.DirectPowerDecay(1e300, 16.0)(2**62) == math.inf  # 1e300 * 2**992: beyond float64
    assert lrsched.DirectPowerDecay(1e-300, 16.0)(2**62) == pytest.approx(1e-300 * 2.0**992, rel=1e-15)
    assert values(lrsched.DirectPowerDecay(1e-30, 4.0), [2**40], "float32") == [
        pytest.approx(1e-30 * 2.0**160, rel=3e-7)
    ]


def test_power_and_linear_decay_falls_over_an_exact_real_length():
    """``T * f`` is not rounded: 1000 * 0.15 (0.1499999999999999944...) is 149.99999999999999445."""
    spec = lrsched.PowerAndLinearDecay(0.5, 1000, power=0.0, linear_decay_fraction=0.15)
    assert spec(850) == 0.5  # (1000 - 850) / 149.999... > 1
    assert spec(851) == pytest.approx(0.5 * 149 / 150, rel=1e-15) and spec(1000) == 0.0
    assert lrsched.PowerAndLinearDecay(1.0, 0, -1.0)(10) == 0.1  # no linear fall without length
    f32 = values(lrsched.PowerAndLinearDecay(1e30, 2**40, 1.0, 1.0), [2**40 - 1, 2**40], "float32")
    assert f32[0] == pytest.approx(1e30 * (2**40 - 1) / 2**40, rel=2e-7) and f32[1] == 0.0  # no inf * 0


def test_power_decay_with_offset_is_constant_up_to_the_offset_and_capped():
    spec = lrsched.PowerDecayWithOffset(1.0, power=0.5, offset=100, pre_offset_learning_rate=5.0)
    assert [spec(s) for s in (0, 100, 101, 104, 125, 10**6)] == [5.0, 5.0, 1.0, 2.0, 5.0, 5.0]
    steps = np.asarray([0, 100, 101, 104], dtype=np.uint8)
    assert lrsched.render(spec, "numpy")(steps).tolist() == [5.0, 5.0, 1.0, 2.0]
    beyond = lrsched.PowerDecayWithOffset(1.0, offset=300)  # beyond uint8's range: before it throughout
    assert lrsched.render(beyond, "numpy")(np.asarray([0, 255], dtype=np.uint8)).tolist() == [1e6, 1e6]


# -- step cosine ---------------------------------------------------------------------------------
def test_step_cosine_levels_as_tf_model_garden_computes_them():
    spec = lrsched.StepCosineDecayWithOffset([100, 1000, 3000], [1.0, 0.5, 0.1], offset=50)

    def level0(s):  # TF Model Garden's first level: from s = 0, period 2 * (1000 - 100), any s
        return 0.5 + 0.5 * (1 + math.cos(math.pi * s / 900)) / 2

    for s in (-50, -10, 0, 100, 450, 900, 950, 999):
        assert spec(50 + s) == pytest.approx(level0(s), rel=1e-14), s
    for s in (1000, 1500, 2999):
        assert spec(50 + s) == pytest.approx(
            0.1 + 0.4 * (1 + math.cos(math.pi * (s - 1000) / 2000)) / 2, rel=1e-14
        )
    assert {spec(50 + s) for s in (3000, 3001, 10**12)} == {0.1}  # TF Model Garden: NaN
    single = lrsched.StepCosineDecayWithOffset([0], [0.3])
    assert {single(s) for s in (0, 1, 10**9)} == {0.3}  # TF Model Garden: NaN everywhere
    steps = [0, 49, 50, 500, 1000, 1049, 1050, 2000, 3049, 3050, 10**6]
    assert values(spec, steps) == pytest.approx([spec(s) for s in steps], rel=1e-14)


# -- documented departures -------------------------------------------------------------------------
def test_a_rise_is_not_extended_before_its_start():
    """PolynomialDecay with end > initial (a rise), before step 0 (inside Offset): the start, not
    Keras's line down through 0; a decay is extended."""
    rise = lrsched.PolynomialDecayWithOffset(
        1000, initial_learning_rate=0.5, decay_steps=100, end_learning_rate=1.0
    )
    assert {rise(s) for s in (0, 500, 999, 1000)} == {0.5}
    decay = lrsched.PolynomialDecayWithOffset(
        1000, initial_learning_rate=1.0, decay_steps=100, end_learning_rate=0.5
    )
    assert decay(900) == 1.5 and decay(0) == 6.0  # (1 - 0.5) * (1 + 1000 / 100) + 0.5
    warm = lrsched.CosineDecayWithOffset(
        100, initial_learning_rate=0.0, decay_steps=10, warmup_target=1.0, warmup_steps=10
    )
    assert warm(50) == 0.0  # Keras's warm-up line would be at -5.0


# -- validation and serialization ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "needles"),
    [
        (
            lambda: lrsched.ExponentialDecayWithOffset(
                -1, initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5
            ),
            ["`offset`", ">= 0", "-1"],
        ),
        (
            lambda: lrsched.ExponentialDecayWithOffset(
                initial_learning_rate=0.1, decay_steps=0, decay_rate=0.5
            ),
            ["`decay_steps`", "> 0", "decay_steps=0"],
        ),
        (
            lambda: lrsched.PiecewiseConstantDecayWithOffset(boundaries=[1, 2], values=[1.0]),
            ["`values`", "len(boundaries) + 1", "values=[1.0]"],
        ),
        (
            lambda: lrsched.CosineDecayWithOffset(initial_learning_rate=0.1, decay_steps=10, warmup_steps=5),
            ["`warmup_steps`", "warmup_target", "warmup_steps=5"],
        ),
        (lambda: lrsched.LinearWarmup(-0.1, 10, 0.0), ["`after_warmup_lr_sched`", ">= 0", "-0.1"]),
        (lambda: lrsched.LinearWarmup("0.1", 10, 0.0), ["`after_warmup_lr_sched`", "schedule", "'0.1'"]),
        (lambda: lrsched.LinearWarmup(DECAY, 10, 0.0, name=3), ["`name`", "string or None", "3"]),
        (lambda: lrsched.PolynomialWarmUp(DECAY, 10, power=-2.0), ["`power`", "[0, 128]", "-2.0"]),
        (lambda: lrsched.DirectPowerDecay(0.1, power=-17.0), ["`power`", "[-16, 16]", "-17.0"]),
        (
            lambda: lrsched.PowerAndLinearDecay(0.1, 100, linear_decay_fraction=1.5),
            ["`linear_decay_fraction`", "[0, 1]", "1.5"],
        ),
        (
            lambda: lrsched.PowerDecayWithOffset(0.1, pre_offset_learning_rate=math.inf),
            ["`pre_offset_learning_rate`", "finite", "inf"],
        ),
        (lambda: lrsched.StepCosineDecayWithOffset([], []), ["`values`", "at least 1", "values=[]"]),
        (
            lambda: lrsched.StepCosineDecayWithOffset([0, 5], [1.0]),
            ["`boundaries`", "len(values) = 1", "[0, 5]"],
        ),
        (
            lambda: lrsched.StepCosineDecayWithOffset([5, 5], [1.0, 0.5]),
            ["`boundaries`", "strictly increasing", "[5, 5]"],
        ),
    ],
)
def test_validation_names_field_rule_and_value(build, needles):
    with pytest.raises(lrsched.ConfigError) as info:
        build()
    for needle in needles:
        assert needle in str(info.value), (needle, str(info.value))


@pytest.mark.parametrize("name", sorted(KERAS_BASES) + sorted(TFM_SIGNATURES))
def test_round_trips_and_validates_against_the_schema(name):
    for spec in EXAMPLES[name]:
        data = json.loads(json.dumps(lrsched.serialize(spec)))
        jsonschema.validate(data, lrsched.schema())
        assert lrsched.deserialize(data) == spec and hash(lrsched.deserialize(data)) == hash(spec)
    rate = {
        "class_name": "LinearWarmup",
        "config": {"after_warmup_lr_sched": 0.1, "warmup_steps": 10, "warmup_learning_rate": 0.0},
    }
    jsonschema.validate(rate, lrsched.schema())
    assert lrsched.deserialize(rate) == lrsched.LinearWarmup(lrsched.Constant(0.1), 10, 0.0)
