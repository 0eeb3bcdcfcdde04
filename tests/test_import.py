"""``import lrsched`` imports no framework, nor numpy; using the core imports no framework."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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
