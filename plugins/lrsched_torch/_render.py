"""Rendering into torch (imported on first render, not when the plugin loads)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from lrsched import ConfigError, Schedule, StepError
from lrsched_torch._scheduler import ScheduleLR
from lrsched_torch._tensor import TensorSchedule

_SCHEDULER_OPTIONS = ("last_epoch", "param", "scale", "exact", "groups")
_TENSOR_OPTIONS = ("dtype",)


def render(spec: Schedule, *, optimizer: Any = None, **options: Any) -> ScheduleLR | TensorSchedule:
    """A :class:`ScheduleLR` for ``optimizer``, or without one a :class:`TensorSchedule`.

    Example:
      >>> import torch, lrsched
      >>> spec = lrsched.ExponentialDecay(1.0, 1, 0.5)
      >>> render(spec, dtype="float64")(3)
      tensor(0.1250, dtype=torch.float64)
    """
    allowed = _SCHEDULER_OPTIONS if optimizer is not None else _TENSOR_OPTIONS
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        form = "with optimizer=" if optimizer is not None else "without optimizer="
        raise ConfigError(
            f"torch backend: unknown option(s) {unknown} {form}; allowed: optimizer, {', '.join(allowed)}"
        )
    if optimizer is not None:
        return ScheduleLR(optimizer, spec, **options)
    return TensorSchedule(spec, **options)


def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
    """The lrs a :class:`ScheduleLR` on a one-group optimizer sets at ``steps``.

    Example:
      >>> import lrsched
      >>> evaluate(lrsched.ExponentialDecay(1.0, 1, 0.5), [0, 2])
      [1.0, 0.25]
    """
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.0)
    scheduler = ScheduleLR(optimizer, spec)
    out = []
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise StepError(f"torch backend: steps must be ints >= 0; received {step!r}")
        out.append(scheduler.lr_at(step)[0])
    return out
