"""The renderings the value checks compare with exact math: every available backend through
``lrsched.evaluate``, and the other dtypes and objects of the backends lrsched ships.

A third-party backend is covered through its ``evaluate``: the kit reads its dtype from its
values (float32 when every value is a float32 and the exact ones are not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrsched.testing._steps import INT32_MAX, INT64_MAX

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = ["Rendering", "backend_max_step", "renderings"]


@dataclass(frozen=True)
class Rendering:
    """One way of computing a spec's values in a backend.

    Args:
      label: the name in check ids: the backend's name, or ``backend-variant``.
      backend: the registered backend it belongs to.
      evaluate: ``evaluate(spec, steps) -> list[float]``.
      dtype: ``"float32"``, ``"float64"``, or ``None`` to read it from the values.
    """

    label: str
    backend: str
    evaluate: Callable[[Schedule, Sequence[int]], list[float]]
    dtype: str | None = None

    def max_step(self) -> int:
        return backend_max_step(self.backend)


def backend_max_step(backend: str) -> int:
    """The largest step a backend takes: int32's max for JAX without ``jax_enable_x64``."""
    if backend == "jax":
        import jax

        return INT64_MAX if jax.config.jax_enable_x64 else INT32_MAX
    return INT64_MAX


def _generic(backend: str) -> Callable[[Schedule, Sequence[int]], list[float]]:
    def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
        import lrsched

        return lrsched.evaluate(spec, steps, backend)

    return evaluate


def _numpy32(spec: Schedule, steps: Sequence[int]) -> list[float]:
    import numpy as np

    import lrsched

    return [float(v) for v in lrsched.render(spec, "numpy", dtype="float32")(np.asarray(steps, np.int64))]


def _torch_tensor(dtype: str) -> Callable[[Schedule, Sequence[int]], list[float]]:
    def evaluate(spec: Schedule, steps: Sequence[int]) -> list[float]:
        import torch

        import lrsched

        f = lrsched.render(spec, "torch", dtype=dtype)
        return [float(v) for v in f(torch.tensor(list(steps), dtype=torch.int64)).tolist()]

    return evaluate


def _keras64(spec: Schedule, steps: Sequence[int]) -> list[float]:
    from keras import ops

    import lrsched

    values = lrsched.render(spec, "tensorflow", dtype="float64")(ops.convert_to_tensor(list(steps), "int64"))
    return [float(v) for v in ops.convert_to_numpy(values)]


def _jax_dtype() -> str:
    import jax

    return "float64" if jax.config.jax_enable_x64 else "float32"


#: The dtype of ``lrsched.evaluate`` for the backends lrsched ships (``None``: read at run time).
_EVALUATE_DTYPES: dict[str, str | None] = {
    "numpy": "float64",
    "torch": "float64",  # the LRScheduler
    "tensorflow": "float32",
    "jax": None,
}
#: The other renderings of the backends lrsched ships: (label, evaluate, dtype).
_EXTRA: dict[str, list[tuple[str, Callable[[Schedule, Sequence[int]], list[float]], str]]] = {
    "numpy": [("numpy-float32", _numpy32, "float32")],
    "torch": [
        ("torch-tensor", _torch_tensor("float32"), "float32"),
        ("torch-tensor-float64", _torch_tensor("float64"), "float64"),
    ],
    "tensorflow": [("tensorflow-float64", _keras64, "float64")],
}


def renderings(available: Sequence[str]) -> list[Rendering]:
    """The renderings of the ``available`` backends (names as ``lrsched.backends()`` gives them)."""
    out = []
    for backend in available:
        dtype: Any = _EVALUATE_DTYPES.get(backend, "infer")
        if backend == "jax":
            dtype = "jax"
        out.append(Rendering(backend, backend, _generic(backend), None if dtype == "infer" else dtype))
        out.extend(Rendering(label, backend, f, d) for label, f, d in _EXTRA.get(backend, []))
    return out


def resolve_dtype(rendering: Rendering, values: Sequence[float], exact: Sequence[float]) -> str:
    """The rendering's dtype: declared, JAX's current default, or read from the values."""
    if rendering.dtype == "jax":
        return _jax_dtype()
    if rendering.dtype is not None:
        return rendering.dtype
    import struct

    def is32(v: float) -> bool:
        try:
            return struct.unpack("f", struct.pack("f", v))[0] == v or v != v
        except OverflowError:
            return False

    return "float32" if all(map(is32, values)) and not all(map(is32, exact)) else "float64"
