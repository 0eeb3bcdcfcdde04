"""The schedule spec: a frozen pydantic model whose math is one ``value(step, xp)``."""

from __future__ import annotations

import inspect
import math
import numbers
from typing import Annotated, Any, ClassVar

import pydantic
from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema

from lrsched.errors import ConfigError, StepError

__all__ = [
    "Bool",
    "Doc",
    "Float",
    "FloatTuple",
    "IncreasingSteps",
    "Name",
    "NonNegativeFloat",
    "NonNegativeFloatTuple",
    "NonNegativeInt",
    "OptionalFloat",
    "PositiveFloat",
    "PositiveInt",
    "PowerFloat",
    "Schedule",
    "ScheduleField",
    "ScheduleTuple",
    "UnitFloat",
    "field_doc",
]

INT64_MAX = 2**63 - 1


class Doc(str):
    """How a field type reads in the API reference and in signatures: the plain type and its
    constraint in words (``"float, >= 0"``). Every field type of lrsched carries one."""

    __slots__ = ()


def _received(info: ValidationInfo, value: object) -> str:
    return f"Received: {info.field_name}={value!r}"


def _fail(info: ValidationInfo, rule: str, value: object) -> ValueError:
    return ValueError(f"Argument `{info.field_name}` {rule}. {_received(info, value)}")


def _real(value: object, info: ValidationInfo) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(info, "must be a real number", value)
    result = float(value)
    if not math.isfinite(result):
        raise _fail(info, "must be finite", value)
    return result


def _non_negative_float(value: object, info: ValidationInfo) -> float:
    result = _real(value, info)
    if result < 0:
        raise _fail(info, "must be >= 0", value)
    return result


def _positive_float(value: object, info: ValidationInfo) -> float:
    result = _real(value, info)
    if result <= 0:
        raise _fail(info, "must be > 0", value)
    return result


def _unit_float(value: object, info: ValidationInfo) -> float:
    result = _real(value, info)
    if not 0 <= result <= 1:
        raise _fail(info, "must be in [0, 1]", value)
    return result


#: The largest power or exponent a field takes: ``(1 - p) ** 128`` is below a millionth from
#: ``p = 0.102`` on (a step function, in all but name). The float32 building blocks' logarithm
#: carries a small error that the power multiplies: up to 128 the result stays within 2.2 ulps
#: (measured), at 1024 it is 10.
MAX_POWER = 128


def _power(value: object, info: ValidationInfo) -> float:
    result = _real(value, info)
    if not 0 <= result <= MAX_POWER:
        raise _fail(info, "must be in [0, 128]", value)
    return result


def _optional_float(value: object, info: ValidationInfo) -> float | None:
    return None if value is None else _real(value, info)


def _int(value: object, info: ValidationInfo, low: int) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        result = int(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
        result = int(value)  # Keras configs carry integral floats such as 1000.0
    else:
        raise _fail(info, "must be an integer", value)
    if not low <= result <= INT64_MAX:
        raise _fail(info, f"must be {'> 0' if low == 1 else '>= 0'} and <= 2**63 - 1", value)
    return result


def _positive_int(value: object, info: ValidationInfo) -> int:
    return _int(value, info, 1)


def _non_negative_int(value: object, info: ValidationInfo) -> int:
    return _int(value, info, 0)


def _bool(value: object, info: ValidationInfo) -> bool:
    if not isinstance(value, bool):
        raise _fail(info, "must be True or False", value)
    return value


def _name(value: object, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        raise _fail(info, "must be a string", value)
    return value


def _sequence(value: object, info: ValidationInfo) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
        raise _fail(info, "must be a list or tuple", value)
    return tuple(value)


def _elements(
    value: object, info: ValidationInfo, check: Any, rule: str, min_length: int = 0
) -> tuple[Any, ...]:
    items = _sequence(value, info)
    if len(items) < min_length:
        raise _fail(info, f"must have at least {min_length} element{'s' if min_length > 1 else ''}", value)
    out = []
    for i, item in enumerate(items):
        try:
            out.append(check(item))
        except LookupError as exc:  # an unknown nested schedule's name: the same error, placed
            raise type(exc)(f"Argument `{info.field_name}` element {i}: {exc}") from None
        except (TypeError, ValueError) as exc:
            raise _fail(info, f"must hold {rule}; element {i} is {item!r} ({exc})", value) from None
    return tuple(out)


def _finite(item: object) -> float:
    if isinstance(item, bool) or not isinstance(item, numbers.Real) or not math.isfinite(float(item)):
        raise ValueError("not a finite real number")
    return float(item)


def _step(item: object) -> int:
    if isinstance(item, bool):
        raise ValueError("a bool")
    if isinstance(item, numbers.Integral) or (isinstance(item, numbers.Real) and float(item).is_integer()):
        result = int(item)
    else:
        raise ValueError("not an integer")
    if not 0 <= result <= INT64_MAX:
        raise ValueError("outside [0, 2**63 - 1]")
    return result


def _float_tuple(value: object, info: ValidationInfo) -> tuple[float, ...]:
    return _elements(value, info, _finite, "finite real numbers")


def _non_negative(item: object) -> float:
    value = _finite(item)
    if value < 0:
        raise ValueError("negative")
    return value


def _non_negative_float_tuple(value: object, info: ValidationInfo) -> tuple[float, ...]:
    return _elements(value, info, _non_negative, "finite real numbers >= 0")


def _increasing_steps(value: object, info: ValidationInfo) -> tuple[int, ...]:
    steps = _elements(value, info, _step, "integers in [0, 2**63 - 1]")
    for i in range(1, len(steps)):
        if steps[i] <= steps[i - 1]:
            raise _fail(
                info, f"must be strictly increasing; element {i} ({steps[i]}) <= element {i - 1}", value
            )
    return steps


def _nested(value: object) -> object:
    if isinstance(value, dict):
        from lrsched.serialization import deserialize

        return deserialize(value)
    return value


def _schedule(item: object) -> Schedule:
    item = _nested(item)
    if not isinstance(item, Schedule):
        raise ValueError(f"not a schedule but a {type(item).__name__}")
    return item


def _schedule_field(value: object, info: ValidationInfo) -> Schedule:
    try:
        return _schedule(value)
    except LookupError as exc:  # an unknown nested schedule's name: the same error, placed
        raise type(exc)(f"Argument `{info.field_name}`: {exc}") from None
    except ValueError as exc:
        raise _fail(info, f"must be an lrsched schedule or its serialized dict ({exc})", value) from None


def _schedule_tuple(value: object, info: ValidationInfo) -> tuple[Schedule, ...]:
    return _elements(value, info, _schedule, "lrsched schedules or their serialized dicts", min_length=1)


def _serialize_nested(value: Schedule) -> dict[str, Any]:
    from lrsched.serialization import serialize

    return serialize(value)


def _serialize_nested_tuple(value: tuple[Schedule, ...]) -> list[dict[str, Any]]:
    return [_serialize_nested(item) for item in value]


def _choice(*options: str) -> Any:
    """A field type taking one of ``options`` (strings)."""

    def check(value: object, info: ValidationInfo) -> str:
        if value not in options:
            raise _fail(info, f"must be one of {', '.join(map(repr, options))}", value)
        return value  # type: ignore[return-value]

    return Annotated[
        str,
        PlainValidator(check),
        WithJsonSchema({"enum": list(options)}),
        Doc("one of " + ", ".join(f'"{o}"' for o in options)),
    ]


_INT64 = {"type": "integer", "maximum": INT64_MAX}

#: A finite float (ints accepted; bools, strings, NaN and inf rejected).
Float = Annotated[float, PlainValidator(_real), WithJsonSchema({"type": "number"}), Doc("float")]
#: A finite float >= 0.
NonNegativeFloat = Annotated[
    float,
    PlainValidator(_non_negative_float),
    WithJsonSchema({"type": "number", "minimum": 0}),
    Doc("float, >= 0"),
]
#: A finite float > 0.
PositiveFloat = Annotated[
    float,
    PlainValidator(_positive_float),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
    Doc("float, > 0"),
]
#: A float in [0, 1].
UnitFloat = Annotated[
    float,
    PlainValidator(_unit_float),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1}),
    Doc("float, in [0, 1]"),
]
#: A power or exponent: a float in [0, 128].
PowerFloat = Annotated[
    float,
    PlainValidator(_power),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_POWER}),
    Doc("float, in [0, 128]"),
]
#: A finite float, or None.
OptionalFloat = Annotated[
    float | None,
    PlainValidator(_optional_float),
    WithJsonSchema({"type": ["number", "null"]}),
    Doc("float or None"),
]
#: An int in [1, 2**63 - 1]; integral floats such as ``1000.0`` are accepted, bools are not.
PositiveInt = Annotated[
    int, PlainValidator(_positive_int), WithJsonSchema({**_INT64, "minimum": 1}), Doc("int, >= 1")
]
#: An int in [0, 2**63 - 1].
NonNegativeInt = Annotated[
    int, PlainValidator(_non_negative_int), WithJsonSchema({**_INT64, "minimum": 0}), Doc("int, >= 0")
]
#: ``True`` or ``False``, nothing else.
Bool = Annotated[bool, PlainValidator(_bool), WithJsonSchema({"type": "boolean"}), Doc("bool")]
#: A string.
Name = Annotated[str, PlainValidator(_name), WithJsonSchema({"type": "string"}), Doc("str")]
#: A tuple of finite floats; a JSON list or a tuple in, a list out.
FloatTuple = Annotated[
    tuple[float, ...],
    PlainValidator(_float_tuple),
    PlainSerializer(list, when_used="json"),
    WithJsonSchema({"type": "array", "items": {"type": "number"}}),
    Doc("tuple[float, ...]"),
]
#: A tuple of finite floats >= 0 (rates); a JSON list or a tuple in, a list out.
NonNegativeFloatTuple = Annotated[
    tuple[float, ...],
    PlainValidator(_non_negative_float_tuple),
    PlainSerializer(list, when_used="json"),
    WithJsonSchema({"type": "array", "items": {"type": "number", "minimum": 0}}),
    Doc("tuple[float, ...], each >= 0"),
]
#: Steps in [0, 2**63 - 1], strictly increasing (boundaries).
IncreasingSteps = Annotated[
    tuple[int, ...],
    PlainValidator(_increasing_steps),
    PlainSerializer(list, when_used="json"),
    WithJsonSchema({"type": "array", "items": {**_INT64, "minimum": 0}}),
    Doc("tuple[int, ...], strictly increasing, each in [0, 2**63 - 1]"),
]


class Schedule(BaseModel):
    """Base class of every schedule: a frozen, validated, hashable spec.

    A subclass declares its arguments as fields, in the positional order its constructor
    takes, and writes its math once in :meth:`value`. Equality and hashing are by value.

    Example:
      >>> import lrsched
      >>> spec = lrsched.ExponentialDecay(0.1, 1000, 0.5)
      >>> spec == lrsched.ExponentialDecay(initial_learning_rate=0.1, decay_steps=1000.0, decay_rate=0.5)
      True
      >>> spec(2000)
      0.025
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, validate_default=False)

    __signature__: ClassVar[inspect.Signature]
    #: Whether :meth:`value` is right on steps of an unsigned integer dtype: a backend may then
    #: hand it unsigned steps (numpy does: the helpers of :mod:`lrsched.numerics` drop their
    #: branches for steps below 0 on them). lrsched's own schedules declare it; a ``value()``
    #: computing ``n - step`` would wrap, so it is False unless declared, and a subclass that
    #: writes its own ``value()`` declares it anew. See :meth:`takes_unsigned_steps`.
    unsigned_steps: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = list(type(self).model_fields)
        if len(args) > len(names):
            raise ConfigError(
                f"{type(self).__name__} takes at most {len(names)} positional arguments "
                f"({', '.join(names)}); received {len(args)}"
            )
        for name, arg in zip(names, args, strict=False):
            if name in kwargs:
                raise ConfigError(f"{type(self).__name__} got multiple values for argument {name!r}")
            kwargs[name] = arg
        try:
            super().__init__(**kwargs)
        except pydantic.ValidationError as exc:
            raise ConfigError(_readable(type(self), exc)) from None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "value" in cls.__dict__ and "unsigned_steps" not in cls.__dict__:
            cls.unsigned_steps = False  # new math: not what a base class declared for its own
        cls.__signature__ = inspect.Signature(
            [
                inspect.Parameter(
                    name,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    default=inspect.Parameter.empty if field.is_required() else field.default,
                    annotation=field_doc(_annotated(cls, name)),
                )
                for name, field in cls.model_fields.items()
            ]
        )

    def value(self, step: Any, xp: Any) -> Any:
        """The schedule's math, written once against the array namespace ``xp``.

        Args:
          step: an integer array of namespace ``xp`` (or, for :data:`lrsched.xp.exact`, a
            Python int). Arrays may hold negative steps.
          xp: the array namespace; compute in its float dtype (see :mod:`lrsched.xp`) using
            the helpers of :mod:`lrsched.numerics`. Branch with ``xp.where``, never ``if``.

        Returns:
          A float array shaped like ``step``.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement value(step, xp)")

    def __call__(self, step: Any) -> Any:
        """The learning rate at ``step``.

        A Python int (of any size) gives a Python float: the correctly rounded value of the
        exact math. A float holding a whole number (``20.0``) is that integer step. An integer
        (or whole-number float) array gives a float array of the same namespace, computed in
        the namespace's default float dtype.

        Raises:
          StepError: for a negative step, a fractional or non-finite float, a bool or a
            non-number, wherever the step's value can be read (see the Steps table in the
            guide). For a lazy array (a JAX tracer, Dask) it cannot: there a fractional or
            non-finite step gives NaN and a negative one the formula extended to it.
        """
        if isinstance(step, bool):
            raise StepError(f"step must be an integer; received {step!r}")
        if isinstance(step, numbers.Integral):
            step = int(step)
        elif isinstance(step, numbers.Rational):  # fractions.Fraction: exact, whatever its size
            if step.denominator != 1:
                raise StepError(f"step must be a whole number; received {step!r}")
            step = int(step.numerator)
        elif isinstance(step, numbers.Real):  # Python and numpy floats
            as_float = float(step)
            if not as_float.is_integer():
                raise StepError(f"step must be a finite whole number; received {step!r}")
            step = int(as_float)
        else:
            return self._call_array(step)
        if step < 0:
            raise StepError(f"step must be >= 0; received {step}")
        return _exact(self, step)

    def _call_array(self, step: Any) -> Any:
        """An Array API array of integer or whole-number float steps, by the step policy."""
        import array_api_compat

        try:
            xp = array_api_compat.array_namespace(step)
        except TypeError:
            raise StepError(
                f"step must be an int or an integer array; received {type(step).__name__}"
            ) from None
        lazy = array_api_compat.is_lazy_array(step)
        if xp.isdtype(step.dtype, "integral"):
            if not lazy and xp.isdtype(step.dtype, "signed integer") and bool(xp.any(step < 0)):
                raise StepError(f"steps must be >= 0; received steps down to {int(xp.min(step))}")
            return self.value(step, xp)
        if not xp.isdtype(step.dtype, "real floating"):
            raise StepError(
                f"step arrays must have an integer or a real floating dtype; received {step.dtype}"
            )
        info = getattr(xp, "__array_namespace_info__", None)
        int_dtype = info().default_dtypes()["integral"] if info is not None else xp.int64
        top = float(xp.iinfo(int_dtype).max) + 1.0  # 2.0**63 (or 2.0**31): the first float too large
        whole = xp.floor(step) == step
        fits = xp.abs(step) < top if float(xp.finfo(step.dtype).max) >= top else xp.isfinite(step)
        bad = ~(whole & fits)
        if not lazy:
            if bool(xp.any(bad)):
                first = float(step[bad][0]) if step.ndim else float(step)
                name = str(int_dtype).rsplit(".", 1)[-1]
                raise StepError(
                    f"float steps must be finite whole numbers within {name}'s range; received {first!r}"
                )
            steps = xp.astype(step, int_dtype)
            if bool(xp.any(steps < 0)):
                raise StepError(f"steps must be >= 0; received steps down to {int(xp.min(steps))}")
            return self.value(steps, xp)
        # traced: the value cannot be read, so a fraction becomes NaN, never another step's value
        steps = xp.astype(xp.where(bad, xp.zeros_like(step), step), int_dtype)
        out = self.value(steps, xp)
        return xp.where(bad, xp.full_like(out, xp.nan), out)

    def takes_unsigned_steps(self) -> bool:
        """Whether this spec may be handed unsigned steps: its class declares
        :attr:`unsigned_steps`, and so does every schedule nested in it (a composition's
        ``value`` hands its steps on to them).

        Example:
          >>> import lrsched
          >>> lrsched.Scale(lrsched.ExponentialDecay(0.1, 1000, 0.5), 2.0).takes_unsigned_steps()
          True
        """
        if not type(self).unsigned_steps:
            return False
        for inner in self.nested_schedules().values():
            for item in inner if isinstance(inner, tuple) else (inner,):
                if not item.takes_unsigned_steps():
                    return False
        return True

    def nested_schedules(self) -> dict[str, Schedule | tuple[Schedule, ...]]:
        """This spec's fields that hold schedules (a schedule, or a tuple of them), by name: what
        a composition hands its steps on to. Empty for a schedule of numbers alone.

        Example:
          >>> import lrsched
          >>> lrsched.Scale(lrsched.Constant(0.1), 2.0).nested_schedules()
          {'schedule': Constant(learning_rate=0.1)}
        """
        out: dict[str, Schedule | tuple[Schedule, ...]] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, Schedule) or (
                isinstance(value, tuple) and value and all(isinstance(v, Schedule) for v in value)
            ):
                out[name] = value
        return out

    def breakpoints(self) -> tuple[int, ...]:
        """Steps where a new piece begins: a stair, a phase change, a restart.

        Previews, plots and the conformance kit (:mod:`lrsched.testing`) test each breakpoint and
        its neighbours, which must agree on the same integer step in every backend. A periodic
        schedule lists its first few; a smooth one none. (Not ``boundaries``: schedules such as
        ``Join`` have a field of that name, as in optax.)
        """
        return ()

    def horizon(self) -> int:
        """A step by which the schedule has shown its whole shape (the end of a finite schedule,
        a few periods of a periodic one); previews, plots and the conformance kit look up to it.
        The default: ten times the largest integer field, or 1000 without one."""
        ints = [v for v in self.__dict__.values() if isinstance(v, int) and not isinstance(v, bool)]
        return 10 * max(ints) if ints else 1000

    def preview_steps(self, horizon: int | None = None) -> list[int]:
        """Step 0, each boundary and its neighbours, a few steps between, and ``horizon``
        (default :meth:`horizon`): what ``lrsched show`` prints."""
        horizon = self.horizon() if horizon is None else horizon
        steps = {0, 1, horizon // 4, horizon // 2, horizon}
        for b in self.breakpoints():
            steps.update((b - 1, b, b + 1))
        return sorted(s for s in steps if 0 <= s <= horizon)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as JSON-safe data; nested schedules as ``serialize`` writes them."""
        return self.model_dump(mode="json")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Schedule:
        """The inverse of :meth:`get_config`."""
        if not isinstance(config, dict):
            raise ConfigError(f"{cls.__name__}.from_config takes a dict; received {type(config).__name__}")
        return cls(**config)

    def __repr_args__(self) -> Any:
        return [(name, getattr(self, name)) for name in type(self).model_fields]

    def __str__(self) -> str:
        """The constructor call, as :func:`repr` (pydantic's default is the bare field list)."""
        return repr(self)


def _exact(spec: Schedule, step: int) -> float:
    from lrsched.exact import exact_value  # imports mpmath, on the first exact value only

    return exact_value(spec.value, step)


def _annotated(cls: type[Schedule], name: str) -> Any:
    """The field's annotation with its metadata (pydantic keeps it apart, in ``metadata``)."""
    field = cls.model_fields[name]
    if field.metadata:
        return Annotated[(field.annotation, *field.metadata)]  # type: ignore[misc]
    return field.annotation


def _readable(cls: type[Schedule], exc: pydantic.ValidationError) -> str:
    owner, lines = cls.__name__, []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "(arguments)"
        message = error["msg"]
        if error["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        elif error["type"] == "extra_forbidden":
            message = f"unexpected argument `{where}`; {owner} takes {', '.join(cls.model_fields)}"
        elif error["type"] == "missing":
            message = f"missing required argument `{where}`"
        else:
            message = f"{where}: {message}. Received: {where}={error.get('input')!r}"
        lines.append(message)
    return f"invalid {owner}: " + "; ".join(lines)


#: The type of a field that holds another schedule: validates from a schedule or its
#: serialized dict, and serializes by registered name, as ``lrsched.serialize`` does.
ScheduleField = Annotated[
    Schedule,
    PlainValidator(_schedule_field),
    PlainSerializer(_serialize_nested, when_used="json"),
    WithJsonSchema({"x-lrsched": "schedule"}),  # lrsched.schema() makes it a $ref to the union
    Doc("Schedule"),
]
#: At least one schedule: a JSON list of serialized schedules or a tuple of specs in, a list of
#: serialized schedules out.
ScheduleTuple = Annotated[
    tuple[Schedule, ...],
    PlainValidator(_schedule_tuple),
    PlainSerializer(_serialize_nested_tuple, when_used="json"),
    WithJsonSchema({"type": "array", "items": {"x-lrsched": "schedule"}, "minItems": 1}),
    Doc("tuple[Schedule, ...], at least one"),
]


def field_doc(annotation: Any) -> str:
    """How a field's type reads: its :class:`Doc`, else the annotation's own name."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, Doc):
            return str(meta)
    return getattr(annotation, "__name__", None) or str(annotation)
