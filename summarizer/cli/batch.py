"""``summarizer batch``: the command-line side of batch runs and Batch API files.

Shape::

    summarizer batch CLUSTERS.jsonl -o RESULTS.jsonl [model options]     (same as `batch run`)
    summarizer batch prepare CLUSTERS.jsonl -o REQUESTS.jsonl [-m MODEL] [--mode MODE]
    summarizer batch collect CLUSTERS.jsonl RESPONSES.jsonl -o RESULTS.jsonl

``run`` is the default sub-command so the short form works as users type it; a clusters
file literally named ``prepare`` or ``collect`` needs the explicit ``batch run``. Options
come after the sub-command (or after the input for the short form).

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
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.core.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.batch.runner import BatchStats, Progress

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 3, 130
SUBCOMMANDS = ("run", "prepare", "collect")


class _AnyChoice(Mapping[str, argparse.ArgumentParser]):
    """The sub-command names, except that any word passes argparse's choice check.

    argparse checks the first word against ``choices`` before calling the action; this
    view lets an input path through so ``_DefaultRunAction`` can route it to ``run``.
    """

    def __init__(self, names: dict[str, argparse.ArgumentParser]) -> None:
        self._names = names

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> argparse.ArgumentParser:
        return self._names[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class _DefaultRunAction(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Sub-parsers where an unknown first word means ``run`` with that word as the input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = _AnyChoice(self._name_parser_map)  # type: ignore[assignment]

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if values and values[0] not in self._name_parser_map:
            values = ["run", *values]
        super().__call__(parser, namespace, values, option_string)


def add_batch_commands(subparsers: Any) -> None:
    """Register ``batch`` (run), ``batch prepare`` and ``batch collect`` on the main parser."""
    from summarizer.cli.main import add_llm_options

    batch = subparsers.add_parser(
        "batch",
        help="summarise many clusters from a JSONL (resumable), or prepare/collect Batch API files",
        description="Summarise every cluster of CLUSTERS.jsonl into one JSON line each. "
        "`summarizer batch CLUSTERS.jsonl -o RESULTS.jsonl` is short for `batch run ...`.",
        epilog="Exit codes: 0 all complete, 1 some partial or failed, 2 bad input or usage, "
        "3 nothing produced, 130 interrupted (run the same command again to resume).",
    )
    batch.register("action", "parsers", _DefaultRunAction)
    commands = batch.add_subparsers(dest="batch_command", metavar="{run,prepare,collect}")
    commands.required = True

    run = commands.add_parser(
        "run",
        help="(default) run the pipeline on every cluster, appending one result line each",
        description="Run every cluster of CLUSTERS.jsonl through the pipeline with one shared "
        "concurrency limit. Results are appended to RESULTS.jsonl as they complete (in "
        "completion order; each line carries the input `line`). Killed or interrupted? Run "
        "the same command again: finished clusters are skipped.",
    )
    run.add_argument("input", type=Path, metavar="CLUSTERS.jsonl")
    run.add_argument("-o", "--output", type=Path, required=True, metavar="RESULTS.jsonl")
    add_llm_options(run)
    run.add_argument("--writer", choices=["llm", "extractive"])
    run.add_argument("--max-sentences", type=int, default=10)
    run.add_argument("--max-words", type=int, help="word budget of the extractive writer")
    run.add_argument(
        "--in-flight",
        type=int,
        metavar="N",
        help="clusters worked on at once (default: 2 x --concurrency); bounds memory",
    )
    run.add_argument(
        "--retry-failed",
        action="store_true",
        help="run again the clusters an earlier run recorded as failed (their lines are replaced)",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no notices or progress")
    # Ray Data scale-out (summarizer.cli.ray_batch): -o is then a folder of JSONL parts.
    run.add_argument("--engine", choices=["local", "ray"], default="local")
    run.add_argument("--workers", type=int, metavar="N", help="Ray workers (default 1)")
    run.add_argument("--address", help="existing Ray cluster: auto or ray://HOST:PORT")
    run.set_defaults(func=cmd_batch_run)

    prepare = commands.add_parser(
        "prepare",
        help="write the extraction requests as an OpenAI Batch API input file",
        description="Write one chat-completions request per source (per chunk of a long "
        "source) in the JSONL that OpenAI's Batch API and vLLM's run_batch read.",
    )
    prepare.add_argument("input", type=Path, metavar="CLUSTERS.jsonl")
    prepare.add_argument("-o", "--output", type=Path, required=True, metavar="REQUESTS.jsonl")
    prepare.add_argument("-m", "--model", help="model name (default: $SUMMARIZER_MODEL)")
    prepare.add_argument("--mode", choices=["tools", "json_schema", "md_json"])
    prepare.add_argument("--chunk-chars", type=int, help="split sources longer than this")
    prepare.add_argument("--max-tokens", type=int, help="max_tokens of each request")
    prepare.add_argument("-q", "--quiet", action="store_true", help="no notices")
    prepare.set_defaults(func=cmd_batch_prepare)

    collect = commands.add_parser(
        "collect",
        help="ground, merge and write the answers of a Batch API results file",
        description="Read the Batch API results file for requests made by `batch prepare`, "
        "ground every answer (no re-asking is possible: invalid items are dropped and "
        "counted), merge, and write with the extractive writer: one line per cluster.",
    )
    collect.add_argument("input", type=Path, metavar="CLUSTERS.jsonl")
    collect.add_argument("responses", type=Path, metavar="RESPONSES.jsonl")
    collect.add_argument("-o", "--output", type=Path, required=True, metavar="RESULTS.jsonl")
    collect.add_argument("--max-sentences", type=int, default=10)
    collect.add_argument("--max-words", type=int, help="word budget of the extractive writer")
    collect.add_argument("-q", "--quiet", action="store_true", help="no notices or progress")
    collect.set_defaults(func=cmd_batch_collect)


def _notice(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"summarizer: {message}", file=sys.stderr)


def _check_paths(args: argparse.Namespace, *inputs: Path) -> None:
    output: Path = args.output
    for path in inputs:
        if path.exists() and output.exists() and path.resolve() == output.resolve():
            raise ConfigError(f"{output}: the output would overwrite an input; choose another -o")


def _exit_code(stats: BatchStats) -> int:
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
    import time

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
    _notice(args, f"batch: {stats.summary()} -> {args.output}")
    if stats.interrupted:
        _notice(args, "interrupted: run the same command again to resume")
    return _exit_code(stats)


# --------------------------------------------------------------------------- run


def cmd_batch_run(args: argparse.Namespace) -> int:
    from summarizer.batch.runner import iter_input
    from summarizer.cli.main import llm_overrides
    from summarizer.pipeline import BUILTIN, RunOptions, choose_model

    if args.engine == "ray":
        from summarizer.cli.ray_batch import cmd_ray_batch

        return cmd_ray_batch(args)
    _check_paths(args, args.input)
    if args.in_flight is not None and args.in_flight < 1:
        raise ConfigError("--in-flight must be at least 1")
    items = iter_input(args.input)  # a missing input fails before anything is created
    overrides = llm_overrides(args)
    model, notice = choose_model(args.model, **overrides)
    if notice:
        _notice(args, notice)
    options = RunOptions(
        writer=args.writer, max_sentences=args.max_sentences, max_words=args.max_words
    )
    total = _maybe_count(args, args.input)
    if model == BUILTIN:
        return asyncio.run(_run(args, items, None, options, total))

    from summarizer.llm.client import LLM
    from summarizer.pipeline import llm_settings

    settings = llm_settings(model, **overrides)

    async def with_llm() -> int:
        async with LLM(settings) as llm:
            code = await _run(args, items, llm, options, total)
            for warning in llm.warnings:
                _notice(args, warning)
            return code

    return asyncio.run(with_llm())


def _maybe_count(args: argparse.Namespace, path: Path) -> int | None:
    from summarizer.batch.runner import count_clusters

    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None
    return count_clusters(path)


async def _run(
    args: argparse.Namespace, items: Any, llm: Any, options: Any, total: int | None
) -> int:
    from summarizer.batch.runner import BatchRunner, summary_process

    in_flight = args.in_flight or (2 * llm.settings.concurrency if llm is not None else 2)
    with batch_progress(args, total, show_cost=llm is not None) as progress:
        runner = BatchRunner(
            summary_process(llm, options),
            max_in_flight=in_flight,
            progress=progress,
            cost=(lambda: llm.usage.cost_usd) if llm is not None else None,
        )
        with _stop_on_signals(runner.stop):
            stats = await runner.run(
                items, args.output, total=total, retry_failed=args.retry_failed
            )
    return _finish(args, stats)


# --------------------------------------------------------------------------- Batch API


def cmd_batch_prepare(args: argparse.Namespace) -> int:
    from summarizer.batch.api import prepare_requests
    from summarizer.core.settings import LLMSettings

    _check_paths(args, args.input)
    settings = LLMSettings.resolve(
        **{k: v for k, v in {"model": args.model, "mode": args.mode}.items() if v is not None}
    )
    report = prepare_requests(
        args.input,
        args.output,
        model=settings.model,
        mode=settings.effective_mode,
        temperature=settings.temperature,
        chunk_chars=args.chunk_chars,
        max_tokens=args.max_tokens,
    )
    for error in report.errors:
        _notice(args, f"skipped {error} (collect will record it as a failed cluster)")
    _notice(
        args,
        f"wrote {report.requests} request(s) for {report.clusters} cluster(s) to {args.output} "
        f"(model {settings.model}, mode {settings.effective_mode}, "
        f"~{report.prompt_tokens_estimate:,} prompt tokens)",
    )
    return EXIT_PARTIAL if report.errors else EXIT_OK


def cmd_batch_collect(args: argparse.Namespace) -> int:
    from summarizer.batch.api import open_collect

    _check_paths(args, args.input, args.responses)
    total = _maybe_count(args, args.input)

    async def go() -> BatchStats:
        with batch_progress(args, total) as progress:
            runner, items, index = open_collect(
                args.input,
                args.responses,
                max_sentences=args.max_sentences,
                max_words=args.max_words,
                progress=progress,
            )
            for problem in index.problems:
                _notice(args, f"ignored {problem}")
            with _stop_on_signals(runner.stop):
                return await runner.run(items, args.output, total=total)

    return _finish(args, asyncio.run(go()))


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (``python -m summarizer.cli.batch``) until ``cli.py`` wires it in."""
    from summarizer.core.errors import SummarizerError

    parser = argparse.ArgumentParser(prog="summarizer")
    add_batch_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except SummarizerError as error:
        print(f"summarizer: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("summarizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
