"""Example specs of every built-in schedule, and a composite schedule, shared by the tests."""

from __future__ import annotations

import lrsched
from lrsched.spec import PositiveFloat

# An example of each built-in schedule; a meta-test below insists every registered one has one.
_DECAY = lrsched.ExponentialDecay(0.1, 1000, 0.5)
_STAIRS = lrsched.ExponentialDecay(0.1, 100, 0.5, staircase=True)
EXAMPLES = {
    "ExponentialDecay": [
        lrsched.ExponentialDecay(0.1, 100000, 0.96, staircase=True),
        lrsched.ExponentialDecay(0.0, 1, 2.0, name="grow"),
    ],
    "PiecewiseConstantDecay": [
        lrsched.PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1]),
        lrsched.PiecewiseConstantDecay([0, 2**31 - 1, 2**40], [0.3, 0.2, 0.1, 0.0]),  # past int32
    ],
    "PolynomialDecay": [
        lrsched.PolynomialDecay(0.1, 10000, 0.0, power=2.0),
        lrsched.PolynomialDecay(0.0, 3000, 0.1, power=0.5),  # a rise
        lrsched.PolynomialDecay(0.1, 700, 0.001, power=3.0, cycle=True),
        lrsched.PolynomialDecay(0.1, 2**33, 1e-6, power=1.7),  # longer than int32
    ],
    "InverseTimeDecay": [
        lrsched.InverseTimeDecay(0.1, 1000, 0.5),
        lrsched.InverseTimeDecay(0.1, 7, 2.5, staircase=True),
    ],
    "CosineDecay": [
        lrsched.CosineDecay(0.1, 10000),
        lrsched.CosineDecay(0.1, 999, alpha=0.01),
        lrsched.CosineDecay(1e-5, 5000, alpha=0.1, warmup_target=1e-3, warmup_steps=500),
    ],
    "CosineDecayRestarts": [
        lrsched.CosineDecayRestarts(0.1, 1000),
        lrsched.CosineDecayRestarts(0.1, 3, t_mul=2.0, m_mul=0.9, alpha=0.05),  # restarts past 2**24
        lrsched.CosineDecayRestarts(0.1, 100, t_mul=1.0, m_mul=0.5),
        lrsched.CosineDecayRestarts(0.1, 1000, t_mul=0.5),  # cycles shrink to step 2000
        lrsched.CosineDecayRestarts(0.1, 10, t_mul=1.5),
    ],
    "Constant": [lrsched.Constant(0.01), lrsched.Constant(0.0)],
    "Join": [
        lrsched.Join([lrsched.Constant(0.1), _STAIRS, lrsched.Constant(0.001)], [100, 1000]),
        lrsched.Join([_DECAY], []),  # one schedule, no boundary
        lrsched.Join([lrsched.Constant(0.1), _DECAY], [0]),  # a boundary at 0: the second from the start
    ],
    "Warmup": [
        lrsched.Warmup(_DECAY, 100),
        lrsched.Warmup(_STAIRS, 250, start_value=0.001, shape="cosine", shift=False),
        lrsched.Warmup(_DECAY, 64, start_value=1e-5, shape="exponential"),
    ],
    "Offset": [lrsched.Offset(_STAIRS, 1000)],
    "Scale": [lrsched.Scale(_DECAY, 0.5)],
    "Clip": [lrsched.Clip(_DECAY, minimum=0.01), lrsched.Clip(_STAIRS, 0.02, 0.05)],
    # HF transformers' shapes
    "CosineCycles": [
        lrsched.CosineCycles(0.1, 1000),  # HF's cosine: down to 0 at 1000, up again after
        lrsched.CosineCycles(0.1, 999, num_cycles=1.3, alpha=0.05, lead=1),  # a period of 768.46 steps
        lrsched.CosineCycles(1e-3, 2**40 + 3, num_cycles=0.3),  # a non-dyadic frequency, past int32
    ],
    "CosineHardRestarts": [
        lrsched.CosineHardRestarts(0.1, 1000),
        lrsched.CosineHardRestarts(0.1, 1000, num_cycles=3),  # restarts at 334 and 667
        lrsched.CosineHardRestarts(0.1, 2**33 + 1, num_cycles=2.7),  # past int32
    ],
    "InverseSqrtDecay": [lrsched.InverseSqrtDecay(0.1), lrsched.InverseSqrtDecay(1e-3, timescale=7)],
    "OneMinusSqrtDecay": [
        lrsched.OneMinusSqrtDecay(0.1, 1000),
        lrsched.OneMinusSqrtDecay(0.1, 2**33, end_learning_rate=1e-4),  # past int32
    ],
    # PyTorch's closed-form schedulers
    "CosineAnnealing": [
        lrsched.CosineAnnealing(0.1, 1000),
        lrsched.CosineAnnealing(0.1, 3, eta_min=0.001),  # many periods
        lrsched.CosineAnnealing(0.001, 2**33, eta_min=0.1),  # a rise, longer than int32
    ],
    "Cyclical": [
        lrsched.Cyclical(0.001, 0.1, 2000),
        lrsched.Cyclical(0.01, 0.1, 5, 3, mode="triangular2"),
        lrsched.Cyclical(0.0, 1.0, 7, 0, mode="exp_range", gamma=0.999),  # no fall: a sawtooth
    ],
    "OneCycle": [
        lrsched.OneCycle(0.1, 1000),
        lrsched.OneCycle(1.0, 10, pct_start=0.1),  # a first phase of length 0 (torch divides by 0)
        lrsched.OneCycle(0.01, 12345, 0.25, "linear", three_phase=True),
        lrsched.OneCycle(0.1, 2**40, 0.3),  # phase ends past int32
    ],
    "Product": [
        lrsched.Product(
            [lrsched.ExponentialDecay(0.1, 1, 0.999), lrsched.PiecewiseConstantDecay([4], [0.1, 1.0])]
        ),
        lrsched.Product([_DECAY]),
    ],
    # optax's shapes
    "CosinePowerDecay": [
        lrsched.CosinePowerDecay(0.1, 10000, exponent=2.0),
        lrsched.CosinePowerDecay(0.1, 999, alpha=0.01, exponent=0.5),  # a power below 1: a steep tail
        lrsched.CosinePowerDecay(1.0, 2**33, alpha=0.0, exponent=7.5),  # longer than int32
    ],
    # TF Model Garden's schedules
    "ExponentialDecayWithOffset": [
        lrsched.ExponentialDecayWithOffset(
            1000, initial_learning_rate=0.1, decay_steps=100, decay_rate=0.5, staircase=True
        ),
        lrsched.ExponentialDecayWithOffset(initial_learning_rate=3e-4, decay_steps=7919, decay_rate=0.96),
    ],
    "PiecewiseConstantDecayWithOffset": [
        lrsched.PiecewiseConstantDecayWithOffset(500, boundaries=[100000, 110000], values=[1.0, 0.5, 0.1])
    ],
    "PolynomialDecayWithOffset": [
        lrsched.PolynomialDecayWithOffset(
            2000, initial_learning_rate=0.1, decay_steps=10000, end_learning_rate=0.0, power=2.0
        ),
        lrsched.PolynomialDecayWithOffset(
            300, initial_learning_rate=0.1, decay_steps=700, power=3.0, cycle=True
        ),
    ],
    "CosineDecayWithOffset": [
        lrsched.CosineDecayWithOffset(300, initial_learning_rate=0.1, decay_steps=1000, alpha=0.01),
        lrsched.CosineDecayWithOffset(
            50, initial_learning_rate=1e-5, decay_steps=5000, warmup_target=1e-3, warmup_steps=500
        ),
    ],
    "LinearWarmup": [lrsched.LinearWarmup(_DECAY, 100, 0.0), lrsched.LinearWarmup(0.1, 500, 0.01)],
    "PolynomialWarmUp": [
        lrsched.PolynomialWarmUp(_STAIRS, 250, power=2.0),
        lrsched.PolynomialWarmUp(0.1, 10000, power=0.5),
    ],
    "DirectPowerDecay": [lrsched.DirectPowerDecay(0.1, -0.5), lrsched.DirectPowerDecay(1e-4, 1.0)],
    "PowerAndLinearDecay": [
        lrsched.PowerAndLinearDecay(1.0, 100000, -0.5, 0.1, offset=1000),
        lrsched.PowerAndLinearDecay(
            0.5, 1000, power=0.0, linear_decay_fraction=0.15
        ),  # falls over 150.00000000000001
    ],
    "PowerDecayWithOffset": [
        lrsched.PowerDecayWithOffset(1.0, -0.5, offset=1000, pre_offset_learning_rate=0.01)
    ],
    "StepCosineDecayWithOffset": [
        lrsched.StepCosineDecayWithOffset([0, 500000], [1e-4, 5e-5], offset=10000),
        lrsched.StepCosineDecayWithOffset(
            [100, 1000, 3000], [1.0, 0.5, 0.1], offset=50
        ),  # first level periodic
    ],
}
#: Composition three levels deep: a clipped join of a warm-up, an offset staircase, a constant.
NESTED = lrsched.Clip(
    lrsched.Join(
        [
            lrsched.Warmup(lrsched.Scale(_DECAY, 2.0), 50, shape="cosine"),
            lrsched.Offset(_STAIRS, 7),
            lrsched.Constant(1e-4),
        ],
        [300, 2000],
    ),
    maximum=0.15,
)


class Scaled(lrsched.Schedule):
    """A composite, as Join/Warmup/Scale will be: it holds another spec and composes in value()."""

    schedule: lrsched.ScheduleField
    factor: PositiveFloat

    def value(self, step, xp):
        return self.factor * self.schedule.value(step, xp)


class ComposePlugin:
    @lrsched.hookimpl
    def lrsched_register_schedules(self, register):
        register(Scaled)
