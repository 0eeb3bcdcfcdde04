"""Serialization by registered name: round trips, Keras's form, nested specs, and hostile payloads."""

from __future__ import annotations

import json
import math
import re
import sys

import numpy as np
import pytest
from examples import EXAMPLES, Scaled
from hypothesis import given
from hypothesis import strategies as st

import lrsched


def test_every_registered_builtin_has_an_example():
    builtins = [n for n, c in lrsched.schedules().items() if c.__module__.startswith("lrsched.")]
    assert sorted(builtins) == sorted(EXAMPLES)


@pytest.mark.parametrize("spec", [s for specs in EXAMPLES.values() for s in specs], ids=repr)
def test_round_trip(spec):
    data = lrsched.serialize(spec)
    assert data["class_name"] == lrsched.plugins.get_host().registry.names_by_class[type(spec)]
    assert json.loads(json.dumps(data)) == data  # JSON-safe
    assert lrsched.deserialize(data) == spec
    assert lrsched.deserialize(json.dumps(data)) == spec
    assert lrsched.deserialize(json.dumps(data).encode()) == spec


def test_keras_builtin_form_is_read():
    keras_form = {
        "module": "keras.optimizers.schedules",
        "class_name": "ExponentialDecay",
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 100000.0,
            "decay_rate": 0.96,
            "staircase": True,
            "name": "ExponentialDecay",
        },
        "registered_name": None,
    }
    assert lrsched.deserialize(keras_form) == lrsched.ExponentialDecay(0.1, 100000, 0.96, True)


def test_nested_specs_serialize_by_registered_name(composite):
    inner = lrsched.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    outer = Scaled(Scaled(inner, 2.0), 0.5)
    data = lrsched.serialize(outer)
    assert data == {
        "class_name": "Scaled",
        "config": {
            "schedule": {
                "class_name": "Scaled",
                "config": {"schedule": lrsched.serialize(inner), "factor": 2.0},
            },
            "factor": 0.5,
        },
    }
    assert lrsched.deserialize(json.dumps(data)) == outer
    assert outer(25) == inner(25)  # composed exactly in value(), in every namespace
    np.testing.assert_allclose(
        lrsched.render(outer, "numpy")(np.arange(30)), lrsched.render(inner)(np.arange(30))
    )
    with pytest.raises(lrsched.UnknownScheduleError, match="Nope"):
        lrsched.deserialize(
            {
                "class_name": "Scaled",
                "config": {"schedule": {"class_name": "Nope", "config": {}}, "factor": 1},
            }
        )


def test_unregistered_classes_cannot_be_serialized(fresh_host):
    with pytest.raises(lrsched.LrschedError, match="not a registered schedule"):
        lrsched.serialize(Scaled(lrsched.ExponentialDecay(0.1, 1, 0.5), 2.0))
    with pytest.raises(lrsched.LrschedError, match=r"takes an lrsched\.Schedule"):
        lrsched.serialize({"class_name": "ExponentialDecay"})


GOOD = {"initial_learning_rate": 0.1, "decay_steps": 1000, "decay_rate": 0.96}
BAD_PAYLOADS = {
    "unknown name": {"class_name": "ExponentalDecay", "config": GOOD},
    "dotted name": {"class_name": "os.system", "config": {}},
    "dotted module path": {"class_name": "keras.optimizers.schedules.ExponentialDecay", "config": GOOD},
    "other module": {"module": "os", "class_name": "ExponentialDecay", "config": GOOD},
    "builtins module": {"module": "builtins", "class_name": "eval", "config": {}},
    "registered_name": {"class_name": "ExponentialDecay", "config": GOOD, "registered_name": "evil>Thing"},
    "our name, other module": {
        "module": "evil",
        "class_name": "Schedule",
        "config": {"schedule": {"class_name": "ExponentialDecay", "config": GOOD}},
        "registered_name": "lrsched>Schedule",
    },
    "NaN rate": {"class_name": "ExponentialDecay", "config": {**GOOD, "decay_rate": math.nan}},
    "inf lr": {"class_name": "ExponentialDecay", "config": {**GOOD, "initial_learning_rate": math.inf}},
    "zero decay_steps": {"class_name": "ExponentialDecay", "config": {**GOOD, "decay_steps": 0}},
    "negative decay_steps": {"class_name": "ExponentialDecay", "config": {**GOOD, "decay_steps": -1}},
    "huge decay_steps": {"class_name": "ExponentialDecay", "config": {**GOOD, "decay_steps": 10**30}},
    "string number": {"class_name": "ExponentialDecay", "config": {**GOOD, "decay_rate": "0.9"}},
    "list value": {"class_name": "ExponentialDecay", "config": {**GOOD, "decay_rate": [0.9]}},
    "missing field": {"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1}},
    "extra config key": {"class_name": "ExponentialDecay", "config": {**GOOD, "warmup": 10}},
    "extra top-level key": {"class_name": "ExponentialDecay", "config": GOOD, "__reduce__": "os.system"},
    "no config": {"class_name": "ExponentialDecay"},
    "config not a dict": {"class_name": "ExponentialDecay", "config": [0.1, 1000, 0.96]},
    "class_name not a string": {"class_name": ["ExponentialDecay"], "config": GOOD},
    "not a dict": [1, 2, 3],
    "none": None,
    "number": 3,
    "malformed JSON": '{"class_name": "ExponentialDecay", ',
    "JSON list": "[]",
    "NaN in JSON": '{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": NaN, '
    '"decay_steps": 1, "decay_rate": 0.5}}',
}


@pytest.mark.parametrize("payload", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS.keys())
def test_bad_payloads_raise_lrsched_errors(payload):
    before = set(sys.modules)
    with pytest.raises(lrsched.LrschedError) as info:
        lrsched.deserialize(payload)
    assert str(info.value)
    assert not {m for m in set(sys.modules) - before if m in ("os", "evil", "builtins") or "keras" in m}


def test_unknown_name_lists_names_and_closest_match():
    with pytest.raises(lrsched.UnknownScheduleError) as info:
        lrsched.deserialize({"class_name": "ExponentalDecay", "config": {}})
    assert "did you mean 'ExponentialDecay'?" in str(info.value)
    assert re.search(r"available: .*ExponentialDecay", str(info.value))


def test_errors_name_the_field_and_value():
    with pytest.raises(lrsched.ConfigError, match=r"decay_steps.*Received: decay_steps=0"):
        lrsched.deserialize({"class_name": "ExponentialDecay", "config": {**GOOD, "decay_steps": 0}})


def test_deserialize_imports_nothing_a_payload_names():
    name = "lrsched_never_imported_module"
    for payload in (
        {"module": name, "class_name": "X", "config": {}},
        {"class_name": f"{name}.X", "config": {}},
        {"class_name": "ExponentialDecay", "config": GOOD, "registered_name": f"{name}>X"},
    ):
        with pytest.raises(lrsched.LrschedError):
            lrsched.deserialize(payload)
    assert name not in sys.modules


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
near_valid = st.fixed_dictionaries(
    {
        "class_name": st.sampled_from(["ExponentialDecay", "Exponential", "", "a.b"]),
        "config": st.dictionaries(
            st.sampled_from([*GOOD, "staircase", "name", "extra"]),
            st.one_of(json_values, st.floats(-10, 10), st.integers(-(2**70), 2**70)),
        ),
    },
    optional={
        "module": st.sampled_from(["keras.optimizers.schedules", "os", "lrsched_tensorflow.keras_schedule"]),
        "registered_name": st.sampled_from([None, "lrsched>Schedule", "x>y"]),
    },
)


@given(st.one_of(json_values, near_valid, near_valid.map(json.dumps), st.text(max_size=40)))
def test_fuzz_every_outcome_is_a_spec_or_an_lrsched_error(payload):
    try:
        result = lrsched.deserialize(payload)
    except lrsched.LrschedError:
        return
    assert isinstance(result, lrsched.Schedule)
    assert lrsched.deserialize(lrsched.serialize(result)) == result


@pytest.mark.slow
@given(st.one_of(json_values, near_valid, near_valid.map(json.dumps)))
def test_fuzz_long(payload):
    test_fuzz_every_outcome_is_a_spec_or_an_lrsched_error.hypothesis.inner_test(payload)
