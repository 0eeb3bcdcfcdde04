import pytest

pytest.importorskip("torch")

import warnings

import torch

import lrsched

# Importing torch's inductor (the default torch.compile backend) imports torch.utils.mkldnn, whose
# class bodies call the deprecated torch.jit.script_method: a DeprecationWarning raised by torch
# about torch, on first use of torch.compile. Import it here, once, under a filter for exactly that
# message, so `filterwarnings = error` still catches every other warning in the tests.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"`torch\.jit\.script_method` is deprecated", category=DeprecationWarning
    )
    import torch._inductor.compile_fx


def make_optimizer(*lrs: float, cls=torch.optim.SGD, **kwargs) -> torch.optim.Optimizer:
    """An optimizer with one one-parameter group per lr, each parameter holding a zero gradient."""
    groups = []
    for lr in lrs:
        p = torch.nn.Parameter(torch.zeros(1))
        p.grad = torch.zeros(1)
        groups.append({"params": [p], "lr": lr})
    return cls(groups, **kwargs)


@pytest.fixture
def optimizer_factory():
    return make_optimizer


@pytest.fixture(autouse=True)
def _fresh_dynamo():
    """Each test compiles from scratch and counts only its own graphs and recompilations."""
    torch._dynamo.reset()
    torch._dynamo.utils.counters.clear()
    yield
    torch._dynamo.reset()


@pytest.fixture
def spec():
    return lrsched.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
