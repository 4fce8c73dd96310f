"""``summarizer batch ... --engine ray``: the command-line glue for Ray Data runs.

The flags are the local batch's (``cli/batch.py`` owns them) plus ``--workers`` and
``--address``; ``-o`` names a folder (or an object-store prefix) that receives JSONL part
files. Exit codes are the local batch's, computed over everything OUTDIR holds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from summarizer.batch.runner import BatchStats, count_clusters
from summarizer.cli.batch_progress import batch_progress, exit_code
from summarizer.cli.options import BatchRunOptions, resolved
from summarizer.cli.output import notice
from summarizer.core.errors import ConfigError
from summarizer.core.options import RunOptions
from summarizer.core.settings import LLMSettings
from summarizer.pipeline import BUILTIN, BUILTIN_NOTICE, chooses_builtin

_MANGLED_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/(?!/)")


def location(value: Path | str) -> str:
    """A path or URI as the user typed it (``Path`` turns ``s3://b/k`` into ``s3:/b/k``)."""
    return _MANGLED_URI.sub(r"\1://", str(value))


def _settings(args: argparse.Namespace) -> tuple[LLMSettings, RunOptions]:
    """Resolved settings and run options, exactly as the local batch resolves them."""
    settings, options = resolved(args, LLMSettings), resolved(args, RunOptions)
    if chooses_builtin(settings) and settings.model != BUILTIN:
        notice(args, BUILTIN_NOTICE)
    return settings, options


@contextlib.contextmanager
def _ray_stderr_to_file() -> Iterator[None]:
    """Send file descriptor 2 to a log file while Ray runs; our own messages keep the terminal.

    The driver's C++ core worker writes straight to fd 2 (for instance a warning about
    actor arguments in the object store on every run), past Python's logging, so the only
    way to keep it off the terminal is to move fd 2 itself. ``sys.stderr`` is pointed at a
    copy of the real stderr meanwhile, so notices and the progress bar still show.
    """
    handle, log_path = tempfile.mkstemp(prefix="summarizer-ray-", suffix=".log")
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    previous = sys.stderr
    sys.stderr.flush()
    os.dup2(handle, 2)
    sys.stderr = terminal
    try:
        yield
    finally:
        terminal.flush()
        sys.stderr = previous
        os.dup2(saved, 2)
        os.close(saved)
        os.close(handle)
        terminal.close()
        os.remove(log_path)  # Ray's own logs stay in its session folder (/tmp/ray/...)


def cmd_ray_batch(args: argparse.Namespace) -> int:
    with _ray_stderr_to_file():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        from summarizer.batch import ray_data
    except ImportError:
        raise ConfigError(
            "--engine ray needs Ray Data: pip install -e '.[ray]' in a clone of summarizer"
        ) from None

    source, outdir = location(args.input), location(args.output)
    if "://" not in source and not Path(source).is_file():
        raise ConfigError(f"{source}: no such file")
    if "://" not in outdir and Path(outdir).is_file():
        raise ConfigError(f"{outdir}: with --engine ray, -o names a folder, not a file")
    workers = resolved(args, BatchRunOptions).workers or 1
    settings, options = _settings(args)
    startup = ray_data.start_ray(resolved(args, BatchRunOptions).address)
    notice(args, f"ray: started in {startup:.1f} s, {workers} worker(s)")
    try:
        return _summarize(args, ray_data, source, outdir, workers, settings, options)
    finally:
        ray_data.stop_ray()


def _summarize(
    args: argparse.Namespace,
    ray_data: ModuleType,
    source: str,
    outdir: str,
    workers: int,
    settings: LLMSettings,
    options: RunOptions,
) -> int:
    total = None
    if not args.quiet and sys.stderr.isatty() and "://" not in source:
        total = count_clusters(Path(source))

    with batch_progress(args, total, show_cost=not chooses_builtin(settings)) as progress:
        report = ray_data.run_to_outdir(
            source,
            outdir,
            settings=settings,
            options=options,
            workers=workers,
            retry_failed=resolved(args, BatchRunOptions).retry_failed,
            progress=progress,
        )
    final = report.final
    if report.identical_lines:
        notice(args, f"{report.identical_lines} line(s) repeat another line exactly")
    if report.repeats_removed:
        notice(args, f"removed {report.repeats_removed} second record(s) of one cluster")
    notice(args, f"batch: {report.summary()} -> {outdir}")
    if report.interrupted:
        notice(args, "interrupted: run the same command again to resume")
    if final is None:
        return exit_code(report)
    whole = BatchStats(
        complete=final.complete,
        partial=final.partial,
        failed=final.failed,
        interrupted=report.interrupted,
    )
    return exit_code(whole)
