"""Batch progress and exit codes, shared by the one-process and the Ray batch commands.

Exit codes: 0 every cluster complete · 1 some cluster partial or failed · 3 no cluster
produced anything · 130 interrupted (re-run the same command to resume).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator

from summarizer.batch.runner import BatchStats, Progress

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 3, 130


def exit_code(stats: BatchStats) -> int:
    if stats.interrupted:
        return EXIT_INTERRUPTED
    failed = stats.failed + stats.skipped_failed
    partial = stats.partial + stats.skipped_partial
    if stats.done and failed == stats.done:
        return EXIT_FAILED
    return EXIT_PARTIAL if failed or partial else EXIT_OK


@contextlib.contextmanager
def batch_progress(
    args: argparse.Namespace, total: int | None, *, show_cost: bool = True
) -> Iterator[Progress | None]:
    """Clusters done, rate, ETA and running cost on stderr, only when it is a terminal."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    columns = (
        TextColumn("batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[cost]}{task.fields[failed]} failed"),
    )
    with RichProgress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("batch", total=total, rate="", cost="", failed=0)
        first = True

        def update(stats: BatchStats) -> None:
            nonlocal first
            if first:
                # Clusters done by an earlier run must not count toward this run's ETA.
                bar.reset(task, total=total, completed=stats.skipped)
                first = False
            elapsed = time.monotonic() - stats.started
            rate = f"{stats.written / elapsed:.1f} clusters/s" if stats.written else ""
            cost = ""
            if show_cost:
                cost = "cost unknown · " if stats.cost_usd is None else f"${stats.cost_usd:.4f} · "
            bar.update(task, completed=stats.done, rate=rate, cost=cost, failed=stats.failed)

        yield update
