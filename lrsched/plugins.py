"""The plugin API in one place: discovery (:mod:`lrsched.host`), the registry
(:mod:`lrsched.registry`) and lookups (:mod:`lrsched.lookups`).

This module only re-exports; lrsched's own modules import the three above directly. See
:mod:`lrsched.host` for how plugins are found and the environment variables that control it.
"""

from __future__ import annotations

from lrsched.host import (
    ENTRY_POINT_GROUP,
    OWN_DISTRIBUTION,
    LrschedPluginWarning,
    PluginHost,
    get_host,
    isolated_host,
    register,
    report,
    unregister,
)
from lrsched.lookups import (
    all_backends,
    backend,
    check_source,
    registered_checks,
    schedule_class,
    schedule_name,
    schedules,
    unwrapper,
)
from lrsched.registry import PluginInfo, RegisteredCheck, Registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "OWN_DISTRIBUTION",
    "LrschedPluginWarning",
    "PluginHost",
    "PluginInfo",
    "RegisteredCheck",
    "Registry",
    "all_backends",
    "backend",
    "check_source",
    "get_host",
    "isolated_host",
    "register",
    "registered_checks",
    "report",
    "schedule_class",
    "schedule_name",
    "schedules",
    "unregister",
    "unwrapper",
]
