"""JAX/optax benchmarks: lrsched's rendered schedule against ``optax.exponential_decay``.

    python benchmarks/bench_jax.py        (in an env with the [jax] extra)

Target (issue 6): jitted per-call time and ``jit(vmap)`` over 10**6 steps <= 1.1x optax's, in
the same run; the same for a composition (the composition issue): ``Join`` of a ``Constant``
and an ``ExponentialDecay``, rendered as one function, against ``optax.join_schedules`` of
``optax.constant_schedule`` and ``optax.exponential_decay``; and (issue 13) each of optax's
closed-form schedules against its lrsched twin. Also printed: compile times, and op counts side
by side (jaxpr equations, StableHLO ops before XLA, HLO instructions and fusions after it), for
lrsched's namespace (the bit-built ldexp) and for plain ``jax.numpy`` (its ldexp is frexp + a
float pow) to show where the time goes. Times are minima over interleaved repeats. Nothing here asserts: read the ratios.
"""

from __future__ import annotations

import collections
import functools
import re
import time

import _timing
import jax
import jax.numpy as jnp
import optax

import lrsched
from lrsched.xp import with_float_dtype

N = 10**6
REPEATS = 15
interleaved = functools.partial(_timing.interleaved, repeats=REPEATS)
row = functools.partial(_timing.row, width=50)
CASES = [
    ("smooth", dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96)),
    ("staircase", dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96, staircase=True)),
]


def jaxpr_ops(jaxpr):
    """Equations of a jaxpr, counting into nested jaxprs (pjit, custom_jvp) instead of the call."""
    count = 0
    for eqn in jaxpr.eqns:
        subs = [v for v in eqn.params.values() if hasattr(v, "jaxpr") or hasattr(v, "eqns")]
        if subs:
            count += sum(jaxpr_ops(getattr(s, "jaxpr", s)) for s in subs)
        else:
            count += 1
    return count


def hlo_counts(fn, x):
    lowered = jax.jit(fn).lower(x)
    stablehlo = lowered.as_text()
    start = time.perf_counter()
    compiled = lowered.compile()
    compile_s = time.perf_counter() - start
    hlo = compiled.as_text()
    ops = collections.Counter(re.findall(r"= (?:[\w\[\]{},]+ )?(\w+)\(", hlo))  # HLO instructions by opcode
    fusions = len(re.findall(r"\bfusion\(", hlo))
    shlo = len(re.findall(r"^\s*%\S+ = ", stablehlo, flags=re.M))
    return shlo, sum(ops.values()), fusions, compile_s, ops


def fresh(make):
    """Compile time of a function not seen before (jit caches by function identity)."""
    x = jnp.arange(N, dtype=jnp.int32)
    start = time.perf_counter()
    jax.jit(jax.vmap(make())).lower(x).compile()
    return time.perf_counter() - start


def bench_case(label, kwargs, x):
    spec = lrsched.ExponentialDecay(**kwargs)
    args = (kwargs["initial_learning_rate"], kwargs["decay_steps"], kwargs["decay_rate"])
    ours = lrsched.render(spec, "jax")
    native = optax.exponential_decay(*args, staircase=spec.staircase)
    plain = with_float_dtype(jnp, jnp.float32)  # no bitcast: the core falls back to jnp.ldexp

    def with_jnp_ldexp(step):
        return spec.value(step, plain)

    scalar = jnp.int32(123456)
    j_ours, j_native = jax.jit(ours), jax.jit(native)
    a, b = interleaved(
        [lambda: j_ours(scalar).block_until_ready(), lambda: j_native(scalar).block_until_ready()], number=200
    )
    row(f"{label}: jitted call, one step", a, b, 1.1, "us", 1e6)
    v_ours, v_native, v_plain = (jax.jit(jax.vmap(f)) for f in (ours, native, with_jnp_ldexp))
    a, b, c = interleaved(
        [
            lambda: v_ours(x).block_until_ready(),
            lambda: v_native(x).block_until_ready(),
            lambda: v_plain(x).block_until_ready(),
        ]
    )
    row(f"{label}: jit(vmap) over 10**6 steps", a, b, 1.1)
    row(f"{label}:   same, core with jnp.ldexp (no bit ldexp)", c, b)
    a, b = interleaved(
        [lambda: ours(scalar).block_until_ready(), lambda: native(scalar).block_until_ready()], number=50
    )
    row(f"{label}: eager call (lrsched jits inside; optax op by op)", a, b, None, "us", 1e6)
    ca = min(fresh(lambda: lrsched.render(spec, "jax")) for _ in range(3))
    cb = min(fresh(lambda: optax.exponential_decay(*args, staircase=spec.staircase)) for _ in range(3))
    row(f"{label}: compile jit(vmap), fresh function", ca, cb)
    print(f"  {'op counts':<48} {'lrsched':>13} {'optax':>13} {'core+jnp.ldexp':>16}")
    counts = [jaxpr_ops(jax.make_jaxpr(f)(scalar).jaxpr) for f in (ours, native, with_jnp_ldexp)]
    print(f"  {'jaxpr equations (nested calls inlined)':<48} {counts[0]:>13} {counts[1]:>13} {counts[2]:>16}")
    hlos = [hlo_counts(jax.vmap(f), x) for f in (ours, native, with_jnp_ldexp)]
    for i, what in enumerate(
        ["StableHLO ops before XLA", "HLO instructions after XLA (all computations)", "fusions after XLA"]
    ):
        print(f"  {what:<48} {hlos[0][i]:>13} {hlos[1][i]:>13} {hlos[2][i]:>16}")
    heavy = ("power", "exponential", "log", "divide")
    counts = [sum(h[4][op] for op in heavy) for h in hlos]
    print(f"  {'of which ' + '/'.join(heavy):<48} {counts[0]:>13} {counts[1]:>13} {counts[2]:>16}")
    for name, (*_, ops) in zip(("lrsched", "optax", "core+jnp.ldexp"), hlos, strict=True):
        top = ", ".join(f"{op} {n}" for op, n in ops.most_common(9))
        extra = ", ".join(f"{op} {ops[op]}" for op in heavy if ops[op])
        print(f"    {name}: {top}" + (f"; {extra}" if extra else ""))


def bench_join(x):
    """A two-piece ``Join`` (one rendered function) against optax's ``join_schedules``."""
    decay = dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96)
    spec = lrsched.Join([lrsched.Constant(0.01), lrsched.ExponentialDecay(**decay)], boundaries=[500])
    ours = lrsched.render(spec, "jax")
    native = optax.join_schedules(
        [optax.constant_schedule(0.01), optax.exponential_decay(0.1, 1000, 0.96)], boundaries=[500]
    )
    scalar = jnp.int32(123456)
    assert abs(float(ours(scalar)) - float(native(scalar))) <= 1e-4 * float(
        native(scalar)
    )  # the same schedule (optax float32: ~3e-6 off)
    j_ours, j_native = jax.jit(ours), jax.jit(native)
    a, b = interleaved(
        [lambda: j_ours(scalar).block_until_ready(), lambda: j_native(scalar).block_until_ready()], number=200
    )
    label = "Join(Constant, ExponentialDecay)"
    row(f"{label}: jitted call", a, b, 1.1, "us", 1e6)
    v_ours, v_native = (jax.jit(jax.vmap(f)) for f in (ours, native))
    a, b = interleaved([lambda: v_ours(x).block_until_ready(), lambda: v_native(x).block_until_ready()])
    row(f"{label}: jit(vmap), 10**6", a, b, 1.1)
    counts = [jaxpr_ops(jax.make_jaxpr(f)(scalar).jaxpr) for f in (ours, native)]
    hlos = [hlo_counts(jax.vmap(f), x) for f in (ours, native)]
    print(
        f"  {'jaxpr equations / HLO instructions / fusions':<48} {counts[0]:>4} / {hlos[0][1]} / {hlos[0][2]}"
        f"    {counts[1]:>4} / {hlos[1][1]} / {hlos[1][2]}"
    )


#: issue 13: each of optax's closed-form schedules against its lrsched twin (lrsched._optax_names).
OPTAX_TWINS = [
    ("constant_schedule", dict(value=0.1)),
    ("linear_schedule", dict(init_value=0.1, end_value=0.0, transition_steps=10**5, transition_begin=1000)),
    ("linear_schedule", dict(init_value=0.1, end_value=1e-3, transition_steps=10**5)),
    ("polynomial_schedule", dict(init_value=0.1, end_value=1e-4, power=2.0, transition_steps=10**5)),
    (
        "exponential_decay",
        dict(init_value=0.1, transition_steps=1000, decay_rate=0.96, staircase=True, end_value=1e-3),
    ),
    ("cosine_decay_schedule", dict(init_value=0.1, decay_steps=10**5, alpha=0.01)),
    ("cosine_decay_schedule", dict(init_value=0.1, decay_steps=10**5, alpha=0.01, exponent=2.0)),
    ("piecewise_constant_schedule", dict(init_value=0.1, boundaries_and_scales={30000: 0.1, 60000: 0.1})),
    (
        "piecewise_interpolate_schedule",
        dict(interpolate_type="linear", init_value=0.1, boundaries_and_scales={30000: 0.1, 60000: 0.1}),
    ),
    (
        "piecewise_interpolate_schedule",
        dict(interpolate_type="cosine", init_value=0.1, boundaries_and_scales={30000: 0.1, 60000: 0.1}),
    ),
    ("linear_onecycle_schedule", dict(transition_steps=10**5, peak_value=0.1)),
    ("cosine_onecycle_schedule", dict(transition_steps=10**5, peak_value=0.1)),
    (
        "warmup_cosine_decay_schedule",
        dict(init_value=0.0, peak_value=0.1, warmup_steps=1000, decay_steps=10**5),
    ),
    ("warmup_constant_schedule", dict(init_value=0.0, peak_value=0.1, warmup_steps=1000)),
    (
        "warmup_exponential_decay_schedule",
        dict(init_value=0.0, peak_value=0.1, warmup_steps=1000, transition_steps=1000, decay_rate=0.96),
    ),
    (
        "sgdr_schedule",
        dict(cosine_kwargs=[dict(init_value=0.0, peak_value=0.1, warmup_steps=500, decay_steps=30000)] * 3),
    ),
]


def twin_rows(label, ours, native, x):
    """Jitted per-call time and ``jit(vmap)`` over ``x`` of two schedule functions."""
    scalar = jnp.int32(12345)
    j_ours, j_native = jax.jit(ours), jax.jit(native)
    a, b = interleaved(
        [lambda: j_ours(scalar).block_until_ready(), lambda: j_native(scalar).block_until_ready()], number=200
    )
    row(f"{label}: jitted call", a, b, 1.1, "us", 1e6)
    v_ours, v_native = (jax.jit(jax.vmap(f)) for f in (ours, native))
    a, b = interleaved([lambda: v_ours(x).block_until_ready(), lambda: v_native(x).block_until_ready()])
    row(f"{label}: jit(vmap), 10**6", a, b, 1.1)


def bench_optax_twins(x):
    """Each optax function against ``lrsched.render(optax_spec(...), "jax")``."""
    from lrsched._optax_names import optax_spec

    for name, kwargs in OPTAX_TWINS:
        label = name
        for key in ("exponent", "interpolate_type", "power", "transition_begin"):
            if key in kwargs:
                label += f"({key}={kwargs[key]})"
        twin_rows(label, lrsched.render(optax_spec(name, **kwargs), "jax"), getattr(optax, name)(**kwargs), x)


def main():
    device = jax.devices()[0].device_kind
    print(f"jax {jax.__version__}, optax {optax.__version__}, {device}, x64={jax.config.jax_enable_x64}")
    print(f"{'benchmark':<50} {'lrsched':>13} {'optax':>13} {'ratio':>8}")
    x = jnp.arange(N, dtype=jnp.int32)
    for label, kwargs in CASES:
        bench_case(label, kwargs, x)
    bench_join(x)
    bench_optax_twins(x)


if __name__ == "__main__":
    main()
