"""A spec as a pure tensor function ``step -> lr``, ready for ``torch.compile(fullgraph=True)``.

The function is ``spec.value(step, xp)`` for ``xp`` = array-api-compat's torch namespace in the
chosen float dtype, traced once into an aten graph with ``make_fx``. The trace runs the
schedule's Python (the core's constant set-up in ``decimal`` and ``fractions``, cached with
``functools.lru_cache``) eagerly, so Dynamo later sees only tensor operations: no graph break,
no lru_cache warning, and no guard on the step's value, hence no recompilation as it advances.

The namespace carries no ``ldexp`` but a bitcast (``Tensor.view(dtype)``), with which the core's
exact ``xp_ldexp`` writes powers of two as bits, so float32 needs no float64 anywhere.
"""

from __future__ import annotations

import math
import numbers
import types
from typing import Any

import array_api_compat.torch as compat_torch
import torch
from torch.fx.experimental.proxy_tensor import make_fx

from lrsched import ConfigError, Schedule, StepError

__all__ = ["DTYPES", "TensorSchedule", "namespace"]

#: The dtypes a :class:`TensorSchedule` returns (narrower than float32: computed in float32, cast).
DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
}
_NAMESPACES: dict[torch.dtype, types.ModuleType] = {}


def namespace(dtype: torch.dtype = torch.float32) -> types.ModuleType:
    """array-api-compat's torch namespace computing in ``dtype``, without ``ldexp``, with a bitcast.

    ``torch.ldexp`` is exact in eager CPU mode, but it is ``x * 2.0**n`` underneath, which
    loses the subnormal and near-overflow cases once ``2.0**n`` is formed in float32; the
    core's ``xp_ldexp`` instead writes the powers of two as bits through ``Tensor.view(dtype)``.

    Example:
      >>> import torch
      >>> from lrsched.xp import xp_float_dtype
      >>> xp_float_dtype(namespace(torch.bfloat16))
      torch.bfloat16
    """
    xp = _NAMESPACES.get(dtype)
    if xp is None:
        xp = types.ModuleType(f"lrsched_torch.xp_{str(dtype).removeprefix('torch.')}")
        xp.__dict__.update({k: v for k, v in vars(compat_torch).items() if not k.startswith("__")})
        del xp.ldexp
        xp.lrsched_bitcast = _bitcast
        xp.lrsched_take = _take
        xp.asarray = _asarray
        xp.lrsched_float_dtype = dtype
        _NAMESPACES[dtype] = xp
    return xp


def _take(array: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``array[index]`` for an index tensor of any shape (``torch.take``; indexing with a 0-d
    tensor would read its value): traced once, it serves every shape."""
    return torch.take(array, index.to(torch.int64))


def _bitcast(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``x``'s bits read as ``dtype``: the primitive the core's ``xp_ldexp`` writes powers of two with."""
    return x.view(dtype)


def _asarray(
    obj: Any, /, *, dtype: torch.dtype | None = None, device: Any = None, copy: bool | None = None
) -> Any:
    """array-api-compat's ``asarray``, except that a Python scalar becomes a ``torch.full`` op: traced,
    it stays an op with the value inline rather than a constant tensor that Dynamo guards on each
    call."""
    if isinstance(obj, (bool, int, float)) and copy is None:
        return torch.full((), obj, dtype=dtype, device=device)
    return compat_torch.asarray(obj, dtype=dtype, device=device, copy=copy)


class TensorSchedule:
    """``step -> lr``: ``spec.value(step, xp)`` on tensors, in ``dtype``; pure and compile-friendly.

    Steps are integer tensors of any shape and device (computed as int64), or Python ints;
    the result has the step's shape and device. float32 is within 4 ulps of the exact math
    for every int64 step (no float64 used), and staircase boundaries are exact.

    Args:
      spec: the schedule.
      dtype: ``"float32"`` (default), ``"float64"``, ``"float16"`` or ``"bfloat16"``.

    Example:
      >>> import torch, lrsched
      >>> f = TensorSchedule(lrsched.ExponentialDecay(0.1, 10, 0.5, staircase=True))
      >>> f(torch.tensor([0, 9, 10, 25]))
      tensor([0.1000, 0.1000, 0.0500, 0.0250])
      >>> compiled = torch.compile(f, fullgraph=True)  # no graph break; a step tensor never recompiles
    """

    def __init__(self, spec: Schedule, dtype: str = "float32") -> None:
        if not isinstance(spec, Schedule):
            raise ConfigError(f"spec must be an lrsched.Schedule; received {type(spec).__name__}")
        if dtype not in DTYPES:
            raise ConfigError(
                f"torch backend: option `dtype` must be one of {sorted(DTYPES)}; received dtype={dtype!r}"
            )
        self.spec = spec
        self.dtype = dtype
        # One traced graph per device, its constants made there. The CPU and the current
        # accelerator are traced now; another device on its first eager call.
        self._graphs: dict[torch.device, torch.fx.GraphModule] = {}
        for device in _devices():
            self._graph_for(device)

    def __call__(self, step: Any) -> torch.Tensor:
        """The schedule at ``step``: an integer or whole-number float tensor, a Python number or a
        numpy array. Eagerly a negative, fractional or non-finite step is a :class:`StepError`;
        under ``torch.compile`` a fractional or non-finite one gives NaN and a negative one the
        formula extended to it."""
        if not isinstance(step, torch.Tensor):
            step = _from_host(step)
        if step.dtype != torch.int64:
            if step.dtype.is_floating_point:
                return self._floats(step)
            step = _integers(step)
        if _readable(step) and bool((step < 0).any()):
            raise _negative(step)
        return self._graph(step)

    def _graph(self, step: torch.Tensor) -> torch.Tensor:
        graph = self._graphs.get(step.device)
        if graph is None:
            graph = self._graph_for(step.device)
        return graph(step)

    def _floats(self, step: torch.Tensor) -> torch.Tensor:
        """Float steps: the value at their integer step; a fraction is never another step."""
        top = 2.0**63 if torch.finfo(step.dtype).max >= 2.0**63 else math.inf
        fractional = ~((torch.floor(step) == step) & (step.abs() < top))
        if _readable(step):
            if bool(fractional.any()):
                first = step[fractional].flatten()[0].item()
                raise StepError(
                    f"torch backend: float steps must be finite whole numbers in int64's range; received {first!r}"
                )
            return self(step.to(torch.int64))
        out = self._graph(torch.where(fractional, 0, step).to(torch.int64))
        return torch.where(fractional, math.nan, out)

    def _graph_for(self, device: torch.device) -> torch.fx.GraphModule:
        if torch.compiler.is_compiling():
            raise ConfigError(
                f"torch backend: this schedule has not been traced for {device} yet: call it once "
                "outside torch.compile on a step tensor there first"
            )
        graph = self._graphs[device] = _trace(self.spec, DTYPES[self.dtype], device)
        return graph

    def __getstate__(self) -> dict[str, Any]:
        return {"spec": self.spec, "dtype": self.dtype}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["spec"], state["dtype"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"TensorSchedule({self.spec!r}, dtype={self.dtype!r})"


def _devices() -> list[torch.device]:
    devices = [torch.device("cpu")]
    accelerator = getattr(torch, "accelerator", None)  # torch >= 2.6
    current = accelerator.current_accelerator() if accelerator is not None else None
    if current is not None:
        devices.append(torch.device(current.type, accelerator.current_device_index()))
    return devices


def _trace(spec: Schedule, dtype: torch.dtype, device: torch.device) -> torch.fx.GraphModule:
    """``spec.value`` on an int64 step, traced into aten ops with its constants made on ``device``."""
    xp = namespace(dtype)
    value = spec.value

    def schedule(step: torch.Tensor) -> torch.Tensor:
        return value(step, xp)

    with torch.no_grad(), device:  # the device context places the constants that asarray makes
        graph = make_fx(schedule)(torch.zeros((), dtype=torch.int64, device=device))
    graph.__doc__ = f"{spec!r} traced by lrsched for torch ({dtype}, {device})."
    return graph


def _from_host(step: object) -> torch.Tensor:
    """A Python number or a numpy array as an int64 tensor, by the step policy."""
    if isinstance(step, bool):
        raise StepError(f"torch backend: step must be an integer, not a bool; received {step!r}")
    if isinstance(step, numbers.Integral):
        if not 0 <= step < 2**63:
            raise StepError(f"torch backend: step must be in [0, 2**63 - 1]; received {step}")
        return torch.tensor(int(step), dtype=torch.int64)
    if isinstance(step, numbers.Real) and not hasattr(step, "dtype"):  # Python floats, Fractions
        as_float = float(step)
        if not as_float.is_integer():
            raise StepError(f"torch backend: step must be a finite whole number; received {step!r}")
        return _from_host(int(as_float))
    if hasattr(step, "__array__") or hasattr(step, "dtype"):  # numpy arrays and scalars
        import numpy as np

        host = np.asarray(step)
        if host.dtype.kind == "u" and host.dtype.itemsize == 8:
            if host.size and host.max() >= 2**63:
                raise StepError(
                    f"torch backend: steps must be in int64's range; received steps up to {host.max().item()}"
                )
            host = host.astype(np.int64)
        if host.dtype.kind in "iuf":
            tensor = torch.from_numpy(np.ascontiguousarray(host))
            return tensor if host.dtype.kind == "f" else tensor.to(torch.int64)
    raise StepError(
        f"torch backend: step must be an int, a whole-number float, an integer tensor or a numpy array; "
        f"received {type(step).__name__}: {step!r}"
    )


def _integers(step: torch.Tensor) -> torch.Tensor:
    """A non-int64 step tensor as int64: narrower and unsigned integers exactly, others refused."""
    if step.dtype.is_complex or step.dtype == torch.bool:
        raise StepError(
            f"torch backend: steps must be an integer or a whole-number float tensor; received dtype {step.dtype}"
        )
    if step.dtype == torch.uint64 and not torch.compiler.is_compiling():
        wide = step.cpu().numpy()
        if wide.size and wide.max() >= 2**63:
            raise StepError(
                f"torch backend: steps must be in int64's range; received steps up to {wide.max().item()}"
            )
    return step.to(torch.int64)


def _readable(step: torch.Tensor) -> bool:
    """Whether the step's values can be read: eagerly, on a device that holds data (not "meta")."""
    return not torch.compiler.is_compiling() and step.device.type != "meta"


def _negative(step: torch.Tensor) -> StepError:
    return StepError(f"torch backend: steps must be >= 0; received steps down to {step.min().item()}")
