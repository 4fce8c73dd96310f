"""Command-line flags derived from the option declarations, and the commands' own options.

Every flag of every command comes from a declared field (``core.settings.LLMSettings``,
``core.options.RunOptions``, or the command-level declarations below), through
:func:`add_options`; no command calls ``add_argument("--...")`` itself, so a flag cannot
drift from its type, default, variable and help (``tests/test_options.py`` checks this on
the built parser). Positional arguments (the inputs) are not options and stay with their
command.

Argparse defaults are all ``None``: "not given" must stay distinguishable from "given the
default", because a flag wins over the environment only when it was typed. The declared
defaults apply when the declaration is resolved (:func:`given` then ``Cls.resolve``).

Imported before any command runs, so: standard library and the declaration modules only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from summarizer.core.errors import ConfigError
from summarizer.core.options import Declared, Option, RunOptions, declared, option, positive
from summarizer.core.settings import LLMSettings

D = TypeVar("D", bound=Declared)


@dataclass(frozen=True)
class Output(Declared):
    """Where a command's result goes, and how chatty it is on stderr."""

    output: Path | None = option(
        help="write the result here, not stdout (a file is replaced whole, never half-written; "
        "a device or pipe is written to)",
        flags=("-o", "--output"),
        metavar="FILE",
    )
    quiet: bool = option(False, help="no notices or progress", flags=("-q", "--quiet"))


@dataclass(frozen=True)
class BatchOutput(Declared):
    """The results file of a batch command: required, appended to, resumable."""

    output: Path | None = option(
        help="the JSONL file written (appended to and resumed by batch run)",
        flags=("-o", "--output"),
        metavar="FILE.jsonl",
        required=True,
    )
    quiet: bool = option(False, help="no notices or progress", flags=("-q", "--quiet"))


_FORMAT_HELP = "output format; without it, -o's suffix (.md, .html, .json) chooses"


@dataclass(frozen=True)
class SummaryFormat(Declared):
    format: Literal["json", "md", "html"] = option(
        "json", help=_FORMAT_HELP, flags=("-f", "--format")
    )


@dataclass(frozen=True)
class RenderFormat(Declared):
    format: Literal["md", "html", "json"] = option(
        "md", help=_FORMAT_HELP, flags=("-f", "--format")
    )


#: The format an output file's suffix names, for ``-o summary.md`` without ``--format``.
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def output_format(args: argparse.Namespace, cls: type[SummaryFormat | RenderFormat]) -> str:
    """``--format`` when typed, else the format ``-o``'s suffix names, else the default.

    ``-o summary.md`` that wrote JSON would surprise anyone (pandoc reads the suffix too);
    a typed ``--format`` always wins, and a suffix we do not know keeps the default.
    """
    if given(args, cls):
        return resolved(args, cls).format
    output = getattr(args, "output", None)
    suffix = Path(output).suffix.lower() if output is not None else ""
    return SUFFIX_FORMATS.get(suffix) or resolved(args, cls).format


@dataclass(frozen=True)
class EvalOptions(Declared):
    limit: int | None = option(
        help="only the first N clusters", flags=("--limit",), metavar="N", check=positive
    )


@dataclass(frozen=True)
class BatchRunOptions(Declared):
    in_flight: int | None = option(
        help="clusters worked on at once (default: 2 x --concurrency); bounds memory",
        flags=("--in-flight",),
        metavar="N",
        check=positive,
    )
    retry_failed: bool = option(
        False,
        help="run again the clusters an earlier run recorded as failed (their lines are replaced)",
        flags=("--retry-failed",),
    )
    engine: Literal["local", "ray"] = option(
        "local",
        help="local: one process; ray: Ray Data workers (the ray extra), -o then names a folder",
        flags=("--engine",),
    )
    workers: int | None = option(
        help="Ray workers (default 1); --concurrency is split between them",
        flags=("--workers",),
        metavar="N",
        check=positive,
    )
    address: str | None = option(
        help="an existing Ray cluster: auto, or ray://HOST:PORT (default: start a local Ray)",
        flags=("--address",),
    )


@dataclass(frozen=True)
class PrepareOptions(Declared):
    max_tokens: int | None = option(
        help="max_tokens of each request", flags=("--max-tokens",), metavar="N", check=positive
    )


@dataclass(frozen=True)
class Debug(Declared):
    """Every command's: show the traceback of an internal error (a bug, exit 70)."""

    debug: bool = option(
        False,
        help="on an internal error, print the traceback as well as the one-line message",
        env="SUMMARIZER_DEBUG",
        flags=("--debug",),
    )


#: Every declaration a command may take its flags from (the options test walks these).
DECLARATIONS: tuple[type[Declared], ...] = (
    Debug,
    Output,
    BatchOutput,
    SummaryFormat,
    RenderFormat,
    EvalOptions,
    BatchRunOptions,
    PrepareOptions,
)


def add_options(
    parser: argparse.ArgumentParser,
    cls: type[Declared],
    *,
    only: Collection[str] | None = None,
    title: str | None = None,
) -> None:
    """Add the flags of ``cls`` (or of the fields named in ``only``) to ``parser``."""
    target: Any = parser.add_argument_group(title) if title else parser
    exclusive: dict[str, Any] = {}
    for d in declared(cls):
        if (only is not None and d.name not in only) or d.spec.secret or not d.spec.flags:
            continue
        kwargs: dict[str, Any] = {"dest": d.name, "default": None, "help": _help(d)}
        if d.kind is bool:
            kwargs.update(action="store_const", const=not d.default)
        elif d.choices is not None:
            kwargs["choices"] = d.choices
        else:
            kwargs["type"] = _argument_type(d)
        if d.spec.metavar and d.kind is not bool:
            kwargs["metavar"] = d.spec.metavar
        if d.spec.required:
            kwargs["required"] = True
        where = target
        if d.spec.exclusive is not None:
            if d.spec.exclusive not in exclusive:
                exclusive[d.spec.exclusive] = target.add_mutually_exclusive_group()
            where = exclusive[d.spec.exclusive]
        where.add_argument(*d.spec.flags, **kwargs)


def check_flags(args: argparse.Namespace) -> None:
    """Reject a typed value its declaration's check refuses, naming the flag.

    Run on the parsed arguments before a command starts, so ``--max-words 0`` is one line
    (``--max-words: must be positive, got 0``) and exit 2 before any file is read or model
    called; the same check later guards the environment and the library keywords. Not done
    in argparse's ``type=``: its errors print the usage block, not one line.
    """
    for cls in (LLMSettings, RunOptions, *DECLARATIONS):
        for d in declared(cls):
            value = getattr(args, d.name, None)
            problem = d.problem(value) if d.flag is not None else None
            if problem is not None:
                shown = repr(value) if isinstance(value, str) else value
                raise ConfigError(f"{d.flag}: {problem}, got {shown}")


def given(args: argparse.Namespace, cls: type[Declared]) -> dict[str, Any]:
    """The fields of ``cls`` typed on the command line (absent flags are left out)."""
    values = {d.name: getattr(args, d.name, None) for d in declared(cls)}
    return {name: value for name, value in values.items() if value is not None}


def resolved(args: argparse.Namespace, cls: type[D]) -> D:
    """``cls`` from its flags, then its environment variables, then its defaults."""
    return cls.resolve(**given(args, cls))


def _help(d: Option) -> str:
    parts = []
    if d.default is not None and d.kind is not bool and "default" not in d.spec.help:
        shown = f"{d.default:,}" if isinstance(d.default, int) else str(d.default)
        parts.append(f"default {shown}")
    if d.spec.env:
        parts.append(f"${d.spec.env}")
    text = f"{d.spec.help} ({'; '.join(parts)})" if parts else d.spec.help
    return text.replace("%", "%%")  # argparse formats help with %


def _argument_type(d: Option) -> Callable[[str], Any]:
    """The converter argparse calls; builtin types keep argparse's own wording."""
    if d.spec.parse is None and d.kind in (int, float, str, Path):
        return d.kind  # type: ignore[no-any-return]

    def convert(raw: str) -> Any:
        try:
            return d.from_string(raw)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = d.name
    return convert


def flag_spelling(name: str, value: str | None) -> str:
    """How the command line names a setting in an error (``core.errors``): its flag with
    the value or metavar (``--base-url URL``, ``-m builtin``), or its variable when it has
    no flag (a secret such as ``OPENAI_API_KEY``)."""
    for cls in (LLMSettings, RunOptions, *DECLARATIONS):
        for d in declared(cls):
            if d.name != name:
                continue
            if d.spec.flags:
                flag = d.spec.flags[0]
                return flag if d.kind is bool else f"{flag} {value or d.spec.metavar or 'VALUE'}"
            if d.spec.env:
                return d.spec.env
    return name if value is None else f"{name} {value}"
