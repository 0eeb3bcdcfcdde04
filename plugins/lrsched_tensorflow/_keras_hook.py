"""Registers lrsched's Keras class with Keras once keras is imported, in a process using lrsched.

Keras resolves ``"registered_name": "lrsched>Schedule"`` in a saved model only through its
registry of custom objects, filled by ``register_keras_serializable`` when the class's module
runs; it imports a config's ``module`` only for its own packages (``keras``, ``keras_hub``, ...).
So :func:`register` is this plugin's post-import hook for ``keras`` (entry-point group
``lrsched.import_hooks``, see :mod:`lrsched._import_hooks`): ``import lrsched`` runs it if keras
is already imported, or right after keras is imported later. A process that never imports
lrsched is not touched, and ``import lrsched`` alone still imports no framework.

``LRSCHED_DISABLE_PLUGINS=tensorflow`` (the plugin's entry-point name) switches it off.
"""

from __future__ import annotations

import importlib
import os
import sys

__all__ = ["MODULE", "register"]

MODULE = "lrsched_tensorflow.keras_schedule"
PLUGIN = "tensorflow"  # the entry-point name LRSCHED_DISABLE_PLUGINS may list


def register() -> None:
    """Import the module that registers ``"lrsched>Schedule"`` with Keras (once)."""
    blocked = {part.strip() for part in os.environ.get("LRSCHED_DISABLE_PLUGINS", "").split(",")}
    if MODULE in sys.modules or PLUGIN in blocked:
        return
    importlib.import_module(MODULE)
