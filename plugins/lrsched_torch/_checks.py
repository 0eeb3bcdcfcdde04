"""The conformance checks of the torch backend, registered by the plugin's
``lrsched_register_checks`` and imported when one first runs; each imports torch inside.

The LRScheduler (``lrsched.evaluate``) in float64 and the tensor function in float32 and float64
against exact math; integer step dtypes; a ``state_dict`` resumed mid-run; ``torch.compile``
with one graph; the k-th SGD update; the step policy, eager and compiled.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from lrsched.testing.support import (
    INT64_MAX,
    KTH_UPDATES,
    ConformanceError,
    Rendering,
    boundaries_check,
    boundary_steps,
    compare,
    dtype_cases,
    eager_policy,
    few_steps,
    traced_policy,
    values_check,
)

if TYPE_CHECKING:
    from lrsched.spec import Schedule


def _tensor(dtype: str) -> Callable[[Schedule, Sequence[int]], list[float]]:
    def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
        import torch

        import lrsched

        f = lrsched.render(spec, "torch", dtype=dtype)
        return [float(v) for v in f(torch.tensor(list(steps), dtype=torch.int64)).tolist()]

    return evaluate


_SCHEDULER = Rendering("torch", "torch", dtype="float64")  # lrsched.evaluate: the LRScheduler
_TENSOR = Rendering("torch-tensor", "torch", _tensor("float32"), "float32")
_TENSOR64 = Rendering("torch-tensor-float64", "torch", _tensor("float64"), "float64")

values = values_check(_SCHEDULER)
values_tensor = values_check(_TENSOR)
values_tensor64 = values_check(_TENSOR64)
boundaries = boundaries_check(_SCHEDULER)
boundaries_tensor = boundaries_check(_TENSOR)
boundaries_tensor64 = boundaries_check(_TENSOR64)


def step_dtypes(spec: Schedule) -> None:
    import torch

    import lrsched

    f = lrsched.render(spec, "torch")

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return torch.tensor(steps, dtype=getattr(torch, name)).reshape(shape)

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        return (
            tuple(out.shape),
            [float(v) for v in out.reshape(-1).tolist()],
            str(out.dtype).removeprefix("torch."),
        )

    # torch's fully supported integer dtypes (its uint16/32/64 lack most operations)
    names = ("int8", "int16", "int32", "int64", "uint8")
    dtype_cases(spec, "torch", f, make, to_floats, "float32", INT64_MAX, names=names)


def resume(spec: Schedule) -> None:
    import torch

    import lrsched

    bounds = [b for b in boundary_steps(spec) if b <= 300]
    resume_at = bounds[0] - 1 if bounds else 1 + (abs(hash(repr(spec))) % 150)
    total = resume_at + 12

    def make() -> tuple[Any, Any]:
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=1.0, momentum=0.5)
        return opt, lrsched.render(spec, "torch", optimizer=opt)

    def run(opt: Any, scheduler: Any, count: int) -> list[float]:
        lrs = []
        for _ in range(count):
            p = opt.param_groups[0]["params"][0]
            p.grad = torch.ones_like(p)
            lrs.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            scheduler.step()
        return lrs

    straight = run(*make(), total)
    opt, scheduler = make()
    first = run(opt, scheduler, resume_at)
    buffer = io.BytesIO()
    torch.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    opt, scheduler = make()
    opt.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    resumed = first + run(opt, scheduler, total - resume_at)
    if resumed != straight:
        k = next(i for i, (a, b) in enumerate(zip(resumed, straight, strict=True)) if a != b)
        raise ConformanceError(
            f"resumed at step {resume_at}, update {k} used lr {resumed[k]!r}; uninterrupted {straight[k]!r}"
        )
    compare(spec, list(range(total)), straight, "float64", "the LRScheduler's lrs")


def compile_once(spec: Schedule) -> None:
    import torch

    import lrsched

    graphs = []

    def counting(graph: Any, example_inputs: Any) -> Any:  # Dynamo's graph, run as it is
        graphs.append(graph)
        return graph.forward

    torch._dynamo.reset()  # count this check's graphs only
    compiled = torch.compile(lrsched.render(spec, "torch"), fullgraph=True, backend=counting)
    steps = few_steps(spec, 8, INT64_MAX)
    got = [float(compiled(torch.tensor(s, dtype=torch.int64))) for s in steps]
    torch._dynamo.reset()
    if len(graphs) != 1:
        raise ConformanceError(
            f"torch.compile(fullgraph=True) compiled {len(graphs)} graphs for {len(steps)} step values; once expected"
        )
    compare(spec, steps, got, "float32", "torch.compile")


def kth_update(spec: Schedule) -> None:
    import torch

    import lrsched

    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=1.0)
    scheduler = lrsched.render(spec, "torch", optimizer=optimizer)
    got = []
    for _ in range(KTH_UPDATES):
        with torch.no_grad():
            p.zero_()
        p.grad = torch.ones_like(p)
        optimizer.step()  # p = 0 - lr * 1
        scheduler.step()
        got.append(-float(p.item()))
    compare(spec, list(range(KTH_UPDATES)), got, "float64", "torch SGD's k-th update")


def step_policy(spec: Schedule) -> None:
    import torch

    import lrsched

    f = lrsched.render(spec, "torch")

    def to_float(out: Any) -> float:
        return float(out.reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "tensor": ((torch.tensor([3.0]), torch.tensor([3])), torch.tensor([2.5]), torch.tensor([-1])),
    }
    eager_policy("torch", f, to_float, cases)
    torch._dynamo.reset()
    compiled = torch.compile(f, fullgraph=True, backend="eager")
    try:
        traced_policy(
            spec, "torch.compile", lambda s: float(compiled(s)), torch.tensor(2.5), torch.tensor(-1)
        )
    finally:
        torch._dynamo.reset()
