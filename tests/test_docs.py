"""Every example runs: README and docs/*.md code blocks, and every docstring example in the code."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import lrsched

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
REQUIRES = re.compile(r"<!--\s*requires:\s*([\w.,\s]+?)\s*-->")


def test_there_are_pages_with_examples():
    assert any(BLOCK.search(page.read_text()) for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_examples_run(page, tmp_path, monkeypatch):
    text = page.read_text()
    required = REQUIRES.search(text)
    for module in required.group(1).replace(",", " ").split() if required else []:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{page.name} needs {module}")
    monkeypatch.chdir(tmp_path)  # examples may write files
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(BLOCK.findall(text), 1):
        try:
            exec(compile(block, f"{page.name} block {number}", "exec", dont_inherit=True), namespace)
        except Exception as exc:
            raise AssertionError(f"{page.name}, python block {number} failed:\n{block}") from exc


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
    with np.errstate(over="ignore", under="ignore"), np.printoptions(legacy=False):
        result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
