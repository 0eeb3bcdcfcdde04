"""model.save, then keras.models.load_model in a fresh process: safe_mode=True, no custom_objects,
whichever of keras and lrsched that process imports first (or only keras)."""

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
    ["import keras; import lrsched", "import lrsched; import keras", "import keras"],
    ids=["keras-first", "lrsched-first", "keras-only"],
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


def test_the_startup_hook_is_installed_and_cheap(python):
    """The .pth line imports a stdlib-only module; keras is not imported until the process asks."""
    out = python(
        """
        import sys
        print("_lrsched_tensorflow_hook" in sys.modules, "keras" in sys.modules, "lrsched" in sys.modules)
        print(any(getattr(f, "lrsched_keras_hook", False) for f in sys.meta_path))
        """
    )
    assert out.split() == ["True", "False", "False", "True"]


def test_loading_the_plugin_installs_the_hook_too(python, saved):
    """Without the .pth hook (removed here), lrsched loading its plugins installs it."""
    out = python(
        f"""
        import sys
        sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "lrsched_keras_hook", False)]
        import lrsched
        lrsched.backends()  # loads the plugins: lrsched_tensorflow imports no framework, installs the hook
        assert "keras" not in sys.modules
        import keras
        print(type(keras.models.load_model({str(saved)!r}, safe_mode=True).optimizer._learning_rate).__name__)
        """
    )
    assert out.split()[-1] == "KerasSchedule"


def test_the_hook_respects_lrsched_disable_plugins(python, saved):
    out = python(
        f"""
        import keras, sys
        print("lrsched_tensorflow.keras_schedule" in sys.modules)
        try:
            keras.models.load_model({str(saved)!r}, safe_mode=True)
        except TypeError as exc:
            print("refused:", "lrsched>Schedule" in str(exc) or "KerasSchedule" in str(exc))
        """,
        env={"LRSCHED_DISABLE_PLUGINS": "tensorflow"},
    )
    assert out.split()[:2] == ["False", "refused:"]
