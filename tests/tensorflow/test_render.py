"""The rendered object: a native Keras schedule, in every execution mode, for every step type."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from lrsched_tensorflow.keras_schedule import KerasSchedule

import lrsched

SPEC = lrsched.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.5, staircase=True)


@pytest.fixture
def lr():
    return lrsched.render(SPEC, "tensorflow")


@pytest.mark.parametrize("name", ["tensorflow", "keras"])
def test_render_returns_a_keras_learning_rate_schedule(name):
    lr = lrsched.render(SPEC, name)
    assert isinstance(lr, keras.optimizers.schedules.LearningRateSchedule)
    assert isinstance(lr, KerasSchedule)
    assert lr.spec == SPEC
    assert lr.dtype == "float32"
    assert "tensorflow" in lrsched.backends()


STEP_INPUTS = {
    "python int": lambda s: s,
    "python float": lambda s: float(s),
    "numpy int64": lambda s: np.int64(s),
    "int32 tensor": lambda s: tf.constant(s, tf.int32),
    "int64 tensor": lambda s: tf.constant(s, tf.int64),
    "int64 variable": lambda s: tf.Variable(s, dtype=tf.int64),
    "keras int64 variable": lambda s: keras.Variable(s, dtype="int64", trainable=False),
    "float32 tensor": lambda s: tf.constant(s, tf.float32),
    "uint8 tensor": lambda s: tf.constant(min(s, 255), tf.uint8),
}


@pytest.mark.parametrize("kind", STEP_INPUTS)
@pytest.mark.parametrize("mode", ["eager", "tf.function", "jit_compile"])
def test_step_types_and_modes(lr, kind, mode):
    step = 2500 if kind != "uint8 tensor" else 255
    make = STEP_INPUTS[kind]
    if mode == "eager":
        got = lr(make(step))
    else:
        arg = make(step)
        if isinstance(arg, (tf.Tensor, tf.Variable, keras.Variable)):
            fn = tf.function(lambda s: lr(s), jit_compile=mode == "jit_compile", autograph=False)
            got = fn(arg)
        else:  # Python values are constants of the traced function
            fn = tf.function(lambda: lr(arg), jit_compile=mode == "jit_compile", autograph=False)
            got = fn()
    assert got.dtype == tf.float32
    assert float(got) == pytest.approx(SPEC(step), rel=1e-7)


def test_array_steps_keep_their_shape(lr):
    steps = np.arange(0, 6000, 500, dtype=np.int64).reshape(3, 4)
    got = lr(tf.constant(steps)).numpy()
    assert got.shape == (3, 4)
    np.testing.assert_allclose(got, [[SPEC(int(s)) for s in row] for row in steps], rtol=1e-7)


@pytest.mark.parametrize("steps", [[0, 1000, 2**40 + 1], (0.0, 1000.0), np.array([7, 2**31 + 5], np.uint64)])
def test_lists_tuples_and_numpy_arrays_of_steps(lr, steps):
    got = lr(steps).numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, [SPEC(int(s)) for s in steps], rtol=1e-7)


def test_float64_option():
    lr = lrsched.render(lrsched.ExponentialDecay(0.1, 1000, 0.96), "tensorflow", dtype="float64")
    got = lr(tf.constant(123_457, tf.int64))
    assert got.dtype == tf.float64
    assert float(got) == pytest.approx(lr.spec(123_457), rel=1e-13)


def test_stays_float32_under_mixed_float16_policy(lr):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        assert lr(tf.constant(1500, tf.int64)).dtype == tf.float32
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
        model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), batch_size=4, verbose=0)
        assert model.optimizer.learning_rate.dtype == "float32"
    finally:
        keras.config.set_dtype_policy(previous)


def test_model_fit_with_the_keras_example_schedule_line():
    """The Keras ExponentialDecay example, with only the schedule line changed."""
    lr_schedule = lrsched.render(
        lrsched.ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True), "tensorflow"
    )
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=lr_schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(0)
    data, labels = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)
    history = model.fit(data, labels, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 5
    assert int(model.optimizer.iterations) == 10
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)


def test_lr_applied_in_fit_equals_the_spec():
    """SGD on a bias whose gradient is 1: each step moves it by exactly the step's learning rate."""
    spec = lrsched.ExponentialDecay(0.5, decay_steps=3, decay_rate=0.5, staircase=False)
    moves = _bias_moves(lrsched.render(spec, "tensorflow"), steps=12)
    # a difference of float32 biases near 3 carries their rounding: 2**-22 absolute
    np.testing.assert_allclose(moves, [spec(t) for t in range(12)], rtol=1e-6, atol=2**-22)


def _bias_moves(schedule, steps):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss=lambda y, p: keras.ops.mean(p))
    biases = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            biases.append(float(model.layers[0].bias[0]))

    data = np.zeros((steps, 1), "float32")
    model.fit(data, data, batch_size=1, verbose=0, callbacks=[Record()])
    biases.append(float(model.layers[0].bias[0]))
    return -np.diff(biases)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (True, "must be an integer"),
        (2.5, "whole number"),
        (math.inf, "whole number"),
        (2**63, "range"),
        (2**70, "range"),
        ([1, 2.5], "whole number"),
        (np.array([2**64 - 1], np.uint64), "range"),
        (np.bool_(True), "must be an integer"),
        ("12", "integers"),
        (tf.constant(["a"]), "integers"),
    ],
)
def test_bad_steps_raise_step_error(lr, bad, message):
    with pytest.raises(lrsched.StepError, match=message):
        lr(bad)


@pytest.mark.parametrize("dtype", ["float16", "int32", "f32", None])
def test_bad_dtype_option(dtype):
    with pytest.raises(lrsched.ConfigError, match=r"option `dtype` must be one of \['float32', 'float64'\]"):
        lrsched.render(SPEC, "tensorflow", dtype=dtype)


def test_unknown_option_is_an_error():
    with pytest.raises(TypeError, match="jit"):
        lrsched.render(SPEC, "tensorflow", jit=True)


def test_equality_and_hash():
    a, b = lrsched.render(SPEC, "keras"), lrsched.render(SPEC, "tensorflow")
    assert a == b
    assert hash(a) == hash(b)
    assert a != lrsched.render(SPEC, "keras", dtype="float64")
    assert repr(a).startswith("KerasSchedule(ExponentialDecay(")


def test_plugin_import_imports_no_framework(python):
    out = python(
        """
        import sys, lrsched
        lrsched.backends()  # loads every plugin
        import lrsched_tensorflow
        print(sorted(m for m in ("tensorflow", "keras", "torch", "jax") if m in sys.modules))
        """
    )
    assert out.strip() == "[]"


def test_step_kinds_of_keras_and_tensorflow():
    """Keras's own schedule tests pass ``keras.Variable(1.0)``; TensorFlow's tutorials plot over
    ``tf.range(n, dtype=tf.float32)``: both are their integer steps. A fraction is never floored."""
    lr = lrsched.render(SPEC, "keras")
    assert float(lr(keras.Variable(1.0))) == float(lr(1))
    floats, ints = lr(tf.range(40, dtype=tf.float32)), lr(tf.range(40, dtype=tf.int64))
    np.testing.assert_array_equal(floats.numpy(), ints.numpy())
    for bad in (
        tf.constant(1.5),
        tf.constant(1.9),
        keras.Variable(1.5),
        tf.constant(-1),
        tf.constant([2.0, -1.0]),
    ):
        with pytest.raises(lrsched.StepError):
            lr(bad)
    for trace in (tf.function(lambda s: lr(s)), tf.function(lambda s: lr(s), jit_compile=True)):
        got = trace(tf.constant([1.5, 1.9, 1.0, -1.0])).numpy()
        assert np.isnan(got[:2]).all() and got[2] == float(lr(1))
        assert got[3] == pytest.approx(float(SPEC.value(np.asarray([-1]), np)[0]), rel=1e-6)  # the formula
        assert trace(tf.constant(-1, tf.int64)).numpy() == pytest.approx(got[3], rel=1e-6)


def test_xla_does_not_fold_a_schedules_constant_into_a_scale_factor():
    """XLA folds ``(x * c) * f`` into ``x * (c * f)``: for a cosine of 1.4e29 scaled by 3.2e30 that
    is ``x * inf``, nan at the cosine's zeros (the fuzz env's spec, run in TensorFlow). The scale
    multiplies behind XLA's optimization barrier: 0 there, inf where float32 cannot hold it."""
    cosine = lrsched.CosineAnnealing(initial_learning_rate=1.3847860390817225e29, T_max=169, eta_min=0.0)
    f = lrsched.render(lrsched.Scale(cosine, 3.228045767125404e30), "tensorflow")
    steps = tf.constant([0, 168, 169, 507], tf.int64)
    for g in (f, tf.function(f), tf.function(f, jit_compile=True)):
        assert np.asarray(g(steps)).tolist() == [math.inf, math.inf, 0.0, 0.0]


@pytest.mark.parametrize("base", [2.0, 1.8446744073709552e19])
def test_a_subnormal_start_is_not_read_as_zero(base):
    """TensorFlow's CPU kernels read a subnormal input as 0 (``5e-324 * 2.0`` is 0 there), so
    ``scale * base**n`` from a subnormal scale is formed from a normal one, ``base**k`` further on:
    CosineDecayRestarts from 5e-324 (m_mul 2) gave 0 for its cycles' normal values (found by
    running tox -e fuzz's specs in this env)."""
    spec = lrsched.ExponentialDecay(5e-324, 1, base)
    f = lrsched.render(spec, "tensorflow", dtype="float64")
    steps = [0, 1, 10, 30, 52, 60, 100]
    for g in (f, tf.function(f), tf.function(f, jit_compile=True)):
        got = np.asarray(g(tf.constant(steps, tf.int64))).tolist()
        for step, value in zip(steps, got, strict=True):
            want = spec(step)
            if want >= 2.0**-1022:  # below, TensorFlow flushes its result to 0: the kit allows it
                assert value == pytest.approx(want, rel=1e-15, abs=0), step
