"""Core benchmarks: ratios against the native expression, measured in the same run.

    python benchmarks/bench_core.py        (or: tox -e bench)

Targets (from the core issue): numpy rendering of 10**7 steps <= 1.2x the hand-written
expression; ``import lrsched`` <= 1.15x ``import pydantic, pluggy``; no framework (nor numpy)
imported by ``import lrsched``. From the composition issue: ``spec(k)`` (the exact value) within
50 us per call for every registered schedule, compositions nested two levels included. Times are
the minimum over interleaved repeats, which is the most stable statistic on a noisy machine.
Nothing here asserts: read the ratios.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import timeit

import numpy as np
from _timing import interleaved, row

import lrsched

N = 10**7
REPEATS = 7


def best(fn, repeats=REPEATS):
    fn()  # warm caches and allocators
    return min(timeit.repeat(fn, number=1, repeat=repeats))


def process_time(code, repeats=25):
    """Minimum wall time of a fresh interpreter running ``code``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


#: Per-call budget of ``spec(k)`` (the exact, correctly rounded value), in seconds.
EXACT_BUDGET = 50e-6
_DECAY = dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96)
#: One representative spec per registered name; a combinator holds a composition (two levels).
REPRESENTATIVES = {
    "ExponentialDecay": [
        lrsched.ExponentialDecay(**_DECAY),
        lrsched.ExponentialDecay(**_DECAY, staircase=True),
    ],
    "PiecewiseConstantDecay": [lrsched.PiecewiseConstantDecay([1000, 5000, 9000], [0.1, 0.05, 0.01, 0.001])],
    "PolynomialDecay": [
        lrsched.PolynomialDecay(0.1, 10000, 0.001, power=2.0),
        lrsched.PolynomialDecay(0.1, 1000, 0.001, power=0.5, cycle=True),
    ],
    "InverseTimeDecay": [lrsched.InverseTimeDecay(**_DECAY)],
    "CosineDecay": [
        lrsched.CosineDecay(0.1, 10000, alpha=0.01),
        lrsched.CosineDecay(0.0, 10000, warmup_target=0.1, warmup_steps=500),
    ],
    "CosineDecayRestarts": [lrsched.CosineDecayRestarts(0.1, 1000, t_mul=2.0, m_mul=0.9, alpha=0.01)],
    "Constant": [lrsched.Constant(0.1)],
    "Join": [
        lrsched.Join(
            [lrsched.Warmup(lrsched.ExponentialDecay(**_DECAY), 100), lrsched.Constant(0.001)],
            boundaries=[5000],
        )
    ],
    "Warmup": [
        lrsched.Warmup(lrsched.Scale(lrsched.ExponentialDecay(**_DECAY), 0.5), 100),
        lrsched.Warmup(lrsched.ExponentialDecay(**_DECAY), 100, start_value=0.001, shape="cosine"),
        lrsched.Warmup(lrsched.ExponentialDecay(**_DECAY), 100, start_value=0.001, shape="exponential"),
    ],
    "Offset": [lrsched.Offset(lrsched.Warmup(lrsched.ExponentialDecay(**_DECAY), 100), 1000)],
    "Scale": [lrsched.Scale(lrsched.Clip(lrsched.ExponentialDecay(**_DECAY), minimum=0.01), 2.0)],
    "Clip": [lrsched.Clip(lrsched.Scale(lrsched.ExponentialDecay(**_DECAY), 2.0), 0.01, 0.1)],
    # HF transformers' shapes
    "CosineCycles": [lrsched.CosineCycles(0.1, 10000, num_cycles=1.3, alpha=0.05, lead=1)],
    "CosineHardRestarts": [lrsched.CosineHardRestarts(0.1, 10000, num_cycles=3)],
    "InverseSqrtDecay": [lrsched.InverseSqrtDecay(0.1, timescale=1000)],
    "OneMinusSqrtDecay": [lrsched.OneMinusSqrtDecay(0.1, 10000, end_learning_rate=1e-4)],
    # PyTorch's
    "CosineAnnealing": [lrsched.CosineAnnealing(0.1, 1000, eta_min=0.001)],
    "Cyclical": [
        lrsched.Cyclical(0.001, 0.1, 2000),
        lrsched.Cyclical(0.001, 0.1, 500, mode="exp_range", gamma=0.9999),
    ],
    "OneCycle": [
        lrsched.OneCycle(0.1, 10000),
        lrsched.OneCycle(0.1, 10000, 0.25, "linear", three_phase=True),
    ],
    "Product": [
        lrsched.Product(
            [lrsched.ExponentialDecay(**_DECAY), lrsched.Warmup(lrsched.Constant(1.0), 100, start_value=0.1)]
        )
    ],
    # optax's
    "CosinePowerDecay": [lrsched.CosinePowerDecay(0.1, 10000, alpha=0.01, exponent=2.0)],
    # TF Model Garden's
    "ExponentialDecayWithOffset": [lrsched.ExponentialDecayWithOffset(1000, **_DECAY)],
    "PiecewiseConstantDecayWithOffset": [
        lrsched.PiecewiseConstantDecayWithOffset(500, boundaries=[1000, 5000], values=[0.1, 0.01, 0.001])
    ],
    "PolynomialDecayWithOffset": [
        lrsched.PolynomialDecayWithOffset(1000, initial_learning_rate=0.1, decay_steps=10000, power=2.0)
    ],
    "CosineDecayWithOffset": [
        lrsched.CosineDecayWithOffset(300, initial_learning_rate=0.1, decay_steps=10000, alpha=0.01)
    ],
    "LinearWarmup": [lrsched.LinearWarmup(lrsched.ExponentialDecay(**_DECAY), 500, 0.0)],
    "PolynomialWarmUp": [
        lrsched.PolynomialWarmUp(lrsched.CosineDecay(0.1, 10000), 500, power=2.0),
    ],
    "DirectPowerDecay": [lrsched.DirectPowerDecay(0.1, -0.5)],
    "PowerAndLinearDecay": [lrsched.PowerAndLinearDecay(1.0, 100000, -0.5, 0.1, offset=1000)],
    "PowerDecayWithOffset": [
        lrsched.PowerDecayWithOffset(1.0, -0.5, offset=1000, pre_offset_learning_rate=0.01)
    ],
    "StepCosineDecayWithOffset": [
        lrsched.StepCosineDecayWithOffset([0, 5000, 9000], [0.1, 0.01, 0.001], offset=100)
    ],
    "NoamDecay": [
        lrsched.deserialize({"class_name": "NoamDecay", "config": {"d_model": 512, "warmup_steps": 4000}})
    ]
    if "NoamDecay" in lrsched.schedules()
    else [],
}


def exact_per_call(spec, points=100, number=5):
    """``spec(k)`` per call over ``points`` steps spread from 0 to the horizon: (mean, slowest step).

    Each step is timed on its own (minimum over repeats); the mean is over the steps."""
    horizon = spec.horizon()
    steps = sorted({round(i * horizon / (points - 1)) for i in range(points)} | {10**12})
    per_step = []
    for k in steps:
        spec(k)  # constants' caches (logs, ramp targets) are the steady state
        per_step.append((min(timeit.repeat(lambda k=k: spec(k), number=number, repeat=3)) / number, k))
    return statistics.fmean(t for t, _ in per_step), max(per_step)


def exact_values():
    """``spec(k)`` for every registered schedule against the per-call budget."""
    print(f"\n{'spec(k), exact, per call':<58} {'mean':>12} {'slowest':>12} {'at step':>10}")
    worst = (0.0, "", 0)
    for name in lrsched.schedules():
        specs = REPRESENTATIVES.get(name)
        if not specs:
            print(f"{name:<58} (no representative spec: add one to REPRESENTATIVES)")
            continue
        for spec in specs:
            mean, (slowest, at) = exact_per_call(spec)
            label = f"{name}: {_short(spec)}"
            verdict = "met" if mean <= EXACT_BUDGET else "MISSED"
            print(f"{label:<58.58} {mean * 1e6:9.1f} us {slowest * 1e6:9.1f} us {at:>10}  ({verdict})")
            worst = max(worst, (mean, label, at))
    print(f"worst mean: {worst[0] * 1e6:.1f} us ({worst[1]}); budget {EXACT_BUDGET * 1e6:.0f} us per call")


def _short(spec):
    """``Join(Warmup(ExponentialDecay), Constant)``: the nesting, without the arguments."""
    inner = [
        v if isinstance(v, tuple) else (v,)
        for v in (getattr(spec, f) for f in type(spec).model_fields)
        if isinstance(v, lrsched.Schedule)
        or (isinstance(v, tuple) and v and isinstance(v[0], lrsched.Schedule))
    ]
    parts = [_short(s) for group in inner for s in group]
    extra = {"staircase": "staircase", "shape": None}
    flags = [
        (word or str(getattr(spec, f)))
        for f, word in extra.items()
        if f in type(spec).model_fields and getattr(spec, f) not in (False, "linear")
    ]
    return type(spec).__name__ + (f"({', '.join(parts + flags)})" if parts or flags else "")


def main():
    print(f"{'benchmark':<58} {'lrsched':>12} {'native':>12} {'ratio':>8}")
    steps = np.arange(N)
    lr0, decay_steps, rate = 0.1, 100_000, 0.96

    smooth = lrsched.render(lrsched.ExponentialDecay(lr0, decay_steps, rate), "numpy")
    ours, native = interleaved(
        [lambda: smooth(steps), lambda: lr0 * np.exp(steps * (np.log(rate) / decay_steps))], repeats=REPEATS
    )
    row("numpy, 10**7 steps, float64", ours, native, target=1.2)

    stairs = lrsched.render(lrsched.ExponentialDecay(lr0, decay_steps, rate, staircase=True), "numpy")
    ours, native = interleaved(
        [lambda: stairs(steps), lambda: lr0 * rate ** np.floor(steps / decay_steps)], repeats=REPEATS
    )
    row("numpy, 10**7 steps, staircase (native: rate**floor(s/d))", ours, native)

    f32 = lrsched.render(lrsched.ExponentialDecay(lr0, decay_steps, rate), "numpy", dtype="float32")
    steps32 = steps.astype(np.int32)
    c32 = np.float32(np.log(rate) / decay_steps)
    ours, native = interleaved(
        [lambda: f32(steps32), lambda: np.float32(lr0) * np.exp(steps32.astype(np.float32) * c32)],
        repeats=REPEATS,
    )
    row("numpy, 10**7 steps, float32 (compensated vs naive)", ours, native)

    scalar = lrsched.ExponentialDecay(lr0, decay_steps, rate, staircase=True)
    per_call = best(lambda: [scalar(250_000 + i) for i in range(1000)]) / 1000
    native_call = best(lambda: [lr0 * rate ** ((250_000 + i) // decay_steps) for i in range(1000)]) / 1000
    row("spec(int), exact, per call (native: Python float math)", per_call, native_call)
    exact_values()
    print()

    ours_import, ours_median = process_time("import lrsched")
    base_import, base_median = process_time("import pydantic, pluggy")
    row("python -c 'import lrsched' vs 'import pydantic, pluggy'", ours_import, base_import, target=1.15)
    print(f"{'':<58} medians: {ours_median * 1e3:.1f} ms vs {base_median * 1e3:.1f} ms")

    first_spec, _ = process_time("import lrsched; lrsched.ExponentialDecay(0.1, 1000, 0.96)", repeats=10)
    row("... import + first spec (pydantic models built)", first_spec, base_import)

    code = (
        "import time; t = time.perf_counter(); import lrsched; "
        "spec = lrsched.ExponentialDecay(0.1, 1000, 0.96); lrsched.render(spec, 'numpy'); "
        "print(time.perf_counter() - t)"
    )
    firsts = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(10)
    ]
    print(f"{'time to first render, entry-point discovery included':<58} {min(firsts) * 1e3:9.2f} ms")

    check = (
        "import sys, lrsched; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'numpy', 'tensorflow', 'keras', 'torch', 'jax', 'optax', 'pydantic_core'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"{'modules of note in sys.modules after import lrsched':<58} {loaded}  (target: [])")


if __name__ == "__main__":
    main()
