"""The README's set-up command, run as written in a fresh copy of the repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not os.environ.get("LRSCHED_INSTALL_TESTS"), reason="installs packages: tox -e plugins runs it"
)


def test_the_readme_setup_command_works_on_a_fresh_checkout(tmp_path):
    block = re.search(
        r"<!-- skip: the set-up command[^>]*-->\s*\n```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S
    )
    setup, tests = block.group(1).strip().splitlines()
    assert tests == "pip install tox && tox"  # the test command, which is what .ci/run runs
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    checkout = tmp_path / "lrsched"
    for name in files:
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", setup], cwd=checkout, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert '"class_name": "ExponentialDecay"' in result.stdout
    assert "100000" in result.stdout and "200000" in result.stdout  # the stair boundaries
    header = next(
        line.split() for line in result.stdout.splitlines() if line.split()[:2] == ["step", "exact"]
    )
    assert "numpy" in header  # --backend all: at least the numpy column
