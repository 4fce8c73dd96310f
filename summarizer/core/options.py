"""Declared options: each field says once its type, default, environment variable and help.

Why a declaration instead of code per option: an option used to live in six places (the
settings class, an environment table, the argparse flags, a namespace-to-keywords copy, a
third copy in eval and the keywords of ``summarize_async``), and adding one meant six
edits that drift. Here a field is written once, with :func:`option`, and everything else is
derived from it:

* the environment: :meth:`Declared.resolve` converts each variable from the field's type
  and names the variable when its value is unusable;
* the library keywords: :func:`split_overrides` checks every keyword of ``summarize()``,
  ``summarize_async()`` and ``extract_async()`` against the declared fields, so an unknown
  name is a ``TypeError`` naming it;
* the command line: ``summarizer.cli.options`` turns the same fields into argparse flags;
* validation: a field's ``check`` runs wherever a value enters (keyword, variable, flag),
  and the message names the field, or the variable it came from.

This module, like ``core.settings``, is read by the CLI before any command runs: it imports
nothing but the standard library and ``core.errors``.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

from summarizer.core.errors import ConfigError

#: Key of a field's :class:`Spec` in ``dataclasses.field(metadata=...)``.
SPEC = "summarizer.option"
#: Key marking a field that is deliberately not an option (derived state, not user input).
INTERNAL = "summarizer.internal"

#: A check returns the problem ("must be positive, got 0") or None when the value is fine.
Check = Callable[[Any], str | None]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Spec:
    """Everything about one option except its name, type and default (the field has those)."""

    help: str
    #: Environment variable, or None for command-level options that have none.
    env: str | None = None
    #: Command-line flags; empty for a secret (never on a command line, where ``ps`` shows it).
    flags: tuple[str, ...] = ()
    secret: bool = False
    #: Converts a string from the environment or the command line; None: from the type.
    parse: Callable[[str], Any] | None = None
    check: Check | None = None
    metavar: str | None = None
    #: Flags sharing this key are mutually exclusive on the command line.
    exclusive: str | None = None
    required: bool = False


def option(
    default: Any = None,
    *,
    help: str,
    env: str | None = None,
    flags: Iterable[str] = (),
    secret: bool = False,
    parse: Callable[[str], Any] | None = None,
    check: Check | None = None,
    metavar: str | None = None,
    exclusive: str | None = None,
    required: bool = False,
) -> Any:
    """A dataclass field declared as an option (the one place an option is written)."""
    flags = tuple(flags)
    if secret and flags:
        raise TypeError("a secret is read from the environment only, never from a flag")
    spec = Spec(
        help=help,
        env=env,
        flags=flags,
        secret=secret,
        parse=parse,
        check=check,
        metavar=metavar,
        exclusive=exclusive,
        required=required,
    )
    return dataclasses.field(default=default, repr=not secret, metadata={SPEC: spec})


def internal(default: Any, reason: str) -> Any:
    """A field that is state, not an option: no flag, no variable, not a keyword."""
    metadata = {INTERNAL: reason}
    return dataclasses.field(default=default, compare=False, repr=False, metadata=metadata)


@dataclass(frozen=True)
class Option:
    """One declared option as the derivations see it."""

    name: str
    spec: Spec
    default: Any
    #: The field's type without ``None`` (``int | None`` -> ``int``).
    kind: Any
    optional: bool

    @property
    def choices(self) -> tuple[str, ...] | None:
        if typing.get_origin(self.kind) is Literal:
            return tuple(str(arg) for arg in typing.get_args(self.kind))
        return None

    def from_string(self, raw: str) -> Any:
        """Convert a string (environment, command line); ``ValueError`` says why not."""
        if self.spec.parse is not None:
            return self.spec.parse(raw)
        choices = self.choices
        if choices is not None:
            if raw not in choices:
                raise ValueError(f"expected one of {', '.join(choices)}")
            return raw
        if self.kind is bool:
            word = raw.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ValueError("expected one of 1, true, yes, on, 0, false, no, off")
            return word in _TRUE
        if self.kind is Path:
            return Path(raw).expanduser()
        if self.kind is int:
            try:
                return int(raw)
            except ValueError:
                raise ValueError("expected a whole number") from None
        if self.kind is float:
            try:
                return float(raw)
            except ValueError:
                raise ValueError("expected a number") from None
        if self.kind is str:
            return raw
        raise TypeError(f"option {self.name}: give parse= for type {self.kind!r}")

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` (None: nothing), without the name or the value.

        Each front end adds both in its own words, so one check serves all three: the
        command line names the flag, the environment the variable, the library the keyword.
        """
        if value is None:
            return None
        choices = self.choices
        if choices is not None and value not in choices:
            return f"must be one of {', '.join(choices)}"
        return self.spec.check(value) if self.spec.check is not None else None

    @property
    def flag(self) -> str | None:
        """The flag a message names: the long one (``--max-words``, not ``-m``)."""
        long = [flag for flag in self.spec.flags if flag.startswith("--")] or self.spec.flags
        return long[-1] if long else None


_DECLARED: dict[type, tuple[Option, ...]] = {}


def declared(cls: type) -> tuple[Option, ...]:
    """The options of a declaration class, in field order (cached: the class never changes)."""
    if cls in _DECLARED:
        return _DECLARED[cls]
    hints = typing.get_type_hints(cls)
    result = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(SPEC)
        if spec is None:
            continue
        kind, optional = _strip_none(hints[f.name])
        default = f.default if f.default is not dataclasses.MISSING else None
        result.append(Option(f.name, spec, default, kind, optional))
    _DECLARED[cls] = tuple(result)
    return _DECLARED[cls]


def _strip_none(hint: Any) -> tuple[Any, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(args) != 1:
            raise TypeError(f"an option has one type (or that type | None), not {hint!r}")
        return args[0], True
    return hint, False


def names(cls: type) -> frozenset[str]:
    return frozenset(d.name for d in declared(cls))


def environment_values(cls: type, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every declared variable that is set (and not blank), converted and checked.

    A bad value raises ``ConfigError`` naming the variable and its value (``VARIABLE:
    problem, got 'value'``; a secret's value is never shown), which is what the user has to
    fix, not the field name, which they never typed.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for d in declared(cls):
        if d.spec.env is None:
            continue
        raw = environ.get(d.spec.env)
        if raw is None or raw.strip() == "":
            continue
        raw = raw.strip()
        shown = "" if d.spec.secret else f", got {raw!r}"
        try:
            value = d.from_string(raw)
        except ValueError as exc:
            raise ConfigError(f"{d.spec.env}: {exc}{shown}") from None
        problem = d.problem(value)
        if problem is not None:
            raise ConfigError(f"{d.spec.env}: {problem}{shown}")
        values[d.name] = value
    return values


def split_overrides(
    function: str, overrides: Mapping[str, Any], *classes: type
) -> list[dict[str, Any]]:
    """Sort keyword arguments by the declaration that owns them, one dict per class.

    An unknown keyword is the ``TypeError`` Python raises for an unexpected keyword, so a
    typo (``max_word=``) fails loudly instead of being ignored.
    """
    parts: list[dict[str, Any]] = [{} for _ in classes]
    for key, value in overrides.items():
        for index, cls in enumerate(classes):
            if key in names(cls):
                parts[index][key] = value
                break
        else:
            raise TypeError(f"{function}() got an unexpected keyword argument {key!r}")
    return parts


class Declared:
    """Base of a frozen dataclass of options: resolution, copies with changes, checks."""

    def __post_init__(self) -> None:
        # Accept strings for paths (from a CLI, a config file or a caller) but store Paths.
        for d in declared(type(self)):
            value = getattr(self, d.name)
            if d.kind is Path and value is not None and not isinstance(value, Path):
                object.__setattr__(self, d.name, Path(value).expanduser())

    @classmethod
    def resolve(cls, **overrides: Any) -> Self:
        """Keywords that are not None win over the environment, which wins over defaults."""
        unknown = sorted(set(overrides) - names(cls))
        if unknown:
            raise ConfigError(f"unknown {cls.__name__} field(s): {', '.join(unknown)}")
        values = environment_values(cls)
        values.update({key: value for key, value in overrides.items() if value is not None})
        resolved = cls(**values, **cls._derived(values))
        resolved.check()
        return resolved

    @classmethod
    def _derived(cls, given: Mapping[str, Any]) -> dict[str, Any]:
        """Internal fields that depend on which options were given at all (none by default)."""
        return {}

    def with_(self, **changes: Any) -> Self:
        """A copy with some fields changed (``dataclasses.replace``), checked again."""
        unknown = sorted(set(changes) - names(type(self)))
        if unknown:
            raise ConfigError(f"unknown {type(self).__name__} field(s): {', '.join(unknown)}")
        changed = dataclasses.replace(self, **changes)  # type: ignore[type-var]
        changed.check()
        return changed

    def check(self) -> None:
        """Reject out-of-range values with one line naming the keyword (``max_words=0: ...``).

        The library's callers typed keywords, so that is the name they see; the command line
        checks the flags it was given first and names those (``cli.options.check_flags``),
        and the environment names its variables (:func:`environment_values`).
        """
        for d in declared(type(self)):
            value = getattr(self, d.name)
            problem = d.problem(value)
            if problem is not None:
                shown = "..." if d.spec.secret else repr(value)
                raise ConfigError(f"{d.name}={shown}: {problem}")


def positive(value: Any) -> str | None:
    return None if value > 0 else "must be positive"


def at_least_zero(value: Any) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def at_least(minimum: int) -> Check:
    """A check for counts with a floor below which the option means nothing."""

    def check(value: Any) -> str | None:
        return None if value >= minimum else f"must be at least {minimum}"

    return check


# --------------------------------------------------------------------------- run options

Writer = Literal["llm", "extractive"]
WRITERS: tuple[str, ...] = typing.get_args(Writer)
#: Chunk size of the LLM extractor; ``extract.with_llm.DEFAULT_CHUNK_CHARS`` is the same
#: value (a test keeps them equal) for callers of that module's functions.
DEFAULT_CHUNK_CHARS = 12_000
#: Below this a chunk holds a sentence or two: too little context to extract an event from,
#: and one call per sentence (``batch prepare`` has always refused smaller values).
MIN_CHUNK_CHARS = 200


#: The summary's default length in words: near a news digest (Multi-News references average
#: about 260), and the one budget both ``summarize`` and ``eval`` use, so eval scores what
#: users get.
DEFAULT_MAX_WORDS = 250


@dataclass(frozen=True)
class RunOptions(Declared):
    """Options of one run that are not about talking to the model."""

    writer: Writer | None = option(
        help="who writes the summary: the LLM, or the extractive writer with no model call "
        "(default: llm with a model, extractive with the built-in extractor)",
        env="SUMMARIZER_WRITER",
        flags=("--writer",),
    )
    chunk_chars: int = option(
        DEFAULT_CHUNK_CHARS,
        help="split longer sources at sentence boundaries into chunks of this many "
        "characters, extracted in parallel",
        env="SUMMARIZER_CHUNK_CHARS",
        flags=("--chunk-chars",),
        metavar="N",
        check=at_least(MIN_CHUNK_CHARS),
    )
    max_sentences: int | None = option(
        help="sentences of the summary at most (default: as many as the word budget holds; "
        "the LLM writer writes 4 to 10)",
        env="SUMMARIZER_MAX_SENTENCES",
        flags=("--max-sentences",),
        metavar="N",
        check=positive,
    )
    max_words: int | None = option(
        DEFAULT_MAX_WORDS,
        help="word budget of the extractive summary, about the length of a news digest "
        "(the same default that `summarizer eval` scores)",
        env="SUMMARIZER_MAX_WORDS",
        flags=("--max-words",),
        metavar="N",
        check=positive,
    )
