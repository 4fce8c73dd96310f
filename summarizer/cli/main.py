"""The ``summarizer`` command line: a thin layer over the library.

Only results go to stdout (or ``-o``); notices, progress, usage and cost go to stderr.
Parsing arguments loads only the parser and the option declarations; the command bodies,
which load pydantic, the pipeline and (for a model) openai and instructor, are imported
once a command is really run, so ``summarizer --help`` starts fast.

Exit codes: 0 complete · 1 partial (some source failed; the summary covers the rest) ·
2 bad input or usage · 3 nothing could be produced (model/API failure) · 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from summarizer.cli.parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The one late import of our own code, and on purpose: ``cli.commands`` is where the
    # heavy third-party packages come in (pydantic at once, openai/instructor for a model),
    # which ``--help`` and usage errors must not pay for (tests/test_cli_startup.py).
    from summarizer.cli.commands import run

    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
