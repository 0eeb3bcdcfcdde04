"""HF transformers' scheduler names as lrsched specs (no transformers import).

:func:`hf_spec` takes what ``transformers.get_scheduler(name, optimizer, num_warmup_steps,
num_training_steps, scheduler_specific_kwargs=...)`` takes, with the optimizer's ``lr`` as
``learning_rate``, and returns the spec whose value at step ``k`` is ``learning_rate *
lr_lambda(k)`` for HF's ``lr_lambda`` (HF's ``LambdaLR`` multiplies the optimizer's ``lr`` by it).
The expressions are the table in docs/catalogue.md, "HF transformers".
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from lrsched.errors import ConfigError, NotClosedFormError, UnknownScheduleError, unknown_name_message
from lrsched.schedules import (
    Constant,
    CosineCycles,
    CosineHardRestarts,
    InverseSqrtDecay,
    Join,
    OneMinusSqrtDecay,
    PolynomialDecay,
    Warmup,
)
from lrsched.spec import Schedule

__all__ = ["HF_NAMES", "hf_spec"]

#: Each closed-form ``get_scheduler`` name and the ``scheduler_specific_kwargs`` it takes.
HF_NAMES: dict[str, tuple[str, ...]] = {
    "linear": (),
    "cosine": ("num_cycles",),
    "cosine_with_restarts": ("num_cycles",),
    "polynomial": ("lr_end", "power"),
    "constant": (),
    "constant_with_warmup": (),
    "inverse_sqrt": ("timescale",),
    "cosine_with_min_lr": ("num_cycles", "min_lr", "min_lr_rate"),
    "cosine_warmup_with_min_lr": ("num_cycles", "min_lr", "min_lr_rate", "warmup_lr_rate"),
    "warmup_stable_decay": (
        "num_decay_steps",
        "num_stable_steps",
        "warmup_type",
        "decay_type",
        "min_lr_ratio",
        "num_cycles",
    ),
}
#: Names HF also has whose rate follows a metric, not the step: no schedule of the step.
_METRIC_DRIVEN = ("reduce_lr_on_plateau", "greedy")
_SHAPES = ("linear", "cosine", "1-sqrt")


def _received(name: str, value: object) -> str:
    return f"Received: {name}={value!r}"


def _steps(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ConfigError(f"Argument `{name}` must be an integer >= 0. {_received(name, value)}")
    return int(value)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"Argument `{name}` must be a finite number. {_received(name, value)}")
    return float(value)


def _ramp_then(learning_rate: float, warmup: int, after: Schedule, reaches: bool) -> Schedule:
    """HF's linear warm-up ``step / max(1, warmup)`` times the rate, then ``after`` (seeing
    ``step - warmup``); ``reaches``: ``after`` starts at the rate, so the ramp is ``Warmup``'s."""
    if warmup == 0:
        return after
    if reaches:
        return Warmup(after, warmup)
    return Join([Warmup(Constant(learning_rate), warmup), after], [warmup])


def _min_rate(learning_rate: float, kwargs: dict[str, Any]) -> float:
    """HF's ``min_lr_rate``: given, or ``min_lr / lr``; exactly one of them."""
    min_lr, rate = kwargs.get("min_lr"), kwargs.get("min_lr_rate")
    if min_lr is not None and rate is not None:
        raise ConfigError(
            f"Only one of `min_lr` and `min_lr_rate` may be set. Received: min_lr={min_lr!r}, "
            f"min_lr_rate={rate!r}"
        )
    if min_lr is None and rate is None:
        raise ConfigError("One of `min_lr` and `min_lr_rate` must be set. Received: neither")
    if min_lr is not None:
        min_lr = _number("min_lr", min_lr)
        if not 0 <= min_lr <= learning_rate or learning_rate == 0:
            raise ConfigError(
                f"Argument `min_lr` must be in [0, learning_rate={learning_rate!r}] (and learning_rate "
                f"> 0). {_received('min_lr', min_lr)}"
            )
        return min_lr / learning_rate
    rate = _number("min_lr_rate", rate)
    if not 0 <= rate <= 1:
        raise ConfigError(f"Argument `min_lr_rate` must be in [0, 1]. {_received('min_lr_rate', rate)}")
    return rate


def _cycles(kwargs: dict[str, Any], default: float) -> float:
    """HF's ``num_cycles`` for a cosine wave; the cosine is even, so a negative one is its opposite."""
    return abs(_number("num_cycles", kwargs.get("num_cycles", default)))


def hf_spec(
    name: str,
    learning_rate: float,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    **scheduler_specific_kwargs: Any,
) -> Schedule:
    """The spec of HF transformers' ``get_scheduler(name, ...)`` for an optimizer with ``lr=learning_rate``.

    Its value at step ``k`` is ``learning_rate * lr_lambda(k)``, HF's ``lr_lambda`` being the
    factor its ``LambdaLR`` multiplies the optimizer's ``lr`` by, at every step including past
    ``num_training_steps`` (HF's cosines rise again there; its linear and polynomial decays hold
    their end). Arguments are checked as HF checks them (a missing ``num_warmup_steps``, both or
    neither of ``min_lr`` and ``min_lr_rate``, ``lr_end`` not below the rate) and some HF lets
    through are refused: an argument the name does not take (HF ignores ``constant``'s), a
    ``warmup_stable_decay`` whose stable phase is negative. Each is a ``ConfigError`` naming the
    argument; an unknown name is an ``UnknownScheduleError``.

    Args:
      name: a ``transformers.SchedulerType`` value (or the enum itself): ``"linear"``,
        ``"cosine"``, ``"cosine_with_restarts"``, ``"polynomial"``, ``"constant"``,
        ``"constant_with_warmup"``, ``"inverse_sqrt"``, ``"cosine_with_min_lr"``,
        ``"cosine_warmup_with_min_lr"`` or ``"warmup_stable_decay"``.
      learning_rate: the optimizer's ``lr``; finite, >= 0.
      num_warmup_steps: HF's ``num_warmup_steps``; an int >= 0 (every name but ``constant``).
      num_training_steps: HF's ``num_training_steps``; an int >= 0.
      scheduler_specific_kwargs: HF's ``scheduler_specific_kwargs`` for the name.

    Returns:
      An lrsched spec (a registered schedule or a composition of them).

    Example:
      >>> from lrsched._hf_names import hf_spec
      >>> spec = hf_spec("cosine", 0.1, num_warmup_steps=10, num_training_steps=110)
      >>> spec(5), spec(10), spec(60), spec(110), spec(160)
      (0.05, 0.1, 0.05, 0.0, 0.05)
    """
    key = getattr(name, "value", name)
    if key in _METRIC_DRIVEN:
        raise NotClosedFormError(
            f"HF's scheduler {key!r} follows a metric, not the step: it has no lrsched spec; keep "
            f"transformers' own scheduler for it. Received: name={key!r}"
        )
    if key not in HF_NAMES:
        raise UnknownScheduleError(unknown_name_message("HF scheduler", key, HF_NAMES))
    unknown = sorted(set(scheduler_specific_kwargs) - set(HF_NAMES[key]))
    if unknown:
        takes = ", ".join(HF_NAMES[key]) or "none"
        raise ConfigError(
            f"HF's scheduler {key!r} takes no argument `{unknown[0]}` (it takes: {takes}). "
            f"{_received(unknown[0], scheduler_specific_kwargs[unknown[0]])}"
        )
    lr = _number("learning_rate", learning_rate)
    if lr < 0:
        raise ConfigError(
            f"Argument `learning_rate` must be >= 0. {_received('learning_rate', learning_rate)}"
        )
    kwargs = {k: v for k, v in scheduler_specific_kwargs.items() if v is not None}
    if key == "constant":
        return Constant(lr)
    if num_warmup_steps is None:
        raise ConfigError(f"HF's scheduler {key!r} needs `num_warmup_steps`. Received: num_warmup_steps=None")
    w = _steps("num_warmup_steps", num_warmup_steps)
    if key == "constant_with_warmup":
        return _ramp_then(lr, w, Constant(lr), True)
    if key == "inverse_sqrt":
        timescale = kwargs.get("timescale", w or 10_000)
        return _ramp_then(lr, w, InverseSqrtDecay(lr, timescale), True)
    if key == "warmup_stable_decay":
        return _wsd(lr, w, num_training_steps, kwargs)
    if num_training_steps is None:
        raise ConfigError(
            f"HF's scheduler {key!r} needs `num_training_steps`. Received: num_training_steps=None"
        )
    t = _steps("num_training_steps", num_training_steps)
    decay = max(1, t - w)  # HF's max(1, num_training_steps - num_warmup_steps)
    if key == "linear":
        if t > w:
            return _ramp_then(lr, w, PolynomialDecay(lr, t - w, end_learning_rate=0.0, power=1.0), True)
        return _ramp_then(lr, w, Constant(0.0), False)
    if key == "polynomial":
        lr_end = _number("lr_end", kwargs.get("lr_end", 1e-7))
        if not lr > lr_end:
            raise ConfigError(
                f"Argument `lr_end` must be below the initial rate learning_rate={lr!r}. "
                f"{_received('lr_end', lr_end)}"
            )
        if t > w:
            power = _number("power", kwargs.get("power", 1.0))
            return _ramp_then(lr, w, PolynomialDecay(lr, t - w, end_learning_rate=lr_end, power=power), True)
        return _ramp_then(lr, w, Constant(lr_end), False)
    if key == "cosine":
        return _ramp_then(lr, w, CosineCycles(lr, decay, num_cycles=_cycles(kwargs, 0.5)), True)
    if key == "cosine_with_restarts":
        cycles = _number("num_cycles", kwargs.get("num_cycles", 1))
        return _ramp_then(lr, w, CosineHardRestarts(lr, decay, num_cycles=cycles), True)
    rate = _min_rate(lr, kwargs)
    if key == "cosine_with_min_lr":
        return _ramp_then(lr, w, CosineCycles(lr, decay, num_cycles=_cycles(kwargs, 0.5), alpha=rate), True)
    # cosine_warmup_with_min_lr: the cosine's progress counts from 1, (step - w + 1) / decay, and
    # the warm-up is (k + 1) / w, or a line from warmup_lr_rate at 0 to 1 at w - 1
    cosine = CosineCycles(lr, decay, num_cycles=_cycles(kwargs, 0.5), alpha=rate, lead=1)
    if w == 0:
        return cosine
    start = kwargs.get("warmup_lr_rate")
    if start is None:
        ramp = Warmup(Constant(lr), w - 1, start_value=lr / w)
    else:
        start = _number("warmup_lr_rate", start)
        if start < 0:
            raise ConfigError(f"Argument `warmup_lr_rate` must be >= 0. {_received('warmup_lr_rate', start)}")
        ramp = Warmup(Constant(lr), w - 1, start_value=lr * start) if w > 1 else Constant(lr * start)
    return Join([ramp, cosine], [w])


def _wsd(lr: float, w: int, num_training_steps: int | None, kwargs: dict[str, Any]) -> Schedule:
    """``warmup_stable_decay``: a warm-up from ``min_lr_ratio`` of the rate, the rate, a decay to
    ``min_lr_ratio`` of it, then that."""
    if "num_decay_steps" not in kwargs:
        raise ConfigError("HF's scheduler 'warmup_stable_decay' needs `num_decay_steps`. Received: none")
    decay = _steps("num_decay_steps", kwargs["num_decay_steps"])
    if "num_stable_steps" in kwargs:  # HF uses it when both are given
        stable = _steps("num_stable_steps", kwargs["num_stable_steps"])
    elif num_training_steps is None:
        raise ConfigError(
            "HF's scheduler 'warmup_stable_decay' needs `num_training_steps` or `num_stable_steps`. "
            "Received: neither"
        )
    else:
        t = _steps("num_training_steps", num_training_steps)
        stable = t - w - decay
        if stable < 0:
            raise ConfigError(
                f"Argument `num_training_steps` must be >= num_warmup_steps + num_decay_steps = {w + decay} "
                f"(HF would start mid-decay). Received: num_training_steps={t}"
            )
    warmup_type, decay_type = kwargs.get("warmup_type", "linear"), kwargs.get("decay_type", "cosine")
    for arg, value in (("warmup_type", warmup_type), ("decay_type", decay_type)):
        if value not in _SHAPES:
            raise ConfigError(
                f"Argument `{arg}` must be one of 'linear', 'cosine', '1-sqrt'. {_received(arg, value)}"
            )
    ratio = _number("min_lr_ratio", kwargs.get("min_lr_ratio", 0.0))
    if not 0 <= ratio <= 1:
        raise ConfigError(f"Argument `min_lr_ratio` must be in [0, 1]. {_received('min_lr_ratio', ratio)}")
    low = lr * ratio
    pieces: list[Schedule] = []
    boundaries: list[int] = []

    def piece(schedule: Schedule, length: int) -> None:
        if length > 0:
            pieces.append(schedule)
            boundaries.append((boundaries[-1] if boundaries else 0) + length)

    if warmup_type == "1-sqrt":  # 1 - sqrt(1 - p): a polynomial rise of power 1/2
        piece(PolynomialDecay(low, w, end_learning_rate=lr, power=0.5) if w else Constant(lr), w)
    else:
        piece(Warmup(Constant(lr), w, start_value=low, shape=warmup_type), w)
    piece(Constant(lr), stable)
    if decay_type == "linear":
        piece(PolynomialDecay(lr, max(decay, 1), end_learning_rate=low, power=1.0), decay)
    elif decay_type == "cosine":
        piece(CosineCycles(lr, max(decay, 1), num_cycles=_cycles(kwargs, 0.5), alpha=ratio), decay)
    else:
        piece(OneMinusSqrtDecay(lr, max(decay, 1), end_learning_rate=low), decay)
    pieces.append(Constant(low))
    if len(pieces) == 1:
        return pieces[0]
    return Join(pieces, boundaries)
