"""``import lrsched`` imports no framework, nor numpy; using the core imports no framework."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FRAMEWORKS = ("tensorflow", "keras", "torch", "jax", "jaxlib", "optax")


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def loaded(prefixes):
    return f"sorted({{m.split('.')[0] for m in sys.modules}} & set({list(prefixes)!r}))"


def test_import_lrsched_imports_no_framework_and_no_numpy():
    out = run(f"import sys, lrsched; print({loaded((*FRAMEWORKS, 'numpy', 'pydantic_core'))})")
    assert out == "[]"


def test_using_the_core_and_numpy_backend_imports_no_framework():
    out = run(
        f"""
        import sys, numpy as np, lrsched
        spec = lrsched.ExponentialDecay(0.1, 1000, 0.96, staircase=True)
        spec(5000); lrsched.deserialize(lrsched.serialize(spec)); lrsched.backends(); lrsched.schedules()
        lrsched.render(spec, "numpy")(np.arange(10))
        print({loaded(FRAMEWORKS)})
        """
    )
    assert out == "[]"


# -- no import cycles among lrsched's modules --------------------------------------------------
# Decided: every `import` statement counts, at module level and inside functions (a function-level
# import is still a dependency, merely deferred), except those under `if TYPE_CHECKING:` (never
# run). importlib.import_module with a computed name (lrsched/__init__'s lazy names) is not an
# import statement and is not counted. A module's implicit import of its parent package is not
# an edge; an explicit `import lrsched` / `from lrsched import name` is one (to the package,
# or to the submodule `name`).
PACKAGE = Path(__file__).resolve().parents[1] / "lrsched"


def _module_names():
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _type_checking(node):
    test = node.test
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(tree):
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                stack.extend(child.orelse)
                continue
            if isinstance(child, ast.Import):
                yield from ((alias.name, None) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield from ((child.module, alias.name) for alias in child.names)
            stack.append(child)


def import_graph():
    modules = dict(_module_names())
    graph = {}
    for name, path in modules.items():
        edges = set()
        for module, imported in _imports(ast.parse(path.read_text())):
            if module.split(".")[0] != "lrsched":
                continue
            target = f"{module}.{imported}" if imported and f"{module}.{imported}" in modules else module
            if target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def find_cycle(graph):
    """A list of modules forming a cycle, or None."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    assert "lrsched.serialization" in graph["lrsched.spec"]  # `from ... import` inside a function
    assert "lrsched.plugins" in graph["lrsched.schedules"]
    assert "lrsched.lookups" in graph["lrsched.rendering"]  # `from lrsched import lookups`
    assert "lrsched.backend" not in graph["lrsched.hookspecs"]  # only under TYPE_CHECKING


def test_lrsched_modules_import_each_other_without_cycles():
    assert find_cycle(import_graph()) is None


# -- post-import hooks (entry-point group lrsched.import_hooks) -------------------------------
@pytest.fixture
def hooked(tmp_path):
    """A distribution declaring a post-import hook for a module `lrsched_fake_framework`."""
    info = tmp_path / "lrsched_fake_hooks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lrsched-fake-hooks\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[lrsched.import_hooks]\nlrsched_fake_framework = lrsched_fake_hook:fire\n"
    )
    (tmp_path / "lrsched_fake_framework.py").write_text("import sys\nDONE = True\n")
    (tmp_path / "lrsched_fake_hook.py").write_text(
        "import sys\n"
        "def fire():\n"
        "    framework = sys.modules['lrsched_fake_framework']\n"
        "    print('fired', framework.DONE, flush=True)\n"
    )
    return {"PYTHONPATH": str(tmp_path)}


def run_with(code, env):
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_a_hook_runs_once_its_framework_has_imported_and_the_finder_leaves(hooked):
    """The finder leaves once every hook has run (here lrsched-xp's own, for keras, is disabled)."""
    out = run_with(
        """
        import sys, lrsched
        print(any(getattr(f, "lrsched_import_hooks", False) for f in sys.meta_path))
        import lrsched_fake_framework
        print(any(getattr(f, "lrsched_import_hooks", False) for f in sys.meta_path))
        """,
        {**hooked, "LRSCHED_DISABLE_PLUGINS": "lrsched-xp"},
    )
    assert out == ["True", "fired", "True", "False"]


def test_a_hook_runs_at_import_lrsched_if_its_framework_came_first(hooked):
    out = run_with("import lrsched_fake_framework; print('imported'); import lrsched", hooked)
    assert out == ["imported", "fired", "True"]


def test_import_lrsched_alone_reads_no_entry_points(hooked):
    out = run_with("import sys, lrsched; print('importlib.metadata' in sys.modules)", hooked)
    assert out == ["False"]


def test_a_disabled_distribution_has_its_hooks_skipped(hooked):
    env = {**hooked, "LRSCHED_DISABLE_PLUGINS": "lrsched-fake-hooks"}
    assert run_with("import lrsched, lrsched_fake_framework; print('ok')", env) == ["ok"]


def test_a_failing_hook_warns_and_the_framework_still_imports(hooked, tmp_path):
    (tmp_path / "lrsched_fake_hook.py").write_text("def fire():\n    raise OSError('no disk')\n")
    code = "import warnings; warnings.simplefilter('always')\nimport lrsched, lrsched_fake_framework\nprint('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **hooked}
    )
    assert result.returncode == 0 and result.stdout.split() == ["ok"], result.stderr
    assert (
        "lrsched import hook 'lrsched_fake_hook:fire'" in result.stderr
        and "OSError: no disk" in result.stderr
    )
