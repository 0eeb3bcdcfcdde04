"""The exact namespace behind ``spec(step)``: a schedule's math on mpmath reals, correctly rounded.

``spec(step)`` for a Python int runs ``spec.value(step, xp)`` with ``xp`` a namespace whose steps
are Python ints of any size and whose reals are mpmath floating-point numbers (:class:`Real`)
of a working precision. :func:`exact_value` evaluates the formula at two precisions and doubles
them until both round to the same float64 (Ziv's strategy), so the float it returns is the
correctly rounded value of the exact math, however much a formula cancels (``1 + cos`` near the
end of a half-cosine, a step of 10**30). Results that are exactly representable at the working
precision (ties included, such as ``9.0 * 0.96``) round half to even.

This module imports mpmath; lrsched imports it only when an exact value is computed.

A rounded quotient of exact values (``17 / 18``) carries its exact rational, and sums, products
and quotients of rationals keep one, so a comparison, floor, round or tie of a rational result is
decided exactly (a ramp's ``a + (b - a) * 17 / 18`` that is exactly halfway between two floats
rounds to even at the first precision, instead of running every precision to the cap).

Steps are :class:`Int`, a Python int whose ``/`` and mixing with floats give :class:`Real`, so a
schedule may write ``step / self.decay_steps`` exactly as it would for arrays. A function the
namespace lacks is an :class:`~lrsched.errors.UnsupportedFunctionError` naming it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from mpmath import libmp

from lrsched.errors import LrschedError, UnsupportedFunctionError
from lrsched.xp import EXACT, _ScalarOps

__all__ = ["ExactNamespace", "Int", "Real", "evaluate", "exact_value", "namespace"]

_N = "n"  # round to nearest, ties to even
_FZERO, _FONE = libmp.fzero, libmp.fone
_FINF, _FNINF, _FNAN = libmp.finf, libmp.fninf, libmp.fnan
_FNZERO, _FNONE = (1, 0, 0, 0), libmp.from_int(-1)  # -0 and -1 (mpmath has no -0: it reads as 0)
#: Working precisions: the first is at least 192 bits and grows with the step's size; each retry
#: doubles it, up to this cap (beyond which no schedule of float64 constants is ambiguous).
_MAX_PREC = 1 << 12
_MAX_ROOTS = 8  # a**(n / 2**k) is tried as exact square roots for k up to this
#: exp(x) for |x| >= 2**_HUGE_EXP is kept only as far as rounding needs (beyond any x a schedule of
#: float64 constants and int64 steps forms: |x| < 2**1100); below, it is computed to the working
#: precision like any value, however far beyond float64's range (a product of such values may come
#: back within it, and its error bound must stay relative for comparisons to decide)
_HUGE_EXP = 2048


_FLOATS: dict[float, tuple] = {}  # a schedule's float constants recur on every call


def _mpf(value: Any) -> tuple:
    """A raw mpf tuple for an int, float or Real (exact: no rounding)."""
    if isinstance(value, Real):
        return value.v
    if isinstance(value, float):
        v = _FLOATS.get(value)
        if v is None:
            v = libmp.from_float(value) if math.isfinite(value) else _special(value)
            if len(_FLOATS) < 4096:
                _FLOATS[value] = v
        return v
    if isinstance(value, int) and not isinstance(value, bool):
        return libmp.from_int(value)
    raise TypeError(f"the exact namespace takes ints, floats and its own reals; received {value!r}")


def _special(value: float) -> tuple:
    if math.isnan(value):
        return _FNAN
    return _FINF if value > 0 else _FNINF


def _mag(v: tuple) -> int:
    """An integer ``m`` with ``|v| < 2**m`` (0 for zero and the specials)."""
    return v[2] + v[3] if v[1] else 0


def _to_float(v: tuple) -> float:
    """The float64 nearest to ``v`` (ties to even), subnormals and overflow to inf included."""
    sign, man, exp, bc = v
    if not man:
        if v == _FZERO:
            return 0.0
        if v == _FNZERO:
            return -0.0
        if v == _FINF:
            return math.inf
        if v == _FNINF:
            return -math.inf
        return math.nan
    top = exp + bc  # |v| in [2**(top - 1), 2**top)
    if top > 1025:
        return -math.inf if sign else math.inf
    if top < -1076:
        return -0.0 if sign else 0.0
    try:  # both correctly rounded (int true division too, subnormals included)
        result = float(man << exp) if exp >= 0 else man / (1 << -exp)
    except OverflowError:  # at or beyond 2**1024 after rounding
        result = math.inf
    return -result if sign else result


# Sentinels far beyond any real exponent: 2**k for an int64 step k, and a base up to float64's
# max, has exponents near 10**22 (at 10**18, spec(10**18) of ExponentialDecay(1.0, 1, 2.0) read
# as a value with no correct bits and took every precision)
_X = -(10**40)  # the error exponent of an exact value: |error| <= 2**_X, i.e. none
_UNBOUNDED = 10**40  # the error exponent of a value with no correct bits


class _Imprecise(Exception):
    """A comparison, floor or round could not be decided at this precision: evaluate again."""


def _mag(v: tuple) -> int:
    """An integer ``m`` with ``|v| < 2**m`` (very negative for zero and the specials)."""
    return v[2] + v[3] if v[1] else _X


def _low(v: tuple) -> int:
    """An integer ``l`` with ``|v| >= 2**l`` (for nonzero ``v``)."""
    return v[2] + v[3] - 1 if v[1] else _X


def _exact(v: tuple, prec: int) -> tuple[tuple, int]:
    """An exactly computed ``v``, rounded to ``prec`` bits if it has more, with its error."""
    if v[3] <= prec or not v[1]:
        return v, _X
    r = libmp.mpf_pos(v, prec, _N)
    return r, _mag(r) - prec


class Real:
    """A real of the exact namespace: an mpmath number ``v`` and a bound ``2**e`` on its error.

    Arithmetic on exact operands (ints, floats, and results so far exact) is done exactly while
    the result fits the working precision, so rational results, ties included, stay exact; any
    rounding, and any transcendental function, gives a rigorous error bound. A comparison, floor
    or round that the bound cannot decide asks for a higher precision (:func:`exact_value`).
    """

    __slots__ = ("e", "ns", "q", "v")

    def __init__(self, v: tuple, ns: ExactNamespace, e: int = _X, q: tuple[int, int] | None = None) -> None:
        self.v, self.ns, self.e, self.q = v, ns, e, q

    # -- arithmetic ------------------------------------------------------------------------
    def __add__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _add(self, o)

    __radd__ = __add__

    def __sub__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _add(self, -o)

    def __rsub__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _add(o, -self)

    def __mul__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _mul(self, o)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _div(self, o)

    def __rtruediv__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _div(o, self)

    def __pow__(self, other: object) -> Any:
        if isinstance(other, int) and not isinstance(other, bool):
            return _pow_int(self, int(other))
        o = _lift(other, self.ns)
        return NotImplemented if o is None else self.ns.pow(self, o)

    def __rpow__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else self.ns.pow(o, self)

    def __floordiv__(self, other: object) -> Any:
        return self.ns.floor(self / other)

    def __rfloordiv__(self, other: object) -> Any:
        return self.ns.floor(other / self)

    def __mod__(self, other: object) -> Any:
        return self - self.ns.floor(self / other) * other

    def __rmod__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else o % self

    def __neg__(self) -> Real:
        return Real(
            libmp.mpf_neg(self.v), self.ns, self.e, None if self.q is None else (-self.q[0], self.q[1])
        )

    def __pos__(self) -> Real:
        return self

    def __abs__(self) -> Real:
        return Real(
            libmp.mpf_abs(self.v), self.ns, self.e, None if self.q is None else (abs(self.q[0]), self.q[1])
        )

    # -- comparisons -----------------------------------------------------------------------
    def _cmp(self, other: object) -> int | None:
        o = _lift(other, self.ns)
        if o is None:
            return None
        if self.v == _FNAN or o.v == _FNAN:
            return 2  # unordered
        if self.e == _X and o.e == _X:
            return libmp.mpf_cmp(self.v, o.v)
        if self.q is not None or o.q is not None:
            a, b = _rational(self), _rational(o)
            if a is not None and b is not None:
                x, y = a[0] * b[1], b[0] * a[1]  # denominators > 0
                return (x > y) - (x < y)
        d = libmp.mpf_sub(self.v, o.v, self.ns.prec, _N)
        if self.ns.strict and _mag(d) <= max(self.e, o.e, _mag(d) - self.ns.prec) + 2:
            raise _Imprecise
        return libmp.mpf_sign(d)

    def __lt__(self, other: object) -> Any:
        c = self._cmp(other)
        return NotImplemented if c is None else c == -1

    def __le__(self, other: object) -> Any:
        c = self._cmp(other)
        return NotImplemented if c is None else c in (-1, 0)

    def __gt__(self, other: object) -> Any:
        c = self._cmp(other)
        return NotImplemented if c is None else c == 1

    def __ge__(self, other: object) -> Any:
        c = self._cmp(other)
        return NotImplemented if c is None else c in (0, 1)

    def __eq__(self, other: object) -> Any:
        c = self._cmp(other)
        return NotImplemented if c is None else c == 0

    def __ne__(self, other: object) -> Any:
        c = self._cmp(other)
        return NotImplemented if c is None else c != 0

    __hash__ = None  # type: ignore[assignment]

    # -- conversions -----------------------------------------------------------------------
    def __float__(self) -> float:
        return _to_float(self.v)

    def __int__(self) -> int:
        return int(libmp.to_int(self.v))

    def __bool__(self) -> bool:
        return self != 0

    def __repr__(self) -> str:
        error = "exact" if self.e == _X else f"+-2**{self.e}"
        return f"Real({libmp.to_str(self.v, 20)} {error}, prec={self.ns.prec})"


def _lift(value: object, ns: ExactNamespace) -> Real | None:
    if isinstance(value, Real):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Real(_mpf(value), ns)
    return None


#: A rational kept beside a rounded real has at most this many bits in its numerator and
#: denominator (beyond, the rounded real and its error bound carry on alone).
_MAX_RATIONAL_BITS = 1 << 13


def _rational(r: Real) -> tuple[int, int] | None:
    """``r``'s exact value as ``(numerator, denominator > 0)``, where it is known: an exact
    (dyadic) real's, or the rational that a rounded quotient of exact values carries (None for a
    transcendental result)."""
    if r.q is not None:
        return r.q
    if r.e != _X or (not r.v[1] and r.v not in (_FZERO, _FNZERO)):
        return None
    sign, man, exp, _ = r.v
    n, d = (man << exp, 1) if exp >= 0 else (man, 1 << -exp)
    return (-n if sign else n), d


def _rat_add(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    return (x[0] * y[1] + y[0] * x[1], x[1] * y[1]) if x[1] != y[1] else (x[0] + y[0], x[1])


def _rat_mul(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    return x[0] * y[0], x[1] * y[1]


def _rat_div(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    n, d = x[0] * y[1], x[1] * y[0]
    return (-n, -d) if d < 0 else (n, d)


def _with_rational(r: Real, a: Real, b: Real, op: Callable[..., tuple[int, int]]) -> Real:
    """``r`` (``op(a, b)`` rounded) carrying the exact rational ``op(a, b)`` where ``a`` and ``b``
    have one: ties, comparisons and floors of rational results (``17 / 18`` of a ramp) are then
    decided exactly instead of running every precision."""
    x, y = _rational(a), _rational(b)
    if x is None or y is None:
        return r
    q = op(x, y)
    if q[1].bit_length() > _MAX_RATIONAL_BITS or q[0].bit_length() > _MAX_RATIONAL_BITS:
        g = math.gcd(*q)
        q = (q[0] // g, q[1] // g)
        if q[1].bit_length() > _MAX_RATIONAL_BITS or q[0].bit_length() > _MAX_RATIONAL_BITS:
            return r
    r.q = q
    return r


def _add(a: Real, b: Real) -> Real:
    prec = a.ns.prec
    exact = a.e == _X and b.e == _X
    if exact and (
        not a.v[1] or not b.v[1] or abs(_mag(a.v) - _mag(b.v)) < 4 * prec
    ):  # exact, if not too wide
        v, e = _exact(libmp.mpf_add(a.v, b.v, 0), prec)
        return Real(v, a.ns, e)
    v = libmp.mpf_add(a.v, b.v, prec, _N)
    r = Real(v, a.ns, max(a.e, b.e, _mag(v) - prec) + 2)
    return r if a.q is None and b.q is None else _with_rational(r, a, b, _rat_add)


def _mul(a: Real, b: Real) -> Real:
    prec = a.ns.prec
    for zero, other in ((a, b), (b, a)):  # an exact 0 times a finite real is exactly 0, however inexact
        if zero.e == _X and zero.v in (_FZERO, _FNZERO) and other.v[1]:
            return Real(_FNZERO if zero.v[0] ^ other.v[0] else _FZERO, a.ns)
    if a.e == _X and b.e == _X:
        v, e = _exact(libmp.mpf_mul(a.v, b.v, 0), prec)
        return Real(v, a.ns, e)
    v = libmp.mpf_mul(a.v, b.v, prec, _N)
    e = max(_mag(a.v) + b.e, _mag(b.v) + a.e, a.e + b.e, _mag(v) - prec) + 2
    r = Real(v, a.ns, e)
    return r if a.q is None and b.q is None else _with_rational(r, a, b, _rat_mul)


def _div(a: Real, b: Real) -> Real:
    prec, ns = a.ns.prec, a.ns
    if not b.v[1]:  # IEEE: x/0 is +-inf, 0/0 (or nan) is nan
        if b.e != _X or a.v in (_FZERO, _FNZERO, _FNAN) or b.v == _FNAN:
            return Real(_FNAN, ns) if b.e == _X else Real(_FZERO, ns, _UNBOUNDED)
        return Real(_FINF if (a.v[0] ^ b.v[0]) == 0 else _FNINF, ns)
    if b.e == _X and b.v[1] == 1 and a.v[1]:  # by +-2**k: exact, a shift of a's exponent
        sign, man, exp, bc = a.v
        return Real(
            (sign ^ b.v[0], man, exp - b.v[2], bc),
            ns,
            a.e if a.e in (_X, _UNBOUNDED) else a.e - b.v[2],
            None if a.q is None else _rat_div(a.q, _rational(b)),
        )
    v = libmp.mpf_div(a.v, b.v, prec, _N)
    if a.e == _X and b.e == _X:
        if libmp.mpf_mul(v, b.v, 0) == a.v:
            return Real(v, ns)
        return _with_rational(Real(v, ns, _mag(v) - prec + 1), a, b, _rat_div)
    if b.e >= _low(b.v) - 2:
        r = Real(v, ns, _UNBOUNDED)
    else:
        e = max(a.e - _low(b.v) + 1, _mag(v) + b.e - _low(b.v) + 1, _mag(v) - prec) + 2
        r = Real(v, ns, e)
    return r if a.q is None and b.q is None else _with_rational(r, a, b, _rat_div)


def _pow_int(a: Real, n: int) -> Real:
    prec, ns = a.ns.prec, a.ns
    if n == 0:
        return Real(_FONE, ns)
    if not a.v[1]:
        if a.e != _X:
            return (
                Real(_FZERO, ns, _UNBOUNDED)
                if n < 0
                else Real(_FZERO, ns, a.e * n if a.e < 0 else _UNBOUNDED)
            )
        if a.v in (_FZERO, _FNZERO) and n < 0:
            return Real(_FINF, ns)
        return Real(libmp.mpf_pow_int(a.v, n, prec, _N), ns)
    if a.e == _X and n > 0 and n * a.v[3] <= 2 * prec:  # small enough to be exact: ties stay ties
        sign, man, exp, _ = a.v
        v, e = _exact(libmp.from_man_exp(-(man**n) if sign and n % 2 else man**n, exp * n), prec)
        return Real(v, ns, e)
    if a.e == _X and n < 0 and -n * a.v[3] <= 2 * prec:
        return _div(Real(_FONE, ns), _pow_int(a, -n))
    if a.e >= _low(a.v) - 2:
        return Real(a.v, ns, _UNBOUNDED)
    if 0 < n <= 64:  # a few products, each carrying its bound (sin(x)**2: one), not exp(n log a)
        result, square = None, a
        while True:
            if n & 1:
                result = square if result is None else _mul(result, square)
            n >>= 1
            if not n:
                return result
            square = _mul(square, square)
    magnitude = Real(libmp.mpf_abs(a.v), ns, a.e)
    log = ns.log(magnitude)
    result = ns.exp(_mul(log, Real(libmp.from_int(n), ns)))
    return -result if a.v[0] and n % 2 else result


class Int(int):
    """A step of the exact namespace: a Python int whose ``/`` gives an exact :class:`Real`, and
    whose arithmetic with floats or reals gives reals (Python would round to a float)."""

    __slots__ = ()
    ns: ExactNamespace  # set on each namespace's own subclass

    def _op(self, other: object, op: str, reflected: bool) -> Any:
        if isinstance(other, (float, Real)) and not isinstance(other, bool):
            mine = Real(libmp.from_int(int(self)), self.ns)
            return getattr(mine, f"__r{op}__" if reflected else f"__{op}__")(other)
        value = getattr(int, f"__r{op}__" if reflected else f"__{op}__")(self, other)
        return type(self)(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def __add__(self, other: object) -> Any:
        return self._op(other, "add", False)

    def __radd__(self, other: object) -> Any:
        return self._op(other, "add", True)

    def __sub__(self, other: object) -> Any:
        return self._op(other, "sub", False)

    def __rsub__(self, other: object) -> Any:
        return self._op(other, "sub", True)

    def __mul__(self, other: object) -> Any:
        return self._op(other, "mul", False)

    def __rmul__(self, other: object) -> Any:
        return self._op(other, "mul", True)

    def __floordiv__(self, other: object) -> Any:
        return self._op(other, "floordiv", False)

    def __rfloordiv__(self, other: object) -> Any:
        return self._op(other, "floordiv", True)

    def __mod__(self, other: object) -> Any:
        return self._op(other, "mod", False)

    def __rmod__(self, other: object) -> Any:
        return self._op(other, "mod", True)

    def __truediv__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _div(Real(libmp.from_int(int(self)), self.ns), o)

    def __rtruediv__(self, other: object) -> Any:
        o = _lift(other, self.ns)
        return NotImplemented if o is None else _div(o, Real(libmp.from_int(int(self)), self.ns))

    def __pow__(self, other: object) -> Any:  # type: ignore[override]
        if isinstance(other, int) and not isinstance(other, bool) and other >= 0:
            return type(self)(int(self) ** int(other))
        return Real(libmp.from_int(int(self)), self.ns) ** other

    def __neg__(self) -> Any:
        return type(self)(-int(self))

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return type(self)(abs(int(self)))

    def __repr__(self) -> str:
        return f"Int({int(self)})"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unary(name: str, compute: Callable[[ExactNamespace, Real], Real]) -> Callable[..., Real]:
    def method(self: ExactNamespace, x: object) -> Real:
        r = self.real(x)
        if r.v in (_FNAN,):
            return r
        return compute(self, r)

    method.__name__ = method.__qualname__ = name
    return method


def _exp(ns: ExactNamespace, x: Real) -> Real:
    if x.e == _X and not x.v[1]:
        return Real(_FONE, ns) if x.v in (_FZERO, _FNZERO) else Real(libmp.mpf_exp(x.v, 53, _N), ns)
    if _mag(x.v) > _HUGE_EXP and (x.e == _X or x.e < _mag(x.v) - 2):
        # |x| > 2**2048: exp(x) is beyond float64's range by more than any constant brings back.
        # Keep only what rounding needs: a value below 2**(x log2 e + 1) (to 0) or above
        # 2**(x log2 e - 1) (to inf), still finite so that 0 * exp(x) stays 0.
        bits = int(
            libmp.to_int(libmp.mpf_mul(x.v, libmp.mpf_div(_FONE, libmp.mpf_ln2(64, _N), 64, _N), 64, _N))
        )
        if x.v[0]:
            return Real(_FZERO, ns, bits + 2)
        return Real(libmp.from_man_exp(1, bits - 2), ns, bits - 4)
    if x.e >= -1:
        return Real(libmp.mpf_exp(x.v, ns.prec, _N), ns, _UNBOUNDED)
    v = libmp.mpf_exp(x.v, ns.prec, _N)  # relative error 2**-prec, for any argument size
    return Real(v, ns, _mag(v) + max(x.e + 1, -ns.prec) + 2)


def _expm1(ns: ExactNamespace, x: Real) -> Real:
    if not x.v[1]:
        return _add(_exp(ns, x), Real(_FNONE, ns))
    guard = max(0, -_mag(x.v)) + 10  # exp(x) - 1 cancels about -log2|x| bits
    wide = libmp.mpf_exp(x.v, ns.prec + guard, _N)
    v = libmp.mpf_sub(wide, _FONE, ns.prec, _N)
    # d/dx expm1 = exp(x): an argument error scales by exp(x)
    return Real(v, ns, max(_mag(wide) + x.e + 1, _mag(v) - ns.prec) + 2)


def _log(ns: ExactNamespace, x: Real) -> Real:
    if x.v in (_FZERO, _FNZERO):
        return Real(_FNINF, ns) if x.e == _X else Real(_FNINF, ns, _UNBOUNDED)
    if x.v[0]:
        return Real(_FNAN, ns)
    if not x.v[1]:  # inf
        return Real(_FINF, ns)
    if x.e == _X and x.v == _FONE:
        return Real(_FZERO, ns)
    if x.e >= _low(x.v) - 2:
        return Real(libmp.mpf_log(x.v, ns.prec, _N), ns, _UNBOUNDED)
    v = _cached_log(x.v, ns.prec) if x.e == _X else libmp.mpf_log(x.v, ns.prec, _N)
    return Real(v, ns, max(x.e - _low(x.v) + 1, _mag(v) - ns.prec) + 2)


def _log1p(ns: ExactNamespace, x: Real) -> Real:
    if not x.v[1]:
        return _log(ns, _add(Real(_FONE, ns), x))
    wide = ns.prec + max(0, -_mag(x.v)) + 10
    one_plus = libmp.mpf_add(_FONE, x.v, wide, _N)
    if x.e >= _low(one_plus) - 2 if one_plus[1] else True:
        return Real(_log(ns, Real(one_plus, ns)).v, ns, _UNBOUNDED)
    v = libmp.mpf_log(one_plus, ns.prec, _N)  # 1 + x exact enough at `wide` bits
    return Real(v, ns, max(x.e - _low(one_plus) + 1, _mag(v) - ns.prec + 1) + 2)


def _sqrt(ns: ExactNamespace, x: Real) -> Real:
    if x.v[0] and x.v[1]:
        return Real(_FNAN, ns)
    if not x.v[1]:
        return Real(x.v, ns, x.e if x.e == _X else x.e // 2 + 1)
    v = libmp.mpf_sqrt(x.v, ns.prec, _N)
    if x.e == _X:
        exact = libmp.mpf_mul(v, v, 0) == x.v
        return Real(v, ns) if exact else Real(v, ns, _mag(v) - ns.prec + 1)
    if x.e >= _low(x.v) - 2:
        return Real(v, ns, _UNBOUNDED)
    return Real(v, ns, _mag(v) + max(x.e - _low(x.v) - 1, -ns.prec) + 2)


def _trig(fn: Callable[..., tuple], zero_at_zero: bool) -> Callable[[ExactNamespace, Real], Real]:
    def compute(ns: ExactNamespace, x: Real) -> Real:
        if not x.v[1]:
            if x.v in (_FZERO, _FNZERO) and x.e == _X:
                return Real(x.v if zero_at_zero else _FONE, ns)
            if x.v in (_FINF, _FNINF, _FNAN):
                return Real(_FNAN, ns)
        # argument reduction needs the argument's integer bits on top of the precision
        v = fn(x.v, ns.prec + max(0, _mag(x.v)) + 10, _N)
        v = libmp.mpf_pos(v, ns.prec, _N)
        # |sin' |, |cos'| <= 1: an argument error passes through; the result's own rounding is
        # relative (mpmath evaluates near the zeros with the precision they need)
        return Real(v, ns, max(x.e, _mag(v) - ns.prec) + 2)

    return compute


def _cospi(ns: ExactNamespace, x: Real) -> Real:
    """``cos(pi * x)``: exactly 0 or +-1 at an exact multiple of 1/2 (with an approximate pi, ``1 +
    cos(pi)`` would be an undecidable ~2**-prec that no comparison with 0 could ever settle)."""
    if x.v in (_FINF, _FNINF, _FNAN):
        return Real(_FNAN, ns)
    if x.e == _X and (not x.v[1] or x.v[2] >= -1):  # 0, or an exact multiple of 1/2
        return Real(libmp.mpf_cos_pi(x.v, ns.prec, _N), ns)
    v = libmp.mpf_cos_pi(x.v, ns.prec + max(0, _mag(x.v)) + 10, _N)
    v = libmp.mpf_pos(v, ns.prec, _N)
    # |d cos(pi x) / dx| <= pi < 4: an argument error of 2**e moves it by less than 2**(e + 2)
    return Real(v, ns, max(x.e + 2, _mag(v) - ns.prec) + 2)


def _tanh(ns: ExactNamespace, x: Real) -> Real:
    if x.e == _X and x.v in (_FZERO, _FNZERO):
        return Real(x.v, ns)
    v = libmp.mpf_tanh(x.v, ns.prec, _N)
    return Real(v, ns, max(x.e, _mag(v) - ns.prec) + 2)


class ExactNamespace(_ScalarOps):
    """Python ints and :class:`Real` values with the Array API's function names, at ``prec`` bits.

    Functions: ``asarray``, ``astype``, ``zeros_like``, ``ones_like``, ``full_like``, ``where``,
    ``minimum``, ``maximum``, ``clip``, ``abs``, ``sign``, ``floor``, ``ceil``, ``round``,
    ``trunc``, ``floor_divide``, ``remainder``, ``exp``, ``expm1``, ``log``, ``log1p``,
    ``log2``, ``log10``, ``pow``, ``sqrt``, ``sin``, ``cos``, ``cospi`` (``cos(pi * x)``, exact
    where it is 0 or +-1: for the numerics helpers), ``tanh``, ``isfinite``,
    ``isnan``, ``isdtype``; constants ``pi``, ``e``, ``inf``, ``nan``; dtypes ``float32`` and
    ``float64`` (both the exact reals) and ``int32``/``int64`` (Python ints).

    Args:
      prec: the working precision in bits.
      strict: raise for a comparison or rounding the error bounds cannot decide (so that
        :func:`exact_value` evaluates again at a higher precision); off at the last precision.
    """

    lrsched_float_dtype = EXACT
    __name__ = "lrsched.xp.exact"
    float16 = float32 = float64 = bfloat16 = EXACT
    int8 = int16 = int32 = int64 = uint8 = uint16 = uint32 = uint64 = int

    def __init__(self, prec: int, strict: bool = True) -> None:
        self.prec, self.strict = prec, strict
        self.Int = type("Int", (Int,), {"__slots__": (), "ns": self})
        self.pi = Real(libmp.mpf_pi(prec + 20, _N), self, -prec - 18)
        self.e = Real(libmp.mpf_e(prec + 20, _N), self, -prec - 18)
        self.inf = Real(_FINF, self)
        self.nan = Real(_FNAN, self)

    def __repr__(self) -> str:
        return f"lrsched.xp.exact (mpmath, {self.prec} bits)"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnsupportedFunctionError(
            f"the exact namespace behind spec(step) has no function {name!r}; a schedule's "
            f"value(step, xp) may use: {', '.join(_FUNCTIONS)} (see docs/numerics.md)"
        )

    def exactly(self, x: object, value: int) -> bool:
        """Whether ``x`` is known to be exactly ``value`` (an exact or rational real): no
        comparison, so never undecided (False where ``x`` is inexact, whatever it rounds to)."""
        if _is_int(x):
            return x == value
        r = x if isinstance(x, Real) else _lift(x, self)
        q = None if r is None else _rational(r)
        return q is not None and q[0] == value * q[1]

    # -- creation and casts ----------------------------------------------------------------
    def real(self, value: object) -> Real:
        """``value`` (an int, float or real) as a :class:`Real`, exactly."""
        if isinstance(value, Real):
            return value
        lifted = _lift(value, self)
        if lifted is None:
            raise TypeError(f"the exact namespace takes ints, floats and its own reals; received {value!r}")
        return lifted

    def asarray(self, value: object, dtype: object = None, **_: Any) -> Any:
        if dtype is int or (dtype is None and _is_int(value)):
            return self.Int(value if _is_int(value) else int(value))  # type: ignore[call-overload]
        if isinstance(value, bool):
            return value
        return self.real(value)

    def astype(self, value: object, dtype: object, **_: Any) -> Any:
        if dtype is int:
            return self.Int(int(self.trunc(value)))  # type: ignore[call-overload]  # the Array API's cast
        if dtype is bool:
            return bool(value)
        return self.real(value)

    def zeros_like(self, value: object, dtype: object = None, **_: Any) -> Any:
        return self.full_like(value, 0, dtype)

    def ones_like(self, value: object, dtype: object = None, **_: Any) -> Any:
        return self.full_like(value, 1, dtype)

    def full_like(self, value: object, fill_value: object, dtype: object = None, **_: Any) -> Any:
        integral = dtype is int or (dtype is None and _is_int(value))
        return self.Int(int(fill_value)) if integral else self.real(fill_value)  # type: ignore[call-overload]

    # -- selection (where, floor_divide, remainder, abs: the scalar namespaces' own) ---------
    def _extremum(self, a: Any, b: Any, larger: bool) -> Any:
        if self.isnan(a) or self.isnan(b):
            return self.nan
        if _is_int(a) and _is_int(b):
            return max(a, b) if larger else min(a, b)
        x, y = self.real(a), self.real(b)
        d = libmp.mpf_sub(x.v, y.v, self.prec, _N)
        pick = x if (libmp.mpf_sign(d) >= 0) == larger else y
        if d != _FZERO and _mag(d) > max(x.e, y.e, _mag(d) - self.prec) + 2:
            return pick  # decided (as a comparison is): the extremum is the one picked, exact or not
        # undecided: whichever is picked, the true extremum is within the larger of the two errors
        return Real(pick.v, self, max(x.e, y.e))

    def minimum(self, a: Any, b: Any) -> Any:
        return self._extremum(a, b, larger=False)

    def maximum(self, a: Any, b: Any) -> Any:
        return self._extremum(a, b, larger=True)

    def clip(self, x: Any, min: Any = None, max: Any = None) -> Any:  # the Array API's names
        if min is not None:
            x = self.maximum(x, min)
        if max is not None:
            x = self.minimum(x, max)
        return x

    # -- rounding and integers -------------------------------------------------------------
    def _rounded(self, x: Any, fn: Callable[..., tuple]) -> Any:
        if _is_int(x):
            return x
        r = self.real(x)
        if not r.v[1]:
            return r
        if r.q is not None:  # a rational: decided exactly
            n, d = r.q
            if fn is libmp.mpf_floor:
                whole = n // d
            elif fn is libmp.mpf_ceil:
                whole = -(-n // d)
            else:  # half to even
                whole, rest = divmod(2 * n + d, 2 * d)
                if rest == 0 and whole % 2:
                    whole -= 1
            return Real(libmp.from_int(whole), self)
        v = fn(r.v, 0, _N)  # prec 0: exact
        if r.e != _X and self.strict:
            low, high = _bounds(r, self.prec)
            if fn(low, 0, _N) != fn(high, 0, _N):
                raise _Imprecise
        return Real(v, self)

    def floor(self, x: Any) -> Any:
        return self._rounded(x, libmp.mpf_floor)

    def ceil(self, x: Any) -> Any:
        return self._rounded(x, libmp.mpf_ceil)

    def round(self, x: Any) -> Any:
        """Half to even, as the Array API says."""
        return self._rounded(x, libmp.mpf_nint)

    def trunc(self, x: Any) -> Any:
        if _is_int(x):
            return x
        return self.floor(x) if self.real(x) >= 0 else self.ceil(x)

    def sign(self, x: Any) -> Any:
        s = (x > 0) - (x < 0)
        return self.Int(s) if _is_int(x) else self.real(s)

    # -- elementwise -----------------------------------------------------------------------
    exp = _unary("exp", _exp)
    expm1 = _unary("expm1", _expm1)
    log = _unary("log", _log)
    log1p = _unary("log1p", _log1p)
    sqrt = _unary("sqrt", _sqrt)
    sin = _unary("sin", _trig(libmp.mpf_sin, zero_at_zero=True))
    cos = _unary("cos", _trig(libmp.mpf_cos, zero_at_zero=False))
    cospi = _unary("cospi", _cospi)
    tanh = _unary("tanh", _tanh)

    def log2(self, x: Any) -> Real:
        return self.log(x) / Real(libmp.mpf_ln2(self.prec + 20, _N), self, -self.prec - 18)

    def log10(self, x: Any) -> Real:
        return self.log(x) / Real(libmp.mpf_ln10(self.prec + 20, _N), self, -self.prec - 18)

    def pow(self, a: Any, b: Any) -> Any:
        """``a ** b``: exact for small integer exponents, else ``exp(b * log(a))`` with the error
        bounds carried (a negative ``a`` to a fractional power is nan, as in float)."""
        if _is_int(a) and _is_int(b) and b >= 0:
            return a**b
        base = self.real(a)
        if _is_int(b):
            return _pow_int(base, int(b))
        y = self.real(b)
        if y.e == _X and (not y.v[1] or y.v[2] >= 0):  # an exact integral exponent
            return _pow_int(base, int(libmp.to_int(y.v)) if y.v[1] else 0)
        if base.v[1] and base.v[0]:
            return self.nan
        if not base.v[1]:
            if base.v in (_FZERO, _FNZERO) and base.e == _X:
                return self.real(0.0) if y > 0 else self.inf
            return self.nan if base.v == _FNAN else Real(libmp.mpf_pow(base.v, y.v, self.prec, _N), self)
        if base.e == _X and base.v == _FONE and y.v not in (_FINF, _FNINF, _FNAN):
            return Real(_FONE, self)  # 1 ** y: exactly 1
        if base.e == _X and y.e == _X and y.v[1] and y.v[2] >= -_MAX_ROOTS:
            # an exponent n / 2**k: exact where the base's k-th square root is (0.25 ** 0.5, 1 **
            # 1.5), so that an exact result computed as exp(y log a) does not leave a comparison or a
            # tie open at every precision
            root = base
            for _ in range(-y.v[2]):
                root = _sqrt(self, root)
                if root.e != _X:
                    break
            else:
                n = y.v[1] if not y.v[0] else -y.v[1]
                return _pow_int(root, n)
        # exp(y log a): evaluated with guard bits for the size of y log a
        guard = max(0, _mag(y.v) + max(0, _mag(_cached_log(base.v, 64)))) + 8
        wide = namespace(self.prec + guard, self.strict)
        result = wide.exp(wide.log(Real(base.v, wide, base.e)) * Real(y.v, wide, y.e))
        v = libmp.mpf_pos(result.v, self.prec, _N)
        return Real(v, self, max(result.e, _mag(v) - self.prec) + 1)

    def isfinite(self, x: Any) -> bool:
        return _is_int(x) or self.real(x).v not in (_FINF, _FNINF, _FNAN)

    @staticmethod
    def isnan(x: Any) -> bool:
        return (isinstance(x, Real) and x.v == _FNAN) or (isinstance(x, float) and math.isnan(x))

    def isdtype(self, dtype: object, kind: object) -> bool:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if dtype == EXACT:
            return any(k in ("real floating", "numeric") for k in kinds)
        return dtype is int and any(k in ("integral", "signed integer", "numeric") for k in kinds)


_FUNCTIONS = sorted(
    name
    for name in {*dir(ExactNamespace), "pi", "e", "inf", "nan"}
    if not name.startswith("_")
    and name not in ("lrsched_float_dtype", "real", "prec", "strict", "Int")
    and not isinstance(getattr(ExactNamespace, name, None), (str, type))  # dtype names
)

_NAMESPACES: dict[tuple[int, bool], ExactNamespace] = {}


def namespace(prec: int, strict: bool = True) -> ExactNamespace:
    """The (cached) exact namespace at ``prec`` bits."""
    ns = _NAMESPACES.get((prec, strict))
    if ns is None:
        ns = _NAMESPACES[prec, strict] = ExactNamespace(prec, strict)
    return ns


_LOGS: dict[tuple[tuple, int], tuple] = {}


def _cached_log(base: tuple, prec: int) -> tuple:
    """``log(base)`` to ``prec`` bits, for an exact positive ``base`` (a schedule's constant:
    computed once per precision and reused at every step)."""
    key = (base, prec)
    log = _LOGS.get(key)
    if log is None:
        log = libmp.mpf_log(base, prec, _N)
        if len(_LOGS) < 4096:
            _LOGS[key] = log
    return log


def _bounds(r: Real, prec: int) -> tuple[tuple, tuple]:
    """``r.v -+ 2**r.e``, rounded outwards to ``prec + 64`` bits: an interval that holds the exact
    value (an exact sum could need as many bits as the exponents differ: up to 2**60)."""
    width = libmp.from_man_exp(1, r.e)
    return libmp.mpf_sub(r.v, width, prec + 64, "f"), libmp.mpf_add(r.v, width, prec + 64, "c")


def _settled(result: Any, ns: ExactNamespace) -> float | None:
    """The float64 that ``result`` rounds to, or None if its error bound straddles two."""
    if isinstance(result, Real):
        if result.e == _X or (not result.v[1] and result.v != _FZERO and result.v != _FNZERO):
            return _to_float(result.v)
        if result.q is not None:  # a rational: correctly rounded, ties to even (int / int)
            n, d = result.q
            try:
                return n / d
            except OverflowError:
                return math.inf if n > 0 else -math.inf
        if result.e >= _UNBOUNDED:
            return None
        low, high = _bounds(result, ns.prec)
        return _to_float(result.v) if _to_float(low) == _to_float(high) else None
    if isinstance(result, numbers.Real) and not isinstance(result, bool):
        return float(result)
    raise LrschedError(
        f"value(step, xp) must return a real of the namespace it is given; for the exact "
        f"namespace it returned {type(result).__name__}: {result!r}"
    )


def exact_value(value: Callable[[Any, Any], Any], step: int) -> float:
    """``value(step, xp)`` in exact math, correctly rounded to float64.

    Evaluates once at ``p`` bits (104 plus the step's bit length), carrying a
    rigorous error bound; if the bound straddles two floats, or a comparison or floor cannot be
    decided, evaluates again at twice the precision (Ziv's strategy).

    Example:
      >>> import lrsched
      >>> exact_value(lrsched.ExponentialDecay(9.0, 1, 0.96).value, 1)  # a tie, to even
      8.64
    """
    return evaluate(value, step)[0]


def evaluate(value: Callable[[Any, Any], Any], step: int) -> tuple[float, int, bool]:
    """``(exact_value(value, step), the precision it took, whether it stayed below the cap)``:
    False where it took the last precision, the cap (a comparison, floor or rounding open at
    every precision before it; the last precision's nearest float is taken). The conformance
    kit's ``exact_settles`` check: a schedule computing an exact 0 or tie inexactly costs every
    precision, milliseconds a call."""
    prec = 104 + step.bit_length()
    while True:
        strict = prec * 2 <= _MAX_PREC
        ns = namespace(prec, strict)
        try:
            result = _settled(value(ns.Int(step), ns), ns)
        except _Imprecise:
            result = None
        if result is not None:
            return result, prec, strict
        if not strict:  # the last precision: its nearest float
            return _to_float(ns.real(value(ns.Int(step), ns)).v), prec, False
        prec *= 2
