"""What a backend is: :class:`Backend`, registered from a plugin's ``lrsched_register_backends``.

This module imports nothing of lrsched but :mod:`lrsched.errors`; a backend's ``render`` and
``evaluate`` may be ``"module:function"`` strings, imported on first use.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrsched.errors import BackendUnavailableError, ConfigError, PluginError

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = ["Backend", "LazyFunction", "OptionError"]


class OptionError(ConfigError, TypeError):
    """A render option the backend does not accept, or a value it does not allow.

    A :class:`lrsched.ConfigError`, and a ``TypeError`` as Python's own for an unexpected
    keyword argument.
    """


class LazyFunction:
    """A ``"module:function"`` reference, imported on its first call (then called directly).

    ``owner`` and ``kind`` name what it belongs to in messages (``backend 'torch'``, ``check
    'kth_update[torch]'``); ``extra`` is the pip extra that installs what it imports.

    Example:
      >>> f = LazyFunction("math:sqrt")
      >>> f(9.0), f
      (3.0, LazyFunction('math:sqrt'))
    """

    def __init__(
        self, target: str, owner: str = "", extra: str | None = None, *, kind: str = "backend"
    ) -> None:
        module, sep, name = target.partition(":")
        if not (
            sep and module and name and all(part.isidentifier() for part in f"{module}.{name}".split("."))
        ):
            where = f"{kind} {owner!r}: " if owner else ""
            raise PluginError(f"{where}a lazy function is 'module:function'; received {target!r}")
        self.target, self.owner, self.extra, self.kind = target, owner, extra, kind
        # what it refers to, as functools.wraps would say (read without importing it)
        self.__module__, self.__qualname__, self.__name__ = module, name, name.rpartition(".")[2]
        self._function: Callable[..., Any] | None = None
        self._lock = threading.Lock()

    def resolve(self) -> Callable[..., Any]:
        """The function itself, imported now if it was not yet.

        Raises:
          lrsched.BackendUnavailableError: the module cannot be imported (its framework is
            missing or broken), naming the backend, the target and the cause.
          lrsched.PluginError: the module has no such callable.
        """
        function = self._function
        if function is not None:
            return function
        with self._lock:
            if self._function is None:
                module_name, _, name = self.target.partition(":")
                try:
                    module = importlib.import_module(module_name)
                except ImportError as exc:
                    hint = (
                        f"pip install 'lrsched-xp[{self.extra}]'"
                        if self.extra
                        else f"see the {self.kind}'s docs"
                    )
                    raise BackendUnavailableError(
                        f"the {self.owner!r} {self.kind} could not import {module_name!r}: "
                        f"{type(exc).__name__}: {exc}; install it with: {hint}"
                    ) from exc
                function = module
                for part in name.split("."):
                    function = getattr(function, part, None)
                if not callable(function):
                    raise PluginError(
                        f"{self.kind} {self.owner!r}: {self.target!r} does not name a callable in {module_name!r}"
                    )
                self._function = function
            return self._function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return (self._function or self.resolve())(*args, **kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyFunction) and other.target == self.target

    def __hash__(self) -> int:
        return hash((LazyFunction, self.target))

    def __repr__(self) -> str:
        return f"LazyFunction({self.target!r})"


def _lazy(value: object, owner: str, extra: str | None, what: str) -> Any:
    if isinstance(value, str):
        return LazyFunction(value, owner, extra)
    if value is not None and not callable(value):
        raise PluginError(
            f"backend {owner!r}: {what} must be a callable or a 'module:function' string; received {value!r}"
        )
    return value


@dataclass(frozen=True)
class Backend:
    """A rendering backend, registered from a plugin's ``lrsched_register_backends`` hook.

    Args:
      name: what users pass to :func:`lrsched.render`.
      render: ``render(spec, **options) -> native object``, or the ``"module:function"`` that
        names it: imported on the first render, so the plugin itself imports no framework.
      evaluate: ``evaluate(spec, steps) -> list[float]`` (or its ``"module:function"``): the
        rendered schedule's values at the given integer steps as Python floats (used by
        ``lrsched show --backend`` and by cross-backend tests).
      options: the render options it accepts, each mapped to either a tuple of the values
        allowed (checked by lrsched before ``render`` runs) or a sentence saying what is
        accepted (checked by ``render``). An option not listed is a
        :class:`lrsched.ConfigError` naming the backend, the option and the options accepted.
        ``None`` (the default): the keyword parameters of ``render``'s signature.
      requires: top-level modules that must be importable for the backend to be available.
      extra: the pip extra that installs them (``pip install 'lrsched-xp[extra]'``).
      aliases: other names that select this backend.
      description: one line for listings.

    Example:
      >>> import lrsched
      >>> b = lrsched.Backend("mine", render="builtins:repr", options={}, requires=("math",))
      >>> b.available(), b.render
      (True, LazyFunction('builtins:repr'))
    """

    name: str
    render: Callable[..., Any] | str
    evaluate: Callable[[Schedule, Sequence[int]], list[float]] | str | None = None
    requires: tuple[str, ...] = ()
    extra: str | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    options: Mapping[str, tuple[Any, ...] | str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "render", _lazy(self.render, self.name, self.extra, "render"))
        if self.render is None:
            raise PluginError(f"backend {self.name!r}: render is required")
        object.__setattr__(self, "evaluate", _lazy(self.evaluate, self.name, self.extra, "evaluate"))
        if self.options is not None:
            if not isinstance(self.options, Mapping) or not all(
                isinstance(k, str) and isinstance(v, (tuple, str)) for k, v in self.options.items()
            ):
                raise PluginError(
                    f"backend {self.name!r}: options maps option names to a tuple of allowed values "
                    f"or a description; received {self.options!r}"
                )
            object.__setattr__(self, "options", dict(self.options))

    def available(self) -> bool:
        """True when every module in ``requires`` can be imported (nothing is imported)."""
        return all(_findable(module) for module in self.requires)

    def missing(self) -> list[str]:
        """The modules of ``requires`` that cannot be imported here."""
        return [module for module in self.requires if not _findable(module)]

    def accepted_options(self) -> dict[str, tuple[Any, ...] | str] | None:
        """``options``, or read from ``render``'s signature; ``None`` if it takes ``**kwargs``."""
        if self.options is not None:
            return dict(self.options)
        render = self.render
        function = render.resolve() if isinstance(render, LazyFunction) else render
        try:
            parameters = list(inspect.signature(function).parameters.values())[1:]
        except (TypeError, ValueError):  # builtins without a signature: no check
            return None
        if any(p.kind is p.VAR_KEYWORD for p in parameters):
            return None
        keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        return {p.name: "see the backend's documentation" for p in parameters if p.kind in keyword}

    def check_options(self, options: Mapping[str, Any]) -> None:
        """Raise :class:`lrsched.ConfigError` for an option this backend does not accept.

        Example:
          >>> import lrsched
          >>> b = lrsched.Backend("mine", render=repr, options={"dtype": ("float32", "float64")})
          >>> b.check_options({"dtype": "float16"})
          Traceback (most recent call last):
          ...
          lrsched.backend.OptionError: mine backend: option `dtype` must be one of ['float32', 'float64']; received dtype='float16' (the options it accepts: dtype)
        """
        if not options:
            return
        accepted = self.accepted_options()
        if accepted is None:
            return
        listing = ", ".join(accepted) if accepted else "none"
        for name, value in options.items():
            if name not in accepted:
                raise OptionError(
                    f"{self.name} backend: unknown option `{name}` (received {name}={value!r}); "
                    f"the options it accepts: {listing}"
                )
            allowed = accepted[name]
            if isinstance(allowed, tuple) and not any(_same(value, choice) for choice in allowed):
                raise OptionError(
                    f"{self.name} backend: option `{name}` must be {_choices(allowed)}; received {name}={value!r} "
                    f"(the options it accepts: {listing})"
                )


def _choices(allowed: tuple[Any, ...]) -> str:
    """``True or False``, ``None or one of [...]``, ``one of [...]``."""
    if len(allowed) == 2 and {type(c) for c in allowed} == {bool} and set(allowed) == {True, False}:
        return "True or False"
    if any(c is None for c in allowed):
        return f"None or one of {[c for c in allowed if c is not None]!r}"
    return f"one of {list(allowed)!r}"


def _same(value: object, choice: object) -> bool:
    """Equal and of the same type (so ``1`` is not ``True``, nor ``"1"`` ``1``)."""
    if value is choice:
        return True
    try:
        return type(value) is type(choice) and bool(value == choice)
    except Exception:  # noqa: BLE001 - an odd __eq__ means "not this choice"
        return False


def _findable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
