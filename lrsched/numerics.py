"""Careful floating point, written once against an array namespace ``xp``.

Schedules call these helpers from ``value(step, xp)``; no schedule and no backend does its own
delicate arithmetic. Steps are integers throughout: integer division stays integer, and an
exponent ``num / den`` is never formed as a float quotient.

Accuracy, against the exact math on the float64 constants a schedule holds:

* exact namespace (Python ints, ``spec(step)``): correctly rounded, for ints of any size.
* float64: within 1e-12 relative for every int64 step whose result is a normal float.
* float32 (and narrower, computed in float32 then cast): within 2 ulps for every int32 and
  int64 step, with no float64 anywhere, so it holds on accelerators without float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from lrsched.xp import EXACT, xp_float_dtype

__all__ = ["xp_floor_divide", "xp_ldexp", "xp_scaled_power"]


def xp_floor_divide(step: Any, d: int, *, xp: Any) -> Any:
    """``step // d`` in integer arithmetic, exact for every step.

    Args:
      step: an integer array of namespace ``xp`` (or a Python int for the exact namespace).
      d: a positive Python int; it may exceed the range of ``step``'s dtype.

    Example:
      >>> import numpy as np
      >>> xp_floor_divide(np.array([-1, 0, 9, 10], dtype=np.int32), 2**40, xp=np)
      array([-1,  0,  0,  0], dtype=int32)
    """
    if isinstance(step, int):
        return step // d
    info = xp.iinfo(step.dtype)
    if d > info.max:  # every in-range step is in stair 0 (or -1 below zero)
        zero = xp.zeros_like(step)
        return xp.where(step < 0, zero - 1, zero) if info.min < 0 else zero
    return step // d


def xp_scaled_power(scale: float, base: float, num: Any, den: int = 1, *, xp: Any) -> Any:
    """``scale * base ** (num / den)`` for an integer ``num``, in ``xp``'s float dtype.

    The exponent is kept as the exact integer ``num`` times a constant: ``num / den`` is never
    rounded as a float, so integer exponents (staircases) stay exact at every step count.

    Args:
      scale: a finite float >= 0 (the value at ``num == 0``).
      base: a finite float > 0.
      num: an integer array of namespace ``xp``; a Python int for the exact namespace.
      den: a positive Python int.
      xp: the array namespace; see :mod:`lrsched.xp` for how it names its float dtype.

    Returns:
      An array shaped like ``num`` (a real of :mod:`lrsched.exact` for the exact namespace).

    Example:
      >>> import numpy as np
      >>> xp_scaled_power(0.1, 0.5, np.array([0, 1, 2]), 1, xp=np)
      array([0.1  , 0.05 , 0.025])
    """
    dtype = xp_float_dtype(xp)
    if dtype == EXACT:  # exact math: the plain formula
        return xp.real(scale) * xp.pow(xp.real(base), num / den)
    if scale == 0.0 or base == 1.0:
        return xp.zeros_like(num, dtype=dtype) + scale
    if dtype == xp.float64:
        return scale * xp.exp(xp.astype(num, dtype) * _log_over(base, den))
    if not xp.isdtype(dtype, "real floating"):
        raise TypeError(f"xp_scaled_power computes in a real floating dtype; the namespace has {dtype}")
    info = xp.iinfo(num.dtype)
    plan = _f32_plan(scale, base, den, max(info.max, -info.min))
    result = _power_f32(plan, num, xp)
    return result if dtype == xp.float32 else xp.astype(result, dtype)


# -- exact and float64 ------------------------------------------------------------------------
def _mp_log(base: float, den: int, prec: int, base2: bool = False) -> Fraction:
    """``log(base) / den`` (``log2`` with ``base2``) to ``prec`` bits, as an exact Fraction."""
    from mpmath import libmp

    log = libmp.mpf_log(libmp.from_float(base), prec + 10, "n")
    if base2:
        log = libmp.mpf_div(log, libmp.mpf_ln2(prec + 10, "n"), prec + 10, "n")
    sign, man, exp, _ = libmp.mpf_div(log, libmp.from_int(den), prec, "n")
    value = Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
    return -value if sign else value


@lru_cache(maxsize=256)
def _log_over(base: float, den: int) -> float:
    """``log(base) / den``, correctly rounded to float64."""
    return float(_mp_log(base, den, 200))


# -- float32 -------------------------------------------------------------------------------
# The exponent y = num * K (K = log2(base) / den) is summed exactly as float32 pieces:
# num is cut into 12-bit integer digits and K into three 12-bit float pieces, so every
# digit * piece product is exact in float32's 24-bit significand. Each product is split into
# its integer part (summed in int32, exactly) and its fraction (summed with TwoSum). The
# result is then m * 2**f * 2**n for the scale's significand m, the fraction f in about
# [-1/2, 1/2] and an integer n: 2**f comes from a polynomial, 2**n from an exact ldexp.
_DIGIT_BITS = 12
_PIECES = 3
# 2**f - 1 = sum_k (f ln 2)**k / k!: Taylor coefficients through degree 8, float32-rounded.
_EXP2_COEFFS = tuple(float(Fraction(math.log(2) ** k) / math.factorial(k)) for k in range(1, 9))


@dataclass(frozen=True)
class _F32Plan:
    clamp: int | None  # clip num to [-clamp, clamp]: beyond it the result is 0 or inf anyway
    digits: int  # how many 12-bit digits num is cut into
    terms: tuple[tuple[int, float], ...]  # (digit index, constant): y = sum digit_i * constant
    m_hi: float  # scale = (m_hi + m_lo) * 2**e, m_hi in [1, 2)
    m_lo: float
    e: int


def _f32(x: float) -> float:
    """Round a float64 to the nearest float32, returned as a Python float."""
    import struct

    return struct.unpack("f", struct.pack("f", x))[0]


def _round_bits(x: Fraction, bits: int) -> Fraction:
    """``x`` rounded to ``bits`` significant bits."""
    if x == 0:
        return Fraction(0)
    _, exponent = math.frexp(float(x))
    unit = Fraction(2) ** (exponent - bits)
    return round(x / unit) * unit


@lru_cache(maxsize=256)
def _f32_plan(scale: float, base: float, den: int, int_max: int) -> _F32Plan:
    k = _mp_log(base, den, 200, base2=True)
    mantissa, e = math.frexp(scale)
    mantissa, e = mantissa * 2, e - 1
    m_hi = _f32(mantissa)
    m_lo = _f32(mantissa - m_hi)
    y_max = 160 + abs(e)  # |y| beyond this: the result is 0 or inf whatever m and f are
    need = math.ceil(y_max / abs(k)) + 1
    clamp = need if need < int_max else None
    bits = min(need, int_max).bit_length()
    digits = max(1, -(-bits // _DIGIT_BITS))
    pieces, rest = [], k
    for _ in range(_PIECES):
        piece = _round_bits(rest, _DIGIT_BITS)
        pieces.append(piece)
        rest -= piece
    terms = []
    for i in range(digits):
        top = 2 ** (bits - _DIGIT_BITS * i if i == digits - 1 else _DIGIT_BITS)
        for piece in pieces:
            constant = piece * 2 ** (_DIGIT_BITS * i)
            if abs(constant) * top >= Fraction(1, 2**40):  # smaller terms cannot move y
                terms.append((i, float(constant)))
    return _F32Plan(clamp, digits, tuple(terms), m_hi, m_lo, e)


def _two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """``a + b`` as a float and its exact rounding error (Knuth's TwoSum)."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _power_f32(plan: _F32Plan, num: Any, xp: Any) -> Any:
    f32 = xp.float32
    if not plan.terms:
        return xp.zeros_like(num, dtype=f32) + plan.m_hi * 2.0**plan.e
    if plan.clamp is not None:  # an unsigned num has no negative bound (JAX would wrap -clamp)
        signed = xp.iinfo(num.dtype).min < 0
        num = xp.clip(num, -plan.clamp if signed else 0, plan.clamp)
    mask = (1 << _DIGIT_BITS) - 1
    digits = []
    for i in range(plan.digits):
        digit = xp.bitwise_right_shift(num, _DIGIT_BITS * i) if i else num
        if i < plan.digits - 1:
            digit = xp.bitwise_and(digit, mask)
        digits.append(xp.astype(digit, f32))
    whole = frac = comp = None
    for i, constant in plan.terms:
        term = digits[i] * constant  # exact
        integer = xp.round(term)
        part = term - integer  # exact, in [-1/2, 1/2]
        integer = xp.astype(integer, xp.int32)
        if whole is None:
            whole, frac = integer, part
            continue
        whole = whole + integer
        frac, error = _two_sum(frac, part)
        comp = error if comp is None else comp + error
    integer = xp.round(frac)
    whole = whole + xp.astype(integer, xp.int32)
    f, f_lo = frac - integer, comp
    if f_lo is not None:
        f, f_lo = _two_sum(f, f_lo)
    c1, *higher = _EXP2_COEFFS
    poly = higher[-1]
    for c in reversed(higher[:-1]):
        poly = poly * f + c
    t = f * (c1 + f * poly)  # 2**f - 1
    if f_lo is not None:
        t = t + c1 * f_lo
    v = plan.m_hi + (plan.m_hi * t + (plan.m_lo + plan.m_lo * t))  # m * 2**f, in [0.7, 2.9]
    return xp_ldexp(v, whole + plan.e, xp=xp)


def xp_ldexp(x: Any, n: Any, *, xp: Any) -> Any:
    """``x * 2**n`` for a float array ``x`` and an integer array ``n``, exactly.

    Uses the namespace's ``ldexp`` where it has one (numpy, JAX); otherwise multiplies by the
    powers of two that ``n``'s bits select, smallest first, so that only the last product can
    round (into the subnormals).

    Example:
      >>> import numpy as np
      >>> float(xp_ldexp(np.float32(1.5), np.int32(-3), xp=np))
      0.1875
    """
    ldexp = getattr(xp, "ldexp", None)
    if ldexp is not None:
        return ldexp(x, n)
    n = xp.clip(n, -255, 255)
    negative = n < 0
    magnitude = xp.abs(n)
    for k in range(8):
        bit = xp.bitwise_and(xp.bitwise_right_shift(magnitude, k), 1) == 1
        power = 2**k if k < 7 else 64  # 2**128 overflows float32: apply 2**64 twice
        factor = xp.where(
            negative, xp.asarray(2.0**-power, dtype=x.dtype), xp.asarray(2.0**power, dtype=x.dtype)
        )
        for _ in range(1 if k < 7 else 2):
            x = xp.where(bit, x * factor, x)
    return x
