"""The PyTorch backend: a spec rendered as a native ``LRScheduler``, or as a pure tensor function.

* ``lrsched.render(spec, "torch", optimizer=opt)`` returns a :class:`ScheduleLR`, a
  ``torch.optim.lr_scheduler.LRScheduler``: after ``k`` calls of ``scheduler.step()`` every
  param group's lr is ``spec(k)`` (times the group's scale), computed in closed form from the
  step count, so nothing drifts. Options: ``last_epoch``, ``param``, ``scale``, ``exact``,
  ``groups`` (a schedule of its own for some param groups).
* ``lrsched.render(spec, "torch")`` returns a :class:`TensorSchedule`, ``step -> lr tensor``
  (float32 by default; option ``dtype``), which ``torch.compile(fullgraph=True)`` compiles
  with no graph break.

Both are built from the spec's one ``value(step, xp)``. The alias ``"pytorch"`` selects this
backend. torch is imported on first use (:mod:`lrsched_torch._render`), never when the plugin
loads; so are the conformance checks it registers (:mod:`lrsched_torch._checks`).

Example:
  >>> import torch, lrsched
  >>> spec = lrsched.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
  >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
  >>> type(lrsched.render(spec, "torch", optimizer=opt)).__name__
  'ScheduleLR'
  >>> lrsched.render(spec, "torch")(torch.tensor(10))
  tensor(0.0500)
  >>> lrsched.evaluate(lrsched.ExponentialDecay(0.1, 1000, 0.5, staircase=True), [0, 999, 1000], "torch")
  [0.1, 0.1, 0.05]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import lrsched

if TYPE_CHECKING:
    from lrsched_torch._names import torch_render_args, torch_spec, torch_specs
    from lrsched_torch._scheduler import ScheduleLR
    from lrsched_torch._tensor import TensorSchedule

__all__ = [
    "ScheduleLR",
    "TensorSchedule",
    "lrsched_register_backends",
    "lrsched_register_checks",
    "torch_render_args",
    "torch_spec",
    "torch_specs",
]

_LAZY = {
    "ScheduleLR": "lrsched_torch._scheduler",
    "TensorSchedule": "lrsched_torch._tensor",
    "torch_render_args": "lrsched_torch._names",
    "torch_spec": "lrsched_torch._names",
    "torch_specs": "lrsched_torch._names",
}


@lrsched.hookimpl
def lrsched_register_backends(register: Any) -> None:
    register(
        lrsched.Backend(
            "torch",
            render="lrsched_torch._render:render",
            evaluate="lrsched_torch._render:evaluate",
            options={
                "optimizer": "a torch.optim.Optimizer: renders a ScheduleLR instead of a TensorSchedule",
                "dtype": ("float32", "float64", "float16", "bfloat16"),  # without optimizer
                "last_epoch": "an int >= -1 (with optimizer)",
                "param": "the name of a param-group float field, default 'lr' (with optimizer)",
                "scale": "a float >= 0, one per param group, or 'relative' (with optimizer)",
                "exact": (False, True),  # with optimizer
                "groups": "a dict {param group index: Schedule}: those groups follow their own schedule (with optimizer)",
            },
            requires=("torch",),
            extra="torch",
            aliases=("pytorch",),
            description="a torch LRScheduler (closed form, resumable), or a compile-friendly tensor function",
        )
    )


#: The conformance checks of :mod:`lrsched.testing` about torch: (name, variant, function of
#: :mod:`lrsched_torch._checks`).
_CHECKS = (
    ("values", "torch", "values"),  # the LRScheduler, float64
    ("values", "torch-tensor", "values_tensor"),
    ("values", "torch-tensor-float64", "values_tensor64"),
    ("boundaries", "torch", "boundaries"),
    ("boundaries", "torch-tensor", "boundaries_tensor"),
    ("boundaries", "torch-tensor-float64", "boundaries_tensor64"),
    ("step_dtypes", "torch", "step_dtypes"),
    ("torch_resume", None, "resume"),
    ("torch_compile", None, "compile_once"),
    ("kth_update", "torch", "kth_update"),
    ("step_policy", "torch", "step_policy"),
)


@lrsched.hookimpl
def lrsched_register_checks(register: Any) -> None:
    for name, variant, function in _CHECKS:
        register(name, f"lrsched_torch._checks:{function}", variant=variant, backend="torch")


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lrsched_torch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
