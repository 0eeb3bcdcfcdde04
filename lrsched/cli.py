"""The ``lrsched`` command: list schedules and plugins, show a schedule's values.

Examples::

    lrsched list
    lrsched plugins
    lrsched show ExponentialDecay --initial-learning-rate 0.1 --decay-steps 1000 --decay-rate 0.96 --staircase
    lrsched show config.json --backend all
    lrsched plot config.yaml --backend all --log -o schedule.png
    lrsched schema > lrsched.schema.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import typing
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrsched.errors import ConfigError, LrschedError

__all__ = ["main"]


def _parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser(
        prog="lrsched",
        description="Declare a learning-rate schedule once; use it in numpy, Keras, PyTorch and JAX.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="the registered schedules")
    commands.add_parser("plugins", help="loaded, failed and blocked plugins")
    show = commands.add_parser(
        "show",
        help="a table of a schedule's values",
        description=(
            "Print a schedule's values at well-chosen steps. SCHEDULE is a registered name followed "
            "by its arguments as options (--decay-steps 1000 ...), or a serialized config file "
            "(.json, .yaml, .toml)."
        ),
        epilog="Run 'lrsched show NAME --help' for NAME's arguments.",
        add_help=False,
    )
    show.add_argument("schedule", metavar="SCHEDULE", nargs="?")
    show.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    _add_show_options(show)
    plot = commands.add_parser(
        "plot",
        help="draw a schedule: a terminal sparkline, or a picture with -o FILE (matplotlib)",
        description=(
            "Draw SCHEDULE (a name and its arguments, or a config file: .json, .yaml, .toml). Without -o, "
            "a sparkline in the terminal; with -o FILE, a picture (.png, .svg, .pdf; needs matplotlib)."
        ),
        epilog="Run 'lrsched plot NAME --help' for NAME's arguments.",
        add_help=False,
    )
    plot.add_argument("schedule", metavar="SCHEDULE", nargs="?")
    plot.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    _add_show_options(plot, plotting=True)
    convert = commands.add_parser(
        "convert",
        help="a framework's schedule config to an lrsched config",
        description=(
            "Read IN (.json, .yaml, .toml): a Keras or TF Model Garden schedule config, a TF Model "
            "Garden OptimizationConfig or experiment (trainer.optimizer_config), HF TrainingArguments, "
            'or an optax call {"optax": NAME, "kwargs": {...}}; write the equal '
            "lrsched config to OUT (JSON, YAML or TOML by its suffix), or JSON to standard output."
        ),
    )
    convert.add_argument("input", metavar="IN")
    convert.add_argument("-o", "--output", metavar="OUT")
    schema = commands.add_parser("schema", help="the JSON Schema of serialized schedules")
    schema.add_argument(
        "name", nargs="?", metavar="NAME", help="one registered schedule (default: all, as a union)"
    )
    return parser, {"show": show, "plot": plot}


def _add_show_options(parser: argparse.ArgumentParser, *, plotting: bool = False) -> None:
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    parser.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "add backend NAME's rendered values (a column in show, a curve in plot; 'all': every "
            "installed backend, naming the ones skipped and the extra that installs each); repeatable"
        ),
    )
    parser.add_argument(
        "--steps", metavar="N,N,...", help="the steps to show (default: chosen by the schedule)"
    )
    parser.add_argument("--horizon", type=int, metavar="N", help="the last step to show")
    if plotting:
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="write a picture here (.png, .svg, .pdf; needs matplotlib); default: a terminal sparkline",
        )
        parser.add_argument("--log", action="store_true", help="a logarithmic learning-rate axis")


def _field_parser(cls: type, command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"lrsched {command} {cls.__name__}", add_help=False)
    _add_show_options(parser, plotting=command == "plot")
    group = parser.add_argument_group(f"{cls.__name__} arguments")
    hints = typing.get_type_hints(cls, include_extras=True)
    for name, field in cls.model_fields.items():  # type: ignore[attr-defined]
        flag = "--" + name.replace("_", "-")
        base = typing.get_args(hints[name])[0] if typing.get_args(hints[name]) else hints[name]
        required = " (required)" if field.is_required() else f" (default: {field.default!r})"
        if base is bool:
            group.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, help=required.strip())
        else:
            if typing.get_origin(base) is tuple:
                items = typing.get_args(base)
                if items and items[0] in (int, float):
                    kind = "comma-separated numbers (or a JSON list)"
                    group.add_argument(
                        flag, dest=name, metavar="N,N,...", type=_parse_list, help=f"{kind}{required}"
                    )
                    continue
            kind = {int: "an integer", float: "a number", str: "a string"}.get(base, "JSON")
            group.add_argument(flag, dest=name, metavar="VALUE", help=f"{kind}{required}")
    return parser


def _parse_list(raw: str) -> Any:
    """``100,200`` or ``[100, 200]``: a list of numbers (a malformed item is left for the
    schedule's own validation to name)."""
    value = _parse_value(raw)
    if isinstance(value, list):
        return value
    return [_parse_value(part.strip()) for part in raw.split(",")]


def _parse_value(raw: str) -> Any:
    """Numbers and JSON as such (so 1e5 is a float and 1000 an int); anything else is a string."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _load_spec(source: str, rest: list[str], command: str) -> tuple[Any, argparse.Namespace]:
    from lrsched import plugins
    from lrsched.config import load

    path = Path(source)
    if path.suffix.lower() in {".json", ".yaml", ".yml", ".toml"} or path.is_file():
        options = argparse.ArgumentParser(prog=f"lrsched {command}", add_help=False)
        _add_show_options(options, plotting=command == "plot")
        return load(path), options.parse_args(rest)
    cls = plugins.schedule_class(source)
    parser = _field_parser(cls, command)
    args = parser.parse_args(rest)
    if args.help:
        parser.print_help()
        raise SystemExit(0)
    fields = {
        name: _parse_value(getattr(args, name))
        if isinstance(getattr(args, name), str)
        else getattr(args, name)
        for name in cls.model_fields  # type: ignore[attr-defined]
        if getattr(args, name) is not None
    }
    return cls(**fields), args


def _steps(spec: Any, args: argparse.Namespace) -> list[int]:
    if args.steps:
        try:
            steps = [int(part) for part in args.steps.split(",") if part.strip()]
        except ValueError:
            raise ConfigError(f"--steps takes comma-separated integers; received {args.steps!r}") from None
        if not steps or min(steps) < 0:
            raise ConfigError(f"--steps takes integers >= 0; received {args.steps!r}")
        return steps
    if args.horizon is not None and args.horizon < 0:
        raise ConfigError(f"--horizon must be >= 0; received {args.horizon}")
    preview = getattr(spec, "preview_steps", None)
    if preview is not None:
        return preview(args.horizon)
    horizon = 10**6 if args.horizon is None else args.horizon
    return sorted({0, *(int(horizon * f) for f in (0.001, 0.01, 0.1, 0.25, 0.5, 0.75)), horizon})


def _backends(requested: list[str]) -> list[str]:
    """The backends to add columns for; ``all`` is every installed one, and the registered ones
    it skips are named on standard error with the extra that installs each."""
    from lrsched.plugins import all_backends
    from lrsched.rendering import backends

    chosen: list[str] = []
    for name in requested:
        for one in backends() if name == "all" else [name]:
            if one not in chosen:
                chosen.append(one)
    if "all" in requested:
        for name, backend in all_backends().items():
            if not backend.available():
                install = (
                    f"pip install 'lrsched-xp[{backend.extra}]'"
                    if backend.extra
                    else f"pip install {' '.join(backend.missing())}"
                )
                print(
                    f"lrsched: skipped backend {name!r}: {', '.join(backend.missing())} not installed "
                    f"(install it with: {install})",
                    file=sys.stderr,
                )
    return chosen


def _show(source: str | None, rest: list[str]) -> int:
    from lrsched.rendering import evaluate
    from lrsched.serialization import serialize

    if source is None:
        raise ConfigError("show needs a schedule name or a config file; see 'lrsched list'")
    spec, args = _load_spec(source, rest, "show")
    chosen = _backends(args.backend)
    steps = _steps(spec, args)
    columns = {name: evaluate(spec, steps, name) for name in chosen}
    print(json.dumps(serialize(spec)))
    header = ["step", "exact", *chosen]
    rows = [
        [str(step), repr(spec(step)), *(repr(columns[name][i]) for name in chosen)]
        for i, step in enumerate(steps)
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


def _plot(source: str | None, rest: list[str]) -> int:
    from lrsched.plotting import plot, sample_steps, sparkline

    if source is None:
        raise ConfigError("plot needs a schedule name or a config file; see 'lrsched list'")
    spec, args = _load_spec(source, rest, "plot")
    chosen = _backends(args.backend)
    if args.steps:
        steps: Any = _steps(spec, args)
    else:
        steps = args.horizon
    xs = sample_steps(spec, steps)
    values = [spec(x) for x in xs]
    line = (
        f"{sparkline(values, log=args.log)}  steps {xs[0]}..{xs[-1]}, lr {min(values):.6g}..{max(values):.6g}"
    )
    if not args.output:  # the terminal is the picture
        print(line)
        return 0
    try:
        import matplotlib
    except ImportError:
        print(line)
        print(
            f"lrsched: {args.output} not written: matplotlib is not installed; "
            "for the picture: pip install 'lrsched-xp[plot]'",
            file=sys.stderr,
        )
        return 1
    matplotlib.use("Agg")  # no display needed; only the command line does this
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), layout="constrained")
    plot(spec, figure.add_subplot(), steps=xs, backends=chosen, log=args.log)
    try:
        figure.savefig(args.output)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot write {args.output}: {exc}") from None
    print(f"wrote {args.output}")
    return 0


def _schema(name: str | None) -> int:
    from lrsched.json_schema import schema

    print(json.dumps(schema(name), indent=2))
    return 0


def _list() -> int:
    from lrsched import plugins

    registry = plugins.get_host().registry
    for name, cls in sorted(registry.schedules.items()):
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        print(f"{name:<24} {summary}  [{registry.schedule_sources[name]}]")
    return 0


def _plugins() -> int:
    from lrsched import plugins

    with warnings.catch_warnings():  # the table says what the warnings would
        warnings.simplefilter("ignore", plugins.LrschedPluginWarning)
        infos = plugins.report()
    rows = [
        (
            info.name,
            info.status,
            f"{info.distribution} {info.version}" if info.distribution else "(inline)",
            ", ".join([*info.schedules, *(f"backend {b}" for b in info.backends)]) or "-",
        )
        for info in infos
    ]
    widths = [max(len(row[i]) for row in rows) if rows else 0 for i in range(3)]
    for info, row in zip(infos, rows, strict=True):
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]))
        if info.reason:
            print(f"{'':<{widths[0]}}  reason: {info.reason}")
    return 0


def _warning_line(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> str:
    return f"lrsched: warning: {message}\n"


def _convert(source: str, output: str | None) -> int:
    from lrsched.config import dump, read
    from lrsched.importers import convert
    from lrsched.serialization import serialize

    try:
        spec = convert(read(source))
    except LrschedError as exc:
        message = str(exc)
        raise type(exc)(message if message.startswith(str(source)) else f"{source}: {message}") from None
    if output is None:
        print(json.dumps(serialize(spec), indent=2))
    else:
        dump(spec, output)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad arguments)."""
    warnings.formatwarning = _warning_line  # type: ignore[assignment] - one line, no source excerpt
    parser, schedule_parsers = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["show"], ["plot"]) and len(argv) > 1 and not argv[1].startswith("-"):
        source, rest = argv[1], argv[2:]  # everything after SCHEDULE belongs to SCHEDULE's parser
        args = argparse.Namespace(command=argv[0])
    else:
        args = parser.parse_args(argv)
        source, rest = getattr(args, "schedule", None), list(getattr(args, "rest", None) or [])
        if args.command in schedule_parsers and args.help:
            schedule_parsers[args.command].print_help()
            return 0
    try:
        if args.command == "show":
            status = _show(source, rest)
        elif args.command == "plot":
            status = _plot(source, rest)
        elif args.command == "convert":
            status = _convert(args.input, args.output)
        elif args.command == "schema":
            status = _schema(args.name)
        else:
            status = _list() if args.command == "list" else _plugins()
        sys.stdout.flush()  # here, where a closed pipe can be caught, not at interpreter exit
        return status
    except LrschedError as exc:
        print(f"lrsched: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `lrsched schema | head`: the reader left; that is no error
        devnull = os.open(os.devnull, os.O_WRONLY)  # Python's recipe: exit's own flush must not fail
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
