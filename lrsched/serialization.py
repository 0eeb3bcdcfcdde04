"""Serialization by registered name: ``{"class_name": name, "config": {...}}``, as Keras writes.

Names resolve through lrsched's registry and nothing else: no payload can make lrsched import
a module or call anything it names.
"""

from __future__ import annotations

import json
from typing import Any

from lrsched import plugins
from lrsched.errors import ConfigError, LrschedError

__all__ = ["deserialize", "serialize"]

#: What Keras writes as ``module`` for its built-in schedules.
KERAS_SCHEDULES_MODULE = "keras.optimizers.schedules"
#: The Keras registered name of a schedule rendered by the TensorFlow backend, and the module
#: Keras writes for it. Its config holds the lrsched form under "schedule". These are strings:
#: reading them imports nothing.
KERAS_REGISTERED_NAME = "lrsched>Schedule"
KERAS_RENDERED_MODULE = "lrsched_tensorflow.keras_schedule"
_KEYS = {"class_name", "config", "module", "registered_name"}


def serialize(spec: Any) -> dict[str, Any]:
    """``{"class_name": <registered name>, "config": spec.get_config()}``, JSON-safe.

    Example:
      >>> import lrsched
      >>> lrsched.serialize(lrsched.ExponentialDecay(0.1, 1000, 0.96))["class_name"]
      'ExponentialDecay'
    """
    from lrsched.spec import Schedule

    if not isinstance(spec, Schedule):
        raise LrschedError(f"serialize takes an lrsched.Schedule; received {type(spec).__name__}")
    return {"class_name": plugins.schedule_name(type(spec)), "config": spec.get_config()}


def deserialize(obj: dict[str, Any] | str | bytes) -> Any:
    """The schedule a serialized config describes.

    Args:
      obj: what :func:`serialize` returns, as a dict or a JSON string; or what
        ``keras.optimizers.schedules.serialize`` writes for a Keras built-in schedule whose
        name lrsched registers (``"module": "keras.optimizers.schedules"``).

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
    module = obj.get("module")
    registered_name = obj.get("registered_name")
    if registered_name == KERAS_REGISTERED_NAME and module == KERAS_RENDERED_MODULE:
        if not isinstance(config, dict) or "schedule" not in config:
            raise ConfigError(f'a {KERAS_REGISTERED_NAME!r} config holds the schedule under "schedule"')
        return deserialize(config["schedule"])
    if module is not None and module != KERAS_SCHEDULES_MODULE:
        raise ConfigError(
            f"refusing module {module!r}: lrsched resolves schedules by registered name only, "
            f"and reads Keras's own form only with module {KERAS_SCHEDULES_MODULE!r}"
        )
    if registered_name is not None:
        raise ConfigError(
            f"refusing registered_name {registered_name!r}: only Keras's built-in schedules "
            f"(registered_name null) and lrsched's own ({KERAS_REGISTERED_NAME!r}) are read"
        )
    if not isinstance(name, str):
        raise ConfigError(f"class_name must be a string; received {name!r}")
    cls = plugins.schedule_class(name)
    if not isinstance(config, dict):
        raise ConfigError(f"config of {name!r} must be a dict; received {type(config).__name__}")
    return cls.from_config(config)
