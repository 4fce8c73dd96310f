"""Typed exceptions shared by the library and the command line.

Every error a user can cause carries a one-line message that names the file, URL or
line at fault; the CLI prints it and exits with ``error.exit_code``, so the
message is written once, here, for both audiences.

``LLMError`` declares the ``Usage`` its failed calls spent (tokens of attempts that came back
unusable still cost money). The type is named for type checkers only: this module must import
without pydantic, because the option declarations the command line reads before any command
runs raise ``ConfigError`` (``--help`` starts in well under 0.3 s).

Errors that name a setting are written once for both audiences too: the message says
``{=base_url}`` (or ``{=model:builtin}`` with a value) where the setting goes, and is spelled
with the library's keyword (``base_url=``, ``model="builtin"``) by ``str(error)``, or with
the command line's flag (``--base-url URL``, ``-m builtin``) by ``error.spelled(...)``
given the CLI's spelling. A library user is never told about a flag they cannot pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.core.types import Usage

#: ``{=name}`` or ``{=name:value}`` in a message: where a setting is named.
_SETTING = re.compile(r"\{=(\w+)(?::([^{}]*))?\}")

#: Spells a setting (its declared field name, and the value to give it if the message
#: suggests one) for one audience.
Spelling = Callable[[str, str | None], str]


def setting(name: str, value: str | None = None) -> str:
    """The placeholder naming setting ``name`` in an error message (spelled when shown)."""
    return f"{{={name}}}" if value is None else f"{{={name}:{value}}}"


def keyword_spelling(name: str, value: str | None) -> str:
    """How the library spells a setting: its keyword argument (``base_url=``)."""
    return f"{name}=" if value is None else f"{name}={value!r}"


def spell(message: str, spelling: Spelling) -> str:
    """``message`` with every setting placeholder spelled by ``spelling``."""
    return _SETTING.sub(lambda m: spelling(m.group(1), m.group(2)), message)


class SummarizerError(Exception):
    """Base class: anything the package raises on purpose.

    ``str(error)`` names settings as keyword arguments; the CLI shows
    ``error.spelled(its_spelling)`` instead (see the module docstring).
    """

    exit_code = 1

    def __str__(self) -> str:
        return self.spelled(keyword_spelling)

    def spelled(self, spelling: Spelling) -> str:
        """The message with settings named as ``spelling`` names them."""
        return spell(super().__str__(), spelling)


class BadInputError(SummarizerError):
    """An input (path, URL, stdin, JSONL line) cannot be used; CLI exit code 2."""

    exit_code = 2

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[type[BadInputError], tuple[str, str]]:
        # Rebuilt from its two parts, so the error survives pickling (process pools, Ray).
        return (type(self), (self.where, self.problem))


class ConfigError(SummarizerError):
    """Settings are missing or contradictory (no API key, bad option); CLI exit code 2."""

    exit_code = 2


class LLMError(SummarizerError):
    """The model or its server could not produce a usable answer; CLI exit code 3.

    ``usage`` is what the failed call spent (``None`` when the raiser does not know), so a
    source's failure report and the run's totals count it.
    """

    exit_code = 3

    def __init__(self, *args: object, usage: Usage | None = None) -> None:
        super().__init__(*args)
        self.usage: Usage | None = usage


class ReplayMissError(LLMError):
    """Replay mode met a request that was never recorded."""
