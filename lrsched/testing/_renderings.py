"""Renderings: the ways of computing a spec's values that the value and boundary checks compare
with exact math.

Every registered backend is checked through its ``evaluate``, its dtype read from its values
(float32 when every value is a float32 and the exact ones are not). A backend's plugin declares
its dtype, and adds its other dtypes and objects, by registering ``values[...]`` and
``boundaries[...]`` checks built from a :class:`Rendering` (``lrsched_register_checks``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrsched.testing._steps import INT64_MAX

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = ["Rendering", "resolve_dtype"]


@dataclass(frozen=True)
class Rendering:
    """One way of computing a spec's values in a backend.

    Args:
      label: the variant in check ids: the backend's name, or ``backend-variant``.
      backend: the registered backend it belongs to.
      evaluate: ``evaluate(spec, steps) -> list[float]``; by default the backend's own,
        ``lrsched.evaluate(spec, steps, backend)``.
      dtype: ``"float32"`` or ``"float64"``; a function returning one, called when the check
        runs (JAX's default float depends on ``jax_enable_x64``); or ``None`` to read it from
        the values.
      step_limit: a function returning the largest step it takes, called when the check runs;
        by default int64's max.
      flushes_subnormals: the backend flushes subnormal results to 0 (XLA on CPU, TensorFlow):
        the value checks then also take 0 for an exact value below the dtype's smallest normal.

    Example:
      >>> import lrsched
      >>> r = Rendering("numpy", "numpy", dtype="float64")
      >>> r.evaluate(lrsched.ExponentialDecay(0.1, 10, 0.5), [0, 10]), r.max_step() == 2**63 - 1
      ([0.1, 0.05], True)
    """

    label: str
    backend: str
    evaluate: Callable[[Schedule, Sequence[int]], list[float]] | None = None  # None: set to the backend's
    dtype: str | Callable[[], str] | None = None
    step_limit: Callable[[], int] | None = None
    flushes_subnormals: bool = False

    def __post_init__(self) -> None:
        if self.evaluate is None:
            object.__setattr__(self, "evaluate", _through_backend(self.backend))

    def max_step(self) -> int:
        """The largest step the rendering takes."""
        return self.step_limit() if self.step_limit is not None else INT64_MAX


def _through_backend(backend: str) -> Callable[[Schedule, Sequence[int]], list[float]]:
    def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
        import lrsched

        return lrsched.evaluate(spec, steps, backend)

    return evaluate


def _is_float32(v: float) -> bool:
    try:
        return struct.unpack("f", struct.pack("f", v))[0] == v or v != v
    except OverflowError:
        return False


def resolve_dtype(rendering: Rendering, values: Sequence[float], exact: Sequence[float]) -> str:
    """The rendering's dtype: declared, returned by its ``dtype`` function, or read from the values."""
    if callable(rendering.dtype):
        return rendering.dtype()
    if rendering.dtype is not None:
        return rendering.dtype
    return "float32" if all(map(_is_float32, values)) and not all(map(_is_float32, exact)) else "float64"
