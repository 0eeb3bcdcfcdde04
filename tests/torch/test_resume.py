"""Resume: plain-data state, torch.save/load(weights_only=True), pickling, any load order, last_epoch=."""

from __future__ import annotations

import copy
import io
import pickle

import pytest
import torch
from lrsched_torch import ScheduleLR

import lrsched

SPEC = lrsched.ExponentialDecay(0.05, decay_steps=7, decay_rate=0.6)
TOTAL, SPLIT = 40, 17


def build(seed: int = 0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    backbone, head = list(model[0].parameters()), list(model[2].parameters())
    opt = torch.optim.SGD(
        [{"params": backbone, "lr": 0.01}, {"params": head}], lr=0.1, momentum=0.9, weight_decay=1e-4
    )
    return model, opt


def train(model, opt, scheduler, steps, start):
    lrs = []
    for k in range(start, start + steps):
        g = torch.Generator().manual_seed(k)
        x, y = torch.randn(16, 4, generator=g), torch.randn(16, 1, generator=g)
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        lrs.append([group["lr"] for group in opt.param_groups])
        opt.step()
        scheduler.step()
    return lrs


def reference():
    model, opt = build()
    scheduler = ScheduleLR(opt, SPEC, scale="relative")
    lrs = train(model, opt, scheduler, TOTAL, 0)
    return lrs, [p.detach().clone() for p in model.parameters()]


def roundtrip(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_state_dict_is_plain_data(optimizer_factory):
    scheduler = ScheduleLR(optimizer_factory(0.1, 0.2), SPEC, scale=[1.0, 2.0])
    state = scheduler.state_dict()

    def plain(value):
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        return value is None or type(value) in (int, float, str, bool)

    assert plain(state), state
    assert roundtrip(state) == state


@pytest.mark.parametrize("order", ["scheduler_then_optimizer", "optimizer_then_scheduler", "optimizer_first"])
def test_resume_continues_exactly_in_any_load_order(order):
    want_lrs, want_params = reference()

    model, opt = build()
    scheduler = ScheduleLR(opt, SPEC, scale="relative")
    first = train(model, opt, scheduler, SPLIT, 0)
    checkpoint = roundtrip(
        {"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}
    )

    model, opt = build(seed=1)  # different initial weights: everything must come from the checkpoint
    model.load_state_dict(checkpoint["model"])
    if order == "optimizer_first":  # torch's docs warn against this order for its own schedulers
        opt.load_state_dict(checkpoint["optimizer"])
        scheduler = ScheduleLR(opt, SPEC, scale="relative")
        scheduler.load_state_dict(checkpoint["scheduler"])
    elif order == "scheduler_then_optimizer":
        scheduler = ScheduleLR(opt, SPEC, scale="relative")
        scheduler.load_state_dict(checkpoint["scheduler"])
        opt.load_state_dict(checkpoint["optimizer"])
    else:
        scheduler = ScheduleLR(opt, SPEC, scale="relative")
        opt.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
    second = train(model, opt, scheduler, TOTAL - SPLIT, SPLIT)

    assert first + second == want_lrs  # bit for bit
    for got, want in zip(model.parameters(), want_params, strict=True):
        assert torch.equal(got, want)


def test_loading_only_the_scheduler_state_sets_the_lr(optimizer_factory):
    scheduler = ScheduleLR(optimizer_factory(0.1), SPEC)
    state = {**scheduler.state_dict(), "last_epoch": 25, "_step_count": 26}
    fresh = optimizer_factory(0.1)
    resumed = ScheduleLR(fresh, SPEC)
    resumed.load_state_dict(state)
    assert fresh.param_groups[0]["lr"] == resumed.lr_at(25)[0] == resumed.get_last_lr()[0]


def test_last_epoch_works_as_in_torch(optimizer_factory):
    """``last_epoch=N`` sets the value of step N + 1, exactly as torch's LambdaLR does."""
    opt = optimizer_factory(0.1)
    ScheduleLR(opt, SPEC)  # sets initial_lr, as a run's optimizer state holds it
    native_opt = copy.deepcopy(opt)
    for group in native_opt.param_groups:
        group["initial_lr"] = 1.0
    ours = ScheduleLR(opt, SPEC, last_epoch=9)
    native = torch.optim.lr_scheduler.LambdaLR(native_opt, lambda k: SPEC(k), last_epoch=9)
    assert ours.last_epoch == native.last_epoch == 10
    assert ours.get_last_lr() == pytest.approx(native.get_last_lr(), rel=1e-12)
    for _ in range(5):
        opt.step()
        native_opt.step()
        ours.step()
        native.step()
        assert ours.get_last_lr() == pytest.approx(native.get_last_lr(), rel=1e-12)


def test_scheduler_pickles_and_deepcopies(optimizer_factory):
    opt = optimizer_factory(0.1, 0.2)
    scheduler = ScheduleLR(opt, SPEC, scale=[1.0, 0.5])
    opt.step()
    for _ in range(5):
        scheduler.step()
    for clone in (pickle.loads(pickle.dumps(scheduler)), copy.deepcopy(scheduler)):
        assert clone.state_dict() == scheduler.state_dict()
        clone.optimizer.step()
        clone.step()
        assert clone.get_last_lr() == scheduler.lr_at(6)
        assert [g["lr"] for g in clone.optimizer.param_groups] == scheduler.lr_at(6)


def test_bad_states_raise_lrsched_errors(optimizer_factory):
    scheduler = ScheduleLR(optimizer_factory(0.1), SPEC)
    with pytest.raises(
        lrsched.ConfigError, match=r"not a ScheduleLR state_dict: unexpected keys \['state'\]"
    ):
        scheduler.load_state_dict({"last_epoch": 3, "state": {}})
    with pytest.raises(lrsched.ConfigError, match="the state schedules param='momentum'"):
        scheduler.load_state_dict({**scheduler.state_dict(), "param": "momentum"})
    with pytest.raises(lrsched.ConfigError, match="the state has 2 scales; the optimizer has 1 param groups"):
        scheduler.load_state_dict({**scheduler.state_dict(), "scales": [1.0, 1.0]})
    with pytest.raises(
        lrsched.StepError, match=r"last_epoch must be a whole number; received last_epoch=2\.5"
    ):
        scheduler.load_state_dict({**scheduler.state_dict(), "last_epoch": 2.5})
    with pytest.raises(lrsched.StepError, match="last_epoch must be an int >= 0; received last_epoch=-1"):
        scheduler.load_state_dict({**scheduler.state_dict(), "last_epoch": -1})


WARMUP = lrsched.Warmup(
    lrsched.ExponentialDecay(0.05, decay_steps=7, decay_rate=0.6, staircase=True), 12, 0.001
)


@pytest.mark.parametrize("split", [11, 12, 13])
def test_resume_through_a_warmup_boundary(split):
    """A composition is one closed-form scheduler: a resume either side of the ramp's end continues exactly."""

    def run(split_at):
        model, opt = build()
        scheduler = ScheduleLR(opt, WARMUP)
        first = train(model, opt, scheduler, split_at, 0)
        if split_at == TOTAL:
            return first
        state = roundtrip({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()})
        model2, opt2 = build()
        model2.load_state_dict(model.state_dict())
        opt2.load_state_dict(state["optimizer"])
        scheduler2 = ScheduleLR(opt2, WARMUP)
        scheduler2.load_state_dict(state["scheduler"])
        return first + train(model2, opt2, scheduler2, TOTAL - split_at, split_at)

    whole = run(TOTAL)
    assert run(split) == whole
    assert [lrs[1] for lrs in whole[:14]] == pytest.approx(
        [WARMUP(k) for k in range(14)], rel=1e-13
    )  # spec(k) at update k
