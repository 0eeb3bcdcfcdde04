"""lrsched.load and the CLI read JSON, YAML and TOML; errors name the file and the line."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

import lrsched
from lrsched.cli import main
from lrsched.testing import strategies

SPEC = lrsched.ExponentialDecay(0.1, 1000, 0.96, staircase=True)
TEXTS = {
    "json": json.dumps(lrsched.serialize(SPEC), indent=2),
    "yaml": "class_name: ExponentialDecay\nconfig:\n  initial_learning_rate: 0.1\n  decay_steps: 1000\n"
    "  decay_rate: 0.96\n  staircase: true\n",
    "yml": "{class_name: ExponentialDecay, config: {initial_learning_rate: 0.1, decay_steps: 1000, decay_rate: 0.96, staircase: true}}\n",
    "toml": 'class_name = "ExponentialDecay"\n[config]\ninitial_learning_rate = 0.1\ndecay_steps = 1000\n'
    "decay_rate = 0.96\nstaircase = true\n",
}


@pytest.mark.parametrize("suffix", TEXTS)
def test_each_format_loads(tmp_path, suffix, capsys):
    path = tmp_path / f"schedule.{suffix}"
    path.write_text(TEXTS[suffix])
    assert lrsched.load(path) == SPEC
    assert main(["show", str(path), "--steps", "0,1000"]) == 0
    assert "0.096" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("suffix", "text", "line"),
    [
        ("json", '{\n  "class_name": "ExponentialDecay",\n  "config": {,}\n}', 3),
        ("yaml", "class_name: ExponentialDecay\nconfig: [1, 2\n", 3),
        ("toml", 'class_name = "ExponentialDecay"\n[config\n', 2),
    ],
)
def test_syntax_errors_name_file_and_line(tmp_path, suffix, text, line):
    path = tmp_path / f"bad.{suffix}"
    path.write_text(text)
    with pytest.raises(lrsched.ConfigError) as info:
        lrsched.load(path)
    assert str(path) in str(info.value)
    assert f"line {line}" in str(info.value)


def test_invalid_values_name_the_file(tmp_path):
    path = tmp_path / "zero.yaml"
    path.write_text(
        "class_name: ExponentialDecay\nconfig: {initial_learning_rate: 0.1, decay_steps: 0, decay_rate: 0.5}\n"
    )
    with pytest.raises(lrsched.ConfigError, match=r"zero\.yaml: .*decay_steps=0"):
        lrsched.load(path)


def test_yaml_is_read_with_the_safe_loader(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(lrsched.ConfigError, match=r"evil\.yaml"):
        lrsched.load(path)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(lrsched.ConfigError, match=r"unknown config format '\.ini'"):
        lrsched.load(tmp_path / "x.ini")
    with pytest.raises(lrsched.ConfigError, match="cannot read"):
        lrsched.load(tmp_path / "missing.toml")


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
@settings(max_examples=25, deadline=None)
@given(spec=strategies.specs(max_depth=2))
def test_dump_writes_what_load_reads_back(tmp_path_factory, suffix, spec):
    path = tmp_path_factory.mktemp("dump") / f"schedule{suffix}"
    lrsched.dump(spec, path)
    assert lrsched.load(path) == spec


def test_dump_toml_reads_as_tables(tmp_path):
    spec = lrsched.Join([lrsched.Constant(0.1), lrsched.CosineDecay(0.1, 100)], [10])
    lrsched.dump(spec, tmp_path / "s.toml")
    text = (tmp_path / "s.toml").read_text()
    assert '[[config.schedules]]\nclass_name = "Constant"' in text
    assert "warmup_target" not in text  # None: left out, its default


def test_dump_refuses_an_unknown_suffix(tmp_path):
    with pytest.raises(lrsched.ConfigError, match=r"unknown config format '\.ini'"):
        lrsched.dump(lrsched.Constant(0.1), tmp_path / "s.ini")
