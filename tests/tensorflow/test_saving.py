"""model.save, then keras.models.load_model in a fresh process: safe_mode=True, no custom_objects,
whichever of keras and lrsched that process imports first. (A process that imports only keras
must import lrsched too: nothing of lrsched runs at interpreter start.)"""

from __future__ import annotations

import json
import zipfile

import keras
import numpy as np
import pytest

import lrsched

SPEC = lrsched.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.96, staircase=True)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    import warnings

    path = tmp_path_factory.mktemp("saved") / "m.keras"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=lrsched.render(SPEC, "tensorflow")), loss="mse"
    )
    model.fit(np.ones((20, 2), "float32"), np.ones((20, 1), "float32"), batch_size=2, verbose=0)
    with warnings.catch_warnings():
        # Keras's save calls np.array(tf_variable, copy=False); TF's __array__ lacks the copy
        # keyword, which numpy >= 2 reports as a DeprecationWarning (native schedules too).
        warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
        model.save(path)
    return path


def test_the_saved_file_names_the_schedule_by_its_registered_name(saved):
    with zipfile.ZipFile(saved) as archive:
        config = json.loads(archive.read("config.json"))
    written = config["compile_config"]["optimizer"]["config"]["learning_rate"]
    assert written["registered_name"] == "lrsched>Schedule"
    assert lrsched.deserialize(written) == SPEC


@pytest.mark.parametrize(
    "imports",
    [
        "import keras; import lrsched",
        "import lrsched; import keras",
        "import lrsched, keras.models as keras_models; keras = __import__('keras')",
        "import keras.models; import lrsched_tensorflow; import lrsched",
    ],
    ids=["keras-first", "lrsched-first", "lrsched-then-keras-submodule", "plugin-imported"],
)
def test_load_model_in_a_fresh_process(python, saved, imports):
    out = python(
        f"""
        {imports}
        import json, sys
        model = keras.models.load_model({str(saved)!r}, safe_mode=True)
        schedule = model.optimizer._learning_rate
        print(type(schedule).__module__, type(schedule).__name__)
        print(json.dumps(schedule.get_config()["schedule"]))
        print(int(model.optimizer.iterations), float(model.optimizer.learning_rate))
        """
    )
    module_line, config_line, state_line = out.strip().splitlines()[-3:]
    assert module_line == "lrsched_tensorflow.keras_schedule KerasSchedule"
    assert lrsched.deserialize(config_line) == SPEC
    iterations, lr = state_line.split()
    assert int(iterations) == 10
    assert float(lr) == pytest.approx(SPEC(10), rel=1e-7)


def test_import_lrsched_alone_imports_no_framework(python, saved):
    """Not even to read what Keras wrote: the names are strings, resolved by lrsched's registry."""
    with zipfile.ZipFile(saved) as archive:
        written = json.loads(archive.read("config.json"))["compile_config"]["optimizer"]["config"][
            "learning_rate"
        ]
    out = python(
        f"""
        import sys, lrsched
        spec = lrsched.deserialize({json.dumps(written)!r})
        print(spec == lrsched.{SPEC!r})
        print(sorted(m for m in ("tensorflow", "keras", "torch", "jax") if m in sys.modules))
        """
    )
    assert out.split() == ["True", "[]"]


def test_nothing_runs_at_interpreter_start(python):
    """No .pth file: a process that does not import lrsched has no lrsched module and no hook."""
    out = python(
        """
        import sys
        print(sorted(m for m in sys.modules if "lrsched" in m))
        print(any(getattr(f, "lrsched_import_hooks", False) for f in sys.meta_path))
        """
    )
    assert out.split() == ["[]", "False"]


def test_keras_only_needs_import_lrsched(python, saved):
    """The documented cost of no start-up code: without lrsched imported, Keras cannot find the class."""
    out = python(
        f"""
        import keras
        try:
            keras.models.load_model({str(saved)!r}, safe_mode=True)
        except TypeError as exc:
            print("refused:", "lrsched>Schedule" in str(exc) or "Schedule" in str(exc))
        """
    )
    assert out.split()[:2] == ["refused:", "True"]


def test_import_lrsched_after_keras_registers_without_reading_in_between(python, saved):
    """keras first: `import lrsched` registers the class at once, before any lrsched call."""
    out = python(
        """
        import sys, keras
        import lrsched
        print("lrsched_tensorflow.keras_schedule" in sys.modules)
        print(keras.saving.get_registered_object("lrsched>Schedule").__name__)
        """
    )
    assert out.split() == ["True", "KerasSchedule"]


def test_the_hook_works_under_isolated_mode_and_warnings_as_errors(saved):
    """-I (no PYTHONPATH, no user site) and -W error: nothing depends on .pth processing."""
    import subprocess
    import sys

    code = (
        f"import lrsched, keras; m = keras.models.load_model({str(saved)!r}, safe_mode=True); "
        "print(type(m.optimizer._learning_rate).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-W", "error", "-W", "ignore::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-1] == "KerasSchedule"


def test_the_hook_respects_lrsched_disable_plugins(python, saved):
    out = python(
        f"""
        import keras, sys, lrsched
        print("lrsched_tensorflow.keras_schedule" in sys.modules)
        try:
            keras.models.load_model({str(saved)!r}, safe_mode=True)
        except TypeError as exc:
            print("refused:", "lrsched>Schedule" in str(exc) or "KerasSchedule" in str(exc))
        """,
        env={"LRSCHED_DISABLE_PLUGINS": "tensorflow"},
    )
    assert out.split()[:2] == ["False", "refused:"]


JOINED = lrsched.Join(
    [lrsched.Warmup(lrsched.Constant(0.1), 4), lrsched.ExponentialDecay(0.1, 3, 0.5, staircase=True)], [6]
)


def test_a_composition_saves_and_loads_as_one_schedule(python, tmp_path):
    """A Join of a Warmup and a decay is one KerasSchedule: model.save, load_model in a fresh process."""
    import warnings

    path = tmp_path / "joined.keras"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lrsched.render(JOINED, "keras")), loss="mse")
    model.fit(np.ones((18, 2), "float32"), np.ones((18, 1), "float32"), batch_size=2, verbose=0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
        model.save(path)
    out = python(
        f"""
        import keras, lrsched, json
        model = keras.models.load_model({str(path)!r}, safe_mode=True)
        schedule = model.optimizer._learning_rate
        print(json.dumps(schedule.get_config()["schedule"]))
        print(int(model.optimizer.iterations), float(model.optimizer.learning_rate))
        """
    )
    config_line, state_line = out.strip().splitlines()[-2:]
    assert lrsched.deserialize(config_line) == JOINED
    iterations, lr = state_line.split()
    assert int(iterations) == 9
    assert float(lr) == pytest.approx(JOINED(9), rel=1e-7)
