"""The kit's own checks, and the list of every check: the kit's and those plugins register.

The kit's own are the framework-free ones (serialization, the JSON schema, pickling, numpy's
values, dtypes and step policy, ``array_api_strict`` steps) and a generic ``values``,
``boundaries`` and ``step_policy`` check of every registered backend, through its ``evaluate``
and ``render``. A backend's plugin registers its framework's checks itself
(``lrsched_register_checks``), imported when they first run; a registered check with the id of a
generic one replaces it. A check whose backend or module is absent raises
:class:`CheckSkipped` (a ``unittest.SkipTest``, which pytest reports as a skip), never passes
silently.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrsched.errors import DuplicateNameError
from lrsched.testing._tolerance import ConformanceError
from lrsched.testing.support import (
    INT64_MAX,
    CheckSkipped,
    Rendering,
    boundaries_check,
    boundary_steps,
    dtype_cases,
    eager_policy,
    exact,
    expect_step_error,
    few_steps,
    values_check,
)

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = ["Check", "CheckSkipped", "all_checks"]


@dataclass(frozen=True)
class Check:
    """One conformance check. ``check(spec)`` runs it: it returns on success, raises
    :class:`ConformanceError` on failure and :class:`CheckSkipped` where it cannot run.

    Attributes:
      name: the check's family (``"values"``, ``"kth_update"``, ...).
      variant: the backend or rendering it is about (``"numpy-float32"``), or ``None``.
      backend: a backend that must be available for it to run.
      requires: modules that must be importable for it to run.
    """

    name: str
    variant: str | None
    func: Callable[[Schedule], None] = field(repr=False, compare=False)
    backend: str | None = None
    requires: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """``name[variant]``: the check's test id."""
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def skip_reason(self) -> str | None:
        """Why the check cannot run here, or ``None``."""
        import lrsched

        if self.backend is not None and self.backend not in lrsched.backends():
            registered = self.backend in lrsched.plugins.all_backends()
            return f"backend {self.backend!r} is {'not available here' if registered else 'not registered'}"
        missing = [m for m in self.requires if importlib.util.find_spec(m) is None]
        return f"needs {', '.join(missing)}, not installed" if missing else None

    def __call__(self, spec: Schedule) -> None:
        reason = self.skip_reason()
        if reason is not None:
            raise CheckSkipped(f"{self.id}: {reason}")
        try:
            self.func(spec)
        except (ConformanceError, CheckSkipped) as error:
            raise type(error)(f"{self.id} on {spec!r}: {error}") from None
        except Exception as error:
            raise ConformanceError(
                f"{self.id} on {spec!r}: raised {type(error).__name__}: {error}"
            ) from error


# -- numpy: values, step dtypes -------------------------------------------------------------------
def _numpy32(spec: Schedule, steps: Sequence[int]) -> list[float]:
    import numpy as np

    import lrsched

    return [float(v) for v in lrsched.render(spec, "numpy", dtype="float32")(np.asarray(steps, np.int64))]


_NUMPY = (
    Rendering("numpy", "numpy", dtype="float64"),
    Rendering("numpy-float32", "numpy", _numpy32, "float32"),
)


def _step_dtypes_numpy(spec: Schedule) -> None:
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "numpy")

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return np.asarray(steps, dtype=name).reshape(shape)

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        if isinstance(out, float):  # a 0-d step gives a Python float
            return (), [out], "float64"
        return out.shape, [float(v) for v in out.reshape(-1)], str(out.dtype)

    dtype_cases(spec, "numpy", f, make, to_floats, "float64", INT64_MAX)


def _step_dtypes_strict(spec: Schedule) -> None:
    import array_api_strict as xps
    import numpy as np

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        flat = xps.reshape(out, (-1,))
        dtype = str(out.dtype).rsplit(".", 1)[-1]
        return tuple(out.shape), [float(flat[i]) for i in range(flat.shape[0])], dtype

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return xps.reshape(xps.asarray(steps, dtype=getattr(xps, name)), shape)

    with np.errstate(over="ignore", under="ignore"):  # inf and 0 are the honest float answers
        dtype_cases(spec, "array_api_strict", spec, make, to_floats, "float64", INT64_MAX)


# -- serialization --------------------------------------------------------------------------------
def _serialization(spec: Schedule) -> None:
    import lrsched

    data = lrsched.serialize(spec)
    text = json.dumps(data, allow_nan=False)
    if json.loads(text) != data:
        raise ConformanceError(f"serialize(spec) is not JSON-safe: {data!r}")
    for form, back in (("dict", lrsched.deserialize(data)), ("JSON text", lrsched.deserialize(text))):
        if type(back) is not type(spec) or back != spec:
            raise ConformanceError(f"deserialize(serialize(spec)) from the {form} gave {back!r}")
        if hash(back) != hash(spec):
            raise ConformanceError(f"the deserialized spec ({form}) is equal but hashes differently")
    config = spec.get_config()
    if type(spec).from_config(config) != spec:
        raise ConformanceError(f"from_config(get_config()) does not give the spec back: {config!r}")
    if spec != type(spec)(**{name: getattr(spec, name) for name in type(spec).model_fields}):
        raise ConformanceError("a spec built from the same arguments is not equal to it")
    for step in few_steps(spec, 4):
        back, want = exact(lrsched.deserialize(text), step), exact(spec, step)
        if back != want and not (back != back and want != want):  # NaN is NaN's value
            raise ConformanceError(f"the deserialized spec differs from the spec at step {step}")


def _json_schema(spec: Schedule) -> None:
    import jsonschema

    import lrsched

    data = lrsched.serialize(spec)
    for name in (None, data["class_name"]):
        schema = lrsched.schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
        if errors:
            raise ConformanceError(
                f"serialize(spec) is invalid against lrsched.schema({name!r}): {errors[0].message}"
            )


def _exact_settles(spec: Schedule) -> None:
    """``spec(k)`` is decided below the exact namespace's last precision at step 0, the boundaries
    and their neighbours and the preview steps: an exact 0 or tie that the formula computes
    inexactly (``1 + cos(pi)`` with an approximate pi, compared with 0) leaves a comparison open at
    every precision, and each such call costs milliseconds."""
    from lrsched.exact import evaluate

    steps = {0, *spec.preview_steps()}
    for b in boundary_steps(spec)[:8]:
        steps.update(s for s in (b - 1, b, b + 1) if 0 <= s <= INT64_MAX)
    for step in sorted(steps):
        _, prec, settled = evaluate(spec.value, step)
        if not settled:
            raise ConformanceError(
                f"spec({step}) took the exact namespace's last precision ({prec} bits): a comparison, floor "
                "or round in value(step, xp) meets an exact tie or 0 that the formula computes inexactly "
                "(for cos(pi * x) use the numerics helpers, which the exact namespace evaluates exactly "
                "there; see docs/numerics.md)"
            )


def _pickling(spec: Schedule) -> None:
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(spec, protocol=protocol))
        if type(back) is not type(spec) or back != spec or hash(back) != hash(spec):
            raise ConformanceError(f"pickle protocol {protocol} gave {back!r}")
    for how, back in (("copy", copy.copy(spec)), ("deepcopy", copy.deepcopy(spec))):
        if back != spec or hash(back) != hash(spec):
            raise ConformanceError(f"copy.{how} gave {back!r}")


# -- the step policy ------------------------------------------------------------------------------
def _policy_core(spec: Schedule) -> None:
    eager_policy("spec(step)", spec, float, {"Python": ((3.0, 3), 2.5, -1)})
    expect_step_error("spec(True)", lambda: spec(True))


def _policy_numpy(spec: Schedule) -> None:
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "numpy")

    def to_float(out: Any) -> float:
        return float(np.asarray(out).reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "array": ((np.asarray([3.0]), np.asarray([3])), np.asarray([2.5]), np.asarray([-1])),
    }
    eager_policy("numpy", f, to_float, cases)


def _policy_generic(backend: str) -> Callable[[Schedule], None]:
    def check(spec: Schedule) -> None:
        import lrsched

        f = lrsched.render(spec, backend)
        if not callable(f):
            raise CheckSkipped(f"render(spec, {backend!r}) is not callable: no eager step to check")
        eager_policy(backend, f, float, {"Python": ((3.0, 3), 2.5, -1)})

    return check


# -- the list ---------------------------------------------------------------------------------------
#: The kit's families come first, in this order; the families plugins add follow, in the order
#: they were first registered; the step policy comes last. Within a family, backend-free checks
#: come first, then each backend's in the order the backends were registered.
_FIRST = ("values", "boundaries", "step_dtypes", "serialization", "json_schema", "pickling", "exact_settles")
_LAST = ("step_policy",)


def _own(backends: Sequence[str]) -> Iterator[tuple[Check, bool]]:
    """The kit's own checks, each with whether it is a generic one a plugin may replace."""
    for backend in backends:
        renderings = _NUMPY if backend == "numpy" else (Rendering(backend, backend),)
        for rendering in renderings:
            generic = backend != "numpy"
            yield Check("values", rendering.label, values_check(rendering), backend=backend), generic
            yield Check("boundaries", rendering.label, boundaries_check(rendering), backend=backend), generic
    yield Check("step_dtypes", "numpy", _step_dtypes_numpy, backend="numpy"), False
    yield Check("step_dtypes", "array_api_strict", _step_dtypes_strict, requires=("array_api_strict",)), False
    yield Check("serialization", None, _serialization), False
    yield Check("json_schema", None, _json_schema, requires=("jsonschema",)), False
    yield Check("pickling", None, _pickling), False
    yield Check("exact_settles", None, _exact_settles), False
    yield Check("step_policy", "core", _policy_core), False
    for backend in backends:
        if backend == "numpy":
            yield Check("step_policy", "numpy", _policy_numpy, backend="numpy"), False
        else:
            yield Check("step_policy", backend, _policy_generic(backend), backend=backend), True


def all_checks() -> list[Check]:
    """Every check, the kit's and the plugins', for every registered backend (those not
    available here are skipped), grouped by family (see ``_FIRST``).

    Raises:
      lrsched.DuplicateNameError: a plugin registered the id of one of the kit's own checks.
    """
    from lrsched import lookups

    backends = list(lookups.all_backends())
    registered = lookups.registered_checks()
    chosen = []
    for check, generic in _own(backends):
        if check.id not in registered:
            chosen.append(check)
        elif not generic:
            raise DuplicateNameError(
                f"check {check.id!r} is one of lrsched.testing's own; "
                f"{lookups.check_source(check.id)} tried to register it again"
            )
    chosen += [Check(e.name, e.variant, e.check, e.backend, e.requires) for e in registered.values()]
    added = [name for name in dict.fromkeys(c.name for c in chosen) if name not in (*_FIRST, *_LAST)]
    families = {name: rank for rank, name in enumerate((*_FIRST, *added, *_LAST))}
    order = {backend: rank for rank, backend in enumerate(backends)}

    def key(check: Check) -> tuple[int, int]:
        return families[check.name], -1 if check.backend is None else order.get(check.backend, len(order))

    return sorted(chosen, key=key)
