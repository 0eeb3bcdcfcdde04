"""PyTorch benchmarks: lrsched's rendered scheduler and tensor function against torch's own.

    python benchmarks/bench_torch.py        (in an env with the [torch] extra)

Targets (issue 5): ``scheduler.step()`` <= 1.5x ``ExponentialLR.step()``, measured in the same run;
the same for a composition (the composition issue): ``Warmup(ExponentialDecay(...))`` rendered
with ``optimizer=``, one ``LRScheduler``; and (issue 13) each torch scheduler's twin
(``lrsched_torch.torch_render_args``) <= 1.5x that scheduler's ``step()``, on an optimizer with two
param groups of different lrs.
Also printed: the compiled tensor function's per-call time against an eager
``lr0 * rate ** (step / ds)`` tensor expression (and that expression compiled), the drift of
torch's chained schedulers after 10**6 steps against exact math, and the worst errors measured
here (float32 ulps of the tensor function, float64 relative error of the scheduler). The
scheduler evaluates its schedule on blocks of steps (lrsched_torch._blocks): the step that starts
a block is timed on its own too. Times are minima over interleaved repeats. Nothing here asserts:
read the ratios.
"""

from __future__ import annotations

import functools
import math
import random
import sys
import time
import warnings
from decimal import Context, Decimal
from pathlib import Path

import _timing
import numpy as np
import torch

import lrsched

with warnings.catch_warnings():  # torch's inductor imports its deprecated torch.jit.script_method
    warnings.simplefilter("ignore", DeprecationWarning)
    import torch._inductor.compile_fx

REPEATS = 7
interleaved = functools.partial(_timing.interleaved, repeats=REPEATS)
row = functools.partial(_timing.row, unit="us", scale=1e6)
ORACLE = Context(prec=60, Emin=-(10**12), Emax=10**12, traps=[])
SPEC = lrsched.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
STAIRS = lrsched.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96, staircase=True)
# the steps timed (8 runs of 20000) fall after the ramp, or all in it
WARMUP = lrsched.Warmup(SPEC, warmup_steps=100)
WARMUP_RAMP = lrsched.Warmup(SPEC, warmup_steps=10**9)


def optimizer():
    p = torch.nn.Parameter(torch.zeros(1))
    p.grad = torch.zeros(1)
    opt = torch.optim.SGD([p], lr=0.1)
    return opt


def stepped(make):
    opt = optimizer()
    scheduler = make(opt)
    opt.step()  # so torch's order check is satisfied before timing scheduler.step() alone
    return scheduler


def exact(spec, step):
    if spec.initial_learning_rate == 0:
        return Decimal(0)
    ln = ORACLE.ln(Decimal(spec.decay_rate))
    exponent = (
        ln * (step // spec.decay_steps) if spec.staircase else ORACLE.divide(ln * step, spec.decay_steps)
    )
    return ORACLE.multiply(Decimal(spec.initial_learning_rate), ORACLE.exp(exponent))


def scheduler_step_times():
    print(f"{'scheduler.step()':<58} {'lrsched':>12} {'torch':>12} {'ratio':>8}")
    ours = stepped(lambda o: lrsched.render(SPEC, "torch", optimizer=o))
    native = stepped(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.96 ** (1 / 1000)))
    row("smooth vs ExponentialLR", *interleaved([ours.step, native.step], 20000), target=1.5)
    ours = stepped(lambda o: lrsched.render(STAIRS, "torch", optimizer=o))
    native = stepped(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=1000, gamma=0.96))
    row("staircase vs StepLR", *interleaved([ours.step, native.step], 20000), target=1.5)
    for label, spec in [("after the ramp", WARMUP), ("in the ramp", WARMUP_RAMP)]:
        warm = stepped(lambda o, s=spec: lrsched.render(s, "torch", optimizer=o))
        native = stepped(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.96 ** (1 / 1000)))
        row(
            f"Warmup(ExponentialDecay), {label}, vs ExponentialLR",
            *interleaved([warm.step, native.step], 20000),
            target=1.5,
        )
    exact_ = stepped(lambda o: lrsched.render(SPEC, "torch", optimizer=o, exact=True))
    native = stepped(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.96 ** (1 / 1000)))
    row("exact=True (spec(k), mpmath) vs ExponentialLR", *interleaved([exact_.step, native.step], 2000))


def twin_step_times():
    from lrsched_torch import torch_render_args

    s = torch.optim.lr_scheduler
    print(
        f"\n{'scheduler.step(), two param groups: twin vs torch':<58} {'lrsched':>12} {'torch':>12} {'ratio':>8}"
    )
    cases = {
        "StepLR": lambda o: s.StepLR(o, 30, 0.5),
        "MultiStepLR": lambda o: s.MultiStepLR(o, [30, 80, 80], 0.1),
        "ConstantLR": lambda o: s.ConstantLR(o, 0.25, total_iters=10**9),
        "LinearLR": lambda o: s.LinearLR(o, 0.1, 1.0, total_iters=10**9),
        "ExponentialLR": lambda o: s.ExponentialLR(o, 0.9999),
        "PolynomialLR": lambda o: s.PolynomialLR(o, 10**9, 2.0),
        "CosineAnnealingLR": lambda o: s.CosineAnnealingLR(o, 10**5, eta_min=1e-4),
        "CosineAnnealingWarmRestarts": lambda o: s.CosineAnnealingWarmRestarts(o, 100, 2, 1e-4),
        "CyclicLR": lambda o: s.CyclicLR(o, [1e-3, 1e-4], [0.1, 0.01], 2000, mode="triangular2"),
        "OneCycleLR": lambda o: s.OneCycleLR(o, [0.1, 0.01], total_steps=10**6),
        "SequentialLR": lambda o: s.SequentialLR(
            o, [s.LinearLR(o, 0.01, total_iters=100), s.CosineAnnealingLR(o, 10**5)], [100]
        ),
        "ChainedScheduler": lambda o: s.ChainedScheduler(
            [s.ConstantLR(o, 0.5, 10), s.ExponentialLR(o, 0.9999)]
        ),
    }

    def two_groups():
        params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(2)]
        for p in params:
            p.grad = torch.zeros(1)
        return torch.optim.SGD(
            [{"params": [params[0]], "lr": 0.1}, {"params": [params[1]], "lr": 0.01}], lr=0.1
        )

    pairs = {}
    for name, make in cases.items():
        native_opt = two_groups()
        native = make(native_opt)
        spec, options = torch_render_args(native)
        twin_opt = two_groups()
        twin = lrsched.render(spec, "torch", optimizer=twin_opt, **options)
        native_opt.step()
        twin_opt.step()
        pairs[name] = twin, native
        row(name, *interleaved([twin.step, native.step], 5000), target=1.5)

    # The amortized time above includes one spec.value call per block of steps; the step that
    # makes that call costs it whole.
    print(
        f"\n{'the step that starts a block (one call on BLOCK steps)':<58} {'lrsched':>12} {'torch':>12} {'ratio':>8}"
    )
    for name, (twin, native) in pairs.items():
        (native_time,) = interleaved([native.step], 5000)
        row(name, block_start_time(twin), native_time)


def block_start_time(scheduler):
    """The least time of a ``scheduler.step()`` into a block not evaluated before."""
    from lrsched_torch._blocks import BLOCK

    times = []
    for r in range(REPEATS * 3):
        state = {**scheduler.state_dict(), "last_epoch": (10**6 + r) * BLOCK - 1, "_step_count": 2}
        scheduler.load_state_dict(state)
        start = time.perf_counter()
        scheduler.step()
        times.append(time.perf_counter() - start)
    return min(times)


def tensor_function_times():
    print(f"\n{'tensor function, per call':<58} {'lrsched':>12} {'torch':>12} {'ratio':>8}")
    f = lrsched.render(SPEC, "torch")
    compiled = torch.compile(f, fullgraph=True)

    def expression(step):
        return 0.1 * 0.96 ** (step / 1000)

    expression_compiled = torch.compile(expression, fullgraph=True)
    for label, step in [("0-d step", torch.tensor(12345)), ("10**6 steps", torch.arange(10**6))]:
        compiled(step), expression_compiled(step)  # compile outside the timing
        number = 2000 if step.ndim == 0 else 20
        ours, eager_native, compiled_native, eager_ours = interleaved(
            [
                functools.partial(compiled, step),
                functools.partial(expression, step),
                functools.partial(expression_compiled, step),
                functools.partial(f, step),
            ],
            number,
        )
        row(f"{label}: compiled lrsched vs eager expression", ours, eager_native)
        row(f"{label}: compiled lrsched vs compiled expression", ours, compiled_native)
        row(f"{label}: eager lrsched vs eager expression", eager_ours, eager_native)


def drift():
    print("\ndrift of the chained native form after N scheduler steps (relative error vs exact math)")
    n = 10**6
    staircase = lrsched.ExponentialDecay(0.1, 10, 0.9999, staircase=True)
    for name, spec, make in [
        (
            "ExponentialLR",
            SPEC,
            functools.partial(torch.optim.lr_scheduler.ExponentialLR, gamma=0.96 ** (1 / 1000)),
        ),
        ("StepLR", staircase, functools.partial(torch.optim.lr_scheduler.StepLR, step_size=10, gamma=0.9999)),
    ]:
        native = stepped(make)
        ours = stepped(lambda o, s=spec: lrsched.render(s, "torch", optimizer=o))
        checkpoints = {10**3, 10**4, 10**5, n}
        for k in range(1, n + 1):
            native.step()
            ours.step()
            if k in checkpoints:
                want = exact(spec, k)
                errors = [float(abs(Decimal(s.get_last_lr()[0]) - want) / want) for s in (native, ours)]
                print(f"  {name:<14} {spec!r:.60} k={k:>8}: torch {errors[0]:.2e}   lrsched {errors[1]:.2e}")


def worst_errors():
    print("\nworst errors measured here")
    rng = random.Random(0)
    from lrsched_torch import ScheduleLR

    worst_rel = 0.0
    for _ in range(300):
        spec = lrsched.ExponentialDecay(
            10 ** rng.uniform(-6, 0),
            rng.choice([1, 7, 1000, 10**5, 2**31 - 1]),
            rng.uniform(0.05, 1.0),
            staircase=rng.random() < 0.5,
        )
        scheduler = ScheduleLR(optimizer(), spec)
        for step in (rng.randint(0, 2**53), rng.randint(0, 10**7)):
            want = exact(spec, step)
            if abs(want) < Decimal(float.fromhex("0x1p-1022")):
                continue
            worst_rel = max(worst_rel, float(abs(Decimal(scheduler.lr_at(step)[0]) - want) / want))
    print(f"  scheduler (float64), 600 random steps up to 2**53: {worst_rel:.2e} relative")
    worst_ulps = 0.0
    for spec in [
        SPEC,
        STAIRS,
        lrsched.ExponentialDecay(0.1, 3, 0.999999, staircase=True),
        lrsched.ExponentialDecay(1.0, 1, 0.9999),
        lrsched.ExponentialDecay(1e-7, 100, 10.0),
    ]:
        steps = sorted({int(2 ** rng.uniform(0, 63)) - 1 for _ in range(500)})
        got = lrsched.render(spec, "torch")(torch.tensor(steps)).tolist()
        for value, step in zip(got, steps, strict=True):
            want = exact(spec, step)
            if float(want) >= 3.4e38 or not math.isfinite(value):
                continue
            spacing = Decimal(float(np.spacing(np.float32(min(abs(float(want)), 3.4e38)))))
            worst_ulps = max(worst_ulps, float(abs(Decimal(value) - want) / spacing))
    print(f"  tensor function float32, 2500 random int64 steps: {worst_ulps:.2f} ulps")


def main():
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, python {sys.version.split()[0]}")
    scheduler_step_times()
    twin_step_times()
    tensor_function_times()
    worst_errors()
    if "--no-drift" not in sys.argv:
        drift()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
    main()
