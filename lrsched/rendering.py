"""Backends: how a spec becomes a framework's native object."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrsched import plugins
from lrsched.errors import BackendUnavailableError, LrschedError

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = ["Backend", "backends", "evaluate", "render"]


@dataclass(frozen=True)
class Backend:
    """A rendering backend, registered from a plugin's ``lrsched_register_backends`` hook.

    Args:
      name: what users pass to :func:`lrsched.render`.
      render: ``render(spec, **options) -> native object``. Import the framework inside it,
        never at plugin import time.
      evaluate: ``evaluate(spec, steps) -> list[float]``, the rendered schedule's values at
        the given integer steps as Python floats (used by ``lrsched show --backend`` and by
        cross-backend tests).
      requires: top-level modules that must be importable for the backend to be available.
      extra: the pip extra that installs them (``pip install 'lrsched-xp[extra]'``).
      aliases: other names that select this backend.
      description: one line for listings.

    Example:
      >>> import lrsched
      >>> lrsched.Backend("mine", render=lambda spec: spec.__call__, requires=("math",)).available()
      True
    """

    name: str
    render: Callable[..., Any]
    evaluate: Callable[[Schedule, Sequence[int]], list[float]] | None = None
    requires: tuple[str, ...] = ()
    extra: str | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""

    def available(self) -> bool:
        """True when every module in ``requires`` can be imported (nothing is imported)."""
        return all(_findable(module) for module in self.requires)

    def missing(self) -> list[str]:
        return [module for module in self.requires if not _findable(module)]


def _findable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def backends() -> list[str]:
    """Names of the registered backends whose frameworks are installed here."""
    return [name for name, b in plugins.all_backends().items() if b.available()]


def _available_backend(name: str) -> Backend:
    backend = plugins.backend(name)
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
    from lrsched.spec import Schedule

    if not isinstance(spec, Schedule):
        raise LrschedError(f"expected an lrsched.Schedule; received {type(spec).__name__}: {spec!r}")


def render(spec: Schedule, backend: str = "numpy", /, **options: Any) -> Any:
    """Render ``spec`` into ``backend``'s native object.

    Args:
      spec: any :class:`lrsched.Schedule`.
      backend: a name from :func:`lrsched.backends` (or an alias).
      **options: backend-specific options (see each backend's documentation).

    Example:
      >>> import numpy as np, lrsched
      >>> f = lrsched.render(lrsched.ExponentialDecay(0.1, 10, 0.5), "numpy")
      >>> f(np.array([0, 10, 20]))
      array([0.1  , 0.05 , 0.025])
    """
    _check_spec(spec)
    return _available_backend(backend).render(spec, **options)


def evaluate(spec: Schedule, steps: Sequence[int], backend: str = "numpy") -> list[float]:
    """The values ``backend`` renders for ``spec`` at ``steps``, as Python floats."""
    _check_spec(spec)
    chosen = _available_backend(backend)
    if chosen.evaluate is None:
        raise LrschedError(f"the {chosen.name!r} backend cannot evaluate steps outside its framework")
    return chosen.evaluate(spec, list(steps))
