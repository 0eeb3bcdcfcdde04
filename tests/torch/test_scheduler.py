"""render(spec, "torch", optimizer=...) is a native LRScheduler: step alignment, groups, params, errors."""

from __future__ import annotations

import copy
import math
import pickle
import warnings
from typing import Any

import pytest
import torch
from lrsched_torch import ScheduleLR
from lrsched_torch._blocks import BLOCK
from torch.optim.lr_scheduler import LRScheduler

import lrsched
from lrsched.numerics import xp_scaled_power
from lrsched.spec import NonNegativeFloat, PositiveInt


class LinearWarmup(lrsched.Schedule):
    """Starts at 0: ``peak * min(step, warmup) / warmup`` (a test-only schedule, never registered)."""

    peak: NonNegativeFloat
    warmup: PositiveInt

    def value(self, step: Any, xp: Any) -> Any:
        ramp = xp.astype(xp.minimum(step, self.warmup), xp.float64 if hasattr(xp, "float64") else float)
        return ramp * (self.peak / self.warmup)


class HalfLife(lrsched.Schedule):
    """Calls a function the scalar namespace lacks (``hypot``); with ``single``, a Python ``if`` on the
    step as well, so only single steps work (numpy 0-d arrays: the last fallback)."""

    lr: NonNegativeFloat
    single: bool = False

    def value(self, step: Any, xp: Any) -> Any:
        if self.single and step < 0:
            raise AssertionError("steps are >= 0")
        return xp_scaled_power(self.lr, 0.5, step, 1, xp=xp) * xp.hypot(1.0, 0.0)


class Halving(lrsched.Schedule):
    """A Python ``if`` on the step: works a step at a time (the scalar namespace), not on blocks."""

    lr: NonNegativeFloat

    def value(self, step: Any, xp: Any) -> Any:
        return self.lr if step == 0 else xp_scaled_power(self.lr, 0.5, step, 1, xp=xp)


def lrs_used_by_optimizer_steps(optimizer, scheduler, n):
    """The lr of every group at each of ``n`` optimizer.step() calls, stepping the scheduler after each."""
    seen = []
    handle = optimizer.register_step_pre_hook(
        lambda opt, args, kwargs: seen.append([g["lr"] for g in opt.param_groups])
    )
    try:
        for _ in range(n):
            optimizer.step()
            scheduler.step()
    finally:
        handle.remove()
    return seen


def test_render_returns_a_native_scheduler(spec, optimizer_factory):
    opt = optimizer_factory(0.5)
    scheduler = lrsched.render(spec, "torch", optimizer=opt)
    assert isinstance(scheduler, LRScheduler) and isinstance(scheduler, ScheduleLR)
    assert opt.param_groups[0]["lr"] == spec(0)  # the spec, not the optimizer's lr, is the lr
    assert opt.param_groups[0]["initial_lr"] == 0.5  # torch's convention, kept
    assert lrsched.render(spec, "pytorch", optimizer=optimizer_factory(0.5)).get_last_lr() == [spec(0)]


def test_kth_optimizer_step_uses_spec_k_with_no_warning(optimizer_factory):
    spec = lrsched.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5)
    opt = optimizer_factory(0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's "scheduler.step() before optimizer.step()" included
        scheduler = lrsched.render(spec, "torch", optimizer=opt)
        seen = lrs_used_by_optimizer_steps(opt, scheduler, 50)
    for k, (lr,) in enumerate(seen):
        assert lr == pytest.approx(spec(k), rel=1e-12), k
        assert lr != pytest.approx(spec(k + 1), rel=1e-6)  # the k-th, not the (k+1)-th, value
    assert scheduler.get_last_lr() == [opt.param_groups[0]["lr"]]
    assert scheduler.get_last_lr()[0] == pytest.approx(spec(50), rel=1e-12)


def test_the_sgd_update_uses_the_scheduled_lr(optimizer_factory):
    spec = lrsched.ExponentialDecay(0.5, decay_steps=1, decay_rate=0.5)
    p = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=1.0)
    scheduler = ScheduleLR(opt, spec)
    for _ in range(4):
        p.grad = torch.ones((), dtype=torch.float64)
        opt.step()
        scheduler.step()
    assert p.item() == -(0.5 + 0.25 + 0.125 + 0.0625)


def test_scheduler_stepped_before_the_optimizer_warns_as_torch_does(spec, optimizer_factory):
    scheduler = ScheduleLR(optimizer_factory(0.1), spec)
    with pytest.warns(UserWarning, match=r"lr_scheduler\.step\(\)` before `optimizer\.step\(\)"):
        scheduler.step()


def test_a_million_steps_do_not_drift(optimizer_factory):
    spec = lrsched.ExponentialDecay(1.0, decay_steps=1000, decay_rate=0.99)
    opt = optimizer_factory(1.0)
    scheduler = ScheduleLR(opt, spec)
    opt.step()
    for _ in range(10**6):
        scheduler.step()
    assert scheduler.last_epoch == 10**6
    assert scheduler.get_last_lr()[0] == pytest.approx(spec(10**6), rel=1e-12)
    assert opt.param_groups[0]["lr"] == scheduler.get_last_lr()[0]


def test_per_epoch_stepping_counts_epochs(optimizer_factory):
    spec = lrsched.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.9)  # decay per epoch
    opt = optimizer_factory(0.1)
    scheduler = ScheduleLR(opt, spec)
    for epoch in range(3):
        for _batch in range(4):
            assert opt.param_groups[0]["lr"] == pytest.approx(spec(epoch), rel=1e-12)
            opt.step()
        scheduler.step()


# -- param groups ---------------------------------------------------------------------------------
def test_two_groups_default_scale_is_one(spec, optimizer_factory):
    opt = optimizer_factory(0.01, 0.1)
    scheduler = ScheduleLR(opt, spec)
    seen = lrs_used_by_optimizer_steps(opt, scheduler, 5)
    for k, lrs in enumerate(seen):
        assert lrs == [pytest.approx(spec(k), rel=1e-12)] * 2


def test_two_groups_explicit_scales(spec, optimizer_factory):
    opt = optimizer_factory(0.01, 0.1)
    scheduler = ScheduleLR(opt, spec, scale=[0.1, 2.0])
    seen = lrs_used_by_optimizer_steps(opt, scheduler, 5)
    for k, (a, b) in enumerate(seen):
        assert a == pytest.approx(0.1 * spec(k), rel=1e-12)
        assert b == pytest.approx(2.0 * spec(k), rel=1e-12)


def test_two_groups_relative_scale_keeps_ratios_to_the_optimizers_lr(spec):
    backbone, head = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([{"params": [backbone], "lr": 0.01}, {"params": [head]}], lr=0.1)
    scheduler = lrsched.render(spec, "torch", optimizer=opt, scale="relative")
    assert scheduler.state_dict()["scales"] == [pytest.approx(0.1), 1.0]
    assert [g["lr"] for g in opt.param_groups] == [pytest.approx(0.1 * spec(0)), spec(0)]


def test_groups_give_param_groups_their_own_schedule(spec, optimizer_factory):
    """torch's per-group lists (CyclicLR's base_lr, OneCycleLR's max_lr): a schedule per group."""
    own = lrsched.CosineAnnealing(0.5, 3, eta_min=0.05)
    opt = optimizer_factory(0.01, 0.1, 0.2)
    scheduler = lrsched.render(spec, "torch", optimizer=opt, groups={1: own}, scale=[1.0, 2.0, 1.0])
    seen = lrs_used_by_optimizer_steps(opt, scheduler, 8)
    for k, lrs in enumerate(seen):
        assert lrs == [pytest.approx(v, rel=1e-12) for v in (spec(k), 2.0 * own(k), spec(k))]
    assert scheduler.lr_at(3) == [pytest.approx(v, rel=1e-12) for v in (spec(3), 2.0 * own(3), spec(3))]
    assert "groups={1: CosineAnnealing(" in repr(scheduler)
    state = scheduler.state_dict()
    again = ScheduleLR(optimizer_factory(0.01, 0.1, 0.2), spec, groups={1: own}, scale=[1.0, 2.0, 1.0])
    again.load_state_dict(state)
    assert again.get_last_lr() == scheduler.get_last_lr()
    for clone in (pickle.loads(pickle.dumps(scheduler)), copy.deepcopy(scheduler)):
        assert clone.lr_at(5) == scheduler.lr_at(5)


def test_a_schedule_is_evaluated_once_per_block_however_many_groups_follow_it(optimizer_factory):
    calls = []

    class Counted(lrsched.Schedule):
        rate: float

        def value(self, step, xp):
            calls.append(step)
            return xp.zeros_like(step, dtype=float) + self.rate if not isinstance(step, int) else self.rate

    spec, own = Counted(rate=0.1), Counted(rate=0.2)
    scheduler = ScheduleLR(optimizer_factory(0.1, 0.1, 0.1, 0.1), spec, groups={2: own})
    assert [c.tolist() for c in calls[-2:]] == [list(range(BLOCK))] * 2  # construction: step 0's block
    calls.clear()
    assert scheduler.lr_at(7) == [0.1, 0.1, 0.2, 0.1] and calls == []
    start = 10**6 - 10**6 % BLOCK
    assert scheduler.lr_at(10**6) == [0.1, 0.1, 0.2, 0.1]
    assert [c.tolist() for c in calls] == [list(range(start, start + BLOCK))] * 2
    scheduler.load_state_dict({**scheduler.state_dict(), "last_epoch": start, "_step_count": 2})
    for _ in range(BLOCK - 1):
        scheduler.step()
    assert len(calls) == 2 and scheduler.last_epoch == start + BLOCK - 1


def test_a_schedule_starting_at_zero_never_divides_by_it(optimizer_factory):
    warmup = LinearWarmup(peak=0.1, warmup=4)
    assert warmup(0) == 0.0
    for scale in (1.0, [0.5, 2.0], "relative"):
        opt = optimizer_factory(0.05, 0.1, lr=0.1)
        scheduler = ScheduleLR(opt, warmup, scale=scale)
        seen = lrs_used_by_optimizer_steps(opt, scheduler, 6)
        assert seen[0] == [0.0, 0.0]
        assert all(math.isfinite(lr) for lrs in seen for lr in lrs)
        assert seen[4][0] > 0 and seen[5] == seen[4]


@pytest.mark.parametrize(
    ("schedule", "beyond_int64"),
    [(HalfLife(lr=1.0), False), (HalfLife(lr=1.0, single=True), False), (Halving(lr=1.0), True)],
    ids=["blocks", "numpy-0d", "scalar"],
)
def test_schedules_for_single_steps_or_outside_the_scalar_namespace_work(
    schedule, beyond_int64, optimizer_factory
):
    opt = optimizer_factory(1.0)
    scheduler = ScheduleLR(opt, schedule)
    steps = [0, 1, 2, 3, BLOCK + 1, 2**63 - 1, *([2**70] if beyond_int64 else [])]
    want = [1.0, 0.5, 0.25, 0.125, 0.5 ** (BLOCK + 1), 0.0, 0.0]
    assert [scheduler.lr_at(k)[0] for k in steps] == pytest.approx(want[: len(steps)], rel=1e-12)


def test_tensor_lr_groups_are_filled_in_place(spec):
    lr = torch.tensor(0.5)
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = ScheduleLR(opt, spec)
    group_lr = opt.param_groups[0]["lr"]
    opt.step()
    scheduler.step()
    assert opt.param_groups[0]["lr"] is group_lr  # same tensor, new value
    assert group_lr.item() == pytest.approx(spec(1), rel=1e-6)
    last = scheduler.get_last_lr()[0]
    assert isinstance(last, torch.Tensor) and last is not group_lr


# -- param= ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("param", "kwargs"), [("momentum", {"momentum": 0.9}), ("weight_decay", {})])
def test_param_schedules_another_group_field(param, kwargs, optimizer_factory):
    spec = lrsched.ExponentialDecay(0.9, decay_steps=10, decay_rate=0.5)
    opt = optimizer_factory(0.1, **kwargs)
    scheduler = lrsched.render(spec, "torch", optimizer=opt, param=param)
    seen = []
    opt.register_step_pre_hook(
        lambda o, a, k: seen.append((o.param_groups[0][param], o.param_groups[0]["lr"]))
    )
    for _ in range(20):
        opt.step()
        scheduler.step()
    assert [v for v, _ in seen] == [pytest.approx(spec(k), rel=1e-12) for k in range(20)]
    assert {lr for _, lr in seen} == {0.1}  # the lr is left alone
    assert scheduler.get_last_lr() == [opt.param_groups[0][param]]
    assert f"initial_{param}" in opt.param_groups[0]


def test_param_errors_name_the_field(spec, optimizer_factory):
    with pytest.raises(lrsched.ConfigError, match=r"param='nesterov_lr'.*float fields: \[.*'lr'"):
        ScheduleLR(optimizer_factory(0.1), spec, param="nesterov_lr")
    adam = optimizer_factory(0.1, cls=torch.optim.Adam)
    with pytest.raises(lrsched.ConfigError, match=r"param='betas'.*must be a float"):
        ScheduleLR(adam, spec, param="betas")


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": -1.0}, r"scale must be a finite float >= 0; received scale=-1.0"),
        ({"scale": [1.0]}, r"scale has 1 values; the optimizer has 2 param groups"),
        (
            {"scale": "initial"},
            r"torch backend: option `scale` must be a float, a list of floats or 'relative'",
        ),
        ({"scale": [1.0, math.nan]}, r"scale\[1\] must be a finite float"),
        (
            {"last_epoch": -2},
            r"torch backend: option `last_epoch` must be an int >= -1; received last_epoch=-2",
        ),
        ({"last_epoch": 3}, r"last_epoch=3 resumes a run, so every param group needs 'initial_lr'"),
        ({"exact": 1}, r"torch backend: option `exact` must be True or False; received exact=1"),
        (
            {"groups": [1]},
            r"option `groups` must be a dict \{param group index: Schedule\}; received groups=\[1\]",
        ),
        ({"groups": {2: lrsched.Constant(0.1)}}, r"param group indices \(0 to 1: .*received the key 2"),
        ({"groups": {0: 0.1}}, r"maps param group indices to lrsched Schedules; received groups\[0\]=0.1"),
    ],
)
def test_bad_options_raise_lrsched_errors(spec, kwargs, message):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))]} for _ in range(2)]
    opt = torch.optim.SGD(groups, lr=0.1)
    with pytest.raises(lrsched.ConfigError, match=message):
        ScheduleLR(opt, spec, **kwargs)


def test_render_options_are_checked(spec, optimizer_factory):
    with pytest.raises(lrsched.ConfigError, match=r"unknown option\(s\) \['dtype'\] with optimizer="):
        lrsched.render(spec, "torch", optimizer=optimizer_factory(0.1), dtype="float32")
    with pytest.raises(lrsched.ConfigError, match=r"unknown option\(s\) \['param'\] without optimizer="):
        lrsched.render(spec, "torch", param="lr")
    with pytest.raises(
        lrsched.ConfigError, match=r"optimizer must be a torch.optim.Optimizer; received list"
    ):
        lrsched.render(spec, "torch", optimizer=[])
    with pytest.raises(
        lrsched.ConfigError, match=r"scale='relative' divides .* optimizer.defaults\['momentum'\]"
    ):
        ScheduleLR(optimizer_factory(0.1), spec, param="momentum", scale="relative")


def test_added_param_group_is_reported(spec, optimizer_factory):
    opt = optimizer_factory(0.1)
    scheduler = ScheduleLR(opt, spec)
    opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})
    opt.step()
    with pytest.raises(
        lrsched.ConfigError, match="the optimizer has 2 param groups; this scheduler was built for 1"
    ):
        scheduler.step()


def test_exact_option_gives_spec_k_bit_for_bit(optimizer_factory):
    spec = lrsched.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.3)
    opt = optimizer_factory(0.1)
    scheduler = ScheduleLR(opt, spec, exact=True)
    seen = lrs_used_by_optimizer_steps(opt, scheduler, 30)
    assert [lr for (lr,) in seen] == [spec(k) for k in range(30)]


def test_epoch_argument_is_deprecated_but_closed_form(spec, optimizer_factory):
    opt = optimizer_factory(0.1)
    scheduler = ScheduleLR(opt, spec)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(500)
    assert scheduler.get_last_lr()[0] == pytest.approx(spec(500), rel=1e-12)
    assert scheduler.get_lr() == scheduler.get_last_lr()


def test_composes_with_torchs_sequential_lr(optimizer_factory):
    """A torch warm-up, then the spec from its step 0: SequentialLR drives ours like its own."""
    spec = lrsched.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    opt = optimizer_factory(0.1)
    warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
    scheduler = torch.optim.lr_scheduler.SequentialLR(opt, [warmup, ScheduleLR(opt, spec)], milestones=[3])
    seen = lrs_used_by_optimizer_steps(opt, scheduler, 8)
    assert [lr for (lr,) in seen[:3]] == pytest.approx([0.01, 0.04, 0.07])
    assert [lr for (lr,) in seen[3:]] == pytest.approx([spec(k) for k in range(5)], rel=1e-12)


def test_state_dict_records_the_lrs_it_sets():
    """The default scale is absolute: AdamW(lr=1e-3) runs at the schedule's lr, and base_lrs says so."""
    spec = lrsched.ExponentialDecay(0.1, 10, 0.5)
    opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    scheduler = ScheduleLR(opt, spec)
    state = scheduler.state_dict()
    assert opt.param_groups[0]["lr"] == 0.1 == state["base_lrs"][0] == state["_last_lr"][0]
    assert opt.param_groups[0]["initial_lr"] == 1e-3  # the optimizer's own, the reference of "relative"
    relative = ScheduleLR(
        torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3), spec, scale="relative"
    )
    assert relative.base_lrs == [0.1] and relative.state_dict()["scales"] == [1.0]
    momentum = ScheduleLR(
        torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5, momentum=0.9), spec, param="momentum"
    )
    assert momentum.base_lrs == [0.5]  # the lr is not scheduled: torch's own record of it


def test_scheduler_steps_by_the_step_policy():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = ScheduleLR(opt, lrsched.ExponentialDecay(0.1, 10, 0.5))
    assert scheduler.lr_at(20.0) == scheduler.lr_at(20)
    for bad, match in [
        (2.5, "whole number"),
        (-1, "int >= 0"),
        (-1.0, "int >= 0"),
        (float("nan"), "whole number"),
        (True, "int >= 0"),
    ]:
        with pytest.raises(lrsched.StepError, match=match):
            scheduler.lr_at(bad)
