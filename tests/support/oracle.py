"""The exact-math oracle and a dtype-aware closeness check, shared by every test directory.

Written independently of lrsched's numerics: Python's decimal at 60 digits.
"""

from __future__ import annotations

import math
from decimal import Context, Decimal

import numpy as np

# The oracle: the exact math on the float64 constants, carried to 60 digits by Python's decimal.
# Written here independently of lrsched's numerics.
ORACLE = Context(prec=60, Emin=-(10**12), Emax=10**12, traps=[])


def exact_exponential(lr0: float, decay_steps: int, rate: float, staircase: bool, step: int) -> Decimal:
    """``lr0 * rate ** (step / decay_steps)`` (``step // decay_steps`` when staircase), exactly."""
    if lr0 == 0:
        return Decimal(0)
    if staircase:
        exponent = ORACLE.multiply(ORACLE.ln(Decimal(rate)), step // decay_steps)
    else:
        exponent = ORACLE.divide(ORACLE.multiply(ORACLE.ln(Decimal(rate)), step), decay_steps)
    return ORACLE.multiply(Decimal(lr0), ORACLE.exp(exponent))


def ulps32(got: float, exact: Decimal) -> float:
    """|got - exact| in units of the float32 spacing at ``exact`` (subnormal spacing below)."""
    want = float(exact)
    spacing = float(np.spacing(np.float32(min(abs(want), 3.4e38))))
    return abs(Decimal(got) - exact) / Decimal(spacing) if math.isfinite(got) else math.inf


def assert_close(got: float, exact: Decimal, *, dtype: str, ulps: float = 4, rtol: float = 1e-12) -> None:
    """Dtype-aware closeness to the exact value (scipy's ``xp_assert_close`` in spirit).

    float64: relative ``rtol``, or within the subnormal spacing. float32: ``ulps`` float32 ulps;
    exact values beyond float32's range must give 0 or inf as the rounding demands.
    """
    want = float(exact)
    if dtype == "float32":
        if abs(want) >= 3.4028235677973366e38:  # rounds to inf in float32
            assert got == math.inf or ulps32(got, exact) <= ulps, (got, want)
            return
        assert ulps32(got, exact) <= ulps, f"{got!r} is {ulps32(got, exact):.2f} ulps from {want!r}"
    elif math.isinf(want):  # beyond float64's range: only inf is right
        assert got == want, f"{got!r} vs exact {exact:.6e}"
    else:
        tolerance = max(Decimal(rtol) * abs(exact), Decimal(2.0**-1074) * 2)
        assert abs(Decimal(got) - exact) <= tolerance, f"{got!r} vs exact {want!r}"
