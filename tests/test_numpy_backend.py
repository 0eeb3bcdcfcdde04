"""The numpy backend's contract: shapes, dtypes, scalars, step validation, options."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lrsched

SPEC = lrsched.ExponentialDecay(0.1, 10, 0.5, staircase=True)


@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 1, 4)])
@pytest.mark.parametrize("int_dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64])
def test_any_shape_and_integer_dtype(shape, int_dtype):
    steps = np.arange(int(np.prod(shape)), dtype=int_dtype).reshape(shape) * 7
    got = lrsched.render(SPEC, "numpy")(steps)
    if shape == ():
        assert type(got) is float
        assert got == pytest.approx(SPEC(int(steps)), rel=1e-12)
    else:
        assert got.shape == shape
        assert got.dtype == np.float64
        exact = np.vectorize(lambda s: SPEC(int(s)), otypes=[float])(steps)
        np.testing.assert_allclose(got, exact, rtol=1e-12, atol=0)  # float64: within 1e-12


def test_python_scalars_give_python_floats():
    f = lrsched.render(SPEC, "numpy")
    assert f(25) == pytest.approx(0.025, rel=1e-12)
    assert type(f(25)) is float
    assert f(25.0) == f(25)
    with pytest.raises(
        lrsched.StepError, match=r"must be in \[0, 2\*\*63 - 1\]; received 9223372036854775808"
    ):
        f(2**63)
    with pytest.raises(lrsched.StepError, match="not a bool; received True"):
        f(True)
    with pytest.raises(lrsched.StepError, match=r"must be in \[0, 2\*\*63 - 1\]; received -1"):
        f(-1)


def test_float_steps_must_be_whole_numbers():
    f = lrsched.render(SPEC, "numpy")
    np.testing.assert_allclose(f(np.asarray([10.0, 20.0])), [0.05, 0.025], rtol=1e-12)
    with pytest.raises(lrsched.StepError, match=r"finite whole numbers in int64's range; received 10\.5"):
        f(np.asarray([10.0, 10.5]))
    with pytest.raises(lrsched.StepError, match="received 1e"):
        f(np.asarray([1e19]))  # whole, but beyond int64
    with pytest.raises(lrsched.StepError, match="integers or whole-number floats; received dtype <U2"):
        f(np.asarray(["10"]))


@pytest.mark.parametrize(
    "layout",
    ["contiguous", "fortran", "strided", "transposed", "big-endian", "big-endian uint32"],
)
@pytest.mark.parametrize("top", [10**4, 2**40])  # below 2**32 the backend views the low halves
def test_any_layout_and_byte_order(layout, top):
    steps = np.linspace(0, top, 24).astype(np.int64).reshape(4, 6)
    steps = {
        "contiguous": steps,
        "fortran": np.asfortranarray(steps),
        "strided": steps[:, ::2],
        "transposed": steps.T,
        "big-endian": steps.astype(">i8"),
        "big-endian uint32": (steps % 2**32).astype(">u4"),
    }[layout]
    got = lrsched.render(SPEC, "numpy")(steps)
    exact = np.vectorize(lambda s: SPEC(int(s)), otypes=[float])(steps)
    assert got.shape == steps.shape
    np.testing.assert_allclose(got, exact, rtol=1e-12, atol=0)


@pytest.mark.parametrize("steps", [[-1], [5, -3], [-1.0], np.asarray([4, -2], dtype=">i8")])
def test_negative_steps_raise(steps):
    with pytest.raises(lrsched.StepError, match="steps must be >= 0; received steps down to -"):
        lrsched.render(SPEC, "numpy")(np.asarray(steps))


def test_dtype_option():
    assert lrsched.render(SPEC, "numpy", dtype="float32")(np.arange(3)).dtype == np.float32
    with pytest.raises(
        lrsched.ConfigError,
        match=r"numpy backend: option `dtype` must be one of .* received (dtype=)?'float128'",
    ):
        lrsched.render(SPEC, "numpy", dtype="float128")
    with pytest.raises(TypeError):
        lrsched.render(SPEC, "numpy", bogus=1)


def test_overflow_and_underflow_raise_no_numpy_warnings():
    grows = lrsched.render(lrsched.ExponentialDecay(1.0, 1, 10.0), "numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert grows(np.asarray([400]))[0] == np.inf
        assert lrsched.render(lrsched.ExponentialDecay(1.0, 1, 0.1), "numpy")(np.asarray([400]))[0] == 0.0


def test_rendered_function_is_named_for_the_spec():
    f = lrsched.render(SPEC, "numpy")
    assert f.__name__ == "ExponentialDecay_numpy"
    assert repr(SPEC) in f.__doc__


def test_a_third_party_schedule_sees_signed_steps():
    """lrsched's own schedules get the steps unsigned (their helpers take them); another's
    ``value()`` may compute ``n - step``, which an unsigned step would wrap."""
    from lrsched.spec import PositiveInt
    from lrsched.xp import xp_float_dtype

    class Remaining(lrsched.Schedule):
        steps: PositiveInt

        def value(self, step, xp):
            return xp.astype(xp.clip(self.steps - step, 0, self.steps), xp_float_dtype(xp)) / self.steps

    f = lrsched.render(lrsched.Scale(Remaining(steps=4), 2.0), "numpy")
    assert f(np.arange(6)).tolist() == [2.0, 1.5, 1.0, 0.5, 0.0, 0.0]
    assert f(5) == 0.0
    assert not lrsched.Scale(Remaining(steps=4), 2.0).takes_unsigned_steps()
    assert lrsched.Scale(lrsched.Constant(1.0), 2.0).takes_unsigned_steps()


def test_a_subclass_with_its_own_value_declares_unsigned_steps_anew():
    """A built-in's declaration covers its own ``value()``, not a subclass's new math."""

    class Countdown(lrsched.Constant):
        def value(self, step, xp):
            return super().value(step, xp) * xp.astype(10 - step, xp.float64)

    class Doubled(lrsched.Constant):
        unsigned_steps = True

        def value(self, step, xp):
            return super().value(step, xp) * 2.0

    assert not Countdown(1.0).takes_unsigned_steps()
    assert Doubled(1.0).takes_unsigned_steps()
    assert lrsched.render(Countdown(1.0), "numpy")(np.arange(12)).tolist()[-2:] == [0.0, -1.0]
