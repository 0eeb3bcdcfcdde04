"""Every closed-form ``transformers.get_scheduler`` name against lrsched's spec for it (``hf_spec``).

Three sources, compared over random configs (hypothesis) at step 0, the warm-up's end and its
neighbours, every restart and phase boundary, the end, and past it:

* ``truth``: HF's ``lr_lambda`` transcribed here and evaluated in exact arithmetic (Fractions and
  mpmath at 200 bits), times the optimizer's lr, on the float arguments HF computes (its
  ``min_lr / lr``), with ``num_cycles`` the decimal it is written as (1.2 is 6/5: the restarts
  fall where the number as written puts them): independent of lrsched's numerics;
* HF itself: ``get_scheduler`` on a torch optimizer, stepped as a user steps it (or its
  ``LambdaLR``'s own lambda at steps too far to step to), which computes in float64;
* lrsched: ``render(spec, "torch", optimizer=...)`` stepped alongside, its ``lr_at`` far out, and
  the exact ``spec(k)``.

lrsched must match the truth within 1e-12 relative at the size ``max(|exact|, 1e-6 * peak)``
everywhere. HF must match it too, except where float64 cancels (``0.5 * (1 + cos)`` near a
trough, ``1 - progress`` near the end of a decay, a restart found by a float ``%``): there the
test shows HF's error and asserts lrsched is at least as close.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import mpmath
import pytest

pytest.importorskip("transformers")

import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from transformers import get_scheduler

import lrsched
from lrsched._hf_names import HF_NAMES, hf_spec
from lrsched.testing import ConformanceError, assert_close

MP = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
MP.prec = 200
RTOL = 1e-12


# -- the truth: HF's lambdas in exact arithmetic -------------------------------------------------
def _cos_half(x: Fraction) -> mpmath.mpf:
    """``0.5 * (1 + cos(pi * x))`` exactly, for a rational ``x`` reduced modulo 2 first."""
    x = x % 2
    return (1 + MP.cospi(MP.mpf(x.numerator) / x.denominator)) / 2


def _mp(x: Fraction | float | int) -> mpmath.mpf:
    x = Fraction(x)
    return MP.mpf(x.numerator) / x.denominator


def truth_lambda(name: str, lr: float, w: int, t: int | None, kw: dict, k: int) -> mpmath.mpf:
    """HF's ``lr_lambda(k)`` (transformers/optimization.py), exactly."""
    cycles = Fraction(repr(kw.get("num_cycles", 1 if name == "cosine_with_restarts" else 0.5)))
    ramp = Fraction(k, max(1, w))
    if name == "constant":
        return MP.mpf(1)
    if name == "cosine_warmup_with_min_lr":
        rate = Fraction(kw["min_lr"] / lr) if kw.get("min_lr") is not None else Fraction(kw["min_lr_rate"])
        if k < w:
            r = kw.get("warmup_lr_rate")
            if r is None:
                return _mp(Fraction(k + 1, max(1, w)))
            return _mp(Fraction(r) + (1 - Fraction(r)) * Fraction(k, max(1, w - 1)))
        progress = Fraction(k - w + 1, max(1, t - w))
        return _mp(rate) + _mp(1 - rate) * _cos_half(2 * cycles * progress)
    if name == "warmup_stable_decay":
        return _wsd_truth(w, t, kw, k)
    if k < w:
        return _mp(ramp)
    if name == "constant_with_warmup":
        return MP.mpf(1)
    if name == "inverse_sqrt":
        timescale = kw.get("timescale") or w or 10_000
        return 1 / MP.sqrt(_mp(Fraction(k - w + timescale, timescale)))
    progress = Fraction(k - w, max(1, t - w))
    if name == "linear":
        return _mp(max(Fraction(0), Fraction(t - k, max(1, t - w))))
    if name == "cosine":
        return _cos_half(2 * cycles * progress)
    if name == "cosine_with_restarts":
        return MP.mpf(0) if progress >= 1 else _cos_half(cycles * progress % 1)
    if name == "cosine_with_min_lr":
        rate = Fraction(kw["min_lr"] / lr) if kw.get("min_lr") is not None else Fraction(kw["min_lr_rate"])
        return _mp(rate) + _mp(1 - rate) * _cos_half(2 * cycles * progress)
    if name == "polynomial":  # lr_end / lr_init and decay / lr_init: LambdaLR multiplies lr_init back
        lr_end, power = Fraction(kw.get("lr_end", 1e-7)), kw.get("power", 1.0)
        if k > t:
            return _mp(lr_end) / _mp(lr)
        remaining = 1 - Fraction(k - w, t - w)
        return (_mp(Fraction(lr) - lr_end) * MP.power(_mp(remaining), _mp(power)) + _mp(lr_end)) / _mp(lr)
    raise ValueError(name)


def _wsd_truth(w: int, t: int | None, kw: dict, k: int) -> mpmath.mpf:
    stable = kw.get("num_stable_steps")
    decay = kw["num_decay_steps"]
    stable = t - w - decay if stable is None else stable
    m = Fraction(kw.get("min_lr_ratio", 0))
    if k < w:
        p = Fraction(k, max(1, w))
        shape = {
            "linear": lambda: _mp(p),
            "cosine": lambda: 1 - _cos_half(p),
            "1-sqrt": lambda: 1 - MP.sqrt(_mp(1 - p)),
        }[kw.get("warmup_type", "linear")]()
        return shape * _mp(1 - m) + _mp(m)
    if k < w + stable:
        return MP.mpf(1)
    if k < w + stable + decay:
        p = Fraction(k - w - stable, max(1, decay))
        cycles = Fraction(repr(kw.get("num_cycles", 0.5)))
        shape = {
            "linear": lambda: _mp(1 - p),
            "cosine": lambda: _cos_half(2 * cycles * p),
            "1-sqrt": lambda: 1 - MP.sqrt(_mp(p)),
        }[kw.get("decay_type", "cosine")]()
        return shape * _mp(1 - m) + _mp(m)
    return _mp(m)


# -- configs ---------------------------------------------------------------------------------------
CYCLES = st.one_of(st.sampled_from([0.5, 1.0, 1.2, 1.3, 1.5, 2.0, 2.4, 2.7, 3.0, 3.3]), st.floats(0.05, 4.0))
RATES = st.one_of(st.sampled_from([0.0, 0.1, 1.0]), st.floats(0.0, 1.0))


@st.composite
def configs(draw, name: str, steps: st.SearchStrategy[int]) -> tuple[float, int, int | None, dict]:
    """``(lr, num_warmup_steps, num_training_steps, scheduler_specific_kwargs)`` HF and lrsched both take."""
    lr = draw(st.one_of(st.sampled_from([5e-5, 1e-3, 0.1, 1.0]), st.floats(1e-6, 10.0)))
    w, t = draw(steps), draw(steps)
    kw: dict = {}
    cosines = ("cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "cosine_with_restarts")
    if name in cosines and draw(st.booleans()):
        kw["num_cycles"] = draw(CYCLES)
    if name == "cosine_with_restarts" and draw(st.booleans()):
        kw["num_cycles"] = draw(st.integers(1, 5))  # HF's type: int
    if name == "polynomial":
        assume(t != w)  # HF divides by num_training_steps - num_warmup_steps = 0 at step t
        kw["lr_end"] = draw(st.one_of(st.just(1e-7), st.floats(0.0, 0.9))) * (
            lr if draw(st.booleans()) else 1
        )
        assume(kw["lr_end"] < lr)
        kw["power"] = draw(st.one_of(st.sampled_from([1.0, 2.0, 0.5]), st.floats(0.1, 5.0)))
    if name == "inverse_sqrt" and draw(st.booleans()):
        kw["timescale"] = draw(st.integers(1, 500))
    if name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        if draw(st.booleans()):
            kw["min_lr"] = draw(RATES) * lr
        else:
            kw["min_lr_rate"] = draw(RATES)
    if name == "cosine_warmup_with_min_lr" and draw(st.booleans()):
        kw["warmup_lr_rate"] = draw(st.floats(0.0, 1.5))
    if name == "warmup_stable_decay":
        kw["num_decay_steps"] = draw(steps)
        if draw(st.booleans()):
            kw["num_stable_steps"] = draw(steps)
            t = None
        else:
            assume(t >= w + kw["num_decay_steps"])  # lrsched refuses a negative stable phase
        kw["warmup_type"] = draw(st.sampled_from(["linear", "cosine", "1-sqrt"]))
        kw["decay_type"] = draw(st.sampled_from(["linear", "cosine", "1-sqrt"]))
        kw["min_lr_ratio"] = draw(RATES)
        if draw(st.booleans()):
            kw["num_cycles"] = draw(CYCLES)
    return lr, w, t, kw


def hf_scheduler(name: str, lr: float, w: int, t: int | None, kw: dict):
    p = torch.nn.Parameter(torch.zeros(1))
    p.grad = torch.zeros(1)
    optimizer = torch.optim.SGD([p], lr=lr)
    return optimizer, get_scheduler(
        name, optimizer, num_warmup_steps=w, num_training_steps=t, scheduler_specific_kwargs=dict(kw)
    )


def lrsched_scheduler(spec: lrsched.Schedule, lr: float):
    p = torch.nn.Parameter(torch.zeros(1))
    p.grad = torch.zeros(1)
    optimizer = torch.optim.SGD([p], lr=lr)
    return optimizer, lrsched.render(spec, "torch", optimizer=optimizer)


def marks(spec: lrsched.Schedule, w: int, t: int | None, last: int) -> list[int]:
    """Step 0, the warm-up's end, the end, every breakpoint of the spec (restarts, phases), each
    with its neighbours, and the last step."""
    points = {0, w, last, *spec.breakpoints()}
    if t is not None:
        points.add(t)
    return sorted({p + d for p in points for d in (-1, 0, 1) if 0 <= p + d <= last})


def _size(exact: float, peak: float) -> float:
    return max(abs(exact), 1e-6 * peak)


def compare(where: str, ours: float, hf: float, exact: mpmath.mpf, peak: float) -> float | None:
    """lrsched within RTOL of the truth; HF too, or else no closer than lrsched. Returns HF's
    error (relative to the size) where HF is off, else None."""
    exact_float = float(exact)
    assert_close(ours, exact_float, dtype="float64", peak=peak, rtol=RTOL, where=f"lrsched {where}")
    try:
        assert_close(hf, exact_float, dtype="float64", peak=peak, rtol=RTOL, where=f"HF {where}")
    except ConformanceError:
        size = _size(exact_float, peak)
        hf_error = float(abs(MP.mpf(hf) - exact)) / size
        our_error = float(abs(MP.mpf(ours) - exact)) / size
        assert our_error <= hf_error, f"{where}: lrsched {our_error:.3g} off, HF {hf_error:.3g}"
        return hf_error
    return None


def _peak(lr: float, kw: dict) -> float:
    return lr * max(1.0, kw.get("warmup_lr_rate") or 0.0)


NAMES = sorted(HF_NAMES)
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


# -- the tests -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_stepped_like_a_user(name, data):
    """Both schedulers stepped side by side past the end: equal within 1e-12 at every step (or,
    where HF cancels, lrsched no farther from the truth); at the marks, both against the truth
    and lrsched's rendered value against its exact spec(k)."""
    lr, w, t, kw = data.draw(configs(name, st.integers(0, 120)))
    spec = hf_spec(name, lr, w, t, **kw)
    hf_opt, hf = hf_scheduler(name, lr, w, t, kw)
    our_opt, ours = lrsched_scheduler(spec, lr)
    last = (t or 0) + w + kw.get("num_decay_steps", 0) + kw.get("num_stable_steps", 0) + 60
    checked = set(marks(spec, w, t, last))
    peak = _peak(lr, kw)
    for k in range(last + 1):
        got, theirs = our_opt.param_groups[0]["lr"], hf_opt.param_groups[0]["lr"]
        close = abs(got - theirs) <= RTOL * _size(theirs, peak)
        if k in checked or not close:
            exact = truth_lambda(name, lr, w, t, kw, k) * _mp(lr)
            compare(f"{name} step {k}", got, theirs, exact, peak)
            assert_close(got, spec(k), dtype="float64", peak=peak, rtol=RTOL, where=f"render vs spec({k})")
        for opt, scheduler in ((hf_opt, hf), (our_opt, ours)):
            opt.step()
            scheduler.step()


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_far_steps(name, data):
    """Long runs (up to 10**12 steps) at their marks and far past them (up to 2**62): HF's
    ``LambdaLR`` value ``lr * lr_lambda(k)``, lrsched's rendered scheduler's ``lr_at(k)``, exact
    ``spec(k)``, and the truth."""
    steps = st.one_of(st.integers(0, 10**6), st.integers(0, 10**12), st.sampled_from([0, 1, 2**24 + 1]))
    lr, w, t, kw = data.draw(configs(name, steps))
    spec = hf_spec(name, lr, w, t, **kw)
    _, hf = hf_scheduler(name, lr, w, t, kw)
    _, ours = lrsched_scheduler(spec, lr)
    far = data.draw(st.lists(st.integers(0, 2**62), max_size=3))
    peak = _peak(lr, kw)
    for k in sorted({*marks(spec, w, t, 2**62), *far}):
        exact = truth_lambda(name, lr, w, t, kw, k) * _mp(lr)
        theirs = hf.base_lrs[0] * hf.lr_lambdas[0](k)  # what LambdaLR sets at step k
        compare(f"{name} step {k}", ours.lr_at(k)[0], theirs, exact, peak)
        assert_close(float(spec(k)), float(exact), dtype="float64", peak=peak, rtol=RTOL, where=f"spec({k})")


def test_hf_is_off_where_lrsched_is_not(record_property):
    """Where HF's float64 cancels, side by side with exact math (the numbers in docs/catalogue.md):
    its cosine one step before the end of 10**6 steps (0.5 * (1 + cos) near -1), its polynomial
    decay's ``1 - progress`` there, and a restart that a float ``%`` puts a step late (3.3 cycles
    over 11 steps: ``3.3 * (10 / 11) % 1.0`` is 0.9999999999999996, not 0)."""
    cases = [
        ("cosine", 0.1, 0, 10**6, {}, 10**6 - 1),
        ("polynomial", 0.1, 0, 10**6, {"lr_end": 0.0}, 10**6 - 1),
        ("warmup_stable_decay", 0.1, 0, None, {"num_decay_steps": 10**6, "num_stable_steps": 0}, 10**6 - 1),
        ("cosine_with_restarts", 0.1, 0, 11, {"num_cycles": 3.3}, 10),  # 11 / 3.3 = 3.33: a restart on 10
    ]
    for name, lr, w, t, kw, k in cases:
        spec = hf_spec(name, lr, w, t, **kw)
        _, hf = hf_scheduler(name, lr, w, t, kw)
        exact = truth_lambda(name, lr, w, t, kw, k) * _mp(lr)
        theirs = hf.base_lrs[0] * hf.lr_lambdas[0](k)
        _, ours = lrsched_scheduler(spec, lr)
        hf_error = compare(f"{name} step {k}", ours.lr_at(k)[0], theirs, exact, lr)
        assert hf_error is not None and hf_error > RTOL, (name, theirs, float(exact))
        ours_error = float(abs(MP.mpf(ours.lr_at(k)[0]) - exact)) / _size(float(exact), lr)
        record_property(name, f"HF {hf_error:.2g}, lrsched {ours_error:.2g} (relative at the size)")


def test_restart_steps_are_hf_s():
    """3 cycles over 1000 steps restart at 333.33 and 666.67: on steps 334 and 667, in both."""
    lr = 0.1
    spec = hf_spec("cosine_with_restarts", lr, 0, 1000, num_cycles=3)
    _, hf = hf_scheduler("cosine_with_restarts", lr, 0, 1000, {"num_cycles": 3})
    for k in (333, 334, 666, 667, 999, 1000):
        exact = truth_lambda("cosine_with_restarts", lr, 0, 1000, {"num_cycles": 3}, k) * _mp(lr)
        compare(f"step {k}", spec(k), lr * hf.lr_lambdas[0](k), exact, lr)
    assert spec(333) < 1e-5 * lr and spec(334) > 0.99 * lr  # the first restart falls on step 334
    assert spec(666) < 1e-5 * lr and spec(667) > 0.99 * lr
    assert spec(1000) == 0.0


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "words"),
    [
        ("polynomial", (0.1, 0, 100), {"lr_end": 0.1}, "Argument `lr_end` must be below"),
        ("cosine_with_min_lr", (0.1, 0, 100), {}, "One of `min_lr` and `min_lr_rate`"),
        ("cosine_with_min_lr", (0.1, 0, 100), {"min_lr": 1e-3, "min_lr_rate": 0.1}, "Only one of"),
        ("cosine_with_min_lr", (0.1, 0, 100), {"min_lr": 0.2}, "Argument `min_lr` must be in"),
        ("cosine", (0.1, None, 100), {}, "needs `num_warmup_steps`"),
        ("linear", (0.1, 10, None), {}, "needs `num_training_steps`"),
        ("linear", (0.1, -1, 10), {}, "Argument `num_warmup_steps` must be an integer >= 0"),
        ("cosine", (0.1, 0, 100), {"power": 2.0}, "takes no argument `power`"),
        ("warmup_stable_decay", (0.1, 10, 20), {"num_decay_steps": 20}, "would start mid-decay"),
        ("warmup_stable_decay", (0.1, 10, 100), {"num_decay_steps": 20, "decay_type": "exp"}, "`decay_type`"),
        ("cosine_with_restarts", (0.1, 0, 100), {"num_cycles": -1}, "num_cycles"),
        ("reduce_lr_on_plateau", (0.1,), {}, "follows a metric"),
    ],
)
def test_bad_arguments_are_config_errors_naming_the_argument(name, args, kwargs, words):
    with pytest.raises(lrsched.ConfigError, match=words.replace("(", r"\(").replace("`", "`")):
        hf_spec(name, *args, **kwargs)


def test_unknown_name_suggests_the_closest():
    with pytest.raises(lrsched.UnknownScheduleError, match="did you mean 'cosine_with_restarts'"):
        hf_spec("cosine_with_restart", 0.1, 0, 100)


def test_every_closed_form_name_of_the_installed_transformers():
    """The names HF_NAMES maps are transformers' SchedulerType values less the metric-driven ones."""
    from transformers import SchedulerType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = {member.value for member in SchedulerType}
    assert names - {"reduce_lr_on_plateau", "greedy"} == set(HF_NAMES)
    assert hf_spec(SchedulerType.COSINE, 0.1, 0, 10) == hf_spec("cosine", 0.1, 0, 10)  # the enum too


def test_a_composition_renders_as_one_scheduler():
    """cosine_warmup_with_min_lr is a Join of a warm-up and a cosine: one ScheduleLR, not a chain."""
    spec = hf_spec("cosine_warmup_with_min_lr", 0.1, 10, 110, min_lr_rate=0.1)
    _, scheduler = lrsched_scheduler(spec, 0.1)
    assert type(scheduler).__name__ == "ScheduleLR" and isinstance(spec, lrsched.Join)
    assert math.isclose(scheduler.lr_at(0)[0], 0.01) and math.isclose(scheduler.lr_at(9)[0], 0.1)


# -- lrsched convert of TrainingArguments, then load -----------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=st.data())
def test_convert_training_arguments_then_load(name, data, tmp_path):
    """``TrainingArguments(...).to_json_string()`` in a file, ``lrsched convert``, ``lrsched.load``:
    the lrs of the scheduler ``Trainer.create_scheduler`` builds from those arguments (its
    ``get_scheduler`` call: ``args.get_warmup_steps(max_steps)``, ``args.lr_scheduler_kwargs``),
    stepped past the end. The warm-up as steps or as a fraction of ``max_steps`` (transformers 5)."""
    from transformers import TrainingArguments

    from lrsched.cli import main

    lr, w, t, kw = data.draw(configs(name, st.integers(1, 120)))
    assume(t is not None)  # max_steps: the Trainer's step count
    warmup = data.draw(st.one_of(st.just(w), st.sampled_from([0.05, 0.1, 0.5])))
    args = TrainingArguments(
        output_dir=str(tmp_path / "out"),
        lr_scheduler_type=name,
        learning_rate=lr,
        max_steps=t,
        warmup_steps=warmup,
        lr_scheduler_kwargs=kw,
        report_to="none",
    )
    source, target = tmp_path / "args.json", tmp_path / "schedule.toml"
    source.write_text(args.to_json_string())
    assert main(["convert", str(source), "-o", str(target)]) == 0
    spec = lrsched.load(target)
    w = args.get_warmup_steps(t)
    hf_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=args.learning_rate)
    hf = get_scheduler(
        args.lr_scheduler_type,
        optimizer=hf_opt,
        num_warmup_steps=w,
        num_training_steps=t,
        scheduler_specific_kwargs=args.lr_scheduler_kwargs,
    )
    peak = _peak(lr, kw)
    for k in range(t + 30):
        theirs = hf_opt.param_groups[0]["lr"]
        if abs(spec(k) - theirs) > RTOL * _size(theirs, peak):  # where HF cancels: both vs the truth
            compare(f"{name} step {k}", spec(k), theirs, truth_lambda(name, lr, w, t, kw, k) * _mp(lr), peak)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Detected call of `lr_scheduler.step", UserWarning)
            hf.step()
