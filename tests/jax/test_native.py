"""Side by side with optax's own ``exponential_decay``, both against exact math.

optax computes ``init * rate ** (count / transition_steps)`` in float32. Its error grows with
the exponent (thousands of ulps), and its staircase ``floor(count / transition_steps)`` slips:
past 2**24 because ``count`` rounds on conversion to float32, and below 2**24 because XLA turns
the division by a constant into a multiplication by its rounded reciprocal: ``41 / 41`` becomes
``41 * 0.024390243`` = 0.99999994, which floors to 0, so with ``transition_steps=41`` the first
stair comes one step late. lrsched divides in integers and keeps the exponent exact.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrsched

BELOW = 2**24
TINY, HUGE = float(np.finfo(np.float32).tiny), float(np.finfo(np.float32).max)


def configs(seed, count):
    rng = np.random.default_rng(seed)
    for i in range(count):
        staircase = bool(i % 2)
        rate = 10 ** rng.uniform(-2, math.log10(0.99)) if staircase else 10 ** rng.uniform(-1.5, 0.5)
        yield float(10 ** rng.uniform(-5, 0)), int(10 ** rng.uniform(0, 6)), float(rate), staircase


def steps_for(d, rng):
    ks = np.unique(np.geomspace(1, (BELOW - 1) // d, 40).astype(np.int64))
    boundaries = np.concatenate([ks * d - 1, ks * d])
    return np.unique(np.concatenate([[0, 1, BELOW - 1], boundaries, rng.integers(0, BELOW, 60)])).astype(
        np.int32
    )


def compare(lr0, d, rate, staircase, steps, exact, f32_ulps):
    """Per step: (ulps of lrsched, ulps of optax, lrsched slipped a stair, optax slipped a stair)."""
    spec = lrsched.ExponentialDecay(lr0, d, rate, staircase=staircase)
    ours = np.asarray(jax.jit(jax.vmap(lrsched.render(spec, "jax")))(steps)).tolist()
    native = optax.exponential_decay(lr0, d, rate, staircase=staircase)
    theirs = np.asarray(jax.jit(jax.vmap(native))(steps)).tolist()
    rows = []
    for step, a, b in zip(steps.tolist(), ours, theirs, strict=True):
        want = exact(spec, step)
        slips = [False, False]
        below, above = exact(spec, max(step - d, 0)), exact(spec, step + d)
        if staircase and step >= d and all(TINY < float(v) < HUGE for v in (below, want, above)):
            # which stair is the value nearest to? (only where the neighbours are normal floats)
            slips = [min(abs(v - float(below)), abs(v - float(above))) < abs(v - float(want)) for v in (a, b)]
        rows.append((step, f32_ulps(a, want), f32_ulps(b, want), *slips))
    return rows


SEEDS = [*range(4), *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(4, 40))]


@pytest.mark.parametrize("seed", SEEDS)
def test_differential_against_optax_exponential_decay(seed, exact, f32_ulps):
    """Random configs, steps below 2**24: lrsched within 4 ulps and no slips; optax as it is."""
    table = []
    for lr0, d, rate, staircase in configs(seed, 12):
        rows = compare(lr0, d, rate, staircase, steps_for(d, np.random.default_rng(d)), exact, f32_ulps)
        ours_worst = max(r[1] for r in rows)
        theirs_worst = max(r[2] for r in rows)
        ours_slips, theirs_slips = sum(r[3] for r in rows), sum(r[4] for r in rows)
        assert ours_worst <= 4 and ours_slips == 0, (lr0, d, rate, staircase, ours_worst, ours_slips)
        table.append((lr0, d, rate, staircase, ours_worst, theirs_worst, ours_slips, theirs_slips, len(rows)))
    # the side-by-side table: `pytest -rP tests/jax/test_native.py` shows it
    print(
        f"seed {seed}: lr0, decay_steps, rate, staircase | worst ulps lrsched / optax | slips lrsched / optax"
    )
    for lr0, d, rate, st, uw, tw, us, ts, n in table:
        print(f"  {lr0:9.3g} {d:8d} {rate:8.4g} {st!s:5} | {uw:6.2f} / {tw:11.1f} | {us} / {ts} of {n}")


@pytest.mark.parametrize(
    ("config", "optax_worst"),
    [((0.1, 1000, 0.96), 100), ((0.1, 1, 0.999999), 10**6)],  # at 10**7 steps: 359 and 1.2e6 ulps
)
def test_optax_error_grows_with_the_exponent(config, optax_worst, exact, f32_ulps):
    """Smooth decay: optax's float32 ``rate ** (count / d)`` loses ulps in proportion to the
    exponent. For 0.999999 per step it is 1.2e6 ulps (12%) at 10**7 steps, mostly because the rate
    is rounded to float32 first (0.99999899, 1.3% off in its log); lrsched stays within 4 ulps."""
    steps = np.array([10**k for k in range(8)] + [BELOW - 1], dtype=np.int32)
    rows = compare(*config, False, steps, exact, f32_ulps)
    print(config, [(r[0], round(r[1], 2), round(r[2], 1)) for r in rows])
    assert max(r[1] for r in rows) <= 4
    assert max(r[2] for r in rows) > optax_worst, rows


@pytest.mark.parametrize(
    ("d", "step"),
    [(41, 41), (61, 122), (97, 388), (1, BELOW + 1), (3, 16777220), (1000, 16777999)],
)
def test_optax_stairs_slip_where_lrsched_stairs_do_not(d, step, exact, f32_ulps):
    """At these steps optax under jit returns a neighbouring stair's value; lrsched the right one.

    Below 2**24, the first step of a stair gets the previous stair (XLA's reciprocal
    multiplication; a scalar run op by op divides correctly). Past 2**24 the step rounds to
    float32 first: ``2**24 + 1`` falls back a stair, and a stair's last step (``16777999`` for
    1000-step stairs) jumps ahead to the next. A canary: if it fails, optax or XLA changed, and
    docs/jax.md's comparison needs updating.
    """
    stairs = step // d
    rate = 0.5 if stairs < 100 else 1 - 2.0**-18  # every stair a normal float32, 64 ulps apart
    [(_, ours_ulps, _, ours_slip, theirs_slip)] = compare(
        1e10, d, rate, True, np.array([step], dtype=np.int32), exact, f32_ulps
    )
    assert ours_ulps <= 4 and not ours_slip
    assert theirs_slip, f"optax no longer slips at step {step} (decay_steps {d}): update docs/jax.md"
    if step < BELOW:
        native = optax.exponential_decay(1e10, d, rate, staircase=True)
        assert float(native(jnp.int32(step))) == 1e10 * rate ** (step // d) != float(jax.jit(native)(step))
