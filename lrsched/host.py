"""Plugin discovery and loading: the pluggy manager, entry points, and the process-wide host.

Plugins are found through the entry-point group ``lrsched``, lazily: nothing is imported
until a registry lookup needs it, and then only once. The built-in schedules and the
in-tree backends are plugins of this same group; they are loaded before any third-party
plugin, so a third party can never shadow a built-in name.

An entry point is identified by its distribution and its name: two distributions may each
have an entry point ``foo``, and both load (``lrsched plugins`` shows the distribution of
each; the plugin manager knows the second as ``foo@distribution``).

Environment variables:

``LRSCHED_DISABLE_PLUGINS=name,...``
    entry-point names, distribution names, or ``distribution:name`` pairs that are not loaded.
``LRSCHED_STRICT_PLUGINS=1``
    any plugin failure raises :class:`lrsched.PluginError` instead of warning.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pluggy

from lrsched import hookspecs
from lrsched.errors import PluginError, unknown_name_message
from lrsched.registry import PluginInfo, Registry, Staging

__all__ = [
    "ENTRY_POINT_GROUP",
    "OWN_DISTRIBUTION",
    "LrschedPluginWarning",
    "PluginHost",
    "get_host",
    "isolated_host",
    "register",
    "report",
    "unregister",
]

ENTRY_POINT_GROUP = "lrsched"
OWN_DISTRIBUTION = "lrsched-xp"

#: Each hook, and the method of :class:`Staging` its ``register`` argument is.
_HOOKS = (
    ("lrsched_register_schedules", "schedule"),
    ("lrsched_register_backends", "backend"),
    ("lrsched_register_unwrappers", "unwrapper"),
    ("lrsched_register_checks", "check"),
)


class LrschedPluginWarning(UserWarning):
    """A plugin failed to load or to register; it was skipped."""


def _env_list(variable: str) -> set[str]:
    return {part.strip() for part in os.environ.get(variable, "").split(",") if part.strip()}


def _strict() -> bool:
    return os.environ.get("LRSCHED_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes", "on"}


def _dist_name(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else None


def _normalized(name: str | None) -> str:
    """A distribution name as PEP 503 compares them."""
    return "".join("-" if c in "-_." else c for c in (name or "").lower())


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
        self._infos: dict[str, PluginInfo] = {}  # by PluginInfo.key
        self._loaded = False
        self._registry: Registry | None = None
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
        blocked_dists = {_normalized(name) for name in blocked}
        seen: set[tuple[str, str]] = set()
        eps = sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
            key=lambda ep: (_dist_name(ep) != OWN_DISTRIBUTION, ep.name, _normalized(_dist_name(ep))),
        )
        for ep in eps:
            dist = _dist_name(ep)
            identity = (_normalized(dist), ep.name)
            if identity in seen:  # the same distribution found twice on sys.path
                continue
            seen.add(identity)
            key = ep.name if ep.name not in self._infos else f"{ep.name}@{dist}"
            info = PluginInfo(ep.name, dist, getattr(ep.dist, "version", None), key=key)
            self._infos[key] = info
            if {ep.name, key, f"{dist}:{ep.name}"} & blocked or _normalized(dist) in blocked_dists:
                self.pm.set_blocked(key)
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
            self.pm.register(plugin, name=info.key)
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
        info.unwrappers.clear()
        info.checks.clear()
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
            taken = self._infos.get(name)
            if taken is not None and taken.status != "failed":
                raise PluginError(f"a plugin named {name!r} is already registered")
            info = PluginInfo(name)
            self._infos[name] = info
            self._add(plugin, info)
            self._registry = None
            return name

    def unregister(self, name: str) -> None:
        """Remove a plugin registered with :meth:`register` (or loaded from an entry point:
        ``name``, or ``name@distribution`` where two distributions use the same name)."""
        with self._lock:
            if self.pm.get_plugin(name) is not None:
                self.pm.unregister(name=name)
            self._infos.pop(name, None)
            self._registry = None

    # -- the registry ----------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        """The registry of every loaded plugin's registrations, built on first use."""
        self._ensure_loaded()
        registry = self._registry
        if registry is None:
            with self._lock:
                if self._registry is None:
                    self._registry = self._build()
                registry = self._registry
        return registry

    def _build(self) -> Registry:
        registry = Registry()
        for info in self._infos.values():
            if info.status == "blocked":
                continue
            plugin = self.pm.get_plugin(info.key)
            if plugin is None:
                continue
            info.status, info.reason = "loaded", ""
            for kept in (info.schedules, info.backends, info.unwrappers, info.checks):
                kept.clear()
            staged = Staging(registry, info)
            try:
                for hook, method in _HOOKS:
                    self._call(plugin, hook, register=getattr(staged, method))
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
        """Every plugin seen, with its status (building the registry if needed)."""
        self.registry  # noqa: B018 - building the registry fills in each plugin's status
        return list(self._infos.values())


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
