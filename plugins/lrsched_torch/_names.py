"""A constructed torch scheduler as lrsched specs: what ``lrsched.from_torch`` will be built on.

torch's schedulers set each param group's lr from that group's own base lr (its ``initial_lr``),
and the value after ``k`` calls of ``scheduler.step()`` is, in closed form, a function of ``k``
and of that base lr (for most classes ``base_lr * f(k)``). lrsched's specs are absolute lrs, so a
scheduler is one spec per param group: :func:`torch_spec` reads the scheduler's class and
attributes and returns the spec whose ``spec(k)`` is what torch sets for one group;
:func:`torch_render_args` gives ``(spec, options)`` for ``lrsched.render(spec, "torch",
optimizer=opt, **options)`` to set every group's lr as the scheduler does. Where torch's own
``step()`` and its documented closed form (``_get_closed_form_lr``) disagree, the closed form
rules, except where it is undefined (a zero ``total_iters``: then what ``step()`` does).

Nothing here imports torch: the scheduler is read through its class name and attributes.

Example:
  >>> import torch, lrsched
  >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
  >>> torch_spec(torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5))
  ExponentialDecay(initial_learning_rate=0.1, decay_steps=30, decay_rate=0.5, staircase=True, name='ExponentialDecay')
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import lrsched
from lrsched import ConfigError, NotClosedFormError, Schedule

__all__ = ["torch_render_args", "torch_spec", "torch_specs"]

#: torch's schedulers whose ``step()`` multiplies the lr by a factor of their own: a
#: ``ChainedScheduler`` of them is the product of their closed forms.
MULTIPLICATIVE = frozenset(
    {"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR"}
)


def torch_spec(scheduler: Any, group: int = 0) -> Schedule:
    """The spec whose value at step ``k`` is the lr ``scheduler`` sets for param group ``group``
    after ``k`` calls of ``scheduler.step()``.

    Args:
      scheduler: a constructed ``torch.optim.lr_scheduler`` scheduler: ``StepLR``,
        ``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``, ``PolynomialLR``,
        ``CosineAnnealingLR``, ``CosineAnnealingWarmRestarts``, ``CyclicLR``, ``OneCycleLR``,
        or a ``SequentialLR`` or ``ChainedScheduler`` of them.
      group: the param group's index.

    Raises:
      NotClosedFormError: for ``LambdaLR``, ``MultiplicativeLR``, ``ReduceLROnPlateau`` and a
        ``CyclicLR`` with a custom ``scale_fn`` (no closed form), saying what to use instead.
      ConfigError: for another class, or arguments lrsched cannot express, naming the argument,
        the rule and the value.

    Example:
      >>> import torch
      >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
      >>> torch_spec(torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.1))
      CosineAnnealing(initial_learning_rate=1.0, T_max=10, eta_min=0.1)
    """
    groups = _param_groups(scheduler)
    if isinstance(group, bool) or not isinstance(group, int) or not 0 <= group < len(groups):
        raise ConfigError(
            f"group must be a param group index in [0, {len(groups) - 1}]; received group={group!r}"
        )
    return _spec(scheduler, group, None)


def torch_specs(scheduler: Any) -> list[Schedule]:
    """:func:`torch_spec` for every param group of the scheduler's optimizer."""
    return [_spec(scheduler, group, None) for group in range(len(_param_groups(scheduler)))]


def torch_render_args(scheduler: Any) -> tuple[Schedule, dict[str, Any]]:
    """``(spec, options)`` such that ``lrsched.render(spec, "torch", optimizer=opt, **options)``
    sets every param group's lr as ``scheduler`` does: ``spec`` is group 0's. Where torch's lr is
    each group's base lr times one factor (StepLR, ..., a CosineAnnealingLR with ``eta_min=0``),
    ``options`` is ``{"scale": [base_g / base_0, ...]}`` (one schedule, evaluated once per step);
    otherwise ``{"groups": {index: spec}}`` for the groups whose spec differs from group 0's.

    Example:
      >>> import torch
      >>> params = [torch.zeros(1, requires_grad=True) for _ in "ab"]
      >>> opt = torch.optim.SGD([{"params": [params[0]], "lr": 0.1}, {"params": [params[1]]}], lr=0.1)
      >>> spec, options = torch_render_args(torch.optim.lr_scheduler.CyclicLR(opt, [0.01, 0.02], 0.1))
      >>> options["groups"][1].base_lr
      0.02
    """
    specs = torch_specs(scheduler)
    others = {i: spec for i, spec in enumerate(specs) if i and spec != specs[0]}
    if not others:
        return specs[0], {}
    bases = [_float(group["initial_lr"], "initial_lr") for group in _param_groups(scheduler)]
    if _proportional(scheduler) and bases[0] > 0:
        return specs[0], {"scale": [base / bases[0] for base in bases]}
    return specs[0], {"groups": others}


def _proportional(scheduler: Any) -> bool:
    """Whether the lr torch sets for each group is that group's base lr times one factor."""
    name = _name(scheduler)
    if name in ("CosineAnnealingLR", "CosineAnnealingWarmRestarts"):
        return not scheduler.eta_min
    if name in ("SequentialLR", "ChainedScheduler"):
        return all(_proportional(child) for child in scheduler._schedulers)
    return name in MULTIPLICATIVE


# -- the mapping, class by class ------------------------------------------------------------------
def _param_groups(scheduler: Any) -> list[dict[str, Any]]:
    optimizer = getattr(scheduler, "optimizer", None)
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list):
        raise ConfigError(
            f"expected a torch LR scheduler (with an optimizer); received {type(scheduler).__name__}"
        )
    return groups


#: torch's schedulers that are not a closed form of the step, and what to use instead.
NOT_CLOSED_FORM = {
    "LambdaLR": "it calls a Python function of the step: write the function as a schedule (docs/writing-a-plugin.md)",
    "MultiplicativeLR": "it multiplies by a Python function's value each step: write the product as a schedule",
    "ReduceLROnPlateau": "it follows a metric, not the step: keep torch's scheduler for it",
}


def _name(scheduler: Any) -> str:
    cls = type(scheduler)
    if cls.__module__ == "torch.optim.lr_scheduler" and cls.__name__ in NOT_CLOSED_FORM:
        raise NotClosedFormError(
            f"torch's {cls.__name__} is not a closed form of the step: {NOT_CLOSED_FORM[cls.__name__]}"
        )
    if cls.__module__ != "torch.optim.lr_scheduler" or cls.__name__ not in _MAPPINGS:
        raise ConfigError(
            f"no lrsched expression for {cls.__module__}.{cls.__name__}: lrsched reads torch's closed-form "
            f"schedulers {sorted(_MAPPINGS)} (LambdaLR, MultiplicativeLR and ReduceLROnPlateau have none)"
        )
    return cls.__name__


def _spec(scheduler: Any, group: int, base: float | None) -> Schedule:
    """Group ``group``'s spec; with ``base``, as a factor of that base lr (in a ChainedScheduler)."""
    return _MAPPINGS[_name(scheduler)](scheduler, group, base)


def _base(scheduler: Any, group: int, base: float | None) -> float:
    return _float(scheduler.base_lrs[group], f"base_lrs[{group}]") if base is None else base


def _float(value: Any, name: str, low: float = 0.0) -> float:
    if hasattr(value, "item"):  # a one-element tensor (a tensor lr)
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value < math.inf:
        raise ConfigError(f"{name} must be a finite float >= {low:g}; received {name}={value!r}")
    return float(value)


def _int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ConfigError(f"{name} must be an int >= {low}; received {name}={value!r}")
    return int(value)


def _step_lr(s: Any, group: int, base: float | None) -> Schedule:
    b, gamma = _base(s, group, base), _float(s.gamma, "gamma")
    step_size = _int(s.step_size, "step_size", 1)
    if gamma == 0:  # 0 from the first stair on
        return lrsched.PiecewiseConstantDecay([step_size - 1], [b, 0.0])
    return lrsched.ExponentialDecay(b, step_size, gamma, staircase=True)


def _powers(b: float, gamma: float, counts: list[int]) -> list[float]:
    """``b * gamma ** n`` for each ``n``, correctly rounded."""
    return [float(Fraction(b) * Fraction(gamma) ** n) for n in counts]


def _multi_step_lr(s: Any, group: int, base: float | None) -> Schedule:
    b, gamma = _base(s, group, base), _float(s.gamma, "gamma")
    milestones = sorted(s.milestones.elements())
    for m in milestones:
        _int(m, "milestones[]", 0)
    # the closed form's gamma ** bisect_right(milestones, k): a milestone m applies from step m on
    # (PiecewiseConstantDecay boundary m - 1); a milestone 0 from step 0
    steps = sorted({m for m in milestones if m > 0})
    counts = [sum(1 for m in milestones if m <= step) for step in [0, *steps]]
    return lrsched.PiecewiseConstantDecay([m - 1 for m in steps], _powers(b, gamma, counts))


def _constant_lr(s: Any, group: int, base: float | None) -> Schedule:
    b, factor = _base(s, group, base), _float(s.factor, "factor")
    total = _int(s.total_iters, "total_iters", 0)
    if total == 0:  # step() multiplies by factor at step 0 and never divides (the closed form: b)
        return lrsched.Constant(b * factor)
    return lrsched.PiecewiseConstantDecay([total - 1], [b * factor, b])


def _linear_lr(s: Any, group: int, base: float | None) -> Schedule:
    b = _base(s, group, base)
    start, end = _float(s.start_factor, "start_factor"), _float(s.end_factor, "end_factor")
    total = _int(s.total_iters, "total_iters", 0)
    if total == 0:  # the closed form divides by 0; step() keeps b * start_factor
        return lrsched.Constant(b * start)
    return lrsched.PolynomialDecay(b * start, total, end_learning_rate=b * end, power=1.0)


def _exponential_lr(s: Any, group: int, base: float | None) -> Schedule:
    b, gamma = _base(s, group, base), _float(s.gamma, "gamma")
    if gamma == 0:
        return lrsched.PiecewiseConstantDecay([0], [b, 0.0])
    return lrsched.ExponentialDecay(b, 1, gamma)


def _polynomial_lr(s: Any, group: int, base: float | None) -> Schedule:
    b, power = _base(s, group, base), _float(s.power, "power")
    total = _int(s.total_iters, "total_iters", 0)
    if total == 0:  # the closed form divides by 0; step() keeps b
        return lrsched.Constant(b)
    return lrsched.PolynomialDecay(b, total, end_learning_rate=0.0, power=power)


def _cosine_annealing_lr(s: Any, group: int, base: float | None) -> Schedule:
    eta_min = _float(s.eta_min, "eta_min")
    return lrsched.CosineAnnealing(_base(s, group, base), _int(s.T_max, "T_max", 1), eta_min)


def _cosine_annealing_warm_restarts(s: Any, group: int, base: float | None) -> Schedule:
    b, eta_min = _base(s, group, base), _float(s.eta_min, "eta_min")
    if eta_min > b:
        raise ConfigError(
            f"CosineAnnealingWarmRestarts: eta_min must be <= the group's lr {b!r} (lrsched's "
            f"CosineDecayRestarts decays to a fraction alpha of it); received eta_min={eta_min!r}"
        )
    t_0, t_mult = _int(s.T_0, "T_0", 1), _int(s.T_mult, "T_mult", 1)
    return lrsched.CosineDecayRestarts(b, t_0, float(t_mult), 1.0, alpha=eta_min / b if b else 0.0)


def _cyclic_lr(s: Any, group: int, base: float | None) -> Schedule:
    if s._scale_fn_custom is not None:
        raise NotClosedFormError(
            "CyclicLR with a custom scale_fn calls a Python function: no closed form lrsched can read "
            "(its modes are Cyclical's)"
        )
    total, ratio = float(s.total_size), float(s.step_ratio)
    up = round(total * ratio)
    if not total.is_integer() or up < 1 or up / total != ratio:
        raise ConfigError(
            f"CyclicLR: step_size_up and step_size_down must be whole numbers of steps; received a cycle "
            f"of {total!r} steps, {ratio!r} of it rising"
        )
    b = _float(s.base_lrs[group], f"base_lr[{group}]")
    top = _float(s.max_lrs[group], f"max_lr[{group}]")
    if base is not None:
        raise ConfigError("CyclicLR sets the lr itself (it is not a factor): it cannot be chained")
    gamma = _float(s.gamma, "gamma") if s.mode == "exp_range" else 1.0
    return lrsched.Cyclical(b, top, up, int(total) - up, s.mode, gamma)


def _recover(name: str, want: float, compute: Callable[[float], float], guess: float) -> float:
    """A float within a few ulps of ``guess`` that torch's float arithmetic ``compute`` turns into
    ``want`` (OneCycleLR keeps only derived values, not its arguments)."""
    candidates, up, down = [guess], guess, guess
    for _ in range(8):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        candidates += [up, down]
    for candidate in candidates:
        try:
            if compute(candidate) == want:
                return candidate
        except ZeroDivisionError:
            continue
    raise ConfigError(f"OneCycleLR: no {name} gives the scheduler's values (near {guess!r})")


def _one_cycle_lr(s: Any, group: int, base: float | None) -> Schedule:
    if base is not None:
        raise ConfigError("OneCycleLR sets the lr itself (it is not a factor): it cannot be chained")
    g = _param_groups(s)[group]
    top, initial = _float(g["max_lr"], "max_lr"), _float(g["initial_lr"], "initial_lr")
    low = _float(g["min_lr"], "min_lr")
    total = _int(s.total_steps, "total_steps", 1)
    phases = s._schedule_phases
    first = phases[0]["end_step"]

    def ends(p: float) -> float:  # torch's phase ends for pct_start=p (nan: the second one differs)
        if len(phases) == 3 and float(2 * p * total) - 2 != phases[1]["end_step"]:
            return math.nan
        return float(p * total) - 1

    pct = _recover("pct_start", first, ends, (first + 1) / total)
    div = _recover("div_factor", initial, lambda d: top / d, top / initial if initial else 25.0)
    final = _recover("final_div_factor", low, lambda f: initial / f, initial / low if low else 1e4)
    return lrsched.OneCycle(top, total, pct, s._anneal_func_type, div, final, len(phases) == 3)


def _sequential_lr(s: Any, group: int, base: float | None) -> Schedule:
    if base is not None:
        raise ConfigError(
            "SequentialLR sets the lr at each milestone (it is not a factor): it cannot be chained"
        )
    milestones = [_int(m, "milestones[]", 0) for m in s._milestones]
    return lrsched.Join([_spec(child, group, None) for child in s._schedulers], milestones)


def _chained_scheduler(s: Any, group: int, base: float | None) -> Schedule:
    children = list(s._schedulers)
    for child in children:
        if _name(child) not in MULTIPLICATIVE:
            raise ConfigError(
                f"a ChainedScheduler is the product of its schedulers' factors only for {sorted(MULTIPLICATIVE)}; "
                f"received {type(child).__name__}"
            )
        if _name(child) == "CosineAnnealingLR" and child.eta_min:
            raise ConfigError(
                "in a ChainedScheduler, CosineAnnealingLR multiplies the lr by a factor only with "
                f"eta_min=0; received eta_min={child.eta_min!r}"
            )
    first = _spec(children[0], group, base)
    return lrsched.Product([first, *(_spec(child, group, 1.0) for child in children[1:])])


_MAPPINGS: dict[str, Callable[[Any, int, float | None], Schedule]] = {
    "StepLR": _step_lr,
    "MultiStepLR": _multi_step_lr,
    "ConstantLR": _constant_lr,
    "LinearLR": _linear_lr,
    "ExponentialLR": _exponential_lr,
    "PolynomialLR": _polynomial_lr,
    "CosineAnnealingLR": _cosine_annealing_lr,
    "CosineAnnealingWarmRestarts": _cosine_annealing_warm_restarts,
    "CyclicLR": _cyclic_lr,
    "OneCycleLR": _one_cycle_lr,
    "SequentialLR": _sequential_lr,
    "ChainedScheduler": _chained_scheduler,
}
