"""The conformance checks of the TensorFlow/Keras backend, registered by the plugin's
``lrsched_register_checks`` and imported when one first runs; each imports Keras (or
TensorFlow) inside.

Values in float32 (``lrsched.evaluate``) and float64; integer step dtypes as TensorFlow tensors;
``get_config``/``from_config`` and Keras's ``serialize``; the k-th Keras SGD update; the step
policy, eager and in ``tf.function``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lrsched.testing.support import (
    INT64_MAX,
    KTH_UPDATES,
    ConformanceError,
    Rendering,
    boundaries_check,
    compare,
    dtype_cases,
    eager_policy,
    few_steps,
    traced_policy,
    values_check,
)

if TYPE_CHECKING:
    from lrsched.spec import Schedule


def _float64(spec: Schedule, steps: Sequence[int]) -> list[float]:
    from keras import ops

    import lrsched

    values = lrsched.render(spec, "tensorflow", dtype="float64")(ops.convert_to_tensor(list(steps), "int64"))
    return [float(v) for v in ops.convert_to_numpy(values)]


#: TensorFlow on CPU (oneDNN, XLA) flushes subnormal results to 0
_FLUSH = True
_FLOAT32 = Rendering(
    "tensorflow", "tensorflow", dtype="float32", flushes_subnormals=_FLUSH
)  # lrsched.evaluate
_FLOAT64 = Rendering("tensorflow-float64", "tensorflow", _float64, "float64", flushes_subnormals=_FLUSH)

values = values_check(_FLOAT32)
values_float64 = values_check(_FLOAT64)
boundaries = boundaries_check(_FLOAT32)
boundaries_float64 = boundaries_check(_FLOAT64)


def step_dtypes(spec: Schedule) -> None:
    import numpy as np
    import tensorflow as tf

    import lrsched

    f = lrsched.render(spec, "tensorflow")

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return tf.constant(np.asarray(steps, dtype=name).reshape(shape))

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        values = np.asarray(out)
        return values.shape, [float(v) for v in values.reshape(-1)], str(values.dtype)

    dtype_cases(spec, "tensorflow", f, make, to_floats, "float32", INT64_MAX, flush_subnormals=_FLUSH)


def keras_config(spec: Schedule) -> None:
    import keras

    import lrsched

    lr = lrsched.render(spec, "tensorflow")
    config = lr.get_config()
    json.dumps(config, allow_nan=False)
    back = type(lr).from_config(config)
    if back != lr or back.spec != spec:
        raise ConformanceError(f"from_config(get_config()) gave {back!r}")
    written = keras.optimizers.schedules.serialize(lr)
    again = keras.optimizers.schedules.deserialize(json.loads(json.dumps(written)))
    if again != lr:
        raise ConformanceError(f"keras.optimizers.schedules.deserialize(serialize(...)) gave {again!r}")
    steps = few_steps(spec, 6)
    a = keras.ops.convert_to_numpy(lr(keras.ops.convert_to_tensor(steps, "int64"))).tolist()
    b = keras.ops.convert_to_numpy(again(keras.ops.convert_to_tensor(steps, "int64"))).tolist()
    if a != b:
        raise ConformanceError(f"the restored Keras schedule gives {b} where the original gives {a}")


def kth_update(spec: Schedule) -> None:
    import keras

    import lrsched

    optimizer = keras.optimizers.SGD(learning_rate=lrsched.render(spec, "tensorflow"))
    w = keras.Variable(0.0, dtype="float32")
    optimizer.build([w])
    one = keras.ops.ones((), dtype="float32")
    got = []
    with warnings.catch_warnings():
        # numpy >= 2 asks TF variables' __array__ for a copy keyword it lacks: TF's, not ours
        warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
        for _ in range(KTH_UPDATES):
            w.assign(0.0)
            optimizer.apply_gradients([(one, w)])  # w = 0 - lr * 1: the applied lr, exactly
            got.append(-float(keras.ops.convert_to_numpy(w.value)))
        iterations = int(keras.ops.convert_to_numpy(optimizer.iterations.value))
    if iterations != KTH_UPDATES:
        raise ConformanceError(f"the optimizer counted {iterations} updates for {KTH_UPDATES}")
    compare(
        spec, list(range(KTH_UPDATES)), got, "float32", "Keras SGD's k-th update", flush_subnormals=_FLUSH
    )


def step_policy(spec: Schedule) -> None:
    import numpy as np
    import tensorflow as tf

    import lrsched

    f = lrsched.render(spec, "tensorflow")

    def to_float(out: Any) -> float:
        return float(np.asarray(out).reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "tensor": (
            (tf.constant([3.0]), tf.constant([3], tf.int64)),
            tf.constant([2.5]),
            tf.constant([-1], tf.int64),
        ),
    }
    eager_policy("tensorflow", f, to_float, cases)
    traced = tf.function(lambda s: f(s))
    traced_policy(
        spec,
        "tf.function",
        lambda s: float(traced(s)),
        tf.constant(2.5),
        tf.constant(-1, tf.int64),
        flush_subnormals=_FLUSH,
    )
