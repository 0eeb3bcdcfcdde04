"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""

from __future__ import annotations

import timeit
from collections.abc import Callable, Sequence


def interleaved(fns: Sequence[Callable[[], object]], number: int = 1, repeats: int = 7) -> list[float]:
    """Minimum time per call of each function, alternating runs so that drift affects all alike.

    Each function runs once first, to warm caches, allocators and compilers.
    """
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times, strict=True):
            ts.append(timeit.timeit(fn, number=number) / number)
    return [min(ts) for ts in times]


def row(
    name: str,
    ours: float,
    native: float,
    target: float | None = None,
    unit: str = "ms",
    scale: float = 1e3,
    width: int = 58,
) -> None:
    """One line: both times, their ratio, and whether the ratio meets ``target``."""
    ratio = ours / native
    verdict = (
        "" if target is None else f"  (target <= {target:.2f}: {'met' if ratio <= target else 'MISSED'})"
    )
    print(f"{name:<{width}} {ours * scale:9.3f} {unit} {native * scale:9.3f} {unit} {ratio:7.3f}x{verdict}")
