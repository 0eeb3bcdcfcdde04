"""An example lrsched plugin: one schedule, one backend, registered through entry points."""

from __future__ import annotations

from typing import Any

import lrsched
from lrsched_example.noam import NoamDecay

__all__ = ["NoamDecay"]


@lrsched.hookimpl
def lrsched_register_schedules(register: Any) -> None:
    register(NoamDecay)


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "pymath",
            render="lrsched_example.pymath:render",  # imported on the first render
            evaluate="lrsched_example.pymath:evaluate",
            options={},  # render takes none: any option is a ConfigError naming this backend
            requires=("math",),
            description="plain Python floats and the math module, one step at a time",
        )
    )
