"""Two installed distributions whose entry points have the same name: both load, each reported
with its own distribution (an entry point is identified by distribution and name)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys

import pytest

import lrsched

try:
    for fixture in ("a", "b"):
        importlib.metadata.distribution(f"lrsched-fixture-same-name-{fixture}")
except importlib.metadata.PackageNotFoundError as missing:
    pytest.skip(
        f"needs the fixture distributions installed (tox -e plugins): {missing}", allow_module_level=True
    )

pytestmark = pytest.mark.filterwarnings("ignore::lrsched.plugins.LrschedPluginWarning")  # the broken fixtures


def test_both_distributions_schedules_are_registered(fresh_host):
    names = lrsched.schedules()
    assert names["SameNameA"].__module__ == "lrsched_fixture_same_name_a"
    assert names["SameNameB"].__module__ == "lrsched_fixture_same_name_b"
    infos = [info for info in fresh_host.infos() if info.name == "fixture-same-name"]
    assert sorted((info.distribution, info.status, tuple(info.schedules)) for info in infos) == [
        ("lrsched-fixture-same-name-a", "loaded", ("SameNameA",)),
        ("lrsched-fixture-same-name-b", "loaded", ("SameNameB",)),
    ]
    assert len({info.key for info in infos}) == 2
    assert lrsched.deserialize({"class_name": "SameNameB", "config": {"lr": 0.5}})(10) == 0.5


def test_one_of_them_can_be_disabled_by_distribution(monkeypatch):
    monkeypatch.setenv("LRSCHED_DISABLE_PLUGINS", "lrsched-fixture-same-name-a")
    with lrsched.plugins.isolated_host() as host:
        assert "SameNameB" in host.registry.schedules and "SameNameA" not in host.registry.schedules


def test_lrsched_plugins_lists_both():
    result = subprocess.run(
        [sys.executable, "-m", "lrsched.cli", "plugins"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("fixture-same-name ")]
    assert len(lines) == 2
    assert any("lrsched-fixture-same-name-a" in line and "SameNameA" in line for line in lines)
    assert any("lrsched-fixture-same-name-b" in line and "SameNameB" in line for line in lines)
