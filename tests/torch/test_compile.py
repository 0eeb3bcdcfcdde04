"""The tensor function under torch.compile: one graph, no graph break, no recompilation as the step
advances, driving an optimizer whose lr is a tensor (torch's recipe for compiled optimizers)."""

from __future__ import annotations

import pytest
import torch
from torch._dynamo.utils import counters

import lrsched

SPEC = lrsched.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)  # the docs page's spec too


def test_no_graph_break():
    f = lrsched.render(SPEC, "torch")
    explanation = torch._dynamo.explain(f)(torch.tensor(5, dtype=torch.int64))
    assert explanation.graph_count == 1
    assert explanation.graph_break_count == 0


def test_compiled_function_drives_a_tensor_lr_without_recompiling():
    f = lrsched.render(SPEC, "torch")
    lr_at = torch.compile(f, fullgraph=True)  # inductor
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(0.1))
    step = torch.zeros((), dtype=torch.int64)
    x = torch.randn(8, 4)
    used = []
    with torch._dynamo.config.patch(error_on_recompile=True):
        for _ in range(2500):  # crosses two decay periods
            opt.param_groups[0]["lr"].fill_(lr_at(step))
            used.append(opt.param_groups[0]["lr"].item())
            model(x).square().mean().backward()
            opt.step()
            opt.zero_grad()
            step += 1
    assert counters["stats"]["unique_graphs"] == 1
    assert not counters["graph_break"]
    steps = torch.arange(2500)
    assert used == pytest.approx(f(steps).tolist(), rel=4 * 2.0**-23)
    assert used == pytest.approx([SPEC(k) for k in range(2500)], rel=8 * 2.0**-24)


def test_schedule_inside_a_compiled_optimizer_step_never_recompiles():
    f = lrsched.render(SPEC, "torch")
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=torch.tensor(0.0))
    step = torch.zeros((), dtype=torch.int64)

    @torch.compile(backend="aot_eager")  # the optimizer's own code breaks the graph, not the schedule
    def optimizer_step():
        opt.param_groups[0]["lr"].fill_(f(step))
        opt.step()

    x = torch.randn(8, 4)
    with torch._dynamo.config.patch(error_on_recompile=True):
        for k in range(30):
            model(x).square().mean().backward()
            optimizer_step()
            opt.zero_grad()
            assert opt.param_groups[0]["lr"].item() == pytest.approx(SPEC(k), rel=1e-6)
            step += 1


def test_python_int_steps_work_but_tensor_steps_are_the_recipe():
    lr_at = torch.compile(lrsched.render(SPEC, "torch"), fullgraph=True, backend="eager")
    assert lr_at(0).item() == pytest.approx(0.1)
    assert lr_at(torch.tensor(1000)).item() == pytest.approx(0.096)
