"""lrsched's twins of optax's schedules (``lrsched._optax_names.optax_spec``) against optax itself.

Three sources, compared over random configs (hypothesis) at step 0, every boundary and its
neighbours, random steps, and far past the end up to 2**31 - 1 (where optax's int32 update
counter saturates):

* ``optax_exact``: optax's formulas transcribed here from its source
  (``optax/schedules/_schedule.py`` and ``_join.py``) and evaluated in exact arithmetic (Fractions
  and mpmath at 200 bits, integer steps), written independently of lrsched: the truth. lrsched's
  ``spec(k)`` must be it to float64 accuracy, so a boundary a step off, or a wrong formula, fails;
* optax itself, in float32 (JAX without x64) with int32 steps, eager (op by op) and jitted: it must
  agree with the truth to float32 accuracy below 2**24 (which checks the transcription);
* lrsched rendered for JAX, in float32: within 4 ulps of the truth at every step. Where optax is
  further off (its float32 step past 2**24, cosine tails) lrsched is at least as close; the gap is
  measured and recorded (``record_property``, for docs/catalogue.md).
"""

from __future__ import annotations

import inspect
import math
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import optax
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrsched
from lrsched import _optax_names
from lrsched._optax_names import OPTAX_NAMES, optax_spec
from lrsched.testing import ConformanceError, assert_close, float32_ulp
from lrsched.testing._tolerance import FLOAT32_MAX

INT32_MAX = 2**31 - 1
F32_EXACT_STEPS = 2**24  # below this an int32 step is exact in float32: optax's accurate range


# -- the truth: optax's formulas in exact arithmetic --------------------------------------------
# Each ``exact_*`` mirrors one optax function. ``delta`` perturbs the quantity optax rounds before
# its one ill-conditioned operation (the fraction under a power, the half cosine, the exponent, the
# interpolation's fraction) by ``delta`` (relative for the exponent): the value's change is the
# error a few roundings there cause, which no tolerance in ulps of the result can bound (a power
# below 1 of a fraction near 0, a cosine's tail).
def mp(x: Any) -> mpmath.mpf:
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def nudge(x: mpmath.mpf, delta: float) -> mpmath.mpf:
    return max(x + delta, mpmath.mpf(0))


def exact_polynomial(init_value, end_value, power, transition_steps, transition_begin=0, delta=0.0):
    if transition_steps <= 0:
        return lambda k: mp(init_value)
    begin = max(transition_begin, 0)

    def f(k):
        count = min(max(k - begin, 0), transition_steps)
        frac = nudge(mp(1 - Fraction(count, transition_steps)), delta)
        return (mp(init_value) - mp(end_value)) * mpmath.power(frac, mp(power)) + mp(end_value)

    return f


def exact_linear(init_value, end_value, transition_steps, transition_begin=0, delta=0.0):
    return exact_polynomial(init_value, end_value, 1, transition_steps, transition_begin, delta)


def exact_exponential(
    init_value, transition_steps, decay_rate, transition_begin=0, staircase=False, end_value=None, delta=0.0
):
    if transition_steps <= 0 or decay_rate == 0:
        return lambda k: mp(init_value)
    begin = max(transition_begin, 0)

    def f(k):
        decreased = k - begin
        p = Fraction(decreased, transition_steps)
        if staircase:  # XLA divides by a constant as a product with its reciprocal, so optax's
            p = Fraction(math.floor(p * (1 + Fraction(delta))))  # stair may be one late at its start
        exponent = mp(p) * (1 + mpmath.mpf(delta))
        value = mp(init_value) if decreased <= 0 else mp(init_value) * mpmath.power(mp(decay_rate), exponent)
        if end_value is not None:
            value = max(value, mp(end_value)) if decay_rate < 1 else min(value, mp(end_value))
        return value

    return f


def exact_cosine(init_value, decay_steps, alpha=0.0, exponent=1.0, delta=0.0):
    assert decay_steps > 0

    def f(k):
        count = min(k, decay_steps)
        cosine = nudge((1 + mpmath.cos(mpmath.pi * count / decay_steps)) / 2, delta)
        return mp(init_value) * ((1 - mp(alpha)) * mpmath.power(cosine, mp(exponent)) + mp(alpha))

    return f


def exact_piecewise_constant(init_value, boundaries_and_scales=None, delta=0.0):
    items = sorted((boundaries_and_scales or {}).items())

    def f(k):
        value = mp(init_value)
        for threshold, scale in items:
            if k >= threshold:  # optax: indicator = max(0, sign(threshold - count)) is 0
                value = value * mp(scale)
        return value

    return f


def exact_piecewise_interpolate(interpolate_type, init_value, boundaries_and_scales=None, delta=0.0):
    items = sorted((boundaries_and_scales or {}).items())
    bounds = [0, *(b for b, _ in items)]
    values = [mp(init_value)]
    for _, scale in items:
        values.append(values[-1] * mp(scale))

    def interpolate(start, end, pct):
        if interpolate_type == "linear":
            return (end - start) * pct + start
        return end + (start - end) / 2 * (mpmath.cos(mpmath.pi * pct) + 1)

    def f(k):
        total = mp(0)
        for i in range(len(bounds) - 1):
            if bounds[i] <= k < bounds[i + 1]:
                pct = mp(Fraction(k - bounds[i], max(bounds[i + 1] - bounds[i], 1))) + delta
                total += interpolate(values[i], values[i + 1], pct)
        return total + (values[-1] if bounds[-1] <= k else 0)

    return f


def exact_join(pieces, boundaries):
    def f(k):
        piece, local = pieces[0], k
        for boundary, after in zip(boundaries, pieces[1:], strict=False):
            if k >= boundary:  # optax: where(step < boundary, output, schedule(step - boundary))
                piece, local = after, k - boundary
        return piece(local)

    return f


def exact_warmup_cosine(
    init_value, peak_value, warmup_steps, decay_steps, end_value=0.0, exponent=1.0, delta=0.0
):
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    return exact_join(
        [
            exact_linear(init_value, peak_value, warmup_steps, delta=delta),
            exact_cosine(peak_value, decay_steps - warmup_steps, alpha, exponent, delta),
        ],
        [warmup_steps],
    )


def optax_exact(name: str, kwargs: dict[str, Any], delta: float = 0.0) -> Callable[[int], mpmath.mpf]:
    """optax's ``name(**kwargs)`` at an integer step, exactly (transcribed from optax's source)."""
    kw = {**kwargs, "delta": delta}
    if name == "constant_schedule":
        return lambda k: mp(kw["value"])
    if name == "polynomial_schedule":
        return exact_polynomial(**kw)
    if name == "linear_schedule":
        return exact_linear(**kw)
    if name == "exponential_decay":
        return exact_exponential(**kw)
    if name == "cosine_decay_schedule":
        return exact_cosine(**kw)
    if name == "piecewise_constant_schedule":
        return exact_piecewise_constant(**kw)
    if name == "piecewise_interpolate_schedule":
        return exact_piecewise_interpolate(**kw)
    if name in ("linear_onecycle_schedule", "cosine_onecycle_schedule"):
        t, peak = kw["transition_steps"], kw["peak_value"]
        start, div = kw.get("pct_start", 0.3), kw.get("div_factor", 25.0)
        final_div = kw.get("final_div_factor", 1e4)
        if name == "linear_onecycle_schedule":  # a dict literal: a repeated key keeps its last value
            scales = {int(start * t): div, int(kw.get("pct_final", 0.85) * t): 1.0 / div, t: 1.0 / final_div}
        else:
            scales = {int(start * t): div, int(t): 1.0 / (div * final_div)}
        kind = name.split("_")[0]
        return exact_piecewise_interpolate(kind, peak / div, scales, delta)
    if name == "warmup_constant_schedule":
        return exact_linear(kw["init_value"], kw["peak_value"], kw["warmup_steps"], delta=delta)
    if name == "warmup_cosine_decay_schedule":
        return exact_warmup_cosine(**kw)
    if name == "warmup_exponential_decay_schedule":
        linear = exact_linear(kw.pop("init_value"), kw["peak_value"], kw["warmup_steps"], delta=delta)
        warmup = kw.pop("warmup_steps")
        kw["init_value"] = kw.pop("peak_value")
        return exact_join([linear, exact_exponential(**kw)], [warmup])
    if name == "sgdr_schedule":
        pieces, boundaries, step = [], [], 0
        for cycle in kw["cosine_kwargs"]:
            pieces.append(exact_warmup_cosine(**cycle, delta=delta))
            step += cycle["decay_steps"]
            boundaries.append(step)
        return exact_join(pieces, boundaries[:-1])
    if name == "join_schedules":
        return exact_join([optax_exact(n, k, delta) for n, k in kw["schedules"]], kw["boundaries"])
    raise AssertionError(name)


def exact_values(
    name: str, kw: dict[str, Any], steps: np.ndarray, delta: float
) -> tuple[list[float], list[float]]:
    """optax's exact values at ``steps``, and how far a ``delta`` in its ill-conditioned operation
    moves each (the error optax's own roundings there may cause)."""
    with mpmath.workprec(200):
        truth = optax_exact(name, kw)
        moved = [optax_exact(name, kw, d) for d in (delta, -delta)]
        values, spread = [], []
        for s in steps.tolist():
            value = truth(s)
            values.append(float(value))
            spread.append(float(max(abs(m(s) - value) for m in moved)))
    return values, spread


# -- optax itself ------------------------------------------------------------------------------
def optax_function(name: str, kwargs: dict[str, Any]) -> Callable[[Any], Any]:
    if name == "join_schedules":
        pieces = [optax_function(n, k) for n, k in kwargs["schedules"]]
        return optax.join_schedules(pieces, kwargs["boundaries"])
    return getattr(optax, name)(**kwargs)


def lrsched_spec(name: str, kwargs: dict[str, Any]) -> lrsched.Schedule:
    if name == "join_schedules":
        pieces = [lrsched_spec(n, k) for n, k in kwargs["schedules"]]
        return optax_spec(name, schedules=pieces, boundaries=kwargs["boundaries"])
    return optax_spec(name, **kwargs)


def optax_values(
    name: str, kwargs: dict[str, Any], steps: np.ndarray, x64: bool = False
) -> dict[str, np.ndarray]:
    """optax's values at ``steps``: eager (``vmap`` runs op by op), jitted, and one eager call per
    step for the first few steps. Without ``x64`` (JAX's default) in float32 with int32 steps; with
    it (``jax.enable_x64``), in float64 with int64 steps."""
    with jax.enable_x64(x64):
        f = optax_function(name, kwargs)
        dtype = jnp.float64 if x64 else jnp.float32

        def g(step):
            return jnp.asarray(f(step), dtype)  # constant_schedule returns the Python value

        x = jnp.asarray(steps, jnp.int64 if x64 else jnp.int32)
        eager = np.asarray(jax.vmap(g)(x), np.float64)
        jitted = np.asarray(jax.jit(jax.vmap(g))(x), np.float64)
        calls = np.array([float(g(x[i])) for i in range(min(3, len(steps)))], np.float64)
    return {"eager": eager, "jit": jitted, "calls": calls}


# -- where to look -----------------------------------------------------------------------------
def boundaries_of(name: str, kw: dict[str, Any]) -> set[int]:
    """Where optax's schedule changes formula, read from its arguments (not from the spec)."""
    if name in ("polynomial_schedule", "linear_schedule"):
        b, t = max(kw.get("transition_begin", 0), 0), kw["transition_steps"]
        return {b, b + t}
    if name == "exponential_decay":
        b, t = max(kw.get("transition_begin", 0), 0), kw["transition_steps"]
        return {b, *(b + i * t for i in (1, 2, 3))} if t > 0 else {b}
    if name == "cosine_decay_schedule":
        return {kw["decay_steps"]}
    if name in ("piecewise_constant_schedule", "piecewise_interpolate_schedule"):
        return set(kw.get("boundaries_and_scales") or {})
    if name == "linear_onecycle_schedule":
        t = kw["transition_steps"]
        return {int(kw.get("pct_start", 0.3) * t), int(kw.get("pct_final", 0.85) * t), t}
    if name == "cosine_onecycle_schedule":
        return {int(kw.get("pct_start", 0.3) * kw["transition_steps"]), kw["transition_steps"]}
    if name == "warmup_constant_schedule":
        return {kw["warmup_steps"]}
    if name == "warmup_cosine_decay_schedule":
        return {kw["warmup_steps"], kw["decay_steps"]}
    if name == "warmup_exponential_decay_schedule":
        w = kw["warmup_steps"]
        inner = {k: v for k, v in kw.items() if k not in ("init_value", "peak_value", "warmup_steps")}
        return {w, *(w + b for b in boundaries_of("exponential_decay", inner))}
    if name == "sgdr_schedule":
        out, start = set(), 0
        for cycle in kw["cosine_kwargs"]:
            out.update(start + b for b in boundaries_of("warmup_cosine_decay_schedule", cycle))
            start += cycle["decay_steps"]
        return out
    if name == "join_schedules":
        out = set(kw["boundaries"])
        for start, (n, k) in zip((0, *kw["boundaries"]), kw["schedules"], strict=True):
            out.update(start + b for b in boundaries_of(n, k))
        return out
    return set()


def steps_for(name: str, kw: dict[str, Any], spec: lrsched.Schedule, extra: list[int]) -> np.ndarray:
    """Step 0, every boundary and its neighbours, the given steps, and far past the end."""
    edges = boundaries_of(name, kw) | set(spec.breakpoints())
    end = max(edges, default=0)
    steps = {0, 1, 2, *extra, 2 * end + 1, 10 * end + 3}
    steps.update(b + d for b in edges for d in (-1, 0, 1))
    steps.update((F32_EXACT_STEPS - 1, F32_EXACT_STEPS + 1, 2**26 + 3, INT32_MAX - 1, INT32_MAX))
    return np.array(sorted(s for s in steps if 0 <= s <= INT32_MAX), np.int32)


# -- hypothesis: optax's arguments -------------------------------------------------------------
rates = st.one_of(st.just(0.0), st.floats(1e-6, 10.0), st.sampled_from([0.1, 1e-3, 1.0]))
lengths = st.one_of(st.integers(1, 3000), st.integers(1, 2**30))
begins = st.one_of(st.integers(-3, 3000), st.integers(0, 2**30))
small_steps = st.integers(0, 3000)
powers = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.floats(0, 8))
decay_rates = st.one_of(st.floats(0.05, 0.999), st.sampled_from([0.0, 0.5, 0.96, 1.0]))
scale_maps = st.dictionaries(st.integers(0, 3000), st.floats(0, 4), max_size=4)


@st.composite
def exponential_kwargs(draw, init_name="init_value"):
    init = draw(rates)
    kw = {
        init_name: init,
        "transition_steps": draw(st.one_of(st.integers(-2, 0), lengths)),
        "transition_begin": draw(begins),
        "staircase": draw(st.booleans()),
    }
    if draw(st.booleans()):  # a growth, bounded above by end_value (optax's upper clip)
        kw["decay_rate"] = draw(st.floats(1.0, 3.0))
        kw["end_value"] = init * draw(st.floats(0.5, 1e4))
    else:
        kw["decay_rate"] = draw(decay_rates)
        kw["end_value"] = draw(st.one_of(st.none(), rates))
    return kw


@st.composite
def cosine_kwargs(draw):
    exponent = draw(st.one_of(st.just(1.0), st.floats(0, 8)))
    alphas = st.floats(0, 1) if exponent != 1 else st.one_of(st.floats(0, 1), st.floats(1, 10), st.just(0.0))
    return {
        "init_value": draw(rates),
        "decay_steps": draw(lengths),
        "alpha": draw(alphas),
        "exponent": exponent,
    }


@st.composite
def warmup_cosine_kwargs(draw):
    peak = draw(rates)
    exponent = draw(st.one_of(st.just(1.0), st.floats(0, 8)))
    # with an exponent, end_value <= peak_value (an alpha in [0, 1]); without one, above it too
    end = draw(st.floats(0, peak)) if exponent != 1 else draw(rates)
    warmup = draw(st.integers(0, 3000))
    return {
        "init_value": draw(rates),
        "peak_value": peak,
        "warmup_steps": warmup,
        "decay_steps": warmup + draw(lengths),
        "end_value": end,
        "exponent": exponent,
    }


@st.composite
def warmup_exponential_kwargs(draw):
    kw = draw(exponential_kwargs(init_name="peak_value"))
    return {"init_value": draw(rates), "warmup_steps": draw(st.integers(0, 3000)), **kw}


@st.composite
def join_kwargs(draw):
    simple = st.one_of(
        st.builds(lambda v: ("constant_schedule", {"value": v}), rates),
        st.builds(
            lambda a, b, t, s: (
                "linear_schedule",
                {"init_value": a, "end_value": b, "transition_steps": t, "transition_begin": s},
            ),
            rates,
            rates,
            lengths,
            st.integers(0, 100),
        ),
        exponential_kwargs().map(lambda kw: ("exponential_decay", kw)),
        cosine_kwargs().map(lambda kw: ("cosine_decay_schedule", kw)),
    )
    pieces = draw(st.lists(simple, min_size=1, max_size=3))
    boundaries = sorted(
        draw(st.lists(small_steps, min_size=len(pieces) - 1, max_size=len(pieces) - 1, unique=True))
    )
    return {"schedules": pieces, "boundaries": boundaries}


ARGUMENTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "constant_schedule": st.fixed_dictionaries({"value": rates}),
    "polynomial_schedule": st.fixed_dictionaries(
        {
            "init_value": rates,
            "end_value": rates,
            "power": powers,
            "transition_steps": st.one_of(st.integers(-2, 0), lengths),
            "transition_begin": begins,
        }
    ),
    "linear_schedule": st.fixed_dictionaries(
        {"init_value": rates, "end_value": rates, "transition_steps": st.one_of(st.integers(-2, 0), lengths)},
        optional={"transition_begin": begins},
    ),
    "exponential_decay": exponential_kwargs(),
    "cosine_decay_schedule": cosine_kwargs(),
    "piecewise_constant_schedule": st.fixed_dictionaries(
        {
            "init_value": rates,
            "boundaries_and_scales": st.one_of(
                st.none(),
                scale_maps,
                st.dictionaries(st.integers(-3, 2**31 - 1), st.floats(0, 4), max_size=4),
            ),
        }
    ),
    "piecewise_interpolate_schedule": st.fixed_dictionaries(
        {
            "interpolate_type": st.sampled_from(["linear", "cosine"]),
            "init_value": rates,
            "boundaries_and_scales": st.one_of(st.none(), scale_maps),
        }
    ),
    "linear_onecycle_schedule": st.fixed_dictionaries(
        {"transition_steps": st.integers(1, 10**4), "peak_value": rates},
        optional={
            "pct_start": st.floats(0, 1),
            "pct_final": st.floats(0, 1),
            "div_factor": st.floats(1, 100),
            "final_div_factor": st.floats(1, 1e5),
        },
    ),
    "cosine_onecycle_schedule": st.fixed_dictionaries(
        {"transition_steps": st.integers(1, 10**4), "peak_value": rates},
        optional={
            "pct_start": st.floats(0, 1),
            "div_factor": st.floats(1, 100),
            "final_div_factor": st.floats(1, 1e5),
        },
    ),
    "warmup_constant_schedule": st.fixed_dictionaries(
        {"init_value": rates, "peak_value": rates, "warmup_steps": st.integers(-2, 3000)}
    ),
    "warmup_cosine_decay_schedule": warmup_cosine_kwargs(),
    "warmup_exponential_decay_schedule": warmup_exponential_kwargs(),
    "sgdr_schedule": st.lists(warmup_cosine_kwargs(), min_size=1, max_size=3).map(
        lambda c: {"cosine_kwargs": c}
    ),
    "join_schedules": join_kwargs(),
}
SETTINGS = settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def optax_nan(name: str, kw: dict[str, Any], step: int, largest: float) -> bool:
    """Where optax gives NaN, its own defects (reproduced in ``test_optax_nan``):

    * ``polynomial_schedule`` with a power that is not an integer, at and past its end: XLA turns
      the division by ``transition_steps`` into a product with its reciprocal, which can make
      ``frac = 1 - count / transition_steps`` a little below 0, and ``frac ** power`` is NaN;
    * ``exponential_decay`` from ``init_value=0`` with ``decay_rate > 1``, where ``decay_rate **
      p`` overflows the dtype (its ``largest`` value): ``0 * inf``.
    """
    if name == "join_schedules":
        piece, start = kw["schedules"][0], 0
        for boundary, after in zip(kw["boundaries"], kw["schedules"][1:], strict=False):
            if step >= boundary:
                piece, start = after, boundary
        return optax_nan(*piece, step - start, largest)
    if name == "warmup_exponential_decay_schedule":
        inner = {k: v for k, v in kw.items() if k not in ("init_value", "peak_value", "warmup_steps")}
        after = step - kw["warmup_steps"]
        return after >= 0 and optax_nan(
            "exponential_decay", {**inner, "init_value": kw["peak_value"]}, after, largest
        )
    if name == "polynomial_schedule":
        if float(kw["power"]).is_integer() or kw["transition_steps"] <= 0:
            return False
        return step >= max(kw.get("transition_begin", 0), 0) + kw["transition_steps"]
    if name == "exponential_decay":
        if kw["init_value"] != 0 or kw["decay_rate"] <= 1 or kw["transition_steps"] <= 0:
            return False
        p = (step - max(kw.get("transition_begin", 0), 0)) / kw["transition_steps"]
        return p * math.log(kw["decay_rate"]) > math.log(largest) * 0.99
    return False


# -- the twins: the list, the signatures -------------------------------------------------------
def test_every_closed_form_optax_schedule_has_a_twin():
    """Every schedule function optax.schedules exports, except the stateful wrappers."""
    exported = {
        name
        for name, obj in vars(optax.schedules).items()
        if inspect.isfunction(obj) and not name.startswith(("inject_", "_"))
    }
    assert exported == set(OPTAX_NAMES)
    assert set(ARGUMENTS) == set(OPTAX_NAMES)


@pytest.mark.parametrize("name", OPTAX_NAMES)
def test_arguments_are_optax_s(name):
    """optax_spec takes each function's arguments by optax's names, with optax's defaults."""
    theirs = inspect.signature(getattr(optax, name))
    ours = inspect.signature(getattr(_optax_names, name))
    assert [(p.name, p.default) for p in ours.parameters.values()] == [
        (p.name, p.default) for p in theirs.parameters.values()
    ]


# -- values ------------------------------------------------------------------------------------
def draw_case(data: Any, name: str, far: int) -> tuple[dict[str, Any], lrsched.Schedule, np.ndarray]:
    kw = data.draw(ARGUMENTS[name], label="kwargs")
    spec = lrsched_spec(name, kw)
    extra = data.draw(st.lists(st.integers(0, far), max_size=3), label="steps")
    return kw, spec, steps_for(name, kw, spec, extra)


def check_optax(
    name: str,
    kw: dict[str, Any],
    steps: np.ndarray,
    theirs: dict[str, np.ndarray],
    exact: list[float],
    spread: list[float],
    ulp: Callable[[float], float],
    largest: float,
    below: int = INT32_MAX + 1,
) -> int:
    """optax's values are its exact math within 16 ulps of the peak plus the spread of its
    ill-conditioned operation, at every step below ``below``; returns how many were NaN."""
    peak = max(abs(v) for v in exact)
    nans = 0
    for label, values in theirs.items():
        for step, got, want, moved in zip(steps.tolist(), values.tolist(), exact, spread, strict=False):
            if math.isnan(got) and optax_nan(name, kw, step, largest):
                nans += 1
            elif step < below:
                assert abs(got - want) <= 16 * ulp(peak) + 4 * moved, (
                    f"optax {label} at step {step}: {got!r}, exact {want!r} (peak {peak!r})"
                )
    return nans


def float64_ulp(x: float) -> float:
    return math.ulp(max(abs(x), 2.0**-1022))


@pytest.mark.parametrize("name", OPTAX_NAMES)
@SETTINGS
@given(data=st.data())
def test_semantics_are_optax_s(name, data):
    """lrsched's spec(k) is optax's exact math to float64 accuracy, and optax in float64 (x64,
    eager and jitted) agrees with that exact math: at step 0, every boundary and its neighbours,
    random steps and far past the end."""
    kw, spec, steps = draw_case(data, name, INT32_MAX)
    exact, spread = exact_values(name, kw, steps, 2.0**-50)
    peak = max(abs(v) for v in exact)
    for step, want in zip(steps.tolist(), exact, strict=True):
        assert_close(spec(step), want, dtype="float64", peak=peak, rtol=2**-50, where=f"spec({step})")
    theirs = optax_values(name, kw, steps, x64=True)
    check_optax(name, kw, steps, theirs, exact, spread, float64_ulp, sys.float_info.max)


@pytest.mark.parametrize("name", OPTAX_NAMES)
def test_float32_side_by_side_with_optax(name, record_property):
    """optax's float32 (eager and jitted, int32 steps) agrees with its exact math below 2**24;
    lrsched's float32 is within 4 ulps of it everywhere, and at least as close as optax where
    optax is further off. The worst of each is recorded."""
    worst = {"optax": 0.0, "lrsched": 0.0, "optax_nan": 0}

    @SETTINGS
    @given(data=st.data())
    def check(data):
        kw, spec, steps = draw_case(data, name, 3 * 10**4)
        exact, spread = exact_values(name, kw, steps, 2.0**-22)
        peak = max(abs(v) for v in exact)
        ours = np.asarray(lrsched.render(spec, "jax")(jnp.asarray(steps)), np.float64)
        theirs = optax_values(name, kw, steps)
        worst["optax_nan"] += check_optax(
            name, kw, steps, theirs, exact, spread, float32_ulp, FLOAT32_MAX, F32_EXACT_STEPS
        )
        for i, (step, want) in enumerate(zip(steps.tolist(), exact, strict=True)):
            ulps = assert_close(ours[i], want, dtype="float32", peak=peak, where=f"lrsched step {step}")
            unit = float32_ulp(max(abs(want), 1e-6 * peak))
            optax_ulps = max(abs(theirs[k][i] - want) / unit for k in ("eager", "jit"))
            optax_ulps = math.inf if math.isnan(optax_ulps) else optax_ulps
            assert ulps <= max(optax_ulps, 4)
            worst["optax"] = max(worst["optax"], optax_ulps)
            worst["lrsched"] = max(worst["lrsched"], ulps)

    check()
    record_property(
        f"{name}_float32_ulps",
        f"optax {worst['optax']:.3g}, lrsched {worst['lrsched']:.3g}; optax nan at {worst['optax_nan']} steps",
    )


# -- optax's defects, each reproduced ------------------------------------------------------------
@pytest.mark.parametrize(("x64", "period"), [(False, 41), (True, 49)], ids=["float32", "float64"])
def test_optax_stair_is_a_step_late_where_xla_divides_by_the_reciprocal(x64, period):
    """XLA computes ``count / transition_steps`` as ``count * (1 / transition_steps)``: at a stair's
    first step ``41 * (1 / 41)`` rounds below 1 in float32 (``49 * (1 / 49)`` in float64), so
    optax's staircase stays a stair late there, eager and jitted. lrsched's stairs are integer
    divisions."""
    kw = {"init_value": 1.0, "transition_steps": period, "decay_rate": 0.5, "staircase": True}
    steps = np.array([period - 1, period, period + 1, 2 * period, 3 * period], np.int32)
    spec = optax_spec("exponential_decay", **kw)
    assert [spec(int(s)) for s in steps] == [1.0, 0.5, 0.5, 0.25, 0.125]
    theirs = optax_values("exponential_decay", kw, steps, x64=x64)
    for label in ("eager", "jit"):
        assert theirs[label][1] == 1.0, label  # the first step of the second stair: still the first
        for step, got in zip(steps.tolist(), theirs[label].tolist(), strict=True):
            assert got in (spec(step), spec(step - 1)), (label, step)  # right, or a stair late
    ours = lrsched.render(spec, "jax")(jnp.asarray(steps))
    assert np.asarray(ours).tolist() == [1.0, 0.5, 0.5, 0.25, 0.125]


def test_optax_nan():
    """optax's NaNs (see ``optax_nan``): a fractional power at a polynomial's end (jitted: XLA's
    reciprocal makes the fraction negative), ``0 * inf`` in a growth from 0. lrsched: the end value, 0."""
    cases = [
        (
            "polynomial_schedule",
            {"init_value": 0.1, "end_value": 0.0, "power": 0.5, "transition_steps": 3},
            [3, 4],
        ),
        ("exponential_decay", {"init_value": 0.0, "transition_steps": 100, "decay_rate": 2.0}, [20000]),
    ]
    for name, kw, steps in cases:
        theirs = optax_values(name, kw, np.array(steps, np.int32))["jit"]
        assert np.isnan(theirs).all() and all(optax_nan(name, kw, s, FLOAT32_MAX) for s in steps)
        ours = lrsched.render(optax_spec(name, **kw), "jax")(jnp.asarray(steps, jnp.int32))
        assert np.asarray(ours).tolist() == [0.0] * len(steps)


def test_optax_float32_is_far_off_where_lrsched_is_not(record_property):
    """The gap, measured (docs/catalogue.md quotes it): optax's float32 cosine tails, its float32
    step past 2**24 (a linear tail, a stair), against lrsched's float32, both from exact math."""
    cases = {
        "cosine_decay_schedule(0.1, 10**6) tail": (
            "cosine_decay_schedule",
            {"init_value": 0.1, "decay_steps": 10**6},
            [10**6 - 100, 10**6 - 7, 10**6 - 1],
        ),
        "cosine_onecycle_schedule(10**6, 0.1) tail": (
            "cosine_onecycle_schedule",
            {"transition_steps": 10**6, "peak_value": 0.1},
            [10**6 - 10, 10**6 - 1],
        ),
        "linear_schedule(0.1, 0, 2**26 + 1) tail past 2**24": (
            "linear_schedule",
            {"init_value": 0.1, "end_value": 0.0, "transition_steps": 2**26 + 1},
            [2**26 - 10, 2**26 - 4],
        ),
        "exponential_decay(0.1, 3, 0.999999, staircase) past 2**24": (
            "exponential_decay",
            {"init_value": 0.1, "transition_steps": 3, "decay_rate": 0.999999, "staircase": True},
            [3 * 2**23 - 1, 3 * 2**23 + 2],
        ),
    }
    rows = []
    for label, (name, kw, steps) in cases.items():
        spec = optax_spec(name, **kw)
        with mpmath.workprec(200):
            truth = optax_exact(name, kw)
            exact = [float(truth(s)) for s in steps]
            peak = max(abs(float(truth(0))), *map(abs, exact))
        x = np.array(steps, np.int32)
        ours = np.asarray(lrsched.render(spec, "jax")(jnp.asarray(x)), np.float64)
        theirs = optax_values(name, kw, x)["jit"]
        unit = [float32_ulp(max(abs(t), 1e-6 * peak)) for t in exact]
        our_worst = max(abs(o - t) / u for o, t, u in zip(ours, exact, unit, strict=True))
        their_worst = max(abs(k - t) / u for k, t, u in zip(theirs, exact, unit, strict=True))
        rows.append(f"{label}: lrsched {our_worst:.2g} ulps, optax {their_worst:.3g} ulps")
        assert our_worst <= 4 < their_worst, rows[-1]
    record_property("optax_float32_gap", "; ".join(rows))


# -- the checks can fail -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kw", "wrong"),
    [
        (  # the Keras convention (a boundary keeps the value before it) instead of optax's
            "piecewise_constant_schedule",
            {"init_value": 0.1, "boundaries_and_scales": {100: 0.5}},
            lrsched.PiecewiseConstantDecay([100], [0.1, 0.05]),
        ),
        (  # the decay starting a step late
            "linear_schedule",
            {"init_value": 0.1, "end_value": 0.0, "transition_steps": 1000, "transition_begin": 10},
            lrsched.Join([lrsched.Constant(0.1), lrsched.PolynomialDecay(0.1, 1000, 0.0, power=1.0)], [11]),
        ),
        (  # the warm-up reaching the cosine's start a step early
            "warmup_cosine_decay_schedule",
            {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 100, "decay_steps": 10**5},
            lrsched.Join(
                [lrsched.PolynomialDecay(0.0, 99, 0.1, power=1.0), lrsched.CosineDecay(0.1, 10**5 - 100)],
                [100],
            ),
        ),
        (  # the stair a step late
            "exponential_decay",
            {"init_value": 0.1, "transition_steps": 50, "decay_rate": 0.5, "staircase": True},
            lrsched.Offset(lrsched.ExponentialDecay(0.1, 50, 0.5, staircase=True), 1),
        ),
    ],
    ids=["keras-boundary", "late-begin", "early-peak", "late-stair"],
)
def test_a_step_off_fails(name, kw, wrong):
    """The comparison the twins pass: the right spec passes it, one a step off does not."""
    right = optax_spec(name, **kw)
    steps = steps_for(name, kw, right, [])
    exact, _ = exact_values(name, kw, steps, 0.0)
    peak = max(map(abs, exact))

    def compare(spec):
        for step, want in zip(steps.tolist(), exact, strict=True):
            assert_close(spec(step), want, dtype="float64", peak=peak, rtol=2**-50, where=f"step {step}")

    compare(right)
    with pytest.raises(ConformanceError):
        compare(wrong)


def test_from_optax_then_convert_equals_optax_itself(tmp_path):
    """The importer and ``lrsched convert``, compared with optax's own function."""
    import json

    import optax

    from lrsched.cli import main

    kwargs = {
        "init_value": 0.0,
        "peak_value": 0.1,
        "warmup_steps": 100,
        "decay_steps": 1000,
        "end_value": 1e-3,
    }
    (tmp_path / "call.json").write_text(
        json.dumps({"optax": "warmup_cosine_decay_schedule", "kwargs": kwargs})
    )
    assert main(["convert", str(tmp_path / "call.json"), "-o", str(tmp_path / "spec.json")]) == 0
    spec = lrsched.load(tmp_path / "spec.json")
    assert spec == lrsched.from_optax("warmup_cosine_decay_schedule", **kwargs)
    native = optax.warmup_cosine_decay_schedule(**kwargs)
    for step in (0, 1, 50, 99, 100, 101, 550, 999, 1000, 1001, 10**6):
        # the same schedule (optax's float32 accuracy is measured by the tests above)
        assert abs(float(native(step)) - spec(step)) <= 1e-6 * (0.1 + abs(spec(step))), step
