"""A meta-test over the plugin manager's hooks: each is documented, and each is exercised."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import lrsched
from lrsched import hookspecs
from lrsched.plugins import PluginHost

HOOKS = sorted(
    name for name in PluginHost(entry_points=False).pm.hook.__dict__ if name.startswith("lrsched_")
)
TUTORIAL = (Path(__file__).resolve().parents[1] / "docs" / "writing-a-plugin.md").read_text()


def test_there_are_hooks():
    assert HOOKS == [
        "lrsched_register_backends",
        "lrsched_register_checks",
        "lrsched_register_schedules",
        "lrsched_register_unwrappers",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_each_hook_is_documented(hook):
    spec = getattr(hookspecs, hook)
    doc = inspect.getdoc(spec) or ""
    assert doc.splitlines()[0].endswith(".")
    for parameter in inspect.signature(spec).parameters:
        assert f":param {parameter}:" in doc
    assert f"`{hook}`" in TUTORIAL  # the plugin tutorial explains it


@pytest.mark.parametrize("hook", HOOKS)
def test_each_hook_is_exercised(hook):
    calls = {}

    class Everything:
        @lrsched.hookimpl
        def lrsched_register_schedules(self, register):
            calls["lrsched_register_schedules"] = register

        @lrsched.hookimpl
        def lrsched_register_backends(self, register):
            calls["lrsched_register_backends"] = register

        @lrsched.hookimpl
        def lrsched_register_unwrappers(self, register):
            calls["lrsched_register_unwrappers"] = register

        @lrsched.hookimpl
        def lrsched_register_checks(self, register):
            calls["lrsched_register_checks"] = register

    assert {name for name in dir(Everything) if name.startswith("lrsched_")} == set(HOOKS)
    host = PluginHost(entry_points=False)
    host.register(Everything(), name="everything")
    host.registry  # noqa: B018 - building the registry calls every hook
    assert callable(calls[hook])
