"""``lrsched convert`` and ``lrsched.convert``: a framework's config in, an lrsched config out.

Against the frameworks themselves: tests/tensorflow (Keras), tests/hf (HF transformers),
tests/jax (optax) compare the importers with the originals; here the command's round trip."""

from __future__ import annotations

import json

import pytest

import lrsched
from lrsched.cli import main

KERAS = {
    "module": "keras.optimizers.schedules",
    "class_name": "PolynomialDecay",
    "config": {
        "initial_learning_rate": 0.1,
        "decay_steps": 1000,
        "end_learning_rate": 0.0001,
        "power": 2.0,
        "cycle": False,
        "name": "PolynomialDecay",
    },
    "registered_name": None,
}
TRAINING_ARGUMENTS = {
    "output_dir": "out",
    "learning_rate": 3e-4,
    "max_steps": 1000,
    "lr_scheduler_type": "cosine_with_min_lr",
    "lr_scheduler_kwargs": {"min_lr": 1e-5},
    "warmup_ratio": 0.05,
    "warmup_steps": 0,
    "num_train_epochs": 3.0,
}


def write(path, data):
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
def test_convert_a_keras_config_then_load(tmp_path, suffix, capsys):
    out = tmp_path / f"out{suffix}"
    assert main(["convert", str(write(tmp_path / "keras.json", KERAS)), "-o", str(out)]) == 0
    assert lrsched.load(out) == lrsched.PolynomialDecay(0.1, 1000, power=2.0)


def test_convert_hf_training_arguments_to_stdout(tmp_path, capsys):
    assert main(["convert", str(write(tmp_path / "args.json", TRAINING_ARGUMENTS))]) == 0
    spec = lrsched.deserialize(capsys.readouterr().out)
    # the warm-up as transformers 4 reads it: ceil(1000 * 0.05) = 50 steps
    expected = lrsched.from_hf("cosine_with_min_lr", 3e-4, 50, 1000, min_lr=1e-5)
    assert spec == expected
    assert spec(0) == 0.0 and spec(50) == 3e-4 and spec(1000) == pytest.approx(1e-5, rel=1e-15)


@pytest.mark.parametrize(
    ("warmup", "steps"),
    [({"warmup_steps": 30}, 30), ({"warmup_steps": 0.05}, 50), ({"warmup_ratio": 0.031}, 31), ({}, 0)],
)
def test_training_arguments_warmup_as_transformers_reads_it(warmup, steps):
    args = {"lr_scheduler_type": "linear", "learning_rate": 0.1, "max_steps": 1000, **warmup}
    assert lrsched.from_training_arguments(args) == lrsched.from_hf("linear", 0.1, steps, 1000)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"lr_scheduler_type": "linear", "learning_rate": 0.1}, "key 'max_steps' is required"),
        ({"lr_scheduler_type": "linear", "max_steps": -1}, "key 'max_steps' must be an int > 0"),
        ({"lr_scheduler_type": "linear", "max_steps": 10, "warmup_ratio": "x"}, "key 'warmup_ratio'"),
        ({"lr_scheduler_type": "reduce_lr_on_plateau", "max_steps": 10}, "follows a metric"),
        ({"schedule": 1}, "received keys ['schedule']"),
        ({"class_name": "NoSuchDecay", "config": {}}, "unknown schedule 'NoSuchDecay'"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path, data, words, capsys):
    path = write(tmp_path / "in.json", data)
    assert main(["convert", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and words in err


def test_not_a_closed_form_is_its_own_error():
    with pytest.raises(lrsched.NotClosedFormError):
        lrsched.convert({"lr_scheduler_type": "reduce_lr_on_plateau", "max_steps": 10})


def test_convert_an_optax_call(tmp_path):
    call = {
        "optax": "warmup_cosine_decay_schedule",
        "kwargs": {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "decay_steps": 110},
    }
    out = tmp_path / "out.yaml"
    assert main(["convert", str(write(tmp_path / "call.json", call)), "-o", str(out)]) == 0
    assert lrsched.load(out) == lrsched.from_optax(call["optax"], **call["kwargs"])


@pytest.mark.parametrize("name", ["reduce_on_plateau", "contrib.reduce_on_plateau"])
def test_optax_metric_schedules_are_not_closed_forms(name):
    with pytest.raises(lrsched.NotClosedFormError, match="follows a metric"):
        lrsched.from_optax(name)


def test_an_optax_call_names_a_stray_key(tmp_path, capsys):
    path = write(tmp_path / "call.json", {"optax": "constant_schedule", "kwarg": {}})
    assert main(["convert", str(path)]) == 2
    assert "received key 'kwarg'" in capsys.readouterr().err


def test_an_optax_call_from_toml_or_json_takes_steps_written_as_keys(tmp_path):
    """JSON and TOML keys are strings: ``"1000"`` in ``boundaries_and_scales`` is step 1000."""
    call = {
        "optax": "piecewise_constant_schedule",
        "kwargs": {"init_value": 0.1, "boundaries_and_scales": {"1000": 0.5}},
    }
    spec = lrsched.convert(json.loads(json.dumps(call)))
    assert spec == lrsched.from_optax(
        "piecewise_constant_schedule", init_value=0.1, boundaries_and_scales={1000: 0.5}
    )
    bad = {**call, "kwargs": {"init_value": 0.1, "boundaries_and_scales": {"1e3": 0.5}}}
    with pytest.raises(lrsched.ConfigError, match="boundaries_and_scales"):
        lrsched.convert(bad)


# -- TF Model Garden's optimization configs (against TF Model Garden itself: tests/tensorflow) --
OPTIMIZATION = {
    "optimizer": {"type": "sgd", "sgd": {"momentum": 0.9}},
    "learning_rate": {"type": "cosine", "cosine": {"initial_learning_rate": 0.1, "decay_steps": 1000}},
    "warmup": {"type": "polynomial", "polynomial": {"warmup_steps": 100, "power": 2.0}},
}


def test_convert_a_model_garden_experiment_yaml(tmp_path):
    yaml = pytest.importorskip("yaml")
    source = tmp_path / "experiment.yaml"
    source.write_text(yaml.safe_dump({"task": {"model": {}}, "trainer": {"optimizer_config": OPTIMIZATION}}))
    out = tmp_path / "out.json"
    assert main(["convert", str(source), "-o", str(out)]) == 0
    cosine = lrsched.CosineDecayWithOffset(initial_learning_rate=0.1, decay_steps=1000)
    assert lrsched.load(out) == lrsched.PolynomialWarmUp(cosine, 100, 2.0, name="polynomial")
    assert lrsched.load(out) == lrsched.from_model_garden(OPTIMIZATION)


def test_model_garden_defaults_are_its_configs():
    """Each type's defaults as TF Model Garden's config dataclasses hold them (checked against
    them in tests/tensorflow/test_model_garden_import.py)."""
    read = lrsched.from_model_garden
    assert read({"learning_rate": {"type": "constant"}}) == lrsched.Constant(0.1)
    assert read({"learning_rate": {"type": "power", "power": {"initial_learning_rate": 1.0}}}) == (
        lrsched.DirectPowerDecay(1.0, -0.5)
    )
    polynomial = {"type": "polynomial", "polynomial": {"initial_learning_rate": 1.0, "decay_steps": 10}}
    assert read({"learning_rate": polynomial}).end_learning_rate == 0.0001
    exponential = {"initial_learning_rate": 1.0, "decay_steps": 10, "decay_rate": 0.5, "staircase": None}
    assert read({"learning_rate": {"type": "exponential", "exponential": exponential}}).staircase is False
    warm = read(
        {"learning_rate": {"type": "constant"}, "warmup": {"type": "linear", "linear": {"warmup_steps": 5}}}
    )
    assert warm == lrsched.LinearWarmup(0.1, 5, 0.0, name="linear")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            {"learning_rate": {"type": "cosine", "cosine": {"decay_steps": 10}}},
            "'learning_rate.cosine.initial_learning_rate' is required",
        ),
        ({"learning_rate": {"type": "cosin"}}, "key 'learning_rate.type' must be one of"),
        ({"learning_rate": {"cosine": {}}}, "key 'learning_rate.type' is required"),
        (
            {"learning_rate": {"type": "constant", "constant": {"rate": 1}}},
            "'learning_rate.constant.rate' is not a field",
        ),
        (
            {"learning_rate": {"type": "constant"}, "warmup": {"type": "cubic"}},
            "key 'warmup.type' must be one of",
        ),
        (
            {"learning_rate": {"type": "constant"}, "schedule": {}},
            "key 'schedule' is not a key of an OptimizationConfig",
        ),
        (
            {
                "trainer": {
                    "optimizer_config": {
                        "learning_rate": {
                            "type": "stepwise",
                            "stepwise": {"boundaries": [5, 1], "values": [1.0, 0.5, 0.1]},
                        }
                    }
                }
            },
            "key 'trainer.optimizer_config.learning_rate.stepwise': invalid PiecewiseConstantDecayWithOffset",
        ),
        ({"trainer": {"train_steps": 10}}, "key 'trainer.optimizer_config' is required"),
    ],
)
def test_model_garden_errors_name_the_file_and_the_key(tmp_path, data, words, capsys):
    path = write(tmp_path / "in.json", data)
    assert main(["convert", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and words in err


def test_a_function_is_not_a_closed_form_for_any_importer():
    def schedule(step):
        return 0.1 * 0.9**step

    with pytest.raises(lrsched.NotClosedFormError, match="Python function of the step"):
        lrsched.from_optax(schedule)
    with pytest.raises(lrsched.NotClosedFormError, match="Python function of the step"):
        lrsched.from_keras(schedule)
