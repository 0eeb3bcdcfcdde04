"""The array namespace the Keras backend hands to ``spec.value``: Array API names over ``keras.ops``.

Built on ``keras.ops`` only, so one rendered schedule runs on each of Keras 3's backends
(TensorFlow, JAX, PyTorch). Steps are integer tensors; the float dtype is float32 unless the
namespace is made with another (:func:`namespace`).

Imported on first render: it imports keras.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = ["KerasNamespace", "namespace"]

_KINDS = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "real floating": ("bfloat16", "float16", "float32", "float64"),
}
_KINDS["integral"] = _KINDS["signed integer"] + _KINDS["unsigned integer"]
_KINDS["numeric"] = _KINDS["integral"] + _KINDS["real floating"]


def _name(dtype: Any) -> str:
    return keras.backend.standardize_dtype(dtype)


class KerasNamespace:
    """Array API names over ``keras.ops``; dtypes are Keras's dtype strings (``"float32"``).

    Provides what :mod:`lrsched.numerics` and the built-in schedules call: ``asarray``,
    ``astype``, ``zeros_like``, ``exp``, ``log``, ``sqrt``, ``round``, ``clip``, ``where``,
    ``abs``, ``minimum``, ``maximum``, ``floor_divide``, ``remainder``, ``isfinite``,
    ``iinfo``, ``isdtype``, ``bitwise_right_shift``, ``bitwise_left_shift``, ``bitwise_and``,
    ``pow``, ``take``, ``reshape``, ``ones_like``, ``log2``, the bitcast primitive the core's exact
    ``xp_ldexp`` builds powers of two with (``lrsched_bitcast``), and the dtype attributes; also ``expm1``, ``log1p``, ``cos``, ``sin``,
    ``floor``, ``ceil``, ``sign``, ``pi``, ``e`` and ``inf`` for schedules to come.
    Operators (``+ - * // < ==``) are the tensors' own.

    Args:
      float_dtype: the dtype ``value(step, xp)`` computes in (``lrsched_float_dtype``).

    Example:
      >>> from lrsched_tensorflow._xp import namespace
      >>> xp = namespace("float32")
      >>> float(xp.exp(xp.asarray(0.0)))
      1.0
    """

    bool = "bool"
    int8, int16, int32, int64 = "int8", "int16", "int32", "int64"
    uint8, uint16, uint32, uint64 = "uint8", "uint16", "uint32", "uint64"
    float16, bfloat16, float32, float64 = "float16", "bfloat16", "float32", "float64"
    __name__ = "lrsched_tensorflow.keras_ops"

    def __init__(self, float_dtype: str = "float32") -> None:
        self.lrsched_float_dtype = float_dtype

    def __repr__(self) -> str:
        return f"<lrsched keras.ops namespace ({keras.backend.backend()}, {self.lrsched_float_dtype})>"

    # -- dtypes ---------------------------------------------------------------------------
    @staticmethod
    def isdtype(dtype: Any, kind: str | tuple[str, ...]) -> bool:
        kinds = (kind,) if isinstance(kind, str) else kind
        name = _name(dtype)
        return any(name in _KINDS[k] if k in _KINDS else name == _name(k) for k in kinds)

    @staticmethod
    def iinfo(dtype: Any) -> np.iinfo:
        return np.iinfo(_name(dtype))

    # -- creation and casts -----------------------------------------------------------------
    def asarray(self, value: Any, dtype: Any = None) -> Any:
        if dtype is None and isinstance(value, float):
            dtype = self.lrsched_float_dtype
        return ops.convert_to_tensor(value, dtype=None if dtype is None else _name(dtype))

    @staticmethod
    def astype(x: Any, dtype: Any) -> Any:
        return ops.cast(x, _name(dtype))

    @staticmethod
    def zeros_like(x: Any, dtype: Any = None) -> Any:
        return ops.zeros_like(x, dtype=None if dtype is None else _name(dtype))

    # -- elementwise ------------------------------------------------------------------------
    pi, e, inf = float(np.pi), float(np.e), float("inf")
    exp = staticmethod(ops.exp)
    expm1 = staticmethod(ops.expm1)
    log1p = staticmethod(ops.log1p)
    cos = staticmethod(ops.cos)
    sin = staticmethod(ops.sin)
    floor = staticmethod(ops.floor)
    ceil = staticmethod(ops.ceil)
    sign = staticmethod(ops.sign)
    log = staticmethod(ops.log)
    log2 = staticmethod(ops.log2)
    sqrt = staticmethod(ops.sqrt)
    abs = staticmethod(ops.abs)
    isfinite = staticmethod(ops.isfinite)
    # the core's table lookups: Keras's take gathers for an index of any shape, also of unknown
    # rank inside tf.function (the Array API's 1-d take would need a reshape to a known shape)
    lrsched_take = staticmethod(ops.take)
    floor_divide = staticmethod(ops.floor_divide)
    remainder = staticmethod(ops.mod)
    minimum = staticmethod(ops.minimum)
    maximum = staticmethod(ops.maximum)
    where = staticmethod(ops.where)
    bitwise_and = staticmethod(ops.bitwise_and)
    bitwise_right_shift = staticmethod(ops.bitwise_right_shift)
    bitwise_left_shift = staticmethod(ops.left_shift)
    pow = staticmethod(ops.power)
    take = staticmethod(ops.take)
    reshape = staticmethod(ops.reshape)

    @staticmethod
    def ones_like(x: Any, dtype: Any = None) -> Any:
        return ops.ones_like(x, dtype=None if dtype is None else _name(dtype))

    @staticmethod
    def round(x: Any) -> Any:
        """Round half to even (every Keras backend does)."""
        return ops.round(x)

    @staticmethod
    def clip(x: Any, min: Any = None, max: Any = None) -> Any:
        """The Array API's ``clip``: either bound may be None (``keras.ops.clip`` needs both)."""
        dtype = _name(x.dtype)
        if dtype in _KINDS["integral"]:  # ops.clip keeps int64 (ops.maximum gives int32 on torch)
            info = np.iinfo(dtype)
            return ops.clip(x, info.min if min is None else min, info.max if max is None else max)
        # float bounds made in x's dtype: through float32, a float64 0.15 would be 0.15000000596
        if min is not None:
            x = ops.maximum(x, ops.convert_to_tensor(min, dtype=dtype))
        if max is not None:
            x = ops.minimum(x, ops.convert_to_tensor(max, dtype=dtype))
        return x

    @staticmethod
    def lrsched_bitcast(x: Any, dtype: Any) -> Any:
        """``x``'s bits read as ``dtype`` (same width): what the core's ``xp_ldexp`` needs to write
        powers of two as bits (``keras.ops.ldexp`` multiplies by ``2.0 ** n``, which overflows
        for ``|n| > 127`` even where the product is representable)."""
        if keras.backend.backend() == "tensorflow":  # keras.ops.view needs a known rank; tf.bitcast does not
            import tensorflow as tf

            return tf.bitcast(x, tf.as_dtype(_name(dtype)))
        return ops.view(x, _name(dtype))

    @staticmethod
    def lrsched_barrier(x: Any) -> Any:
        """XLA's optimization barrier where Keras runs on XLA (TensorFlow, JAX), ``x`` itself on
        torch: the core's ``xp_scale`` keeps XLA from folding a schedule's own constant into a
        scale factor (``(x * 1.4e29) * 3.2e30`` as ``x * inf``: nan at the schedule's zeros)."""
        backend = keras.backend.backend()
        if backend == "tensorflow":
            from tensorflow.compiler.tf2xla.python import xla  # the op TF's XLA bridge lowers

            return xla.optimization_barrier(x)[0]
        if backend == "jax":
            from jax import lax

            return lax.optimization_barrier(x)
        return x


@lru_cache(maxsize=8)
def namespace(float_dtype: str = "float32") -> KerasNamespace:
    """The (cached) namespace computing in ``float_dtype``."""
    return KerasNamespace(float_dtype)
