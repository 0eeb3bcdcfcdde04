"""The spec: Keras's signature, validation with readable errors, value semantics, calling."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pydantic
import pytest

import lrsched

KERAS_SIGNATURE = [  # keras.optimizers.schedules.ExponentialDecay.__init__, in order
    ("initial_learning_rate", inspect.Parameter.empty),
    ("decay_steps", inspect.Parameter.empty),
    ("decay_rate", inspect.Parameter.empty),
    ("staircase", False),
    ("name", "ExponentialDecay"),
]


def test_signature_matches_keras():
    params = inspect.signature(lrsched.ExponentialDecay).parameters
    assert [(p.name, p.default) for p in params.values()] == KERAS_SIGNATURE
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params.values())


def test_positional_and_keyword_construction_agree():
    a = lrsched.ExponentialDecay(0.1, 1000, 0.96, True, "lr")
    b = lrsched.ExponentialDecay(
        initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96, staircase=True, name="lr"
    )
    assert a == b and hash(a) == hash(b)
    assert len({a, b, lrsched.ExponentialDecay(0.1, 1000, 0.96)}) == 2


def test_config_has_keras_keys_in_keras_order_and_round_trips():
    spec = lrsched.ExponentialDecay(0.1, 1000.0, 0.96)
    config = spec.get_config()
    assert config == {
        "initial_learning_rate": 0.1,
        "decay_steps": 1000,
        "decay_rate": 0.96,
        "staircase": False,
        "name": "ExponentialDecay",
    }
    assert type(config["decay_steps"]) is int
    assert lrsched.ExponentialDecay.from_config(config) == spec


def test_specs_are_frozen():
    spec = lrsched.ExponentialDecay(0.1, 1000, 0.96)
    with pytest.raises(pydantic.ValidationError):
        spec.decay_rate = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "needles"),
    [
        ({"decay_steps": 0}, ["decay_steps", "> 0", "decay_steps=0"]),
        ({"decay_steps": -5}, ["decay_steps", "> 0", "decay_steps=-5"]),
        ({"decay_steps": 2**63}, ["decay_steps", "2**63 - 1", str(2**63)]),
        ({"decay_steps": 10.5}, ["decay_steps", "integer", "10.5"]),
        ({"decay_steps": True}, ["decay_steps", "integer", "True"]),
        ({"decay_steps": "1000"}, ["decay_steps", "integer", "'1000'"]),
        ({"initial_learning_rate": -0.1}, ["initial_learning_rate", ">= 0", "-0.1"]),
        ({"initial_learning_rate": math.nan}, ["initial_learning_rate", "finite", "nan"]),
        ({"initial_learning_rate": math.inf}, ["initial_learning_rate", "finite", "inf"]),
        ({"initial_learning_rate": "0.1"}, ["initial_learning_rate", "real number", "'0.1'"]),
        ({"initial_learning_rate": None}, ["initial_learning_rate", "real number", "None"]),
        ({"decay_rate": 0.0}, ["decay_rate", "> 0", "decay_rate=0.0"]),
        ({"decay_rate": -1}, ["decay_rate", "> 0", "-1"]),
        ({"decay_rate": math.inf}, ["decay_rate", "finite", "inf"]),
        ({"staircase": 1}, ["staircase", "True or False", "staircase=1"]),
        ({"staircase": "yes"}, ["staircase", "True or False", "'yes'"]),
        ({"name": 3}, ["name", "string", "name=3"]),
        ({"decay_steps_typo": 3}, ["decay_steps_typo", "unexpected", "decay_steps"]),
    ],
)
def test_bad_arguments_name_field_bound_and_value(kwargs, needles):
    arguments = {"initial_learning_rate": 0.1, "decay_steps": 1000, "decay_rate": 0.96, **kwargs}
    with pytest.raises(lrsched.ConfigError) as info:
        lrsched.ExponentialDecay(**arguments)
    for needle in needles:
        assert needle in str(info.value)
    assert isinstance(info.value, ValueError)


def test_positional_misuse():
    with pytest.raises(lrsched.ConfigError, match="at most 5 positional"):
        lrsched.ExponentialDecay(0.1, 1, 0.5, False, "x", 6)
    with pytest.raises(lrsched.ConfigError, match="multiple values for argument 'decay_steps'"):
        lrsched.ExponentialDecay(0.1, 1, decay_steps=2, decay_rate=0.5)
    with pytest.raises(lrsched.ConfigError, match="missing required argument `decay_rate`"):
        lrsched.ExponentialDecay(0.1, 1)


def test_numpy_numbers_are_accepted():
    spec = lrsched.ExponentialDecay(np.float32(0.5), np.int64(10), np.float64(0.25))
    assert spec == lrsched.ExponentialDecay(0.5, 10, 0.25)


def test_calling_with_python_values():
    spec = lrsched.ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
    value = spec(250000)
    assert type(value) is float
    assert value == 0.09215999999999999  # the float nearest 0.1 * 0.96**2 on the float64 constants
    assert abs(value - 0.1 * 0.96**2) <= math.ulp(value)  # Python's 0.1 * 0.96**2 rounds twice
    assert spec(250000.0) == value
    assert spec(np.int64(250000)) == value
    assert spec(10**1000) == 0.0


@pytest.mark.parametrize("step", [-1, 1.5, True, "3", None, math.nan])
def test_bad_python_steps(step):
    with pytest.raises(lrsched.StepError):
        lrsched.ExponentialDecay(0.1, 10, 0.5)(step)


def test_calling_with_arrays_uses_their_namespace():
    spec = lrsched.ExponentialDecay(0.1, 10, 0.5)
    got = spec(np.asarray([[0, 10], [20, 30]]))
    assert got.shape == (2, 2) and got.dtype == np.float64
    np.testing.assert_allclose(got, [[0.1, 0.05], [0.025, 0.0125]], rtol=1e-15)
    with pytest.raises(lrsched.StepError, match=r"finite whole numbers .* received 0\.5"):
        spec(np.asarray([0.5]))
    with pytest.raises(lrsched.StepError, match="integer or a real floating dtype"):
        spec(np.asarray([1 + 0j]))
    assert spec(np.asarray([20.0])).tolist() == spec(np.asarray([20])).tolist()


def test_repr_is_the_constructor():
    spec = lrsched.ExponentialDecay(0.1, 10, 0.5)
    assert repr(spec) == (
        "ExponentialDecay(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, "
        "staircase=False, name='ExponentialDecay')"
    )
    assert eval(repr(spec), {"ExponentialDecay": lrsched.ExponentialDecay}) == spec
    assert str(spec) == repr(spec)  # print(spec) shows the constructor, not pydantic's bare fields
    assert f"{spec}".startswith("ExponentialDecay(initial_learning_rate=0.1, ")
