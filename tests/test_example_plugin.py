"""The example plugin distribution (plugins/lrsched-example), installed by tox like any package."""

from __future__ import annotations

import importlib.metadata
import math
import subprocess
import sys

import numpy as np
import pytest
from examples import EXAMPLES
from oracle import assert_close

import lrsched

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


@pytest.mark.parametrize("spec", NOAM, ids=repr)
def test_renders_in_every_installed_backend(spec):
    """float64 backends agree with the exact value to 1e-12; float32 ones are bit-identical to each other
    (the same correctly rounded IEEE operations in the same order) and within a few ulps."""
    exact = {s: spec(s) for s in STEPS}
    float32_values = {}
    for backend in lrsched.backends():
        got = lrsched.evaluate(spec, STEPS, backend)
        is_float32 = all(float(np.float32(v)) == v for v in got) and not all(
            float(np.float32(v)) == v for v in exact.values()
        )
        for step, value in zip(STEPS, got, strict=True):
            from decimal import Decimal

            assert_close(
                value, Decimal(exact[step]), dtype="float32" if is_float32 else "float64", ulps=4, rtol=1e-12
            )
        if is_float32:
            float32_values[backend] = got
    assert len({tuple(v) for v in float32_values.values()}) <= 1, float32_values


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
