"""Every error lrsched raises on bad input is an :class:`LrschedError`.

The subclasses also derive from the builtin exception a Python user would reach for
(``ValueError``, ``LookupError``, ``ImportError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "BackendUnavailableError",
    "ConfigError",
    "DuplicateNameError",
    "LrschedError",
    "NotClosedFormError",
    "PluginError",
    "StepError",
    "UnknownBackendError",
    "UnknownScheduleError",
    "UnsupportedFunctionError",
]


class LrschedError(Exception):
    """Base class of every error lrsched raises on bad input."""


class ConfigError(LrschedError, ValueError):
    """A schedule's arguments or a serialized config are invalid."""


class NotClosedFormError(ConfigError):
    """A framework's schedule that is not a closed form of the step (it follows a metric, or
    calls arbitrary code), so no spec can equal it; the message says what to use instead."""


class StepError(LrschedError, ValueError):
    """A step is not a non-negative integer (or an array of integers)."""


class UnknownScheduleError(LrschedError, LookupError):
    """No schedule is registered under the requested name."""


class UnsupportedFunctionError(LrschedError, AttributeError):
    """A schedule called a function that the namespace it was given does not provide.

    Also an ``AttributeError``, so ``getattr(xp, name, default)`` keeps working."""


class UnknownBackendError(LrschedError, LookupError):
    """No backend is registered under the requested name."""


class BackendUnavailableError(LrschedError, ImportError):
    """The backend is registered but its framework is not installed."""


class PluginError(LrschedError):
    """A plugin failed to load or registered something invalid."""


class DuplicateNameError(PluginError):
    """Two different objects were registered under one name."""


def unknown_name_message(kind: str, name: object, available: Iterable[str]) -> str:
    """``unknown schedule 'Foo'; did you mean 'Foo2'? available: A, B``."""
    names = sorted(available)
    message = f"unknown {kind} {name!r}"
    if isinstance(name, str):
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        if not close:
            lowered = {n.lower(): n for n in names}
            close = [lowered[name.lower()]] if name.lower() in lowered else []
        if close:
            message += f"; did you mean {close[0]!r}?"
    return message + f" (available: {', '.join(names) if names else 'none'})"
