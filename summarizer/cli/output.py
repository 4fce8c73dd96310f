"""What every command does with its result and its notices.

Only results go to stdout (or ``-o``); notices, progress, usage and cost go to stderr.
rich is imported only when a progress display is really drawn (a terminal, not ``-q``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from summarizer.core import files

#: Called as ``progress(stage, done, total)`` (the pipeline's ``Progress``).
StageProgress = Callable[[str, int, int], None]


def notice(args: argparse.Namespace, message: str) -> None:
    """One ``summarizer: ...`` line on stderr, unless ``-q``."""
    if not getattr(args, "quiet", False):
        print(f"summarizer: {message}", file=sys.stderr)


def write_output(args: argparse.Namespace, text: str) -> None:
    """Write to ``-o`` by the rules of ``core.files`` (never half a file, never over a device)."""
    if not text.endswith("\n"):
        text += "\n"
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    files.write_output(args.output, text)
    notice(args, f"wrote {args.output}")


@contextlib.contextmanager
def stage_progress(args: argparse.Namespace) -> Iterator[StageProgress | None]:
    """A rich progress display on stderr, only when stderr is a terminal."""
    if args.quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    with RichProgress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def usage_line(usage: Any) -> str:
    cost = "unknown cost" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
    return (
        f"{usage.requests} request(s), {usage.attempts} attempt(s), {usage.cached} cached, "
        f"{usage.prompt_tokens}+{usage.completion_tokens} tokens, {cost}"
    )
