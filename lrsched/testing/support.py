"""What conformance checks are made of: the kit's own checks and those a plugin registers
through ``lrsched_register_checks`` (the backends lrsched ships build theirs from these, in
``plugins/lrsched_<framework>/_checks.py``).

A check is a function ``check(spec) -> None``: it returns when the spec passes, raises
:class:`ConformanceError` naming the step, the value received and the exact value when it does
not, and :class:`CheckSkipped` where there is nothing to check. It imports its framework inside,
so that listing checks imports none. The oracle is :func:`exact` (``spec(step)``); values are
compared with :func:`compare` (the tolerance of :func:`~lrsched.testing.assert_close`).

Example:
  >>> import lrsched
  >>> spec = lrsched.ExponentialDecay(0.1, 10, 0.5)
  >>> compare(spec, [0, 10], [0.1, 0.05], "float64", "by hand")
  >>> try:
  ...     compare(spec, [0, 10], [0.1, 0.06], "float64", "by hand")
  ... except ConformanceError as error:
  ...     print(str(error).splitlines()[0])
  by hand (float64) is off at 1 of 2 steps:
"""

from __future__ import annotations

import math
import unittest
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from lrsched.testing._renderings import Rendering, resolve_dtype
from lrsched.testing._steps import (
    INT32_MAX,
    INT64_MAX,
    boundary_steps,
    exact,
    few_steps,
    peak,
    round_to,
    rounded_parts,
    rounded_parts_range,
    same_value,
    sample_steps,
)
from lrsched.testing._tolerance import FLOAT32_MAX, ConformanceError, assert_close, float32_ulp

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "INTEGER_DTYPES",
    "KTH_UPDATES",
    "CheckSkipped",
    "ConformanceError",
    "Rendering",
    "assert_close",
    "boundaries_check",
    "boundary_steps",
    "compare",
    "dtype_cases",
    "eager_policy",
    "evaluate",
    "exact",
    "expect_step_error",
    "few_steps",
    "peak",
    "rounded_parts",
    "sample_steps",
    "traced_policy",
    "values_check",
]

#: Updates the k-th-update checks run (k = 0 .. KTH_UPDATES - 1).
KTH_UPDATES = 200
#: The integer dtypes the step-dtype checks try, where a framework has them.
INTEGER_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


class CheckSkipped(unittest.SkipTest):
    """A check cannot run here (its backend or a module it needs is absent); pytest reports a skip."""


# -- values and boundaries ------------------------------------------------------------------------
def evaluate(rendering: Rendering, spec: Schedule, steps: Sequence[int]) -> tuple[list[int], list[float]]:
    """The steps evaluated and the rendering's values there; a backend that refuses int64 steps
    with a StepError is held to int32's."""
    import lrsched

    steps = list(steps)
    try:
        values = rendering.evaluate(spec, steps)
    except lrsched.StepError:
        if max(steps, default=0) <= INT32_MAX:
            raise
        steps = [s for s in steps if s <= INT32_MAX]
        values = rendering.evaluate(spec, steps)
    if len(values) != len(steps) or not all(type(v) is float for v in values):
        raise ConformanceError(
            f"evaluate must return one Python float per step; received {len(values)} values "
            f"of types {sorted({type(v).__name__ for v in values})} for {len(steps)} steps"
        )
    return steps, values


def _check_value(
    spec: Schedule, step: int, value: float, want: float, dtype: str, scale: float, where: str, flush: bool
) -> None:
    """``value`` is close to ``want`` (the exact value at ``step``) or, for a composition whose part
    is beyond the dtype's range there, to the composition of its parts' values in the dtype (0 or
    inf), not the exact value (:func:`rounded_parts`)."""
    try:
        assert_close(value, want, dtype=dtype, peak=scale, where=where, flush_subnormals=flush)
    except ConformanceError as error:
        second = rounded_parts(spec, step, dtype)
        try:
            if second is None:
                raise
            low, high = rounded_parts_range(spec, step, dtype)
            if not low <= value <= high:
                nearest = low if value < low else high if value > high else second
                assert_close(value, nearest, dtype=dtype, peak=scale, flush_subnormals=flush)
        except ConformanceError:
            also = "" if second is None else f" (nor {second!r}, its parts' {dtype} values composed)"
            raise ConformanceError(f"{error}{also}") from None


def compare(
    spec: Schedule,
    steps: Sequence[int],
    got: Sequence[float],
    dtype: str,
    what: str,
    *,
    flush_subnormals: bool = False,
) -> None:
    """Raise :class:`ConformanceError` listing the steps where ``got`` is not close to the exact
    values for ``dtype`` (``"float32"`` or ``"float64"``); ``what`` names the values.
    ``flush_subnormals``: the backend flushes subnormal results to 0 (see
    :func:`~lrsched.testing.assert_close`)."""
    failures = []
    scale = peak(spec)
    for step, value in zip(steps, got, strict=True):
        try:
            _check_value(spec, step, value, exact(spec, step), dtype, scale, f"step {step}", flush_subnormals)
        except ConformanceError as error:
            failures.append(str(error))
    if failures:
        shown = "\n  ".join(failures[:8])
        more = f"\n  ... and {len(failures) - 8} more" if len(failures) > 8 else ""
        raise ConformanceError(
            f"{what} ({dtype}) is off at {len(failures)} of {len(steps)} steps:\n  {shown}{more}"
        )


def values_check(rendering: Rendering) -> Callable[[Schedule], None]:
    """The check ``values[label]``: the rendering agrees with exact math at the sampled steps."""

    def check(spec: Schedule) -> None:
        steps, got = evaluate(rendering, spec, sample_steps(spec, rendering.max_step()))
        dtype = resolve_dtype(rendering, got, [exact(spec, s) for s in steps])
        compare(spec, steps, got, dtype, rendering.label, flush_subnormals=rendering.flushes_subnormals)

    return check


def _tolerance(value: float, dtype: str, scale: float) -> float:
    size = max(abs(value), 1e-6 * scale)
    return 1e-12 * size if dtype == "float64" else 4 * float32_ulp(size)


def _misplaced(
    want: tuple[float, float], got: tuple[float, float], dtype: str, scale: float, flush: bool
) -> bool:
    """Whether a visible jump from ``want[0]`` to ``want[1]`` is missing or reversed in ``got``
    (with ``flush``, a jump between subnormals is not visible: both may be 0)."""
    (es, et), (gs, gt) = want, got
    tiny = 2 * (2.0**-1074 if dtype == "float64" else 2.0**-149)
    if flush:
        tiny = 2.0**-1022 if dtype == "float64" else 2.0**-126
    jump = abs(round_to(et, dtype) - round_to(es, dtype))
    allowed = _tolerance(es, dtype, scale) + _tolerance(et, dtype, scale)
    if dtype == "float32" and allowed >= FLOAT32_MAX:  # a peak beyond float32: any float32 is within
        return False
    visible = jump > max(tiny, allowed)
    return visible and ((gt > gs) != (et > es) or gs == gt)


def boundaries_check(rendering: Rendering) -> Callable[[Schedule], None]:
    """The check ``boundaries[label]``: each boundary falls on the step exact math puts it on,
    and steps of one piece give one value."""

    def check(spec: Schedule) -> None:
        bounds = boundary_steps(spec, rendering.max_step())
        if not bounds:
            raise CheckSkipped("the schedule has no boundaries (Schedule.breakpoints() is empty)")
        period = math.gcd(*bounds)
        pairs = set()
        for i, b in enumerate(bounds):
            starts = {bounds[i - 1] if i else 0, b - period if period < b else 0}
            pairs.update({(b - 2, b - 1), (b - 1, b), (b, b + 1), *((a, b - 1) for a in starts)})
        top = rendering.max_step()
        pairs = {(s, t) for s, t in pairs if 0 <= s < t <= top}
        wanted = sorted({s for pair in pairs for s in pair})
        steps, got = evaluate(rendering, spec, wanted)
        by_step = dict(zip(steps, got, strict=True))
        dtype = resolve_dtype(rendering, got, [exact(spec, s) for s in steps])
        scale, failures = peak(spec), []
        for s, t in sorted(pairs):
            if s not in by_step or t not in by_step:
                continue
            es, et, gs, gt = exact(spec, s), exact(spec, t), by_step[s], by_step[t]
            # on one piece: equal within the tolerance (a smooth piece can round its neighbours
            # apart where the exact values round alike) or a subnormal spacing or two
            tiny = 2 * (2.0**-1074 if dtype == "float64" else 2.0**-149)
            apart = abs(gs - gt) > max(tiny, _tolerance(es, dtype, scale) + _tolerance(et, dtype, scale))
            if same_value(spec, s, t) and gs != gt and apart and not (gs != gs and gt != gt):
                failures.append(
                    f"steps {s} and {t} are on one piece (exact {es!r} at both) but give {gs!r} and {gt!r}"
                )
            if t != s + 1 or t not in bounds:
                continue
            flush = rendering.flushes_subnormals
            if not _misplaced((es, et), (gs, gt), dtype, scale, flush):
                continue
            # where a composition's part is beyond the dtype's range, either oracle (see compare)
            second = rounded_parts(spec, s, dtype), rounded_parts(spec, t, dtype)
            if second == (None, None) or _misplaced(
                (es if second[0] is None else second[0], et if second[1] is None else second[1]),
                (gs, gt),
                dtype,
                scale,
                flush,
            ):
                failures.append(
                    f"the boundary at step {t} is not on step {t}: exact {es!r} -> {et!r}, got {gs!r} -> {gt!r}"
                )
        if failures:
            raise ConformanceError(f"{rendering.label} ({dtype}):\n  " + "\n  ".join(failures[:8]))

    return check


# -- step dtypes and shapes -----------------------------------------------------------------------
def _step_cases(spec: Schedule, info_max: int, backend_max: int) -> tuple[list[int], int | None]:
    """Steps valid for an integer dtype whose max is ``info_max``, and the dtype's max when it is
    beyond what the backend takes (a StepError is then acceptable)."""
    top = min(info_max, backend_max)
    steps = [s for s in [0, 1, *boundary_steps(spec, top)[:3], *spec.preview_steps()] if 0 <= s <= top]
    steps = sorted({*steps, top})[:9]
    if len(steps) % 2:
        steps = [*steps[:-2], top] if len(steps) > 1 else [0, top]
    return steps, (info_max if info_max > backend_max else None)


def _check_dtype_case(
    spec: Schedule,
    what: str,
    steps: list[int],
    make: Callable[[list[int], tuple[int, ...]], Any],
    call: Callable[[Any], Any],
    to_floats: Callable[[Any], tuple[tuple[int, ...], list[float], str]],
    dtype: str,
    flush: bool,
) -> None:
    import numpy as np

    for shape in [(), (len(steps),), (2, len(steps) // 2)]:
        chosen = steps[-1:] if shape == () else steps
        out_shape, values, out_dtype = to_floats(call(make(chosen, shape)))
        if out_shape != shape:
            raise ConformanceError(f"{what}: steps of shape {shape} gave a result of shape {out_shape}")
        if out_dtype != dtype:
            raise ConformanceError(f"{what}: expected {dtype} values; received {out_dtype}")
        steps_given = list(np.asarray(chosen).reshape(-1))
        compare(spec, steps_given, values, dtype, f"{what}, shape {shape}", flush_subnormals=flush)


def dtype_cases(
    spec: Schedule,
    backend: str,
    f: Callable[[Any], Any],
    make: Callable[[list[int], tuple[int, ...], str], Any],
    to_floats: Callable[[Any], tuple[tuple[int, ...], list[float], str]],
    dtype: str,
    max_step: int,
    names: Sequence[str] = INTEGER_DTYPES,
    *,
    flush_subnormals: bool = False,
) -> None:
    """Steps of each integer dtype in ``names``, 0-d, 1-d and 2-d, give ``f``'s values right.

    Args:
      spec: the schedule.
      backend: what to name in messages.
      f: the rendered function, ``f(steps)``.
      make: ``make(steps, shape, name)``: the framework's array of ``steps`` in the integer
        dtype ``name``, reshaped to ``shape``.
      to_floats: ``to_floats(result) -> (shape, values as Python floats, dtype name)``.
      dtype: the float dtype ``f`` must return (``"float32"`` or ``"float64"``).
      max_step: the largest step the backend takes: a dtype whose max is beyond it must give
        the right value there or an :class:`lrsched.StepError`.
      names: the integer dtypes to try.
      flush_subnormals: the backend flushes subnormal results to 0 (see :func:`compare`).
    """
    import numpy as np

    import lrsched

    for name in names:
        info_max = int(np.iinfo(name).max)

        def build(steps: list[int], shape: tuple[int, ...], name: str = name) -> Any:
            return make(steps, shape, name)

        steps, beyond = _step_cases(spec, info_max, max_step)
        _check_dtype_case(
            spec, f"{backend} {name} steps", steps, build, f, to_floats, dtype, flush_subnormals
        )
        if beyond is not None:  # the dtype's max is beyond the backend's steps: right, or a StepError
            try:
                _, values, _ = to_floats(f(build([beyond], (1,))))
            except lrsched.StepError:
                continue
            what = f"{backend} {name} steps at the dtype's max"
            compare(spec, [beyond], values, dtype, what, flush_subnormals=flush_subnormals)


# -- the step policy ------------------------------------------------------------------------------
def expect_step_error(what: str, call: Callable[[], Any]) -> None:
    """``call()`` raises :class:`lrsched.StepError`; anything else is a :class:`ConformanceError`."""
    import lrsched

    try:
        result = call()
    except lrsched.StepError:
        return
    except Exception as error:
        raise ConformanceError(
            f"{what}: expected lrsched.StepError; raised {type(error).__name__}: {error}"
        ) from error
    raise ConformanceError(f"{what}: expected lrsched.StepError; returned {result!r}")


def eager_policy(
    what: str, f: Callable[[Any], Any], to_float: Callable[[Any], float], cases: dict[str, Any]
) -> None:
    """Integral floats give the integer's value; a fraction and a negative step raise StepError.

    Args:
      what: what to name in messages.
      f: the rendered function.
      to_float: its result as a Python float.
      cases: a kind of step (``"Python"``, ``"tensor"``) mapped to ``((integral float step, the
        same int step), fractional step, negative step)``.
    """
    for name, (integral, fractional, negative) in cases.items():
        want, got = to_float(f(integral[1])), to_float(f(integral[0]))
        if got != want and not (got != got and want != want):  # NaN is NaN's value
            raise ConformanceError(
                f"{what}: the {name} step {integral[0]!r} gave {got!r}; the int step {want!r}"
            )
        expect_step_error(f"{what}: the {name} step {fractional!r}", lambda s=fractional: f(s))
        expect_step_error(f"{what}: the {name} step {negative!r}", lambda s=negative: f(s))


def traced_policy(
    spec: Schedule,
    what: str,
    call: Callable[[Any], float],
    fraction: Any,
    negative: Any,
    *,
    flush_subnormals: bool = False,
) -> None:
    """Traced code cannot raise on a value: ``call(fraction)`` (a traced 2.5) gives NaN, and
    ``call(negative)`` (a traced -1) the formula's extension to step -1, in float32."""
    from lrsched.exact import exact_value

    got = call(fraction)
    if got == got:
        raise ConformanceError(f"{what}: a traced fractional step (2.5) gave {got!r}; NaN expected")
    want = exact_value(spec.value, -1)
    _check_value(
        spec, -1, call(negative), want, "float32", peak(spec), f"{what}: traced step -1", flush_subnormals
    )
