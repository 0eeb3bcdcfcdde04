"""The same rendered schedule under Keras 3's JAX and PyTorch backends (each in its own process)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from oracle import assert_close, exact_exponential

import lrsched

SPEC = lrsched.ExponentialDecay(0.5, decay_steps=3, decay_rate=0.5)
CONFIGS = [
    (0.1, 100000, 0.96, True),
    (3e-4, 7919, 0.5, False),
    (1.0, 1, 0.999999, False),
    (2.5, 2**30 + 3, 0.01, False),
]
STEPS = sorted({0, 1, 2**24 + 1, 2**31 - 1, *np.random.default_rng(4).integers(0, 2**31, 60).tolist()})

CODE = """
import json
import numpy as np
import keras
import lrsched

assert keras.backend.backend() == {backend!r}, keras.backend.backend()
spec = lrsched.ExponentialDecay(0.5, decay_steps=3, decay_rate=0.5)
lr = lrsched.render(spec, "tensorflow")
values = {{
    "python int": float(lr(7)),
    "python float": float(lr(7.0)),
    "int32": float(lr(keras.ops.convert_to_tensor(7, dtype="int32"))),
}}
assert keras.backend.standardize_dtype(lr(7).dtype) == "float32"

# SGD on a bias whose gradient is 1: each step moves it by that step's learning rate
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=lambda y, p: keras.ops.mean(p))
data = np.zeros((1, 1), "float32")
biases = []
class Record(keras.callbacks.Callback):  # one step per epoch: JAX syncs variables between epochs
    def on_epoch_begin(self, epoch, logs=None):
        biases.append(float(keras.ops.convert_to_numpy(model.layers[0].bias)[0]))
model.fit(data, data, batch_size=1, epochs=12, verbose=0, callbacks=[Record()])
biases.append(float(keras.ops.convert_to_numpy(model.layers[0].bias)[0]))
back = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(lr))
accuracy = {{}}
for config in {configs!r}:
    rendered = lrsched.render(lrsched.ExponentialDecay(*config), "tensorflow")
    steps = keras.ops.convert_to_tensor({steps!r}, dtype="int32")
    accuracy[repr(config)] = keras.ops.convert_to_numpy(rendered(steps)).astype(float).tolist()
# the step policy: whole-number floats are their step; eagerly a fraction or a negative is refused
values["variable 7.0"] = float(lr(keras.Variable(7.0)))
values["float32 7.0"] = float(lr(keras.ops.convert_to_tensor(7.0, dtype="float32")))
refused = []
for bad in (1.5, 1.9, -1, -1.0, float("nan")):
    try:
        lr(keras.ops.convert_to_tensor(bad))
        refused.append(False)
    except lrsched.StepError:
        refused.append(True)
traced = None
if {backend!r} == "jax":  # under jax.jit the value cannot be read: a fraction is NaN
    import jax

    out = jax.jit(lambda s: lr(s))(keras.ops.convert_to_tensor([1.5, 7.0, -3.0], dtype="float32"))
    traced = [None if v != v else v for v in np.asarray(out).astype(float).tolist()]
result = {{
    "values": values, "moves": (-np.diff(biases)).tolist(), "round_trip": back == lr, "accuracy": accuracy,
    "refused": refused, "traced": traced,
}}
print(json.dumps(result))
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_rendered_schedule_on_keras_backend(python, backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed in this environment (the tox env installs it)")
    import json

    out = python(CODE.format(backend=backend, configs=CONFIGS, steps=STEPS), env={"KERAS_BACKEND": backend})
    result = json.loads(out.strip().splitlines()[-1])
    assert result["round_trip"]
    assert result["refused"] == [True] * 5  # 1.5, 1.9, -1, -1.0, nan: eager steps are checked
    if backend == "jax":
        fraction, whole, negative = result["traced"]
        assert fraction is None and whole == pytest.approx(SPEC(7), rel=5e-7)
        assert negative == pytest.approx(float(SPEC.value(np.asarray([-3]), np)[0]), rel=5e-7)
    for value in result["values"].values():
        assert value == pytest.approx(SPEC(7), rel=5e-7)
    want = [SPEC(t) for t in range(12)]
    assert result["moves"] == pytest.approx(want, rel=1e-6, abs=2**-22)
    for config in CONFIGS:  # float32 within 4 ulps of exact math up to 2**31 on this backend too
        for step, value in zip(STEPS, result["accuracy"][repr(config)], strict=True):
            want = exact_exponential(*config, step)
            if float(want) >= 2.0**-126:
                assert_close(value, want, dtype="float32", ulps=4)
