"""optax's schedule functions mapped to lrsched specs (``lrsched._optax_names``), with no optax.

The values are compared with optax itself in tests/jax/test_optax_twins.py; here, the shapes each
mapping builds (the rows of docs/catalogue.md), optax's quiet fallbacks, and the errors.
"""

from __future__ import annotations

import pytest

import lrsched
from lrsched._optax_names import OPTAX_NAMES, optax_spec
from lrsched.schedules import CosinePowerDecay

INTERPOLATED = {"interpolate_type": "linear", "init_value": 1.0, "boundaries_and_scales": {4: 0.1, 8: 0.01}}
SGDR = [
    {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "decay_steps": 100},
    {"init_value": 0.0, "peak_value": 0.05, "warmup_steps": 0, "decay_steps": 50, "end_value": 0.001},
]
#: One call of each optax function, and the spec it maps to.
ROWS = [
    ("constant_schedule", {"value": 0.1}, lrsched.Constant(0.1)),
    (
        "polynomial_schedule",
        {"init_value": 0.1, "end_value": 0.01, "power": 2.0, "transition_steps": 100},
        lrsched.PolynomialDecay(0.1, 100, 0.01, power=2.0),
    ),
    (
        "linear_schedule",
        {"init_value": 0.1, "end_value": 0.0, "transition_steps": 100, "transition_begin": 10},
        lrsched.Join([lrsched.Constant(0.1), lrsched.PolynomialDecay(0.1, 100, 0.0, power=1.0)], [10]),
    ),
    (
        "exponential_decay",
        {"init_value": 0.1, "transition_steps": 10, "decay_rate": 0.5, "staircase": True, "end_value": 0.01},
        lrsched.Clip(lrsched.ExponentialDecay(0.1, 10, 0.5, staircase=True), minimum=0.01),
    ),
    (
        "exponential_decay",
        {
            "init_value": 0.1,
            "transition_steps": 10,
            "decay_rate": 2.0,
            "transition_begin": 5,
            "end_value": 1.0,
        },
        lrsched.Clip(
            lrsched.Join([lrsched.Constant(0.1), lrsched.ExponentialDecay(0.1, 10, 2.0)], [5]), maximum=1.0
        ),
    ),
    (
        "cosine_decay_schedule",
        {"init_value": 0.1, "decay_steps": 100, "alpha": 0.1},
        lrsched.CosineDecay(0.1, 100, 0.1),
    ),
    (
        "cosine_decay_schedule",
        {"init_value": 0.1, "decay_steps": 100, "exponent": 2.0},
        CosinePowerDecay(0.1, 100, exponent=2.0),
    ),
    (
        "cosine_decay_schedule",  # alpha > 1: a rise, the cosine warm-up's ramp
        {"init_value": 0.1, "decay_steps": 100, "alpha": 2.0},
        lrsched.Warmup(lrsched.Constant(0.2), 100, start_value=0.1, shape="cosine"),
    ),
    (
        "piecewise_constant_schedule",  # optax changes at the boundary, Keras's class after it
        {"init_value": 1.0, "boundaries_and_scales": {0: 0.5, 100: 0.25}},
        lrsched.PiecewiseConstantDecay([99], [0.5, 0.125]),
    ),
    (
        "piecewise_interpolate_schedule",
        INTERPOLATED,
        lrsched.Join(
            [
                lrsched.Warmup(lrsched.Constant(0.1), 4, start_value=1.0),
                lrsched.Warmup(lrsched.Constant(0.001), 4, start_value=0.1),
                lrsched.Constant(0.001),
            ],
            [4, 8],
        ),
    ),
    (
        "linear_onecycle_schedule",
        {"transition_steps": 100, "peak_value": 1.0, "div_factor": 4.0, "final_div_factor": 16.0},
        lrsched.Join(
            [
                lrsched.Warmup(lrsched.Constant(1.0), 30, start_value=0.25),
                lrsched.Warmup(lrsched.Constant(0.25), 55, start_value=1.0),
                lrsched.Warmup(lrsched.Constant(0.015625), 15, start_value=0.25),
                lrsched.Constant(0.015625),
            ],
            [30, 85, 100],
        ),
    ),
    (
        "cosine_onecycle_schedule",
        {"transition_steps": 100, "peak_value": 1.0, "div_factor": 4.0, "final_div_factor": 16.0},
        lrsched.Join(
            [
                lrsched.Warmup(lrsched.Constant(1.0), 30, start_value=0.25, shape="cosine"),
                lrsched.Warmup(lrsched.Constant(0.015625), 70, start_value=1.0, shape="cosine"),
                lrsched.Constant(0.015625),
            ],
            [30, 100],
        ),
    ),
    (
        "warmup_constant_schedule",
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 100},
        lrsched.PolynomialDecay(0.0, 100, 0.1, power=1.0),
    ),
    (
        "warmup_cosine_decay_schedule",
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 100, "decay_steps": 1000, "end_value": 0.001},
        lrsched.Join(
            [lrsched.PolynomialDecay(0.0, 100, 0.1, power=1.0), lrsched.CosineDecay(0.1, 900, 0.001 / 0.1)],
            [100],
        ),
    ),
    (
        "warmup_exponential_decay_schedule",
        {
            "init_value": 0.0,
            "peak_value": 0.1,
            "warmup_steps": 100,
            "transition_steps": 10,
            "decay_rate": 0.5,
        },
        lrsched.Join(
            [lrsched.PolynomialDecay(0.0, 100, 0.1, power=1.0), lrsched.ExponentialDecay(0.1, 10, 0.5)], [100]
        ),
    ),
    (
        "sgdr_schedule",
        {"cosine_kwargs": SGDR},
        lrsched.Join(
            [
                lrsched.Join(
                    [lrsched.PolynomialDecay(0.0, 10, 0.1, power=1.0), lrsched.CosineDecay(0.1, 90)], [10]
                ),
                lrsched.CosineDecay(0.05, 50, 0.001 / 0.05),
            ],
            [100],
        ),
    ),
    (
        "join_schedules",
        {"schedules": [lrsched.Constant(0.1), lrsched.Constant(0.01)], "boundaries": [100]},
        lrsched.Join([lrsched.Constant(0.1), lrsched.Constant(0.01)], [100]),
    ),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "spec"), ROWS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ROWS)]
)
def test_each_function_maps_to_its_composition(name, kwargs, spec):
    built = optax_spec(name, **kwargs)
    assert built == spec
    assert lrsched.deserialize(lrsched.serialize(built)) == built  # a config like any other


def test_every_name_has_a_row():
    assert {name for name, _, _ in ROWS} == set(OPTAX_NAMES)


def test_optax_values_at_its_boundaries():
    """The boundary conventions, by hand: optax's piecewise scales apply AT the boundary, a
    transition_begin holds the start through it, the interpolation ends on the boundary's value."""
    stairs = optax_spec(
        "piecewise_constant_schedule", init_value=1.0, boundaries_and_scales={10: 0.5, 20: 0.5}
    )
    assert [stairs(k) for k in (9, 10, 19, 20)] == [1.0, 0.5, 0.5, 0.25]
    late = optax_spec(
        "linear_schedule", init_value=1.0, end_value=0.0, transition_steps=10, transition_begin=5
    )
    assert [late(k) for k in (0, 5, 6, 15, 2**40)] == [1.0, 1.0, 0.9, 0.0, 0.0]
    interpolated = optax_spec("piecewise_interpolate_schedule", **INTERPOLATED)
    assert [interpolated(k) for k in (0, 2, 4, 6, 8, 10)] == [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]


@pytest.mark.parametrize(
    ("name", "kwargs", "spec"),
    [
        (
            "linear_schedule",
            {"init_value": 0.1, "end_value": 0.0, "transition_steps": 0},
            lrsched.Constant(0.1),
        ),
        (
            "polynomial_schedule",
            {"init_value": 0.1, "end_value": 0.0, "power": 2, "transition_steps": 10, "transition_begin": -5},
            lrsched.PolynomialDecay(0.1, 10, 0.0, power=2.0),
        ),
        (
            "exponential_decay",
            {"init_value": 0.1, "transition_steps": -1, "decay_rate": 0.5},
            lrsched.Constant(0.1),
        ),
        (
            "exponential_decay",
            {"init_value": 0.1, "transition_steps": 10, "decay_rate": 0.0, "end_value": 1.0},
            lrsched.Constant(0.1),
        ),
        (
            "warmup_constant_schedule",
            {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 0},
            lrsched.Constant(0.0),
        ),
        (
            "piecewise_constant_schedule",
            {"init_value": 0.1, "boundaries_and_scales": {-3: 0.5}},
            lrsched.Constant(0.05),
        ),
        (
            "piecewise_interpolate_schedule",
            {"interpolate_type": "cosine", "init_value": 0.1},
            lrsched.Constant(0.1),
        ),
    ],
    ids=[
        "no-transition",
        "negative-begin",
        "negative-steps",
        "zero-rate-no-clip",
        "no-warmup-is-init",
        "negative-boundary",
        "no-boundaries",
    ],
)
def test_optax_s_quiet_fallbacks_are_kept(name, kwargs, spec):
    """What optax does without raising (transition_steps <= 0: a constant init_value; decay_rate 0:
    the same, without end_value's clip; a negative transition_begin: 0) is what the spec does."""
    assert optax_spec(name, **kwargs) == spec


@pytest.mark.parametrize(
    ("name", "kwargs", "words"),
    [
        (
            "cosine_decay_schedule",
            {"init_value": 0.1, "decay_steps": 0},
            "`decay_steps` must be > 0. Received: decay_steps=0",
        ),
        (
            "warmup_cosine_decay_schedule",
            {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 100, "decay_steps": 100},
            "`decay_steps` must be > warmup_steps = 100. Received: decay_steps=100",
        ),
        (
            "piecewise_constant_schedule",
            {"init_value": 0.1, "boundaries_and_scales": {10: -0.5}},
            "`boundaries_and_scales` must have scales >= 0",
        ),
        (
            "piecewise_interpolate_schedule",
            {"interpolate_type": "quadratic", "init_value": 0.1},
            "`interpolate_type` must be 'linear' or 'cosine'. Received: interpolate_type='quadratic'",
        ),
        (
            "piecewise_interpolate_schedule",
            {"interpolate_type": "linear", "init_value": 0.1, "boundaries_and_scales": {-5: 0.5}},
            "`boundaries_and_scales` must have boundaries >= 0",
        ),
        (
            "warmup_exponential_decay_schedule",
            {
                "init_value": 0.0,
                "peak_value": 0.1,
                "warmup_steps": -1,
                "transition_steps": 10,
                "decay_rate": 0.5,
            },
            "`boundaries` must be >= 0",
        ),
        (
            "linear_onecycle_schedule",
            {"transition_steps": 0, "peak_value": 0.1},
            "`transition_steps` must be > 0",
        ),
        ("sgdr_schedule", {"cosine_kwargs": []}, "`cosine_kwargs` must hold at least one dict"),
        (
            "polynomial_schedule",
            {"init_value": 0.1, "end_value": 0.0, "power": 200.0, "transition_steps": 10},
            "Argument `power` must be in [0, 128]. Received: power=200.0",
        ),
        (
            "cosine_decay_schedule",
            {"init_value": 0.1, "decay_steps": 10, "alpha": 1.5, "exponent": 2.0},
            "Argument `alpha` must be in [0, 1]. Received: alpha=1.5",
        ),
        (
            "constant_schedule",
            {"value": -0.1},
            "Argument `learning_rate` must be >= 0. Received: learning_rate=-0.1",
        ),
        (
            "constant_schedule",
            {"value": 0.1, "step": 3},
            "got an unexpected keyword argument 'step'; it takes value",
        ),
        ("linear_schedule", {"init_value": 0.1}, "missing a required argument: 'end_value'"),
        (
            "join_schedules",
            {"schedules": [lrsched.Constant(0.1)], "boundaries": [10]},
            "`boundaries` must have len(schedules) - 1 = 0 elements",
        ),
        (
            "exponential_decay",
            {"init_value": 0.1, "transition_steps": 1.5, "decay_rate": 0.5},
            "must be an integer",
        ),
    ],
)
def test_bad_arguments_name_the_function_and_the_argument(name, kwargs, words):
    with pytest.raises(lrsched.ConfigError) as error:
        optax_spec(name, **kwargs)
    assert str(error.value).startswith(f"optax.{name}: ")
    assert words in str(error.value)


def test_an_unknown_name_suggests_the_closest():
    with pytest.raises(lrsched.UnknownScheduleError, match="did you mean 'linear_schedule'"):
        optax_spec("linear_schedul", init_value=0.1)
