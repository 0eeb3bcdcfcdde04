import pytest

pytest.importorskip("jax")
pytest.importorskip("optax")

import math
from decimal import Decimal

import numpy as np
import subprocesses
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
    return subprocesses.run_python(code, env=env, timeout=timeout)


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
