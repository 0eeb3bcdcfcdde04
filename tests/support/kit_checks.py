"""A third party's conformance check, registered by ``"module:function"`` in tests/test_conformance.py
(so that it is imported only when it first runs)."""

from __future__ import annotations

from lrsched.testing.support import ConformanceError, exact


def peak_at_zero(spec):
    """The schedule is largest at step 0 (a decay's promise; a warm-up breaks it)."""
    later = max(exact(spec, step) for step in (1, 10, 100, 1000))
    if later > exact(spec, 0):
        raise ConformanceError(f"spec(0) is {exact(spec, 0)!r}, but a later step gives {later!r}")
