"""Running test code in a fresh interpreter of this environment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SUPPORT = os.path.dirname(os.path.abspath(__file__))


def run_python(code: str, *, env: dict[str, str] | None = None, timeout: float = 240) -> str:
    """Run ``code`` (dedented) in a fresh interpreter; return its stdout, fail with its output.

    The child sees this environment plus ``env``, with warnings as errors unless ``env`` says
    otherwise, and tests/support on its path (for the oracle).
    """
    environment = {**os.environ, "PYTHONWARNINGS": "error", **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [SUPPORT, environment.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"subprocess failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-4000:]}")
    return result.stdout
