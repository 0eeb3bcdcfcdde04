import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("keras")

import os

import subprocesses

# Keras's TensorFlow backend is what this directory tests in-process; the other Keras backends
# run in subprocesses (Keras picks its backend once, at import).
if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
    pytest.skip("tests/tensorflow runs with KERAS_BACKEND=tensorflow", allow_module_level=True)


# Keras's model.save calls np.array(tf_variable, copy=False); TF's __array__ lacks the copy
# keyword, which numpy >= 2 reports as a DeprecationWarning (native schedules too): not ours.
SAVE_WARNING = "__array__ implementation doesn't accept a copy keyword"


def run_python(code: str, *, env: dict[str, str] | None = None, timeout: float = 240) -> str:
    """Run ``code`` in a fresh interpreter of this environment; return its stdout, fail on error."""
    quiet = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": f"error,ignore:{SAVE_WARNING}:DeprecationWarning"}
    return subprocesses.run_python(code, env={**quiet, **(env or {})}, timeout=timeout)


@pytest.fixture(scope="session")
def python():
    return run_python
