"""The ``summarizer`` command line: a thin layer over the library.

Only results go to stdout (or ``-o``); notices, progress, usage and cost go to stderr.
Parsing arguments loads only the parser and the option declarations; the command bodies,
which load pydantic, the pipeline and (for a model) openai and instructor, are imported
once a command is really run, so ``summarizer --help`` starts fast.

Exit codes (``cli.parser.EPILOG`` shows them in ``--help``): 0 complete · 1 partial (some
source failed; the summary covers the rest) · 2 bad input or usage · 3 nothing could be
produced (model/API failure) · 70 internal error (a bug: one line, ``--debug`` for the
traceback) · 130 interrupted.

Nothing a user can cause prints a traceback: expected failures are ``SummarizerError``s
with their own line and code (``cli.commands.run``); anything else is caught here as an
internal error, because a traceback tells a user nothing they can act on, while the one
line names the exception and how to see more.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence

from summarizer.cli.options import Debug, resolved
from summarizer.cli.parser import build_parser
from summarizer.core.errors import ConfigError

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "build_parser", "main"]

EXIT_INTERNAL, EXIT_INTERRUPTED = 70, 130


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # The one late import of our own code, and on purpose: ``cli.commands`` is where
        # the heavy third-party packages come in (pydantic at once, openai/instructor for a
        # model), which ``--help`` and usage errors must not pay for
        # (tests/test_cli_startup.py).
        from summarizer.cli.commands import run

        code = run(args)
    except KeyboardInterrupt as interrupt:
        detail = f": {interrupt}" if str(interrupt) else ""
        print(f"summarizer: interrupted{detail}", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away (``| head``): nothing left to tell it. Point stdout
        # at /dev/null so the interpreter's final flush does not fail a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as error:
        if _debug(args):
            traceback.print_exc()
        message = " ".join(str(error).split()) or "(no message)"
        print(
            f"summarizer: internal error: {type(error).__name__}: {message}; "
            "rerun with --debug for the traceback",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    # Only the real command line (not a caller of main()), and not with Ray, whose own exit
    # handler stops the local Ray it started.
    if code == EXIT_INTERRUPTED and argv is None and getattr(args, "engine", None) != "ray":
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """Leave at once after Ctrl-C: the interpreter's own teardown is not worth waiting for.

    Everything worth keeping is already closed when the command returns (``-o`` files
    renamed into place, batch lines fsync'd, the answer cache committed, clients closed by
    their ``async with``); what remains is freeing the module graph of openai, instructor
    and pydantic, which took seconds on a loaded machine after the command had stopped.
    """
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def _debug(args: argparse.Namespace) -> bool:
    """``--debug`` or ``SUMMARIZER_DEBUG``; an unreadable variable means no."""
    try:
        return resolved(args, Debug).debug
    except ConfigError:
        return False


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
