"""The ``lrsched`` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lrsched
from lrsched.cli import main

SPEC_ARGS = ["--initial-learning-rate", "0.1", "--decay-steps", "1000", "--decay-rate", "0.96"]


def table(out):
    lines = out.strip().splitlines()
    header = lines[1].split()
    return header, [dict(zip(header, line.split(), strict=True)) for line in lines[3:]]


def test_list(capsys):
    assert main(["list"]) == 0
    assert "ExponentialDecay" in capsys.readouterr().out


def test_plugins(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "schedules" in out and "lrsched-xp" in out and "loaded" in out and "backend numpy" in out


def test_show_by_name_prints_the_config_and_a_table_with_stair_boundaries(capsys):
    assert main(["show", "ExponentialDecay", *SPEC_ARGS, "--staircase", "--backend", "all"]) == 0
    out = capsys.readouterr().out
    config = json.loads(out.splitlines()[0])
    spec = lrsched.deserialize(config)
    assert spec == lrsched.ExponentialDecay(0.1, 1000, 0.96, staircase=True)
    header, rows = table(out)
    assert header == ["step", "exact", *lrsched.backends()]
    steps = [int(r["step"]) for r in rows]
    assert {0, 999, 1000, 1999, 2000, 10000} <= set(steps)
    for row in rows:
        assert float(row["exact"]) == spec(int(row["step"]))
        assert float(row["numpy"]) == pytest.approx(spec(int(row["step"])), rel=1e-12)


def test_show_from_a_config_file(tmp_path, capsys):
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(lrsched.serialize(lrsched.ExponentialDecay(0.1, 10, 0.5))))
    assert main(["show", str(path), "--steps", "0,10,20", "--backend", "numpy"]) == 0
    _, rows = table(capsys.readouterr().out)
    assert [(r["step"], float(r["exact"]), float(r["numpy"])) for r in rows] == [
        ("0", 0.1, 0.1),
        ("10", 0.05, 0.05),
        ("20", 0.025, 0.025),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "show",
                "ExponentialDecay",
                "--decay-steps",
                "0",
                "--decay-rate",
                "2",
                "--initial-learning-rate",
                "1",
            ],
            "decay_steps=0",
        ),
        (["show", "Exponential"], "did you mean 'ExponentialDecay'"),
        (["show", "ExponentialDecay", *SPEC_ARGS, "--backend", "nunpy"], "unknown backend 'nunpy'"),
        (
            ["show", "ExponentialDecay", *SPEC_ARGS, "--steps", "a,b"],
            "--steps takes comma-separated integers",
        ),
        (["show", "ExponentialDecay", *SPEC_ARGS, "--steps", "-1"], "integers >= 0"),
        (["show", "missing.json"], "cannot read missing.json"),
        (["show"], "show needs a schedule name"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["show", "ExponentialDecay", "--bogus", "1"], ["list", "extra"], ["frobnicate"]]
)
def test_argparse_errors_exit_2(argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_bad_config_file_names_the_file(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"class_name": "ExponentialDecay", "config": {"decay_steps": -1}}')
    assert main(["show", str(path)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_schedule_help_lists_its_arguments(capsys):
    with pytest.raises(SystemExit) as info:
        main(["show", "ExponentialDecay", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--decay-steps" in out and "--staircase" in out


def test_the_installed_command():
    beside = Path(sys.executable).with_name("lrsched")  # the environment's own scripts folder
    command = str(beside) if beside.exists() else shutil.which("lrsched") or pytest.fail("no lrsched command")
    out = subprocess.run([command, "show", "ExponentialDecay", *SPEC_ARGS], capture_output=True, text=True)
    assert out.returncode == 0 and "ExponentialDecay" in out.stdout
    bad = subprocess.run(
        [command, "show", "ExponentialDecay", "--decay-steps", "x"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "decay_steps" in bad.stderr
    module = subprocess.run([sys.executable, "-m", "lrsched.cli", "list"], capture_output=True, text=True)
    assert module.returncode == 0


def test_show_all_names_the_backends_it_skips(capsys):
    assert main(["show", "ExponentialDecay", *SPEC_ARGS, "--steps", "0", "--backend", "all"]) == 0
    err = capsys.readouterr().err
    registered = lrsched.plugins.all_backends()
    skipped = [name for name, backend in registered.items() if not backend.available()]
    for name in skipped:
        extra = registered[name].extra
        assert f"skipped backend {name!r}" in err
        assert (f"pip install 'lrsched-xp[{extra}]'" if extra else "pip install") in err
    assert err.count("skipped backend") == len(skipped)
    assert main(["show", "ExponentialDecay", *SPEC_ARGS, "--steps", "0", "--backend", "numpy"]) == 0
    assert "skipped" not in capsys.readouterr().err  # only 'all' reports what it leaves out


def test_show_help_lists_every_config_format(capsys):
    assert main(["show", "--help"]) == 0
    assert "(.json, .yaml, .toml)" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("boundaries", ["100,200", "[100, 200]"])
def test_tuple_arguments_take_comma_separated_numbers_or_json(boundaries, capsys):
    argv = ["show", "PiecewiseConstantDecay", "--boundaries", boundaries, "--values", "0.1, 0.01,0.001"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert lrsched.deserialize(out.splitlines()[0]) == lrsched.PiecewiseConstantDecay(
        [100, 200], [0.1, 0.01, 0.001]
    )
    _, rows = table(out)
    assert {int(r["step"]): float(r["exact"]) for r in rows}[101] == 0.01


def test_a_bad_tuple_element_is_named(capsys):
    assert main(["show", "PiecewiseConstantDecay", "--boundaries", "100", "--values", "0.1,x"]) == 2
    assert "element 1 is 'x'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name", ["PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts"]
)
def test_every_keras_twin_shows_from_its_arguments(name, capsys):
    first = "--first-decay-steps" if name == "CosineDecayRestarts" else "--decay-steps"
    extra = ["--decay-rate", "0.5"] if name == "InverseTimeDecay" else []
    assert main(["show", name, "--initial-learning-rate", "0.1", first, "100", *extra]) == 0
    out = capsys.readouterr().out
    spec = lrsched.deserialize(out.splitlines()[0])
    _, rows = table(out)
    assert [float(r["exact"]) for r in rows] == [spec(int(r["step"])) for r in rows]
