"""Registers lrsched's Keras class with Keras as soon as ``keras`` is imported.

Keras resolves ``"registered_name": "lrsched>Schedule"`` in a saved model only through its
registry of custom objects, filled by ``register_keras_serializable`` when the class's module
runs; it imports a config's ``module`` only for its own packages (``keras``, ``keras_hub``, ...).
So a process that imports keras (and maybe lrsched) but not ``lrsched_tensorflow`` could not
load a model holding a rendered schedule without ``custom_objects``.

This module closes that gap. It is installed as ``_lrsched_tensorflow_hook`` next to a
``lrsched_tensorflow-keras.pth`` file in site-packages, which imports it at interpreter start.
It imports nothing but the standard library: it puts a finder on ``sys.meta_path`` that
watches for the top-level ``keras`` package only, and when keras has finished importing,
imports ``lrsched_tensorflow.keras_schedule`` (which registers the class). ``import lrsched``
alone still imports no framework, and nothing happens in a process that never imports keras.

Set ``LRSCHED_DISABLE_PLUGINS=tensorflow`` to switch it off.
"""

from __future__ import annotations

import os
import sys

# Only os and sys at module level (both already imported at interpreter start): this module is
# imported by a .pth line in every interpreter of the environment, so it must cost ~nothing.

__all__ = ["install", "register"]

TRIGGER = "keras"
MODULE = "lrsched_tensorflow.keras_schedule"
PLUGIN = "tensorflow"  # the entry-point name LRSCHED_DISABLE_PLUGINS may list


def _disabled() -> bool:
    blocked = {part.strip() for part in os.environ.get("LRSCHED_DISABLE_PLUGINS", "").split(",")}
    return PLUGIN in blocked


def register() -> None:
    """Import the module that registers ``"lrsched>Schedule"`` with Keras (once; never raises)."""
    if MODULE in sys.modules or _disabled():
        return
    import importlib
    import warnings

    try:
        importlib.import_module(MODULE)
    except Exception as exc:  # noqa: BLE001 - never break `import keras` over lrsched
        warnings.warn(
            f"lrsched could not register its Keras schedule class ({MODULE}): "
            f"{type(exc).__name__}: {exc}; models saved with a rendered lrsched schedule "
            "will not load in this process",
            RuntimeWarning,
            stacklevel=2,
        )


class _Loader:
    """Runs keras's own loader, then :func:`register`."""

    def __init__(self, loader: object) -> None:
        self._loader = loader

    def create_module(self, spec: object) -> object:
        return self._loader.create_module(spec)

    def exec_module(self, module: object) -> None:
        module.__loader__ = self._loader  # keras sees its real loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        register()


class _Finder:
    """Finds nothing itself: wraps the loader of the top-level ``keras`` package."""

    lrsched_keras_hook = True  # marks it across the two copies (installed top-level, and in the package)
    _busy = False

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if fullname != TRIGGER or self._busy:
            return None
        self._busy = True
        try:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
        finally:
            self._busy = False
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once); register now if keras is already imported."""
    if _disabled():
        return
    if TRIGGER in sys.modules:
        register()
        return
    if not any(getattr(finder, "lrsched_keras_hook", False) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
