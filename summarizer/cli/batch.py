"""``summarizer batch``: the bodies of batch runs and Batch API files (flags: ``cli.parser``).

Shape::

    summarizer batch CLUSTERS.jsonl -o RESULTS.jsonl [model options]     (same as `batch run`)
    summarizer batch prepare CLUSTERS.jsonl -o REQUESTS.jsonl [-m MODEL] [--mode MODE]
    summarizer batch collect CLUSTERS.jsonl RESPONSES.jsonl -o RESULTS.jsonl

Exit codes: 0 every cluster complete · 1 some cluster partial or failed (each has its line)
· 2 bad input or usage · 3 no cluster produced anything · 130 interrupted (re-run the same
command to resume).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summarizer.batch.heap import freeze_startup_heap
from summarizer.batch.runner import (
    BatchRunner,
    BatchStats,
    ClusterLineLike,
    count_clusters,
    default_in_flight,
    iter_input,
    summary_process,
)
from summarizer.cli.batch_progress import EXIT_OK, EXIT_PARTIAL, batch_progress, exit_code
from summarizer.cli.interrupt import run_async
from summarizer.cli.options import BatchRunOptions, PrepareOptions, resolved
from summarizer.cli.output import notice
from summarizer.cli.ray_batch import cmd_ray_batch
from summarizer.core.errors import ConfigError
from summarizer.core.options import RunOptions
from summarizer.core.settings import LLMSettings
from summarizer.pipeline import Builtin, Engine, notices, open_engine


def _check_paths(args: argparse.Namespace, *inputs: Path) -> None:
    output: Path = args.output
    for path in inputs:
        if path.exists() and output.exists() and path.resolve() == output.resolve():
            raise ConfigError(f"{output}: the output would overwrite an input; choose another -o")


@contextlib.contextmanager
def _stop_on_signals(stop: Any) -> Iterator[list[int]]:
    """SIGINT/SIGTERM call ``stop`` (a clean stop that flushes) instead of raising."""
    loop = asyncio.get_running_loop()
    received: list[int] = []
    installed: list[int] = []

    def handler(number: int) -> None:
        received.append(number)
        stop()

    for number in (int(signal.SIGINT), int(signal.SIGTERM)):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, handler, number)
            installed.append(number)
    try:
        yield received
    finally:
        for number in installed:
            loop.remove_signal_handler(number)


def _finish(args: argparse.Namespace, stats: BatchStats) -> int:
    notice(args, f"batch: {stats.summary()} -> {args.output}")
    if stats.interrupted:
        notice(args, "interrupted: run the same command again to resume")
    return exit_code(stats)


# --------------------------------------------------------------------------- run


def cmd_batch_run(args: argparse.Namespace) -> int:
    batch = resolved(args, BatchRunOptions)
    if batch.engine == "ray":
        return cmd_ray_batch(args)
    _check_paths(args, args.input)
    items = iter_input(args.input)  # a missing input fails before anything is created
    settings, options = resolved(args, LLMSettings), resolved(args, RunOptions)
    total = _maybe_count(args, args.input)

    async def go() -> int:
        async with open_engine(settings) as engine:
            freeze_startup_heap()  # this process is ours: see summarizer.batch.heap
            for message in notices(engine):
                notice(args, message)
            code = await _run(args, items, engine, options, batch, total)
            for warning in engine.warnings:
                notice(args, warning)
            return code

    return run_async(go())


def _maybe_count(args: argparse.Namespace, path: Path) -> int | None:
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None
    return count_clusters(path)


async def _run(
    args: argparse.Namespace,
    items: Iterator[ClusterLineLike],
    engine: Engine,
    options: RunOptions,
    batch: BatchRunOptions,
    total: int | None,
) -> int:
    calls_model = not isinstance(engine, Builtin)
    with batch_progress(args, total, show_cost=calls_model) as progress:
        runner = BatchRunner(
            summary_process(engine, options),
            max_in_flight=batch.in_flight or default_in_flight(engine),
            progress=progress,
            cost=(lambda: engine.usage.cost_usd) if calls_model else None,
        )
        with _stop_on_signals(runner.stop):
            stats = await runner.run(
                items, args.output, total=total, retry_failed=batch.retry_failed
            )
    return _finish(args, stats)


# --------------------------------------------------------------------------- Batch API


def cmd_batch_prepare(args: argparse.Namespace) -> int:
    # Late on purpose, as ``pipeline.open_engine`` imports the LLM client: ``batch.api``
    # builds request bodies with instructor and openai (about 1.5 s to import), which the
    # built-in ``summarize`` and ``batch`` commands must not pay for
    # (tests/test_cli_startup.py).
    from summarizer.batch.api import prepare_requests

    _check_paths(args, args.input)
    settings, options = resolved(args, LLMSettings), resolved(args, RunOptions)
    report = prepare_requests(
        args.input,
        args.output,
        model=settings.model,
        mode=settings.effective_mode,
        temperature=settings.temperature,
        chunk_chars=options.chunk_chars,
        max_tokens=resolved(args, PrepareOptions).max_tokens,
    )
    for error in report.errors:
        notice(args, f"skipped {error} (collect will record it as a failed cluster)")
    notice(
        args,
        f"wrote {report.requests} request(s) for {report.clusters} cluster(s) to {args.output} "
        f"(model {settings.model}, mode {settings.effective_mode}, "
        f"~{report.prompt_tokens_estimate:,} prompt tokens)",
    )
    return EXIT_PARTIAL if report.errors else EXIT_OK


def cmd_batch_collect(args: argparse.Namespace) -> int:
    from summarizer.batch.api import open_collect  # late: see cmd_batch_prepare

    _check_paths(args, args.input, args.responses)
    options = resolved(args, RunOptions)
    total = _maybe_count(args, args.input)

    async def go() -> BatchStats:
        with batch_progress(args, total) as progress:
            runner, items, index = open_collect(
                args.input,
                args.responses,
                max_sentences=options.max_sentences,
                max_words=options.max_words,
                progress=progress,
            )
            for problem in index.problems:
                notice(args, f"ignored {problem}")
            with _stop_on_signals(runner.stop):
                return await runner.run(items, args.output, total=total)

    return _finish(args, run_async(go()))
