"""render(spec, "jax"): registration, step handling, purity and JAX transformations."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import lrsched

SPEC = lrsched.ExponentialDecay(0.1, 1000, 0.5, staircase=True)
SMOOTH = lrsched.ExponentialDecay(0.1, 1000, 0.96)


def test_registered_under_name_and_alias():
    assert "jax" in lrsched.backends()
    f, g = lrsched.render(SPEC, "jax"), lrsched.render(SPEC, "optax")
    assert f.__name__ == g.__name__ == "ExponentialDecay_jax"
    assert f(2000) == g(2000) == np.float32(0.025)


def test_values_dtype_and_shape():
    f = lrsched.render(SPEC, "jax")
    out = f(jnp.array([[0, 999, 1000], [1999, 2000, 2999]], dtype=jnp.int32))
    assert isinstance(out, jax.Array) and out.dtype == jnp.float32 and out.shape == (2, 3)
    want = np.array([[0.1, 0.1, 0.05], [0.05, 0.025, 0.025]], dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(out), want)
    assert f(np.array([1000, 1999], dtype=np.int64)).tolist() == [np.float32(0.05)] * 2


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"])
@pytest.mark.parametrize("staircase", [False, True])
def test_every_integer_dtype(dtype, staircase, exact, f32_ulps):
    """Unsigned steps are widened to int32 exactly (or refused if they do not fit)."""
    spec = lrsched.ExponentialDecay(1.0, 7, 0.5, staircase=staircase)
    f = lrsched.render(spec, "jax")
    steps = np.array([0, 6, 7, 100, 127], dtype=dtype)
    wide_unsigned = dtype in ("uint32", "uint64")  # traced, these are refused (next test)
    calls = (
        [f(steps)] if dtype.endswith("64") else [f(steps), f(jnp.asarray(steps))]
    )  # no int64 in JAX without x64
    for got in calls if wide_unsigned else [*calls, jax.jit(f)(steps)]:
        assert got.dtype == jnp.float32
        assert (
            max(f32_ulps(v, exact(spec, s)) for s, v in zip(steps.tolist(), got.tolist(), strict=True)) <= 4
        )


def test_traced_uint32_steps_are_refused_without_x64():
    f = lrsched.render(SPEC, "jax")
    assert float(f(jnp.asarray(7, jnp.uint32))) == np.float32(0.1)  # concrete: checked, widened
    with pytest.raises(lrsched.StepError, match=r"traced uint32 steps cannot be checked to fit in int32"):
        jax.jit(f)(jnp.asarray(7, jnp.uint32))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_dtype_option(dtype):
    out = lrsched.render(SMOOTH, "jax", dtype=dtype)(jnp.arange(3000, step=1000))
    assert out.dtype == jnp.dtype(dtype)
    want = np.array([SMOOTH(s) for s in (0, 1000, 2000)], dtype=np.float32).astype(jnp.dtype(dtype))
    np.testing.assert_array_equal(np.asarray(out), want)


def test_jit_option(exact, f32_ulps):
    """Op by op (``jit=False``) and fused, XLA may contract the polynomial differently: both are
    within the accuracy bound, and inside an outer jit the two are the same program."""
    steps = jnp.arange(0, 10**6, 4999)
    plain, jitted = lrsched.render(SMOOTH, "jax", jit=False), lrsched.render(SMOOTH, "jax")
    for f in (plain, jitted):
        values = np.asarray(f(steps)).tolist()
        assert max(f32_ulps(v, exact(SMOOTH, s)) for s, v in zip(steps.tolist(), values, strict=True)) <= 4
    np.testing.assert_array_equal(np.asarray(jax.jit(plain)(steps)), np.asarray(jitted(steps)))


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (
            {"dtype": "float8"},
            r"jax backend: option `dtype` must be None or one of .*received dtype='float8'",
        ),
        ({"dtype": jnp.float32}, "option `dtype`"),
        ({"jit": 1}, r"jax backend: option `jit` must be True or False; received jit=1"),
    ],
)
def test_bad_options(options, match):
    with pytest.raises(lrsched.ConfigError, match=match):
        lrsched.render(SPEC, "jax", **options)


def test_unknown_option_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="steps"):
        lrsched.render(SPEC, "jax", steps=3)


def test_float64_without_x64_is_refused_at_call():
    f = lrsched.render(SPEC, "jax", dtype="float64")
    with pytest.raises(lrsched.LrschedError, match="jax_enable_x64"):
        f(3)


@pytest.mark.parametrize(
    ("step", "match"),
    [
        (True, "must be an integer; received True"),
        (1.5, "must be a finite whole number; received 1.5"),
        (-1, r"must be in \[0, 2147483647\]; received -1"),
        ("3", "received str"),
        (
            2**31,
            r"must be in \[0, 2147483647\] \(enable jax_enable_x64 for int64 steps\); received 2147483648",
        ),
        (jnp.asarray([1.0, 1.5]), "float steps must be finite whole numbers; received 1.5"),
        (jnp.asarray([3, -2]), "steps must be >= 0; received steps down to -2"),
        (np.array([True]), "integers or whole-number floats; received dtype bool"),
        (np.array([2**40]), r"int64 steps must fit in int32 \(enable jax_enable_x64.*up to 1099511627776"),
        (np.array([2**31], dtype=np.uint32), r"uint32 steps must fit in int32.*up to 2147483648"),
        (np.array([2.0**31]), r"steps must fit in int32 \(enable jax_enable_x64.*up to 2147483648.0"),
    ],
)
def test_bad_steps(step, match):
    f = lrsched.render(SPEC, "jax")
    with pytest.raises(lrsched.StepError, match=match):
        f(step)


def test_rendering_does_no_jax_work():
    """Rendering closes over Python values only: no array is made and nothing is traced."""
    before = len(jax.live_arrays())
    traced = []
    spec = lrsched.ExponentialDecay(0.3, 77, 0.9, staircase=True)

    class Probe(lrsched.ExponentialDecay):
        def value(self, step, xp):
            traced.append(step)
            return super().value(step, xp)

    f = lrsched.render(Probe(**spec.model_dump()), "jax")
    assert traced == [] and len(jax.live_arrays()) == before
    inner = getattr(f._compute, "__wrapped__", f._compute)
    cells = [*vars(f).values(), *(c.cell_contents for c in inner.__closure__ or ())]
    assert not any(isinstance(c, jax.Array) for c in cells)
    f(5)
    assert len(traced) == 1 and isinstance(traced[0], jax.core.Tracer)


def test_jit_vmap_scan_and_leak_checking():
    f = lrsched.render(SMOOTH, "jax")
    steps = jnp.arange(0, 5000, 7, dtype=jnp.int32)
    eager = np.asarray(f(steps))
    with jax.checking_leaks():
        jitted = np.asarray(jax.jit(f)(steps))
        mapped = np.asarray(jax.jit(jax.vmap(f))(steps))

        def body(carry, step):
            lr = f(step)
            return carry + lr, lr

        total, scanned = lax.scan(body, jnp.float32(0), steps)
        nested = jax.jit(jax.vmap(jax.vmap(f)))(steps.reshape(-1, 5)) if steps.size % 5 == 0 else None
    np.testing.assert_array_equal(jitted, eager)
    np.testing.assert_array_equal(mapped, eager)
    np.testing.assert_array_equal(np.asarray(scanned), eager)
    assert float(total) == pytest.approx(float(np.sum(eager, dtype=np.float64)), rel=1e-5)
    if nested is not None:
        np.testing.assert_array_equal(np.asarray(nested).reshape(-1), eager)


def test_jaxpr_is_pure_and_holds_only_literals():
    """The traced program takes the step and nothing else: no captured arrays, no effects."""
    closed = jax.make_jaxpr(lrsched.render(SMOOTH, "jax"))(jnp.int32(3))
    assert closed.consts == [] and not closed.effects
    assert [v.aval.dtype for v in closed.jaxpr.invars] == [jnp.int32]


def test_evaluate():
    spec = lrsched.ExponentialDecay(0.1, 3, 0.999999, staircase=True)
    got = lrsched.evaluate(spec, [0, 2, 3, 2**31 - 1], "jax")
    assert got[:2] == [float(np.float32(0.1))] * 2 and got[3] == 0.0 and all(type(v) is float for v in got)
    with pytest.raises(lrsched.StepError, match=r"\[0, 2147483647\]; received 2147483648"):
        lrsched.evaluate(spec, [2**31], "jax")


def test_the_rendered_schedule_carries_its_spec_and_a_readable_repr():
    f = lrsched.render(SPEC, "jax", dtype="bfloat16")
    assert f.spec is SPEC and f.dtype == "bfloat16" and f.jit is True
    assert repr(f) == f"JaxSchedule({SPEC!r}, dtype='bfloat16', jit=True)"
    assert f == lrsched.render(SPEC, "optax", dtype="bfloat16") and hash(f) == hash(
        lrsched.render(SPEC, "jax", dtype="bfloat16")
    )
    import pickle

    assert pickle.loads(pickle.dumps(f)) == f


def test_float_steps_by_the_step_policy():
    """Whole-number floats are their integer step everywhere; a fraction is an error eagerly, NaN traced."""
    f = lrsched.render(SPEC, "jax")
    steps = jnp.arange(0, 4000, 999, dtype=jnp.float32)
    want = np.asarray(f(steps.astype(jnp.int32)))
    for got in (
        f(steps),
        jax.jit(f)(steps),
        jax.vmap(f)(steps),
        lax.scan(lambda c, k: (c, f(k)), 0, steps)[1],
    ):
        np.testing.assert_array_equal(np.asarray(got), want)
    assert float(f(1000.0)) == float(f(1000))
    traced = np.asarray(jax.jit(f)(jnp.asarray([999.5, 1000.0, jnp.nan, -1000.0])))
    assert np.isnan(traced).tolist() == [True, False, True, False]
    assert traced[3] == np.float32(0.2)  # negative, traced: the formula (stair -1)
    with pytest.raises(lrsched.StepError, match=r"received 999\.5"):
        f(jnp.asarray([999.5]))


def test_xla_does_not_fold_a_schedules_constant_into_a_scale_factor():
    """XLA folds ``(x * c) * f`` into ``x * (c * f)``: for a cosine of 1.4e29 scaled by 3.2e30 that
    is ``x * inf``, nan at the cosine's zeros (the fuzz env's spec, run in JAX). The scale
    multiplies behind an optimization barrier: 0 there, inf where float32 cannot hold the value."""
    cosine = lrsched.CosineAnnealing(initial_learning_rate=1.3847860390817225e29, T_max=169, eta_min=0.0)
    f = lrsched.render(lrsched.Scale(cosine, 3.228045767125404e30), "jax")
    steps = jnp.asarray([0, 168, 169, 507])
    for g in (f, jax.jit(f), jax.jit(jax.vmap(f))):
        assert np.asarray(g(steps)).tolist() == [math.inf, math.inf, 0.0, 0.0]
