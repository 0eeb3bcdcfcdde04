"""The plugin: registered through the entry point, alias, lazy framework import, evaluate."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lrsched


def test_registered_with_alias_and_extra():
    assert "torch" in lrsched.backends()
    backend = lrsched.plugins.backend("pytorch")
    assert backend.name == "torch" and backend.extra == "torch" and backend.requires == ("torch",)


def test_loading_the_plugin_imports_no_framework():
    code = (
        "import sys, lrsched, lrsched_torch; lrsched.backends(); "
        "sys.exit(sorted(m for m in ('torch', 'numpy', 'array_api_compat') if m in sys.modules) != [])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_evaluate_is_the_schedulers_lr(spec):
    steps = [0, 1, 999, 1000, 10**6]
    got = lrsched.evaluate(spec, steps, "torch")
    assert all(type(v) is float for v in got)
    assert got == pytest.approx([spec(k) for k in steps], rel=1e-12)
    with pytest.raises(lrsched.StepError, match="steps must be ints >= 0; received -1"):
        lrsched.evaluate(spec, [-1], "torch")


def test_public_names():
    import lrsched_torch

    assert lrsched_torch.ScheduleLR.__module__ == "lrsched_torch._scheduler"
    assert lrsched_torch.TensorSchedule.__module__ == "lrsched_torch._tensor"
    with pytest.raises(AttributeError):
        lrsched_torch.Missing  # noqa: B018
