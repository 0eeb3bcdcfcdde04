"""Example specs of every built-in schedule, and a composite schedule, shared by the tests."""

from __future__ import annotations

import lrsched
from lrsched.spec import PositiveFloat

# An example of each built-in schedule; a meta-test below insists every registered one has one.
EXAMPLES = {
    "ExponentialDecay": [
        lrsched.ExponentialDecay(0.1, 100000, 0.96, staircase=True),
        lrsched.ExponentialDecay(0.0, 1, 2.0, name="grow"),
    ],
}


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
