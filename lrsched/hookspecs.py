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
    from lrsched.rendering import Backend

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
        cheap and a backend whose framework is missing is merely unavailable.
    """
