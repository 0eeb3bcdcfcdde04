"""Rendering: how a spec becomes a framework's native object, through a registered backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lrsched import lookups
from lrsched.backend import Backend
from lrsched.errors import BackendUnavailableError, ConfigError, LrschedError
from lrsched.registry import is_schedule

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = ["Backend", "backends", "evaluate", "render"]


def backends() -> list[str]:
    """Names of the registered backends whose frameworks are installed here."""
    return [name for name, b in lookups.all_backends().items() if b.available()]


def _available_backend(name: str) -> Backend:
    backend = lookups.backend(name)
    missing = backend.missing()
    if missing:
        hint = (
            f"pip install 'lrsched-xp[{backend.extra}]'"
            if backend.extra
            else f"pip install {' '.join(missing)}"
        )
        raise BackendUnavailableError(
            f"the {backend.name!r} backend needs {', '.join(missing)}, which is not installed; "
            f"install it with: {hint}"
        )
    return backend


def _check_spec(spec: object) -> None:
    if not is_schedule(spec):
        raise LrschedError(f"expected an lrsched.Schedule; received {type(spec).__name__}: {spec!r}")


def render(spec: Schedule, backend: str = "numpy", /, **options: Any) -> Any:
    """Render ``spec`` into ``backend``'s native object.

    Args:
      spec: any :class:`lrsched.Schedule`.
      backend: a name from :func:`lrsched.backends` (or an alias).
      **options: backend-specific options (see each backend's documentation). An option the
        backend does not accept, or a value it does not allow, is a :class:`lrsched.ConfigError`
        naming the backend, the option and what it accepts, in every backend.

    Example:
      >>> import numpy as np, lrsched
      >>> f = lrsched.render(lrsched.ExponentialDecay(0.1, 10, 0.5), "numpy")
      >>> f(np.array([0, 10, 20]))
      array([0.1  , 0.05 , 0.025])
      >>> lrsched.render(lrsched.ExponentialDecay(0.1, 10, 0.5), "numpy", foo=1)
      Traceback (most recent call last):
      ...
      lrsched.backend.OptionError: numpy backend: unknown option `foo` (received foo=1); the options it accepts: dtype
    """
    _check_spec(spec)
    chosen = _available_backend(backend)
    chosen.check_options(options)
    try:
        return chosen.render(spec, **options)
    except ConfigError as exc:  # every backend's option errors name the backend
        prefix = f"{chosen.name} backend"
        if str(exc).startswith(prefix):
            raise
        raise type(exc)(f"{prefix}: {exc}") from exc


def evaluate(spec: Schedule, steps: Sequence[int], backend: str = "numpy") -> list[float]:
    """The values ``backend`` renders for ``spec`` at ``steps``, as Python floats."""
    _check_spec(spec)
    chosen = _available_backend(backend)
    if chosen.evaluate is None:
        raise LrschedError(f"the {chosen.name!r} backend cannot evaluate steps outside its framework")
    return chosen.evaluate(spec, list(steps))
