"""Shared test fixtures and hypothesis profiles (helpers live in tests/support/oracle.py)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("LRSCHED_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def fresh_host():
    """A fresh plugin host loading the installed entry points; the global one is restored after."""
    from lrsched.plugins import isolated_host

    with isolated_host() as host:
        yield host
