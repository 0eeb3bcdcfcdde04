"""The namespace this backend hands to ``spec.value``: Array API names over keras.ops."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from lrsched_tensorflow._xp import namespace

import lrsched
from lrsched.numerics import xp_ldexp
from lrsched.xp import xp_float_dtype

# What lrsched/numerics.py and the exact namespace use (see lrsched/xp.py).
REQUIRED = [
    "asarray", "astype", "zeros_like", "exp", "round", "clip", "where", "abs", "iinfo", "isdtype",
    "bitwise_right_shift", "bitwise_and", "float32", "float64", "int32", "int64", "floor_divide",
    "remainder", "minimum", "maximum", "log", "sqrt", "isfinite", "lrsched_bitcast", "bitwise_left_shift",
    "pow", "take", "reshape", "ones_like", "floor", "sin", "pi",
]  # fmt: skip


def test_provides_every_function_the_numerics_use():
    xp = namespace()
    assert [name for name in REQUIRED if not hasattr(xp, name)] == []
    assert xp_float_dtype(xp) == "float32" == xp.lrsched_float_dtype
    assert xp_float_dtype(namespace("float64")) == "float64"


def test_dtype_questions():
    xp = namespace()
    assert xp.isdtype(tf.int64, "integral") and xp.isdtype("int32", ("bool", "signed integer"))
    assert xp.isdtype("float32", "real floating") and not xp.isdtype(tf.int32, "real floating")
    assert xp.isdtype(tf.float64, "float64")
    assert xp.iinfo(tf.int32).max == 2**31 - 1


@pytest.mark.parametrize("mode", ["eager", "jit_compile"])
def test_ldexp_is_exact_over_float32s_normal_range(mode):
    """The core's ldexp on the namespace's bitcast; keras.ops.ldexp multiplies by 2.0**n, which overflows for n > 127 even where x * 2**n fits."""
    xp = namespace()
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 4.0, 4000).astype(np.float32)
    n = rng.integers(-300, 300, 4000).astype(np.int32)

    def ldexp(x, n):
        return xp_ldexp(x, n, xp=xp)

    fn = ldexp if mode == "eager" else tf.function(ldexp, jit_compile=True, autograph=False)
    got = fn(tf.constant(x), tf.constant(n)).numpy()
    with np.errstate(over="ignore", under="ignore"):
        want = np.ldexp(x, n)
    normal = ~(np.abs(want) < np.finfo(np.float32).tiny)  # TF flushes subnormals to zero on CPU
    np.testing.assert_array_equal(got[normal], want[normal])
    assert np.all(got[~normal] == 0)


def test_spec_value_through_the_namespace_matches_numpy_float32():
    spec = lrsched.ExponentialDecay(3e-4, 7919, 0.5)
    steps = np.random.default_rng(1).integers(0, 2**62, 2000)
    got = spec.value(tf.constant(steps, tf.int64), namespace()).numpy()
    want = spec.value(steps, lrsched.xp.with_float_dtype(np, np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2.5e-7, atol=np.finfo(np.float32).tiny)
