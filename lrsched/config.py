"""Reading serialized schedules from files: JSON always; YAML and TOML where their parsers exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lrsched.errors import ConfigError, LrschedError

__all__ = ["load"]

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
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(f"{path}: unknown config format {path.suffix!r}; use one of {', '.join(_FORMATS)}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    data = _parse(path, kind, text)
    try:
        return deserialize(data)
    except LrschedError as exc:
        raise type(exc)(f"{path}: {exc}") from None


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
