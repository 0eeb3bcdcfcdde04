"""Shared fixtures and hypothesis profiles (helpers live in tests/support/)."""

from __future__ import annotations

import os

import pytest
from examples import ComposePlugin
from hypothesis import HealthCheck, Phase, settings

# ci: deterministic (the same examples every run, so CI is reproducible) and no shrinking (a
# failure is reported at once with the example that found it, not after minutes of shrinking);
# fuzz explores at random and shrinks what it finds.
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("LRSCHED_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def fresh_host():
    """A fresh plugin host loading the installed entry points; the global one is restored after."""
    from lrsched.plugins import isolated_host

    with isolated_host() as host:
        yield host


@pytest.fixture
def composite(fresh_host):
    """A fresh host with the composite ``Scaled`` schedule (tests/support/examples.py) registered."""
    fresh_host.register(ComposePlugin(), name="compose")
    return fresh_host
