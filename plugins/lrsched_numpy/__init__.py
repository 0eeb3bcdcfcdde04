"""The numpy backend: a spec rendered as a vectorized numpy function.

``render(spec, "numpy")`` returns ``f(step)``: integer arrays of any shape give float64 arrays
(``dtype="float32"`` computes in float32), a scalar gives a Python float. Overflow to inf and
underflow to 0 are the honest float answers and raise no numpy warnings. numpy is imported on
first render (:mod:`lrsched_numpy._render`), never when this plugin loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lrsched

__all__ = ["evaluate_numpy", "lrsched_register_backends"]


def evaluate_numpy(spec: lrsched.Schedule, steps: Sequence[int]) -> list[float]:
    """The rendered function's float64 values at ``steps``, as Python floats."""
    import numpy as np

    from lrsched_numpy._render import render

    return [float(v) for v in render(spec)(np.asarray(steps, dtype=np.int64))]


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "numpy",
            render="lrsched_numpy._render:render",
            evaluate=evaluate_numpy,
            options={"dtype": ("float64", "float32", "float16")},
            requires=("numpy",),
            description="a vectorized numpy function: integer steps in, float64 out",
        )
    )
