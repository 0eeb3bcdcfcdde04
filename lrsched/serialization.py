"""Serialization by registered name: ``{"class_name": name, "config": {...}}``, as Keras writes.

Names resolve through lrsched's registry and nothing else: no payload can make lrsched import
a module or call anything it names.
"""

from __future__ import annotations

import json
from typing import Any

from lrsched import lookups
from lrsched.errors import ConfigError, LrschedError
from lrsched.registry import is_schedule

__all__ = ["deserialize", "serialize"]

_KEYS = {"class_name", "config", "module", "registered_name"}


def serialize(spec: Any) -> dict[str, Any]:
    """``{"class_name": <registered name>, "config": spec.get_config()}``, JSON-safe.

    Example:
      >>> import lrsched
      >>> lrsched.serialize(lrsched.ExponentialDecay(0.1, 1000, 0.96))["class_name"]
      'ExponentialDecay'
    """
    if not is_schedule(spec):
        raise LrschedError(f"serialize takes an lrsched.Schedule; received {type(spec).__name__}")
    return {"class_name": lookups.schedule_name(type(spec)), "config": spec.get_config()}


def deserialize(obj: dict[str, Any] | str | bytes) -> Any:
    """The schedule a serialized config describes.

    Args:
      obj: what :func:`serialize` returns, as a dict or a JSON string; or a framework's
        serialized form (with ``"module"`` and ``"registered_name"``, as Keras writes) that a
        plugin reads through the ``lrsched_register_unwrappers`` hook: the TensorFlow plugin
        reads Keras's built-in schedules and a rendered lrsched schedule saved by Keras.

    Raises:
      lrsched.LrschedError: on anything else, naming what is wrong.

    Example:
      >>> import lrsched
      >>> spec = lrsched.ExponentialDecay(0.1, 1000, 0.96)
      >>> lrsched.deserialize(lrsched.serialize(spec)) == spec
      True
    """
    if isinstance(obj, (str, bytes, bytearray)):
        try:
            obj = json.loads(obj)
        except ValueError as exc:
            raise ConfigError(f"not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ConfigError(
            f'a serialized schedule is a dict {{"class_name": ..., "config": {{...}}}}; '
            f"received {type(obj).__name__}"
        )
    extra = set(obj) - _KEYS
    if extra:
        raise ConfigError(
            f"unexpected keys in a serialized schedule: {sorted(extra)}; allowed: {sorted(_KEYS)}"
        )
    if "class_name" not in obj or "config" not in obj:
        missing = sorted({"class_name", "config"} - set(obj))
        raise ConfigError(f"a serialized schedule needs the keys {missing}")
    name, config = obj["class_name"], obj["config"]
    module, registered_name = obj.get("module"), obj.get("registered_name")
    if module is not None or registered_name is not None:  # a framework's form, read by a plugin
        unwrapped = lookups.unwrapper(module, registered_name)(obj)
        if not isinstance(unwrapped, dict) or {"module", "registered_name"} & set(unwrapped):
            raise ConfigError(
                f"the reader of module {module!r} with registered_name {registered_name!r} returned "
                f"{unwrapped!r}, not lrsched's own form {{'class_name': ..., 'config': {{...}}}}"
            )
        return deserialize(unwrapped)
    if not isinstance(name, str):
        raise ConfigError(f"class_name must be a string; received {name!r}")
    cls = lookups.schedule_class(name)
    if not isinstance(config, dict):
        raise ConfigError(f"config of {name!r} must be a dict; received {type(config).__name__}")
    return cls.from_config(config)
