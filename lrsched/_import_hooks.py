"""Post-import hooks: a plugin's function that runs once a framework has been imported.

A plugin declares one in the entry-point group ``lrsched.import_hooks``; the entry point's
name is the framework's top-level module, its value the function (called with no argument)::

    [project.entry-points."lrsched.import_hooks"]
    keras = "lrsched_tensorflow._keras_hook:register"

``import lrsched`` calls :func:`install`, which runs each hook whose framework is already
imported, and puts a finder first on ``sys.meta_path`` that runs the others right after their
framework's module has executed; the finder removes itself once every hook has run. The TensorFlow
plugin uses one to register its Keras class, so that ``keras.models.load_model`` finds it.

Cheap by construction: this module imports only the standard library, and the entry points
are read (with :mod:`importlib.metadata`) at most once per process, and only when a module
outside the standard library is imported after lrsched, or was imported before it. A plain
``import lrsched`` reads nothing. A distribution named in ``LRSCHED_DISABLE_PLUGINS`` has its
hooks skipped.
"""

from __future__ import annotations

import _thread
import os
import sys
from typing import Any

__all__ = ["GROUP", "install", "uninstall"]

GROUP = "lrsched.import_hooks"
_STDLIB = frozenset(sys.stdlib_module_names)
_lock = _thread.RLock()
_pending: dict[str, list[Any]] | None = None  # framework -> its entry points; None: not read yet


def _third_party(name: str) -> bool:
    return not (name in _STDLIB or name.startswith("_") or name == "lrsched" or "." in name)


def _read() -> dict[str, list[Any]]:
    """The hooks of the group, by framework, read once (the finder is off while it reads)."""
    global _pending
    with _lock:
        if _pending is None:
            _pending = {}  # set first: the imports importlib.metadata makes find nothing to do
            import importlib.metadata

            blocked = {
                part.strip().lower().replace("_", "-")
                for part in os.environ.get("LRSCHED_DISABLE_PLUGINS", "").split(",")
            }
            for ep in importlib.metadata.entry_points(group=GROUP):
                dist = getattr(getattr(ep, "dist", None), "name", "") or ""
                if dist.lower().replace("_", "-") not in blocked:
                    _pending.setdefault(ep.name, []).append(ep)
        return _pending


def _run(framework: str) -> None:
    """Run ``framework``'s hooks (once); a failing hook warns and never breaks the import."""
    with _lock:
        hooks = (_pending or {}).pop(framework, [])
        if not _pending:
            uninstall()
    for ep in hooks:
        try:
            ep.load()()
        except Exception as exc:  # noqa: BLE001 - the framework's import must go on
            import warnings

            warnings.warn(
                f"lrsched import hook {ep.value!r} (for {framework!r}, from "
                f"{getattr(getattr(ep, 'dist', None), 'name', '?')}) failed: {type(exc).__name__}: {exc}",
                RuntimeWarning,
                stacklevel=2,
            )


class _Loader:
    """Runs the framework's own loader, then its hooks."""

    def __init__(self, loader: Any, framework: str) -> None:
        self._loader, self._framework = loader, framework

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        module.__loader__ = self._loader  # the framework sees its real loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        _run(self._framework)


class _Finder:
    """Finds nothing itself: wraps the loader of a framework that has hooks."""

    lrsched_import_hooks = True
    _busy = False

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        # No hooks at all: this stays a no-op, never removed here (the import system is
        # iterating sys.meta_path now); _run removes it, from inside a module's execution.
        if self._busy or not _third_party(fullname) or fullname not in _read():
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
        spec.loader = _Loader(spec.loader, fullname)
        return spec


def install() -> None:
    """Run the hooks of frameworks already imported; watch for the others (see the module doc)."""
    if any(_third_party(name) for name in list(sys.modules)):
        for framework in [f for f in _read() if f in sys.modules]:
            _run(framework)
        if not _pending:
            return
    if not any(getattr(finder, "lrsched_import_hooks", False) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def uninstall() -> None:
    """Take the finder off ``sys.meta_path`` (hooks not yet run will not run)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "lrsched_import_hooks", False)]
