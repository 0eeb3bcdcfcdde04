"""Build hook (everything else is in pyproject.toml): ship the TensorFlow backend's Keras import hook.

Keras finds a saved model's custom classes only in its registry, filled when their module runs,
so the wheel installs two extra top-level files into site-packages (see
plugins/lrsched_tensorflow/_keras_hook.py): ``_lrsched_tensorflow_hook.py`` and
``lrsched_tensorflow-keras.pth``, whose one line installs the hook at interpreter start.
The hook imports only the standard library until ``keras`` itself is imported.
"""

from __future__ import annotations

import os
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py

HOOK_SOURCE = os.path.join("plugins", "lrsched_tensorflow", "_keras_hook.py")
HOOK_MODULE = "_lrsched_tensorflow_hook"
PTH_NAME = "lrsched_tensorflow-keras.pth"
PTH_LINE = f"import {HOOK_MODULE}; {HOOK_MODULE}.install()\n"


def _extra_files() -> dict[str, bytes]:
    with open(HOOK_SOURCE, "rb") as source:
        return {f"{HOOK_MODULE}.py": source.read(), PTH_NAME: PTH_LINE.encode()}


class BuildPyWithHook(build_py):
    """build_py, plus the hook module and its .pth at the top of build_lib (so of the wheel)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # editable wheels get them from EditableWheelWithHook
        for name, content in _extra_files().items():
            with open(os.path.join(self.build_lib, name), "wb") as target:
                target.write(content)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        extra = (
            []
            if getattr(self, "editable_mode", False)
            else [os.path.join(self.build_lib, n) for n in _extra_files()]
        )
        return [*super().get_outputs(include_bytecode), *extra]


cmdclass: dict[str, Any] = {"build_py": BuildPyWithHook}

try:  # editable installs (pip install -e): add the two files to the editable wheel too
    from setuptools.command.editable_wheel import editable_wheel

    class _StrategyWithHook:
        def __init__(self, strategy: Any) -> None:
            self._strategy = strategy

        def __call__(self, wheel: Any, files: list[str], mapping: Any) -> Any:
            result = self._strategy(wheel, files, mapping)
            for name, content in _extra_files().items():
                wheel.writestr(name, content)
            return result

        def __enter__(self) -> Any:
            self._strategy.__enter__()
            return self

        def __exit__(self, *exc: object) -> Any:
            return self._strategy.__exit__(*exc)

    class EditableWheelWithHook(editable_wheel):
        def _select_strategy(self, *args: Any, **kwargs: Any) -> Any:
            return _StrategyWithHook(super()._select_strategy(*args, **kwargs))

    if hasattr(editable_wheel, "_select_strategy"):
        cmdclass["editable_wheel"] = EditableWheelWithHook
except ImportError:  # pragma: no cover - old setuptools: editable installs lack the hook
    pass

setup(cmdclass=cmdclass)
