"""The numpy backend: a spec rendered as a vectorized numpy function.

``render(spec, "numpy")`` returns ``f(step)``: integer arrays of any shape give float64 arrays
(``dtype="float32"`` computes in float32), a scalar gives a Python float. Overflow to inf and
underflow to 0 are the honest float answers and raise no numpy warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lrsched


def render_numpy(spec: lrsched.Schedule, *, dtype: str = "float64") -> Any:
    """``lrsched.render(spec, "numpy", dtype=...)``; see :func:`lrsched_numpy._render.render`."""
    from lrsched_numpy._render import render

    return render(spec, dtype=dtype)


def evaluate_numpy(spec: lrsched.Schedule, steps: Sequence[int]) -> list[float]:
    """The rendered function's float64 values at ``steps``, as Python floats."""
    import numpy as np

    return [float(v) for v in render_numpy(spec)(np.asarray(steps, dtype=np.int64))]


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "numpy",
            render=render_numpy,
            evaluate=evaluate_numpy,
            requires=("numpy",),
            description="a vectorized numpy function: integer steps in, float64 out",
        )
    )
