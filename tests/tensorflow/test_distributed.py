"""Training under tf.distribute.MirroredStrategy over two logical CPU devices (in a fresh process:
logical devices must be configured before TensorFlow initializes)."""

from __future__ import annotations

import json

import pytest

import lrsched

CODE = """
import json
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
import lrsched

spec = lrsched.ExponentialDecay(0.5, decay_steps=3, decay_rate=0.5, staircase={staircase})
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
assert strategy.num_replicas_in_sync == 2
with strategy.scope():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    # targets far below: the global mean absolute error's gradient with respect to the bias is 1
    # (a built-in loss, which Keras scales for the replicas), so SGD moves it by the step's lr
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lrsched.render(spec, "tensorflow")),
                  loss="mean_absolute_error")
biases = []
class Record(keras.callbacks.Callback):
    def on_train_batch_begin(self, batch, logs=None):
        biases.append(float(model.layers[0].bias.numpy()[0]))
x, y = np.zeros((24, 1), "float32"), np.full((24, 1), -1000.0, "float32")  # 12 steps of 1 per replica
model.fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[Record()])
biases.append(float(model.layers[0].bias.numpy()[0]))
print(json.dumps({{"moves": (-np.diff(biases)).tolist(), "iterations": int(model.optimizer.iterations.numpy())}}))
"""


@pytest.mark.parametrize("staircase", [False, True])
def test_mirrored_strategy_applies_the_spec_lr_at_each_step(python, staircase):
    out = python(CODE.format(staircase=staircase))
    result = json.loads(out.strip().splitlines()[-1])
    spec = lrsched.ExponentialDecay(0.5, decay_steps=3, decay_rate=0.5, staircase=staircase)
    assert result["iterations"] == 12
    assert result["moves"] == pytest.approx([spec(t) for t in range(12)], rel=1e-6, abs=2**-22)
