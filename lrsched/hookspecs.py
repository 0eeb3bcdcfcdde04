"""The hooks a plugin implements, and the markers to declare them.

A plugin is a module (or object) registered under the entry-point group ``lrsched``::

    [project.entry-points.lrsched]
    my_schedules = "my_package.lrsched_plugin"

and implements any of the hooks below with :data:`hookimpl`. An implementation may take
a subset of a hook's arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from lrsched.backend import Backend

hookspec = pluggy.HookspecMarker("lrsched")
hookimpl = pluggy.HookimplMarker("lrsched")


@hookspec
def lrsched_register_schedules(register: Callable[..., Any]) -> None:
    """Register schedule classes.

    :param register: ``register(cls, name=None)``: ``cls`` is a subclass of
        :class:`lrsched.Schedule`; ``name`` defaults to the class name. Serialized configs
        name the schedule by this registered name. Registering a name that is already taken
        by a different class raises :class:`lrsched.DuplicateNameError`.
    """


@hookspec
def lrsched_register_backends(register: Callable[[Backend], Any]) -> None:
    """Register rendering backends.

    :param register: ``register(backend)``: ``backend`` is an :class:`lrsched.Backend`.
        Its ``render`` must import its framework lazily, so that loading the plugin stays
        cheap and a backend whose framework is missing is merely unavailable: give it as a
        ``"module:function"`` string, imported on the first render.
    """


@hookspec
def lrsched_register_unwrappers(register: Callable[[str, str | None, Callable[..., Any]], Any]) -> None:
    """Register readers of a framework's serialized form that holds an lrsched schedule.

    :param register: ``register(module, registered_name, unwrap)``: a payload given to
        :func:`lrsched.deserialize` whose ``"module"`` and ``"registered_name"`` equal these
        (``registered_name`` ``None`` for a framework's built-ins, as Keras writes them) is
        passed to ``unwrap(payload)``, which returns lrsched's own form
        ``{"class_name": ..., "config": {...}}`` (or raises :class:`lrsched.ConfigError`).
        Both are compared as strings: reading a payload imports nothing it names, and
        ``unwrap`` must import no framework either. A payload with any other ``module`` or
        ``registered_name`` is refused. Registering the same pair twice raises
        :class:`lrsched.DuplicateNameError`.
    """


@hookspec
def lrsched_register_checks(register: Callable[..., Any]) -> None:
    """Register conformance checks, which :mod:`lrsched.testing` runs on every schedule.

    :param register: ``register(name, check, *, variant=None, backend=None, requires=())``:
        ``check(spec)`` returns when ``spec`` passes and raises
        :class:`lrsched.testing.ConformanceError` saying why not. Give it as a
        ``"module:function"`` string, imported when the check first runs, so that loading the
        plugin imports no framework (:mod:`lrsched.testing.support` holds the kit's helpers).
        The check's id is ``name[variant]``, or ``name`` without a variant (``kth_update[torch]``,
        ``torch_compile``); ``name`` is an identifier, ``variant`` letters, digits, ``_``, ``.``
        and ``-``. The check is skipped where ``backend`` is not available or a module in
        ``requires`` cannot be imported. A check whose id is one of the kit's generic checks of
        a backend (``values[b]``, ``boundaries[b]``, ``step_policy[b]`` for a registered backend
        ``b``) replaces it; any other id already taken raises :class:`lrsched.DuplicateNameError`.
    """
