"""Every installed backend renders every registered schedule as exact math says: the conformance kit
(``lrsched.testing``) over a few fixed specs, and over specs of every registered schedule drawn by
hypothesis from its fields (a new schedule or backend is tested here without new tests).

Each (schedule, check) pair is its own test id; a check whose framework is absent is skipped. The
generated specs are bounded per test (``KIT_EXAMPLES``; compositions, one level deep,
``COMPOSITE_EXAMPLES``); ``tox -e fuzz`` (``-m slow``) draws many more, nested two deep.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os

import pytest
from examples import EXAMPLES, NESTED
from found_by_fuzz import FOUND_BY_FUZZ
from hypothesis import HealthCheck, given, settings

import lrsched
from lrsched.testing import CheckSkipped, check_schedule, checks, parametrize_with_checks, strategies

#: A framework's tox env sets LRSCHED_KIT_BACKENDS to its backend: there the fixed specs are one
#: example per schedule and the generated ones are left to the core env and tox -e fuzz (each
#: spec compiles new code there); the core env runs every example through numpy and the rest.
ONLY = os.environ.get("LRSCHED_KIT_BACKENDS")
SPECS = [
    lrsched.ExponentialDecay(0.1, 100000, 0.96, staircase=True),
    lrsched.ExponentialDecay(0.1, 3, 0.999999, staircase=True),  # stairs past 2**24 and 2**31
    lrsched.ExponentialDecay(3e-4, 7919, 0.5),
    lrsched.ExponentialDecay(1e-7, 100, 10.0),
    lrsched.ExponentialDecay(0.0, 10, 0.5),
    NESTED,  # composition three levels deep, in every backend
    *(
        spec
        for name, specs in EXAMPLES.items()
        if name != "ExponentialDecay"
        for spec in (specs if ONLY is None else specs[:1])
    ),
]
PROFILE = os.environ.get("LRSCHED_HYPOTHESIS_PROFILE", "ci")
#: Generated specs per (schedule, check) test in the default run, and under -m slow (tox -e fuzz).
KIT_EXAMPLES = int(os.environ.get("LRSCHED_KIT_EXAMPLES", "3"))
FUZZ_EXAMPLES = 150
CASES = [
    (name, check)
    for name in sorted(lrsched.schedules())
    for check in checks()
    if ONLY is None or check.backend in ONLY.split(",")
]
IDS = [f"{name}-{check.id}" for name, check in CASES]


@parametrize_with_checks(SPECS)
def test_fixed_specs(spec, check):
    check(spec)


@functools.cache
def spec_strategy(name, max_depth):
    """Built once per schedule and depth: building one reads every schedule's JSON Schema, which
    cost more than drawing and checking a few specs."""
    return strategies.specs(name, max_depth=max_depth)


def run_generated(name, check, examples, max_depth=2):
    reason = check.skip_reason()
    if reason is not None:
        pytest.skip(reason)

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(spec=spec_strategy(name, max_depth))
    def run(spec):
        with contextlib.suppress(CheckSkipped):  # nothing to check here (a smooth spec has no boundaries)
            check(spec)

    run()


def composite(name):
    """Whether the schedule holds schedules (its generated specs nest random ones)."""
    return "#/$defs/Schedule" in json.dumps(lrsched.schema(name)["$defs"][name])


#: The default run generates specs of every schedule, compositions included: a composition there
#: holds schedules that hold none (one level; each spec costs its exact values at every step it
#: is checked at, which grows with each level); tox -e fuzz nests two levels and draws many more.
COMPOSITE_EXAMPLES = int(os.environ.get("LRSCHED_KIT_COMPOSITE_EXAMPLES", "3"))


@pytest.mark.parametrize(("name", "check"), CASES, ids=IDS)
def test_generated_specs(name, check):
    if KIT_EXAMPLES == 0:
        pytest.skip("LRSCHED_KIT_EXAMPLES=0: generated specs run in the core env and tox -e fuzz")
    if composite(name):
        run_generated(name, check, min(KIT_EXAMPLES, COMPOSITE_EXAMPLES), max_depth=1)
    else:
        run_generated(name, check, KIT_EXAMPLES)


@pytest.mark.slow  # tox -e fuzz: many more, drawn at random
@pytest.mark.parametrize(("name", "check"), CASES, ids=IDS)
def test_generated_specs_fuzz(name, check):
    run_generated(name, check, FUZZ_EXAMPLES if PROFILE == "fuzz" else KIT_EXAMPLES)


@pytest.mark.parametrize("backend", lrsched.backends())
def test_a_composition_renders_as_one_native_object(backend):
    """Not a chain of objects (torch's SequentialLR, several Keras schedules): one, whose value is
    the spec's one ``value``."""
    native = lrsched.render(NESTED, backend)
    assert getattr(native, "spec", NESTED) == NESTED
    if backend == "torch":
        import torch
        from lrsched_torch import ScheduleLR

        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = lrsched.render(NESTED, "torch", optimizer=opt)
        assert type(scheduler) is ScheduleLR
        assert isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)
    if backend == "tensorflow":
        import keras

        assert isinstance(native, keras.optimizers.schedules.LearningRateSchedule)


@pytest.mark.parametrize("text", FOUND_BY_FUZZ)
def test_what_the_fuzz_env_found(text):
    """Each spec tox -e fuzz found failing passes the kit in this env's backends (the framework
    envs run no generated specs: this is where XLA's flushed subnormals and folded constants
    showed)."""
    spec = eval(text, dict(lrsched.schedules()))
    check_schedule(spec, backends=None if ONLY is None else ONLY.split(","))
