"""The conformance kit: what every lrsched schedule must do, as checks anyone can run on a spec.

In the spirit of scikit-learn's ``check_estimator`` / ``parametrize_with_checks``: a plugin author
runs every check on their schedule, over every backend available where the tests run.

- :func:`check_schedule` runs every check on one spec and raises :class:`ConformanceError` naming
  each failing check, the backend, the step, the value received and the exact value.
- :func:`parametrize_with_checks` parametrizes a pytest test over specs x checks, so each failure
  is its own test id, and a check whose framework is absent is reported as skipped.
- :mod:`lrsched.testing.strategies` builds valid specs of any registered schedule for hypothesis.

The checks of each framework come from its backend's plugin (hook ``lrsched_register_checks``),
as a third party's do; :mod:`lrsched.testing.support` holds what checks are made of.

The oracle is ``spec(step)`` for a Python int, the correctly rounded exact value. Values must be
within 1e-12 relative in float64 and 4 ulps in float32, each measured at the size
``max(|exact|, 1e-6 * peak)`` (:func:`assert_close`).

``import lrsched.testing`` imports no framework, nor pytest, nor hypothesis.

Example:
  >>> import lrsched
  >>> from lrsched.testing import check_schedule
  >>> spec = lrsched.ExponentialDecay(0.1, 1000, 0.5, staircase=True)
  >>> results = check_schedule(spec, backends=["numpy"], select=["values", "boundaries", "pickling"])
  >>> [(r.check, r.status) for r in results]
  [('values[numpy]', 'passed'), ('values[numpy-float32]', 'passed'), ('boundaries[numpy]', 'passed'), ('boundaries[numpy-float32]', 'passed'), ('pickling', 'passed')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrsched.testing._checks import Check, CheckSkipped, all_checks
from lrsched.testing._steps import sample_steps
from lrsched.testing._tolerance import ConformanceError, assert_close, float32_ulp

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = [
    "Check",
    "CheckResult",
    "CheckSkipped",
    "ConformanceError",
    "assert_close",
    "check_schedule",
    "checks",
    "float32_ulp",
    "parametrize_with_checks",
    "sample_steps",
]


def checks(*, backends: Sequence[str] | None = None, select: Iterable[str] | None = None) -> list[Check]:
    """The checks, the kit's and those plugins register, grouped by family: values and boundaries
    for every rendering of every registered backend, step dtypes, serialization, the families
    plugins add (framework objects, the k-th update), the step policy.

    Args:
      backends: keep only checks about these backends (and the backend-free ones); default all.
      select: keep only checks whose name or id is listed (``"values"``, ``"values[numpy]"``).

    Example:
      >>> ids = [c.id for c in checks()]
      >>> "values[numpy]" in ids and "kth_update[torch]" in ids and "pickling" in ids
      True
    """
    chosen = list(all_checks())
    if backends is not None:
        chosen = [c for c in chosen if c.backend is None or c.backend in backends]
    if select is not None:
        wanted = set(select)
        chosen = [c for c in chosen if c.name in wanted or c.id in wanted]
    return chosen


@dataclass(frozen=True)
class CheckResult:
    """What one check did: ``status`` is ``"passed"``, ``"failed"`` or ``"skipped"``."""

    check: str
    status: str
    message: str = ""


def check_schedule(
    spec: Schedule, *, backends: Sequence[str] | None = None, select: Iterable[str] | None = None
) -> list[CheckResult]:
    """Run every check on ``spec``; raise :class:`ConformanceError` if any fails.

    Args:
      spec: the schedule to check.
      backends: check only these backends (default: every registered one; those not available
        here are skipped).
      select: run only these checks, by name or id (see :func:`checks`).

    Returns:
      One :class:`CheckResult` per check, the skipped ones with their reason.

    Raises:
      ConformanceError: listing every failing check with its message.
    """
    from lrsched.spec import Schedule

    if not isinstance(spec, Schedule):
        raise TypeError(f"check_schedule takes an lrsched.Schedule; received {type(spec).__name__}")
    results = []
    for check in checks(backends=backends, select=select):
        try:
            check(spec)
        except CheckSkipped as skipped:
            results.append(CheckResult(check.id, "skipped", str(skipped)))
        except ConformanceError as error:
            results.append(CheckResult(check.id, "failed", str(error)))
        else:
            results.append(CheckResult(check.id, "passed"))
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise ConformanceError(
            f"{len(failed)} of {len(results)} conformance checks failed for {spec!r}:\n"
            + "\n".join(f"- {r.message}" for r in failed)
        )
    return results


def parametrize_with_checks(
    specs: Sequence[Schedule], *, backends: Sequence[str] | None = None, select: Iterable[str] | None = None
) -> Any:
    """A ``pytest.mark.parametrize`` over ``specs`` x checks, arguments ``spec`` and ``check``; each
    pair is its own test id (``ExponentialDecay(...)-values[numpy]``). Call ``check(spec)`` in the
    test: a check whose backend is absent raises a skip that pytest reports.

    Example:
      >>> import lrsched
      >>> mark = parametrize_with_checks([lrsched.ExponentialDecay(0.1, 10, 0.5)], select=["pickling"])
      >>> mark.args[0]
      ('spec', 'check')
    """
    import pytest

    cases = [(spec, check) for spec in specs for check in checks(backends=backends, select=select)]
    return pytest.mark.parametrize(
        ("spec", "check"), cases, ids=[f"{spec!r}-{check.id}" for spec, check in cases]
    )
