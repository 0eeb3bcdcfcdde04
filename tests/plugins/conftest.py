"""These tests need the broken fixture distributions installed (tox -e plugins does that)."""

import importlib.metadata

import pytest

FIXTURES = ["broken-import", "broken-hook", "duplicate", "invalid"]

try:
    for name in FIXTURES:
        importlib.metadata.distribution(f"lrsched-fixture-{name}")
except importlib.metadata.PackageNotFoundError as missing:
    pytest.skip(f"needs the fixture distributions (tox -e plugins): {missing}", allow_module_level=True)
