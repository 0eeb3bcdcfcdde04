"""Failure isolation with real installed distributions: each broken plugin is reported by name
with its reason, the others keep working, strict mode makes failures fatal, and a built-in name
is never shadowed."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys

import pytest

import lrsched
from lrsched.plugins import LrschedPluginWarning

try:
    for fixture in ("broken-import", "broken-hook", "duplicate", "invalid"):
        importlib.metadata.distribution(f"lrsched-fixture-{fixture}")
except importlib.metadata.PackageNotFoundError as missing:
    pytest.skip(
        f"needs the fixture distributions installed (tox -e plugins): {missing}", allow_module_level=True
    )

REASONS = {
    "fixture-broken-import": "missing dependency frobnicate",
    "fixture-broken-hook": "the hook of this plugin is broken",
    "fixture-duplicate": "'ExponentialDecay' is already registered by plugin 'schedules' (lrsched-xp",
    "fixture-invalid": "register() takes a subclass of lrsched.Schedule",
}


def run(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "lrsched.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_each_failure_is_a_warning_naming_plugin_and_reason(fresh_host):
    with pytest.warns(LrschedPluginWarning) as record:
        schedules = lrsched.schedules()
    messages = [str(w.message) for w in record]
    for plugin, reason in REASONS.items():
        assert any(f"plugin {plugin!r} (lrsched-fixture-" in m and reason in m for m in messages), plugin
    assert schedules["ExponentialDecay"] is lrsched.ExponentialDecay  # never shadowed
    assert "numpy" in lrsched.backends()


def test_lrsched_plugins_reports_them(fresh_host):
    result = run("plugins")
    assert result.returncode == 0
    for plugin, reason in REASONS.items():
        line = next(line for line in result.stdout.splitlines() if line.startswith(plugin))
        assert "failed" in line
        assert "lrsched-fixture-" in line
        assert reason in result.stdout
    assert any(line.split()[:2] == ["schedules", "loaded"] for line in result.stdout.splitlines())


def test_the_rest_keep_working():
    result = run(
        "show",
        "ExponentialDecay",
        "--initial-learning-rate",
        "0.1",
        "--decay-steps",
        "10",
        "--decay-rate",
        "0.5",
        "--backend",
        "all",
        "--steps",
        "0,10",
    )
    assert result.returncode == 0
    assert "0.05" in result.stdout
    assert "failed and was skipped" in result.stderr  # the warnings still say what happened


def test_strict_mode_makes_any_failure_fatal():
    result = run("list", LRSCHED_STRICT_PLUGINS="1")
    assert result.returncode == 2
    assert "LRSCHED_STRICT_PLUGINS" in result.stderr


def test_disabled_plugins_are_not_loaded():
    blocked = ",".join(REASONS)
    result = run("plugins", LRSCHED_DISABLE_PLUGINS=blocked, LRSCHED_STRICT_PLUGINS="1")
    assert result.returncode == 0, result.stderr
    for plugin in REASONS:
        assert "blocked" in next(line for line in result.stdout.splitlines() if line.startswith(plugin))
    by_distribution = run(
        "list",
        LRSCHED_DISABLE_PLUGINS="lrsched-fixture-broken-import,lrsched-fixture-broken-hook,lrsched-fixture-duplicate,lrsched-fixture-invalid",
        LRSCHED_STRICT_PLUGINS="1",
    )
    assert by_distribution.returncode == 0, by_distribution.stderr
