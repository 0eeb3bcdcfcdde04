"""Core benchmarks: ratios against the native expression, measured in the same run.

    python benchmarks/bench_core.py        (or: tox -e bench)

Targets (from the core issue): numpy rendering of 10**7 steps <= 1.2x the hand-written
expression; ``import lrsched`` <= 1.15x ``import pydantic, pluggy``; no framework (nor numpy)
imported by ``import lrsched``. Times are the minimum over interleaved repeats, which is the most
stable statistic on a noisy machine. Nothing here asserts: read the ratios.
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
