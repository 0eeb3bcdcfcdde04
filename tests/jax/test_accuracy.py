"""Accuracy against exact math (Python's decimal): float32 without x64, float64 with it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from lrsched_jax._render import namespace

import lrsched
from lrsched.numerics import xp_half_cosine, xp_ldexp

INT32_MAX = 2**31 - 1


def random_specs(seed, count):
    rng = np.random.default_rng(seed)
    for i in range(count):
        if i % 3 == 0:  # close to 1: the exponent is large at large steps, the hard case
            rate = 1 - 10 ** rng.uniform(-7, -1)
        elif i % 3 == 1:
            rate = 10 ** rng.uniform(-3, -0.01)
        else:
            rate = 10 ** rng.uniform(0.01, 1)  # growth, overflowing to inf at large steps
        yield lrsched.ExponentialDecay(
            float(10 ** rng.uniform(-7, 1)),
            int(10 ** rng.uniform(0, 9.3)),
            float(rate),
            staircase=bool(i % 2),
        )


def steps_for(spec, rng):
    d = spec.decay_steps
    stairs = [k for k in (1, 2, 3, 2**24 // d, INT32_MAX // d) if 0 < k * d <= INT32_MAX]
    boundaries = [k * d + e for k in stairs for e in (-1, 0)]
    picked = [0, 1, 2**24 - 1, 2**24, 2**24 + 1, INT32_MAX, *boundaries, *rng.integers(0, 2**31, 40).tolist()]
    return np.array(sorted(set(picked)), dtype=np.int32)


SPECS = list(random_specs(20261124, 30))


@pytest.mark.parametrize(
    "spec",
    SPECS,
    ids=lambda s: f"{s.initial_learning_rate:.2g}-{s.decay_steps}-{s.decay_rate:.7g}-{s.staircase}",
)
def test_float32_within_4_ulps_up_to_int32_max(spec, exact, f32_ulps):
    assert not jax.config.jax_enable_x64
    steps = steps_for(spec, np.random.default_rng(spec.decay_steps))
    got = np.asarray(jax.jit(jax.vmap(lrsched.render(spec, "jax")))(steps))
    assert got.dtype == np.float32
    errors = [f32_ulps(v, exact(spec, s)) for s, v in zip(steps.tolist(), got.tolist(), strict=True)]
    worst = int(np.argmax(errors))
    assert errors[worst] <= 4, f"step {steps[worst]}: {got[worst]!r} is {errors[worst]:.2f} ulps off"


@pytest.mark.parametrize("decay_steps", [1, 3, 41, 1000, 7919, 2**24 + 1, 10**9, INT32_MAX, 2**40])
def test_float32_stairs_are_exact_at_every_boundary(decay_steps, exact, f32_ulps):
    """Each stair's last step and the next stair's first step land in the right stairs, bit for bit.

    The rate keeps every stair up to 2**31 - 1 a normal float32; where neighbouring stairs are
    more than 8 ulps apart they must also differ.
    """
    stairs = max(INT32_MAX // decay_steps, 1)
    spec = lrsched.ExponentialDecay(1e10, decay_steps, float(np.exp(-100 / stairs)), staircase=True)
    f = jax.jit(lrsched.render(spec, "jax"))
    ks = np.unique(np.geomspace(1, stairs, 150).astype(np.int64)).tolist() if decay_steps <= INT32_MAX else []
    for k in ks:
        last, first = k * decay_steps - 1, k * decay_steps
        ends = [last - decay_steps + 1, last, first, min(first + decay_steps - 1, INT32_MAX)]
        values = np.asarray(f(np.array(ends, np.int32))).tolist()
        assert values[0] == values[1] and values[2] == values[3], (k, values)
        assert f32_ulps(values[1], exact(spec, last)) <= 4 and f32_ulps(values[2], exact(spec, first)) <= 4
        if f32_ulps(float(exact(spec, last)), exact(spec, first)) > 8:
            assert values[1] != values[2], (k, values)
    assert float(f(INT32_MAX)) == pytest.approx(spec(INT32_MAX), rel=3e-7)
    if decay_steps > INT32_MAX:  # every int32 step is in stair 0
        assert float(f(INT32_MAX)) == float(f(0)) == float(np.float32(1e10))


def test_ldexp_is_exact():
    """The core's ldexp on JAX's bitcast agrees with numpy's correctly rounded one (XLA flushes subnormals)."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(0.5, 3.0, 300), 10.0 ** rng.uniform(-37, 38, 300), [1.0, 1.5, 2.9]])
    x = np.concatenate([x, -x]).astype(np.float32)
    n = np.arange(-420, 421, dtype=np.int32)
    xs, ns = np.meshgrid(x, n)
    xp = namespace("float32")
    got = np.asarray(jax.jit(lambda x, n: xp_ldexp(x, n, xp=xp))(xs, ns))
    with np.errstate(over="ignore", under="ignore"):
        want = np.ldexp(xs, ns)
    flushed = np.abs(want) < np.finfo(np.float32).tiny
    np.testing.assert_array_equal(got[~flushed], want[~flushed])
    assert np.all((got[flushed] == 0) | (got[flushed] == want[flushed]))
    other = jnp.float64(1.0) if jax.config.jax_enable_x64 else jnp.float16(1.5)
    assert xp_ldexp(other, jnp.int32(2), xp=xp) == 4 * other  # jnp.ldexp for other dtypes


X64_CHECK = """
    import jax, numpy as np, lrsched
    from oracle import exact_exponential
    from decimal import Decimal

    f_default = lrsched.render(lrsched.ExponentialDecay(0.1, 1000, 0.5), "jax")  # before the flag
    assert f_default(3).dtype == np.float32
    jax.config.update("jax_enable_x64", True)
    assert f_default(3).dtype == np.float64  # the dtype follows the flag at call time
    assert f_default(2**40).dtype == np.float64 and float(f_default(2**40)) == 0.0

    rng = np.random.default_rng(7)
    worst64 = worst32 = 0.0
    for i in range(24):
        rate = 1 - 10 ** rng.uniform(-9, -1) if i % 2 else 10 ** rng.uniform(-3, 1)
        spec = lrsched.ExponentialDecay(float(10 ** rng.uniform(-7, 1)), int(10 ** rng.uniform(0, 15)), float(rate), staircase=bool(i % 4 < 2))
        d = spec.decay_steps
        steps = [0, 1, 2**31, 2**53 - 1, 2**53, *rng.integers(0, 2**53, 30).tolist()]
        steps += [k * d + e for k in (1, 2, 2**53 // d) for e in (-1, 0) if 0 < k * d <= 2**53]
        steps = np.array(sorted(set(steps)), dtype=np.int64)
        f64 = jax.jit(jax.vmap(lrsched.render(spec, "jax")))
        f32 = jax.jit(jax.vmap(lrsched.render(spec, "jax", dtype="float32")))
        got64, got32 = np.asarray(f64(steps)), np.asarray(f32(steps))
        assert got64.dtype == np.float64 and got32.dtype == np.float32
        for s, a, b in zip(steps.tolist(), got64.tolist(), got32.tolist()):
            want = exact_exponential(spec.initial_learning_rate, d, spec.decay_rate, spec.staircase, s)
            w = float(want)
            if w == 0.0 or abs(w) < 2.3e-308:
                assert abs(a) <= 2.3e-308, (spec, s, a, w)
            elif w == float("inf"):
                assert a == w
            else:
                worst64 = max(worst64, float(abs(Decimal(a) - want) / abs(want)))
            if abs(w) < 1.1754943508222875e-38:
                assert b == 0.0 or abs(b - w) <= 6e-45, (spec, s, b, w)
            elif abs(w) >= 3.4028235677973366e38:
                assert b == float("inf")
            else:
                spacing = float(np.spacing(np.float32(abs(w))))
                worst32 = max(worst32, float(abs(Decimal(b) - want) / Decimal(spacing)))
    assert worst64 <= 1e-12, worst64
    assert worst32 <= 4, worst32
    print(f"float64 worst relative error {worst64:.3g}; float32 (int64 steps) worst {worst32:.3g} ulps")
"""


def test_x64_float64_within_1e_12_for_int64_steps_up_to_2_53(python):
    """In a fresh interpreter: this process's x64 flag stays off."""
    print(python(X64_CHECK))


def test_building_blocks_within_4_ulps():
    """The numerics building blocks on jax.numpy (float32, int32 steps; float64 under x64)."""
    from blocks import check_namespace, half_cosine, worst

    name = "float64" if jax.config.jax_enable_x64 else "float32"
    int_dtype = np.int64 if jax.config.jax_enable_x64 else np.int32
    check_namespace(namespace(name), jnp.asarray, int_dtype, name)
    xp = namespace(name)
    steps = jnp.arange(0, 101, dtype=int_dtype)
    jitted = jax.jit(lambda s: xp_half_cosine(s, 0, 100, exponent=0.5, xp=xp))(steps)
    exact = [half_cosine(i, 0, 100, 0.5) for i in range(101)]
    assert worst(np.asarray(jitted), exact, name)[0] <= 4  # XLA may fuse differently from eager: both hold
