"""An example lrsched plugin: one schedule, one backend, registered through entry points."""

from __future__ import annotations

from typing import Any

import lrsched
from lrsched_example.noam import NoamDecay

__all__ = ["NoamDecay"]


def render_pymath(spec: lrsched.Schedule) -> Any:
    """``render(spec, "pymath")``: a function of a Python int step giving a Python float."""
    from lrsched_example.pymath import render

    return render(spec)


def evaluate_pymath(spec: lrsched.Schedule, steps: list[int]) -> list[float]:
    """The pymath backend's values at ``steps``."""
    f = render_pymath(spec)
    return [f(step) for step in steps]


@lrsched.hookimpl
def lrsched_register_schedules(register: Any) -> None:
    register(NoamDecay)


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "pymath",
            render=render_pymath,
            evaluate=evaluate_pymath,
            requires=("math",),
            description="plain Python floats and the math module, one step at a time",
        )
    )
