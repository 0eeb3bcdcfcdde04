"""The example plugin distribution (plugins/lrsched-example), installed by tox like any package."""

from __future__ import annotations

import importlib.metadata
import math
import subprocess
import sys

import numpy as np
import pytest
from examples import EXAMPLES

import lrsched
from lrsched.testing import check_schedule, parametrize_with_checks

pytest.importorskip("lrsched_example", reason="tox installs plugins/lrsched-example into the test envs")
NOAM = [lrsched.schedules()["NoamDecay"](512, 4000), lrsched.schedules()["NoamDecay"](64, 10, factor=2.5)]
STEPS = [0, 1, 9, 10, 3999, 4000, 123_456, 2**31 - 2]


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lrsched.cli", *args], capture_output=True, text=True, check=True
    ).stdout


def test_listed_with_its_distribution():
    version = importlib.metadata.version("lrsched-example")
    assert "NoamDecay" in cli("list")
    line = next(line for line in cli("plugins").splitlines() if line.startswith("example"))
    assert f"lrsched-example {version}" in line
    assert "NoamDecay" in line
    assert "backend pymath" in line
    assert "pymath" in lrsched.backends()


@pytest.mark.parametrize("spec", NOAM, ids=repr)
def test_serializes_by_its_registered_name(spec):
    data = lrsched.serialize(spec)
    assert data["class_name"] == "NoamDecay"
    assert lrsched.deserialize(data) == spec


@parametrize_with_checks(NOAM)
def test_passes_the_conformance_kit(spec, check):
    """Every check of lrsched.testing, in every installed backend (pymath included)."""
    check(spec)


@pytest.mark.parametrize("spec", [s for specs in EXAMPLES.values() for s in specs], ids=repr)
def test_the_pymath_backend_runs_every_builtin_schedule(spec):
    f = lrsched.render(spec, "pymath")
    for step in [0, 1, 999, 1000, 10**6, 2**40]:
        want = spec(step)
        got = f(step)
        assert type(got) is float
        assert got == want or math.isclose(got, want, rel_tol=1e-12) or (math.isinf(got) and math.isinf(want))
    with pytest.raises(lrsched.StepError):
        f(1.5)


def test_before_an_offset_the_warmup_line_goes_on():
    """Offset hands NoamDecay negative steps: n = step + 1 < 1 has no n**-0.5, and the warm-up
    term n * warmup**-1.5 is the smaller one there (it was NaN, and a ValueError in pymath)."""
    noam = NOAM[1]
    spec = lrsched.Offset(noam, 100)
    line = noam.factor * noam.d_model**-0.5 * noam.warmup_steps**-1.5
    for step in [0, 50, 98, 99, 100, 101]:
        assert spec(step) == pytest.approx(line * (step - 99), rel=1e-15, abs=0), step
    assert lrsched.evaluate(spec, [0, 99, 100], "pymath") == pytest.approx(
        [spec(0), 0.0, spec(100)], rel=1e-15
    )
    results = check_schedule(spec, select=["values", "step_dtypes", "boundaries"])
    assert {r.status for r in results} <= {"passed", "skipped"}


def test_a_smooth_composition_past_2_53_passes_the_boundaries_check():
    """Found by hypothesis: neighbours past 2**53 whose exact values round to one float64, 1 ulp
    apart in numpy, are not a stair that slipped."""
    noam = lrsched.schedules()["NoamDecay"]
    join = lrsched.Join(
        [lrsched.Constant(5.292308266979092e36), noam(16536, 1266), noam(38996, 370)], [4012, 10000]
    )
    check_schedule(lrsched.Warmup(join, 227320), select=["boundaries[numpy]"])


def test_survives_keras_save_and_load_in_a_fresh_process(tmp_path):
    """A third-party schedule inside a saved Keras model loads by its registered name."""
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    import warnings

    spec = NOAM[1]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=lrsched.render(spec, "tensorflow")), loss="mse"
    )
    model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), batch_size=2, verbose=0)  # 4 updates
    path = tmp_path / "noam.keras"
    with warnings.catch_warnings():  # Keras's save: numpy 2's copy= DeprecationWarning from TF variables
        warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
        model.save(path)
    code = f"""
import json, keras, lrsched  # a loading process imports lrsched (docs/tensorflow.md)
model = keras.models.load_model({str(path)!r}, safe_mode=True)
schedule = model.optimizer._learning_rate
print(json.dumps(schedule.get_config()["schedule"]))
print(int(model.optimizer.iterations), float(model.optimizer.learning_rate))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    config, state = result.stdout.strip().splitlines()[-2:]
    assert lrsched.deserialize(config) == spec
    iterations, lr = state.split()
    assert int(iterations) == 4
    assert float(lr) == pytest.approx(spec(4), rel=5e-7)  # float32


def test_survives_a_torch_state_dict_resume(tmp_path):
    """A scheduler rebuilt and loaded at step 5 continues exactly as an uninterrupted run."""
    torch = pytest.importorskip("torch")
    spec = NOAM[1]

    def make():
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        return model, opt, lrsched.render(spec, "torch", optimizer=opt)

    def run(model, opt, scheduler, steps):
        lrs = []
        for k in steps:
            opt.zero_grad()
            model(torch.full((1, 3), float(k))).sum().backward()
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
        return lrs

    straight = run(*make(), range(12))
    model, opt, scheduler = make()
    first = run(model, opt, scheduler, range(5))
    torch.save(
        {"model": model.state_dict(), "opt": opt.state_dict(), "sched": scheduler.state_dict()},
        tmp_path / "ckpt.pt",
    )
    state = torch.load(tmp_path / "ckpt.pt", weights_only=True)
    model, opt, scheduler = make()
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    scheduler.load_state_dict(state["sched"])
    assert first + run(model, opt, scheduler, range(5, 12)) == straight
    assert straight == pytest.approx([spec(k) for k in range(12)], rel=1e-12)
