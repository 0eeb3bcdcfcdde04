"""lrsched.plot and ``lrsched plot``: a picture with matplotlib, a sparkline without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import lrsched
from lrsched.cli import main
from lrsched.plotting import sample_steps, sparkline

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
SPEC_ARGS = [
    "ExponentialDecay",
    "--initial-learning-rate",
    "0.1",
    "--decay-steps",
    "100",
    "--decay-rate",
    "0.5",
]


def test_plot_draws_exact_and_one_curve_per_backend():
    spec = lrsched.ExponentialDecay(0.1, 100, 0.5, staircase=True)
    ax = lrsched.plot(spec, backends=lrsched.backends(), log=True, steps=500)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["exact", *lrsched.backends()]
    xs, ys = lines[0].get_data()
    assert xs[0] == 0 and xs[-1] == 500
    assert list(ys) == [spec(int(x)) for x in xs]
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_cli_writes_the_picture(tmp_path, suffix, capsys):
    out = tmp_path / f"schedule.{suffix}"
    assert main(["plot", *SPEC_ARGS, "--staircase", "--backend", "all", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in data
    assert len(data) > 5000


def test_cli_without_an_output_file_draws_a_sparkline(capsys):
    """What the help says: without -o, a sparkline in the terminal (matplotlib or not)."""
    assert main(["plot", *SPEC_ARGS, "--staircase", "--horizon", "400"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("█") and "▁" in out and "steps 0..400, lr 0.00625..0.1" in out
    assert main(["plot", "--help"]) == 0
    assert "Without -o, a sparkline in the terminal" in " ".join(capsys.readouterr().out.split())


def test_without_matplotlib_a_sparkline_and_how_to_get_the_picture(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["matplotlib"] = None  # as if it were not installed
        from lrsched.cli import main
        sys.exit(main(["plot", *{SPEC_ARGS!r}, "--horizon", "1000", "-o", {str(tmp_path / "x.png")!r}]))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1  # the picture asked for was not written
    assert result.stdout.startswith("█") and "▁" in result.stdout
    assert "pip install 'lrsched-xp[plot]'" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_sparkline_and_sampling():
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8], width=8) == "▁▂▃▄▅▆▇█"
    assert sparkline([1, 10, 100, 1000], width=4, log=True) == "▁▃▆█"
    assert sample_steps(None, [5, 1, 5]) == [1, 5]
    assert sample_steps(None, 10) == list(range(11))
    with pytest.raises(lrsched.ConfigError):
        sample_steps(None, -1)
