"""JSON Schema of serialized schedules, for editors and config validation."""

from __future__ import annotations

from typing import Any

from lrsched import plugins

__all__ = ["schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema(name: str | None = None) -> dict[str, Any]:
    """The JSON Schema of a serialized schedule: ``{"class_name": ..., "config": {...}}``.

    Args:
      name: a registered schedule name; ``None`` gives the union of every registered schedule,
        discriminated by ``class_name``. Nested schedules (``ScheduleField``) refer to the union.

    Example:
      >>> import lrsched
      >>> s = lrsched.schema("ExponentialDecay")
      >>> s["properties"]["class_name"], s["$defs"]["ExponentialDecay"]["properties"]["decay_steps"]["minimum"]
      ({'const': 'ExponentialDecay'}, 1)
    """
    registry = plugins.get_host().registry
    defs: dict[str, Any] = {}
    variants: dict[str, dict[str, Any]] = {}
    for schedule_name, cls in sorted(registry.schedules.items()):
        model = _refer_nested(cls.model_json_schema(ref_template="#/$defs/{model}"))
        defs.update(model.pop("$defs", {}))
        model["title"] = schedule_name
        model["description"] = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        defs[schedule_name] = model
        variants[schedule_name] = {
            "type": "object",
            "title": schedule_name,
            "description": model.get("description", ""),
            "properties": {
                "class_name": {"const": schedule_name},
                "config": {"$ref": f"#/$defs/{schedule_name}"},
            },
            "required": ["class_name", "config"],
            "additionalProperties": False,
        }
    defs["Schedule"] = {
        "title": "Schedule",
        "description": "A serialized lrsched schedule, by registered name.",
        "oneOf": [variants[n] for n in sorted(variants)],
        "discriminator": {"propertyName": "class_name"},  # an annotation for editors (OpenAPI's)
    }
    if name is None:
        return {"$schema": DIALECT, "$ref": "#/$defs/Schedule", "$defs": defs}
    plugins.schedule_class(name)  # raises UnknownScheduleError with the available names
    return {"$schema": DIALECT, **variants[name], "$defs": defs}


def _refer_nested(node: Any) -> Any:
    """Replace the marker ``ScheduleField`` leaves with a reference to the union of schedules."""
    if isinstance(node, dict):
        if node.get("x-lrsched") == "schedule":  # pydantic may add a title beside the marker
            return {"$ref": "#/$defs/Schedule"}
        return {key: _refer_nested(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_refer_nested(value) for value in node]
    return node
