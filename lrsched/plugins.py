"""Plugin discovery and the registry of schedules and backends.

Plugins are found through the entry-point group ``lrsched``, lazily: nothing is imported
until a registry lookup needs it, and then only once. The built-in schedules and the
in-tree backends are plugins of this same group; they are loaded before any third-party
plugin, so a third party can never shadow a built-in name.

Environment variables:

``LRSCHED_DISABLE_PLUGINS=name,...``
    entry-point (or distribution) names that are not loaded at all.
``LRSCHED_STRICT_PLUGINS=1``
    any plugin failure raises :class:`lrsched.PluginError` instead of warning.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pluggy

from lrsched import hookspecs
from lrsched.errors import (
    DuplicateNameError,
    LrschedError,
    PluginError,
    UnknownBackendError,
    UnknownScheduleError,
    unknown_name_message,
)

if TYPE_CHECKING:
    from lrsched.rendering import Backend
    from lrsched.spec import Schedule

__all__ = [
    "ENTRY_POINT_GROUP",
    "LrschedPluginWarning",
    "PluginHost",
    "PluginInfo",
    "get_host",
    "isolated_host",
    "register",
    "report",
    "unregister",
]

ENTRY_POINT_GROUP = "lrsched"
OWN_DISTRIBUTION = "lrsched-xp"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class LrschedPluginWarning(UserWarning):
    """A plugin failed to load or to register; it was skipped."""


@dataclass
class PluginInfo:
    """What ``lrsched plugins`` reports about one plugin."""

    name: str
    distribution: str | None = None
    version: str | None = None
    status: Literal["loaded", "failed", "blocked"] = "loaded"
    reason: str = ""
    schedules: list[str] = field(default_factory=list)
    backends: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """``plugin 'name' (distribution 1.0)``, as used in error messages."""
        where = f" ({self.distribution} {self.version})" if self.distribution else ""
        return f"plugin {self.name!r}{where}"


@dataclass
class _Registry:
    schedules: dict[str, type[Schedule]] = field(default_factory=dict)
    schedule_sources: dict[str, str] = field(default_factory=dict)
    names_by_class: dict[type, str] = field(default_factory=dict)
    backends: dict[str, Backend] = field(default_factory=dict)
    backend_sources: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


def _env_list(variable: str) -> set[str]:
    return {part.strip() for part in os.environ.get(variable, "").split(",") if part.strip()}


def _strict() -> bool:
    return os.environ.get("LRSCHED_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes", "on"}


def _describe(obj: object) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


class PluginHost:
    """A pluggy manager plus the registry built from its plugins' hooks.

    Args:
      entry_points: load the plugins installed under the ``lrsched`` entry-point group.
        A host made with ``entry_points=False`` starts empty (used by tests).
    """

    def __init__(self, *, entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self.pm.add_hookspecs(hookspecs)
        self._use_entry_points = entry_points
        self._infos: dict[str, PluginInfo] = {}
        self._loaded = False
        self._registry: _Registry | None = None
        self._lock = threading.RLock()

    # -- loading ---------------------------------------------------------------------------
    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            if self._use_entry_points:
                self._load_entry_points()
            self._loaded = True

    def _load_entry_points(self) -> None:
        blocked = _env_list("LRSCHED_DISABLE_PLUGINS")
        seen: set[str] = set()
        eps = sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
            key=lambda ep: (_dist_name(ep) != OWN_DISTRIBUTION, ep.name),
        )
        for ep in eps:
            if ep.name in seen:  # the same distribution found twice on sys.path
                continue
            seen.add(ep.name)
            info = PluginInfo(ep.name, _dist_name(ep), getattr(ep.dist, "version", None))
            self._infos[ep.name] = info
            if ep.name in blocked or (info.distribution or "") in blocked:
                self.pm.set_blocked(ep.name)
                info.status, info.reason = "blocked", "named in LRSCHED_DISABLE_PLUGINS"
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # noqa: BLE001 - any import failure is the plugin's
                self._fail(info, f"import of {ep.value!r} failed: {type(exc).__name__}: {exc}")
                continue
            self._add(plugin, info)

    def _add(self, plugin: object, info: PluginInfo) -> None:
        try:
            self.pm.register(plugin, name=info.name)
        except Exception as exc:  # noqa: BLE001 - pluggy's PluginValidationError and ValueError
            self._fail(info, f"{type(exc).__name__}: {exc}")
            return
        known = {name for name in dir(hookspecs) if name.startswith("lrsched_")}
        unknown = [hc.name for hc in self.pm.get_hookcallers(plugin) or [] if not hc.has_spec()]
        if unknown:
            self.pm.unregister(plugin)
            hint = unknown_name_message("hook", unknown[0], known)
            self._fail(info, hint.replace("unknown hook", "implements unknown hook", 1))

    def _fail(self, info: PluginInfo, reason: str) -> None:
        info.status, info.reason = "failed", reason
        info.schedules.clear()
        info.backends.clear()
        message = f"lrsched {info.source} failed and was skipped: {reason}"
        if _strict():
            raise PluginError(message + " (LRSCHED_STRICT_PLUGINS is set)")
        warnings.warn(message, LrschedPluginWarning, stacklevel=4)

    # -- inline plugins --------------------------------------------------------------------
    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object (module, class or instance) that is not an entry point.

        Returns the name it is registered under; use it with :meth:`unregister`.
        """
        self._ensure_loaded()
        with self._lock:
            name = name or getattr(plugin, "__name__", None) or f"plugin-{id(plugin):x}"
            if name in self._infos and self._infos[name].status != "failed":
                raise PluginError(f"a plugin named {name!r} is already registered")
            info = PluginInfo(name)
            self._infos[name] = info
            self._add(plugin, info)
            self._registry = None
            return name

    def unregister(self, name: str) -> None:
        """Remove a plugin registered with :meth:`register` (or loaded from an entry point)."""
        with self._lock:
            if self.pm.get_plugin(name) is not None:
                self.pm.unregister(name=name)
            self._infos.pop(name, None)
            self._registry = None

    # -- the registry ----------------------------------------------------------------------
    @property
    def registry(self) -> _Registry:
        self._ensure_loaded()
        registry = self._registry
        if registry is None:
            with self._lock:
                if self._registry is None:
                    self._registry = self._build()
                registry = self._registry
        return registry

    def _build(self) -> _Registry:
        registry = _Registry()
        for info in self._infos.values():
            if info.status == "blocked":
                continue
            plugin = self.pm.get_plugin(info.name)
            if plugin is None:
                continue
            info.status, info.reason = "loaded", ""
            staged: _Staging = _Staging(registry, info)
            try:
                self._call(plugin, "lrsched_register_schedules", register=staged.schedule)
                self._call(plugin, "lrsched_register_backends", register=staged.backend)
            except Exception as exc:  # noqa: BLE001 - isolate every plugin's failure
                self.pm.unregister(plugin)
                self._fail(info, f"{type(exc).__name__}: {exc}")
                continue
            staged.commit()
        return registry

    def _call(self, plugin: object, hook: str, **kwargs: Any) -> None:
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin is plugin:
                impl.function(*(kwargs[arg] for arg in impl.argnames))

    def infos(self) -> list[PluginInfo]:
        self.registry  # noqa: B018 - building the registry fills in each plugin's status
        return list(self._infos.values())


class _Staging:
    """Collects one plugin's registrations; they take effect only if all its hooks succeed."""

    def __init__(self, registry: _Registry, info: PluginInfo) -> None:
        self.registry, self.info = registry, info
        self.schedules: dict[str, type] = {}
        self.backends: dict[str, Backend] = {}

    def schedule(self, cls: type, name: str | None = None) -> None:
        from lrsched.spec import Schedule

        if not (inspect.isclass(cls) and issubclass(cls, Schedule)) or cls is Schedule:
            raise PluginError(f"register() takes a subclass of lrsched.Schedule; received {cls!r}")
        if inspect.isabstract(cls) or cls.value is Schedule.value:
            raise PluginError(f"schedule class {_describe(cls)} does not implement value(step, xp)")
        name = cls.__name__ if name is None else name
        _check_name("schedule", name)
        existing = self.registry.schedules.get(name) or self.schedules.get(name)
        if existing is not None and existing is not cls:
            source = self.registry.schedule_sources.get(name, self.info.source)
            raise DuplicateNameError(
                f"schedule name {name!r} is already registered by {source} as {_describe(existing)}; "
                f"{self.info.source} tried to register {_describe(cls)} under the same name"
            )
        self.schedules[name] = cls

    def backend(self, backend: Backend) -> None:
        from lrsched.rendering import Backend

        if not isinstance(backend, Backend):
            raise PluginError(f"register() takes an lrsched.Backend; received {backend!r}")
        for name in (backend.name, *backend.aliases):
            _check_name("backend", name)
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

    def commit(self) -> None:
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


def _check_name(kind: str, name: object) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise PluginError(
            f"{kind} names must be identifiers (letters, digits, '_'; no dots); received {name!r}"
        )


def _dist_name(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else None


# -- the process-wide host ----------------------------------------------------------------
_host: PluginHost | None = None
_host_lock = threading.Lock()


def get_host() -> PluginHost:
    """The process-wide :class:`PluginHost`, created (not yet loaded) on first use."""
    global _host
    if _host is None:
        with _host_lock:
            if _host is None:
                _host = PluginHost()
    return _host


@contextmanager
def isolated_host(host: PluginHost | None = None) -> Iterator[PluginHost]:
    """Swap in a fresh host for the duration of a ``with`` block (for tests)."""
    global _host
    previous, _host = _host, host if host is not None else PluginHost()
    try:
        yield _host
    finally:
        _host = previous


def register(plugin: object, name: str | None = None) -> str:
    """Register an inline plugin with the process-wide host; see :meth:`PluginHost.register`."""
    return get_host().register(plugin, name)


def unregister(name: str) -> None:
    """Remove a plugin from the process-wide host."""
    get_host().unregister(name)


def report() -> list[PluginInfo]:
    """Every plugin seen: loaded, failed (with the reason) or blocked."""
    return get_host().infos()


# -- lookups used by the rest of lrsched --------------------------------------------------
def schedules() -> dict[str, type[Schedule]]:
    """Registered names mapped to their schedule classes."""
    return dict(get_host().registry.schedules)


def schedule_class(name: object) -> type[Schedule]:
    registry = get_host().registry
    try:
        return registry.schedules[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnknownScheduleError(unknown_name_message("schedule", name, registry.schedules)) from None


def schedule_name(cls: type) -> str:
    registry = get_host().registry
    name = registry.names_by_class.get(cls)
    if name is None:
        raise LrschedError(
            f"{_describe(cls)} is not a registered schedule, so it cannot be serialized by name; "
            "register it from a plugin's lrsched_register_schedules hook"
        )
    return name


def backend(name: object) -> Backend:
    registry = get_host().registry
    try:
        return registry.backends[registry.aliases[name]]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnknownBackendError(unknown_name_message("backend", name, registry.aliases)) from None


def all_backends() -> dict[str, Backend]:
    """Every registered backend, installed or not."""
    return dict(get_host().registry.backends)
