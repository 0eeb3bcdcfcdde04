"""Drawing a schedule: matplotlib where installed, a terminal sparkline where not."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["plot", "sample_steps", "sparkline"]

_BARS = "▁▂▃▄▅▆▇█"


def sample_steps(spec: Any, steps: int | Sequence[int] | None = None, points: int = 1000) -> list[int]:
    """The steps to draw: ``steps`` itself if a sequence, else ``points`` steps from 0 to the horizon.

    The horizon is ``steps`` if an int, else the last of the schedule's ``preview_steps()``.
    """
    if steps is not None and not isinstance(steps, int):
        return sorted({int(s) for s in steps})
    if steps is None:
        preview = getattr(spec, "preview_steps", None)
        horizon = max(preview()) if preview is not None else 10_000
    else:
        horizon = steps
    if horizon < 0:
        from lrsched.errors import ConfigError

        raise ConfigError(f"the plot's horizon must be >= 0; received {horizon}")
    count = min(points, horizon + 1)
    return sorted({round(i * horizon / max(count - 1, 1)) for i in range(count)})


def plot(
    spec: Any,
    ax: Any = None,
    *,
    steps: int | Sequence[int] | None = None,
    backends: Sequence[str] = (),
    log: bool = False,
) -> Any:
    """Draw ``spec`` on a matplotlib ``ax`` (a new figure's if None): the exact curve, and one
    curve per backend in ``backends``.

    Args:
      spec: the schedule.
      ax: a matplotlib Axes, or None.
      steps: the horizon (an int) or the steps to draw; default: the schedule's preview horizon.
      backends: backends whose rendered values to draw too (``lrsched.backends()`` for all).
      log: a logarithmic learning-rate axis.

    Returns:
      The Axes.

    Example:
      >>> import lrsched
      >>> ax = lrsched.plot(lrsched.ExponentialDecay(0.1, 100, 0.5, staircase=True), backends=["numpy"])
      >>> [line.get_label() for line in ax.get_lines()]
      ['exact', 'numpy']
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        from lrsched.errors import LrschedError

        raise LrschedError("plotting needs matplotlib: pip install 'lrsched-xp[plot]'") from None
    from lrsched.rendering import evaluate

    xs = sample_steps(spec, steps)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    ax.plot(xs, [spec(x) for x in xs], label="exact", linewidth=2.5, alpha=0.5)
    styles = ["--", ":", "-.", (0, (5, 1))]
    for i, name in enumerate(backends):
        ax.plot(xs, evaluate(spec, xs, name), label=name, linestyle=styles[i % len(styles)], linewidth=1.2)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_title(repr(spec), fontsize="small", wrap=True)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def sparkline(values: Sequence[float], width: int = 64, *, log: bool = False) -> str:
    """``values`` as one line of block characters, ``width`` wide.

    Example:
      >>> sparkline([1, 2, 3, 4, 5, 6, 7, 8], width=8)
      '▁▂▃▄▅▆▇█'
    """
    if not values:
        return ""
    picked = [
        values[round(i * (len(values) - 1) / max(width - 1, 1))] for i in range(min(width, len(values)))
    ]
    scaled = [math.log10(v) if log and v > 0 else (-math.inf if log else v) for v in picked]
    finite = [v for v in scaled if math.isfinite(v)]
    if not finite:
        return " " * len(picked)
    low, high = min(finite), max(finite)
    span = high - low or 1.0
    return "".join(
        _BARS[min(len(_BARS) - 1, int((v - low) / span * len(_BARS)))] if math.isfinite(v) else " "
        for v in scaled
    )
