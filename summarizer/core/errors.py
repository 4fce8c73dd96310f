"""Typed exceptions shared by the library and the command line.

Every error a user can cause carries a one-line message that names the file, URL or
line at fault; the CLI prints ``str(error)`` and exits with ``error.exit_code``, so the
message is written once, here, for both audiences.

``LLMError`` declares the ``Usage`` its failed calls spent (tokens of attempts that came back
unusable still cost money). The type is named for type checkers only: this module must import
without pydantic, because the option declarations the command line reads before any command
runs raise ``ConfigError`` (``--help`` starts in well under 0.3 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.core.types import Usage


class SummarizerError(Exception):
    """Base class: anything the package raises on purpose."""

    exit_code = 1


class BadInputError(SummarizerError):
    """An input (path, URL, stdin, JSONL line) cannot be used; CLI exit code 2."""

    exit_code = 2

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


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
