import pytest

pytest.importorskip("jax")
pytest.importorskip("optax")

import math
import os
import subprocess
import sys
import textwrap
from decimal import Decimal

import numpy as np
from oracle import exact_exponential, ulps32

import lrsched

#: float32's smallest normal. XLA (CPU, GPU, TPU) flushes subnormal results to zero, so an
#: exact value below this may come back as 0.
TINY32 = float(np.finfo(np.float32).tiny)


def float32_ulps(got: float, exact: Decimal) -> float:
    """float32 ulps from the exact value; 0 for a flushed subnormal or a right overflow to inf."""
    want = float(exact)
    if got == 0.0 and abs(want) < TINY32:
        return 0.0  # flush to zero: XLA's documented treatment of subnormals
    if got == math.inf and abs(want) >= 3.4028235677973366e38:
        return 0.0
    return float(ulps32(got, exact))


def exact_of(spec: lrsched.ExponentialDecay, step: int) -> Decimal:
    return exact_exponential(
        spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase, step
    )


def run_python(code: str, *, env: dict[str, str] | None = None, timeout: float = 240) -> str:
    """Run ``code`` in a fresh interpreter (its own JAX flags); fail with its output if it fails."""
    full_env = {**os.environ, "PYTHONWARNINGS": "error", **(env or {})}
    support = os.path.join(os.path.dirname(__file__), os.pardir, "support")
    full_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.abspath(support), full_env.get("PYTHONPATH")])
    )
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"subprocess failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture
def f32_ulps():
    """``f32_ulps(got, exact)``: float32 ulps from exact math, flushed subnormals counting 0."""
    return float32_ulps


@pytest.fixture
def exact():
    """``exact(spec, step)``: the Decimal oracle for an ExponentialDecay spec."""
    return exact_of


@pytest.fixture
def python():
    """``python(code, env=...)``: run code in a fresh interpreter and return its stdout."""
    return run_python
