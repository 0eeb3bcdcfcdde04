"""Serialization inside Keras, lrsched's reading of Keras's forms, and agreement with Keras's schedule."""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from lrsched_tensorflow import KERAS_MODULE as KERAS_RENDERED_MODULE
from lrsched_tensorflow import KERAS_REGISTERED_NAME
from lrsched_tensorflow.keras_schedule import KerasSchedule

import lrsched
from lrsched.numerics import xp_scaled_power

SPEC = lrsched.ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
# Keras's model.save calls np.array(tf_variable, copy=False); TF's __array__ lacks the copy
# keyword, which numpy >= 2 reports as a DeprecationWarning (native schedules too): not ours.
ignore_save_warning = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


class HalvingEvery(lrsched.Schedule):
    """A third-party schedule: ``scale * 0.5 ** (step // period)``."""

    scale: float
    period: int

    def value(self, step: Any, xp: Any) -> Any:
        from lrsched.numerics import xp_floor_divide

        return xp_scaled_power(self.scale, 0.5, xp_floor_divide(step, self.period, xp=xp), xp=xp)


class _ThirdParty:
    @staticmethod
    @lrsched.hookimpl
    def lrsched_register_schedules(register):
        register(HalvingEvery)


@pytest.fixture
def third_party(fresh_host):
    name = fresh_host.register(_ThirdParty, name="third_party_test")
    try:
        yield HalvingEvery
    finally:
        fresh_host.unregister(name)


def test_keras_writes_the_registered_name_and_the_lrsched_config():
    lr = lrsched.render(SPEC, "tensorflow")
    written = keras.optimizers.schedules.serialize(lr)
    assert written["registered_name"] == KERAS_REGISTERED_NAME == "lrsched>Schedule"
    assert written["module"] == KERAS_RENDERED_MODULE
    assert written["config"] == {"schedule": lrsched.serialize(SPEC), "dtype": "float32"}
    assert keras.saving.get_registered_object("lrsched>Schedule") is KerasSchedule


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_keras_serialize_deserialize_round_trip(dtype):
    lr = lrsched.render(SPEC, "tensorflow", dtype=dtype)
    back = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(lr))
    assert isinstance(back, KerasSchedule)
    assert back == lr
    assert (
        keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(lr), safe_mode=True) == lr
    )


def test_lrsched_deserialize_reads_what_keras_writes_for_a_rendered_schedule():
    written = keras.optimizers.schedules.serialize(lrsched.render(SPEC, "tensorflow"))
    assert lrsched.deserialize(written) == SPEC


@pytest.mark.parametrize(
    "change",
    [
        {"registered_name": "evil>Schedule"},
        {"registered_name": "lrsched>Other"},
        {"module": "os"},
        {"module": "lrsched_tensorflow._render"},
        {"module": "keras.src.saving.serialization_lib"},
    ],
)
def test_lrsched_deserialize_rejects_other_modules_and_registered_names(change):
    written = {**keras.optimizers.schedules.serialize(lrsched.render(SPEC, "tensorflow")), **change}
    with pytest.raises(lrsched.ConfigError, match="refusing"):
        lrsched.deserialize(written)


@ignore_save_warning
def test_a_third_party_schedule_round_trips_through_keras(third_party, tmp_path):
    spec = third_party(scale=0.2, period=3)
    lr = lrsched.render(spec, "tensorflow")
    written = keras.optimizers.schedules.serialize(lr)
    assert written["config"]["schedule"]["class_name"] == "HalvingEvery"
    assert keras.optimizers.schedules.deserialize(written) == lr
    assert lrsched.deserialize(written) == spec
    model = _tiny_model(lr)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    assert loaded.optimizer._learning_rate == lr
    assert float(loaded.optimizer.learning_rate) == pytest.approx(spec(int(loaded.optimizer.iterations)))


def test_config_errors_are_lrsched_errors():
    with pytest.raises(lrsched.ConfigError, match='"schedule"'):
        KerasSchedule.from_config({"dtype": "float32"})
    with pytest.raises(lrsched.ConfigError, match="unexpected"):
        KerasSchedule.from_config({"schedule": {"class_name": "ExponentialDecay", "config": {"bogus": 1}}})
    with pytest.raises(lrsched.UnknownScheduleError, match="ExponentialDecay"):
        KerasSchedule.from_config({"schedule": {"class_name": "ExponentialDekay", "config": {}}})
    with pytest.raises(lrsched.ConfigError, match=r"lrsched\.Schedule"):
        KerasSchedule(42)


def _tiny_model(schedule):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), batch_size=2, verbose=0)
    return model


# -- interop with Keras's own ExponentialDecay ------------------------------------------------
configs = st.tuples(
    st.one_of(st.sampled_from([0.1, 1.0, 3e-4]), st.floats(1e-6, 10.0)),
    st.one_of(st.sampled_from([1, 1000, 100_000]), st.integers(1, 2**24)),
    st.one_of(st.sampled_from([0.5, 0.96, 0.999]), st.floats(1e-2, 4.0)),
    st.booleans(),
)


@given(configs)
def test_lrsched_deserialize_reads_keras_exponential_decay(config):
    native = keras.optimizers.schedules.ExponentialDecay(*config)
    assert lrsched.deserialize(keras.optimizers.schedules.serialize(native)) == lrsched.ExponentialDecay(
        *config
    )


@given(configs, st.lists(st.integers(0, 2**24 - 1), min_size=1, max_size=32))
def test_agrees_with_keras_exponential_decay_below_2_24(config, steps):
    """To float32 tolerance. Keras rounds ``decay_rate`` and ``step / decay_steps`` to float32
    before the power, so its own relative error grows with the exponent ``y = log(lr / lr0)`` and
    with ``p = step / decay_steps``: the tolerance is 2**-22 * (4 + |y| + p)."""
    native = keras.optimizers.schedules.ExponentialDecay(*config)
    rendered = lrsched.render(lrsched.deserialize(keras.optimizers.schedules.serialize(native)), "tensorflow")
    t = tf.constant(steps, tf.int64)
    ours, theirs = rendered(t).numpy().astype(float), native(t).numpy().astype(float)
    lr0 = config[0]
    for step, a, b in zip(steps, ours, theirs, strict=True):
        if a < 2.0**-126 or not math.isfinite(a) or b < 2.0**-126 or not math.isfinite(b):
            continue  # flushed to zero or overflowed in float32: both say so
        y = abs(math.log(a / lr0))
        p = step // config[1] if config[3] else step / config[1]
        assert a == pytest.approx(b, rel=2.0**-22 * (4 + y + p)), (config, step)
