"""Every example runs: every code block in README.md and docs/*.md, and every docstring example.

A page runs in a fresh interpreter, blocks in order (see tests/support/run_page.py). A page may
say ``<!-- requires: module ... -->`` (skipped where a module is missing) or ``<!-- requires-env:
VAR -->`` (run where VAR is set: the plugin tutorial installs a package, so only tox -e plugins
runs it). A block preceded by ``<!-- skip: reason -->`` is not run; the reasons are listed below.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lrsched

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCK = re.compile(
    r"(?:<!--\s*skip:\s*(?P<skip>[^>]*?)\s*-->\s*\n)?^```(?P<info>[^\n]*)\n(?P<body>.*?)^```", re.S | re.M
)
REQUIRES = re.compile(r"<!--\s*requires:\s*([\w.,\s]+?)\s*-->")
REQUIRES_ENV = re.compile(r"<!--\s*requires-env:\s*(\w+)\s*-->")
RUNNER = Path(__file__).parent / "support" / "run_page.py"
# Blocks that are not run, and why; a new skip must be added here on purpose.
ALLOWED_SKIPS = {
    "README.md": {"the set-up command: tests/plugins/test_readme.py runs it in a copy of the repository"},
}


def blocks(page):
    """The page's code blocks; MyST directives (```{toctree} and the like) are markup, not code."""
    found = [m for m in BLOCK.finditer(page.read_text()) if not m["info"].startswith("{")]
    return [
        {"where": f"{page.name} block {n}", "lang": m["info"].strip(), "body": m["body"], "skip": m["skip"]}
        for n, m in enumerate(found, 1)
    ]


def test_pages_have_runnable_examples_and_only_known_skips():
    skips = {page.name: {b["skip"] for b in blocks(page) if b["skip"]} for page in PAGES}
    assert {name: reasons for name, reasons in skips.items() if reasons} == ALLOWED_SKIPS
    assert sum(1 for page in PAGES for b in blocks(page) if b["lang"] == "python") >= 10


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_examples_run(page, tmp_path):
    text = page.read_text()
    required = REQUIRES.search(text)
    for module in required.group(1).replace(",", " ").split() if required else []:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{page.name} needs {module}")
    variable = REQUIRES_ENV.search(text)
    if variable and not os.environ.get(variable.group(1)):
        pytest.skip(f"{page.name} runs where {variable.group(1)} is set (tox -e plugins)")
    runnable = [b for b in blocks(page) if not b["skip"]]
    (tmp_path / "blocks.json").write_text(json.dumps(runnable))
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(tmp_path / "blocks.json")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-6000:]


def _modules():
    packages = [lrsched]
    for backend in lrsched.plugins.all_backends().values():
        package = backend.render.__module__.split(".")[0]
        if backend.available() and package not in {p.__name__ for p in packages}:
            packages.append(importlib.import_module(package))
    for package in packages:
        yield package.__name__
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield info.name


@pytest.mark.parametrize("module", sorted(set(_modules())))
def test_docstring_examples_run(module):
    with np.errstate(over="ignore", under="ignore"):
        result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
