"""A spec as a native ``torch.optim.lr_scheduler.LRScheduler``, in closed form from the step count."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch.optim.lr_scheduler import EPOCH_DEPRECATION_WARNING, LRScheduler

from lrsched import ConfigError, Schedule, StepError
from lrsched_torch._blocks import block_value

__all__ = ["ScheduleLR"]

_STATE_KEYS = {"last_epoch", "_step_count", "_last_lr", "base_lrs", "param", "scales"}


class ScheduleLR(LRScheduler):
    """Sets every param group's ``param`` (``"lr"`` by default) to ``schedule(k) * scale``
    (or, for the groups named in ``groups``, their own schedule times their scale).

    ``k`` is the number of ``scheduler.step()`` calls since construction (torch's
    ``last_epoch``): construction sets ``schedule(0)``, so with ``scheduler.step()`` after each
    ``optimizer.step()`` the k-th optimizer step (from 0) uses ``schedule(k)``. The value comes
    from the step count alone (closed form), never from the previous value: no drift, and a
    resumed run continues exactly. Step per batch or per epoch: ``k`` counts whichever you do.

    The value is ``schedule.value`` evaluated in float64 numpy, a block of 512 steps at a time
    (:mod:`lrsched_torch._blocks`): within 1e-12 relative of the exact math at every step, and
    a function of the step alone (``exact=True`` uses ``schedule(k)`` itself, the correctly
    rounded value, at about 30 us per step).

    Args:
      optimizer: the optimizer whose param groups are scheduled.
      schedule: any :class:`lrsched.Schedule`.
      last_epoch: as in torch: ``-1`` starts a run; ``N >= 0`` resumes one whose optimizer
        state (with ``initial_lr``) is already loaded, and sets ``schedule(N + 1)``.
      param: the param-group field to schedule: ``"lr"``, or another float field such as
        ``"momentum"`` or ``"weight_decay"``.
      scale: each group's factor: a float for every group, one float per group, or
        ``"relative"``: the group's initial value divided by ``optimizer.defaults[param]``,
        so groups built with their own lr keep their ratio to the optimizer's lr. The
        schedule itself is never divided by, so schedules that start at 0 are fine.
      exact: use the correctly rounded ``schedule(k)`` (slower) rather than float64.
      groups: ``{group index: schedule}``: those param groups follow their own schedule instead
        of ``schedule`` (torch's per-group ``base_lr``/``max_lr`` lists of ``CyclicLR`` and
        ``OneCycleLR``, or a ``CosineAnnealingLR`` whose ``eta_min`` is not proportional to each
        group's lr). Each schedule is evaluated once per block of steps, however many groups
        follow it.

    ``base_lrs`` (and so ``state_dict()["base_lrs"]``) records what it sets at step 0,
    ``schedule(0) * scale`` per group, not the optimizer's ``lr=`` argument, which stays in each
    group's ``initial_lr`` (the reference of ``scale="relative"``).

    Example:
      >>> import torch, lrsched
      >>> spec = lrsched.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
      >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
      >>> scheduler = ScheduleLR(opt, spec)
      >>> for _ in range(4):
      ...     opt.step()
      ...     scheduler.step()
      >>> scheduler.get_last_lr()
      [0.025]
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedule: Schedule,
        last_epoch: int = -1,
        *,
        param: str = "lr",
        scale: float | Sequence[float] | str = 1.0,
        exact: bool = False,
        groups: Mapping[int, Schedule] | None = None,
    ) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise ConfigError(
                f"optimizer must be a torch.optim.Optimizer; received {type(optimizer).__name__}"
            )
        if not isinstance(schedule, Schedule):
            raise ConfigError(f"schedule must be an lrsched.Schedule; received {type(schedule).__name__}")
        if not isinstance(exact, bool):
            raise ConfigError(
                f"torch backend: option `exact` must be True or False; received exact={exact!r}"
            )
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral) or last_epoch < -1:
            raise ConfigError(
                f"torch backend: option `last_epoch` must be an int >= -1; received last_epoch={last_epoch!r}"
            )
        last_epoch = int(last_epoch)
        param_groups = optimizer.param_groups
        _check_param(param, param_groups)
        initial = _initial_key(param)
        if last_epoch != -1:
            for key in dict.fromkeys(("initial_lr", initial)):
                missing = [i for i, group in enumerate(param_groups) if key not in group]
                if missing:
                    raise ConfigError(
                        f"last_epoch={last_epoch} resumes a run, so every param group needs {key!r}, "
                        f"which param_groups{missing} lack: load the optimizer's state_dict first, or "
                        "build with last_epoch=-1 and load the scheduler's state_dict"
                    )
        scales = _scales(scale, optimizer, param, initial)  # validated before anything is changed
        overrides = _groups(groups, len(param_groups))
        if last_epoch == -1:
            for group in param_groups:
                group.setdefault(initial, _copy(group[param]))
        self.schedule = schedule
        self.groups = overrides
        self.exact = exact
        self._param = param
        self._scales = scales
        self._build(len(param_groups))
        super().__init__(optimizer, last_epoch)
        if param == "lr":  # torch wrote the optimizer's lrs; record the ones this scheduler sets
            self.base_lrs = self.lr_at(0)

    # -- torch's scheduler protocol -------------------------------------------------------------
    def step(self, epoch: int | None = None) -> None:
        """Advance one step (or, deprecated as in torch, jump to ``epoch``) and set the values."""
        if self._step_count == 1:
            _warn_if_out_of_order(self.optimizer)
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = _check_step(epoch, "epoch")
        self._set(self.last_epoch)

    def get_lr(self) -> list[float]:
        """The values at ``last_epoch`` (closed form; use :meth:`get_last_lr` for what was set)."""
        return self.lr_at(self.last_epoch)

    _get_closed_form_lr = get_lr

    def lr_at(self, step: int) -> list[float]:
        """The values this scheduler sets at ``step``, one per param group; its state is unchanged.

        Example:
          >>> import torch, lrsched
          >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
          >>> ScheduleLR(opt, lrsched.ExponentialDecay(1.0, 1, 0.5)).lr_at(2)
          [0.25]
        """
        return self._values(_check_step(step, "step"))

    def state_dict(self) -> dict[str, Any]:
        """Plain data only (ints, floats, strings, lists): ``torch.load(weights_only=True)`` reads it.

        The schedule itself is not saved: it is what the scheduler is built from.
        """
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "_last_lr": list(self._last_lr),
            "base_lrs": list(self.base_lrs),
            "param": self._param,
            "scales": list(self._scales),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Continue from a saved state: sets the param groups' values for its step at once, so
        the result does not depend on whether the optimizer's state is loaded before or after.
        """
        if not isinstance(state_dict, dict):
            raise ConfigError(f"state_dict must be a dict; received {type(state_dict).__name__}")
        unknown = sorted(set(state_dict) - _STATE_KEYS)
        if unknown or "last_epoch" not in state_dict:
            raise ConfigError(
                f"not a ScheduleLR state_dict: unexpected keys {unknown}, expected {sorted(_STATE_KEYS)}"
            )
        param = state_dict.get("param", self._param)
        if param != self._param:
            raise ConfigError(
                f"the state schedules param={param!r}; this scheduler schedules {self._param!r}"
            )
        scales = state_dict.get("scales", self._scales)
        if len(scales) != len(self.optimizer.param_groups):
            raise ConfigError(
                f"the state has {len(scales)} scales; the optimizer has "
                f"{len(self.optimizer.param_groups)} param groups"
            )
        self.last_epoch = _check_step(state_dict["last_epoch"], "last_epoch")
        self._step_count = int(state_dict.get("_step_count", self.last_epoch + 1))
        self._scales = [_scale_value(s, f"scales[{i}]") for i, s in enumerate(scales)]
        if "base_lrs" in state_dict:
            self.base_lrs = list(state_dict["base_lrs"])
        self._set(self.last_epoch)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_evaluators"]  # rebuilt from the schedules on unpickling
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._build(len(self._plan))

    def __repr__(self) -> str:
        groups = f", groups={self.groups!r}" if self.groups else ""
        return f"ScheduleLR({self.schedule!r}, param={self._param!r}{groups}, last_epoch={self.last_epoch})"

    # -- internals -------------------------------------------------------------------------------
    def _build(self, count: int) -> None:
        """One evaluator per distinct schedule, and which one each param group uses."""
        schedules = [self.groups.get(i, self.schedule) for i in range(count)]
        distinct: dict[int, Schedule] = {}
        for schedule in schedules:
            distinct.setdefault(id(schedule), schedule)
        order = list(distinct)
        self._evaluators = [_evaluator(distinct[key], self.exact) for key in order]
        self._plan = [order.index(id(schedule)) for schedule in schedules]

    def _values(self, step: int) -> list[float]:
        """Each param group's value at ``step``: its schedule's, times its scale."""
        evaluators = self._evaluators
        if len(evaluators) == 1:  # one schedule for every group (no ``groups``): evaluated once
            value = evaluators[0](step)
            return [value * scale for scale in self._scales]
        values = [evaluate(step) for evaluate in evaluators]  # each distinct schedule once
        return [values[i] * scale for i, scale in zip(self._plan, self._scales, strict=True)]

    def _set(self, step: int) -> None:
        groups, param = self.optimizer.param_groups, self._param
        if len(groups) != len(self._scales):
            raise ConfigError(
                f"the optimizer has {len(groups)} param groups; this scheduler was built for "
                f"{len(self._scales)}: build a new scheduler after add_param_group"
            )
        news = self._values(step)
        last = []
        for group, new in zip(groups, news, strict=True):
            current = group[param]
            if isinstance(current, torch.Tensor):
                current.fill_(new)
                last.append(current.clone())
            else:
                group[param] = new
                last.append(new)
        self._last_lr = last


def _groups(groups: object, count: int) -> dict[int, Schedule]:
    """``groups`` validated: a mapping from param group indices to schedules."""
    if groups is None:
        return {}
    if not isinstance(groups, Mapping):
        raise ConfigError(
            "torch backend: option `groups` must be a dict {param group index: Schedule}; "
            f"received groups={groups!r}"
        )
    for index, schedule in groups.items():
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ConfigError(
                f"torch backend: option `groups` maps param group indices (0 to {count - 1}: the "
                f"optimizer has {count} param groups) to schedules; received the key {index!r}"
            )
        if not isinstance(schedule, Schedule):
            raise ConfigError(
                f"torch backend: option `groups` maps param group indices to lrsched Schedules; "
                f"received groups[{index}]={schedule!r}"
            )
    return dict(groups)


def _evaluator(schedule: Schedule, exact: bool) -> Callable[[int], float]:
    if exact:
        return lambda step: float(schedule(step))
    return block_value(schedule)


def _initial_key(param: str) -> str:
    return "initial_lr" if param == "lr" else f"initial_{param}"


def _copy(value: Any) -> Any:
    return value.clone() if isinstance(value, torch.Tensor) else value


def _is_real(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return value.numel() == 1 and value.is_floating_point()
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_param(param: object, groups: list[dict[str, Any]]) -> None:
    if not isinstance(param, str):
        raise ConfigError(
            f"torch backend: option `param` must be the name of a param-group field; received param={param!r}"
        )
    for i, group in enumerate(groups):
        if param not in group:
            fields = sorted(k for k, v in group.items() if k != "params" and _is_real(v))
            raise ConfigError(
                f"param={param!r}: param_groups[{i}] has no such field; its float fields: {fields}"
            )
        if not _is_real(group[param]):
            raise ConfigError(
                f"param={param!r}: param_groups[{i}][{param!r}] must be a float (or a one-element float "
                f"tensor) to be scheduled; received {group[param]!r}"
            )


def _scale_value(value: object, name: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < math.inf:
        raise ConfigError(f"{name} must be a finite float >= 0; received {name}={value!r}")
    return float(value)


def _scales(
    scale: float | Sequence[float] | str, optimizer: torch.optim.Optimizer, param: str, initial: str
) -> list[float]:
    groups = optimizer.param_groups
    if isinstance(scale, str):
        if scale != "relative":
            raise ConfigError(
                f"torch backend: option `scale` must be a float, a list of floats or 'relative'; received scale={scale!r}"
            )
        reference = optimizer.defaults.get(param)
        if not _is_real(reference) or not 0 < float(reference) < math.inf:
            raise ConfigError(
                f"scale='relative' divides each group's initial {param} by optimizer.defaults[{param!r}], "
                f"which must be a finite float > 0; received {reference!r}"
            )
        return [
            _scale_value(float(group.get(initial, group[param])) / float(reference), "scale")
            for group in groups
        ]
    if isinstance(scale, Sequence):
        if len(scale) != len(groups):
            raise ConfigError(
                f"scale has {len(scale)} values; the optimizer has {len(groups)} param groups (one each)"
            )
        return [_scale_value(s, f"scale[{i}]") for i, s in enumerate(scale)]
    return [_scale_value(scale, "scale")] * len(groups)


def _check_step(step: object, name: str) -> int:
    """An int >= 0, or a float holding one (lrsched's step policy); anything else is refused."""
    if isinstance(step, numbers.Integral) and not isinstance(step, bool):
        if step >= 0:
            return int(step)
    elif isinstance(step, numbers.Real) and not isinstance(step, bool):
        as_float = float(step)
        if as_float.is_integer() and as_float >= 0:
            return int(as_float)
        if not as_float.is_integer():
            raise StepError(f"{name} must be a whole number; received {name}={step!r}")
    raise StepError(f"{name} must be an int >= 0; received {name}={step!r}")


def _warn_if_out_of_order(optimizer: torch.optim.Optimizer) -> None:
    """torch's own warnings for a first ``scheduler.step()`` that comes before ``optimizer.step()``."""
    if not hasattr(optimizer.step, "_wrapped_by_lr_sched"):
        warnings.warn(
            "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
            "initialization. Please, make sure to call `optimizer.step()` before "
            "`lr_scheduler.step()`. See more details at "
            "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
            UserWarning,
            stacklevel=3,
        )
    elif not getattr(optimizer, "_opt_called", False):
        warnings.warn(
            "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
            "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
            "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
            "will result in PyTorch skipping the first value of the learning rate schedule. "
            "See more details at "
            "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
            UserWarning,
            stacklevel=3,
        )
