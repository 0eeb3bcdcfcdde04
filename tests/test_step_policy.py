"""One step policy in every backend: the table in docs/index.md ("Steps"), case by case.

The same table runs through ``spec(step)`` itself and through every installed backend
(``lrsched.backends()``), eagerly and, where the framework traces, traced:

* integers of every dtype, and floats holding whole numbers, give the integer step's value;
* eagerly, a negative, fractional or non-finite step is a ``StepError``;
* traced, a fractional or non-finite float step is NaN (never a finite lr), and a negative step
  is the formula extended to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import lrsched

SPEC = lrsched.ExponentialDecay(0.1, 10, 0.5, staircase=True)
SMOOTH = lrsched.ExponentialDecay(0.1, 10, 0.5)
STEPS = [0, 7, 10, 20]


def want(spec: lrsched.Schedule, steps: list[int]) -> np.ndarray:
    """The values at ``steps``; negative ones by the formula extended (what traced code computes)."""
    return spec.value(np.asarray(steps, dtype=np.int64), np)


@dataclass
class Adapter:
    """How the table reaches one backend: its eager callable, its own arrays, its tracers."""

    render: Callable[[lrsched.Schedule], Callable[[Any], Any]]
    native: Callable[[list[float], str], Any]  # values, dtype name -> the framework's array
    int_dtypes: tuple[str, ...]
    float_dtypes: tuple[str, ...]
    traced: dict[str, Callable[[Callable[[Any], Any]], Callable[[Any], Any]]] = field(default_factory=dict)
    rtol: float = 2e-6


def _numpy() -> Adapter:
    return Adapter(
        render=lambda spec: lrsched.render(spec, "numpy"),
        native=lambda values, dtype: np.asarray(values, dtype=dtype),
        int_dtypes=("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
        float_dtypes=("float16", "float32", "float64"),
        rtol=1e-12,
    )


def _spec() -> Adapter:
    return Adapter(
        render=lambda spec: spec,
        native=lambda values, dtype: np.asarray(values, dtype=dtype),
        int_dtypes=("int8", "int32", "int64", "uint8", "uint64"),
        float_dtypes=("float16", "float32", "float64"),
        rtol=1e-12,
    )


def _array_api_strict() -> Adapter:
    xp = pytest.importorskip("array_api_strict")
    return Adapter(
        render=lambda spec: spec,
        native=lambda values, dtype: xp.asarray(values, dtype=getattr(xp, dtype)),
        int_dtypes=("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
        float_dtypes=("float32", "float64"),
        rtol=1e-12,
    )


def _jax() -> Adapter:
    import jax
    import jax.numpy as jnp

    return Adapter(
        render=lambda spec: lrsched.render(spec, "jax"),
        native=lambda values, dtype: jnp.asarray(values, dtype=dtype),
        int_dtypes=("int8", "int16", "int32", "uint8", "uint16", "uint32"),
        float_dtypes=("float16", "bfloat16", "float32"),
        traced={"jit": jax.jit, "vmap": lambda f: jax.jit(jax.vmap(f))},
    )


def _torch() -> Adapter:
    import warnings

    import torch

    with warnings.catch_warnings():  # as tests/torch/conftest.py: torch's own deprecation, once
        warnings.filterwarnings(
            "ignore", message=r"`torch\.jit\.script_method` is deprecated", category=DeprecationWarning
        )
        import torch._inductor.compile_fx

    return Adapter(
        render=lambda spec: lrsched.render(spec, "torch"),
        native=lambda values, dtype: torch.tensor(values, dtype=getattr(torch, dtype)),
        int_dtypes=("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
        float_dtypes=("float16", "bfloat16", "float32", "float64"),
        traced={"compile": lambda f: torch.compile(f, fullgraph=True)},
    )


def _tensorflow() -> Adapter:
    import tensorflow as tf

    return Adapter(
        render=lambda spec: lrsched.render(spec, "tensorflow"),
        native=lambda values, dtype: tf.constant(values, dtype=dtype),
        int_dtypes=("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
        float_dtypes=("float16", "bfloat16", "float32", "float64"),
        traced={
            "tf.function": tf.function,
            "xla": lambda f: tf.function(f, jit_compile=True),
        },
    )


ADAPTERS: dict[str, Callable[[], Adapter]] = {
    "numpy": _numpy,
    "jax": _jax,
    "torch": _torch,
    "tensorflow": _tensorflow,
}
#: ``spec(step)`` itself, on numpy arrays and on array_api_strict's (any Array API array)
CORE: dict[str, Callable[[], Adapter]] = {"spec": _spec, "spec[array_api_strict]": _array_api_strict}
TARGETS = [*CORE, *lrsched.backends()]


def adapter(name: str) -> Adapter:
    make = CORE.get(name) or ADAPTERS.get(name)
    if make is None:
        pytest.skip(f"{name}: a third-party backend; this table knows the in-tree ones' arrays only")
    return make()


def as_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # torch, tensorflow
        value = value.detach() if hasattr(value, "detach") else value
        value = value.float() if str(getattr(value, "dtype", "")) == "torch.bfloat16" else value
        return np.asarray(value.numpy(), dtype=np.float64)
    if type(value).__module__.startswith("array_api_strict"):
        import array_api_strict

        return np.asarray(array_api_strict.asarray(value, copy=True)._array, dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


def close(got: Any, expected: np.ndarray, rtol: float, dtype: str = "float64") -> None:
    rtol = max(rtol, {"float16": 2e-3, "bfloat16": 1e-2}.get(dtype, 0.0))
    np.testing.assert_allclose(as_numpy(got), expected, rtol=rtol, atol=0)


# -- eager: Python scalars ----------------------------------------------------------------------
PYTHON_OK = [20, 20.0, np.int64(20), np.float32(20.0), np.float64(20.0)]
PYTHON_BAD = [-1, -1.0, 1.5, 1.9, 0.5, -0.5, math.inf, -math.inf, math.nan, True, False, "20", None]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("step", PYTHON_OK, ids=repr)
def test_python_integral_steps(target, step):
    a = adapter(target)
    close(a.render(SPEC)(step), want(SPEC, [20])[0], a.rtol)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("step", PYTHON_BAD, ids=repr)
def test_python_bad_steps_raise(target, step):
    a = adapter(target)
    with pytest.raises(lrsched.StepError):
        a.render(SPEC)(step)


# -- eager: arrays (numpy, and each framework's own) ---------------------------------------------
@pytest.mark.parametrize("target", TARGETS)
def test_numpy_arrays(target):
    a = adapter(target)
    f = a.render(SMOOTH)
    if target == "spec[array_api_strict]":
        pytest.skip("spec() on a numpy array is the 'spec' row")
    for dtype in ("int8", "int32", "int64", "uint8", "uint64", "float32", "float64"):
        if target == "jax" and dtype in ("int64", "uint64"):
            continue  # no int64 in JAX without x64 (tests/jax covers the refusal)
        close(f(np.asarray(STEPS, dtype=dtype)), want(SMOOTH, STEPS), a.rtol)
    close(f(np.array([2.0])), want(SMOOTH, [2]), a.rtol)
    for bad in ([1.5], [-1.0], [math.inf], [math.nan], [2.0, 2.5]):
        with pytest.raises(lrsched.StepError):
            f(np.asarray(bad))
    with pytest.raises(lrsched.StepError):
        f(np.asarray([3, -1]))


@pytest.mark.parametrize("target", TARGETS)
def test_native_integer_arrays_of_every_dtype(target):
    a = adapter(target)
    f = a.render(SMOOTH)
    for dtype in a.int_dtypes:
        close(f(a.native(STEPS, dtype)), want(SMOOTH, STEPS), a.rtol)


@pytest.mark.parametrize("target", TARGETS)
def test_native_whole_number_floats(target):
    a = adapter(target)
    f = a.render(SPEC)
    for dtype in a.float_dtypes:
        steps = [float(s) for s in STEPS]
        close(f(a.native(steps, dtype)), want(SPEC, STEPS), a.rtol, dtype)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    "values", [[1.5], [1.9], [20.0, 0.5], [-1.0], [math.inf], [-math.inf], [math.nan]], ids=repr
)
def test_native_bad_floats_raise(target, values):
    a = adapter(target)
    f = a.render(SPEC)
    for dtype in a.float_dtypes:
        with pytest.raises(lrsched.StepError):
            f(a.native(values, dtype))


@pytest.mark.parametrize("target", TARGETS)
def test_native_negative_integers_raise(target):
    a = adapter(target)
    f = a.render(SPEC)
    for dtype in a.int_dtypes:
        if dtype.startswith("int"):
            with pytest.raises(lrsched.StepError, match=">= 0"):
                f(a.native([5, -1], dtype))


# -- traced: jit, vmap, tf.function, XLA, torch.compile -----------------------------------------
def traced_cases() -> list[tuple[str, str]]:
    cases = []
    for name in lrsched.backends():
        make = ADAPTERS.get(name)
        if make is None:
            continue
        cases.extend((name, mode) for mode in make().traced)
    return cases


@pytest.mark.parametrize(("target", "mode"), traced_cases())
def test_traced_fraction_is_nan_and_negative_extends_the_formula(target, mode):
    a = adapter(target)
    f = a.traced[mode](a.render(SPEC))
    floats = [1.5, 20.0, math.inf, math.nan, -10.0, 0.5, -math.inf]
    got = as_numpy(f(a.native(floats, "float32")))
    expected = want(SPEC, [0, 20, 0, 0, -10, 0, 0])
    is_nan = [True, False, True, True, False, True, True]
    assert np.isnan(got).tolist() == is_nan  # a fraction is never another step's finite lr
    np.testing.assert_allclose(got[[1, 4]], expected[[1, 4]], rtol=a.rtol)
    ints = as_numpy(f(a.native([-10, -1, 20], "int32")))
    np.testing.assert_allclose(ints, want(SPEC, [-10, -1, 20]), rtol=a.rtol)  # Keras's formula
    whole = as_numpy(f(a.native([float(s) for s in STEPS], "float32")))
    np.testing.assert_allclose(whole, want(SPEC, STEPS), rtol=a.rtol)
