"""Typed exceptions shared by the library and the command line.

Every error a user can cause carries a one-line message that names the file, URL or
line at fault; the CLI prints ``str(error)`` and exits with ``error.exit_code``, so the
message is written once, here, for both audiences.
"""

from __future__ import annotations


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
    """The model or its server could not produce a usable answer; CLI exit code 3."""

    exit_code = 3


class ReplayMissError(LLMError):
    """Replay mode met a request that was never recorded."""
