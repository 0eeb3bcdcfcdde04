"""The JSON Schema accepts every registered schedule's serialized form and rejects bad configs."""

from __future__ import annotations

import json

import jsonschema
import pytest
from examples import EXAMPLES, Scaled

import lrsched
from lrsched.cli import main

ALL = [spec for specs in EXAMPLES.values() for spec in specs]


def validator(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("spec", ALL, ids=repr)
def test_serialized_forms_validate(spec):
    data = lrsched.serialize(spec)
    validator(lrsched.schema()).validate(data)
    validator(lrsched.schema(data["class_name"])).validate(data)


@pytest.mark.parametrize(
    "config",
    [
        {"initial_learning_rate": -1, "decay_steps": 10, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 10.5, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0},
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": "yes"},
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "warmup": 3},
        {"initial_learning_rate": 0.1, "decay_steps": 10},
    ],
)
def test_bad_configs_are_rejected_by_schema_and_by_lrsched_alike(config):
    data = {"class_name": "ExponentialDecay", "config": config}
    with pytest.raises(jsonschema.ValidationError):
        validator(lrsched.schema()).validate(data)
    with pytest.raises(lrsched.ConfigError):
        lrsched.deserialize(data)


def test_unknown_class_names_are_rejected():
    with pytest.raises(jsonschema.ValidationError):
        validator(lrsched.schema()).validate({"class_name": "Nope", "config": {}})
    with pytest.raises(lrsched.UnknownScheduleError):
        lrsched.schema("Nope")


def test_nested_schedules_refer_to_the_union(composite):
    spec = Scaled(Scaled(lrsched.ExponentialDecay(0.1, 10, 0.5), 2.0), 0.5)
    schema = lrsched.schema()
    validator(schema).validate(lrsched.serialize(spec))
    bad = lrsched.serialize(spec)
    bad["config"]["schedule"]["config"]["schedule"]["config"]["decay_steps"] = -3
    with pytest.raises(jsonschema.ValidationError):
        validator(schema).validate(bad)


def test_cli_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == lrsched.schema()
    assert main(["schema", "ExponentialDecay"]) == 0
    assert json.loads(capsys.readouterr().out)["properties"]["class_name"] == {"const": "ExponentialDecay"}
    assert main(["schema", "Nope"]) == 2
