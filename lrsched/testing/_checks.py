"""The checks: each a function of a spec, raising :class:`ConformanceError` with a precise message.

Framework-specific checks import their framework inside the check; a check whose backend or
module is absent raises :class:`CheckSkipped` (a ``unittest.SkipTest``, which pytest reports as
a skip), never passes silently.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import math
import pickle
import struct
import unittest
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrsched.testing._renderings import Rendering, backend_max_step, renderings, resolve_dtype
from lrsched.testing._steps import (
    INT32_MAX,
    INT64_MAX,
    boundary_steps,
    exact,
    few_steps,
    peak,
    same_value,
    sample_steps,
)
from lrsched.testing._tolerance import ConformanceError, assert_close, float32_ulp

if TYPE_CHECKING:
    from lrsched.spec import Schedule

__all__ = ["Check", "CheckSkipped", "all_checks"]

#: Updates the k-th-update checks run (k = 0 .. KTH_UPDATES - 1).
KTH_UPDATES = 200


class CheckSkipped(unittest.SkipTest):
    """A check cannot run here (its backend or a module it needs is absent); pytest reports a skip."""


@dataclass(frozen=True)
class Check:
    """One conformance check. ``check(spec)`` runs it: it returns on success, raises
    :class:`ConformanceError` on failure and :class:`CheckSkipped` where it cannot run.

    Attributes:
      name: the check's family (``"values"``, ``"kth_update"``, ...).
      variant: the backend or rendering it is about (``"numpy-float32"``), or ``None``.
      backend: a backend that must be available for it to run.
      requires: modules that must be importable for it to run.
    """

    name: str
    variant: str | None
    func: Callable[[Schedule], None] = field(repr=False, compare=False)
    backend: str | None = None
    requires: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """``name[variant]``: the check's test id."""
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def skip_reason(self) -> str | None:
        """Why the check cannot run here, or ``None``."""
        import lrsched

        if self.backend is not None and self.backend not in lrsched.backends():
            registered = self.backend in lrsched.plugins.all_backends()
            return f"backend {self.backend!r} is {'not available here' if registered else 'not registered'}"
        missing = [m for m in self.requires if importlib.util.find_spec(m) is None]
        return f"needs {', '.join(missing)}, not installed" if missing else None

    def __call__(self, spec: Schedule) -> None:
        reason = self.skip_reason()
        if reason is not None:
            raise CheckSkipped(f"{self.id}: {reason}")
        try:
            self.func(spec)
        except (ConformanceError, CheckSkipped) as error:
            raise type(error)(f"{self.id} on {spec!r}: {error}") from None
        except Exception as error:
            raise ConformanceError(
                f"{self.id} on {spec!r}: raised {type(error).__name__}: {error}"
            ) from error


# -- values and boundaries ------------------------------------------------------------------------
def _evaluate(rendering: Rendering, spec: Schedule, steps: Sequence[int]) -> tuple[list[int], list[float]]:
    """The rendering's values; a backend that refuses int64 steps with a StepError is held to int32's."""
    import lrsched

    steps = list(steps)
    try:
        values = rendering.evaluate(spec, steps)
    except lrsched.StepError:
        if max(steps, default=0) <= INT32_MAX:
            raise
        steps = [s for s in steps if s <= INT32_MAX]
        values = rendering.evaluate(spec, steps)
    if len(values) != len(steps) or not all(type(v) is float for v in values):
        raise ConformanceError(
            f"evaluate must return one Python float per step; received {len(values)} values "
            f"of types {sorted({type(v).__name__ for v in values})} for {len(steps)} steps"
        )
    return steps, values


def _compare(spec: Schedule, steps: Sequence[int], got: Sequence[float], dtype: str, what: str) -> None:
    failures = []
    scale = peak(spec)
    for step, value in zip(steps, got, strict=True):
        try:
            assert_close(value, exact(spec, step), dtype=dtype, peak=scale, where=f"step {step}")
        except ConformanceError as error:
            failures.append(str(error))
    if failures:
        shown = "\n  ".join(failures[:8])
        more = f"\n  ... and {len(failures) - 8} more" if len(failures) > 8 else ""
        raise ConformanceError(
            f"{what} ({dtype}) is off at {len(failures)} of {len(steps)} steps:\n  {shown}{more}"
        )


def _values(rendering: Rendering) -> Callable[[Schedule], None]:
    def check(spec: Schedule) -> None:
        steps, got = _evaluate(rendering, spec, sample_steps(spec, rendering.max_step()))
        dtype = resolve_dtype(rendering, got, [exact(spec, s) for s in steps])
        _compare(spec, steps, got, dtype, rendering.label)

    return check


def _round(value: float, dtype: str) -> float:
    if dtype == "float64" or not math.isfinite(value):
        return value
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def _tolerance(value: float, dtype: str, scale: float) -> float:
    size = max(abs(value), 1e-6 * scale)
    return 1e-12 * size if dtype == "float64" else 4 * float32_ulp(size)


def _boundaries(rendering: Rendering) -> Callable[[Schedule], None]:
    def check(spec: Schedule) -> None:
        bounds = boundary_steps(spec, rendering.max_step())
        if not bounds:
            raise CheckSkipped("the schedule has no boundaries (Schedule.breakpoints() is empty)")
        period = math.gcd(*bounds)
        pairs = set()
        for i, b in enumerate(bounds):
            starts = {bounds[i - 1] if i else 0, b - period if period < b else 0}
            pairs.update({(b - 2, b - 1), (b - 1, b), (b, b + 1), *((a, b - 1) for a in starts)})
        top = rendering.max_step()
        pairs = {(s, t) for s, t in pairs if 0 <= s < t <= top}
        wanted = sorted({s for pair in pairs for s in pair})
        steps, got = _evaluate(rendering, spec, wanted)
        by_step = dict(zip(steps, got, strict=True))
        dtype = resolve_dtype(rendering, got, [exact(spec, s) for s in steps])
        scale, failures = peak(spec), []
        for s, t in sorted(pairs):
            if s not in by_step or t not in by_step:
                continue
            es, et, gs, gt = exact(spec, s), exact(spec, t), by_step[s], by_step[t]
            if same_value(spec, s, t) and gs != gt and not (gs != gs and gt != gt):
                failures.append(
                    f"steps {s} and {t} are on one piece (exact {es!r} at both) but give {gs!r} and {gt!r}"
                )
            jump = abs(_round(et, dtype) - _round(es, dtype))
            visible = jump > _tolerance(es, dtype, scale) + _tolerance(et, dtype, scale)
            if t == s + 1 and t in bounds and visible and ((gt > gs) != (et > es) or gs == gt):
                failures.append(
                    f"the boundary at step {t} is not on step {t}: exact {es!r} -> {et!r}, got {gs!r} -> {gt!r}"
                )
        if failures:
            raise ConformanceError(f"{rendering.label} ({dtype}):\n  " + "\n  ".join(failures[:8]))

    return check


# -- step dtypes and shapes -----------------------------------------------------------------------
def _step_cases(spec: Schedule, info_max: int, backend_max: int) -> tuple[list[int], int | None]:
    """Steps valid for an integer dtype whose max is ``info_max``, and the dtype's max when it is
    beyond what the backend takes (a StepError is then acceptable)."""
    top = min(info_max, backend_max)
    steps = [s for s in [0, 1, *boundary_steps(spec, top)[:3], *spec.preview_steps()] if 0 <= s <= top]
    steps = sorted({*steps, top})[:9]
    if len(steps) % 2:
        steps = [*steps[:-2], top] if len(steps) > 1 else [0, top]
    return steps, (info_max if info_max > backend_max else None)


def _check_dtype_case(
    spec: Schedule,
    what: str,
    steps: list[int],
    make: Callable[[list[int], tuple[int, ...]], Any],
    call: Callable[[Any], Any],
    to_floats: Callable[[Any], tuple[tuple[int, ...], list[float], str]],
    dtype: str,
) -> None:
    import numpy as np

    for shape in [(), (len(steps),), (2, len(steps) // 2)]:
        chosen = steps[-1:] if shape == () else steps
        out_shape, values, out_dtype = to_floats(call(make(chosen, shape)))
        if out_shape != shape:
            raise ConformanceError(f"{what}: steps of shape {shape} gave a result of shape {out_shape}")
        if out_dtype != dtype:
            raise ConformanceError(f"{what}: expected {dtype} values; received {out_dtype}")
        _compare(spec, list(np.asarray(chosen).reshape(-1)), values, dtype, f"{what}, shape {shape}")


def _step_dtypes_numpy(spec: Schedule) -> None:
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "numpy")

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        if isinstance(out, float):  # a 0-d step gives a Python float
            return (), [out], "float64"
        return out.shape, [float(v) for v in out.reshape(-1)], str(out.dtype)

    _dtype_cases(spec, "numpy", f, np, to_floats, "float64", INT64_MAX)


def _dtype_cases(
    spec: Schedule,
    backend: str,
    f: Any,
    np_like: Any,
    to_floats: Any,
    dtype: str,
    backend_max: int,
    names: Sequence[str] = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
    make: Callable[[list[int], tuple[int, ...], str], Any] | None = None,
) -> None:
    import numpy as np

    import lrsched

    for name in names:
        info_max = int(np.iinfo(name).max)

        def build(steps: list[int], shape: tuple[int, ...], name: str = name) -> Any:
            if make is not None:
                return make(steps, shape, name)
            return np_like.reshape(np_like.asarray(steps, dtype=getattr(np_like, name)), shape)

        steps, beyond = _step_cases(spec, info_max, backend_max)
        _check_dtype_case(spec, f"{backend} {name} steps", steps, build, f, to_floats, dtype)
        if beyond is not None:  # the dtype's max is beyond the backend's steps: right, or a StepError
            try:
                _, values, _ = to_floats(f(build([beyond], (1,))))
            except lrsched.StepError:
                continue
            _compare(spec, [beyond], values, dtype, f"{backend} {name} steps at the dtype's max")


def _step_dtypes_strict(spec: Schedule) -> None:
    import array_api_strict as xps
    import numpy as np

    with np.errstate(over="ignore", under="ignore"):  # inf and 0 are the honest float answers
        _strict_cases(spec, xps)


def _strict_cases(spec: Schedule, xps: Any) -> None:
    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        flat = xps.reshape(out, (-1,))
        dtype = str(out.dtype).rsplit(".", 1)[-1]
        return tuple(out.shape), [float(flat[i]) for i in range(flat.shape[0])], dtype

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return xps.reshape(xps.asarray(steps, dtype=getattr(xps, name)), shape)

    _dtype_cases(spec, "array_api_strict", spec, xps, to_floats, "float64", INT64_MAX, make=make)


def _step_dtypes_torch(spec: Schedule) -> None:
    import torch

    import lrsched

    f = lrsched.render(spec, "torch")

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return torch.tensor(steps, dtype=getattr(torch, name)).reshape(shape)

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        return (
            tuple(out.shape),
            [float(v) for v in out.reshape(-1).tolist()],
            str(out.dtype).removeprefix("torch."),
        )

    # torch's fully supported integer dtypes (its uint16/32/64 lack most operations)
    names = ("int8", "int16", "int32", "int64", "uint8")
    _dtype_cases(spec, "torch", f, None, to_floats, "float32", INT64_MAX, names=names, make=make)


def _step_dtypes_jax(spec: Schedule) -> None:
    import jax
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "jax")
    x64 = bool(jax.config.jax_enable_x64)

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return jax.numpy.asarray(np.asarray(steps, dtype=name).reshape(shape))

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        values = np.asarray(out)
        return values.shape, [float(v) for v in values.reshape(-1)], str(values.dtype)

    names = ("int8", "int16", "int32", "uint8", "uint16", *(("int64", "uint32", "uint64") if x64 else ()))
    dtype = "float64" if x64 else "float32"
    _dtype_cases(spec, "jax", f, None, to_floats, dtype, backend_max_step("jax"), names=names, make=make)


def _step_dtypes_tensorflow(spec: Schedule) -> None:
    import numpy as np
    import tensorflow as tf

    import lrsched

    f = lrsched.render(spec, "tensorflow")

    def make(steps: list[int], shape: tuple[int, ...], name: str) -> Any:
        return tf.constant(np.asarray(steps, dtype=name).reshape(shape))

    def to_floats(out: Any) -> tuple[tuple[int, ...], list[float], str]:
        values = np.asarray(out)
        return values.shape, [float(v) for v in values.reshape(-1)], str(values.dtype)

    _dtype_cases(spec, "tensorflow", f, None, to_floats, "float32", INT64_MAX, make=make)


# -- serialization --------------------------------------------------------------------------------
def _serialization(spec: Schedule) -> None:
    import lrsched

    data = lrsched.serialize(spec)
    text = json.dumps(data, allow_nan=False)
    if json.loads(text) != data:
        raise ConformanceError(f"serialize(spec) is not JSON-safe: {data!r}")
    for form, back in (("dict", lrsched.deserialize(data)), ("JSON text", lrsched.deserialize(text))):
        if type(back) is not type(spec) or back != spec:
            raise ConformanceError(f"deserialize(serialize(spec)) from the {form} gave {back!r}")
        if hash(back) != hash(spec):
            raise ConformanceError(f"the deserialized spec ({form}) is equal but hashes differently")
    config = spec.get_config()
    if type(spec).from_config(config) != spec:
        raise ConformanceError(f"from_config(get_config()) does not give the spec back: {config!r}")
    if spec != type(spec)(**{name: getattr(spec, name) for name in type(spec).model_fields}):
        raise ConformanceError("a spec built from the same arguments is not equal to it")
    for step in few_steps(spec, 4):
        back, want = exact(lrsched.deserialize(text), step), exact(spec, step)
        if back != want and not (back != back and want != want):  # NaN is NaN's value
            raise ConformanceError(f"the deserialized spec differs from the spec at step {step}")


def _json_schema(spec: Schedule) -> None:
    import jsonschema

    import lrsched

    data = lrsched.serialize(spec)
    for name in (None, data["class_name"]):
        schema = lrsched.schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
        if errors:
            raise ConformanceError(
                f"serialize(spec) is invalid against lrsched.schema({name!r}): {errors[0].message}"
            )


def _pickling(spec: Schedule) -> None:
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(spec, protocol=protocol))
        if type(back) is not type(spec) or back != spec or hash(back) != hash(spec):
            raise ConformanceError(f"pickle protocol {protocol} gave {back!r}")
    for how, back in (("copy", copy.copy(spec)), ("deepcopy", copy.deepcopy(spec))):
        if back != spec or hash(back) != hash(spec):
            raise ConformanceError(f"copy.{how} gave {back!r}")


# -- framework objects ----------------------------------------------------------------------------
def _keras_config(spec: Schedule) -> None:
    import keras

    import lrsched

    lr = lrsched.render(spec, "tensorflow")
    config = lr.get_config()
    json.dumps(config, allow_nan=False)
    back = type(lr).from_config(config)
    if back != lr or back.spec != spec:
        raise ConformanceError(f"from_config(get_config()) gave {back!r}")
    written = keras.optimizers.schedules.serialize(lr)
    again = keras.optimizers.schedules.deserialize(json.loads(json.dumps(written)))
    if again != lr:
        raise ConformanceError(f"keras.optimizers.schedules.deserialize(serialize(...)) gave {again!r}")
    steps = few_steps(spec, 6)
    a = keras.ops.convert_to_numpy(lr(keras.ops.convert_to_tensor(steps, "int64"))).tolist()
    b = keras.ops.convert_to_numpy(again(keras.ops.convert_to_tensor(steps, "int64"))).tolist()
    if a != b:
        raise ConformanceError(f"the restored Keras schedule gives {b} where the original gives {a}")


def _torch_resume(spec: Schedule) -> None:
    import torch

    import lrsched

    bounds = [b for b in boundary_steps(spec) if b <= 300]
    resume_at = bounds[0] - 1 if bounds else 1 + (abs(hash(repr(spec))) % 150)
    total = resume_at + 12

    def make() -> tuple[Any, Any]:
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=1.0, momentum=0.5)
        return opt, lrsched.render(spec, "torch", optimizer=opt)

    def run(opt: Any, scheduler: Any, count: int) -> list[float]:
        lrs = []
        for _ in range(count):
            p = opt.param_groups[0]["params"][0]
            p.grad = torch.ones_like(p)
            lrs.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            scheduler.step()
        return lrs

    straight = run(*make(), total)
    opt, scheduler = make()
    first = run(opt, scheduler, resume_at)
    buffer = io.BytesIO()
    torch.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    opt, scheduler = make()
    opt.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    resumed = first + run(opt, scheduler, total - resume_at)
    if resumed != straight:
        k = next(i for i, (a, b) in enumerate(zip(resumed, straight, strict=True)) if a != b)
        raise ConformanceError(
            f"resumed at step {resume_at}, update {k} used lr {resumed[k]!r}; uninterrupted {straight[k]!r}"
        )
    _compare(spec, list(range(total)), straight, "float64", "the LRScheduler's lrs")


def _jax_transforms(spec: Schedule) -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "jax")
    x64 = bool(jax.config.jax_enable_x64)
    int_dtype, dtype = (jnp.int64, "float64") if x64 else (jnp.int32, "float32")
    steps = few_steps(spec, 8, backend_max_step("jax"))
    traces = []

    def traced(step: Any) -> Any:
        traces.append(step)
        return f(step)

    jitted = jax.jit(traced)
    got = [float(jitted(jnp.asarray(s, dtype=int_dtype))) for s in steps]
    if len(traces) != 1:
        raise ConformanceError(
            f"jax.jit traced {len(traces)} times for {len(steps)} step values; once expected"
        )
    _compare(spec, steps, got, dtype, "jax.jit")
    array = jnp.asarray(steps, dtype=int_dtype)
    for what, g in (("jax.vmap", jax.vmap(f)), ("jax.jit(jax.vmap)", jax.jit(jax.vmap(f)))):
        _compare(spec, steps, [float(v) for v in np.asarray(g(array))], dtype, what)


def _torch_compile(spec: Schedule) -> None:
    import torch

    import lrsched

    graphs = []

    def counting(graph: Any, example_inputs: Any) -> Any:  # Dynamo's graph, run as it is
        graphs.append(graph)
        return graph.forward

    torch._dynamo.reset()  # count this check's graphs only
    compiled = torch.compile(lrsched.render(spec, "torch"), fullgraph=True, backend=counting)
    steps = few_steps(spec, 8, INT64_MAX)
    got = [float(compiled(torch.tensor(s, dtype=torch.int64))) for s in steps]
    torch._dynamo.reset()
    if len(graphs) != 1:
        raise ConformanceError(
            f"torch.compile(fullgraph=True) compiled {len(graphs)} graphs for {len(steps)} step values; once expected"
        )
    _compare(spec, steps, got, "float32", "torch.compile")


# -- the k-th update ------------------------------------------------------------------------------
def _kth_keras(spec: Schedule) -> None:
    import keras

    import lrsched

    optimizer = keras.optimizers.SGD(learning_rate=lrsched.render(spec, "tensorflow"))
    w = keras.Variable(0.0, dtype="float32")
    optimizer.build([w])
    one = keras.ops.ones((), dtype="float32")
    got = []
    with warnings.catch_warnings():
        # numpy >= 2 asks TF variables' __array__ for a copy keyword it lacks: TF's, not ours
        warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
        for _ in range(KTH_UPDATES):
            w.assign(0.0)
            optimizer.apply_gradients([(one, w)])  # w = 0 - lr * 1: the applied lr, exactly
            got.append(-float(keras.ops.convert_to_numpy(w.value)))
        iterations = int(keras.ops.convert_to_numpy(optimizer.iterations.value))
    if iterations != KTH_UPDATES:
        raise ConformanceError(f"the optimizer counted {iterations} updates for {KTH_UPDATES}")
    _compare(spec, list(range(KTH_UPDATES)), got, "float32", "Keras SGD's k-th update")


def _kth_torch(spec: Schedule) -> None:
    import torch

    import lrsched

    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=1.0)
    scheduler = lrsched.render(spec, "torch", optimizer=optimizer)
    got = []
    for _ in range(KTH_UPDATES):
        with torch.no_grad():
            p.zero_()
        p.grad = torch.ones_like(p)
        optimizer.step()  # p = 0 - lr * 1
        scheduler.step()
        got.append(-float(p.item()))
    _compare(spec, list(range(KTH_UPDATES)), got, "float64", "torch SGD's k-th update")


def _kth_optax(spec: Schedule) -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    import lrsched

    optimizer = optax.sgd(lrsched.render(spec, "optax"))

    @jax.jit
    def update(state: Any) -> Any:
        return optimizer.update(jnp.ones(()), state)

    state, got = optimizer.init(jnp.zeros(())), []
    for _ in range(KTH_UPDATES):
        updates, state = update(state)  # updates = -lr * 1
        got.append(-float(np.asarray(updates)))
    dtype = "float64" if jax.config.jax_enable_x64 else "float32"
    _compare(spec, list(range(KTH_UPDATES)), got, dtype, "optax sgd's k-th update")


# -- the step policy ------------------------------------------------------------------------------
def _extension(spec: Schedule, step: int) -> float:
    """The formula's value at a negative step (what traced code computes there)."""
    from lrsched.exact import exact_value

    return exact_value(spec.value, step)


def _expect_step_error(what: str, call: Callable[[], Any]) -> None:
    import lrsched

    try:
        result = call()
    except lrsched.StepError:
        return
    except Exception as error:
        raise ConformanceError(
            f"{what}: expected lrsched.StepError; raised {type(error).__name__}: {error}"
        ) from error
    raise ConformanceError(f"{what}: expected lrsched.StepError; returned {result!r}")


def _eager_policy(
    what: str, f: Callable[[Any], Any], to_float: Callable[[Any], float], cases: dict[str, Any]
) -> None:
    """Integral floats give the integer's value; a fraction and a negative step raise StepError."""
    for name, (integral, fractional, negative) in cases.items():
        want, got = to_float(f(integral[1])), to_float(f(integral[0]))
        if got != want and not (got != got and want != want):  # NaN is NaN's value
            raise ConformanceError(
                f"{what}: the {name} step {integral[0]!r} gave {got!r}; the int step {want!r}"
            )
        _expect_step_error(f"{what}: the {name} step {fractional!r}", lambda s=fractional: f(s))
        _expect_step_error(f"{what}: the {name} step {negative!r}", lambda s=negative: f(s))


def _policy_core(spec: Schedule) -> None:
    _eager_policy("spec(step)", spec, float, {"Python": ((3.0, 3), 2.5, -1)})
    _expect_step_error("spec(True)", lambda: spec(True))


def _policy_numpy(spec: Schedule) -> None:
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "numpy")

    def to_float(out: Any) -> float:
        return float(np.asarray(out).reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "array": ((np.asarray([3.0]), np.asarray([3])), np.asarray([2.5]), np.asarray([-1])),
    }
    _eager_policy("numpy", f, to_float, cases)


def _policy_jax(spec: Schedule) -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np

    import lrsched

    f = lrsched.render(spec, "jax")

    def to_float(out: Any) -> float:
        return float(np.asarray(out).reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "array": ((jnp.asarray([3.0]), jnp.asarray([3])), jnp.asarray([2.5]), jnp.asarray([-1])),
    }
    _eager_policy("jax", f, to_float, cases)
    _traced_policy(spec, "jax.jit", lambda s: float(jax.jit(f)(s)), jnp.float32(2.5), jnp.int32(-1))


def _traced_policy(
    spec: Schedule, what: str, call: Callable[[Any], float], fraction: Any, negative: Any
) -> None:
    """Traced code cannot raise on a value: a fraction gives NaN, a negative step the formula's extension."""
    got = call(fraction)
    if got == got:
        raise ConformanceError(f"{what}: a traced fractional step (2.5) gave {got!r}; NaN expected")
    assert_close(
        call(negative),
        _extension(spec, -1),
        dtype="float32",
        peak=peak(spec),
        where=f"{what}: traced step -1",
    )


def _policy_torch(spec: Schedule) -> None:
    import torch

    import lrsched

    f = lrsched.render(spec, "torch")

    def to_float(out: Any) -> float:
        return float(out.reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "tensor": ((torch.tensor([3.0]), torch.tensor([3])), torch.tensor([2.5]), torch.tensor([-1])),
    }
    _eager_policy("torch", f, to_float, cases)
    torch._dynamo.reset()
    compiled = torch.compile(f, fullgraph=True, backend="eager")
    try:
        _traced_policy(
            spec, "torch.compile", lambda s: float(compiled(s)), torch.tensor(2.5), torch.tensor(-1)
        )
    finally:
        torch._dynamo.reset()


def _policy_tensorflow(spec: Schedule) -> None:
    import numpy as np
    import tensorflow as tf

    import lrsched

    f = lrsched.render(spec, "tensorflow")

    def to_float(out: Any) -> float:
        return float(np.asarray(out).reshape(-1)[0])

    cases = {
        "Python": ((3.0, 3), 2.5, -1),
        "tensor": (
            (tf.constant([3.0]), tf.constant([3], tf.int64)),
            tf.constant([2.5]),
            tf.constant([-1], tf.int64),
        ),
    }
    _eager_policy("tensorflow", f, to_float, cases)
    traced = tf.function(lambda s: f(s))
    _traced_policy(
        spec, "tf.function", lambda s: float(traced(s)), tf.constant(2.5), tf.constant(-1, tf.int64)
    )


def _policy_generic(backend: str) -> Callable[[Schedule], None]:
    def check(spec: Schedule) -> None:
        import lrsched

        f = lrsched.render(spec, backend)
        if not callable(f):
            raise CheckSkipped(f"render(spec, {backend!r}) is not callable: no eager step to check")
        _eager_policy(backend, f, float, {"Python": ((3.0, 3), 2.5, -1)})

    return check


# -- the list ---------------------------------------------------------------------------------------
_STEP_DTYPES = {
    "numpy": _step_dtypes_numpy,
    "torch": _step_dtypes_torch,
    "jax": _step_dtypes_jax,
    "tensorflow": _step_dtypes_tensorflow,
}
_POLICIES = {
    "numpy": _policy_numpy,
    "torch": _policy_torch,
    "jax": _policy_jax,
    "tensorflow": _policy_tensorflow,
}


def all_checks() -> Iterator[Check]:
    """Every check, for every registered backend (those not available here are skipped)."""
    import lrsched

    registered = list(lrsched.plugins.all_backends())
    for rendering in renderings(registered):
        yield Check("values", rendering.label, _values(rendering), backend=rendering.backend)
    for rendering in renderings(registered):
        yield Check("boundaries", rendering.label, _boundaries(rendering), backend=rendering.backend)
    for name, func in _STEP_DTYPES.items():
        yield Check(
            "step_dtypes", name, func, backend=name, requires=("tensorflow",) if name == "tensorflow" else ()
        )
    yield Check("step_dtypes", "array_api_strict", _step_dtypes_strict, requires=("array_api_strict",))
    yield Check("serialization", None, _serialization)
    yield Check("json_schema", None, _json_schema, requires=("jsonschema",))
    yield Check("pickling", None, _pickling)
    yield Check("keras_config", None, _keras_config, backend="tensorflow")
    yield Check("torch_resume", None, _torch_resume, backend="torch")
    yield Check("jax_transforms", None, _jax_transforms, backend="jax")
    yield Check("torch_compile", None, _torch_compile, backend="torch")
    yield Check("kth_update", "keras", _kth_keras, backend="tensorflow")
    yield Check("kth_update", "torch", _kth_torch, backend="torch")
    yield Check("kth_update", "optax", _kth_optax, backend="jax", requires=("optax",))
    yield Check("step_policy", "core", _policy_core)
    for backend in registered:
        policy = _POLICIES.get(backend) or _policy_generic(backend)
        yield Check(
            "step_policy",
            backend,
            policy,
            backend=backend,
            requires=("tensorflow",) if backend == "tensorflow" else (),
        )
