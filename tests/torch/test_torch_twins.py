"""torch's closed-form schedulers against their lrsched twins (``lrsched_torch.torch_spec``).

The truth is each class's documented closed form (its ``_get_closed_form_lr``, or a ``get_lr``
that is closed form in the step), transcribed from torch 2.13's ``lr_scheduler.py`` below and
evaluated exactly (mpmath, Fractions), independently of lrsched. For random configs (hypothesis)
on an optimizer whose param groups have different lrs, torch's scheduler is stepped as a user
steps it (``opt.step(); scheduler.step()``) side by side with the rendered twin, at every step
from 0 past the end (every boundary and its neighbours), and:

* the twin (``ScheduleLR``, float64) is within 1e-12 of the exact closed form at every step, and
  ``spec(k)`` (exact) is the closed form correctly rounded, at the breakpoints and their neighbours;
* torch itself is within ``SAME`` of it: the same schedule, step for step (an off-by-one step
  moves these configs by far more), its own float64 error included; the twin is never further
  from the exact value than torch is, beyond 1e-12.

Errors are measured at the size ``max(|exact|, 1e-6 * peak)``, as the conformance kit measures.
torch's chained drift over 10**5 steps (10**6 under ``-m slow``) is measured at the end.
"""

from __future__ import annotations

import bisect
import warnings
from fractions import Fraction

import mpmath
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lrsched_torch import ScheduleLR, torch_render_args, torch_spec, torch_specs

import lrsched

S = torch.optim.lr_scheduler
#: torch's float64 arithmetic against the exact closed form, for these configs (a few thousand
#: steps): a bound that says "the same schedule", far below what one step moves any of them.
SAME = 1e-9
OURS = 1e-12


def mpf(x: float | int | Fraction) -> mpmath.mpf:
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def cos_half(x: mpmath.mpf) -> mpmath.mpf:
    """``(1 + cos(pi * x)) / 2``."""
    return (1 + mpmath.cospi(x)) / 2


# -- torch's closed forms, exactly -----------------------------------------------------------------
def exact_lr(config: dict, lrs: list[float], g: int, k: int) -> mpmath.mpf:
    """The lr torch's documented closed form gives param group ``g`` at step ``k``.

    ``config``: ``{"cls": name, **constructor arguments}`` (``children`` and ``milestones`` for
    ``SequentialLR``, ``children`` for ``ChainedScheduler``); ``lrs``: the groups' initial lrs.
    """
    with mpmath.workprec(300):
        return _exact(config, lrs, g, k, mpf(lrs[g]))


def _exact(c: dict, lrs: list[float], g: int, k: int, base: mpmath.mpf) -> mpmath.mpf:
    name = c["cls"]
    if name == "StepLR":
        return base * mpf(c["gamma"]) ** (k // c["step_size"])
    if name == "MultiStepLR":
        return base * mpf(c["gamma"]) ** bisect.bisect_right(sorted(c["milestones"]), k)
    if name == "ConstantLR":
        if c["total_iters"] == 0:  # step() multiplies at step 0 and never divides back
            return base * mpf(c["factor"])
        return base * (mpf(c["factor"]) + (k >= c["total_iters"]) * (1 - mpf(c["factor"])))
    if name == "LinearLR":
        s, e, t = mpf(c["start_factor"]), mpf(c["end_factor"]), c["total_iters"]
        if t == 0:  # the closed form divides by 0; step() keeps the start
            return base * s
        return base * (s + (e - s) * min(t, k) / t)
    if name == "ExponentialLR":
        return base * mpf(c["gamma"]) ** k
    if name == "PolynomialLR":
        t = c["total_iters"]
        if t == 0:
            return base
        return base * (1 - mpf(min(t, k)) / t) ** mpf(c["power"])
    if name == "CosineAnnealingLR":
        eta = mpf(c["eta_min"])
        return eta + (base - eta) * cos_half(mpf(k) / c["T_max"])
    if name == "CosineAnnealingWarmRestarts":
        t_i, t_cur = c["T_0"], k
        while t_cur >= t_i:  # the restarts, in integers
            t_cur -= t_i
            t_i *= c["T_mult"]
        eta = mpf(c["eta_min"])
        return eta + (base - eta) * cos_half(mpf(t_cur) / t_i)
    if name == "CyclicLR":
        up, down = c["step_size_up"], c["step_size_down"]
        down = up if down is None else down
        total = up + down
        x, ratio = Fraction(k % total, total), Fraction(up, total)
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        low, high = mpf(c["base_lr"][g]), mpf(c["max_lr"][g])
        cycle = k // total + 1
        factor = {
            "triangular": mpf(1),
            "triangular2": 1 / mpf(2) ** (cycle - 1),
            "exp_range": mpf(c.get("gamma", 1.0)) ** k,
        }[c["mode"]]
        return low + (high - low) * mpf(scale) * factor
    if name == "OneCycleLR":
        top = c["max_lr"][g]
        initial = top / c["div_factor"]
        low = initial / c["final_div_factor"]
        total, pct = c["total_steps"], c["pct_start"]
        ends = [float(pct * total) - 1]
        levels = [initial, top]
        if c["three_phase"]:
            ends.append(float(2 * pct * total) - 2)
            levels.append(initial)
        ends.append(total - 1)
        levels.append(low)
        start = 0.0
        for i, end in enumerate(ends):
            if k <= end or i == len(ends) - 1:
                p = (mpf(k) - mpf(start)) / (mpf(end) - mpf(start))
                a, b = mpf(levels[i]), mpf(levels[i + 1])
                if c["anneal_strategy"] == "linear":
                    return (b - a) * p + a
                return b + (a - b) * cos_half(p)
            start = end
    if name == "SequentialLR":
        i = bisect.bisect_right(c["milestones"], k)
        shift = c["milestones"][i - 1] if i else 0
        return _exact(c["children"][i], lrs, g, k - shift, base)
    if name == "ChainedScheduler":
        value = base
        for child in c["children"]:
            value *= _exact(child, lrs, g, k, base) / base if base else 0
        return value
    raise AssertionError(name)


# -- building and stepping torch's schedulers ------------------------------------------------------
def optimizer(lrs: list[float]) -> torch.optim.Optimizer:
    """SGD with one one-parameter group per lr (momentum in its defaults, for CyclicLR/OneCycleLR)."""
    groups = []
    for lr in lrs:
        p = torch.nn.Parameter(torch.zeros(1))
        p.grad = torch.zeros(1)
        groups.append({"params": [p], "lr": lr})
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def build(config: dict, opt: torch.optim.Optimizer) -> S.LRScheduler:
    c = dict(config)
    name = c.pop("cls")
    if name == "SequentialLR":
        children = [build(child, opt) for child in c["children"]]
        return S.SequentialLR(opt, children, c["milestones"])
    if name == "ChainedScheduler":
        return S.ChainedScheduler([build(child, opt) for child in c["children"]])
    return getattr(S, name)(opt, **c)


def step_side_by_side(config: dict, lrs: list[float], steps: int) -> tuple[list, list, S.LRScheduler]:
    """torch's scheduler and its twin, each stepped as a user steps it: ``[k][group]`` lrs."""
    native_opt, twin_opt = optimizer(lrs), optimizer(lrs)
    native = build(config, native_opt)
    spec, options = lrsched.from_torch_groups(native)  # the importer: torch_render_args
    assert spec == lrsched.from_torch(native)
    twin = lrsched.render(spec, "torch", optimizer=twin_opt, **options)
    assert isinstance(twin, ScheduleLR)
    native_lrs, twin_lrs = [], []
    for k in range(steps + 1):
        if k:
            native_opt.step()
            twin_opt.step()
            native.step()
            twin.step()
        native_lrs.append([group["lr"] for group in native_opt.param_groups])
        twin_lrs.append([group["lr"] for group in twin_opt.param_groups])
    return native_lrs, twin_lrs, native


def error(got: float, exact: mpmath.mpf, peak: float) -> float:
    """Relative error at the size ``max(|exact|, 1e-6 * peak)``."""
    size = max(abs(exact), mpmath.mpf(1e-6) * peak)
    return float(abs(mpf(got) - exact) / size) if size else float(got != 0)


def check_twin(config: dict, lrs: list[float], steps: int) -> dict[str, float]:
    """Every claim of the module docstring, for one config; returns the worst errors."""
    native_lrs, twin_lrs, native = step_side_by_side(config, lrs, steps)
    worst = {"torch": 0.0, "ours": 0.0}
    for g in range(len(lrs)):
        exact = [exact_lr(config, lrs, g, k) for k in range(steps + 1)]
        peak = float(max(abs(e) for e in exact))
        for k in range(steps + 1):
            theirs, ours = error(native_lrs[k][g], exact[k], peak), error(twin_lrs[k][g], exact[k], peak)
            assert ours <= OURS, (config, g, k, twin_lrs[k][g], float(exact[k]))
            assert theirs <= SAME, (config, g, k, native_lrs[k][g], float(exact[k]))
            worst["torch"], worst["ours"] = max(worst["torch"], theirs), max(worst["ours"], ours)
        spec = torch_spec(native, g)
        marks = {0, 1, steps}
        for b in spec.breakpoints():
            marks.update((b - 1, b, b + 1))
        for k in sorted(m for m in marks if 0 <= m <= steps):  # spec(k): the closed form, rounded
            assert spec(k) == float(exact[k]) or error(spec(k), exact[k], peak) <= 2.0**-52, (spec, k)
    assert worst["ours"] <= max(worst["torch"], OURS)
    return worst


# -- random configs --------------------------------------------------------------------------------
def group_lrs(low: float = 1e-3) -> st.SearchStrategy[list[float]]:
    """Two or three param groups, each with its own lr."""
    return st.lists(st.floats(low, 1.0), min_size=2, max_size=3, unique=True)


factors = st.one_of(st.sampled_from([0.1, 0.5, 1.0]), st.floats(0.01, 1.0))
gammas = st.one_of(st.sampled_from([0.1, 0.5, 0.0, 1.0, 2.0]), st.floats(0.01, 1.5))


@st.composite
def step_lr(draw):
    size = draw(st.integers(1, 300))
    return {"cls": "StepLR", "step_size": size, "gamma": draw(gammas)}, size * draw(st.integers(2, 6))


@st.composite
def multi_step_lr(draw):
    milestones = draw(st.lists(st.integers(0, 400), max_size=5))  # may repeat: gamma ** count
    return {"cls": "MultiStepLR", "milestones": milestones, "gamma": draw(gammas)}, max(
        milestones, default=0
    ) + 20


@st.composite
def constant_lr(draw):
    total = draw(st.integers(0, 300))  # 0: step()'s semantics (the closed form's differ)
    return {"cls": "ConstantLR", "factor": draw(factors), "total_iters": total}, total + 20


@st.composite
def linear_lr(draw):
    total = draw(st.integers(0, 500))
    start, end = draw(factors), draw(st.one_of(st.just(0.0), factors))
    return {"cls": "LinearLR", "start_factor": start, "end_factor": end, "total_iters": total}, total + 20


@st.composite
def exponential_lr(draw):
    gamma = draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0, 1.001]), st.floats(0.99, 1.0)))
    return {"cls": "ExponentialLR", "gamma": gamma}, 1000


@st.composite
def polynomial_lr(draw):
    total = draw(st.integers(0, 500))
    power = draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.7]), st.floats(0, 10)))
    return {"cls": "PolynomialLR", "total_iters": total, "power": power}, total + 20


@st.composite
def cosine_annealing_lr(draw, eta_min=None):
    t = draw(st.integers(1, 400))
    eta = (
        draw(st.one_of(st.sampled_from([0.0, 1e-3, 0.05]), st.floats(0, 0.2))) if eta_min is None else eta_min
    )
    return {"cls": "CosineAnnealingLR", "T_max": t, "eta_min": eta}, 3 * t + 5  # periodic past T_max


@st.composite
def cosine_annealing_warm_restarts(draw):
    t0, mult = draw(st.integers(1, 100)), draw(st.integers(1, 3))
    eta = draw(st.one_of(st.sampled_from([0.0, 1e-4]), st.floats(0, 1e-3)))  # below every group's lr
    return {"cls": "CosineAnnealingWarmRestarts", "T_0": t0, "T_mult": mult, "eta_min": eta}, t0 * (
        1 + mult + mult**2
    ) + 3


@st.composite
def cyclic_lr(draw, groups=3):
    up = draw(st.integers(1, 300))
    down = draw(st.one_of(st.none(), st.integers(0, 300)))
    mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
    config = {
        "cls": "CyclicLR",
        "base_lr": draw(st.lists(st.floats(0, 1e-2), min_size=groups, max_size=groups)),
        "max_lr": draw(st.lists(st.floats(1e-2, 1.0), min_size=groups, max_size=groups)),
        "step_size_up": up,
        "step_size_down": down,
        "mode": mode,
    }
    if mode == "exp_range":
        config["gamma"] = draw(st.floats(0.99, 1.0))
    return config, 3 * (up + (up if down is None else down))


@st.composite
def one_cycle_lr(draw, groups=3):
    total = draw(st.integers(2, 2000))
    three = draw(st.booleans())
    pct = draw(st.one_of(st.sampled_from([0.3, 0.25, 0.5, 0.0]), st.floats(0, 0.5 if three else 1.0)))
    config = {
        "cls": "OneCycleLR",
        "max_lr": draw(st.lists(st.floats(1e-3, 1.0), min_size=groups, max_size=groups)),
        "total_steps": total,
        "pct_start": float(pct),
        "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
        "div_factor": draw(st.one_of(st.just(25.0), st.floats(1.0, 100.0))),
        "final_div_factor": draw(st.one_of(st.just(1e4), st.floats(1.0, 1e5))),
        "three_phase": three,
    }
    return config, total - 1  # torch raises past total_steps and extrapolates at it


CLASSES = {
    "StepLR": step_lr(),
    "MultiStepLR": multi_step_lr(),
    "ConstantLR": constant_lr(),
    "LinearLR": linear_lr(),
    "ExponentialLR": exponential_lr(),
    "PolynomialLR": polynomial_lr(),
    "CosineAnnealingLR": cosine_annealing_lr(),
    "CosineAnnealingWarmRestarts": cosine_annealing_warm_restarts(),
}


@pytest.mark.parametrize("name", sorted(CLASSES))
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_twin_of_each_scheduler(name, data):
    config, steps = data.draw(CLASSES[name])
    check_twin(config, data.draw(group_lrs(1e-2)), steps)


@settings(max_examples=8, deadline=None)
@given(config=cyclic_lr(), lrs=group_lrs())
def test_twin_of_cyclic_lr(config, lrs):
    """CyclicLR's base_lr and max_lr per group: one spec per group (option ``groups``)."""
    config, steps = config
    config = {**config, "base_lr": config["base_lr"][: len(lrs)], "max_lr": config["max_lr"][: len(lrs)]}
    check_twin(config, lrs, steps)


@settings(max_examples=10, deadline=None)
@given(config=one_cycle_lr(), lrs=group_lrs())
def test_twin_of_one_cycle_lr(config, lrs):
    config, steps = config
    config = {**config, "max_lr": config["max_lr"][: len(lrs)]}
    try:
        build(config, optimizer(lrs))
    except ZeroDivisionError:  # pct_start * total_steps == 1: torch's first phase has length 0
        assume(False)
    check_twin(config, lrs, steps)


SIMPLE = [step_lr(), constant_lr(), linear_lr(), exponential_lr(), polynomial_lr(), multi_step_lr()]


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_twin_of_sequential_lr(data):
    """SequentialLR: each scheduler from its milestone on, counting its steps from there (Join)."""
    # a later scheduler starts from its closed form at 0 (_update_lr(0)), which for total_iters=0
    # is not what it does on its own (ConstantLR: the base lr; LinearLR, PolynomialLR: 1 / 0)
    child = st.one_of(*SIMPLE, cosine_annealing_lr(), cosine_annealing_warm_restarts())
    children = data.draw(
        st.lists(child.filter(lambda c: c[0].get("total_iters") != 0), min_size=1, max_size=3)
    )
    milestones = sorted(
        data.draw(st.sets(st.integers(0, 300), min_size=len(children) - 1, max_size=len(children) - 1))
    )
    config = {"cls": "SequentialLR", "children": [c for c, _ in children], "milestones": milestones}
    steps = (milestones[-1] if milestones else 0) + children[-1][1]
    check_twin(config, data.draw(group_lrs(1e-2)), min(steps, 2000))


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_twin_of_chained_scheduler(data):
    """ChainedScheduler of multiplicative schedulers: the product of their factors (Product), up to
    the first T_max of a CosineAnnealingLR in it (see the next test)."""
    children = data.draw(
        st.lists(st.one_of(*SIMPLE, cosine_annealing_lr(eta_min=0.0)), min_size=1, max_size=3)
    )
    configs = [c for c, _ in children]
    steps = max(s for _, s in children)
    steps = min([steps, *(c["T_max"] for c in configs if c["cls"] == "CosineAnnealingLR")])
    check_twin({"cls": "ChainedScheduler", "children": configs}, data.draw(group_lrs(1e-2)), steps)


def test_chained_cosine_past_t_max_is_no_longer_a_product():
    """torch's CosineAnnealingLR adds (not multiplies) on the step after T_max, so in a chain the
    other factors' values there are lost: the product (lrsched's reading) and torch part ways."""
    config = {
        "cls": "ChainedScheduler",
        "children": [
            {"cls": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.0},
            {"cls": "ExponentialLR", "gamma": 0.5},
        ],
    }
    native_lrs, twin_lrs, _ = step_side_by_side(config, [1.0, 0.5], 12)
    for k in range(11):
        assert native_lrs[k][0] == pytest.approx(float(exact_lr(config, [1.0, 0.5], 0, k)), rel=1e-12)
    assert twin_lrs[11][0] == pytest.approx(float(exact_lr(config, [1.0, 0.5], 0, 11)), rel=1e-12)
    assert native_lrs[11][0] == pytest.approx(twin_lrs[11][0] / 0.5**10, rel=1e-9)  # gamma ** 10 lost


# -- what lrsched does where torch does not ---------------------------------------------------------
def test_cosine_annealing_is_periodic_where_keras_cosine_decay_is_clamped():
    spec = torch_spec(S.CosineAnnealingLR(optimizer([0.1]), T_max=100, eta_min=0.01))
    keras = lrsched.CosineDecay(0.1, 100, alpha=0.1)
    assert spec(100) == 0.01 and keras(100) == pytest.approx(0.01, rel=1e-15)
    assert spec(150) == pytest.approx(0.055, rel=1e-15) and keras(150) == keras(100)
    assert spec(200) == 0.1 and spec(10**30) == spec(0)  # the period reduced in integers


def test_one_cycle_lr_at_and_past_total_steps():
    """torch extrapolates the last phase at step total_steps (below zero, linearly) and raises past
    it; lrsched holds min_lr from total_steps - 1 on."""
    opt = optimizer([0.1])
    native = S.OneCycleLR(opt, 1.0, total_steps=10, anneal_strategy="linear")
    spec = torch_spec(native)
    for _ in range(10):
        opt.step()
        native.step()
    assert opt.param_groups[0]["lr"] < 0 < spec(10) == spec(9) == spec(10**12) == 1.0 / 25 / 1e4
    opt.step()
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        native.step()


def test_one_cycle_lr_first_phase_of_length_zero():
    """pct_start * total_steps == 1: torch divides by zero at step 0; lrsched starts at max_lr."""
    with pytest.raises(ZeroDivisionError):
        S.OneCycleLR(optimizer([0.1]), 1.0, total_steps=10, pct_start=0.1)
    assert lrsched.OneCycle(1.0, 10, pct_start=0.1)(0) == 1.0


def test_one_cycle_lr_phase_ends_are_real_steps():
    """pct_start=0.3, total_steps=1000: the first phase ends at step 299.0 - a float; with
    total_steps=999 at 298.7, so step 299 is already in the second phase, 0.3 steps into it."""
    for total in (1000, 999):
        spec = torch_spec(S.OneCycleLR(optimizer([0.1]), 1.0, total_steps=total))
        end = float(0.3 * total) - 1
        assert spec._phases[0][1] == end
        assert spec(299) == pytest.approx(
            float(
                exact_lr(
                    {
                        "cls": "OneCycleLR",
                        "max_lr": [1.0],
                        "total_steps": total,
                        "pct_start": 0.3,
                        "anneal_strategy": "cos",
                        "div_factor": 25.0,
                        "final_div_factor": 1e4,
                        "three_phase": False,
                    },
                    [0.1],
                    0,
                    299,
                )
            ),
            rel=1e-15,
        )
    assert torch_spec(S.OneCycleLR(optimizer([0.1]), 1.0, total_steps=999))(299) < 1.0


def test_relative_scale_reproduces_proportional_schedulers():
    """Where torch's lr is each group's base lr times one factor, the spec of group 0 with
    ``scale="relative"`` (groups keep their ratio to the optimizer's lr) gives every group's lr."""
    lrs = [0.1, 0.03, 0.7]
    for make in (
        lambda o: S.StepLR(o, 7, 0.5),
        lambda o: S.CosineAnnealingLR(o, 50),
        lambda o: S.ChainedScheduler([S.LinearLR(o, 0.1, total_iters=5), S.ExponentialLR(o, 0.97)]),
    ):
        native_opt, twin_opt = optimizer(lrs), optimizer(lrs)
        native = make(native_opt)
        assert torch_render_args(native) == (torch_spec(native), {"scale": [lr / lrs[0] for lr in lrs]})
        twin = lrsched.render(torch_spec(native), "torch", optimizer=twin_opt, scale="relative")
        for _ in range(120):
            native_opt.step()
            twin_opt.step()
            native.step()
            twin.step()
            for a, b in zip(native.get_last_lr(), twin.get_last_lr(), strict=True):
                assert b == pytest.approx(a, rel=1e-12)


def test_per_group_specs_follow_each_group():
    """A CosineAnnealingLR with eta_min is not proportional to the groups' lrs: one spec per group."""
    lrs = [0.1, 0.02]
    native = S.CosineAnnealingLR(optimizer(lrs), T_max=10, eta_min=0.05)
    specs = torch_specs(native)
    assert [s.initial_learning_rate for s in specs] == lrs and specs[1](10) == specs[0](10) == 0.05
    spec, options = torch_render_args(native)
    assert spec == specs[0] and options == {"groups": {1: specs[1]}}
    twin = lrsched.render(spec, "torch", optimizer=optimizer(lrs), **options)
    assert twin.lr_at(5) == pytest.approx([specs[0](5), specs[1](5)], rel=1e-15)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda o: S.LambdaLR(o, lambda k: 0.9**k), "LambdaLR is not a closed form of the step"),
        (lambda o: S.MultiplicativeLR(o, lambda k: 0.9), "MultiplicativeLR is not a closed form of the step"),
        (lambda o: S.ReduceLROnPlateau(o), "it follows a metric"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, scale_fn=lambda x: 1.0), "custom scale_fn"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=2.5), "whole numbers of steps"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, 10, eta_min=0.5), "eta_min must be <="),
        (
            lambda o: S.ChainedScheduler([S.ExponentialLR(o, 0.9), S.CosineAnnealingLR(o, 10, eta_min=0.01)]),
            "only with eta_min=0",
        ),
        (lambda o: S.ChainedScheduler([S.ExponentialLR(o, 0.9), S.OneCycleLR(o, 1.0, 100)]), "product"),
        (lambda o: S.PolynomialLR(o, 10, power=200.0), "power"),
    ],
)
def test_what_lrsched_cannot_read_is_a_config_error(make, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CyclicLR's float step size
        scheduler = make(optimizer([0.1]))
    with pytest.raises(lrsched.ConfigError, match=message) as error:
        torch_spec(scheduler)
    closed = "scale_fn" not in message and "LambdaLR" not in message and "metric" not in message
    closed = closed and "MultiplicativeLR" not in message
    assert isinstance(error.value, lrsched.NotClosedFormError) is not closed


# -- chained drift -----------------------------------------------------------------------------------
DRIFT = {
    "ExponentialLR": ({"cls": "ExponentialLR", "gamma": 0.99995}, None),
    "CosineAnnealingLR": ({"cls": "CosineAnnealingLR", "T_max": None, "eta_min": 0.0}, "T_max"),
    "LinearLR": (
        {"cls": "LinearLR", "start_factor": 1.0, "end_factor": 0.001, "total_iters": None},
        "total_iters",
    ),
    "PolynomialLR": ({"cls": "PolynomialLR", "total_iters": None, "power": 2.0}, "total_iters"),
}


def drift(name: str, steps: int) -> tuple[float, float, float, float]:
    """torch's and the twin's errors after ``steps`` steps of a schedule that long: the kit's
    measure over the whole run, then the relative error of each at the last step before the end."""
    config, length = DRIFT[name]
    config = {**config, length: steps} if length else {**config, "gamma": 0.5 ** (20 / steps)}
    lrs = [0.1]
    native_opt, twin_opt = optimizer(lrs), optimizer(lrs)
    native = build(config, native_opt)
    twin = ScheduleLR(twin_opt, torch_spec(native))
    native_opt.step()
    twin_opt.step()
    checkpoints = {steps // 10, steps // 2, steps - 100, steps - 1}
    worst_native = worst_twin = 0.0
    for k in range(1, steps):
        native.step()
        twin.step()
        if k in checkpoints:
            exact = exact_lr(config, lrs, 0, k)
            worst_native = max(worst_native, error(native_opt.param_groups[0]["lr"], exact, 0.1))
            worst_twin = max(worst_twin, error(twin_opt.param_groups[0]["lr"], exact, 0.1))
    exact = exact_lr(config, lrs, 0, steps - 1)
    last_native = float(abs(mpf(native_opt.param_groups[0]["lr"]) - exact) / exact)
    last_twin = float(abs(mpf(twin_opt.param_groups[0]["lr"]) - exact) / exact)
    return worst_native, worst_twin, last_native, last_twin


@pytest.mark.parametrize("name", sorted(DRIFT))
def test_torch_drifts_where_it_chains_and_the_twin_does_not(name):
    """10**5 steps: torch multiplies the previous lr by a rounded ratio at every step; the twin
    computes each step's value from the step."""
    worst_native, worst_twin, last_native, last_twin = drift(name, 10**5)
    assert worst_twin <= OURS and last_twin <= 1e-14
    assert last_native > last_twin and worst_native > worst_twin  # torch drifts; the twin does not


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DRIFT))
def test_torch_drift_over_a_million_steps(name):
    """The figures of docs/catalogue.md's PyTorch section."""
    _, worst_twin, last_native, last_twin = drift(name, 10**6)
    assert worst_twin <= OURS and last_twin <= 1e-14
    assert last_native > 100 * max(last_twin, 2.0**-53)


def test_cyclic_lr_position_drifts_with_the_step():
    """torch's CyclicLR is closed form, but finds the position in the cycle as ``1 + k / cycle -
    floor(1 + k / cycle)`` in float64: near the bottom of a cycle it is 1e-12 off after 10**6
    steps, 2e-9 after 10**9, 2e-6 after 10**12. The twin takes ``k % cycle`` in integers."""
    config = {
        "cls": "CyclicLR",
        "base_lr": [0.001],
        "max_lr": [0.1],
        "step_size_up": 2000,
        "mode": "triangular",
        "step_size_down": None,
    }
    opt = optimizer([0.1])
    native = build(config, opt)
    twin = ScheduleLR(optimizer([0.1]), torch_spec(native))
    opt.step()
    native.step()
    errors = []
    for k in (10**6 + 1, 10**9 + 1, 10**12 + 1):
        native.last_epoch = k - 1  # its get_lr is closed form in last_epoch: jump there
        native.step()
        exact = exact_lr(config, [0.1], 0, k)
        errors.append(error(opt.param_groups[0]["lr"], exact, 0.1))
        assert error(twin.lr_at(k)[0], exact, 0.1) <= 1e-15
    assert 1e-13 < errors[0] < errors[1] < errors[2] and errors[2] > 1e-7
