"""Composition: Constant, Join, Warmup, Offset, Scale, Clip: semantics against their definitions,
validation, and config files. (Every backend, serialization, schema, resume and the k-th update
come from the conformance kit in tests/test_backends.py, which runs over these too.)"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from examples import EXAMPLES, NESTED

import lrsched
from lrsched.testing import assert_close

DECAY = lrsched.ExponentialDecay(0.1, 1000, 0.5)
STAIRS = lrsched.ExponentialDecay(0.1, 100, 0.5, staircase=True)


def test_join_hands_each_piece_its_own_steps():
    spec = lrsched.Join([lrsched.Constant(0.3), STAIRS, DECAY], [10, 510])
    for step in [0, 9, 10, 11, 109, 110, 509, 510, 511, 10**6]:
        if step < 10:
            want = 0.3
        elif step < 510:
            want = STAIRS(step - 10)
        else:
            want = DECAY(step - 510)
        assert spec(step) == want, step
    f = lrsched.render(spec, "numpy")
    steps = np.array([0, 9, 10, 109, 110, 509, 510, 10**6])
    np.testing.assert_allclose(f(steps), [spec(int(s)) for s in steps], rtol=1e-13)


def test_join_edge_cases():
    assert lrsched.Join([DECAY], [])(123) == DECAY(123)  # one schedule: itself
    at_zero = lrsched.Join([lrsched.Constant(1.0), DECAY], [0])  # the second runs from step 0
    assert at_zero(0) == DECAY(0) and at_zero(7) == DECAY(7)
    beyond = lrsched.Join([lrsched.Constant(1.0), DECAY], [2**40])  # a boundary int32 steps never reach
    assert lrsched.render(beyond, "numpy")(np.array([2**31 - 1], dtype=np.int32))[0] == 1.0
    assert beyond(2**40) == DECAY(0)


class Root(lrsched.Schedule):
    """``sqrt(step)``: a schedule with no real value at a negative step, as many have."""

    def value(self, step, xp):
        return xp.sqrt(xp.astype(step, xp.float64))


@pytest.mark.parametrize(
    "spec",
    [
        lrsched.Join([lrsched.Constant(0.1), Root(), Root()], [5, 9]),
        lrsched.Warmup(Root(), 6),
        lrsched.Warmup(Root(), 6, shift=False),
    ],
    ids=repr,
)
def test_lanes_a_where_discards_see_no_step_the_combinator_invented(spec):
    """Before a boundary (a warm-up's end) a piece's value is discarded; it is still computed
    there, branch-free, and must be handed a step >= 0 it could see anyway, not step - boundary."""
    steps = np.arange(12)
    with np.errstate(all="raise"):  # sqrt of a negative step would raise here
        got = spec.value(steps, np)
    np.testing.assert_allclose(got, [spec(int(k)) for k in steps], rtol=1e-15)


@pytest.mark.parametrize(
    ("schedules", "boundaries", "needles"),
    [
        ([DECAY, DECAY], [1, 2], ["`boundaries`", "len(schedules) - 1 = 1", "[1, 2]"]),
        ([DECAY, DECAY], [], ["`boundaries`", "len(schedules) - 1 = 1", "[]"]),
        (
            [DECAY, DECAY, DECAY],
            [5, 5],
            ["`boundaries`", "strictly increasing", "(5, 5)" if False else "[5, 5]"],
        ),
        ([DECAY, DECAY], [-1], ["`boundaries`", "[0, 2**63 - 1]", "-1"]),
        ([DECAY, DECAY], [True], ["`boundaries`", "True"]),
        ([], [], ["`schedules`", "at least 1"]),
        (DECAY, [], ["`schedules`", "list or tuple"]),
    ],
)
def test_join_validation_names_field_rule_and_value(schedules, boundaries, needles):
    with pytest.raises(lrsched.ConfigError) as info:
        lrsched.Join(schedules, boundaries)
    for needle in needles:
        assert needle in str(info.value), (needle, str(info.value))


@pytest.mark.parametrize("shift", [True, False])
@pytest.mark.parametrize("shape", ["linear", "cosine", "exponential"])
def test_warmup_ramps_to_the_value_where_the_wrapped_schedule_takes_over(shape, shift):
    w, start = 100, 0.002
    spec = lrsched.Warmup(STAIRS, w, start, shape=shape, shift=shift)
    target = STAIRS(0 if shift else w)
    assert spec(0) == start
    for step in [w, w + 1, w + 150, 10**5]:
        assert spec(step) == STAIRS(step - w if shift else step)
    p = Fraction(37, w)
    if shape == "linear":
        want = start + (target - start) * float(p)
    elif shape == "cosine":
        want = start + (target - start) * (1 - np.cos(np.pi * float(p))) / 2
    else:
        want = start * (target / start) ** float(p)
    assert spec(37) == pytest.approx(want, rel=1e-14)
    values = [spec(k) for k in range(w + 1)]
    assert values == sorted(values)  # a ramp up to the target (the target is above the start)


def test_an_unknown_nested_name_is_an_unknown_schedule_error_placed_in_its_field():
    with pytest.raises(lrsched.UnknownScheduleError, match=r"`schedules` element 1: unknown schedule 'Nope'"):
        lrsched.Join([DECAY, {"class_name": "Nope", "config": {}}], [3])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    ("target", "after"),
    [
        (lrsched.Constant(0.0), 0.0),  # ratio 0: 0 past step 0, as 0**p
        (lrsched.Clip(lrsched.Constant(0.1), maximum=-1.0), math.nan),  # across 0: no real ratio**p
    ],
    ids=["to-zero", "to-negative"],
)
def test_an_exponential_warmup_to_a_target_with_no_positive_ratio(target, after, dtype):
    spec = lrsched.Warmup(target, 4, start_value=1.0, shape="exponential")
    want = [1.0, after, after, after, target(0), target(1)]
    assert [spec(k) for k in range(6)] == pytest.approx(want, nan_ok=True)
    got = lrsched.render(spec, "numpy", dtype=dtype)(np.arange(6))
    assert got.tolist() == pytest.approx(want, nan_ok=True)


@pytest.mark.parametrize("shape", ["linear", "cosine"])
def test_a_float32_warmup_to_a_target_beyond_float32(shape):
    """2**128 is inf in float32, but the ramp's values below it are not."""
    spec = lrsched.Warmup(lrsched.ExponentialDecay(1.0, 1, 2.0), 128, shape=shape, shift=False)
    f = lrsched.render(spec, "numpy", dtype="float32")
    steps = [1, 64, 100, 127]
    for step, got in zip(steps, f(np.asarray(steps)).tolist(), strict=True):
        assert_close(got, spec(step), dtype="float32", where=f"step {step}")
    assert np.isinf(f(128))  # 2**128 itself


def test_a_warmup_to_a_target_beyond_float64_is_inf_not_nan():
    """2**1100 / 1100 is beyond float64 at every step of the ramp: inf, not inf - inf."""
    spec = lrsched.Warmup(lrsched.ExponentialDecay(1.0, 1, 2.0), 1100, shift=False)
    steps = np.arange(1, 1100)
    assert all(math.isinf(spec(int(k))) for k in steps[::50])
    for dtype in ("float64", "float32"):
        got = lrsched.render(spec, "numpy", dtype=dtype)(steps)
        assert np.isinf(got).all(), dtype
    with np.errstate(over="ignore", invalid="raise"):  # no inf * 0 at step 0, where a where() keeps 0
        got = spec.value(np.arange(3), np)
    assert got.tolist() == [0.0, math.inf, math.inf]


def test_warmup_validation():
    with pytest.raises(lrsched.ConfigError, match=r"`start_value` must be > 0 for shape='exponential'"):
        lrsched.Warmup(DECAY, 10, 0.0, "exponential")
    with pytest.raises(
        lrsched.ConfigError, match=r"`shape` must be one of 'linear', 'cosine', 'exponential'"
    ):
        lrsched.Warmup(DECAY, 10, shape="quadratic")
    with pytest.raises(lrsched.ConfigError, match=r"`warmup_steps` must be >= 0"):
        lrsched.Warmup(DECAY, -1)
    assert lrsched.Warmup(DECAY, 0)(5) == DECAY(5)  # no ramp


def test_offset_evaluates_the_formula_before_the_offset():
    """As TF Model Garden's *WithOffset: base(step - offset), no clamp."""
    spec = lrsched.Offset(STAIRS, 250)
    assert spec(250) == STAIRS(0) and spec(350) == STAIRS(100)
    assert spec(150) == 0.2 and spec(0) == pytest.approx(0.1 * 0.5**-3)  # the stairs extended back
    f = lrsched.render(spec, "numpy")
    for dtype in (np.int8, np.uint8, np.int32, np.uint64):
        steps = np.array([0, 100, np.iinfo(dtype).max], dtype=dtype)
        np.testing.assert_allclose(f(steps), [spec(int(s)) for s in steps], rtol=1e-13)


@pytest.mark.parametrize("decay_steps", [1, 3])
def test_offset_before_the_offset_where_the_power_alone_overflows(decay_steps):
    """Step 0 of Offset(.., 1050 * decay_steps) is 1e-10 * 2**1050 = 1.2e306: 2**1050 alone is inf."""
    spec = lrsched.Offset(lrsched.ExponentialDecay(1e-10, decay_steps, 0.5), 1050 * decay_steps)
    f = lrsched.render(spec, "numpy")
    for dtype in (np.int16, np.int64):
        steps = np.asarray([0, 10, 30 * decay_steps, 2000], dtype=dtype)
        for step, got in zip(steps.tolist(), f(steps).tolist(), strict=True):
            assert_close(got, spec(step), dtype="float64", where=f"{dtype.__name__} step {step}")


def test_scale_and_clip():
    assert lrsched.Scale(DECAY, 0.5)(1000) == 0.025
    clip = lrsched.Clip(DECAY, minimum=0.01, maximum=0.05)
    assert [clip(k) for k in (0, 1000, 10**5)] == [0.05, 0.05, 0.01]
    with pytest.raises(
        lrsched.ConfigError, match=r"`minimum` must be <= `maximum`.*minimum=0.5, maximum=0.1"
    ):
        lrsched.Clip(DECAY, 0.5, 0.1)
    assert lrsched.Clip(DECAY)(3) == DECAY(3)


def test_scale_by_zero_is_zero_where_the_schedule_overflows():
    """2.0**2000 is inf in floats and inf * 0 is nan; the spec's math says 0."""
    spec = lrsched.Scale(lrsched.ExponentialDecay(1.0, 1, 2.0), 0.0)
    assert spec(2000) == 0.0
    for dtype in ("float64", "float32"):
        assert lrsched.render(spec, "numpy", dtype=dtype)(np.asarray([0, 2000])).tolist() == [0.0, 0.0]


def test_scale_by_a_factor_beyond_float32s_range():
    """A factor that float32 rounds to 0 (or to inf) is applied by its exponent: 1e30 * 1e-46 is
    1e-16 in float32, not 0; a schedule that overflowed to inf stays inf, never inf * 0 = nan."""
    for inner, factor in ((1e30, 1e-46), (1e-30, 1e-20), (1e-37, 1e39), (3.0, 5e-324)):
        spec = lrsched.Scale(lrsched.Constant(inner), factor)
        want = float(Fraction(inner) * Fraction(factor))
        assert spec(0) == want
        for dtype in ("float64", "float32"):
            got = lrsched.render(spec, "numpy", dtype=dtype)(np.asarray([0, 7]))
            for value in got.tolist():
                assert_close(value, want, dtype=dtype, where=f"{inner} * {factor} ({dtype})")
    beyond = lrsched.Scale(lrsched.ExponentialDecay(1.0, 1, 2.0), 1e-46)  # 2**200 in float32: inf
    assert lrsched.render(beyond, "numpy", dtype="float32")(np.asarray([200])).tolist() == [math.inf]


def test_product_with_a_factor_of_0_is_0_where_another_overflows():
    """inf * 0 is nan; the spec's math says 0: in exact math, Python scalars and both dtypes,
    and an exact 0 computed from an inexact factor decides at once in spec(k)."""
    from lrsched.exact import evaluate
    from lrsched.xp import scalar

    big = lrsched.ExponentialDecay(1.0, 1, 2.0)  # 2.0**2000: inf in floats
    for spec in (
        lrsched.Product([big, lrsched.Constant(0.0)]),
        lrsched.Product([lrsched.Constant(0.0), big]),
    ):
        assert spec(2000) == 0.0
        assert spec.value(2000, scalar) == 0.0
        for dtype in ("float64", "float32"):
            assert lrsched.render(spec, "numpy", dtype=dtype)(np.asarray([0, 2000])).tolist() == [0.0, 0.0]
    # 0 * base ** (k / d) with an inexact power: an exact 0, and the next factor's comparison decides
    zero = lrsched.ExponentialDecay(0.0, 2316460, 6.898682885905467e16)
    spec = lrsched.Product([lrsched.Constant(3072.0), zero, lrsched.CosineDecay(0.5, 1362)])
    assert evaluate(spec.value, 1) == (0.0, evaluate(spec.value, 1)[1], True)


def test_nested_three_levels_round_trips_and_matches_its_parts():
    assert lrsched.deserialize(json.loads(json.dumps(lrsched.serialize(NESTED)))) == NESTED
    join = NESTED.schedule
    warm = join.schedules[0]
    assert NESTED(10) == min(warm(10), 0.15)
    assert NESTED(300) == min(join.schedules[1](0), 0.15)  # the offset stairs, extended back, then clipped
    assert NESTED(5000) == 1e-4
    assert hash(NESTED) == hash(lrsched.deserialize(lrsched.serialize(NESTED)))


def test_compositions_in_config_files(tmp_path):
    yaml = pytest.importorskip("yaml")
    for spec in [s for name in ("Join", "Warmup", "Offset", "Scale", "Clip") for s in EXAMPLES[name]]:
        config = lrsched.serialize(spec)
        (tmp_path / "s.json").write_text(json.dumps(config))
        (tmp_path / "s.yaml").write_text(yaml.safe_dump(config))
        assert lrsched.load(tmp_path / "s.json") == spec
        assert lrsched.load(tmp_path / "s.yaml") == spec
    (tmp_path / "s.toml").write_text(
        'class_name = "Join"\n[config]\nboundaries = [100]\n'
        '[[config.schedules]]\nclass_name = "Constant"\nconfig = { learning_rate = 0.1 }\n'
        '[[config.schedules]]\nclass_name = "ExponentialDecay"\n'
        "config = { initial_learning_rate = 0.1, decay_steps = 1000, decay_rate = 0.5 }\n"
    )
    assert lrsched.load(tmp_path / "s.toml") == lrsched.Join([lrsched.Constant(0.1), DECAY], [100])


def test_field_types_read_as_plain_types():
    import inspect

    params = inspect.signature(lrsched.Join).parameters
    assert (
        str(params["boundaries"].annotation) == "tuple[int, ...], strictly increasing, each in [0, 2**63 - 1]"
    )
    assert str(
        inspect.signature(lrsched.ExponentialDecay).parameters["initial_learning_rate"].annotation
    ) == ("float, >= 0")
    schema = lrsched.schema("Join")["$defs"]["Join"]["properties"]
    assert schema["boundaries"]["type"] == "array" and schema["schedules"]["items"] == {
        "$ref": "#/$defs/Schedule"
    }


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", ["linear", "cosine", "polynomial"])
def test_a_ramp_to_an_infinite_target_is_infinite_after_its_start(dtype, shape):
    """Any part of an infinite target is infinite: exact math says inf from step 1 on, where a
    polynomial ramp's fraction ``p ** 64`` underflows to 0 (the float renderings gave 0; found by
    the kit's generated compositions, PolynomialWarmUp(Offset(ExponentialDecay(8.49e36, 858,
    9.79e36), 452), 949680, power=64.3))."""
    power = {"power": 64.0} if shape == "polynomial" else {}
    huge = lrsched.ExponentialDecay(8.49e36, 858, 9.79e36)  # inf in float64 from step ~600 on
    spec = lrsched.Warmup(huge, 10**6, start_value=0.5, shape=shape, shift=False, **power)
    steps = np.array([0, 1, 2, 1000, 10**6 - 1, 10**6], dtype=np.int64)
    want = [spec(int(s)) for s in steps]
    assert want == [0.5] + [math.inf] * 5
    got = lrsched.render(spec, "numpy", dtype=dtype)(steps)
    assert got.tolist() == want
    tfm = lrsched.PolynomialWarmUp(lrsched.Offset(huge, 452), 949680, power=64.3)
    assert lrsched.render(tfm, "numpy", dtype=dtype)(steps).tolist() == [tfm(int(s)) for s in steps]
