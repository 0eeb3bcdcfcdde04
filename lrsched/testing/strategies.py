"""Hypothesis strategies for valid specs of any registered schedule, built from its fields.

Each registered class's fields come from its JSON Schema (``lrsched.schema(name)``: types and
constraints such as ``minimum`` or ``exclusiveMinimum``); a nested schedule field
(``ScheduleField``) draws another registered schedule, to a bounded depth. Configs are built
through ``lrsched.deserialize``, the path a config file takes; a draw that the class rejects
(a cross-field constraint the schema cannot state) is filtered out.

A class with cross-field constraints gives its own strategy, in either of two ways:

- a classmethod ``_lrsched_strategy_(cls, default)`` on the class, returning a strategy of specs
  (``default`` is the schema-derived one, for instance to ``.filter`` or ``.map``);
- :func:`register`\\ ``(cls, strategy)`` from the tests (it wins over the classmethod).

Importing this module imports hypothesis (``pip install hypothesis``).

Example:
  >>> from hypothesis import given
  >>> import lrsched
  >>> from lrsched.testing import strategies
  >>> @given(strategies.specs("ExponentialDecay"))
  ... def test_exact_at_zero(spec):
  ...     assert spec(0) == spec.initial_learning_rate
  >>> test_exact_at_zero()
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

import lrsched
from lrsched.errors import ConfigError

__all__ = ["configs", "register", "specs"]

_REGISTERED: dict[type, Any] = {}
_NESTED = "#/$defs/Schedule"  # lrsched.schema()'s reference for a nested schedule field


def register(cls: type, strategy: st.SearchStrategy[Any] | Callable[[int], st.SearchStrategy[Any]]) -> None:
    """Use ``strategy`` for the schedule class ``cls``: a strategy of specs, or a function of the
    remaining nesting depth returning one."""
    _REGISTERED[cls] = strategy


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and node["$ref"] != _NESTED:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


#: Unbounded number fields are drawn within +-1e37: a constant beyond float32's range (3.4e38) is
#: inf in float32 before any arithmetic, so no float32 rendering could be held to exact math there.
FLOAT_LIMIT = 1e37


def _number(node: dict[str, Any]) -> st.SearchStrategy[float]:
    low = node.get("minimum", node.get("exclusiveMinimum", -FLOAT_LIMIT))
    high = node.get("maximum", node.get("exclusiveMaximum", FLOAT_LIMIT))
    return st.floats(
        min_value=None if low is None else float(low),
        max_value=None if high is None else float(high),
        exclude_min="exclusiveMinimum" in node,
        exclude_max="exclusiveMaximum" in node,
        allow_nan=False,
        allow_infinity=False,
    )


def _integer(node: dict[str, Any]) -> st.SearchStrategy[int]:
    low = node.get("minimum", node.get("exclusiveMinimum", -(2**63) - 1) + 1)
    high = node.get("maximum", node.get("exclusiveMaximum", 2**63) - 1)
    return st.integers(min_value=int(low), max_value=int(high))


def _field(node: dict[str, Any], defs: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    """The JSON values a schema node admits (the subset schedules use)."""
    node = _resolve(node, defs)
    if node.get("$ref") == _NESTED:
        if depth <= 0:
            return st.nothing()
        return specs(max_depth=depth - 1).map(lrsched.serialize)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return st.one_of([_field(option, defs, depth) for option in node[key]])
    kind = node.get("type")
    if isinstance(kind, list):
        return st.one_of([_field({**node, "type": k}, defs, depth) for k in kind])
    if kind == "number":
        return _number(node)
    if kind == "integer":
        return _integer(node)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        return st.text(max_size=12, alphabet=st.characters(codec="utf-8"))
    if kind == "array":
        prefix = [_field(item, defs, depth) for item in node.get("prefixItems", [])]
        if prefix and node.get("items") is False:
            return st.tuples(*prefix).map(list)
        items = _field(node.get("items", {"type": "number"}), defs, depth)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=min(node.get("maxItems", 5), 5))
    raise NotImplementedError(
        f"lrsched.testing.strategies: no strategy for the schema {node!r}; "
        "give the class a _lrsched_strategy_ classmethod or call strategies.register"
    )


def configs(name: str, *, max_depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Serialized configs (``{"class_name": name, "config": {...}}``) of the registered schedule
    ``name``, drawn from its JSON Schema; optional fields are sometimes left out."""
    schema = lrsched.schema(name)
    defs = schema["$defs"]
    model = defs[name]
    required = set(model.get("required", ()))
    fields = {key: _field(node, defs, max_depth) for key, node in model.get("properties", {}).items()}
    optional = {key: value for key, value in fields.items() if key not in required}
    config = st.fixed_dictionaries({key: fields[key] for key in fields if key in required}, optional=optional)
    return config.map(lambda c: {"class_name": name, "config": c})


def _build(data: dict[str, Any]) -> Any:
    try:
        return lrsched.deserialize(data)
    except ConfigError:
        return None  # a cross-field constraint the schema does not state


def specs(schedule: str | type | None = None, *, max_depth: int = 2) -> st.SearchStrategy[Any]:
    """Valid specs of the registered schedule ``schedule`` (a name or class), or of any registered
    schedule when ``None``; nested schedule fields nest at most ``max_depth`` deep.

    Example:
      >>> import lrsched
      >>> strategy = specs("ExponentialDecay")
      >>> type(strategy).__name__.endswith("Strategy")
      True
    """
    classes = lrsched.schedules()
    if schedule is None:
        names = sorted(classes)
        if max_depth <= 0:  # only schedules without nested schedules can be built at the bottom
            names = [n for n in names if not _has_nested(n)]
        return st.one_of([specs(n, max_depth=max_depth) for n in names])
    if isinstance(schedule, type):
        schedule = lrsched.plugins.schedule_name(schedule)
    cls = lrsched.plugins.schedule_class(schedule)
    registered = _REGISTERED.get(cls)
    if registered is not None:
        return registered(max_depth) if callable(registered) else registered
    default = configs(schedule, max_depth=max_depth).map(_build).filter(lambda spec: spec is not None)
    hook = getattr(cls, "_lrsched_strategy_", None)
    return hook(default) if hook is not None else default


def _has_nested(name: str) -> bool:
    return json.dumps(_NESTED) in json.dumps(lrsched.schema(name)["$defs"][name])
