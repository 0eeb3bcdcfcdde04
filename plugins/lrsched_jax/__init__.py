"""The JAX/optax backend: a spec rendered as a pure ``step -> jax.Array`` function.

``render(spec, "jax")`` (alias ``"optax"``) returns an optax ``Schedule``: pass it as any optax
optimizer's ``learning_rate``. It computes ``spec.value(step, jax.numpy)`` in JAX's default
float (float32; float64 under ``jax_enable_x64``) and works under ``jit``, ``vmap``,
``lax.scan`` and sharding. JAX is imported on first render (:mod:`lrsched_jax._render`), never
when this plugin loads; so are the conformance checks it registers (:mod:`lrsched_jax._checks`).
"""

from __future__ import annotations

from typing import Any

import lrsched

__all__ = ["lrsched_register_backends", "lrsched_register_checks"]


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "jax",
            render="lrsched_jax._render:render",
            evaluate="lrsched_jax._render:evaluate",
            options={
                "dtype": (None, "float32", "float64", "bfloat16", "float16"),
                "jit": (True, False),
            },
            requires=("jax",),
            extra="jax",
            aliases=("optax",),
            description="a pure jax.numpy function (an optax Schedule): jit/vmap/scan-safe",
        )
    )


#: The conformance checks of :mod:`lrsched.testing` about JAX: (name, variant, function of
#: :mod:`lrsched_jax._checks`, modules required).
_CHECKS = (
    ("values", "jax", "values", ()),
    ("boundaries", "jax", "boundaries", ()),
    ("step_dtypes", "jax", "step_dtypes", ()),
    ("jax_transforms", None, "transforms", ()),
    ("kth_update", "optax", "kth_update", ("optax",)),
    ("step_policy", "jax", "step_policy", ()),
)


@lrsched.hookimpl
def lrsched_register_checks(register: Any) -> None:
    for name, variant, function, requires in _CHECKS:
        register(name, f"lrsched_jax._checks:{function}", variant=variant, backend="jax", requires=requires)
