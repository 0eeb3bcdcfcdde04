"""The conformance checks of the JAX backend, registered by the plugin's
``lrsched_register_checks`` and imported when one first runs; each imports JAX inside.

Values in JAX's default float (float32; float64 under ``jax_enable_x64``, which also decides
whether steps go past int32's max); integer step dtypes; ``jit`` tracing once as the step
changes, and ``vmap``; the k-th optax SGD update; the step policy, eager and under ``jit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrsched.testing.support import (
    INT32_MAX,
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


def max_step() -> int:
    """The largest step JAX takes: int32's max without ``jax_enable_x64``."""
    import jax

    return INT64_MAX if jax.config.jax_enable_x64 else INT32_MAX


def float_dtype() -> str:
    """JAX's default float: float64 under ``jax_enable_x64``, else float32."""
    import jax

    return "float64" if jax.config.jax_enable_x64 else "float32"


#: XLA on CPU flushes subnormal results to 0 (its FTZ/DAZ flags)
_FLUSH = True
_JAX = Rendering("jax", "jax", dtype=float_dtype, step_limit=max_step, flushes_subnormals=_FLUSH)

values = values_check(_JAX)
boundaries = boundaries_check(_JAX)


def step_dtypes(spec: Schedule) -> None:
    import jax
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "jax")
    x64 = bool(jax.config.jax_enable_x64)

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return jax.numpy.asarray(np.asarray(steps, dtype=name).reshape(shape))

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        values = np.asarray(out)
        return values.shape, [float(v) for v in values.reshape(-1)], str(values.dtype)

    names = ("int8", "int16", "int32", "uint8", "uint16", *(("int64", "uint32", "uint64") if x64 else ()))
    dtype_cases(
        spec, "jax", f, make, to_floats, float_dtype(), max_step(), names=names, flush_subnormals=_FLUSH
    )


def transforms(spec: Schedule) -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "jax")
    int_dtype = jnp.int64 if jax.config.jax_enable_x64 else jnp.int32
    dtype = float_dtype()
    steps = few_steps(spec, 8, max_step())
    traces = []

    def traced(step: Any) -> Any:
        traces.append(step)
        return f(step)

    jitted = jax.jit(traced)
    got = [float(jitted(jnp.asarray(s, dtype=int_dtype))) for s in steps]
    if len(traces) != 1:
        raise ConformanceError(
            f"jax.jit traced {len(traces)} times for {len(steps)} step values; once expected"
        )
    compare(spec, steps, got, dtype, "jax.jit", flush_subnormals=_FLUSH)
    array = jnp.asarray(steps, dtype=int_dtype)
    for what, g in (("jax.vmap", jax.vmap(f)), ("jax.jit(jax.vmap)", jax.jit(jax.vmap(f)))):
        compare(spec, steps, [float(v) for v in np.asarray(g(array))], dtype, what, flush_subnormals=_FLUSH)


def kth_update(spec: Schedule) -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    import lrsched

    optimizer = optax.sgd(lrsched.render(spec, "optax"))

    @jax.jit
    def update(state: Any) -> Any:
        return optimizer.update(jnp.ones(()), state)

    state, got = optimizer.init(jnp.zeros(())), []
    for _ in range(KTH_UPDATES):
        updates, state = update(state)  # updates = -lr * 1
        got.append(-float(np.asarray(updates)))
    compare(
        spec, list(range(KTH_UPDATES)), got, float_dtype(), "optax sgd's k-th update", flush_subnormals=_FLUSH
    )


def step_policy(spec: Schedule) -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "jax")

    def to_float(out: Any) -> float:
        return float(np.asarray(out).reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "array": ((jnp.asarray([3.0]), jnp.asarray([3])), jnp.asarray([2.5]), jnp.asarray([-1])),
    }
    eager_policy("jax", f, to_float, cases)
    traced_policy(
        spec,
        "jax.jit",
        lambda s: float(jax.jit(f)(s)),
        jnp.float32(2.5),
        jnp.int32(-1),
        flush_subnormals=_FLUSH,
    )
