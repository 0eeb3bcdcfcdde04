"""Lookups in the process-wide registry, used by the rest of lrsched (and by plugins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrsched.errors import (
    ConfigError,
    LrschedError,
    UnknownBackendError,
    UnknownScheduleError,
    unknown_name_message,
)
from lrsched.host import get_host
from lrsched.registry import RegisteredCheck, Unwrapper, describe

if TYPE_CHECKING:
    from lrsched.backend import Backend
    from lrsched.spec import Schedule

__all__ = [
    "all_backends",
    "backend",
    "check_source",
    "registered_checks",
    "schedule_class",
    "schedule_name",
    "schedules",
    "unwrapper",
]


def schedules() -> dict[str, type[Schedule]]:
    """Registered names mapped to their schedule classes."""
    return dict(get_host().registry.schedules)


def schedule_class(name: object) -> type[Schedule]:
    """The schedule class registered as ``name``; :class:`lrsched.UnknownScheduleError` if none."""
    registry = get_host().registry
    try:
        return registry.schedules[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnknownScheduleError(unknown_name_message("schedule", name, registry.schedules)) from None


def schedule_name(cls: type) -> str:
    """The name ``cls`` is registered under (its first, if several)."""
    name = get_host().registry.names_by_class.get(cls)
    if name is None:
        raise LrschedError(
            f"{describe(cls)} is not a registered schedule, so it cannot be serialized by name; "
            "register it from a plugin's lrsched_register_schedules hook"
        )
    return name


def backend(name: object) -> Backend:
    """The backend registered as ``name`` (or alias); :class:`lrsched.UnknownBackendError` if none."""
    registry = get_host().registry
    try:
        return registry.backends[registry.aliases[name]]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnknownBackendError(unknown_name_message("backend", name, registry.aliases)) from None


def all_backends() -> dict[str, Backend]:
    """Every registered backend, installed or not."""
    return dict(get_host().registry.backends)


def unwrapper(module: object, registered_name: object) -> Unwrapper:
    """What reads a serialized form with this ``module`` and ``registered_name``.

    Raises:
      lrsched.ConfigError: no plugin registered one, listing the forms that are read.
    """
    registry = get_host().registry
    try:
        return registry.unwrappers[(module, registered_name)]  # type: ignore[index]
    except (KeyError, TypeError):
        pass
    known = ", ".join(
        f"module {m!r} with registered_name {r!r}" for m, r in sorted(registry.unwrappers, key=str)
    )
    what = f"module {module!r}" if module is not None else f"registered_name {registered_name!r}"
    if module is not None and registered_name is not None:
        what += f" with registered_name {registered_name!r}"
    raise ConfigError(
        f"refusing {what}: lrsched resolves schedules by registered name only, and reads other "
        f"serialized forms only where a plugin registered them ({known or 'none is'})"
    )


def registered_checks() -> dict[str, RegisteredCheck]:
    """The checks plugins registered, by id, in the order registered (:mod:`lrsched.testing`
    runs them with its own)."""
    return dict(get_host().registry.checks)


def check_source(check_id: str) -> str:
    """The plugin that registered the check ``check_id``, as error messages name it."""
    return get_host().registry.check_sources.get(check_id, "no plugin")
