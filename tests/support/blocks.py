"""The building blocks' exact math, by mpmath (independent of lrsched), and the accuracy measure.

The measure is the one the catalogue is held to: the error in units of the dtype at
``max(|exact|, 1e-6 * peak)`` (float32 ulps there; float64: relative to it), so a tail near
zero is judged in proportion to itself down to a millionth of the peak.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

mpmath.mp.prec = 200
FLOOR = mpmath.mpf("1e-6")


def _clip_fraction(step: int, start: int, length: int) -> Fraction:
    return min(max(Fraction(step - start, length), Fraction(0)), Fraction(1))


def progress(step: int, start: int, length: int) -> mpmath.mpf:
    f = _clip_fraction(step, start, length)
    return mpmath.mpf(f.numerator) / f.denominator


def remaining(step: int, start: int, length: int) -> mpmath.mpf:
    f = 1 - _clip_fraction(step, start, length)
    return mpmath.mpf(f.numerator) / f.denominator


def half_cosine(step: int, start: int, length: int, exponent: float = 1.0) -> mpmath.mpf:
    value = (1 + mpmath.cospi(progress(step, start, length))) / 2
    return value ** mpmath.mpf(exponent)


def polynomial(step: int, start: int, length: int, power: float) -> mpmath.mpf:
    return remaining(step, start, length) ** mpmath.mpf(power)


def inverse_time(num: int, den: int, rate: float) -> mpmath.mpf:
    return 1 / (1 + mpmath.mpf(rate) * num / den)


def naive_half_cosine(xp, step, start, length):
    """The textbook form, for showing that the check can fail: ``0.5 * (1 + cos(pi * t / T))``."""
    dtype = xp.float32
    t = xp.clip(xp.astype(step, dtype) - start, 0, length) / length
    return 0.5 * (1 + xp.cos(xp.pi * t))


def error(got: float, exact: mpmath.mpf, dtype: str, peak: float = 1.0) -> float:
    """float32: ulps at ``max(|exact|, 1e-6 peak)``; float64: relative error there."""
    size = max(abs(exact), FLOOR * peak)
    if not np.isfinite(got):
        return float("inf")
    diff = abs(mpmath.mpf(got) - exact)
    if dtype == "float32":
        return float(diff / mpmath.mpf(float(np.spacing(np.float32(size)))))
    return float(diff / size)


def worst(got, exacts, dtype: str, peak: float = 1.0) -> tuple[float, int]:
    """The largest error over paired values, and its index."""
    errors = [
        error(float(g), e, dtype, peak)
        for g, e in zip(np.asarray(got).reshape(-1).tolist(), exacts, strict=True)
    ]
    i = int(np.argmax(errors))
    return errors[i], i


def interesting_steps(
    start: int, length: int, top: int, rng: np.random.Generator, count: int = 24
) -> list[int]:
    """Steps at and around the interval's edges and middle, the dtype's max, and random ones."""
    marks = [0, 1, start, start + length // 2, start + length, top]
    picked = [m + d for m in marks for d in (-2, -1, 0, 1)]
    end = min(start + length, top)
    picked += rng.integers(min(start, top), end, count, endpoint=True).tolist() if start <= top else []
    picked += rng.integers(0, top, count // 2, endpoint=True).tolist()
    return sorted({s for s in picked if 0 <= s <= top})


BLOCKS = (
    "progress",
    "remaining",
    "half_cosine",
    "half_cosine^2",
    "half_cosine^0.5",
    "half_cosine^40",  # a power multiplies the base's relative error (optax's exponent)
    "half_cosine^128",
    "polynomial^2",
    "polynomial^0.9",
    "polynomial^7.5",
    "lerp",
)


def evaluate(block: str, steps: list[int], start: int, length: int, xp, to_xp, int_dtype):
    """lrsched's block at ``steps`` (converted by ``to_xp``) and the exact values."""
    from lrsched import numerics as n

    s = to_xp(np.asarray(steps, dtype=int_dtype))
    name, _, arg = block.partition("^")
    if name == "progress":
        got, want = n.xp_progress(s, start, length, xp=xp), [progress(t, start, length) for t in steps]
    elif name == "remaining":
        got, want = n.xp_remaining(s, start, length, xp=xp), [remaining(t, start, length) for t in steps]
    elif name == "half_cosine":
        e = float(arg or 1)
        got = n.xp_half_cosine(s, start, length, exponent=e, xp=xp)
        want = [half_cosine(t, start, length, e) for t in steps]
    elif name == "polynomial":
        got = n.xp_polynomial(s, start, length, float(arg), xp=xp)
        want = [polynomial(t, start, length, float(arg)) for t in steps]
    elif name == "lerp":  # a warm-up from 1e-3 to 0.5
        got = n.xp_lerp(1e-3, 0.5, n.xp_progress(s, start, length, xp=xp), xp=xp)
        want = [
            mpmath.mpf(1e-3) + (mpmath.mpf(0.5) - mpmath.mpf(1e-3)) * progress(t, start, length)
            for t in steps
        ]
    else:
        raise ValueError(block)
    return got, want


def check_namespace(xp, to_xp, int_dtype, dtype: str, seed: int = 0) -> dict[str, float]:
    """Every block over fixed intervals (edges, 2**24, beyond the dtype), asserted within the
    catalogue's bound; returns the worst error per block."""
    top = int(np.iinfo(int_dtype).max)
    rng = np.random.default_rng(seed)
    intervals = [(0, 100), (7, 1), (0, 2**24 + 3), (1000, 10**9 + 7), (3, top), (0, top + 10), (top - 5, 12)]
    worsts = {}
    for start, length in intervals:
        steps = interesting_steps(start, length, top, rng, 8)
        for block in BLOCKS:
            got, want = evaluate(block, steps, start, length, xp, to_xp, int_dtype)
            got = np.asarray(got)
            assert got.dtype == np.dtype(dtype), (block, got.dtype)
            error, i = worst(got, want, dtype)
            assert error <= (4 if dtype == "float32" else 1e-12), (block, start, length, steps[i], error)
            worsts[block] = max(worsts.get(block, 0.0), error)
    worsts.update(check_geometric_namespace(xp, to_xp, int_dtype, dtype, seed))
    return worsts


# -- geometric cycles: the exact math with Fractions ----------------------------------------------
def geometric_start(i: int, first: int, t_mul: float) -> Fraction:
    """Where cycle ``i`` starts, exactly: ``first * (t**i - 1) / (t - 1)`` (``first * i`` for t = 1)."""
    t = Fraction(t_mul)
    return Fraction(first * i) if t == 1 else first * (t**i - 1) / (t - 1)


def geometric_limit_index(first: int, t_mul: float) -> int:
    """t_mul < 1: the index reported at and past ``ceil(L)``: the first cycle starting after
    ``ceil(L) - 1`` (every later step is past infinitely many restarts)."""
    last = math.ceil(first / (1 - Fraction(t_mul))) - 1
    i = 0
    while geometric_start(i, first, t_mul) <= last:
        i += 1
    return i


def geometric_cycle(step: int, first: int, t_mul: float) -> tuple[int, mpmath.mpf, mpmath.mpf]:
    """``(i, done, left)`` exactly: ``S_i <= step < S_{i+1}``, steps below 0 counting as 0."""
    s = max(step, 0)
    t = Fraction(t_mul)
    if t < 1 and s >= first / (1 - t):
        return geometric_limit_index(first, t_mul), mpmath.mpf(1), mpmath.mpf(0)
    if t == 1:
        i = s // first
    else:  # a guess from the logarithm, then exact comparisons
        with mpmath.workprec(400):
            x = 1 + mpmath.mpf(s) * (mpmath.mpf(t_mul) - 1) / first
            i = max(int(mpmath.floor(mpmath.log(x) / mpmath.log(mpmath.mpf(t_mul)))), 0)
    while i > 0 and geometric_start(i, first, t_mul) > s:
        i -= 1
    while geometric_start(i + 1, first, t_mul) <= s:
        i += 1
    start, end = geometric_start(i, first, t_mul), geometric_start(i + 1, first, t_mul)
    length = end - start
    done, left = (s - start) / length, (end - s) / length
    return i, mpmath.mpf(done.numerator) / done.denominator, mpmath.mpf(left.numerator) / left.denominator


def keras_float32_index(step: int, first: int, t_mul: float) -> int:
    """Keras ``CosineDecayRestarts``'s ``i_restart`` arithmetic in float32, for comparison."""
    f32 = np.float32
    c = f32(step) / f32(first)
    t = f32(t_mul)
    if t == 1:
        return int(np.floor(c))
    return int(np.floor(np.log(f32(1.0) - c * (f32(1.0) - t)) / np.log(t)))


def restart_steps(first: int, t_mul: float, top: int, rng: np.random.Generator) -> list[int]:
    """Steps around the restarts nearest 2**24, 2**31 and the dtype's max, the first few, the
    accumulation point for t_mul < 1, and random ones."""
    t = Fraction(t_mul)
    indices = {0, 1, 2, 3}
    for target in (2**24, 2**31, top):
        if t == 1:
            indices.add(target // first)
        elif t > 1:
            indices.add(int(math.log1p(target * (t_mul - 1) / first) / math.log(t_mul)))
        elif target < first / (1 - t):
            indices.add(int(math.log1p(-target * (1 - t_mul) / first) / math.log(t_mul)))
    if t < 1:
        last = geometric_limit_index(first, t_mul)
        indices |= set(range(max(last - 4, 0), last + 1))
    steps = {top}
    for i in indices:
        for j in (i - 1, i, i + 1):
            if j >= 0:
                r = math.ceil(geometric_start(j, first, t_mul))
                steps |= {r - 1, r, r + 1}
    steps |= set(rng.integers(0, top, 6, endpoint=True).tolist())
    return sorted(s for s in steps if 0 <= s <= top)


def check_geometric(xp, to_xp, dtype, int_dtype, first, t_mul, steps) -> dict[str, float]:
    from lrsched.numerics import xp_geometric_cycle, xp_half_cosine_fraction

    want = [geometric_cycle(s, first, t_mul) for s in steps]
    index, done, left = xp_geometric_cycle(to_xp(np.asarray(steps, dtype=int_dtype)), first, t_mul, xp=xp)
    assert np.asarray(index).dtype == int_dtype
    assert np.asarray(done).dtype == np.asarray(left).dtype == np.dtype(dtype)
    got_index = np.asarray(index).tolist()
    for step, g, (i, _, _) in zip(steps, got_index, want, strict=True):
        assert g == i, f"step {step}: cycle {g}, exactly {i} (first={first}, t_mul={t_mul})"
    cosine = xp_half_cosine_fraction(done, left, xp=xp)
    errors = {}
    for name, got, exact in [
        ("done", done, [d for _, d, _ in want]),
        ("left", left, [lf for _, _, lf in want]),
        ("half_cosine_fraction", cosine, [(1 + mpmath.cospi(d)) / 2 for _, d, _ in want]),
    ]:
        error, k = worst(np.asarray(got), exact, dtype)
        assert error <= (4 if dtype == "float32" else 1e-12), (
            f"{name} at step {steps[k]}: {error:.3g} (first={first}, t_mul={t_mul})"
        )
        errors[name] = error
    return errors


def check_geometric_namespace(xp, to_xp, int_dtype, dtype: str, seed: int = 0) -> dict[str, float]:
    """xp_geometric_cycle over fixed (first, t_mul): restarts exact, fractions within bounds."""
    top = int(np.iinfo(int_dtype).max)
    rng = np.random.default_rng(seed)
    worsts = {}
    for first, t_mul in [(10, 1.0), (3, 2.0), (7, 1.5), (1000, 0.9), (123457, 3.0)]:
        steps = restart_steps(first, t_mul, top, rng)
        for name, error in check_geometric(xp, to_xp, dtype, int_dtype, first, t_mul, steps).items():
            worsts[name] = max(worsts.get(name, 0.0), error)
    return worsts


# -- rational progress (HF transformers' cycles): the exact math with integers ----------------------
def periodic_progress(step: int, start: int, num: int, den: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``x = (step - start) * num / den`` folded on a period of 2: distances to the nearest even
    and odd integers, exactly."""
    r = ((step - start) * num) % (2 * den)
    r = min(r, 2 * den - r)
    return mpmath.mpf(r) / den, mpmath.mpf(den - r) / den


def rational_cycle(step: int, num: int, den: int, end: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``frac(s * num / den)`` and ``1 -`` it for ``s = clip(step, 0, end - 1)``, exactly."""
    s = min(max(step, 0), end - 1)
    r = (s * num) % den
    return mpmath.mpf(r) / den, mpmath.mpf(den - r) / den


def ratio_steps(num: int, den: int, start: int, bottom: int, top: int, rng: np.random.Generator) -> list[int]:
    """Steps around the first crossings of x = 1, 2, 3 (and one far out), 0, the dtype's ends, and random ones."""
    marks = [0, start, bottom, top, -1]
    if num:
        marks += [start + math.ceil(Fraction(k * den, num)) for k in (1, 2, 3, 2**20 + 1)]
    picked = {m + d for m in marks for d in (-1, 0, 1)}
    picked |= {bottom + int(x * (top - bottom)) for x in rng.random(8).tolist()}
    picked |= set(rng.integers(0, min(top, 10**6), 4, endpoint=True).tolist())
    return sorted(s for s in picked if bottom <= s <= top)
