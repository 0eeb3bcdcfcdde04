"""Benchmark: the rendered Keras schedule against Keras's own ExponentialDecay, in one run.

Prints per-call times (eager; inside ``tf.function``; inside an XLA-compiled ``tf.function``),
per-step time of ``model.fit`` on a tiny model, and the ratio rendered / native for each
(the target is <= 1.1). Medians over repeats. No assertions: the figures are for the record.

Usage: python benchmarks/bench_tensorflow.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
import tensorflow as tf

import lrsched

QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 9
ARGS = (0.1, 100_000, 0.96)


def _time(fn, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def _pair(name: str, make, number: int, unit: str = "us") -> tuple[float, float]:
    """Median per-call times of native and rendered, measured interleaved (the machine may be busy)."""
    scale = 1e6 if unit == "us" else 1e3
    native_fn = make(keras.optimizers.schedules.ExponentialDecay(*ARGS, staircase=STAIR))
    ours_fn = make(lrsched.render(lrsched.ExponentialDecay(*ARGS, staircase=STAIR), "tensorflow"))
    native_fn(), ours_fn()  # warm up: trace, compile
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEATS):
        times[0].append(_time(native_fn, number))
        times[1].append(_time(ours_fn, number))
    native, ours = statistics.median(times[0]), statistics.median(times[1])
    print(
        f"{name:<34} native {native * scale:9.2f} {unit}   lrsched {ours * scale:9.2f} {unit}   "
        f"ratio {ours / native:5.2f}"
    )
    return native, ours


def eager(schedule):
    step = tf.Variable(12_345, dtype=tf.int64)
    return lambda: schedule(step)


def in_function(schedule, *, jit_compile: bool = False, calls: int = 100):
    """``calls`` evaluations at distinct steps inside one tf.function; time is per evaluation."""
    step = tf.Variable(12_345, dtype=tf.int64)

    @tf.function(jit_compile=jit_compile, autograph=False)
    def run():
        total = tf.constant(0.0, tf.float32)
        for i in range(calls):
            total += schedule(step + i)
        return total

    return run


def once_in_function(schedule):
    """One evaluation per tf.function call, as an optimizer step makes."""
    step = tf.Variable(12_345, dtype=tf.int64)
    return tf.function(lambda: schedule(step), autograph=False)


def fit(schedule, *, steps: int = 200):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(steps * 8, 4)).astype("float32")
    y = rng.integers(0, 3, size=steps * 8)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return lambda: model.fit(x, y, batch_size=8, epochs=1, verbose=0)


if __name__ == "__main__":
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, {os.cpu_count()} CPUs")
    for STAIR in (True, False):
        print(f"-- ExponentialDecay{ARGS}, staircase={STAIR}")
        _pair("eager, per call", eager, 300 if QUICK else 2000)
        _pair("tf.function, 1 call per fn call", once_in_function, 200 if QUICK else 2000)
        n, o = _pair("tf.function, per call (100/fn)", in_function, 5 if QUICK else 30)
        print(f"{'':<34} (per call: {n * 1e6 / 100:.2f} us vs {o * 1e6 / 100:.2f} us)")
        n, o = _pair(
            "tf.function(jit), per call (100/fn)",
            lambda s: in_function(s, jit_compile=True),
            5 if QUICK else 30,
        )
        print(f"{'':<34} (per call: {n * 1e6 / 100:.2f} us vs {o * 1e6 / 100:.2f} us)")
        n, o = _pair("model.fit, 200 steps", fit, 1, unit="ms")
        print(f"{'':<34} (per step: {n * 1e6 / 200:.1f} us vs {o * 1e6 / 200:.1f} us)")
