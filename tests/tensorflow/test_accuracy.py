"""Float32 accuracy against exact math (Python decimal, 60 digits), eagerly, in tf.function and
under XLA, side by side with how far Keras's own ExponentialDecay is from the same exact math."""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf
from oracle import exact_exponential, ulps32

import lrsched

F32_TINY = 2.0**-126  # TensorFlow flushes float32 subnormals to zero on CPU: below this, 0 is its answer
MODES = {
    "eager": lambda f: f,
    "tf.function": lambda f: tf.function(f, autograph=False),
    "jit_compile": lambda f: tf.function(f, jit_compile=True, autograph=False),
}


@functools.cache
def cases():
    """Random ExponentialDecay configs and steps up to 2**31 - 1, with their exact values."""
    rng = np.random.default_rng(20261124)
    out = []
    for i in range(24):
        lr0 = float(rng.choice([0.1, 1.0, 3e-4, 10 ** rng.uniform(-6, 1)]))
        period = int(rng.choice([1, 7, 1000, 100_000, int(rng.integers(1, 2**31))]))
        rate = float(rng.choice([0.96, 0.5, 0.999, 10 ** rng.uniform(-2, 0.5)]))
        spec = lrsched.ExponentialDecay(lr0, period, rate, staircase=bool(i % 2))
        steps = np.unique(
            np.concatenate(
                [
                    rng.integers(0, 2**31, 250),
                    rng.integers(2**24, 2**25, 50),
                    rng.integers(0, 4096, 50),
                    [0, 1, 2**24 + 1, 2**31 - 1],
                    [k * period + d for k in (1, 2, 3) for d in (-1, 0) if k * period + d < 2**31],
                ]
            )
        )
        exact = [exact_exponential(lr0, period, rate, spec.staircase, int(s)) for s in steps]
        out.append((spec, steps, exact))
    return out


def _worst(values, steps, exact):
    worst = (0.0, None)
    for value, step, want in zip(values, steps, exact, strict=True):
        if float(want) < F32_TINY:
            continue
        error = float(ulps32(float(value), want))
        if error > worst[0]:
            worst = (error, int(step))
    return worst


@pytest.mark.parametrize("int_dtype", [tf.int32, tf.int64])
@pytest.mark.parametrize("mode", MODES)
def test_float32_within_4_ulps_up_to_2_31_with_keras_side_by_side(mode, int_dtype, record_property):
    ours_worst, rows = 0.0, []
    keras_worst = {"below 2**24": 0.0, "from 2**24": 0.0}
    for spec, steps, exact in cases():
        rendered = MODES[mode](lrsched.render(spec, "tensorflow"))
        native = MODES[mode](
            keras.optimizers.schedules.ExponentialDecay(
                spec.initial_learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase
            )
        )
        t = tf.constant(steps, int_dtype)
        ours, at = _worst(rendered(t).numpy(), steps, exact)
        theirs = native(t).numpy()
        low = steps < 2**24
        for key, part in (("below 2**24", low), ("from 2**24", ~low)):
            error, _ = _worst(theirs[part], steps[part], [e for e, p in zip(exact, part, strict=True) if p])
            keras_worst[key] = max(keras_worst[key], error)
        rows.append(f"{spec!r}: lrsched {ours:.2f} ulps (step {at}); keras {_worst(theirs, steps, exact)}")
        ours_worst = max(ours_worst, ours)
        assert ours <= 4, f"{spec!r} is {ours:.2f} ulps off at step {at} ({mode}, {int_dtype.name})"
    record_property("lrsched_worst_ulps", ours_worst)
    record_property("keras_worst_ulps", keras_worst)
    summary = ", ".join(f"{k} {v:.4g}" for k, v in keras_worst.items())
    print(f"\n{mode}, {int_dtype.name}: lrsched worst {ours_worst:.2f} ulps; keras worst: {summary} ulps")
    print("\n".join(rows))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("period", [3, 2**24 + 1, 10**9 + 7, 2**40 + 3, 3 * 2**52 + 1])
def test_int64_staircase_boundaries_are_exact(mode, period):
    """Steps either side of stair boundaries, far past 2**24 and 2**53: always the right stair."""
    spec = lrsched.ExponentialDecay(1.0, period, 0.5, staircase=True)
    stairs = [k for k in (1, 2, 3, 5, 1000, 2**20) if k * period < 2**63]
    steps = [k * period + d for k in stairs for d in (-1, 0, 1)]
    got = MODES[mode](lrsched.render(spec, "tensorflow"))(tf.constant(steps, tf.int64)).numpy()
    want = [0.5 ** (s // period) for s in steps]  # powers of two: exact in float32
    np.testing.assert_array_equal(got, np.float32(want))


def test_native_keras_off_past_2_24_is_measured(record_property):
    """What Keras's own schedule does at stair boundaries past 2**24 (float32 steps round)."""
    period = 2**24 + 1
    spec = lrsched.ExponentialDecay(1.0, period, 0.5, staircase=True)
    native = keras.optimizers.schedules.ExponentialDecay(1.0, period, 0.5, staircase=True)
    steps = tf.constant([period - 1, period, 3 * period - 1], tf.int64)
    ours = lrsched.render(spec, "tensorflow")(steps).numpy().tolist()
    theirs = native(steps).numpy().tolist()
    record_property("keras_at_boundaries", theirs)
    print(
        f"\nsteps {steps.numpy().tolist()}: exact {[spec(int(s)) for s in steps]}, lrsched {ours}, keras {theirs}"
    )
    assert ours == [spec(int(s)) for s in steps]


def test_building_blocks_within_4_ulps():
    """The numerics building blocks on the Keras namespace (float32 and float64, int64 steps)."""
    import numpy as np
    import tensorflow as tf
    from blocks import check_namespace
    from lrsched_tensorflow._xp import namespace

    for name in ("float32", "float64"):
        check_namespace(namespace(name), tf.constant, np.int64, name)
