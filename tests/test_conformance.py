"""The conformance kit itself: it fails deliberately broken schedules, reports skips, imports nothing
heavy, and its strategies and tolerance behave as documented."""

from __future__ import annotations

import math
import sys
from typing import ClassVar

import numpy as np
import pytest
import subprocesses
from hypothesis import given, settings
from hypothesis import strategies as st

import lrsched
from lrsched.spec import NonNegativeFloat, PositiveFloat, PositiveInt
from lrsched.testing import ConformanceError, assert_close, check_schedule, checks, float32_ulp, strategies
from lrsched.testing._steps import exact, rounded_parts, same_value
from lrsched.xp import xp_float_dtype


class HalfCosine(lrsched.Schedule):
    """``peak * (1 + cos(pi * min(step, steps) / steps)) / 2``; subclasses compute it in floats."""

    peak: NonNegativeFloat
    steps: PositiveInt

    def value(self, step, xp):
        # one formula in every namespace: the exact one (spec(k)) evaluates it exactly
        return self.floats(xp.astype(xp.clip(step, 0, self.steps), xp_float_dtype(xp)), xp)


class NaiveHalfCosine(HalfCosine):
    """``1 + cos`` cancels in the tail: a few digits are left where the value is 1e-6 of the peak."""

    def floats(self, k, xp):
        return 0.5 * self.peak * (1 + xp.cos(math.pi * (k / self.steps)))


class SquaredCosine(HalfCosine):
    """The same value as ``cos(pi t / 2)**2``: no cancellation, float64 holds 1e-12 (a control)."""

    def floats(self, k, xp):
        return self.peak * xp.cos((math.pi / 2) * (k / self.steps)) ** 2


class ClampedCosine(HalfCosine):
    """``peak * (1 + cos(pi t)) / 2``, 0 where that is <= 0, with the namespace's pi: at ``steps``
    the exact namespace's ``1 + cos(pi)`` is a ~2**-prec of unknown sign, compared with 0 at every
    precision."""

    def floats(self, k, xp):
        v = 0.5 * self.peak * (1 + xp.cos(xp.pi * (k / self.steps)))
        return xp.where(v <= 0, xp.zeros_like(v), v)

    def breakpoints(self):
        return (self.steps,)


#: How each backend's namespace names itself, to break a schedule in one backend only.
NAMESPACES = {
    "numpy": ("numpy",),
    "pymath": ("lrsched_example",),
    "jax": ("jax",),
    "torch": ("lrsched_torch", "lrsched.xp.scalar"),
    "tensorflow": ("lrsched_tensorflow",),
}


class OffInOne(lrsched.Schedule):
    """``peak * rate ** step``, 1e-6 too large in the namespaces named by ``OFF``."""

    OFF: ClassVar[tuple[str, ...]] = ()
    peak: PositiveFloat
    rate: PositiveFloat

    def value(self, step, xp):
        name = str(getattr(xp, "__name__", ""))
        peak = self.peak * (1 + 1e-6) if name.startswith(self.OFF) else self.peak
        from lrsched.numerics import xp_scaled_power

        return xp_scaled_power(peak, self.rate, step, 1000, xp=xp)


class RootFrom(lrsched.Schedule):
    """``sqrt(step - start)``: NaN before ``start`` in exact math and in floats alike."""

    start: PositiveInt

    def value(self, step, xp):
        return xp.sqrt(xp.astype(step, xp_float_dtype(xp)) - self.start)


class CosinePlugin:
    @lrsched.hookimpl
    def lrsched_register_schedules(self, register):
        for cls in (NaiveHalfCosine, SquaredCosine, ClampedCosine, OffInOne, RootFrom):
            register(cls)


@pytest.fixture
def broken(fresh_host):
    fresh_host.register(CosinePlugin(), name="broken")
    return fresh_host


def test_import_imports_no_framework_nor_pytest_nor_hypothesis():
    out = subprocesses.run_python(
        """
        import sys, lrsched.testing
        heavy = {"tensorflow", "keras", "torch", "jax", "optax", "pytest", "hypothesis", "jsonschema"}
        print(sorted({m.split(".")[0] for m in sys.modules} & heavy))
        ids = [check.id for check in lrsched.testing.checks()]  # the plugins' checks included
        assert {"kth_update[torch]", "jax_transforms", "keras_config"} <= set(ids), ids
        print(sorted({m.split(".")[0] for m in sys.modules} & heavy))
        print(sorted(m for m in sys.modules if m.startswith("lrsched_") and m.endswith("._checks")))
        """
    )
    assert out.split() == ["[]", "[]", "[]"]


def test_each_framework_check_comes_from_its_backend_plugin():
    by_plugin = {info.name: info.checks for info in lrsched.plugins.report()}
    assert {"torch_resume", "torch_compile", "kth_update[torch]", "values[torch-tensor]"} <= set(
        by_plugin["torch"]
    )
    assert {"jax_transforms", "kth_update[optax]", "step_dtypes[jax]"} <= set(by_plugin["jax"])
    assert {"keras_config", "kth_update[keras]", "step_policy[tensorflow]"} <= set(by_plugin["tensorflow"])
    own = {c.id for c in checks()} - {i for ids in by_plugin.values() for i in ids}
    assert {"serialization", "pickling", "values[numpy-float32]", "step_policy[core]"} <= own
    assert not {i for i in own if "torch" in i or "jax" in i or "keras" in i or "tensorflow" in i}


def test_a_naive_half_cosine_fails_in_float64_and_float32(broken):
    spec = NaiveHalfCosine(1.0, 1000)
    with pytest.raises(ConformanceError) as info:
        check_schedule(spec, select=["values[numpy]", "values[numpy-float32]"])
    message = str(info.value)
    assert "values[numpy] on NaiveHalfCosine" in message and "values[numpy-float32] on" in message
    assert "exceeds float64's 1e-12" in message and "float32 ulps" in message
    assert "step 999:" in message  # the last step before the end: 1 + cos cancels most


def test_an_exact_zero_computed_inexactly_fails_exact_settles(broken):
    """spec(k) must be decided below the precision cap where it matters: a comparison with an
    exact 0 computed inexactly runs every precision up to the cap (milliseconds a call)."""
    with pytest.raises(
        ConformanceError,
        match=r"exact_settles on ClampedCosine.*spec\(1000\) took the exact namespace's last precision",
    ):
        check_schedule(ClampedCosine(1.0, 1000), select=["exact_settles"])
    results = check_schedule(lrsched.CosineAnnealing(0.1, 1000, eta_min=0.001), select=["exact_settles"])
    assert [r.status for r in results] == ["passed"]


def test_the_same_schedule_without_cancellation_passes_in_float64(broken):
    results = check_schedule(SquaredCosine(1.0, 1000), select=["values[numpy]", "serialization"])
    assert [r.status for r in results] == ["passed", "passed"]


@pytest.mark.parametrize("backend", lrsched.backends())
def test_a_schedule_off_in_one_backend_only_fails_there(broken, backend, monkeypatch):
    if backend not in NAMESPACES:
        pytest.skip(f"no namespace name known for {backend!r}")
    monkeypatch.setattr(OffInOne, "OFF", NAMESPACES[backend])
    spec = OffInOne(0.1, 0.5)
    with pytest.raises(ConformanceError) as info:
        check_schedule(spec, select=["values"], backends=[backend])
    assert f"values[{backend}" in str(info.value)
    others = [b for b in lrsched.backends() if b != backend]
    results = check_schedule(spec, select=["values"], backends=others)
    assert {r.status for r in results} <= {"passed", "skipped"}


def test_nan_where_exact_math_gives_nan_is_the_right_value(broken):
    """Serialization and the step policy compare values: NaN against NaN is a match there."""
    spec = RootFrom(5)
    assert math.isnan(spec(0))
    results = check_schedule(spec, select=["serialization", "step_policy[core]", "step_policy[numpy]"])
    assert {r.status for r in results} == {"passed"}


def test_a_part_beyond_the_dtypes_range_reaches_a_composition_as_the_dtype_holds_it():
    """A float32 composition computes on its parts' float32 values: a factor of 3.7e-72 is 0 there
    and a warm-up's target of 1e300 is inf, however exactly the backend computes. The kit accepts
    the exact composition of those values, and only where a part is beyond the dtype's range."""
    tiny = lrsched.Product([lrsched.Constant(1.5e27), lrsched.Constant(3.7e-72)])
    assert exact(tiny, 0) == 5.5499999999999994e-45  # a float32 subnormal, 4 spacings: 0 is > 4 ulps off
    assert rounded_parts(tiny, 0, "float32") == 0.0
    assert rounded_parts(tiny, 0, "float64") is None  # within float64's range: exact math alone
    huge = lrsched.Warmup(lrsched.Constant(1e300), warmup_steps=10, shape="polynomial", power=64.0)
    assert exact(huge, 1) == 1e236 and rounded_parts(huge, 1, "float32") == math.inf
    for spec in (tiny, lrsched.Clip(tiny, maximum=1.0), huge):
        results = check_schedule(spec, select=["values"], backends=["numpy"])
        assert {r.status for r in results} == {"passed"}, results
        assert [float(v) for v in lrsched.render(huge, "numpy", dtype="float32")(np.asarray([0, 1, 9]))] == [
            0.0,
            math.inf,
            math.inf,
        ]


def test_parts_within_the_dtypes_range_leave_exact_math_the_only_oracle(broken, monkeypatch):
    monkeypatch.setattr(OffInOne, "OFF", NAMESPACES["numpy"])
    spec = lrsched.Scale(lrsched.Product([OffInOne(0.1, 0.5), lrsched.Constant(1e-20)]), 1e15)
    assert all(rounded_parts(spec, s, d) is None for s in (0, 1000, 30000) for d in ("float32", "float64"))
    with pytest.raises(ConformanceError, match=r"values\[numpy\]") as info:
        check_schedule(spec, select=["values"], backends=["numpy"])
    assert "composed" not in str(info.value)


def test_one_piece_means_equal_exact_values_not_equal_floats():
    """Past 2**53 a smooth schedule's neighbours may round to one float64 while a backend's own
    rounding gives two: the boundaries check holds only truly constant runs to one value."""
    smooth = lrsched.ExponentialDecay(0.1, 10**17, 0.5)  # 7e-18 relative a step: under half an ulp
    s = 2**53 + 2
    assert exact(smooth, s) == exact(smooth, s + 1)
    assert not same_value(smooth, s, s + 1)
    stairs = lrsched.ExponentialDecay(0.1, 100, 0.5, staircase=True)
    assert same_value(stairs, 150, 199) and not same_value(stairs, 199, 200)
    assert same_value(lrsched.Clip(smooth, minimum=0.01), 10**18, 2 * 10**18)  # clipped: one run


def test_checks_whose_framework_is_absent_are_reported_skipped():
    spec = lrsched.ExponentialDecay(0.1, 1000, 0.5, staircase=True)
    absent = [c for c in checks() if c.skip_reason() is not None]
    if not absent:
        pytest.skip("every framework is installed here")
    results = {r.check: r for r in check_schedule(spec, select=[c.id for c in absent])}
    for check in absent:
        assert results[check.id].status == "skipped"
        assert check.skip_reason() in results[check.id].message


def test_each_check_is_its_own_test_id():
    spec = lrsched.ExponentialDecay(0.1, 1000, 0.5)
    mark = lrsched.testing.parametrize_with_checks([spec])
    ids = mark.kwargs["ids"]
    assert len(ids) == len(set(ids)) == len(checks())
    assert f"{spec!r}-values[numpy]" in ids


def test_assert_close_holds_values_to_their_size_down_to_a_millionth_of_the_peak():
    assert float32_ulp(1.0) == 2.0**-23 and float32_ulp(1.5) == 2.0**-23 and float32_ulp(1e-50) == 2.0**-149
    assert float32_ulp(2.0**200) == 2.0**177  # a size beyond float32's range keeps its own ulp
    assert_close(1.0 + 4 * 2.0**-23, 1.0, dtype="float32")
    with pytest.raises(ConformanceError, match="float32 ulps"):
        assert_close(1.0 + 5 * 2.0**-23, 1.0, dtype="float32")
    assert_close(1e-5 * (1 + 9e-13), 1e-5, dtype="float64", peak=1.0)  # its own size
    with pytest.raises(ConformanceError, match="relative error"):
        assert_close(1e-5 * (1 + 2e-12), 1e-5, dtype="float64", peak=1.0)
    assert_close(1e-7 * (1 + 5e-12), 1e-7, dtype="float64", peak=1.0)  # held to 1e-6 of the peak
    assert_close(1e-300, 0.0, dtype="float64", peak=1e-280)  # below a millionth of the peak
    assert_close(math.inf, 4e38, dtype="float32")  # rounds to inf in float32
    assert_close(math.inf, 3.4028235132357743e38, dtype="float32")  # below the max's midpoint to 2**128,
    with pytest.raises(ConformanceError):  # but within an ulp of 2**128 (inf)
        assert_close(math.inf, 3.4e38, dtype="float32")  # 20 ulps below 2**128
    # a backend that flushes subnormal results to 0 (XLA on CPU, TensorFlow): 0 for those only
    for dtype, subnormal, normal in (("float32", 1.1e-38, 1.2e-38), ("float64", 2e-308, 2.3e-308)):
        with pytest.raises(ConformanceError):
            assert_close(0.0, subnormal, dtype=dtype, peak=subnormal)
        assert_close(0.0, subnormal, dtype=dtype, peak=subnormal, flush_subnormals=True)
        with pytest.raises(ConformanceError):
            assert_close(0.0, normal, dtype=dtype, peak=normal, flush_subnormals=True)
    with pytest.raises(ConformanceError):
        assert_close(math.nan, 1.0, dtype="float64")


class Window(lrsched.Schedule):
    """``low`` before ``start``, ``high`` after: a cross-field constraint ``low <= high``."""

    low: NonNegativeFloat
    high: NonNegativeFloat
    start: PositiveInt

    def value(self, step, xp):
        return xp.where(step < self.start, self.low, self.high) * xp.ones_like(step, dtype=xp_float_dtype(xp))

    @classmethod
    def _lrsched_strategy_(cls, default):
        return default.filter(lambda spec: spec.low <= spec.high)


class WindowPlugin:
    @lrsched.hookimpl
    def lrsched_register_schedules(self, register):
        register(Window)


def test_a_class_hook_adds_cross_field_constraints(fresh_host):
    fresh_host.register(WindowPlugin(), name="window")
    seen = []

    @settings(max_examples=25, database=None)
    @given(strategies.specs("Window"))
    def draw(spec):
        assert spec.low <= spec.high and spec.start >= 1
        seen.append(spec)

    draw()
    assert seen


def test_a_registered_strategy_wins_over_the_schema(fresh_host):
    fresh_host.register(WindowPlugin(), name="window")
    strategies.register(Window, st.just(Window(0.0, 1.0, 5)))
    try:

        @settings(max_examples=5, database=None)
        @given(strategies.specs(Window))
        def draw(spec):
            assert spec == Window(0.0, 1.0, 5)

        draw()
    finally:
        strategies._REGISTERED.pop(Window)


def test_generated_specs_are_valid_and_respect_the_schema(composite):
    @settings(max_examples=40, database=None)
    @given(strategies.specs())
    def draw(spec):
        data = lrsched.serialize(spec)
        assert lrsched.deserialize(data) == spec
        assert np.isfinite([v for v in data["config"].values() if isinstance(v, float)]).all()

    draw()


class ThirdPartyChecks:
    """A plugin's own checks: one by ``"module:function"`` (tests/support/kit_checks.py), one
    whose module is missing, one needing an absent module, one an unregistered backend."""

    @lrsched.hookimpl
    def lrsched_register_checks(self, register):
        register("peak_at_zero", "kit_checks:peak_at_zero")
        register("gone", "lrsched_no_such_module_at_all:check", variant="lazy")
        register("needs", _never_called, variant="module", requires=("lrsched_no_such_module_at_all",))
        register("needs", _never_called, variant="backend", backend="no_such_backend")


def _never_called(spec):
    raise AssertionError("a skipped check ran")


def test_a_plugin_registers_checks_that_check_schedule_runs(fresh_host):
    sys.modules.pop("kit_checks", None)
    fresh_host.register(ThirdPartyChecks(), name="third")
    ids = [c.id for c in checks()]
    assert ids.index("pickling") < ids.index("peak_at_zero") < ids.index("step_policy[core]")
    assert {"gone[lazy]", "needs[module]", "needs[backend]"} <= set(ids)
    assert "kit_checks" not in sys.modules  # listed, not imported
    results = check_schedule(lrsched.ExponentialDecay(0.1, 1000, 0.5), select=["peak_at_zero", "needs"])
    assert [(r.check, r.status) for r in results] == [
        ("peak_at_zero", "passed"),
        ("needs[module]", "skipped"),
        ("needs[backend]", "skipped"),
    ]
    assert "needs lrsched_no_such_module_at_all, not installed" in results[1].message
    assert "backend 'no_such_backend' is not registered" in results[2].message
    warmup = lrsched.Warmup(lrsched.ExponentialDecay(0.1, 1000, 0.5), 100)
    with pytest.raises(
        ConformanceError, match=r"peak_at_zero on Warmup\(.*spec\(0\) is 0\.0, but a later step"
    ):
        check_schedule(warmup, select=["peak_at_zero"])
    with pytest.raises(
        ConformanceError, match=r"gone\[lazy\] on .*the 'gone\[lazy\]' check could not import"
    ):
        check_schedule(warmup, select=["gone"])


def _one_step_early(spec, steps):
    return [spec(step + 1) for step in steps]


class EarlyBackend:
    """A backend one step early everywhere, whose plugin replaces its generic values check."""

    @lrsched.hookimpl
    def lrsched_register_backends(self, register):
        register(lrsched.Backend("early", render=lambda spec: spec, evaluate=_one_step_early, options={}))

    @lrsched.hookimpl
    def lrsched_register_checks(self, register):
        register("values", _never_called, variant="early", backend="early")


def test_a_plugin_check_replaces_the_generic_check_of_its_backend(fresh_host):
    fresh_host.register(EarlyBackend(), name="early")
    (values,) = [c for c in checks() if c.id == "values[early]"]
    assert values.func is _never_called
    (boundaries,) = [c for c in checks() if c.id == "boundaries[early]"]  # the generic one
    with pytest.raises(
        ConformanceError, match=r"(?s)boundaries\[early\] on .*the boundary at step 1000 is not"
    ):
        boundaries(lrsched.ExponentialDecay(0.1, 1000, 0.5, staircase=True))


class TakesPickling:
    @lrsched.hookimpl
    def lrsched_register_checks(self, register):
        register("pickling", _never_called)


def test_a_plugin_cannot_take_the_id_of_one_of_the_kits_own_checks(fresh_host):
    fresh_host.register(TakesPickling(), name="takes")
    with pytest.raises(
        lrsched.DuplicateNameError,
        match=r"check 'pickling' is one of lrsched.testing's own; plugin 'takes' tried to register it again",
    ):
        checks()
