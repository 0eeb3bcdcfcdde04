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
import sys
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from lrsched.xp import EXACT, scalar, xp_float_dtype

__all__ = [
    "xp_blend",
    "xp_cosine_step",
    "xp_cycle",
    "xp_floor_divide",
    "xp_geometric_cycle",
    "xp_half_cosine",
    "xp_half_cosine_fraction",
    "xp_interval_fraction",
    "xp_inverse_time",
    "xp_ldexp",
    "xp_lerp",
    "xp_linear_fall",
    "xp_periodic_progress",
    "xp_polynomial",
    "xp_polynomial_fall",
    "xp_product",
    "xp_progress",
    "xp_progress_power",
    "xp_progress_remaining",
    "xp_ratio_power",
    "xp_rational_cycle",
    "xp_remaining",
    "xp_rounds_to_inf",
    "xp_scale",
    "xp_scaled_power",
    "xp_sqrt_fall",
    "xp_step_power",
]


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
    if dtype is float or dtype == xp.float64:
        return _power_f64(scale, base, num, den, dtype, xp)
    if not xp.isdtype(dtype, "real floating"):
        raise TypeError(f"xp_scaled_power computes in a real floating dtype; the namespace has {dtype}")
    info = xp.iinfo(num.dtype)
    plan = _f32_plan(scale, base, den, max(info.max, -info.min))
    result = _power_f32(plan, num, xp)
    return result if dtype == xp.float32 else xp.astype(result, dtype)


def xp_ratio_power(scale: float, top: float, num: Any, den: int, *, xp: Any) -> Any:
    """``scale * (top / scale) ** (num / den)``: a geometric ramp from ``scale`` (``num == 0``) to
    ``top`` (``num == den``), for finite floats ``scale, top > 0``.

    Also where ``top / scale`` is beyond float64's range (a ramp from 1e-295 to 2.7e13, whose
    ratio overflows): then as ``scale * b ** (4 * num / den)`` with ``b`` the ratio's fourth
    root, formed from the two floats' significands and exponents (within 2 ulps; its error grows
    at most 4-fold in the result).

    Example:
      >>> import numpy as np
      >>> f"{xp_ratio_power(1.5e-295, 2.7e13, np.asarray(1), 2, xp=np):.12g}"  # sqrt(1.5e-295 * 2.7e13)
      '2.01246117975e-141'
    """
    ratio = top / scale
    if 2.0**-1022 <= ratio < math.inf or _kind(xp) == "exact":
        return xp_scaled_power(scale, ratio, num, den, xp=xp)
    (mt, et), (ms, es) = math.frexp(top), math.frexp(scale)
    for root in (4, 2):  # |log2(ratio)| < 2100: a fourth root is within float64's range
        k, r = divmod(et - es, root)
        base = (mt / ms * 2.0**r) ** (1 / root)
        wide = _holding(num, root * den, xp)
        if wide is not None and -1000 < k + math.log2(base) < 1000:
            return xp_scaled_power(scale, math.ldexp(base, k), wide * root, den, xp=xp)
    return xp_scaled_power(scale, ratio, num, den, xp=xp)  # 0 or inf beyond the start


# -- exact and float64 ------------------------------------------------------------------------
# base ** (q / den) beyond 2**+-1000 where scale is on the other side of 1: the result may still be
# a normal float while the power alone over- or underflows (1.8e-217 * 2.0 ** 1422.5 = 3.0e211).
_F64_EDGE = 1000


def _holding(num: Any, top: int, xp: Any) -> Any:
    """``num`` in an integer dtype that holds ``top`` (int8 steps times 4 need int16): ``num``
    itself, widened to int32 (int64 in float64), or None where neither holds it."""
    if isinstance(num, int) or top <= xp.iinfo(num.dtype).max:
        return num
    wide = xp.int64 if _kind(xp) == "float64" else xp.int32
    return xp.astype(num, wide) if top <= xp.iinfo(wide).max else None


def _power_f64(scale: float, base: float, num: Any, den: int, dtype: Any, xp: Any) -> Any:
    """float64 (arrays, or Python floats for :data:`lrsched.xp.scalar`), with no intermediate
    over- or underflow where ``scale * base ** (num / den)`` is a normal float (``num`` of either
    sign: ``Offset`` hands a schedule negative steps)."""
    q = xp.astype(num, dtype)
    near_scale, near_q = scale, q  # the plain formula's scale and exponent
    if 0.0 < scale < sys.float_info.min and base > 1.0:
        # a subnormal scale has few digits, and TensorFlow reads it as 0 (its CPU kernels flush
        # subnormal inputs): scale * base ** (q / den) == normal * base ** ((q - k) / den)
        k0, near_scale = _normal_scale(scale, base, den)
        near_q = q - k0
    pow_ = getattr(xp, "pow", None)  # a namespace without pow (a plugin's) keeps exp
    if den == 1 and pow_ is not None:  # integer exponent: exact where the value is a float

        def power(e: Any) -> Any:
            return pow_(base, e)
    else:
        c = _log_over(base, den)

        def power(e: Any) -> Any:
            return xp.exp(e * c)

    signed = isinstance(num, int) or xp.iinfo(num.dtype).min < 0
    shift = _f64_shift(scale, base, den, None if isinstance(num, int) else _bits(num.dtype, xp), signed)
    if shift is None:  # no step of this dtype reaches the edge: the plain formula
        return near_scale * power(near_q)
    threshold, k, factor = shift
    # beyond the threshold (below -threshold where k < 0: negative steps), shift the exponent by
    # k and fold base ** (k / den) into the scale:
    # scale * base ** (q / den) == (scale * base ** (k / den)) * base ** ((q - k) / den), each
    # factor near the result; below it, the plain formula (exact where it was).
    far = q >= threshold if k > 0 else q <= -threshold
    if isinstance(far, bool):  # Python scalars
        return factor * power(q - k) if far else near_scale * power(near_q)
    scales = xp.where(far, xp.asarray(factor, dtype=dtype), xp.asarray(near_scale, dtype=dtype))
    return scales * power(xp.where(far, q - k, near_q))


@lru_cache(maxsize=256)
def _normal_scale(scale: float, base: float, den: int) -> tuple[int, float]:
    """``(k, scale * base ** (k / den))`` for the least ``k`` that puts it in float64's normal
    range, for a subnormal ``scale > 0`` and ``base > 1`` (rounded once, from mpmath)."""
    from mpmath import mp, mpf

    with mp.workprec(200):
        tiny = mpf(sys.float_info.min)
        k = max(0, int(mp.floor(mp.log(tiny / scale) / mp.log(base) * den)) - 1)
        while mpf(scale) * mpf(base) ** (mpf(k) / den) < tiny:
            k += 1
        return k, float(mpf(scale) * mpf(base) ** (mpf(k) / den))


@lru_cache(maxsize=256)
def _f64_shift(
    scale: float, base: float, den: int, bits: int | None, signed: bool = False
) -> tuple[float, int, float] | None:
    """``(threshold, k, scale * base ** (k / den))`` when some ``num`` of ``bits`` bits (any for
    None) puts ``base ** (num / den)`` beyond 2**+-1000 on the side where ``scale`` pulls the
    result back (scale < 1 against overflow, scale > 1 against underflow); None when none does.
    ``k`` is a multiple of ``den``: positive where ``num >= threshold`` does, negative where
    ``num <= -threshold`` does (only with ``signed``: the formula extended to negative steps)."""
    log_base, log_scale = math.log2(base) / den, math.log2(scale)
    if log_base == 0 or log_scale == 0 or ((log_base > 0) != (log_scale < 0) and not signed):
        return None  # the side scale pulls back is reached only by negative steps
    threshold = math.ceil(_F64_EDGE / abs(log_base))
    if bits is not None and threshold >= 2**bits:
        return None
    from mpmath import mp, mpf

    # periods k with scale * base ** k in [1, b] against overflow and in [1/b, 1] against
    # underflow (b = max(base, 1 / base)): a power rounded into the subnormals is then not magnified.
    with mp.workprec(200):
        b = max(mpf(base), 1 / mpf(base))
        low, high = (mpf(1), b) if log_scale < 0 else (1 / b, mpf(1))
        low, high = low * (1 - mpf(2) ** -150), high * (1 + mpf(2) ** -150)  # ties: either k
        k = int(mp.floor(-mp.log(scale) / mp.log(base)))
        for _ in range(8):  # the floor of the exact quotient is within a step or two
            factor = mpf(scale) * mpf(base) ** k
            if factor < low:
                k += 1 if base > 1 else -1
            elif factor > high:
                k -= 1 if base > 1 else -1
            else:
                break
        else:  # pragma: no cover
            raise AssertionError((scale, base, k))
    return float(threshold), k * den, float(factor)


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
def _f32_plan(scale: float, base: float, den: int, int_max: int, reach: int = 160) -> _F32Plan:
    """How :func:`_power_f32` forms ``scale * base ** (num / den)``; ``reach``: the power of two
    beyond which the result is 0 or inf (160; 310 for a result times a float32 factor)."""
    k = _mp_log(base, den, 200, base2=True)
    mantissa, e = math.frexp(scale)
    mantissa, e = mantissa * 2, e - 1
    m_hi = _f32(mantissa)
    m_lo = _f32(mantissa - m_hi)
    y_max = reach + abs(e)  # |y| beyond this: the result is 0 or inf whatever m and f are
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


def _power_f32(plan: _F32Plan, num: Any, xp: Any, factor: Any = None) -> Any:
    f32 = xp.float32
    if not plan.terms:
        value = xp.zeros_like(num, dtype=f32) + plan.m_hi * 2.0**plan.e
        return value if factor is None else value * factor
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
    return _exp2(whole, f, f_lo, plan.m_hi, plan.m_lo, plan.e, xp, factor)


def _scaled_power_times(scale: float, base: float, num: Any, times: Any, xp: Any) -> Any:
    """``times * scale * base**num`` in float32 for ``times`` in [0, 1], with the power of two
    applied last: no intermediate over- or underflow where the result is a float32 (``scale``
    and ``scale * base**num`` may be far outside float32's range)."""
    info = xp.iinfo(num.dtype)
    return _power_f32(_f32_plan(scale, base, 1, max(info.max, -info.min), 310), num, xp, times)


def _exp2(
    whole: Any, f: Any, f_lo: Any, m_hi: float, m_lo: float, e: int, xp: Any, factor: Any = None
) -> Any:
    """``(m_hi + m_lo) * 2**(whole + e + f + f_lo)`` for an int32 ``whole`` and ``|f| <= 1/2``
    (times ``factor``, applied before the exact power of two: no intermediate over- or underflow)."""
    c1, *higher = _EXP2_COEFFS
    poly = higher[-1]
    for c in reversed(higher[:-1]):
        poly = poly * f + c
    t = f * (c1 + f * poly)  # 2**f - 1
    if f_lo is not None:
        t = t + c1 * f_lo
    v = m_hi + (m_hi * t + (m_lo + m_lo * t))  # m * 2**f, in [0.7, 2.9]
    if factor is not None:
        v = v * factor
    return xp_ldexp(v, whole + e, xp=xp)


def xp_ldexp(x: Any, n: Any, *, xp: Any) -> Any:
    """``x * 2**n`` for a float array ``x`` and an integer array ``n``, exactly.

    One mechanism, three ways to build the powers of two, chosen by what the namespace offers:

    * float32 and a bitcast primitive (``xp.lrsched_bitcast(int32_array, float32)``, which a
      backend supplies: ``lax.bitcast_convert_type``, ``tf.bitcast``, ``Tensor.view``): the
      powers are written as bits (musl's ``scalbnf``, branch-free): at most three multiplications
      by exact powers of two, the first two keeping the intermediate normal, so only the last
      can round (into the subnormals);
    * otherwise the namespace's own ``ldexp`` where it has one (numpy);
    * otherwise a portable chain of ``where`` over ``n``'s bits, smallest power first.

    Example:
      >>> import numpy as np
      >>> float(xp_ldexp(np.float32(1.5), np.int32(-3), xp=np))
      0.1875
    """
    bitcast = getattr(xp, "lrsched_bitcast", None)
    if bitcast is not None and x.dtype == xp.float32:
        return _ldexp_bits(x, n, bitcast, xp)
    ldexp = getattr(xp, "ldexp", None)
    if ldexp is not None:
        return ldexp(x, n)
    # float32: |n| < 2**9 (2**-149 * 2**277 overflows), powers up to 2**64 (2**128 as 2**64 twice);
    # float64: |n| < 2**12, powers up to 2**512 (2**1024 as 2**512 twice, 2**2048 four times)
    levels, chunk = (9, 64) if x.dtype == xp.float32 else (12, 512)
    n = xp.clip(n, -(2**levels - 1), 2**levels - 1)
    negative = n < 0
    magnitude = xp.abs(n)
    for k in range(levels):
        bit = xp.bitwise_and(xp.bitwise_right_shift(magnitude, k), 1) == 1
        power = min(2**k, chunk)
        factor = xp.where(
            negative, xp.asarray(2.0**-power, dtype=x.dtype), xp.asarray(2.0**power, dtype=x.dtype)
        )
        for _ in range(2**k // power):
            x = xp.where(bit, x * factor, x)
    return x


def xp_product(values: list[Any], *, xp: Any) -> Any:
    """The product of float arrays, 0 where any is 0 (even where another is inf), without the
    intermediate over- and underflow of multiplying in turn.

    Each factor is split exactly as ``m * 2**e`` (``m`` within [0.5, 2]); the ``m`` are multiplied
    and the ``e`` summed as integers, applied last (:func:`xp_ldexp`). The roundings are those of
    the plain product, its range that of the result: ``2.5e36 * 3e272 * 0.125`` is 9.4e307 in
    float64, not ``inf`` (the first two overflow alone).

    Example:
      >>> import numpy as np
      >>> x = np.array([2.5e36]), np.array([3e272]), np.array([0.125])
      >>> float(xp_product(list(x), xp=np)[0])
      9.375e+307
    """
    if all(type(v) in (float, int) for v in values):  # Python floats (a scalar namespace), not numpy's
        if any(v == 0 for v in values):
            return 0.0
        head, total = 1.0, 0
        for v in values:
            m, e = math.frexp(v)
            head, total = head * m, total + e
        try:
            return math.ldexp(head, total)
        except OverflowError:
            return math.copysign(math.inf, head)
    zero = values[0] == 0
    for v in values[1:]:
        zero = zero | (v == 0)
    out, total = None, None
    for v in values:
        usual = xp.isfinite(v) & ~zero
        safe = xp.where(usual, v, xp.ones_like(v))
        e = xp.astype(xp.floor(xp.log2(xp.abs(safe))), xp.int32)  # within 1 of the exponent
        m = xp.where(usual, xp_ldexp(safe, -e, xp=xp), xp.where(zero, xp.zeros_like(v), v))
        out = m if out is None else out * m  # no inf * 0: the zero lanes are 0 in every factor
        total = e if total is None else total + e
    return xp_ldexp(out, total, xp=xp)


def _ldexp_bits(x: Any, n: Any, bitcast: Any, xp: Any) -> Any:
    f32, i32 = xp.float32, xp.int32
    n = xp.clip(xp.astype(n, i32), -330, 381)  # beyond: 0 or inf whatever x is
    one, up, down = (xp.asarray(v, dtype=f32) for v in (1.0, 2.0**127, 2.0**-102))
    for _ in range(2):
        big, small = n > 127, n < -126
        x = x * xp.where(big, up, xp.where(small, down, one))
        n = n - xp.where(
            big,
            xp.asarray(127, dtype=i32),
            xp.where(small, xp.asarray(-102, dtype=i32), xp.asarray(0, dtype=i32)),
        )
    bits = xp.bitwise_left_shift(xp.clip(n, -126, 127) + 127, 23)
    return x * bitcast(bits, f32)


# == building blocks ==========================================================================
# Every block splits its integer arithmetic off first (exactly, in the step's own dtype), then
# goes to floating point once. The float32 path forms a product ``factor * n`` of a constant
# and an integer array as an unevaluated float32 pair (hi, lo), good to about 2**-36 relative:
# n is cut into 12-bit digits and each ``factor * 2**(12 i)`` into a 12-bit head (so each
# digit * head is exact) and a float32 tail; the exact heads are summed with TwoSum.
_PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494459230781640629")
_LN2 = Fraction("0.693147180559945309417232121458176568075500134360255254120680009493393621969")
_SPLIT = 3072.0  # (x + 3072) - 3072 rounds |x| < 1024 to a multiple of 2**-12 in float32


def _pair(x: Fraction) -> tuple[float, float]:
    """``x`` as two float32 values whose sum is within 2**-48 relative of it."""
    hi = _f32(float(x))
    return hi, _f32(float(x - Fraction(hi)))


@lru_cache(maxsize=1024)
def _product_plan(factor: Fraction, bits: int) -> tuple[tuple[float, float], ...]:
    """(head, tail) of ``factor * 2**(12 i)`` for each 12-bit digit of a ``bits``-bit integer."""
    plan = []
    for i in range(max(1, -(-bits // _DIGIT_BITS))):
        constant = factor * 2 ** (_DIGIT_BITS * i)
        head = _round_bits(constant, _DIGIT_BITS)
        plan.append((float(head), _f32(float(constant - head))))
    return tuple(plan)


def _sum_f32(exact: list[Any], small: list[Any], xp: Any) -> tuple[Any, Any]:
    """``sum(exact) + sum(small)`` as a float32 pair: the exact terms summed with TwoSum, the
    small ones (each far below the total) added to the running error."""
    total, error = exact[0], None
    for term in exact[1:]:
        total, err = _two_sum(total, term)
        error = err if error is None else error + err
    for term in small:
        error = term if error is None else error + term
    if error is None:
        return total, xp.zeros_like(total)
    hi = total + error
    return hi, error - (hi - total)


def _product_f32(
    factor: Fraction, n: Any, bits: int, xp: Any, extra: tuple[Any, Any] | None = None
) -> tuple[Any, Any]:
    """``factor * n (+ extra)`` as a float32 pair, for an integer array ``n`` with
    ``|n| < 2**bits`` (two's complement: the top digit carries the sign)."""
    plan = _product_plan(factor, bits)
    exact, small = [], []
    for i, (head, tail) in enumerate(plan):
        digit = xp.bitwise_right_shift(n, _DIGIT_BITS * i) if i else n
        if i < len(plan) - 1:
            digit = xp.bitwise_and(digit, (1 << _DIGIT_BITS) - 1)
        digit = xp.astype(digit, xp.float32)
        exact.append(digit * head)  # 12 bits times 12 bits: exact
        if tail:
            small.append(digit * tail)
    if extra is not None:
        exact.append(extra[0])
        small.append(extra[1])
    return _sum_f32(exact, small, xp)


def _bits(dtype: Any, xp: Any) -> int:
    info = xp.iinfo(dtype)
    return max(info.max, -info.min).bit_length()


def _kind(xp: Any) -> str:
    """ "exact", "float64" (Python floats or float64 arrays) or "float32" (narrower: cast after)."""
    dtype = xp_float_dtype(xp)
    if dtype == EXACT:
        return "exact"
    if dtype is float or dtype == xp.float64:
        return "float64"
    if not xp.isdtype(dtype, "real floating"):
        raise TypeError(f"lrsched.numerics computes in a real floating dtype; the namespace has {dtype}")
    return "float32"


def _finish(value: Any, xp: Any) -> Any:
    """A float32 result cast to the namespace's float dtype (a value already in it, as every
    float64 result is, is returned as it is: ``astype`` would copy it)."""
    dtype = xp_float_dtype(xp)
    return value if dtype == xp.float32 or getattr(value, "dtype", None) == dtype else xp.astype(value, dtype)


def _real(n: Any, xp: Any) -> Any:
    """An integer (Python int or integer array) as the namespace's real."""
    dtype = xp_float_dtype(xp)
    if isinstance(n, int):
        return xp.asarray(n, dtype=xp.float64 if dtype in (EXACT, float) else dtype)
    return xp.astype(n, dtype)


def _offset(step: Any, start: int, length: int, xp: Any) -> tuple[Any, int]:
    """``k = clip(step - start, 0, length)`` exactly, in the step's dtype, and ``kmax``: the
    largest k the dtype allows (``k <= kmax <= length``; ``length - kmax`` is what lies beyond)."""
    if isinstance(step, int):
        return min(max(step - start, 0), length), length
    top = xp.iinfo(step.dtype).max
    if start > top:  # every step is before the start
        return xp.zeros_like(step), 0
    kmax = min(length, top - start)
    k = xp.clip(step, start, start + kmax)
    if start:
        k -= start  # in place: clip made a new array
    return k, kmax


def _check_interval(start: int, length: int) -> None:
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise ValueError(f"start must be an int >= 0; received start={start!r}")
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be an int >= 1; received length={length!r}")


def xp_progress(step: Any, start: int, length: int, *, xp: Any) -> Any:
    """``clip((step - start) / length, 0, 1)``: the fraction of an interval done at ``step``.

    The offset ``step - start`` is clipped in integer arithmetic, then divided once:
    float64 within 1 ulp; float32 within 0.5 ulp plus 2**-36 relative (no float64).

    Args:
      step: an integer array (any int or uint dtype, any shape), or a Python int for the
        scalar and exact namespaces.
      start: the first step of the interval; an int >= 0, possibly beyond the dtype's range.
      length: the interval's length in steps; an int >= 1, possibly beyond the dtype's range.
      xp: the array namespace; the result has its float dtype.

    Example:
      >>> import numpy as np
      >>> xp_progress(np.array([0, 10, 15, 30]), 10, 10, xp=np)
      array([0. , 0. , 0.5, 1. ])
    """
    if (
        type(step) is int and xp is scalar
    ):  # one Python step (the torch scheduler): int / int is correctly rounded
        return min(max(step - start, 0), length) / length
    _check_interval(start, length)
    kind = _kind(xp)
    k, kmax = _offset(step, start, length, xp)
    if kind != "float32":
        p = _real(k, xp)
        p /= length  # in place: p is this function's own array (one allocation fewer)
        return p
    hi, _ = _product_f32(Fraction(1, length), k, kmax.bit_length(), xp)
    return _finish(hi, xp)


def _remaining(step: Any, start: int, length: int, factor: Fraction, xp: Any) -> tuple[Any, Any]:
    """``factor * (length - k)`` as a float32 pair, from the exact integer remainder."""
    k, kmax = _offset(step, start, length, xp)
    beyond = length - kmax  # what the dtype cannot hold: a constant
    return _product_f32(factor, kmax - k, kmax.bit_length(), xp, _pair(factor * beyond) if beyond else None)


def xp_remaining(step: Any, start: int, length: int, *, xp: Any) -> Any:
    """``1 - xp_progress(step, start, length)``, from the exact integer remainder ``length - k``.

    Accurate relative to itself near 0 (the end of the interval), where ``1 - progress`` in
    floating point would keep only ``progress``'s absolute error: float64 within 1 ulp,
    float32 within 0.5 ulp plus 2**-36 relative.

    Example:
      >>> import numpy as np
      >>> xp_remaining(np.array([0, 15, 19, 99]), 10, 10, xp=np)
      array([1. , 0.5, 0.1, 0. ])
    """
    if type(step) is int and xp is scalar:  # one Python step: int / int is correctly rounded
        return (length - min(max(step - start, 0), length)) / length
    _check_interval(start, length)
    kind = _kind(xp)
    if kind != "float32":
        k, kmax = _offset(step, start, length, xp)
        left = _real(kmax - k, xp)  # in place below: this function's own array
        if length > kmax:
            left += _real(length - kmax, xp)
        left /= length
        return left
    hi, _ = _remaining(step, start, length, Fraction(1, length), xp)
    return _finish(hi, xp)


def xp_progress_remaining(step: Any, start: int, length: int, *, xp: Any) -> tuple[Any, Any]:
    """``(xp_progress(...), xp_remaining(...))`` at once: both fractions from one clipped offset.

    Example:
      >>> import numpy as np
      >>> xp_progress_remaining(np.array([0, 15, 19, 99]), 10, 10, xp=np)
      (array([0. , 0.5, 0.9, 1. ]), array([1. , 0.5, 0.1, 0. ]))
    """
    if (type(step) is int and xp is scalar) or _kind(xp) == "float32":
        return xp_progress(step, start, length, xp=xp), xp_remaining(step, start, length, xp=xp)
    _check_interval(start, length)
    k, kmax = _offset(step, start, length, xp)
    p = _real(k, xp)  # this function's own arrays, divided in place below
    if length <= 2**53:  # length - k is exact in float64 (and one array fewer than in integers)
        q = length - p
    else:
        q = _real(kmax - k, xp)
        if length > kmax:
            q += _real(length - kmax, xp)
    p /= length
    q /= length
    return p, q


def xp_sqrt_fall(step: Any, start: int, length: int, *, xp: Any) -> Any:
    """``1 - sqrt(p)`` for ``p = xp_progress(step, start, length)``, accurate relative to itself
    near its 0 at ``p = 1`` (HF's ``1-sqrt`` cooldown).

    Computed as ``(1 - p) / (1 + sqrt(p))`` with ``1 - p`` from the exact integer remainder; in
    float64 (``length <= 2**53``) as ``(length - k) / (length + sqrt(length * k))`` for the clipped
    offset ``k``: four roundings, within 2 ulps, and two divisions fewer.

    Example:
      >>> import numpy as np
      >>> xp_sqrt_fall(np.array([0, 25, 100, 400]), 0, 100, xp=np)
      array([1. , 0.5, 0. , 0. ])
    """
    if isinstance(step, int) or _kind(xp) != "float64" or length > 2**53:
        p, q = xp_progress_remaining(step, start, length, xp=xp)
        return q / (1 + xp.sqrt(p))
    _check_interval(start, length)
    k, _ = _offset(step, start, length, xp)
    kf = _real(k, xp)  # exact (k <= 2**53); this function's own arrays, updated in place below
    q = length - kf  # exact
    kf *= length
    den = xp.sqrt(kf)
    den += length
    q /= den
    return q


# sin(y)**2 = z * (1 + z * R(z)) for z = y**2: R's Taylor coefficients, which for |y| <= pi/4
# leave a truncation error below 2**-33 relative.
_SIN2_COEFFS = tuple(
    _f32(float(Fraction((-1) ** (k + 1) * 2 ** (2 * k + 3), math.factorial(2 * k + 4)))) for k in range(6)
)


def _sin2_f32(y_hi: Any, y_lo: Any, xp: Any) -> tuple[Any, Any]:
    """``sin(y)**2`` for ``0 <= y = y_hi + y_lo <= pi/4`` as a float32 pair, within 1 ulp."""
    y1 = (y_hi + _SPLIT) - _SPLIT  # a multiple of 2**-12: 12 bits, so y1 * y1 is exact
    y2 = y_hi - y1
    z_hi = y1 * y1
    z_lo = y2 * (y1 + y1 + y2) + (y_hi + y_hi) * y_lo
    z = z_hi + z_lo
    poly = _SIN2_COEFFS[-1]
    for c in reversed(_SIN2_COEFFS[:-1]):
        poly = poly * z + c
    w = z_lo + z * (z * poly)
    hi = z_hi + w
    return hi, w - (hi - z_hi)


# 1/3 and 2/45, the first two of _SIN2_COEFFS in magnitude, as float32 pairs
_THIRD = _pair(Fraction(1, 3))
_TWO_45THS = _pair(Fraction(2, 45))


def _two_prod_const(a: Any, c: float) -> tuple[Any, Any]:
    """``a * c`` as a float32 pair for a float32 array ``a`` and a float32 constant ``c`` (Python
    float): :func:`_two_prod_f32` with ``c``'s 12-bit halves split exactly here, not in float64."""
    c1 = float(_round_bits(Fraction(c), _DIGIT_BITS))
    c2 = c - c1  # exact: c has 24 bits, c1 its top 12
    p = a * c
    big = a * 4097.0
    a1 = big - (big - a)
    a2 = a - a1
    return p, ((a1 * c1 - p) + a1 * c2 + a2 * c1) + a2 * c2


def _sin2_pair_f32(y_hi: Any, y_lo: Any, xp: Any) -> tuple[Any, Any]:
    """``sin(y)**2`` for ``0 <= y = y_hi + y_lo <= pi/4`` as a float32 pair good to about 2**-33
    relative (:func:`_sin2_f32`'s pair is good to its ``hi``'s ulp only): ``z - z**2 / 3 + 2 z**3 /
    45 + z**4 R(z)`` for ``z = y**2``, the first three terms in pair arithmetic. For a power of the
    half cosine, which multiplies the relative error of its base by the exponent."""
    z_hi, z_lo = _two_prod_f32(y_hi, y_hi)  # y_hi**2, exactly (a split relative to y_hi)
    z_lo = z_lo + (y_hi + y_hi) * y_lo
    zh = z_hi + z_lo  # z as a normalized pair (zh, zl)
    zl = z_lo - (zh - z_hi)
    p, e = _two_prod_f32(zh, zh)  # z**2 = p + e
    e = e + 2.0 * zh * zl
    a, a_lo = _two_prod_const(p, _THIRD[0])  # z**2 / 3 = a + a_lo
    a_lo = a_lo + p * _THIRD[1] + e * _THIRD[0]
    r, r_lo = _two_prod_f32(p, zh)  # z**3 = r + r_lo
    r_lo = r_lo + p * zl + e * zh
    b, b_lo = _two_prod_const(r, _TWO_45THS[0])  # 2 z**3 / 45 = b + b_lo
    b_lo = b_lo + r * _TWO_45THS[1] + r_lo * _TWO_45THS[0]
    poly = _SIN2_COEFFS[-1]
    for c in reversed(_SIN2_COEFFS[2:-1]):
        poly = poly * zh + c
    rest = (p * p) * poly  # z**4 R(z): below 2**-10 z, its float32 rounding below 2**-33 z
    t1, e1 = _two_sum(zh, -a)
    t2, e2 = _two_sum(t1, b)
    lo = ((e1 + e2) + (zl - a_lo + b_lo)) + rest
    hi = t2 + lo
    return hi, lo - (hi - t2)


def xp_half_cosine(
    step: Any, start: int, length: int, *, exponent: float = 1.0, rising: bool = False, xp: Any
) -> Any:
    """``((1 + cos(pi * p)) / 2) ** exponent`` for ``p = xp_progress(step, start, length)``.

    Computed as ``1 - sin(pi * p / 2)**2`` while ``p <= 1/2`` and as ``sin(pi * (1 - p) / 2)**2``
    after, with ``1 - p`` from the exact integer remainder: the tail near 0 keeps its relative
    accuracy (``0.5 * (1 + cos(pi * p))`` in float32 is thousands of ulps off its own value
    there). float32: its own ``sin**2`` polynomial on the argument carried as a float32 pair,
    within 1.5 ulps (exponent 1), no float64. Exponent 2 squares that pair (within 2.4 ulps,
    measured); with another exponent the base is carried as a pair good to about 2**-31 (a power
    multiplies its base's relative error), within 4 ulps up to 128.

    Args:
      exponent: a float >= 0 (optax's ``cosine_decay_schedule(exponent=)``).
      rising: give ``(1 - cos(pi * p)) / 2`` instead (a cosine warm-up's rise from 0 to 1),
        with the same relative accuracy near 0, where it starts.

    Example:
      >>> import numpy as np
      >>> xp_half_cosine(np.array([0, 50, 100]), 0, 100, xp=np)
      array([1. , 0.5, 0. ])
      >>> xp_half_cosine(np.array([0, 50, 100]), 0, 100, rising=True, xp=np)
      array([0. , 0.5, 1. ])
    """
    if type(step) is int and xp is scalar and exponent == 1.0:  # one Python step (the torch scheduler)
        return _half_cosine_python(min(max(step - start, 0), length), length, rising)
    _check_interval(start, length)
    _check_power(exponent, "exponent")
    kind = _kind(xp)
    k, kmax = _offset(step, start, length, xp)
    if exponent == 0.0:
        return _real(k, xp) * 0.0 + 1.0
    half = length // 2
    if kind == "exact":  # the plain formula, evaluated exactly (its cancellation costs precision only)
        c = xp.cospi(xp.real(k) / length)  # exactly 0 at the middle and -1 at the end
        value = (1 - c) * 0.5 if rising else (1 + c) * 0.5
        return value if exponent == 1.0 else xp.pow(value, exponent)
    if kind != "float32":
        # one formula on the whole interval: sin(pi/2 * x)**2 for x = p (rise) or x = 1 - p from
        # the exact remainder (fall), each within an ulp or two; sin on [0, pi/2] magnifies no
        # relative error of its argument (x cot x <= 1), so the result is within a few ulps of
        # its own value, near 0 and near 1 alike
        # (the arrays are this function's own: updated in place, one allocation fewer each)
        if isinstance(k, int):
            x = (k if rising else length - k) / length * (math.pi / 2)
        else:
            x = _real(k if rising else kmax - k, xp)
            if length > kmax and not rising:
                x += _real(length - kmax, xp)
            x *= _half_pi_over(length)  # pi / (2 length), correctly rounded: one rounding for two
        value = xp.sin(x)
        value *= value
        return value if exponent == 1.0 else xp.pow(value, exponent)
    factor = _PI / 2 / length
    beyond = factor * (length - kmax)
    # a power magnifies the base's error: a square doubles _sin2_f32's (measured within 2.4 ulps,
    # 2.6 in the schedule's value); any other exponent needs the pair good to 2**-33
    sin2 = _sin2_f32 if exponent in (1.0, 2.0) else _sin2_pair_f32
    if kmax <= half:  # every step is in the first half
        y_hi, y_lo = _product_f32(factor, k, kmax.bit_length(), xp)
        s_hi, s_lo = sin2(y_hi, y_lo, xp)
        if rising:
            v_hi, v_lo = s_hi, s_lo
        else:
            v_hi = 1.0 - s_hi
            v_lo = ((1.0 - v_hi) - s_hi) - s_lo
    else:
        lower = k <= half
        m = xp.where(lower, k, kmax - k)
        extra = None
        if beyond:
            c_hi, c_lo = _pair(beyond)
            zero = xp.zeros_like(m, dtype=xp.float32)
            extra = (xp.where(lower, zero, zero + c_hi), xp.where(lower, zero, zero + c_lo))
        y_hi, y_lo = _product_f32(factor, m, kmax.bit_length(), xp, extra)
        s_hi, s_lo = sin2(y_hi, y_lo, xp)
        one_hi = 1.0 - s_hi
        one_lo = ((1.0 - one_hi) - s_hi) - s_lo
        if rising:
            v_hi, v_lo = xp.where(lower, s_hi, one_hi), xp.where(lower, s_lo, one_lo)
        else:
            v_hi, v_lo = xp.where(lower, one_hi, s_hi), xp.where(lower, one_lo, s_lo)
    value = v_hi + v_lo if exponent == 1.0 else _pow_f32(v_hi, v_lo, exponent, xp)
    return _finish(value, xp)


@lru_cache(maxsize=256)
def _half_pi_over(length: int) -> float:
    """``pi / (2 * length)``, correctly rounded."""
    return float(_PI / (2 * length))


def _half_cosine_python(k: int, length: int, rising: bool) -> float:
    """:func:`xp_half_cosine`'s float64 formulas for one Python step ``k`` in ``[0, length]``."""
    if k <= length // 2:
        head = math.sin(math.pi / 2 * (k / length)) ** 2
        return head if rising else 1 - head
    tail = math.sin(math.pi / 2 * ((length - k) / length)) ** 2
    return 1 - tail if rising else tail


def _check_power(power: float, name: str, limit: float = 128) -> None:
    """A float in [0, limit]: the float32 power's logarithm carries a small error that the power
    multiplies; up to 128 the result stays within 2.2 ulps (measured; 10 at 1024)."""
    if isinstance(power, bool) or not isinstance(power, (int, float)) or not 0 <= power <= limit:
        raise ValueError(f"{name} must be a finite float in [0, {limit:g}]; received {name}={power!r}")
    if not math.isfinite(power):
        raise ValueError(f"{name} must be a finite float >= 0; received {name}={power!r}")


def xp_polynomial(
    step: Any,
    start: int,
    length: int,
    power: float,
    *,
    rising: bool = False,
    cycle: bool = False,
    extend: bool = False,
    xp: Any,
) -> Any:
    """``(1 - p) ** power`` for ``p = xp_progress(step, start, length)``.

    ``1 - p`` comes from the exact integer remainder; power 0 gives 1 and power 1 gives
    :func:`xp_remaining` exactly. float32 forms a whole power by repeated squaring of
    ``1 - p`` as a float32 pair (within 1 ulp), any other as ``2**(power * log2(1 - p))`` with the logarithm
    carried as a float32 pair (a 64-entry table and a short series) and the product split
    exactly, so the result stays within 2 ulps down to the tail, with no float64. With
    ``extend`` and a signed step dtype up to 32 bits, power 1 is one float32 from the two sides'
    one integer, within 1 ulp from ``start`` on (1.5 below it).

    Args:
      power: a float >= 0.
      rising: give ``1 - (1 - p) ** power`` instead (a polynomial rise from 0, Keras's
        ``PolynomialDecay`` to a larger end), as ``-expm1(power * log1p(-p))``: accurate near 0,
        where it starts.
      cycle: Keras's ``PolynomialDecay(cycle=True)`` (``start`` must be 0): ``p = step / (length
        * c)`` with ``c = max(1, ceil(step / length))``, so ``p`` reaches 1 at every multiple of
        ``length`` and the next step starts a longer interval. ``1 - p = r / (length * c)`` from
        the exact integer ``r = length * c - step``.
      extend: before ``start`` (which must be 0), the formula extended, ``(1 + |step| / length)
        ** power`` (what Keras computes for a negative step: TF Model Garden's
        ``PolynomialDecayWithOffset`` before its offset); without it, steps before ``start``
        count as ``start``. With ``cycle``, steps below 0 count as 0 (Keras gives inf or nan).

    Example:
      >>> import numpy as np
      >>> xp_polynomial(np.array([0, 50, 100]), 0, 100, 2.0, xp=np)
      array([1.  , 0.25, 0.  ])
      >>> xp_polynomial(np.array([0, 50, 100]), 0, 100, 2.0, rising=True, xp=np)
      array([0.  , 0.75, 1.  ])
      >>> xp_polynomial(np.array([100, 150, 200]), 0, 100, 1.0, cycle=True, xp=np)
      array([0.  , 0.25, 0.  ])
    """
    _check_interval(start, length)
    _check_power(power, "power")
    if (cycle or extend) and start != 0:
        raise ValueError(f"cycle and extend need start == 0; received start={start!r}")
    kind = _kind(xp)
    if kind == "exact":
        return _polynomial_exact(step, start, length, power, rising, cycle, extend, xp)
    if power == 0.0:
        k, _ = _offset(step, start, length, xp)
        return _real(k, xp) * 0.0 + (0.0 if rising else 1.0)
    bounded = isinstance(step, int) or length <= xp.iinfo(step.dtype).max
    if cycle and bounded:
        value = _polynomial_cycle(step, length, power, rising, kind, xp)
    elif kind == "float32" and not rising and extend and not cycle and _may_be_negative(step, xp):
        # both sides of 0 from one integer and one product (and one power)
        value = _extended_one(step, length, xp, pair=power != 1.0)
        if value is None:
            hi, lo = _extended_remaining(step, length, xp)
            value = hi if power == 1.0 else (hi, lo)
        if power != 1.0:
            top = 1 + 2 ** _bits(step.dtype, xp) / length  # the largest 1 + |step| / length
            value = _pow_f32(*value, power, xp, top=top)
        value = _finish(value, xp)
        extend = False
    elif power == 1.0:
        value = (xp_progress if rising else xp_remaining)(step, start, length, xp=xp)
    elif kind != "float32" and not rising:  # q ** power (see _fall): q alone
        value = xp.pow(xp_remaining(step, start, length, xp=xp), power)
    elif kind != "float32":
        p, q = xp_progress(step, start, length, xp=xp), xp_remaining(step, start, length, xp=xp)
        value = _rise(p, q, power, xp)
    else:
        hi, lo = _remaining(step, start, length, Fraction(1, length), xp)
        if rising:
            p_hi, p_lo = _product_f32(
                Fraction(1, length), _offset(step, start, length, xp)[0], _bits_of(step, xp), xp
            )
            value = _one_minus_pow_f32(-p_hi, -p_lo, hi, lo, power, xp)
        else:
            value = _pow_f32(hi, lo, power, xp)
        value = _finish(value, xp)
    if extend and not cycle and _may_be_negative(step, xp):
        value = xp.where(step < 0, _polynomial_before(step, length, power, rising, kind, xp), value)
    return value


def _bits_of(step: Any, xp: Any) -> int:
    return 64 if isinstance(step, int) else _bits(step.dtype, xp)


def xp_polynomial_fall(
    high: float, low: float, step: Any, length: int, power: float, *, cycle: bool = False, xp: Any
) -> Any:
    """``low + (high - low) * (1 - p) ** power``: :func:`xp_polynomial`'s fall from ``high`` to
    ``low`` (``high >= low >= 0``), extended before step 0 (``(1 + |step| / length) ** power``).

    Where that extension's power overflows while ``high - low < 1`` brings the value back (below
    the float's max by a factor ``high - low``: ``(1 + 5e7) ** 40 * 0.9999``; or a span that is
    0 in float32 times it, nan), the value is ``(span * h) * h + low`` with ``h`` the power's
    square root, in those steps only.

    Example:
      >>> import numpy as np
      >>> xp_polynomial_fall(1.0, 0.25, np.array([0, 50, 100]), 100, 2.0, xp=np)
      array([1.    , 0.4375, 0.25  ])
    """
    fraction = xp_polynomial(step, 0, length, power, cycle=cycle, extend=True, xp=xp)
    out = xp_lerp(low, high, fraction, overwrite_p=True, xp=xp)  # fraction: a new array
    span = high - low
    kind = _kind(xp)
    if cycle or kind == "exact" or not 0 < span < 1 or not _may_be_negative(step, xp):
        return out
    top = 1 + (-step if isinstance(step, int) else 2 ** _bits(step.dtype, xp)) / length  # 1 + |step| / length
    if power * math.log2(top) < (128 if kind == "float32" else 1024):  # the power stays finite
        return out
    half = xp_polynomial(step, 0, length, power / 2, extend=True, xp=xp)
    wide = (half * span) * half + low
    # inf, or nan: a span that is 0 in float32 (4.5e-156) times an overflowed power
    if isinstance(out, float):
        return out if out < math.inf else wide
    return xp.where(out < math.inf, out, wide)


def _may_be_negative(step: Any, xp: Any) -> bool:
    return step < 0 if isinstance(step, int) else xp.iinfo(step.dtype).min < 0


def _rise(p: Any, q: Any, power: float, xp: Any) -> Any:
    """``1 - q ** power`` for ``q = 1 - p``, both given: ``-expm1(power * log(q))`` with the
    logarithm from whichever of ``p`` and ``q`` is accurate (``log1p(-p)`` for small ``p``)."""
    if xp is scalar:
        if q == 0:
            return 1.0
        return -math.expm1(power * (math.log1p(-p) if p <= 0.5 else math.log(q)))
    small = p <= 0.5
    one = xp.ones_like(q)
    # each log sees only arguments it takes without a warning; the lanes not taken are discarded
    log = xp.where(small, xp.log1p(-xp.where(small, p, 0.0 * p)), xp.log(xp.where(small | (q <= 0), one, q)))
    return xp.where(q <= 0, one, -xp.expm1(power * log))


def _fall(p: Any, q: Any, power: float, xp: Any) -> Any:
    """``q ** power`` for ``q = 1 - p``, both given: ``exp(power * log1p(-p))`` for small ``p``
    (where ``q`` may have rounded to 1 and a large power would amplify its rounding)."""
    if xp is scalar:
        return math.exp(power * math.log1p(-p)) if p <= 0.5 else xp.pow(q, power)
    # arrays: q ** power throughout. q is within an ulp or two of its own value (from the exact
    # remainder), which the power multiplies: within 2 * 128 ulps (6e-14) at the largest power
    return xp.pow(q, power)


def _polynomial_exact(
    step: Any, start: int, length: int, power: float, rising: bool, cycle: bool, extend: bool, xp: Any
) -> Any:
    """The plain formulas, evaluated exactly (the exact namespace's Python ints)."""
    if cycle:
        s = max(step, 0)
        period = length * max(1, -(-s // length))
        r, q = period - s, (period - s) / xp.real(period)
    else:
        k = step - start
        k = min(k, length) if extend else min(max(k, 0), length)
        r, q = length - k, (length - k) / xp.real(length)
    if rising and r > 0 and not float(power).is_integer():
        # -expm1(power log q), not 1 - q**power: for q near 1 and a small power the rise is far
        # below 1 (3.7e-310 at power 2.2e-311), which the difference would settle only at
        # precisions beyond 1074 bits (a whole power keeps q**power, an exact rational)
        return -xp.expm1(power * xp.log(q))
    value = xp.pow(q, power) if power else xp.real(1)
    return 1 - value if rising else value


def _polynomial_cycle(step: Any, length: int, power: float, rising: bool, kind: str, xp: Any) -> Any:
    """Keras's cycle: ``q = r / (length * c)`` and ``p = s / (length * c)`` from exact integers."""
    if isinstance(step, int):
        s = max(step, 0)
        c = max(1, -(-s // length))
        q = (c * length - s) / length / c
        p = s / length / c
        return (_rise if rising else _fall)(p, q, power, xp)
    s = xp.where(step < 0, xp.zeros_like(step), step) if xp.iinfo(step.dtype).min < 0 else step
    one = xp.ones_like(s)
    c = xp.where(s == 0, one, xp_floor_divide(s - one, length, xp=xp) + one)
    m = s - (c - one) * length  # in [1, length] (length at s == 0 too: q == 1)
    m = xp.where(s == 0, xp.zeros_like(s), m)
    r = length - m  # length * c - s, in [0, length]
    if kind != "float32":
        f64 = xp_float_dtype(xp)
        cf = xp.astype(c, f64)
        q = xp.astype(r, f64) / length / cf
        p = xp.astype(s, f64) / length / cf
        return (_rise if rising else _fall)(p, q, power, xp)
    bits = _bits(step.dtype, xp)
    c_hi, c_lo = _product_f32(Fraction(1), c, bits, xp)
    q_hi, q_lo = _div_f32(*_product_f32(Fraction(1, length), r, bits, xp), c_hi, c_lo, xp)
    if not rising:
        value = xp.where(r == 0, xp.zeros_like(q_hi), _pow_f32(q_hi, q_lo, power, xp))
    else:
        p_hi, p_lo = _div_f32(*_product_f32(Fraction(1, length), s, bits, xp), c_hi, c_lo, xp)
        value = _one_minus_pow_f32(-p_hi, -p_lo, q_hi, q_lo, power, xp)
    return _finish(value, xp)


def _polynomial_before(step: Any, length: int, power: float, rising: bool, kind: str, xp: Any) -> Any:
    """``(1 + |step| / length) ** power`` (or ``1 -`` it) for steps below 0; others give anything."""
    if isinstance(step, int):
        x = 1 + -step / length
        return -math.expm1(power * math.log1p(-step / length)) if rising else xp.pow(x, power)
    u = xp.where(step < 0, -(step + 1), xp.zeros_like(step))  # |step| - 1, no overflow at the minimum
    if kind != "float32":
        f64 = xp_float_dtype(xp)
        t = (xp.astype(u, f64) + 1.0) / length
        return -xp.expm1(power * xp.log1p(t)) if rising else xp.pow(1.0 + t, power)
    factor, bits = Fraction(1, length), _bits(step.dtype, xp)
    x_hi, x_lo = _before_pair(step, length, xp)
    if rising:
        t_hi, t_lo = _product_f32(factor, u, bits, xp, _pair_array(factor, u, xp))
        if power == 1.0:  # 1 - (1 + t)
            return _finish(-(t_hi + t_lo), xp)
        return _finish(_one_minus_pow_f32(t_hi, t_lo, x_hi, x_lo, power, xp), xp)
    top = 1 + 2 ** _bits(step.dtype, xp) / length  # the largest 1 + |step| / length
    return _finish(x_hi + x_lo if power == 1.0 else _pow_f32(x_hi, x_lo, power, xp, top=top), xp)


def _extended_one(step: Any, length: int, xp: Any, *, pair: bool = False) -> Any:
    """``(length - min(step, length)) / length`` as one float32, within 1 ulp from step 0 on and
    1.5 below it (where ``1 + (|step| - 1) / length`` adds a constant); None where the dtype is
    wider than 48 bits or ``length`` not below its max.

    The integer (``|step| - 1`` below 0, ``length - k`` from 0) is cut into a float32 of 24 bits,
    exact, and a remainder below ``2**-16`` of it; each is multiplied by ``1 / length`` as a
    float32 pair. :func:`xp_polynomial`'s power 1 with steps on both sides of 0, in a third of the
    operations of :func:`_extended_remaining`. With ``pair``, the same as a float32 pair good to
    about 2**-40 (the 24-bit part's product split exactly, the constant added by TwoSum), in half
    of them."""
    bits = _bits(step.dtype, xp)
    if bits > 48 or length >= xp.iinfo(step.dtype).max:
        return None
    before = step < 0
    n = xp.where(before, -(step + 1), length - xp.clip(step, 0, length))  # no overflow at the minimum
    c_hi, c_lo = _pair(Fraction(1, length))
    b_hi, b_lo = _pair(Fraction(length + 1, length))  # what lies beyond n below 0
    zero = xp.zeros_like(step, dtype=xp.float32)
    if bits > 24:  # from 2**24 on, the bits below the top 24 apart (exact: fewer than 24 of them)
        low = xp.where(n >= 1 << 24, xp.bitwise_and(n, (1 << (bits - 24)) - 1), xp.zeros_like(n))
        h, small = xp.astype(n - low, xp.float32), xp.astype(low, xp.float32) * c_hi
    else:
        h, small = xp.astype(n, xp.float32), zero
    if pair:
        p, e = _two_prod_const(h, c_hi)
        hi, err = _two_sum(p, xp.where(before, zero + b_hi, zero))
        # left unnormalized (|lo| within a few ulps of hi): what a power of it needs
        return hi, (err + e) + ((small + h * c_lo) + xp.where(before, zero + b_lo, zero))
    head = h * c_hi + xp.where(before, zero + b_hi, zero)
    return head + ((small + h * c_lo) + xp.where(before, zero + b_lo, zero))


def _extended_remaining(step: Any, length: int, xp: Any) -> tuple[Any, Any]:
    """``(length - min(step, length)) / length`` as a float32 pair, for a signed integer array:
    ``1 - p`` from step 0 on, ``1 + |step| / length`` below 0, from one exact integer in
    ``[0, max]`` (``length - step`` itself may overflow the dtype) and one product."""
    top = xp.iinfo(step.dtype).max
    kmax = min(length, top)
    before = step < 0
    # below 0: |step| - 1 (no overflow at the minimum); from 0: kmax - k, k clipped to [0, kmax]
    n = xp.where(before, -(step + 1), kmax - xp.clip(step, 0, kmax))
    factor = Fraction(1, length)
    b_hi, b_lo = _pair(1 + factor)  # what lies beyond n below 0: (length + 1) / length
    zero = xp.zeros_like(step, dtype=xp.float32)
    if length > kmax:  # from 0 on, the steps past the dtype's max: (length - kmax) / length
        a_hi, a_lo = _pair(factor * (length - kmax))
        extra = xp.where(before, zero + b_hi, zero + a_hi), xp.where(before, zero + b_lo, zero + a_lo)
    else:
        extra = xp.where(before, zero + b_hi, zero), xp.where(before, zero + b_lo, zero)
    return _product_f32(factor, n, _bits(step.dtype, xp), xp, extra)


def _before_pair(step: Any, length: int, xp: Any) -> tuple[Any, Any]:
    """``1 + |step| / length`` as a float32 pair where ``step < 0`` (1 + 1 / length elsewhere)."""
    u = xp.where(step < 0, -(step + 1), xp.zeros_like(step))  # |step| - 1, no overflow at the minimum
    factor = Fraction(1, length)
    return _product_f32(factor, u, _bits(step.dtype, xp), xp, _pair_array(1 + factor, u, xp))


def _pair_array(x: Fraction, like: Any, xp: Any) -> tuple[Any, Any]:
    """The constant ``x`` as a float32 pair of arrays shaped like ``like``."""
    hi, lo = _pair(x)
    zero = xp.zeros_like(like, dtype=xp.float32)
    return zero + hi, zero + lo


def _two_prod_f32(a: Any, b: Any) -> tuple[Any, Any]:
    """``a * b`` as a float32 pair (Dekker's product with 12-bit halves: no FMA needed)."""
    p = a * b
    big = a * 4097.0
    a1 = big - (big - a)
    a2 = a - a1
    big = b * 4097.0
    b1 = big - (big - b)
    b2 = b - b1
    return p, ((a1 * b1 - p) + a1 * b2 + a2 * b1) + a2 * b2


def _div_f32(a_hi: Any, a_lo: Any, b_hi: Any, b_lo: Any, xp: Any) -> tuple[Any, Any]:
    """``(a_hi + a_lo) / (b_hi + b_lo)`` as a float32 pair, for ``b > 0`` (about 2**-44 relative)."""
    q = a_hi / b_hi
    p, e = _two_prod_f32(q, b_hi)
    r = (((a_hi - p) - e) + a_lo - q * b_lo) / b_hi
    hi = q + r
    return hi, r - (hi - q)


def xp_cosine_step(step: Any, length: int, *, periodic: bool = False, xp: Any) -> Any:
    """``step``, with a step below 0 moved into ``[0, length]`` where ``cos(pi * step / length)``
    has the same value: ``|step|`` modulo ``2 * length``, mirrored about ``length``.

    Keras's ``CosineDecay`` on a negative step (TF Model Garden's ``CosineDecayWithOffset``
    before its offset) is its cosine extended, periodic; with this in integers, the cosine
    blocks see only steps in their interval. Steps >= 0 are returned as they are, unless
    ``periodic``: then steps beyond ``length`` are moved into ``[0, length]`` too (the first
    level of TF Model Garden's ``StepCosineDecayWithOffset``, a cosine of the step unclipped).

    Example:
      >>> import numpy as np
      >>> xp_cosine_step(np.array([-250, -150, -50, 0, 50, 150]), 100, xp=np)
      array([ 50,  50,  50,   0,  50, 150])
      >>> xp_cosine_step(np.array([150, 250, 400]), 100, periodic=True, xp=np)
      array([50, 50,  0])
    """
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be an int >= 1; received length={length!r}")
    period = 2 * length
    if isinstance(step, int):
        if step >= 0 and not (periodic and step > length):
            return step
        t = abs(step) % period
        return min(t, period - t)
    info = xp.iinfo(step.dtype)
    if periodic and length < info.max:  # steps beyond length: step mod period, mirrored about length
        t = step % period if period <= info.max else step
        t = xp.where(t > length, (length - t) + length, t)  # period - t, without overflow
        step = xp.where(step > length, t, step)
    if info.min >= 0:
        return step
    u = xp.where(step < 0, -(step + 1), xp.zeros_like(step))  # |step| - 1, no overflow at the minimum
    # |step| mod period; where the dtype reaches back less than a period, |step| itself (one
    # less at the dtype's minimum)
    wraps = period <= info.max
    t = (u % period + 1) % period if wraps else xp.minimum(u, min(period - 2, info.max - 1)) + 1
    if length <= info.max:
        t = xp.where(t > length, (length - t) + length, t)  # period - t, without overflow
    return xp.where(step < 0, t, step)


def xp_blend(scale: float, floor: float, fraction: Any, *, base: float = 1.0, n: Any = None, xp: Any) -> Any:
    """``scale * (floor + (1 - floor) * base**n * fraction)``: a decay to ``floor`` of ``scale``
    (Keras's ``alpha``), optionally with a factor ``base**n`` for an integer array ``n`` (Keras's
    ``m_mul**i`` per restart). ``scale * floor`` and ``scale * (1 - floor)`` are each rounded once
    from the exact product, and ``scale * (1 - floor) * base**n`` is one :func:`xp_scaled_power`
    (no overflow or underflow of a part where the whole is a float), so the result keeps
    ``fraction``'s relative accuracy. Where ``scale * (1 - floor) * base**n`` alone is beyond the
    float range (``m_mul`` of 8e9 after 32 restarts) while ``fraction`` brings the product back
    (a long cycle's tail), it is formed in three pieces, each a third of the power, multiplied
    into ``fraction`` in turn (a few roundings more, in those steps only; float32: ``fraction``
    times the power with its power of two applied last); ``scale * floor`` where ``fraction``
    is 0. Where ``scale * (1 - floor)`` is below float64's normal range (its digits lost to
    rounding, which ``base**n > 1`` would magnify), the power is ``scale``'s, times ``1 - floor``.

    Args:
      scale: a finite float >= 0 (the value at ``fraction == 1``, ``n == 0``).
      floor: the fraction of ``scale`` left at ``fraction == 0``, in [0, 1].
      fraction: an array of ``xp``'s float dtype (a real for the exact namespace).
      base: a finite float > 0.
      n: an integer array (a Python int for the exact namespace); None: no factor.

    Example:
      >>> import numpy as np
      >>> xp_blend(2.0, 0.25, np.array([0.0, 0.5, 1.0]), xp=np)
      array([0.5 , 1.25, 2.  ])
      >>> xp_blend(2.0, 0.0, np.array([1.0, 1.0]), base=0.5, n=np.array([0, 3]), xp=np)
      array([2.  , 0.25])
    """
    if _kind(xp) == "exact":
        f = xp.real(floor)
        factor = fraction if n is None else xp.pow(xp.real(base), n) * fraction
        return xp.real(scale) * (f + (1 - f) * factor)
    low, span = _blend_constants(scale, floor)
    if n is None or base == 1.0:
        return fraction * span + low if low else fraction * span
    if scale == 0.0 or floor == 1.0:  # no span to grow: not 0 times a power (inf * 0 = nan)
        return xp.zeros_like(fraction) + low
    if span < sys.float_info.min and base > 1.0:  # scale > 0 and floor < 1 here
        # scale * (1 - floor) rounded into float64's subnormals has lost digits, which base**n
        # would magnify (from 5e-324 with alpha 0.5 it is 0): scale's power (scale is exact),
        # then times 1 - floor, one rounding more
        power_scale, rest = scale, float(1 - Fraction(floor))
    else:
        power_scale, rest = span, 1.0

    def spanned(den: int) -> Any:
        power = xp_scaled_power(power_scale, base, n, den, xp=xp)
        return power if rest == 1.0 else power * rest

    factor = spanned(1)
    if base < 1.0:
        return fraction * factor + low
    top = _FLOAT32_MAX if _kind(xp) == "float32" else sys.float_info.max
    over = factor > top  # inf
    if _kind(xp) == "float32":
        # the span (a float64) may be below float32's range, so its thirds need not be in it:
        # fraction times the power, its power of two applied last
        wide = _scaled_power_times(power_scale, base, n, fraction if rest == 1.0 else fraction * rest, xp)
    else:
        # each third at most the float's max (beyond, the product is too: inf, and 0 times it 0)
        third = xp.clip(xp_scaled_power(1.0, base, n, 3, xp=xp), None, top)
        head = xp.clip(spanned(3), None, top)
        wide = ((fraction * third) * third) * head
    out = xp.where(over, wide, fraction * xp.where(over, xp.zeros_like(factor), factor)) + low
    return xp.where(fraction == 0, xp.zeros_like(out) + low, out)  # the factor may be inf there: low


@lru_cache(maxsize=256)
def _blend_constants(scale: float, floor: float) -> tuple[float, float]:
    """``scale * floor`` and ``scale * (1 - floor)``, each rounded once from the exact product."""
    return float(Fraction(scale) * Fraction(floor)), float(Fraction(scale) * (1 - Fraction(floor)))


# log2(1 + j/64) for j in 0..63, each cut into two 12-bit heads and a float32 tail.
def _log2_row(j: int) -> tuple[float, float, float]:
    value = _mp_log((64 + j) / 64, 1, 200, base2=True)  # (64 + j) / 64 is exact in float64
    h1 = _round_bits(value, _DIGIT_BITS)
    h2 = _round_bits(value - h1, _DIGIT_BITS)
    return float(h1), float(h2), _f32(float(value - h1 - h2))


@lru_cache(maxsize=1)
def _log2_table() -> tuple[tuple[float, float, float], ...]:
    return tuple(_log2_row(j) for j in range(64))  # mpmath: built on first use, not at import


# log2(1 + t) = sum_k (-1)**(k+1) t**k / (k ln 2), |t| < 1/64: through degree 6.
_LOG2_SERIES = tuple(_f32(float((-1) ** (k + 1) / (k * _LN2))) for k in range(1, 7))


def _lookup(table: list[float], index: Any, xp: Any) -> Any:
    return _take(tuple(table), xp.float32, index, xp)


#: The largest whole power :func:`_pow_f32` forms by products (7 squarings, 7 more products).
_MAX_WHOLE_POWER = 128
#: Below 2**this, :func:`_two_prod_f32`'s split (``a * 4097``) of a float32 cannot overflow.
_SPLIT_SAFE_BITS = 115


def _pow_f32(x_hi: Any, x_lo: Any, power: float, xp: Any, *, top: float = 1.0) -> Any:
    """``(x_hi + x_lo) ** power`` for ``x >= 0`` and ``power > 0``, in float32 only.

    ``top`` bounds ``x`` from above (known when tracing): a whole ``power`` whose ``top ** power``
    stays below 2**115 is formed by products of float32 pairs (repeated squaring: each product
    exact to about 2**-44, so within 0.5 ulp plus ``power`` times the base's relative error);
    any other power goes through the logarithm (:func:`_log2_terms`, a table and a series)."""
    if (
        float(power).is_integer()
        and power <= _MAX_WHOLE_POWER
        and math.log2(max(top, 1.0)) * power < _SPLIT_SAFE_BITS
    ):
        return _whole_pow_f32(x_hi, x_lo, int(power))
    zero, exact, small = _log2_terms(x_hi, x_lo, power, xp)
    return xp.where(zero, xp.zeros_like(x_hi), _exp2_terms(exact, small, xp))


def _two_square_f32(a: Any) -> tuple[Any, Any]:
    """``a * a`` as a float32 pair (:func:`_two_prod_f32` with one split)."""
    p = a * a
    big = a * 4097.0
    a1 = big - (big - a)
    a2 = a - a1
    return p, ((a1 * a1 - p) + (a1 + a1) * a2) + a2 * a2


def _whole_pow_f32(x_hi: Any, x_lo: Any, n: int) -> Any:
    """``(x_hi + x_lo) ** n`` for a whole ``n >= 1``, by repeated squaring of float32 pairs.

    Left to right over ``n``'s bits: square, and times ``x`` where the bit is set. Each product
    ``(a_hi + a_lo) * (b_hi + b_lo)`` but the last is ``a_hi * b_hi`` split exactly (Dekker) plus
    the cross terms, left unnormalized (``|lo|`` a few ulps of ``hi``: the next split is of ``hi``
    alone), so each adds about 2**-44 relative; the last is ``a_hi * b_hi`` rounded plus the cross
    terms: within 1 ulp plus ``n`` times the base's relative error. The caller keeps every
    intermediate below 2**115 (no overflow in the split); near 0 the pair's low part may
    underflow, which costs accuracy only far below the result's size."""
    # True: square; False: times x
    steps = [square for bit in bin(n)[3:] for square in ((True, False) if bit == "1" else (True,))]
    hi, lo = x_hi, x_lo
    for i, square in enumerate(steps):
        b_hi, b_lo = (hi, lo) if square else (x_hi, x_lo)
        cross = hi * b_lo + lo * b_hi
        if i == len(steps) - 1:
            return hi * b_hi + cross
        p, e = _two_square_f32(hi) if square else _two_prod_f32(hi, b_hi)
        hi, lo = p, e + cross
    return hi + lo


def _log2_terms(x_hi: Any, x_lo: Any, power: float, xp: Any) -> tuple[Any, list[Any], list[Any]]:
    """``power * log2(x_hi + x_lo)`` as exact float32 terms and small ones (and where x is 0)."""
    zero = x_hi <= 0.0
    x = xp.where(zero, xp.ones_like(x_hi), x_hi)
    e = xp.astype(xp.floor(xp.log(x) * _f32(1 / math.log(2))), xp.int32)
    one = xp.ones_like(x)
    e = xp.where(xp_ldexp(one, e, xp=xp) > x, e - 1, e)
    e = xp.where(xp_ldexp(one, e + 1, xp=xp) <= x, e + 1, e)
    m = xp_ldexp(x, -e, xp=xp)  # in [1, 2), exactly
    j = xp.astype(xp.floor((m - 1.0) * 64.0), xp.int32)
    c = 1.0 + xp.astype(j, xp.float32) * (1 / 64)
    t = (m - c) / c  # m - c is exact
    series = _LOG2_SERIES[-1]
    for coefficient in reversed(_LOG2_SERIES[:-1]):
        series = series * t + coefficient
    small_log = t * series + (x_lo / x) * _LOG2_SERIES[0]
    heads = [_lookup([row[i] for row in _log2_table()], j, xp) for i in range(3)]
    e = xp.astype(e, xp.float32)
    p = _round_bits(Fraction(power), _DIGIT_BITS)
    pieces = [p, _round_bits(Fraction(power) - p, _DIGIT_BITS)]
    exact = [float(piece) * term for piece in pieces for term in (e, heads[0], heads[1])]
    p32 = _f32(power)
    small = [p32 * heads[2], p32 * small_log, _f32(float(Fraction(power) - sum(pieces))) * (e + heads[0])]
    return zero, exact, small


def _exp2_terms(exact: list[Any], small: list[Any], xp: Any) -> Any:
    """``2**(sum(exact) + sum(small))`` for exact float32 terms and small ones, float32 only."""
    return _exp2(*_exp2_split(exact, small, xp), 1.0, 0.0, 0, xp)


def _exp2_split(exact: list[Any], small: list[Any], xp: Any) -> tuple[Any, Any, Any]:
    """``sum(exact) + sum(small)`` as ``whole + f + f_lo``: an int32 in [-400, 400] and a float32
    pair with ``|f| <= 1/2``."""
    whole = frac = comp = None
    for term in exact:
        integer = xp.round(term)
        part = term - integer  # exact
        integer = xp.astype(integer, xp.int32)
        if whole is None:
            whole, frac = integer, part
            continue
        whole = whole + integer
        frac, error = _two_sum(frac, part)
        comp = error if comp is None else comp + error
    for term in small:
        comp = term if comp is None else comp + term
    integer = xp.round(frac)
    whole = whole + xp.astype(integer, xp.int32)
    f, f_lo = _two_sum(frac - integer, comp)
    integer = xp.round(f)  # the small terms may carry f past 1/2 (a power far from 1)
    whole = whole + xp.astype(integer, xp.int32)
    f, f_lo = _two_sum(f - integer, f_lo)
    return xp.clip(whole, -400, 400), f, f_lo


def _exp2m1_f32(f: Any, f_lo: Any) -> Any:
    """``2**(f + f_lo) - 1`` for ``|f| <= 1/2``, relative to itself (no 1 + that cancels)."""
    c1, *higher = _EXP2_COEFFS
    poly = higher[-1]
    for c in reversed(higher[:-1]):
        poly = poly * f + c
    return f * (c1 + f * poly) + c1 * f_lo


def _one_minus_exp2(whole: Any, f: Any, f_lo: Any, xp: Any) -> Any:
    """``1 - 2**(whole + f + f_lo)``: ``-(2**f - 1)`` where ``whole`` is 0 (near 0 it keeps its
    relative accuracy), ``1 - 2**whole * 2**f`` elsewhere (no cancellation there)."""
    t = _exp2m1_f32(f, f_lo)
    one = xp.ones_like(f)
    below = xp.minimum(whole, 0)  # 2**whole <= 1/2 where taken: 1 - it is exact
    above = xp.maximum(whole, 0)  # 2**y >= 2**(1/2) where taken: overflows to -inf, never nan
    less = (one - xp_ldexp(one, below, xp=xp)) - xp_ldexp(t, below, xp=xp)
    more = one - xp_ldexp(one + t, above, xp=xp)
    return xp.where(whole == 0, -t, xp.where(whole < 0, less, more))


# log(1 + z) = z - z**2/2 + z**3/3 - ...: through z**8, for |z| <= 2**-5 (the rest below 2**-45 |z|).
_LOG1P_SERIES = tuple(_f32((-1) ** (k + 1) / k) for k in range(2, 9))
_SERIES_LIMIT = 2.0**-5


def _one_minus_pow_f32(z_hi: Any, z_lo: Any, x_hi: Any, x_lo: Any, power: float, xp: Any) -> Any:
    """``1 - (1 + z) ** power`` for ``x = 1 + z >= 0`` given both ways, as float32 pairs, within a
    few ulps of itself: for ``|z| <= 2**-5`` from a series in ``z`` (``log2(1 + z)`` keeps its
    relative accuracy there, where ``x``'s logarithm would keep only its absolute one), elsewhere
    from ``x``'s logarithm (the table of :func:`_pow_f32`); ``1 - 2**y`` from ``2**y - 1`` itself."""
    # the series: log(1 + z) as a pair, its tail in plain float32 (|tail| <= 2**-6 |z|)
    small_z = xp.abs(z_hi) <= _SERIES_LIMIT
    z = xp.where(small_z, z_hi, xp.zeros_like(z_hi))
    tail = _LOG1P_SERIES[-1]
    for coefficient in reversed(_LOG1P_SERIES[:-1]):
        tail = tail * z + coefficient
    l_hi, l_lo = z, xp.where(small_z, z_lo, xp.zeros_like(z_lo)) + (z * z) * tail
    k_hi, k_lo = _pair(Fraction(power) / _LN2)  # y = log2(x) * power = log(1 + z) * power / ln 2
    y_hi, y_err = _two_prod_f32(l_hi, k_hi)
    y_lo = y_err + (l_lo * k_hi + l_hi * k_lo)
    whole = xp.round(y_hi)
    f, f_lo = _two_sum(y_hi - whole, y_lo)
    series = _one_minus_exp2(xp.astype(whole, xp.int32), f, f_lo, xp)
    # the table
    zero, exact, small_terms = _log2_terms(x_hi, x_lo, power, xp)
    table = _one_minus_exp2(*_exp2_split(exact, small_terms, xp), xp)
    return xp.where(small_z, series, xp.where(zero, xp.ones_like(table), table))


def xp_inverse_time(num: Any, den: int, rate: float, *, scale: float = 1.0, xp: Any) -> Any:
    """``scale / (1 + rate * num / den)`` for an integer array ``num`` (Keras ``InverseTimeDecay``).

    ``rate * num / den`` is formed as an exact-integer product with a float32 pair in float32
    (``num / den`` is never rounded on its own), so a staircase (``num = step // den0``,
    ``den = 1``) and the smooth form agree wherever they should. float32 within 1 ulp.

    Args:
      num: an integer array (or Python int for the scalar and exact namespaces).
      den: an int >= 1.
      rate: a finite float >= 0.
      scale: a finite float >= 0, applied within: where the quotient is below float32's normal
        range (``139 / (6e32 * 9.2e7)``), it is ``scale``'s, not a subnormal one's multiple.

    Example:
      >>> import numpy as np
      >>> xp_inverse_time(np.array([0, 1, 3]), 1, 0.5, xp=np)
      array([1.        , 0.66666667, 0.4       ])
    """
    if not isinstance(den, int) or isinstance(den, bool) or den < 1:
        raise ValueError(f"den must be an int >= 1; received den={den!r}")
    _check_power(rate, "rate", math.inf)
    kind = _kind(xp)
    if kind != "float32":
        return scale / (1 + _real(num, xp) * rate / den)
    factor = Fraction(rate) / den
    info = xp.iinfo(num.dtype)
    far = math.ceil(Fraction(2**24) / factor) if factor else info.max + 1
    if far > info.max:  # y < 2**24 at every step of the dtype
        return _finish(xp_scale(_inverse_near(factor, num, _bits(num.dtype, xp), xp), scale, xp=xp), xp)
    # y = factor * num < 2**24 as a pair (the digits' constants stay far within float32's range);
    # from y >= 2**24 on, 1 / (1 + y) = u / (1 + u) with u = 1 / y = (1 / factor) / num, whatever
    # the size of y (a rate of 2**100; a step past 2**100 / rate)
    if far == 1:  # factor >= 2**24: 1 at step 0 (the pair's constants may be beyond float32)
        near = xp.zeros_like(xp.astype(num, xp.float32)) + 1.0
    else:
        clipped = xp.clip(num, -(far - 1) if info.min < 0 else None, far - 1)
        near = _inverse_near(factor, clipped, far.bit_length() + 1, xp)
    signed = info.min < 0
    beyond = ((num >= far) | (num <= -far)) if signed else num >= far
    near = xp_scale(near, scale, xp=xp)  # 1 / (1 + y) > 2**-25 here: one rounding
    return _finish(xp.where(beyond, _inverse_far(factor, num, far, signed, scale, xp), near), xp)


def _inverse_near(factor: Fraction, num: Any, bits: int, xp: Any) -> Any:
    """``1 / (1 + factor * num)`` in float32 from ``factor * num`` as a pair (``|num| < 2**bits``)."""
    y_hi, y_lo = _product_f32(factor, num, bits, xp)
    s_hi = 1.0 + y_hi
    s_lo = ((1.0 - s_hi) + y_hi) + y_lo  # 1 + y as a pair (1 >= |y_hi| or the sum is exact)
    r = 1.0 / s_hi
    return r - r * (s_lo * r)


def _inverse_far(factor: Fraction, num: Any, far: int, signed: bool, scale: float, xp: Any) -> Any:
    """``scale / (1 + factor * num)`` in float32 where ``|factor * num| >= 2**24`` (``|num| >=
    far``): ``u - u * u`` (the rest is below 2**-48 of it) with ``u = c / n``, ``c = scale /
    factor`` (``1 / factor``, then times ``scale``, where that is beyond float32's normal range)
    and ``n`` as float32 pairs: ``q = c_hi / n_hi`` (one rounding) corrected by the pairs' low
    parts. Within about 1 ulp."""
    c = Fraction(scale) / factor
    after = 1.0
    if not 2.0**-126 <= c <= _FLOAT32_MAX / 2:
        c, after = 1 / factor, scale
    c_hi, c_lo = _pair(c)
    n = xp.clip(num, far, None)
    if signed:  # a negative step's extension of the formula, as near 0
        n = xp.where(num < 0, xp.clip(num, None, -far), n)
    if c_hi == 0:  # 1 / factor below float32's subnormals: so is every value here
        return xp.zeros_like(xp.astype(n, xp.float32))
    n_hi, n_lo = _product_f32(Fraction(1), n, _bits(n.dtype, xp), xp)
    q = c_hi / n_hi
    u = q if after != 1.0 or scale == 1.0 else xp_scale(q, 1 / scale, xp=xp)  # 1 / (factor * n)
    value = q + q * ((_f32(c_lo / c_hi) - n_lo / n_hi) - u)
    return value if after == 1.0 else xp_scale(value, after, xp=xp)


def xp_cycle(step: Any, period: int, *, xp: Any) -> tuple[Any, Any]:
    """``(step // period, step % period)`` in the step's integer dtype, exactly.

    ``period`` (an int >= 1) may exceed the dtype: every step then lies in cycle 0 (or -1 below
    zero, whose position is exact where it fits the dtype).

    Example:
      >>> import numpy as np
      >>> xp_cycle(np.array([0, 9, 10, 25]), 10, xp=np)
      (array([0, 0, 1, 2]), array([0, 9, 0, 5]))
    """
    if not isinstance(period, int) or isinstance(period, bool) or period < 1:
        raise ValueError(f"period must be an int >= 1; received period={period!r}")
    if isinstance(step, int):
        return step // period, step % period
    index = xp_floor_divide(step, period, xp=xp)
    if period > xp.iinfo(step.dtype).max:
        return index, step
    return index, step - index * period


_FLOAT32_MAX = 3.4028234663852886e38
#: Float32's overflow threshold: a magnitude from here on rounds to inf (halfway from its max to 2**128).
_FLOAT32_OVERFLOW = 2.0**128 - 2.0**103


def xp_rounds_to_inf(value: float, *, xp: Any) -> bool:
    """Whether the Python float ``value`` is infinite in ``xp``'s float dtype: ``inf`` itself, and in
    float32 (and the narrower dtypes computed in it) any magnitude from ``2**128 - 2**103`` on.

    A polynomial warm-up to a target of 1e300 ramps to ``inf`` in float32, as the float32 target
    itself is (its ``p ** power`` may underflow where the exact product would not).

    Example:
      >>> import numpy as np
      >>> from lrsched.xp import with_float_dtype
      >>> xp_rounds_to_inf(1e300, xp=np), xp_rounds_to_inf(1e300, xp=with_float_dtype(np, np.float32))
      (False, True)
    """
    if math.isinf(value):
        return True
    return _kind(xp) == "float32" and abs(value) >= _FLOAT32_OVERFLOW


def _times_wide(span: float, p: Any, xp: Any) -> Any:
    """``span * p`` for a float32 array ``p`` in [0, 1] and a float64 ``span`` beyond float32's
    range: the significand times ``p`` (the one rounding), then the exponent in exact factors of
    at most 2**127 (the product only grows: inf only where it is beyond float32's max). An
    infinite ``span`` gives ``span`` where ``p > 0`` and 0 at ``p == 0`` (not ``inf * 0``)."""
    if math.isinf(span):
        zero = xp.zeros_like(p)
        return xp.where(p > 0, zero + span, zero)
    m, e = math.frexp(span)
    out = m * p
    while e > 0:
        out, e = out * 2.0 ** min(e, 127), e - min(e, 127)
    return out


def xp_scale(x: Any, factor: float, *, xp: Any) -> Any:
    """``x * factor`` for a constant ``factor`` (a float64), rounded once in ``x``'s dtype.

    In float32 a factor outside float32's normal range (below 2**-126, above its max) is not
    rounded to 0 or inf first: its significand multiplies ``x``, then its exponent is applied
    exactly (:func:`xp_ldexp`), so ``1e30 * 1e-46`` is 1e-16, not 0, and an ``x`` that overflowed to
    inf stays inf (not ``inf * 0``).

    Example:
      >>> import numpy as np
      >>> import lrsched
      >>> f = lrsched.render(lrsched.Scale(lrsched.Constant(1e30), 1e-46), "numpy", dtype="float32")
      >>> f(np.asarray([0, 1]))  # Scale's value is xp_scale(schedule's value, factor)
      array([1.e-16, 1.e-16], dtype=float32)
    """
    barrier = getattr(xp, "lrsched_barrier", None)  # XLA: no (x * c) * factor as x * (c * factor)
    if barrier is not None and abs(factor) > 1 and not isinstance(x, int | float):
        x = barrier(x)  # c * factor may overflow where x * c * factor does not (x == 0: nan)
    if _kind(xp) != "float32" or factor == 0 or 2.0**-126 <= abs(factor) <= _FLOAT32_MAX:
        return x * factor
    m, e = math.frexp(factor)
    return xp_ldexp(x * m, xp.astype(xp.zeros_like(x), xp.int32) + e, xp=xp)


def xp_lerp(a: Any, b: Any, p: Any, *, q: Any = None, overwrite_p: bool = False, xp: Any) -> Any:
    """``a + (b - a) * p``, exactly ``a`` at ``p == 0`` and exactly ``b`` at ``p == 1``.

    For ``p > 1/2`` it is computed as ``b - (b - a) * q`` with ``q = 1 - p``: pass ``q`` when it
    is known more accurately than ``1 - p`` (``xp_remaining``, from the integer remainder), so
    that values near ``b`` keep their relative accuracy where ``b - a`` and the value nearly
    cancel (a ramp down to 0); ``q`` may be a function of no arguments, called only where it is
    needed. Where nothing can cancel (Python floats ``0 <= a <= b``, a decay to ``a`` seen from
    its end or a rise from ``a``), and in float64 where little can (``0 < b < a <= 256 * b``:
    the value stays above ``a / 256``, so the cancellation costs at most 8 bits of 53),
    ``a + (b - a) * p`` throughout. With ``overwrite_p``, the caller gives ``p`` up (an array of
    its own that it does not read again, as scipy's ``overwrite_a``): the result may be computed
    in it, one allocation fewer (at 10**6 steps a new array costs about as much as arithmetic).

    Example:
      >>> import numpy as np
      >>> xp_lerp(0.0, 0.3, np.array([0.0, 0.5, 1.0]), xp=np)
      array([0.  , 0.15, 0.3 ])
    """
    kind = _kind(xp)
    if kind == "exact":  # exact reals: a + (b - a) * p, and a or b themselves at exact ends
        a, b = xp.real(a), xp.real(b)
        if xp.exactly(p, 1):  # not a + (b - a): 1.0 + (5.5e-309 - 1.0) takes 1100 bits to settle
            return b
        span = b - a
        if xp.isfinite(span):
            return a + span * p
    span = b - a
    if isinstance(a, float | int) and a == b:  # one value: not span * p, nan where p is inf
        return a if xp is scalar else xp.zeros_like(p) + a
    if xp is scalar:  # Python floats: one branch
        if p <= 0.5:
            return a if p == 0 else a + span * p
        return b - span * (1 - p if q is None else q() if callable(q) else q)
    top = _FLOAT32_MAX if kind == "float32" else sys.float_info.max
    if (
        isinstance(a, float | int)
        and isinstance(b, float | int)
        and (0 <= a <= b <= top or (kind == "float64" and 0 < b < a <= 256 * b <= top))
    ):
        # nothing cancels (every term >= 0), or little (a float64 value above a / 256):
        # ``a + span * p`` is accurate relative to itself for any p; b at p == 1 (a == 0:
        # ``b * p`` is b there already)
        exact_end = kind == "float64" and a + span == b  # float64 as Python floats: b at p == 1 already
        at_end = None if a == 0 or exact_end else p == 1
        if overwrite_p:
            out = p
            out *= b if a == 0 else span
        else:
            out = p * (b if a == 0 else span)
        if a == 0:
            return out
        out += a  # in place: out is this function's own array
        if at_end is None:
            return out
        end = xp.asarray(b, dtype=xp_float_dtype(xp)) if kind == "float64" else xp.zeros_like(out) + b
        return xp.where(at_end, end, out)
    q = 1 - p if q is None else q() if callable(q) else q
    if isinstance(span, float) and abs(span) > top:
        # b - a beyond the dtype (a float64 target past 2**128 in float32, or inf): its
        # significand times p, then its exponent, so that a value below the dtype's max is not
        # inf; b - ... when b is beyond too would be inf - inf: then the a side throughout
        head = a + _times_wide(span, p, xp)
        out = head if abs(b) > top else xp.where(p <= 0.5, head, b - _times_wide(span, q, xp))
    else:
        out = xp.where(p <= 0.5, a + span * p, b - span * q)
    return xp.where(p == 0, xp.zeros_like(p) + a, out)  # a start even where span * 0 is nan (span inf)


# -- powers of a fraction or of the step, real-length falls (TF Model Garden's schedules) ----------
def xp_progress_power(
    step: Any, start: int, length: int, power: float, *, complement: bool = False, xp: Any
) -> Any:
    """``p ** power`` for ``p = xp_progress(step, start, length)``: a polynomial rise from 0 to 1
    (TF Model Garden's ``PolynomialWarmUp`` ramp).

    With ``complement``, ``1 - p ** power``, accurate relative to itself near its 0 at ``p = 1``,
    from the exact remainder ``1 - p`` there (as :func:`xp_polynomial`'s rise). float32: ``p`` as a
    float32 pair from the exact integer offset and its power as :func:`xp_polynomial` forms one,
    within 2 ulps (the complement too: 1.7 measured), with no float64.

    Args:
      step: an integer array (any int or uint dtype, any shape), or a Python int for the scalar
        and exact namespaces.
      start: the first step of the interval; an int >= 0.
      length: the interval's length in steps; an int >= 1.
      power: a float in [0, 128] (``0 ** 0`` is 1).
      complement: give ``1 - p ** power`` instead.
      xp: the array namespace; the result has its float dtype.

    Example:
      >>> import numpy as np
      >>> xp_progress_power(np.array([0, 50, 100]), 0, 100, 2.0, xp=np)
      array([0.  , 0.25, 1.  ])
      >>> xp_progress_power(np.array([0, 50, 100]), 0, 100, 2.0, complement=True, xp=np)
      array([1.  , 0.75, 0.  ])
    """
    _check_interval(start, length)
    _check_power(power, "power")
    kind = _kind(xp)
    if power == 0.0:
        k, _ = _offset(step, start, length, xp)
        return _real(k, xp) * 0.0 + (0.0 if complement else 1.0)
    if power == 1.0:
        return (xp_remaining if complement else xp_progress)(step, start, length, xp=xp)
    if kind == "exact":
        value = xp_progress(step, start, length, xp=xp) ** power
        return 1 - value if complement else value
    if kind == "float64":
        p = xp_progress(step, start, length, xp=xp)
        if not complement:
            return xp.pow(p, power)
        return _rise(xp_remaining(step, start, length, xp=xp), p, power, xp)  # 1 - p ** power
    k, _ = _offset(step, start, length, xp)
    p_hi, p_lo = _product_f32(Fraction(1, length), k, _bits_of(step, xp), xp)
    if complement:  # 1 - (1 + z) ** power for z = -q: near p = 1 from a series in q
        q_hi, q_lo = _remaining(step, start, length, Fraction(1, length), xp)
        return _finish(_one_minus_pow_f32(-q_hi, -q_lo, p_hi, p_lo, power, xp), xp)
    return _finish(_pow_f32(p_hi, p_lo, power, xp), xp)


#: The largest ``|power|`` of :func:`xp_step_power`: ``(2**63) ** 16 == 2**1008``, so for every
#: int64 step the float64 path's plain ``n ** power`` stays within float64's range.
MAX_STEP_POWER = 16


def _check_step_power(power: float) -> None:
    if (
        isinstance(power, bool)
        or not isinstance(power, (int, float))
        or not -MAX_STEP_POWER <= power <= MAX_STEP_POWER
    ):
        raise ValueError(f"power must be a finite float in [-16, 16]; received power={power!r}")


def xp_step_power(scale: float, step: Any, power: float, *, factor: Any = None, xp: Any) -> Any:
    """``scale * max(step, 1) ** power``: a power of the step itself (TF Model Garden's
    ``DirectPowerDecay``; ``power = -0.5`` is an inverse square-root decay).

    Steps below 1 count as 1, as TF Model Garden's ``max(step, 1)`` has them (``0 ** power`` is
    undefined for a negative power). float64: the plain formula on the step as a float64, within a
    few ulps (for ``|power| <= 16`` no int64 step takes ``n ** power`` beyond float64's range).
    float32: ``power * log2(n)`` from the integer step as an exact float32 pair (``n * 2**-64`` in
    (0, 1), its logarithm from a table and a short series), and the scale's significand and
    exponent folded into one ``2**y``: within 2 ulps, with no float64 and no intermediate
    over- or underflow where the result is a float32.

    Args:
      scale: a finite float >= 0 (the value at steps <= 1).
      step: an integer array (any int or uint dtype, any shape), or a Python int for the scalar
        and exact namespaces.
      power: a finite float in [-16, 16].
      factor: optional, an array of ``xp``'s float dtype in [0, 1] to multiply the result by,
        applied before the final power of two (float32) or the scale (float64): a value whose
        ``scale * n ** power`` alone would overflow is still finite (0 where ``factor`` is 0).
      xp: the array namespace; the result has its float dtype.

    Example:
      >>> import numpy as np
      >>> xp_step_power(2.0, np.array([0, 1, 4, 16]), -0.5, xp=np)
      array([2. , 2. , 1. , 0.5])
    """
    _check_power(scale, "scale", math.inf)
    _check_step_power(power)
    kind = _kind(xp)
    n = max(step, 1) if isinstance(step, int) else xp.where(step < 1, xp.ones_like(step), step)
    if kind == "exact":
        value = xp.real(scale) * xp.real(n) ** power if power else xp.real(scale)
        return value if factor is None else value * factor
    if scale == 0.0:
        return _real(n, xp) * 0.0
    if kind == "float64" or power == 0.0:
        value = xp.pow(_real(n, xp), power) if power else _real(n, xp) * 0.0 + 1.0
        return _finish((value if factor is None else value * factor) * scale, xp)
    bits = _bits(n.dtype, xp)
    x_hi, x_lo = _product_f32(Fraction(1, 2**bits), n, bits, xp)  # n * 2**-bits, exactly
    _, exact, small = _log2_terms(x_hi, x_lo, power, xp)
    scaled = Fraction(power) * bits  # power * log2(2**bits): an integer and a fraction
    mantissa, e = math.frexp(scale)  # scale = (2 * mantissa) * 2**(e - 1)
    whole = round(scaled)
    hi, lo = _pair(scaled - whole)
    zero = xp.zeros_like(x_hi)
    # the integer (with the scale's exponent) is an exact term: summed before the range is clipped
    exact += [zero + float(whole + e - 1), zero + hi]
    small.append(zero + lo)
    m_hi = _f32(2 * mantissa)
    m_lo = _f32(2 * mantissa - m_hi)
    if factor is not None:
        factor = xp.astype(factor, xp.float32)
    return _finish(_exp2(*_exp2_split(exact, small, xp), m_hi, m_lo, 0, xp, factor), xp)


def xp_linear_fall(step: Any, end: int, length: float | Fraction, *, xp: Any) -> Any:
    """``clip((end - step) / length, 0, 1)``: 1 until a linear fall to 0 at step ``end``, over a
    real ``length`` (not a whole number of steps: TF Model Garden's ``PowerAndLinearDecay`` falls
    over ``total_decay_steps * linear_decay_fraction`` steps).

    The integer ``end - step`` is clipped first, exactly, then multiplied by ``1 / length``:
    float64 within 2 ulps; float32 within 0.5 ulp plus 2**-36 relative, with no float64.

    Args:
      step: an integer array (any int or uint dtype, any shape), or a Python int for the scalar
        and exact namespaces.
      end: where the fall reaches 0; an int >= 0, possibly beyond the dtype's range.
      length: the fall's length, a float or a Fraction in (0, end] (exact: a Fraction keeps
        ``total_decay_steps * linear_decay_fraction`` unrounded).
      xp: the array namespace; the result has its float dtype.

    Example:
      >>> import numpy as np
      >>> xp_linear_fall(np.array([0, 90, 95, 100, 120]), 100, 10.0, xp=np)
      array([1. , 1. , 0.5, 0. , 0. ])
    """
    if not isinstance(end, int) or isinstance(end, bool) or end < 0:
        raise ValueError(f"end must be an int >= 0; received end={end!r}")
    if isinstance(length, bool) or not isinstance(length, (int, float, Fraction)) or not 0 < length <= end:
        raise ValueError(f"length must be a real in (0, end={end}]; received length={length!r}")
    length = Fraction(length)
    kind = _kind(xp)
    start = end - math.ceil(length)  # >= 0; from here on back the value is 1
    if isinstance(step, int):
        r = min(max(end - step, 0), end - start)
        if r >= length or r == 0:  # (1 / length may overflow: a length below 1 is r == 0 or 1 here)
            return _real(r and 1, xp)
        if kind == "exact":
            return xp.real(r * length.denominator) / length.numerator
        return r / float(length) if xp is scalar else _real(r, xp) / float(length)
    top = xp.iinfo(step.dtype).max
    if start > top:  # every step of this dtype is before the fall
        return xp.zeros_like(step, dtype=xp_float_dtype(xp)) + 1.0
    kmax = min(end, top)
    r = kmax - xp.clip(step, start, kmax)  # end - step, less the constant end - kmax
    beyond = end - kmax
    if length < 1:  # shorter than a step: 1 before end, 0 from it (1 / length may overflow)
        ones = xp.zeros_like(step, dtype=xp_float_dtype(xp)) + 1.0
        return ones if beyond else xp.where(r > 0, ones, ones * 0.0)
    if kind != "float32":
        value = (_real(r, xp) + float(beyond)) * float(1 / length)
        return xp.clip(value, None, 1.0)
    factor = 1 / length
    hi, _ = _product_f32(
        factor, r, (kmax - start).bit_length(), xp, _pair(factor * beyond) if beyond else None
    )
    return _finish(xp.clip(hi, None, 1.0), xp)


# -- geometric cycles (SGDR / CosineDecayRestarts) ------------------------------------------------
_MAX_RESTARTS = 1 << 17  # table entries: t_mul this close to 1 for this first is refused
_FIX = 320  # fractional bits of the fixed-point restart positions


@dataclass(frozen=True)
class _Cycles:
    """The restarts of cycles lasting ``first * t_mul**i`` steps, up to step ``top``.

    Cycle i starts at the exact real ``S_i = first * (t_mul**i - 1) / (t_mul - 1)``; its first
    integer step is ``starts[i] = ceil(S_i)``. For t_mul < 1 the restarts accumulate at
    ``L = first / (1 - t_mul)``: the last entry (``limit``) is then ``ceil(L)``, from which every
    step is past infinitely many restarts.
    """

    starts: tuple[int, ...]  # ceil(S_i), nondecreasing
    into: tuple[Fraction, ...]  # ceil(S_i) - S_i, in [0, 1): where the first integer step is
    ends: tuple[int, ...]  # min(ceil(S_{i+1}) - 1, top): the last integer step of cycle i
    beyond: tuple[Fraction, ...]  # S_{i+1} - ends[i], > 0
    lengths: tuple[Fraction, ...]  # first * t_mul**i (to _FIX bits)
    limit: bool  # t_mul < 1 and the last entry is ceil(L): done = 1, left = 0 there


def _exact_start(i: int, first: int, t: Fraction) -> Fraction:
    return first * (t**i - 1) / (t - 1)


@lru_cache(maxsize=64)
def _cycles(first: int, t_mul: float, top: int) -> _Cycles:
    p, q = t_mul.as_integer_ratio()
    t = Fraction(p, q)
    one = 1 << _FIX
    power = one  # t**i * 2**_FIX, floored
    start, start_error = 0, 0  # S_i * 2**_FIX, floored, and a bound on its error (units 2**-_FIX)
    power_error = 0
    limit = math.ceil(Fraction(first) / (1 - t)) if t < 1 else None
    starts, into, lengths, positions = [], [], [], []
    i = 0
    while True:
        whole, frac = divmod(start, one)
        if (start_error and (frac <= start_error or one - frac <= start_error)) or not power >> 64:
            # S_i near an integer, or cycles too short for the fixed point (t_mul = 2e-209: t**1 is
            # below 2**-_FIX): exactly
            exact = _exact_start(i, first, t)
            ceil, position = math.ceil(exact), exact
        else:
            ceil = whole + (frac > 0)
            position = Fraction(start, one)
        if ceil > top or (limit is not None and ceil >= limit):
            break
        starts.append(ceil)
        into.append(ceil - position)
        # the length in fixed point, or exactly where that kept few bits (t_mul = 2e-209: t**1 is
        # below 2**-_FIX, floored to 0, and the cycle holding step 3 counted as empty)
        lengths.append(Fraction(first * power, one) if power >> 64 else first * t**i)
        positions.append(position)
        if len(starts) > _MAX_RESTARTS:
            raise ValueError(
                f"t_mul={t_mul!r} is too close to 1 for first={first}: more than {_MAX_RESTARTS} "
                f"restarts lie within steps 0..{top}"
            )
        start += first * power
        start_error += first * power_error
        scaled, rest = divmod(power * p, q)
        power_error = (power_error * p + q - 1) // q + (1 if rest else 0)
        power = scaled
        i += 1
    # each cycle ends where the next starts (the last: where the start that stopped the loop is)
    nexts = [*zip(starts[1:], positions[1:], strict=True), (ceil, position)]
    ends = [min(c - 1, top) for c, _ in nexts]
    beyond = [position - end for (_, position), end in zip(nexts, ends, strict=True)]
    is_limit = limit is not None and limit <= top
    if is_limit:  # the accumulation point: a last entry, past every cycle
        starts.append(limit)
        into.append(Fraction(0))
        lengths.append(Fraction(0))
        ends.append(top)
        beyond.append(Fraction(0))
    return _Cycles(tuple(starts), tuple(into), tuple(ends), tuple(beyond), tuple(lengths), is_limit)


@dataclass(frozen=True)
class _CycleTables:
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    bits: int  # every in-cycle offset (step - start, end - step) is below 2**bits
    into: tuple[float, ...]  # float64: (ceil(S_i) - S_i); float32: (into * inv) as a pair
    beyond: tuple[float, ...]
    inv: tuple[float, ...]  # float64: 1 / length
    into_lo: tuple[float, ...] = ()
    beyond_lo: tuple[float, ...] = ()
    digits: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = ()  # float32: per digit (heads, tails)


@lru_cache(maxsize=64)
def _cycle_tables(first: int, t_mul: float, top: int, kind: str) -> _CycleTables:
    c = _cycles(first, t_mul, top)
    # a cycle holding no integer step is never found (a later one starts at the same step): zeros
    live = [
        end >= start and length > 0 for start, end, length in zip(c.starts, c.ends, c.lengths, strict=True)
    ]
    invs = [1 / length if ok else Fraction(0) for length, ok in zip(c.lengths, live, strict=True)]
    fractions_into, fractions_beyond = list(c.into), list(c.beyond)
    for i, (start, end, ok) in enumerate(zip(c.starts, c.ends, live, strict=True)):
        if ok and end == start:  # one integer step, offsets 0: its fractions whole, a unit factor
            # (1 / length of a cycle far shorter than a step overflows float32, even float64)
            fractions_into[i], fractions_beyond[i] = c.into[i] * invs[i], c.beyond[i] * invs[i]
            invs[i] = Fraction(1)
    bits = max([end - start for start, end, ok in zip(c.starts, c.ends, live, strict=True) if ok] + [1])
    bits = bits.bit_length()
    if kind != "float32":
        return _CycleTables(
            c.starts,
            c.ends,
            bits,
            tuple(float(x) for x in fractions_into),
            tuple(float(x) for x in fractions_beyond),
            tuple(float(x) for x in invs),
        )
    into = [_pair(x * inv) for x, inv in zip(fractions_into, invs, strict=True)]
    beyond = [_pair(x * inv) for x, inv in zip(fractions_beyond, invs, strict=True)]
    digits = []
    for j in range(max(1, -(-bits // _DIGIT_BITS))):
        heads, tails = [], []
        for inv in invs:
            constant = inv * 2 ** (_DIGIT_BITS * j)
            head = _round_bits(constant, _DIGIT_BITS)
            heads.append(float(head))
            tails.append(_f32(float(constant - head)))
        digits.append((tuple(heads), tuple(tails)))
    return _CycleTables(
        c.starts,
        c.ends,
        bits,
        tuple(hi for hi, _ in into),
        tuple(hi for hi, _ in beyond),
        (),
        tuple(lo for _, lo in into),
        tuple(lo for _, lo in beyond),
        tuple(digits),
    )


_F32_MAX = 3.4028234663852886e38


def _take(values: tuple, dtype: Any, index: Any, xp: Any) -> Any:
    """``values[index]`` elementwise, for an int32 (int64 in float64) index array of any shape.

    A namespace may give ``lrsched_take(array, index)`` taking an index of any shape (torch's
    indexing): a graph traced on a 0-d step (``make_fx``) then serves every shape, where the
    Array API's 1-d ``take`` needs a reshape to the traced shape."""
    if dtype == xp.float32:  # a finite entry beyond float32 belongs to a cycle no integer step is in
        values = tuple(
            v if abs(v) <= _F32_MAX or v != v or abs(v) == math.inf else math.copysign(_F32_MAX, v)
            for v in values
        )
    array = xp.asarray(list(values), dtype=dtype)
    take = getattr(xp, "lrsched_take", None)
    if take is not None:
        return take(array, index)
    if getattr(index, "ndim", 1) == 1:
        return xp.take(array, index)
    flat = xp.take(array, xp.reshape(index, (-1,)))
    return xp.reshape(flat, tuple(index.shape))


def _table_product_f32(
    n: Any, index: Any, tables: _CycleTables, extra: tuple[tuple, tuple], xp: Any
) -> tuple[Any, Any]:
    """``inv[index] * n + extra[index]`` as a float32 pair, for ``0 <= n < 2**tables.bits``."""
    f32 = xp.float32
    exact, small = [], []
    last = len(tables.digits) - 1
    for j, (heads, tails) in enumerate(tables.digits):
        digit = xp.bitwise_right_shift(n, _DIGIT_BITS * j) if j else n
        if j < last:
            digit = xp.bitwise_and(digit, (1 << _DIGIT_BITS) - 1)
        digit = xp.astype(digit, f32)
        exact.append(digit * _take(heads, f32, index, xp))  # 12 bits times 12 bits: exact
        small.append(digit * _take(tails, f32, index, xp))
    exact.append(_take(extra[0], f32, index, xp))
    small.append(_take(extra[1], f32, index, xp))
    return _sum_f32(exact, small, xp)


def _last_at_most(table: tuple[int, ...], step: Any, itype: Any, xp: Any) -> Any:
    """The largest ``i`` with ``table[i] <= step`` (``table`` sorted, ``table[0] <= step``), as
    ``itype``: the Array API's ``searchsorted`` where the namespace has it (numpy's is a search
    that starts from the previous step's answer), else a branch-free binary lifting with ``take``."""
    search = getattr(xp, "searchsorted", None)
    if search is not None:
        index = search(xp.asarray(list(table), dtype=step.dtype), step, side="right")
        index = index if index.dtype == itype else xp.astype(index, itype)
        return index - 1
    n = len(table)
    index = xp.zeros_like(step, dtype=itype)
    power = 1 << max(n - 1, 1).bit_length() - 1 if n > 1 else 0
    while power:  # binary lifting
        candidate = index + power
        clipped = xp.minimum(candidate, xp.asarray(n - 1, dtype=itype))
        # a candidate past the table is clipped to its last entry: found there means the answer is it
        index = xp.where(_take(table, step.dtype, clipped, xp) <= step, clipped, index)
        power >>= 1
    return index


def _check_geometric(first: int, t_mul: float) -> None:
    if not isinstance(first, int) or isinstance(first, bool) or first < 1:
        raise ValueError(f"first must be an int >= 1; received first={first!r}")
    if isinstance(t_mul, bool) or not isinstance(t_mul, (int, float)) or not 0 < t_mul < math.inf:
        raise ValueError(f"t_mul must be a finite float > 0; received t_mul={t_mul!r}")


def xp_geometric_cycle(step: Any, first: int, t_mul: float, *, xp: Any) -> tuple[Any, Any, Any]:
    """The restart cycle at ``step`` when cycle ``i`` lasts ``first * t_mul**i`` steps: ``(i, done, left)``.

    Cycle ``i`` starts at the exact real ``S_i = first * (t_mul**i - 1) / (t_mul - 1)`` (``first * i``
    for ``t_mul == 1``); an integer step ``s`` is in cycle ``i`` exactly when ``S_i <= s < S_{i+1}``,
    so the restart to cycle ``i`` is at the integer step ``ceil(S_i)``: where ``S_i`` is an integer
    (``t_mul`` 1, 2, 3; 1.5 with ``first`` divisible by ``2**(i-1)``) that step has ``done == 0``
    exactly, as in torch's ``CosineAnnealingWarmRestarts`` (integer ``T_mult``) and optax's
    ``sgdr_schedule``. ``done = (s - S_i) / (first * t_mul**i)`` and ``left = (S_{i+1} - s) /
    (first * t_mul**i)``, each from exact integer offsets, so ``left`` keeps its relative accuracy
    near 0 (the cosine's tail). This is Keras ``CosineDecayRestarts``'s exact math; Keras computes
    ``floor(log(1 - c * (1 - t_mul)) / log(t_mul))`` for ``c = step / first`` in the float dtype, so
    it puts a restart a step late where that logarithm rounds just below an integer (exact
    integer restarts included) and a step early where it rounds up to one (``first=3, t_mul=2``
    at step ``3 * (2**23 - 1) - 1`` in float32), and in float32 further off past ``2**24``.

    For ``t_mul < 1`` the cycles shrink and the restarts accumulate at ``L = first / (1 - t_mul)``:
    a step at or beyond ``ceil(L)`` is past infinitely many cycles and gets ``done == 1``,
    ``left == 0`` and a fixed index (one more than any index before it; Keras gives nan there).
    Steps below 0 count as step 0. The index is exact: the restart steps are a precomputed table of
    exact integers (refused, with a ValueError, beyond 2**17 restarts in the dtype's range),
    searched branch-free with ``take``. Accuracy: float64 within a few ulps; float32 within
    0.5 ulp plus 2**-36 relative, with no float64.

    Args:
      step: an integer array (any int or uint dtype, any shape), or a Python int for the scalar and
        exact namespaces.
      first: the first cycle's length in steps, an int >= 1.
      t_mul: the factor on each next cycle's length, a finite float > 0.
      xp: the array namespace.

    Returns:
      ``(i, done, left)``: the cycle index (the step's integer dtype; a Python int for Python
      steps) and the fractions done and left of cycle ``i``, in ``xp``'s float dtype.

    Example:
      >>> import numpy as np
      >>> i, done, left = xp_geometric_cycle(np.array([0, 9, 10, 25, 30]), 10, 2.0, xp=np)
      >>> i, done, left
      (array([0, 0, 1, 1, 2]), array([0.  , 0.9 , 0.  , 0.75, 0.  ]), array([1.  , 0.1 , 1.  , 0.25, 1.  ]))
    """
    _check_geometric(first, t_mul)
    t_mul = float(t_mul)
    kind = _kind(xp)
    if isinstance(step, int):
        return _geometric_python(max(step, 0), first, t_mul, kind, xp)
    info = xp.iinfo(step.dtype)
    if info.min < 0:
        step = xp.where(step < 0, xp.zeros_like(step), step)
    if t_mul == 1.0:
        index, position = xp_cycle(step, first, xp=xp)
        return index, xp_progress(position, 0, first, xp=xp), xp_remaining(position, 0, first, xp=xp)
    tables = _cycle_tables(first, t_mul, int(info.max), kind)
    n = len(tables.starts)
    i32 = xp.int64 if kind == "float64" else xp.int32  # float64: int64 indices, which take uses as
    index = _last_at_most(tables.starts, step, i32, xp)  # they are (numpy converts int32 ones on every take)
    k = step - _take(tables.starts, step.dtype, index, xp)  # exact, in [0, 2**bits)
    m = _take(tables.ends, step.dtype, index, xp) - step
    if kind == "float32":
        done, _ = _table_product_f32(k, index, tables, (tables.into, tables.into_lo), xp)
        left, _ = _table_product_f32(m, index, tables, (tables.beyond, tables.beyond_lo), xp)
    else:
        f64 = xp_float_dtype(xp)
        inv = _take(tables.inv, f64, index, xp)
        done = (xp.astype(k, f64) + _take(tables.into, f64, index, xp)) * inv
        left = (xp.astype(m, f64) + _take(tables.beyond, f64, index, xp)) * inv
    if _cycles(first, t_mul, int(info.max)).limit:
        past = index == n - 1
        done = xp.where(past, xp.ones_like(done), done)
        left = xp.where(past, xp.zeros_like(left), left)
    index = xp.astype(index, step.dtype)
    return index, _finish(done, xp), _finish(left, xp)


def _geometric_python(step: int, first: int, t_mul: float, kind: str, xp: Any) -> tuple[Any, Any, Any]:
    """Python ints: the scalar namespace (float64 from the table) and the exact one (plain formulas)."""
    import bisect

    if t_mul == 1.0:
        index, position = divmod(step, first)
        return index, xp_progress(position, 0, first, xp=xp), xp_remaining(position, 0, first, xp=xp)
    top = max(2**63 - 1, (1 << step.bit_length()) - 1)
    c = _cycles(first, t_mul, top)
    index = bisect.bisect_right(c.starts, step) - 1
    if c.limit and index == len(c.starts) - 1:
        return index, _real(1, xp) * 1, _real(0, xp) * 1
    if kind == "exact":  # the plain formulas, in exact rationals, then one division
        start, length = _geometric_cycle_exact(first, t_mul, index)
        done = (step - start) / length
        done = xp.real(done.numerator) / done.denominator
        return index, done, 1 - done
    tables = _cycle_tables(first, t_mul, top, kind)
    inv = tables.inv[index]
    done = ((step - tables.starts[index]) + tables.into[index]) * inv
    left = ((tables.ends[index] - step) + tables.beyond[index]) * inv
    return index, done, left


@lru_cache(maxsize=256)
def _geometric_cycle_exact(first: int, t_mul: float, index: int) -> tuple[Fraction, Fraction]:
    """Cycle ``index``'s start and length as exact rationals (``spec(k)`` reuses them)."""
    t = Fraction(t_mul)
    power = t**index
    return first * (1 - power) / (1 - t), first * power


def xp_half_cosine_fraction(done: Any, left: Any, *, xp: Any) -> Any:
    """``(1 + cos(pi * done)) / 2`` for a fraction ``done`` and ``left = 1 - done`` given apart.

    ``1 - sin(pi * done / 2)**2`` while ``done <= 1/2`` and ``sin(pi * left / 2)**2`` after, so the
    tail near ``done == 1`` keeps its relative accuracy from ``left`` (as :func:`xp_half_cosine`).
    With :func:`xp_geometric_cycle` a Keras ``CosineDecayRestarts`` value is
    ``lr0 * ((1 - alpha) * m_mul**i * xp_half_cosine_fraction(done, left) + alpha)``.
    float32: within 2 ulps of the exact value for inputs exact to 0.5 ulp, no float64.

    Args:
      done: the fraction done, a float array of ``xp``'s float dtype in [0, 1] (a real for the
        exact namespace); or a function of no arguments giving it, called only where it is read
        (float64 arrays read ``left`` alone: see ``xp_periodic_progress(lazy=True)``).
      left: ``1 - done``, accurate in itself near 0.
      xp: the array namespace.

    Example:
      >>> import numpy as np
      >>> xp_half_cosine_fraction(np.array([0.0, 0.5, 1.0]), np.array([1.0, 0.5, 0.0]), xp=np)
      array([1. , 0.5, 0. ])
    """
    kind = "float64" if xp is scalar else _kind(xp)
    if kind == "float64" and xp is not scalar:  # sin(pi/2 * left)**2 everywhere: see xp_half_cosine
        value = xp.sin(left * (xp.pi / 2))
        value *= value  # in place: this function's own array
        return value
    if callable(done):
        done = done()
    if xp is scalar:  # Python floats: one branch
        quarter = math.pi / 2
        return 1 - math.sin(quarter * done) ** 2 if done <= 0.5 else math.sin(quarter * left) ** 2
    if kind == "exact":  # the plain formula: no comparison that a tie could leave undecided
        return (1 + xp.cospi(done)) / 2
    f32 = xp.float32
    lower = done <= 0.5
    x = xp.astype(xp.where(lower, done, left), f32)  # in [0, 1/2]
    big = x * 4097.0  # Veltkamp: x = x1 + x2, 12 bits each, so x1 * head and x2 * head are exact
    x1 = big - (big - x)
    x2 = x - x1
    head, tail = _QUARTER_PI
    y_hi, y_lo = _sum_f32([x1 * head, x2 * head], [x * tail], xp)
    s_hi, s_lo = _sin2_f32(y_hi, y_lo, xp)
    one_hi = 1.0 - s_hi
    one_lo = ((1.0 - one_hi) - s_hi) - s_lo
    value = xp.where(lower, one_hi + one_lo, s_hi + s_lo)
    return _finish(value, xp)


_QUARTER_PI = (
    float(_round_bits(_PI / 2, _DIGIT_BITS)),
    _f32(float(_PI / 2 - _round_bits(_PI / 2, _DIGIT_BITS))),
)


# -- rational progress: periods that are not a whole number of steps (HF transformers) ----------
# HF's cosines run ``num_cycles`` waves over ``D`` steps: a period of ``D / num_cycles`` steps, a
# rational. x = (step - start) * num / den is reduced exactly: for Python ints in integers; for
# arrays the step is cut into B-bit digits d_i (two's complement: the top digit carries the sign)
# and each constant (num / den * 2**(B i)) mod 2 is split into B-bit heads and a tail, so every
# d_i * head is exact; the integer parts are kept modulo 2 and the fractional parts summed with
# TwoSum. float64: B = 26, two heads (x mod 2 within about 2**-70); float32: B = 12, three heads
# (within about 2**-40), with no float64.
def _check_ratio(num: int, den: int) -> None:
    if not isinstance(num, int) or isinstance(num, bool) or num < 0:
        raise ValueError(f"num must be an int >= 0; received num={num!r}")
    if not isinstance(den, int) or isinstance(den, bool) or den < 1:
        raise ValueError(f"den must be an int >= 1; received den={den!r}")


@lru_cache(maxsize=256)
def _phase_plan(
    num: int, den: int, start: int, width: int, single: bool
) -> tuple[int, tuple[tuple[tuple[float, ...], float], ...], float, float]:
    """``(B, ((heads, tail) per digit), c_hi, c_lo)`` with ``c = (-start * num / den) mod 2``."""
    bits, count, rnd = (12, 3, _f32) if single else (26, 2, float)
    factor = Fraction(num, den)
    digits = []
    for i in range(-(-width // bits)):
        rest = (factor * 2 ** (bits * i)) % 2
        heads = []
        for _ in range(count):
            head = _round_bits(rest, bits)
            if head:
                heads.append(float(head))
            rest -= head
        digits.append((tuple(heads), rnd(float(rest))))
    c = (-start * factor) % 2
    c_hi = rnd(float(c))
    return bits, tuple(digits), c_hi, rnd(float(c - Fraction(c_hi)))


def _python_fold(r: int, den: int, xp: Any) -> tuple[Any, Any]:
    """``(r / den, (den - r) / den)`` for Python ints: exact reals, or correctly rounded floats."""
    kind = _kind(xp)
    if kind == "exact":
        return xp.real(r) / den, xp.real(den - r) / den
    done, left = r / den, (den - r) / den  # int / int: correctly rounded
    if xp is scalar:
        return done, left
    dtype = xp_float_dtype(xp)
    return xp.asarray(done, dtype=dtype), xp.asarray(left, dtype=dtype)


def xp_periodic_progress(
    step: Any, start: int, num: int, den: int, *, lazy: bool = False, xp: Any
) -> tuple[Any, Any]:
    """Where ``x = (step - start) * num / den`` lies on a period of 2: ``(done, left)``, the
    distances from ``x`` to the nearest even and to the nearest odd integer (``done + left == 1``).

    With it ``(1 + cos(pi * x)) / 2 == xp_half_cosine_fraction(done, left)``: a cosine of any
    rational frequency, continued before ``start`` and past any end, for periods that are not a
    whole number of steps (HF transformers' ``num_cycles`` waves over ``D`` steps: ``num / den =
    2 * num_cycles / D``). ``x mod 2`` is formed exactly from the integer step (see the comment
    above): within about 2**-70 (float64) or 2**-40 (float32, no float64) at every step of the
    dtype however many periods lie before it, so ``left`` keeps its relative accuracy near the
    cosine's troughs, where ``0.5 * (1 + cos(pi * x))`` in floating point keeps only an absolute one.

    Args:
      step: an integer array (any int or uint dtype, any shape, negative steps too), or a Python
        int for the scalar and exact namespaces.
      start: the step where ``x`` is 0; any Python int.
      num: an int >= 0 (0: ``x`` is 0 at every step).
      den: an int >= 1.
      lazy: give ``done`` as a function of no arguments, for
        :func:`xp_half_cosine_fraction`, which calls it only where it reads it (not in float64).
      xp: the array namespace; ``done`` and ``left`` have its float dtype.

    Example:
      >>> import numpy as np
      >>> done, left = xp_periodic_progress(np.array([0, 1, 3, 4, 6]), 0, 2, 3, xp=np)
      >>> done.round(6), left.round(6)
      (array([0.      , 0.666667, 0.      , 0.666667, 0.      ]), array([1.      , 0.333333, 1.      , 0.333333, 1.      ]))
    """
    if not isinstance(start, int) or isinstance(start, bool):
        raise ValueError(f"start must be an int; received start={start!r}")
    _check_ratio(num, den)
    folds = not isinstance(step, int) and num > 0 and 2 * den * (num + 1) < 2**63 and _kind(xp) == "float64"
    if folds:  # float64 in 64-bit integers
        done, left = _periodic_fold(step, start, num, den, xp)
        return (done if lazy else done()), left
    if lazy:
        done, left = xp_periodic_progress(step, start, num, den, xp=xp)
        return (lambda: done), left
    if isinstance(step, int):
        period = 2 * den
        r = ((step - start) * num) % period
        return _python_fold(min(r, period - r), den, xp)
    kind = _kind(xp)
    f = xp.float32 if kind == "float32" else xp_float_dtype(xp)
    if num == 0:
        zero = xp.zeros_like(step, dtype=f)
        return _finish(zero, xp), _finish(zero + 1.0, xp)
    bits, digits, c_hi, c_lo = _phase_plan(num, den, start, xp.iinfo(step.dtype).bits, kind == "float32")
    whole = frac = comp = None
    mask = (1 << bits) - 1
    for i, (heads, tail) in enumerate(digits):
        d = xp.bitwise_right_shift(step, bits * i) if i else step
        if i < len(digits) - 1:
            d = xp.bitwise_and(d, mask)
        d = xp.astype(d, f)
        for head in heads:
            term = d * head  # exact
            integer = xp.round(term)
            part = term - integer  # exact, in [-1/2, 1/2]
            integer = xp.astype(integer, xp.int32)
            if whole is None:
                whole, frac = integer, part
                continue
            whole = whole + integer
            frac, error = _two_sum(frac, part)
            comp = error if comp is None else comp + error
        if tail:
            comp = d * tail if comp is None else comp + d * tail
    if whole is None:  # every head is 0: x is within the tails (< 2**-50) of 0 at every step
        whole, frac = xp.zeros_like(step, dtype=xp.int32), xp.zeros_like(step, dtype=f)
    c_int = round(c_hi)
    frac, error = _two_sum(frac, c_hi - c_int)  # the constant's part of x (exact)
    comp = error + c_lo if comp is None else comp + error + c_lo
    hi, lo = _two_sum(frac, comp)
    integer = xp.round(hi)
    hi = hi - integer  # exact, in [-1/2, 1/2]
    whole = whole + xp.astype(integer, xp.int32) + c_int
    hi, lo = _two_sum(hi, lo)
    negative = hi < 0
    a_hi, a_lo = xp.where(negative, -hi, hi), xp.where(negative, -lo, lo)  # |x - whole|, about <= 1/2
    near = a_hi + a_lo
    far = (1.0 - a_hi) - a_lo
    odd = xp.bitwise_and(whole, 1) == 1
    return _finish(xp.where(odd, far, near), xp), _finish(xp.where(odd, near, far), xp)


def _periodic_fold(step: Any, start: int, num: int, den: int, xp: Any) -> tuple[Any, Any]:
    """float64 :func:`xp_periodic_progress` where ``2 * den * (num + 1) < 2**63``: ``r = (step -
    start) * num mod 2 * den`` in 64-bit integers, exactly (the step reduced mod ``2 * den``
    first, so nothing overflows), folded to ``m = min(r, 2 * den - r)``; then ``m / den`` and
    ``(den - m) / den``, each one division of exact integers (as :func:`_python_fold`). ``done``
    as a function of no arguments (computed only if called)."""
    period = 2 * den
    info = xp.iinfo(step.dtype)
    c = (-start * num) % period
    if info.bits < 64:  # room for step * num, or (step mod period) * num
        step = xp.astype(step, xp.int64)
    fits = max(info.max, -info.min) * num + c < 2**63  # step * num + c: one reduction
    r = step if fits else _mod(step, period)
    r = r * num if num != 1 else r
    r = r + c if c else r
    if xp.iinfo(r.dtype).min == 0:  # uint64 steps: den - m below needs a sign (r < 2**63 fits)
        r = xp.astype(r, xp.int64)
    # den - (r mod period), in place on the one new array (r may be the caller's steps)
    t = r // period
    t *= period
    t -= r  # -(r mod period), floored: in (-period, 0]
    t += den
    a = xp.abs(t)  # den - m, for m = min(r mod period, period - r mod period) in [0, den]
    f = xp_float_dtype(xp)
    left = xp.astype(a, f)
    left /= den  # in place: this function's own array
    return (lambda: xp.astype(den - a, f) / den), left


def _mod(x: Any, d: int) -> Any:
    """``x mod d`` (floored) for an integer array: ``x - (x // d) * d``, which numpy computes
    faster than ``%`` (its floor division by a scalar is a multiplication)."""
    return x - (x // d) * d


def xp_rational_cycle(step: Any, num: int, den: int, end: int, *, xp: Any) -> tuple[Any, Any]:
    """The fractions done and left of the current cycle when cycles of ``den / num`` steps (a
    rational) run from step 0: ``(frac(step * num / den), 1 - frac(step * num / den))``.

    The restarts fall on the exact integer steps ``ceil(i * den / num)`` (a table of exact
    integers, as :func:`xp_geometric_cycle`'s), so a restart is never a step early or late;
    ``left`` comes from the exact integer offset to the next restart, accurate near 0 (the
    cosine's tail before a hard restart). Steps are taken in ``[0, end - 1]``: below 0 as 0, from
    ``end`` on as ``end - 1`` (HF's hard restarts end at ``end``; the schedule decides what
    follows). float64 within a few ulps; float32 within 0.5 ulp plus 2**-36 relative, no float64.

    Args:
      step: an integer array (any int or uint dtype, any shape), or a Python int for the scalar
        and exact namespaces.
      num: an int >= 0 (0: a single cycle that never restarts).
      den: an int >= 1.
      end: an int >= 1; at most 2**12 cycles may start below it (a ValueError otherwise).
      xp: the array namespace; the results have its float dtype.

    Example:
      >>> import numpy as np
      >>> done, left = xp_rational_cycle(np.array([0, 3, 4, 6, 7, 9]), 3, 10, 10, xp=np)
      >>> done.round(6), left.round(6)
      (array([0. , 0.9, 0.2, 0.8, 0.1, 0.7]), array([1. , 0.1, 0.8, 0.2, 0.9, 0.3]))
    """
    _check_ratio(num, den)
    if not isinstance(end, int) or isinstance(end, bool) or end < 1:
        raise ValueError(f"end must be an int >= 1; received end={end!r}")
    if num and math.ceil(Fraction((end - 1) * num, den)) > _MAX_CYCLES:
        raise ValueError(
            f"more than 2**12 cycles of {den}/{num} steps start below end={end}: the restart table "
            "would be too large"
        )
    if isinstance(step, int):
        s = min(max(step, 0), end - 1)
        return _python_fold((s * num) % den, den, xp)
    kind = _kind(xp)
    if num == 0:
        zero = xp.zeros_like(step, dtype=xp.float32 if kind == "float32" else xp_float_dtype(xp))
        return _finish(zero, xp), _finish(zero + 1.0, xp)
    info = xp.iinfo(step.dtype)
    top = min(end - 1, int(info.max))
    step = xp.clip(step, 0 if info.min < 0 else None, top)
    if kind == "float64" and max(top * num, den) < 2**63:
        # r = step * num mod den in 64-bit integers, exactly: frac(step * num / den) = r / den and
        # its complement (den - r) / den, each one division of exact integers (restarts exact)
        if info.bits < 64:
            step = xp.astype(step, xp.int64)
        r = _mod(step * num, den)
        f = xp_float_dtype(xp)
        return xp.astype(r, f) / den, xp.astype(den - r, f) / den
    t = _arithmetic_tables(num, den, top, kind)
    factor = Fraction(num, den)
    n = len(t.starts)
    # the cycle index floor(step * num / den), from a float estimate (off by at most 1: it is
    # at most 2**12) corrected by exact comparisons with the restart steps
    if kind == "float32":
        estimate, _ = _product_f32(factor, step, top.bit_length(), xp)
    else:
        estimate = xp.astype(step, xp_float_dtype(xp)) * float(factor)
    itype = xp.int64 if kind == "float64" else xp.int32  # as in xp_geometric_cycle
    last = xp.asarray(n - 1, dtype=itype)
    index = xp.clip(xp.astype(xp.floor(estimate), itype), 0, n - 1)
    index = xp.where(_take(t.starts, step.dtype, index, xp) > step, xp.clip(index - 1, 0, None), index)
    following = xp.minimum(index + 1, last)
    index = xp.where((index < last) & (_take(t.starts, step.dtype, following, xp) <= step), following, index)
    k = step - _take(t.starts, step.dtype, index, xp)  # exact, in [0, 2**bits)
    m = _take(t.ends, step.dtype, index, xp) - step
    if kind == "float32":
        f32 = xp.float32
        done, _ = _product_f32(
            factor, k, t.bits, xp, (_take(t.into, f32, index, xp), _take(t.into_lo, f32, index, xp))
        )
        left, _ = _product_f32(
            factor, m, t.bits, xp, (_take(t.beyond, f32, index, xp), _take(t.beyond_lo, f32, index, xp))
        )
    else:
        f64 = xp_float_dtype(xp)
        done = xp.astype(k, f64) * float(factor) + _take(t.into, f64, index, xp)
        left = xp.astype(m, f64) * float(factor) + _take(t.beyond, f64, index, xp)
    return _finish(done, xp), _finish(left, xp)


_MAX_CYCLES = 1 << 12  # xp_rational_cycle's table: built in 0.1 s, searched in a few ms


@dataclass(frozen=True)
class _ArithmeticTables:
    starts: tuple[int, ...]  # ceil(i * den / num): the first step of cycle i
    ends: tuple[int, ...]  # its last step (at most top)
    bits: int  # every in-cycle offset is below 2**bits
    into: tuple[float, ...]  # (starts[i] - i * den / num) * num / den: where the first step is
    beyond: tuple[float, ...]  # ((i + 1) * den / num - ends[i]) * num / den
    into_lo: tuple[float, ...] = ()  # float32: the pairs' low parts
    beyond_lo: tuple[float, ...] = ()


@lru_cache(maxsize=64)
def _arithmetic_tables(num: int, den: int, top: int, kind: str) -> _ArithmeticTables:
    """The restarts of cycles of ``den / num`` steps at or below ``top``, as exact integers."""
    n = top * num // den + 1  # cycles i with i * den / num <= top
    starts = [-(-(i * den) // num) for i in range(n)]
    ends = [min(starts[i + 1] - 1, top) if i + 1 < n else top for i in range(n)]
    into = [Fraction(start * num - i * den, den) for i, start in enumerate(starts)]
    beyond = [Fraction((i + 1) * den - end * num, den) for i, end in enumerate(ends)]
    bits = max([end - start for start, end in zip(starts, ends, strict=True)] + [1]).bit_length()
    if kind != "float32":
        return _ArithmeticTables(
            tuple(starts), tuple(ends), bits, *(tuple(map(float, x)) for x in (into, beyond))
        )
    into_pairs, beyond_pairs = [_pair(x) for x in into], [_pair(x) for x in beyond]
    return _ArithmeticTables(
        tuple(starts),
        tuple(ends),
        bits,
        tuple(hi for hi, _ in into_pairs),
        tuple(hi for hi, _ in beyond_pairs),
        tuple(lo for _, lo in into_pairs),
        tuple(lo for _, lo in beyond_pairs),
    )


# -- an interval between real positions (torch's OneCycleLR phases) -----------------------------
@dataclass(frozen=True)
class _Interval:
    """``[start, end]`` cut at the integer steps: those at or below ``floor(start)`` (``before``)
    have done 0, those at or above ``ceil(end)`` (``after``) done 1, and each step ``s`` of
    ``[lo, hi]`` between them done ``(s - lo + into) / length`` and left ``(hi - s + beyond) /
    length``, with ``into = lo - start`` and ``beyond = end - hi`` both in (0, 1] (exact)."""

    before: int  # floor(start); steps below 0 count as 0, so it matters only when >= 0
    after: int  # ceil(end)
    lo: int  # max(floor(start) + 1, 0)
    hi: int  # ceil(end) - 1 (lo > hi: no integer step strictly inside)
    into: Fraction
    beyond: Fraction
    inv: Fraction  # 1 / (end - start) (0 for an empty interval)
    start: Fraction
    end: Fraction
    floats: tuple[float, float, float]  # float64 inv, into, beyond (the scalar path's constants)


def _exact_real(value: float | int | Fraction, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise ValueError(f"{name} must be a real number; received {name}={value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be finite; received {name}={value!r}")
    return Fraction(value)


@lru_cache(maxsize=256)
def _interval(start: float | int | Fraction, end: float | int | Fraction) -> _Interval:
    a, b = _exact_real(start, "start"), _exact_real(end, "end")
    if b < a:
        raise ValueError(f"end must be >= start; received start={start!r}, end={end!r}")
    before, after = math.floor(a), math.ceil(b)
    lo, hi = max(before + 1, 0), after - 1
    inv = 1 / (b - a) if b > a else Fraction(0)
    floats = (float(inv), float(lo - a), float(b - hi))
    return _Interval(before, after, lo, hi, lo - a, b - hi, inv, a, b, floats)


def xp_interval_fraction(
    step: Any, start: float | int | Fraction, end: float | int | Fraction, *, lazy: bool = False, xp: Any
) -> tuple[Any, Any]:
    """The fractions done and left of the real interval ``[start, end]`` at an integer step:
    ``done = clip((step - start) / (end - start), 0, 1)`` and ``left = 1 - done``.

    For intervals whose ends are not whole steps (torch's ``OneCycleLR`` phases end at
    ``pct_start * total_steps - 1``). The ends are exact reals (a float is its exact value), so
    ``step - start`` is the exact integer ``step - lo`` plus the constant ``lo - start`` in (0, 1]
    for the first integer ``lo`` past ``start``, and ``end - step`` likewise from the last integer
    ``hi`` before ``end``: ``done`` keeps its relative accuracy near 0 and ``left`` near the end,
    even where an end lies a hair from an integer. A step at or past ``end`` has ``done == 1``
    (also for an empty interval, ``start == end``); steps below 0 count as 0. float64 within 2 ulps;
    float32 within 0.5 ulp plus 2**-36 relative, with no float64.

    Args:
      step: an integer array (any int or uint dtype, any shape), or a Python int for the scalar
        and exact namespaces.
      start: where the interval starts: an int, a finite float or a Fraction (any sign).
      end: where it ends, ``>= start``.
      lazy: give ``done`` as a function of no arguments, computed only if called (for
        :func:`xp_half_cosine_fraction`, which reads ``left`` alone in float64).
      xp: the array namespace; the results have its float dtype.

    Returns:
      ``(done, left)``, each shaped like ``step``.

    Example:
      >>> import numpy as np
      >>> done, left = xp_interval_fraction(np.array([0, 1, 2, 3, 9]), -0.5, 3.5, xp=np)
      >>> done, left
      (array([0.125, 0.375, 0.625, 0.875, 1.   ]), array([0.875, 0.625, 0.375, 0.125, 0.   ]))
    """
    c = _interval(start, end)
    kind = _kind(xp)
    if isinstance(step, int):
        done, left = _interval_python(int(max(step, 0)), c, kind, xp)
        return ((lambda: done) if lazy else done), left
    return _interval_arrays(step, c, kind, xp, lazy)


def _interval_arrays(step: Any, c: _Interval, kind: str, xp: Any, lazy: bool) -> tuple[Any, Any]:
    """:func:`xp_interval_fraction` for arrays; with ``lazy``, ``done`` as a function."""
    info = xp.iinfo(step.dtype)
    top = int(info.max)
    s = xp.where(step < 0, xp.zeros_like(step), step) if info.min < 0 else step
    after = s >= c.after if c.after <= top else None
    before = s <= c.before if 0 <= c.before <= top else None  # before > top: every step is
    if c.lo > min(c.hi, top):  # no step strictly inside: 0 before, 1 after
        done = _real(s, xp) * 0.0
        if after is not None:
            done = xp.where(after, done + 1.0, done)
        return ((lambda: done) if lazy else done), 1.0 - done
    hi = min(c.hi, top)
    k = xp.clip(s, c.lo, hi) - c.lo if c.lo else xp.clip(s, None, hi)  # exact, in [0, hi - lo]
    m = (hi - c.lo) - k
    beyond = c.end - hi  # past the dtype's range: the steps it cannot hold, as a constant
    if kind == "float32":
        bits = (hi - c.lo).bit_length() or 1
        done, _ = _product_f32(c.inv, k, bits, xp, _pair(c.into * c.inv))
        left, _ = _product_f32(c.inv, m, bits, xp, _pair(beyond * c.inv))
    else:
        inv = float(c.inv)
        left = (_real(m, xp) + float(beyond)) * inv
    if kind == "float32":
        zero, one = xp.zeros_like(left), xp.ones_like(left)
    else:  # float64: 0-d constants, broadcast by where (no arrays of them)
        zero, one = (xp.asarray(v, dtype=xp_float_dtype(xp)) for v in (0.0, 1.0))
    if before is not None:
        left = xp.where(before, one, left)
    if after is not None:
        left = xp.where(after, zero, left)

    def fraction_done() -> Any:
        value = done if kind == "float32" else (_real(k, xp) + float(c.into)) * float(c.inv)
        if before is not None:
            value = xp.where(before, zero, value)
        if after is not None:
            value = xp.where(after, one, value)
        return _finish(value, xp)

    return (fraction_done if lazy else fraction_done()), _finish(left, xp)


def _interval_python(s: int, c: _Interval, kind: str, xp: Any) -> tuple[Any, Any]:
    """One Python step: the scalar namespace (float64) and the exact one (exact rationals)."""
    if s >= c.after:
        done = 1
    elif s <= c.before:
        done = 0
    elif kind == "exact":
        span = c.end - c.start
        d = (s - c.start) / span  # exact Fractions, one division each at the working precision
        return xp.real(d.numerator) / d.denominator, xp.real((1 - d).numerator) / (1 - d).denominator
    else:
        inv, into, beyond = c.floats
        return (s - c.lo + into) * inv, (c.hi - s + beyond) * inv
    return _real(done, xp) * 1, _real(1 - done, xp) * 1
