"""The rendered schedule inside optax: the lr applied at the k-th update is spec(k).

optax counts updates from 0: the first update uses ``schedule(0)``, the (k+1)-th
``schedule(k)``. Its int32 counter saturates at 2**31 - 1 (``optax.safe_increment``), so from
then on every update uses ``spec(2**31 - 1)``.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax import lax

import lrsched

SPEC = lrsched.ExponentialDecay(0.1, 3, 0.5, staircase=True)  # a stair every 3 updates
SMOOTH = lrsched.ExponentialDecay(0.05, 4, 0.7)
N = 12
INT32_MAX = 2**31 - 1


def train(opt, params, n=N, state=None):
    """n jitted updates of the loss sum(params) (gradient 1): returns the updates, params, states."""

    @jax.jit
    def loop(params, state):
        def body(carry, _):
            params, state = carry
            grads = jax.grad(lambda p: jnp.sum(p))(params)
            updates, state = opt.update(grads, state, params)
            return (optax.apply_updates(params, updates), state), (updates, params, state)

        return lax.scan(body, (params, state), None, length=n)[1]

    return loop(params, opt.init(params) if state is None else state)


def with_count(state, count):
    """``state`` with every int32 scalar (optax's update counters) set to ``count``."""
    return jax.tree_util.tree_map(
        lambda x: jnp.asarray(count, jnp.int32) if x.dtype == jnp.int32 and x.ndim == 0 else x, state
    )


def expected(spec, steps):
    return np.asarray(jax.vmap(lrsched.render(spec, "jax"))(jnp.asarray(steps, jnp.int32)))


@pytest.mark.parametrize("spec", [SPEC, SMOOTH], ids=["staircase", "smooth"])
def test_sgd_applies_spec_k_at_update_k(spec, exact, f32_ulps):
    updates, params, _ = train(optax.sgd(learning_rate=lrsched.render(spec, "jax")), jnp.zeros(4))
    lrs = -np.asarray(updates)[:, 0]
    np.testing.assert_array_equal(lrs, expected(spec, range(N)))  # the k-th update is -spec(k) * 1
    assert max(f32_ulps(float(v), exact(spec, k)) for k, v in enumerate(lrs)) <= 4
    assert lrs[0] == np.float32(spec(0)) == np.float32(spec.initial_learning_rate)
    if spec.staircase:  # the stairs, as parameters see them
        assert lrs[2] == lrs[0] != lrs[3] == lrs[5] != lrs[6]
    # measured from the parameters themselves: p[k+1] - p[k] = -spec(k)
    p = np.append(np.asarray(params)[:, 0], np.asarray(params)[-1, 0] - lrs[-1]).astype(np.float64)
    steps = -np.diff(p)
    tolerance = 2 * np.spacing(np.abs(p[1:]).astype(np.float32)).astype(np.float64)
    assert np.all(np.abs(steps - [spec(k) for k in range(N)]) <= tolerance)


def test_adamw_applies_spec_k_at_update_k():
    """With b1 = b2 = 0 adamw's update is -lr * (g / (|g| + eps) + wd * p): recover lr from it."""
    wd = 1e-2
    opt = optax.adamw(learning_rate=lrsched.render(SMOOTH, "jax"), b1=0.0, b2=0.0, weight_decay=wd)
    updates, params, _ = train(opt, jnp.ones(3))
    u, p = np.asarray(updates, np.float64)[:, 0], np.asarray(params, np.float64)[:, 0]
    measured = -u / (np.float32(1 / (1 + 1e-8)) + wd * p)  # gradient 1; p is before the update
    np.testing.assert_allclose(measured, [SMOOTH(k) for k in range(N)], rtol=5e-7)


def test_adamw_default_betas_matches_a_table_of_exact_rates():
    """Same training with the schedule replaced by a lookup of the correctly rounded spec(k)."""
    table = jnp.asarray([SMOOTH(k) for k in range(N)], jnp.float32)
    ours, _, _ = train(optax.adamw(lrsched.render(SMOOTH, "jax")), jnp.ones(3))
    looked_up, _, _ = train(optax.adamw(lambda count: table[count]), jnp.ones(3))
    np.testing.assert_allclose(np.asarray(ours), np.asarray(looked_up), rtol=1e-6)


def test_inject_hyperparams_records_and_applies_spec_k():
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=lrsched.render(SPEC, "jax"))
    updates, _, states = train(opt, jnp.zeros(2))
    recorded = np.asarray(states.hyperparams["learning_rate"])  # the lr the k-th update used
    np.testing.assert_array_equal(recorded, expected(SPEC, range(N)))
    np.testing.assert_array_equal(-np.asarray(updates)[:, 0], recorded)


@pytest.mark.parametrize(
    "make", [optax.sgd, optax.inject_hyperparams(optax.sgd), optax.adamw], ids=["sgd", "inject", "adamw"]
)
def test_int32_counter_saturates_at_int32_max(make):
    """Past 2**31 - 1 updates optax's counter stops; the schedule stays at spec(2**31 - 1)."""
    spec = lrsched.ExponentialDecay(0.1, INT32_MAX - 1, 0.5, staircase=True)  # one stair down at 2**31 - 2
    opt = make(learning_rate=lrsched.render(spec, "jax"))
    params = jnp.zeros(2)
    start = INT32_MAX - 3
    _, _, states = train(opt, params, n=6, state=with_count(opt.init(params), start))
    counts = [
        np.asarray(c) for c in jax.tree_util.tree_leaves(states) if c.dtype == jnp.int32 and c.ndim == 1
    ]
    assert counts and all(
        c.tolist() == [INT32_MAX - 2, INT32_MAX - 1, INT32_MAX, *[INT32_MAX] * 3] for c in counts
    )
    if make is optax.sgd:
        updates, _, _ = train(opt, params, n=6, state=with_count(opt.init(params), start))
        lrs = -np.asarray(updates)[:, 0]
        steps = [min(start + k, INT32_MAX) for k in range(6)]
        np.testing.assert_array_equal(lrs, expected(spec, steps))
        assert lrs[-1] == lrs[-2] == lrs[-3] == np.float32(spec(INT32_MAX))
        assert lrs.tolist() == [np.float32(0.1)] * 2 + [np.float32(0.05)] * 4
