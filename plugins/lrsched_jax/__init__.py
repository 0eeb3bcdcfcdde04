"""The JAX/optax backend: a spec rendered as a pure ``step -> jax.Array`` function.

``render(spec, "jax")`` (alias ``"optax"``) returns an optax ``Schedule``: pass it as any optax
optimizer's ``learning_rate``. It computes ``spec.value(step, jax.numpy)`` in JAX's default
float (float32; float64 under ``jax_enable_x64``) and works under ``jit``, ``vmap``,
``lax.scan`` and sharding. JAX is imported on first render, never when this plugin loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lrsched

__all__ = ["evaluate_jax", "lrsched_register_backends", "render_jax"]


def render_jax(spec: lrsched.Schedule, **options: Any) -> Any:
    """``lrsched.render(spec, "jax", ...)``; see :func:`lrsched_jax._render.render`."""
    from lrsched_jax._render import render

    return render(spec, **options)


def evaluate_jax(spec: lrsched.Schedule, steps: Sequence[int]) -> list[float]:
    """The default rendering's values at ``steps`` (int32 steps; int64 under x64), as floats."""
    from lrsched_jax._render import evaluate

    return evaluate(spec, steps)


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "jax",
            render=render_jax,
            evaluate=evaluate_jax,
            requires=("jax",),
            extra="jax",
            aliases=("optax",),
            description="a pure jax.numpy function (an optax Schedule): jit/vmap/scan-safe",
        )
    )
