"""Array namespaces: the small ones lrsched supplies, and how a namespace names its float dtype.

A schedule's ``value(step, xp)`` computes in the namespace's *float dtype*: the dtype that
:func:`xp_float_dtype` reports. That is the namespace's default float (numpy: float64;
torch: ``torch.get_default_dtype()``; JAX: float32, or float64 under ``jax_enable_x64``)
unless a backend asks for another with :func:`with_float_dtype`.

The exact namespace behind ``spec(step)`` for a Python int lives in :mod:`lrsched.exact`: steps
are Python ints of any size and reals are mpmath numbers, evaluated until the float it returns
is the correctly rounded value of the exact math (its float dtype is :data:`EXACT`).
:data:`scalar` is its float64 twin on Python floats: a few Python operations a step.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "EXACT",
    "is_exact",
    "scalar",
    "with_float_dtype",
    "xp_float_dtype",
]

#: The float dtype of the exact namespace (:mod:`lrsched.exact`).
EXACT = "exact"


def xp_float_dtype(xp: Any) -> Any:
    """The float dtype that ``value(step, xp)`` computes in for namespace ``xp``."""
    dtype = getattr(xp, "lrsched_float_dtype", None)
    if dtype is not None:
        return dtype
    return xp.asarray(0.0).dtype


def is_exact(xp: Any) -> bool:
    return getattr(xp, "lrsched_float_dtype", None) == EXACT


class _FloatNamespace:
    """``xp`` with another float dtype (and optionally a bitcast primitive); every other
    attribute is ``xp``'s own."""

    def __init__(self, xp: Any, dtype: Any, bitcast: Any = None) -> None:
        self._xp = xp
        self.lrsched_float_dtype = dtype
        if bitcast is not None:
            self.lrsched_bitcast = bitcast

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._xp, name)
        setattr(self, name, attribute)  # later lookups skip __getattr__
        return attribute

    def __repr__(self) -> str:
        return f"with_float_dtype({self._xp.__name__}, {self.lrsched_float_dtype})"


def with_float_dtype(xp: Any, dtype: Any, *, bitcast: Any = None) -> Any:
    """``xp`` computing in float ``dtype`` (for instance numpy in float32).

    Args:
      xp: an array namespace (or one made by this function: its base namespace is used).
      dtype: the float dtype that ``value(step, xp)`` computes in.
      bitcast: optional ``bitcast(int32_array, float32) -> float32_array`` reinterpreting bits
        (``lax.bitcast_convert_type``, ``tf.bitcast``, ``Tensor.view``): with it the core's
        :func:`lrsched.numerics.xp_ldexp` writes powers of two as bits. Kept from ``xp`` when
        ``xp`` is a namespace made here and ``bitcast`` is not given.

    Example:
      >>> import numpy as np
      >>> xp_float_dtype(with_float_dtype(np, np.float32))
      <class 'numpy.float32'>
    """
    base = getattr(xp, "_xp", xp)
    if bitcast is None:
        bitcast = getattr(xp, "lrsched_bitcast", None)
    return _FloatNamespace(base, dtype, bitcast)


class _ScalarOps:
    """The Array API's integer and branching functions on Python scalars."""

    int32 = int64 = int

    @staticmethod
    def where(condition: object, a: Any, b: Any) -> Any:
        return a if condition else b

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return math.nan if a != a or b != b else min(a, b)  # nan propagates, as in arrays

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return math.nan if a != a or b != b else max(a, b)

    @staticmethod
    def clip(value: Any, min: Any = None, max: Any = None) -> Any:  # the Array API's argument names
        if min is not None and value < min:
            value = min
        if max is not None and value > max:
            value = max
        return value

    @staticmethod
    def abs(a: Any) -> Any:
        return abs(a)

    @staticmethod
    def floor_divide(a: Any, b: Any) -> Any:
        return a // b

    @staticmethod
    def remainder(a: Any, b: Any) -> Any:
        return a % b

    def isdtype(self, dtype: object, kind: object) -> bool:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        floating = dtype == self.lrsched_float_dtype and any(k in ("real floating", "numeric") for k in kinds)
        return floating or (
            dtype is int and any(k in ("integral", "signed integer", "numeric") for k in kinds)
        )

    def __repr__(self) -> str:
        return self.__name__


def _ieee(fn: Any) -> Any:
    """``fn`` giving inf on overflow and nan outside its domain, as float64 arrays do."""

    def wrapped(x: Any) -> float:
        try:
            return fn(x)
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan

    wrapped.__name__ = wrapped.__qualname__ = fn.__name__
    return wrapped


def _cast(value: Any, dtype: Any) -> Any:
    return float(value) if dtype is float else int(value)


class _Float64Namespace(_ScalarOps):
    """Python ints and floats (IEEE float64) with the Array API's function names."""

    lrsched_float_dtype = float
    __name__ = "lrsched.xp.scalar"
    float32 = float64 = float
    pi, e, inf, nan = math.pi, math.e, math.inf, math.nan

    exp = staticmethod(_ieee(math.exp))
    expm1 = staticmethod(_ieee(math.expm1))
    log = staticmethod(_ieee(math.log))
    log1p = staticmethod(_ieee(math.log1p))
    log2 = staticmethod(_ieee(math.log2))
    log10 = staticmethod(_ieee(math.log10))
    sqrt = staticmethod(_ieee(math.sqrt))
    sin = staticmethod(_ieee(math.sin))
    cos = staticmethod(_ieee(math.cos))
    tan = staticmethod(_ieee(math.tan))
    tanh = staticmethod(_ieee(math.tanh))
    isfinite = staticmethod(math.isfinite)
    isnan = staticmethod(math.isnan)

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> Any:
        return value if dtype is None else _cast(value, dtype)

    @staticmethod
    def astype(value: Any, dtype: Any) -> Any:
        return _cast(value, dtype)

    @staticmethod
    def zeros_like(value: Any, dtype: Any = None) -> Any:
        return _cast(0, type(value) if dtype is None else dtype)

    @staticmethod
    def ones_like(value: Any, dtype: Any = None) -> Any:
        return _cast(1, type(value) if dtype is None else dtype)

    @staticmethod
    def full_like(value: Any, fill_value: Any, dtype: Any = None) -> Any:
        return _cast(fill_value, type(value) if dtype is None else dtype)

    @staticmethod
    def pow(x: Any, y: Any) -> Any:
        try:
            return math.pow(x, y)
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan

    @staticmethod
    def floor(x: Any) -> Any:
        return float(math.floor(x)) if math.isfinite(x) else x

    @staticmethod
    def ceil(x: Any) -> Any:
        return float(math.ceil(x)) if math.isfinite(x) else x

    @staticmethod
    def round(x: Any) -> Any:
        return float(round(x)) if math.isfinite(x) else x  # half to even, as the Array API says


#: The float64 scalar namespace: a schedule's float64 math on Python ints and floats, for one
#: step at a time at the cost of a few Python operations (the torch scheduler's steps beyond int64).
scalar = _Float64Namespace()
