"""Core benchmarks: ratios against the native expression, measured in the same run.

    python benchmarks/bench_core.py        (or: tox -e bench)

Targets (from the core issue): numpy rendering of 10**7 steps <= 1.2x the hand-written
expression; (issue 10) numpy rendering of 10**6 steps <= 1.5x a hand-written numpy transcription
of each optax/torch/HF twin's formula, one row per built-in family with such a twin; ``import lrsched`` <= 1.15x ``import pydantic, pluggy``; no framework (nor numpy)
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


#: issue 10: each built-in family with an optax, torch or HF twin, rendered in numpy (float64)
#: over 10**6 int steps, against that twin's formula transcribed by hand into numpy as a user
#: would write it (float64, no care for the tails). Each row: label, spec, transcription.
NUMPY_N = 10**6
NUMPY_TARGET = 1.5
_T = 10**5  # most decays: 10**5 steps, so that 10**6 steps hold the decay and what follows


def _numpy_twins():
    from lrsched._hf_names import hf_spec
    from lrsched._optax_names import optax_spec

    pi, cos, sqrt, minimum, where = np.pi, np.cos, np.sqrt, np.minimum, np.where

    def torch_warm_restarts(s, base=0.1, t0=1000, eta_min=0.001):  # CosineAnnealingWarmRestarts(T_mult=2)
        n = np.floor(np.log2(s / t0 + 1))
        t_cur, t_i = s - t0 * (2**n - 1), t0 * 2**n
        return eta_min + (base - eta_min) * (1 + cos(pi * t_cur / t_i)) / 2

    def torch_cyclic(s, base=0.001, top=0.1, up=2000, down=2000):  # CyclicLR(mode="triangular")
        total = up + down
        x = 1 + s / total - np.floor(1 + s / total)
        scale = where(x <= up / total, x / (up / total), (x - 1) / (up / total - 1))
        return base + (top - base) * scale

    def torch_onecycle(s, top=0.1, total=NUMPY_N, pct=0.3, div=25.0, final=1e4):  # OneCycleLR("cos")
        initial, low = top / div, top / div / final
        e1, e2 = pct * total - 1, total - 1
        up = top + (initial - top) / 2 * (cos(pi * s / e1) + 1)
        down = low + (top - low) / 2 * (cos(pi * minimum((s - e1) / (e2 - e1), 1.0)) + 1)
        return where(s <= e1, up, down)

    def hf_hard_restarts(s, lr=0.1, total=_T, cycles=3.0):  # cosine_with_restarts
        progress = s / total
        return where(
            progress >= 1.0, 0.0, lr * np.maximum(0.0, 0.5 * (1 + cos(pi * ((cycles * progress) % 1.0))))
        )

    def hf_linear(s, lr=0.1, w=1000, total=_T):  # linear, with a warm-up
        return lr * where(s < w, s / max(1, w), np.maximum(0.0, (total - s) / max(1, total - w)))

    def optax_warmup_cosine(s, peak=0.1, w=1000, decay=_T):  # warmup_cosine_decay_schedule(init_value=0)
        t = minimum(np.maximum(s - w, 0), decay - w) / (decay - w)
        return where(s < w, peak * s / w, peak * 0.5 * (1 + cos(pi * t)))

    def torch_chained(s):  # ChainedScheduler(ExponentialLR(0.9999), LinearLR(0.1, total_iters=100)), lr 0.1
        return 0.1 * 0.9999**s * (0.1 + 0.9 * minimum(s, 100) / 100)

    def cosine(s, init=0.1, d=_T, alpha=0.01, exponent=1):  # optax cosine_decay_schedule
        return init * ((1 - alpha) * (0.5 * (1 + cos(pi * minimum(s, d) / d))) ** exponent + alpha)

    return [
        ("Constant (optax constant_schedule)", lrsched.Constant(0.1), lambda s: np.full(s.shape, 0.1)),
        (
            "ExponentialDecay (optax exponential_decay)",
            optax_spec("exponential_decay", init_value=0.1, transition_steps=1000, decay_rate=0.96),
            lambda s: 0.1 * 0.96 ** (s / 1000),
        ),
        (
            "ExponentialDecay staircase (torch StepLR)",
            lrsched.ExponentialDecay(0.1, 1000, 0.96, staircase=True),
            lambda s: 0.1 * 0.96 ** (s // 1000),
        ),
        (
            "PiecewiseConstantDecay (torch MultiStepLR)",
            lrsched.PiecewiseConstantDecay([29999, 59999], [0.1, 0.1 * 0.1, 0.1 * 0.1 * 0.1]),
            lambda s: 0.1 * 0.1 ** np.searchsorted([30000, 60000], s, side="right"),
        ),
        (
            "PolynomialDecay power 1 (optax linear_schedule)",
            optax_spec("linear_schedule", init_value=0.1, end_value=0.0, transition_steps=_T),
            lambda s: 0.1 + (0.0 - 0.1) * np.clip(s / _T, 0, 1),
        ),
        (
            "PolynomialDecay power 2 (optax polynomial_schedule)",
            optax_spec("polynomial_schedule", init_value=0.1, end_value=1e-4, power=2.0, transition_steps=_T),
            lambda s: (0.1 - 1e-4) * (1 - minimum(s, _T) / _T) ** 2 + 1e-4,
        ),
        (
            "CosineDecay (optax cosine_decay_schedule)",
            optax_spec("cosine_decay_schedule", init_value=0.1, decay_steps=_T, alpha=0.01),
            cosine,
        ),
        (
            "CosinePowerDecay (optax cosine_decay_schedule exponent=2)",
            optax_spec("cosine_decay_schedule", init_value=0.1, decay_steps=_T, alpha=0.01, exponent=2.0),
            lambda s: cosine(s, exponent=2),
        ),
        (
            "CosineDecayRestarts (torch CosineAnnealingWarmRestarts)",
            lrsched.CosineDecayRestarts(0.1, 1000, t_mul=2.0, m_mul=1.0, alpha=0.01),
            torch_warm_restarts,
        ),
        (
            "CosineAnnealing (torch CosineAnnealingLR)",
            lrsched.CosineAnnealing(0.1, 1000, eta_min=0.001),
            lambda s: 0.001 + (0.1 - 0.001) * (1 + cos(pi * s / 1000)) / 2,
        ),
        ("Cyclical (torch CyclicLR)", lrsched.Cyclical(0.001, 0.1, 2000), torch_cyclic),
        ("OneCycle (torch OneCycleLR)", lrsched.OneCycle(0.1, NUMPY_N), torch_onecycle),
        (
            "CosineCycles (HF cosine)",
            hf_spec("cosine", 0.1, num_warmup_steps=0, num_training_steps=_T),
            lambda s: 0.1 * np.maximum(0.0, 0.5 * (1 + cos(pi * 0.5 * 2 * (s / _T)))),
        ),
        (
            "CosineHardRestarts (HF cosine_with_restarts)",
            hf_spec("cosine_with_restarts", 0.1, num_warmup_steps=0, num_training_steps=_T, num_cycles=3),
            hf_hard_restarts,
        ),
        (
            "InverseSqrtDecay (HF inverse_sqrt)",
            hf_spec("inverse_sqrt", 0.1, num_warmup_steps=0),
            lambda s: 0.1 / sqrt((s + 10000) / 10000),
        ),
        (
            "OneMinusSqrtDecay (HF warmup_stable_decay 1-sqrt)",
            lrsched.OneMinusSqrtDecay(0.1, _T, 0.0),
            lambda s: 0.1 * (1 - sqrt(minimum(s, _T) / _T)),
        ),
        (
            "Join (optax join_schedules)",
            lrsched.Join(
                [lrsched.Constant(0.01), lrsched.ExponentialDecay(0.1, 1000, 0.96)], boundaries=[500]
            ),
            lambda s: where(s < 500, 0.01, 0.1 * 0.96 ** ((s - 500) / 1000)),
        ),
        (
            "Warmup (HF linear)",
            hf_spec("linear", 0.1, num_warmup_steps=1000, num_training_steps=_T),
            hf_linear,
        ),
        (
            "Join, warm-up (optax warmup_cosine_decay_schedule)",
            optax_spec(
                "warmup_cosine_decay_schedule",
                init_value=0.0,
                peak_value=0.1,
                warmup_steps=1000,
                decay_steps=_T,
            ),
            optax_warmup_cosine,
        ),
        (
            "Product (torch ChainedScheduler)",
            lrsched.Product(
                [lrsched.ExponentialDecay(0.1, 1, 0.9999), lrsched.PolynomialDecay(0.1, 100, 1.0, power=1.0)]
            ),
            torch_chained,
        ),
    ]


def numpy_twins():
    """numpy rendering (float64) against each twin's hand-written numpy formula, 10**6 steps."""
    print(f"\n{'numpy, float64, 10**6 int steps, vs hand-written twin':<58} {'lrsched':>12} {'by hand':>12}")
    steps = np.arange(NUMPY_N)
    for label, spec, by_hand in _numpy_twins():
        ours = lrsched.render(spec, "numpy")
        got, want = np.asarray(ours(steps), dtype=np.float64), by_hand(steps)
        # the same schedule (a transcription error would time something else): within 1e-9 of the peak
        assert np.max(np.abs(got - want)) <= 1e-9 * np.max(np.abs(want)), label
        a, b = interleaved([lambda f=ours: f(steps), lambda f=by_hand: f(steps)], repeats=REPEATS)
        row(label, a, b, NUMPY_TARGET)
    print("(no twin in optax, torch or HF: InverseTimeDecay (Keras), Offset, Scale, Clip, TF Model Garden's)")


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
    numpy_twins()
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
