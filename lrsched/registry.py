"""The registry: what the plugins registered, and the checks a registration passes.

A :class:`Registry` is built by :class:`lrsched.host.PluginHost` from its plugins' hooks, one
plugin at a time through a :class:`Staging`, so that a plugin whose hooks fail leaves nothing
behind. This module imports no other lrsched module but :mod:`lrsched.errors` and
:mod:`lrsched.backend`: it tells a schedule class from any other without importing
:mod:`lrsched.spec` (see :func:`is_schedule_class`), so that ``spec`` may use the registry.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from lrsched.backend import Backend, LazyFunction
from lrsched.errors import DuplicateNameError, PluginError

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = [
    "PluginInfo",
    "RegisteredCheck",
    "Registry",
    "Staging",
    "Unwrapper",
    "is_schedule",
    "is_schedule_class",
]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_VARIANT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_SPEC_MODULE = "lrsched.spec"

#: ``unwrap(payload) -> {"class_name": ..., "config": ...}``; see ``lrsched_register_unwrappers``.
Unwrapper = Callable[[dict[str, Any]], dict[str, Any]]


def _schedule_base() -> type | None:
    """``lrsched.Schedule`` if :mod:`lrsched.spec` is imported, else ``None``.

    No object can be a Schedule (nor a class a subclass of it) before the module that defines
    the base class has run, so this never needs to import it: the same reasoning as
    array-api-compat's ``is_torch_array``, which looks in ``sys.modules`` for torch.
    """
    module = sys.modules.get(_SPEC_MODULE)
    return getattr(module, "Schedule", None)


def is_schedule(obj: object) -> bool:
    """True when ``obj`` is an :class:`lrsched.Schedule` (imports nothing).

    Example:
      >>> import lrsched
      >>> is_schedule(lrsched.ExponentialDecay(0.1, 10, 0.5)), is_schedule("ExponentialDecay")
      (True, False)
    """
    base = _schedule_base()
    return base is not None and isinstance(obj, base)


def is_schedule_class(cls: object) -> bool:
    """True when ``cls`` is a proper subclass of :class:`lrsched.Schedule` (imports nothing)."""
    base = _schedule_base()
    return base is not None and inspect.isclass(cls) and issubclass(cls, base) and cls is not base


@dataclass
class PluginInfo:
    """What ``lrsched plugins`` reports about one plugin.

    ``name`` is the entry-point name (or the name given to :func:`lrsched.plugins.register`);
    ``distribution`` tells apart two distributions' entry points of the same name.
    """

    name: str
    distribution: str | None = None
    version: str | None = None
    status: Literal["loaded", "failed", "blocked"] = "loaded"
    reason: str = ""
    schedules: list[str] = field(default_factory=list)
    backends: list[str] = field(default_factory=list)
    unwrappers: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    key: str = ""  # the unique name the plugin manager knows it by (set by the host)

    def __post_init__(self) -> None:
        self.key = self.key or self.name

    @property
    def source(self) -> str:
        """``plugin 'name' (distribution 1.0)``, as used in error messages."""
        where = f" ({self.distribution} {self.version})" if self.distribution else ""
        return f"plugin {self.name!r}{where}"


@dataclass(frozen=True)
class RegisteredCheck:
    """A conformance check registered from ``lrsched_register_checks``; :mod:`lrsched.testing`
    runs it as a :class:`lrsched.testing.Check` of the same fields.

    ``check`` is the callable given, or a :class:`~lrsched.backend.LazyFunction` for a
    ``"module:function"`` string.
    """

    name: str
    variant: str | None
    check: Callable[[Schedule], None] = field(repr=False)
    backend: str | None = None
    requires: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """``name[variant]``, or ``name`` without a variant."""
        return f"{self.name}[{self.variant}]" if self.variant else self.name


@dataclass
class Registry:
    """Names to schedule classes and backends, what reads foreign serialized forms, and checks."""

    schedules: dict[str, type[Schedule]] = field(default_factory=dict)
    schedule_sources: dict[str, str] = field(default_factory=dict)
    names_by_class: dict[type, str] = field(default_factory=dict)
    backends: dict[str, Backend] = field(default_factory=dict)
    backend_sources: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    unwrappers: dict[tuple[str, str | None], Unwrapper] = field(default_factory=dict)
    unwrapper_sources: dict[tuple[str, str | None], str] = field(default_factory=dict)
    checks: dict[str, RegisteredCheck] = field(default_factory=dict)  # by id
    check_sources: dict[str, str] = field(default_factory=dict)


def describe(obj: object) -> str:
    """``module.QualName`` of a class or function, for messages."""
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def _unwrapper_label(key: tuple[str, str | None]) -> str:
    module, registered_name = key
    return f"module {module!r} with registered_name {registered_name!r}"


class Staging:
    """Collects one plugin's registrations; they take effect only if all its hooks succeed."""

    def __init__(self, registry: Registry, info: PluginInfo) -> None:
        self.registry, self.info = registry, info
        self.schedules: dict[str, type] = {}
        self.backends: dict[str, Backend] = {}
        self.unwrappers: dict[tuple[str, str | None], Unwrapper] = {}
        self.checks: dict[str, RegisteredCheck] = {}

    def schedule(self, cls: type, name: str | None = None) -> None:
        """The ``register`` of ``lrsched_register_schedules``."""
        if not is_schedule_class(cls):
            raise PluginError(f"register() takes a subclass of lrsched.Schedule; received {cls!r}")
        base = _schedule_base()
        if inspect.isabstract(cls) or cls.value is base.value:  # type: ignore[union-attr]
            raise PluginError(f"schedule class {describe(cls)} does not implement value(step, xp)")
        name = cls.__name__ if name is None else name
        check_name("schedule", name)
        existing = self.registry.schedules.get(name) or self.schedules.get(name)
        if existing is not None and existing is not cls:
            source = self.registry.schedule_sources.get(name, self.info.source)
            raise DuplicateNameError(
                f"schedule name {name!r} is already registered by {source} as {describe(existing)}; "
                f"{self.info.source} tried to register {describe(cls)} under the same name"
            )
        self.schedules[name] = cls

    def backend(self, backend: Backend) -> None:
        """The ``register`` of ``lrsched_register_backends``."""
        if not isinstance(backend, Backend):
            raise PluginError(f"register() takes an lrsched.Backend; received {backend!r}")
        for name in (backend.name, *backend.aliases):
            check_name("backend", name)
            owner = self.registry.aliases.get(name) or next(
                (b.name for b in self.backends.values() if name in (b.name, *b.aliases)), None
            )
            if owner is not None:
                raise DuplicateNameError(
                    f"backend name {name!r} is already registered by "
                    f"{self.registry.backend_sources.get(owner, self.info.source)}; "
                    f"{self.info.source} tried to register it again"
                )
        self.backends[backend.name] = backend

    def unwrapper(self, module: str, registered_name: str | None, unwrap: Unwrapper) -> None:
        """The ``register`` of ``lrsched_register_unwrappers``."""
        if not isinstance(module, str) or not module:
            raise PluginError(f"register() takes a module name (a non-empty str); received module={module!r}")
        if registered_name is not None and not isinstance(registered_name, str):
            raise PluginError(
                f"register() takes registered_name as a str or None; received registered_name={registered_name!r}"
            )
        if not callable(unwrap):
            raise PluginError(f"register() takes a callable unwrap(payload); received {unwrap!r}")
        key = (module, registered_name)
        if key in self.registry.unwrappers or key in self.unwrappers:
            source = self.registry.unwrapper_sources.get(key, self.info.source)
            raise DuplicateNameError(
                f"an unwrapper for {_unwrapper_label(key)} is already registered by {source}; "
                f"{self.info.source} tried to register another"
            )
        self.unwrappers[key] = unwrap

    def check(
        self,
        name: str,
        check: Callable[..., None] | str,
        *,
        variant: str | None = None,
        backend: str | None = None,
        requires: tuple[str, ...] = (),
    ) -> None:
        """The ``register`` of ``lrsched_register_checks``."""
        check_name("check", name)
        if variant is not None and not (isinstance(variant, str) and _VARIANT.fullmatch(variant)):
            raise PluginError(
                "check variants are letters, digits, '_', '.' and '-' (not first); "
                f"received variant={variant!r}"
            )
        if backend is not None:
            check_name("backend", backend)
        if not isinstance(requires, (tuple, list)) or not all(isinstance(m, str) and m for m in requires):
            raise PluginError(
                f"register() takes requires as a tuple of module names; received requires={requires!r}"
            )
        entry_id = f"{name}[{variant}]" if variant else name
        if isinstance(check, str):
            check = LazyFunction(check, entry_id, kind="check")
        elif not callable(check):
            raise PluginError(
                f"register() takes check(spec) as a callable or a 'module:function' string; received {check!r}"
            )
        if entry_id in self.registry.checks or entry_id in self.checks:
            source = self.registry.check_sources.get(entry_id, self.info.source)
            raise DuplicateNameError(
                f"check {entry_id!r} is already registered by {source}; {self.info.source} tried to register another"
            )
        self.checks[entry_id] = RegisteredCheck(name, variant, check, backend, tuple(requires))

    def commit(self) -> None:
        """Add what was staged to the registry."""
        registry, source = self.registry, self.info.source
        for name, cls in self.schedules.items():
            registry.schedules[name] = cls
            registry.schedule_sources[name] = source
            registry.names_by_class.setdefault(cls, name)
            self.info.schedules.append(name)
        for name, backend in self.backends.items():
            registry.backends[name] = backend
            registry.backend_sources[name] = source
            for alias in (name, *backend.aliases):
                registry.aliases[alias] = name
            self.info.backends.append(name)
        for key, unwrap in self.unwrappers.items():
            registry.unwrappers[key] = unwrap
            registry.unwrapper_sources[key] = source
            self.info.unwrappers.append(f"{key[0]}:{key[1]}")
        for entry_id, entry in self.checks.items():
            registry.checks[entry_id] = entry
            registry.check_sources[entry_id] = source
            self.info.checks.append(entry_id)


def check_name(kind: str, name: object) -> None:
    """Schedule, backend and check names are identifiers: no dots, so never a module path."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise PluginError(
            f"{kind} names must be identifiers (letters, digits, '_'; no dots); received {name!r}"
        )
