"""Reading serialized schedules from files: JSON always; YAML and TOML where their parsers exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lrsched.errors import ConfigError, LrschedError

__all__ = ["dump", "load"]

_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}


def load(path: str | Path) -> Any:
    """The schedule a config file describes (what :func:`lrsched.serialize` writes).

    ``.json``; ``.yaml``/``.yml`` with PyYAML's safe loader (``pip install 'lrsched-xp[yaml]'``);
    ``.toml`` (the standard library's ``tomllib``). Errors name the file, and the line where the
    parser reports one.

    Example:
      >>> import json, tempfile, lrsched
      >>> spec = lrsched.ExponentialDecay(0.1, 1000, 0.96)
      >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
      ...     json.dump(lrsched.serialize(spec), f)
      >>> lrsched.load(f.name) == spec
      True
    """
    from lrsched.serialization import deserialize

    path = Path(path)
    data = read(path)
    try:
        return deserialize(data)
    except LrschedError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def read(path: str | Path) -> Any:
    """The data in a JSON, YAML or TOML file (by its suffix), unchecked; errors name the file."""
    path = Path(path)
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(f"{path}: unknown config format {path.suffix!r}; use one of {', '.join(_FORMATS)}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    return _parse(path, kind, text)


def _parse(path: Path, kind: str, text: str) -> Any:
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}, line {exc.lineno}: invalid JSON: {exc.msg}") from None
    if kind == "yaml":
        try:
            import yaml
        except ImportError:
            raise ConfigError(f"{path}: reading YAML needs PyYAML: pip install 'lrsched-xp[yaml]'") from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise ConfigError(f"{path}: reading TOML on Python 3.10 needs tomli: pip install tomli") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f", line {line.group(1)}" if line else ""
        raise ConfigError(f"{path}{where}: invalid TOML: {exc}") from None


def dump(spec: Any, path: str | Path) -> None:
    """Write ``spec`` to a config file that :func:`load` reads back as an equal spec.

    The format follows the suffix: ``.json``; ``.yaml``/``.yml`` (PyYAML); ``.toml`` (written here:
    tables for nested schedules; a ``None`` argument is left out, as TOML has no null, which
    leaves its default). The file is read back and compared before this returns: a spec that
    would not round-trip is a :class:`ConfigError`, never a silently different file.

    Example:
      >>> import tempfile, lrsched
      >>> spec = lrsched.Warmup(lrsched.CosineDecay(0.1, 1000), warmup_steps=100)
      >>> path = tempfile.mkdtemp() + "/schedule.toml"
      >>> lrsched.dump(spec, path)
      >>> lrsched.load(path) == spec
      True
    """
    from lrsched.serialization import serialize

    path = Path(path)
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(f"{path}: unknown config format {path.suffix!r}; use one of {', '.join(_FORMATS)}")
    data = serialize(spec)
    if kind == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif kind == "yaml":
        try:
            import yaml
        except ImportError:
            raise ConfigError(f"{path}: writing YAML needs PyYAML: pip install 'lrsched-xp[yaml]'") from None
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    else:
        text = "\n".join(_toml_table(data, ())) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    if load(path) != spec:
        raise ConfigError(f"{path}: the written {kind.upper()} does not read back as the same spec: {spec!r}")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {value!r} in TOML")


def _toml_table(table: dict[str, Any], where: tuple[str, ...]) -> list[str]:
    """TOML lines for ``table`` at the dotted path ``where``: its plain keys first, then its
    tables, then its arrays of tables (a list of nested schedules)."""
    lines, tables, arrays = [], [], []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in tables:
        path = (*where, key)
        lines += ["", f"[{'.'.join(map(_toml_key, path))}]", *_toml_table(value, path)]
    for key, values in arrays:
        path = (*where, key)
        for value in values:
            lines += ["", f"[[{'.'.join(map(_toml_key, path))}]]", *_toml_table(value, path)]
    return lines
