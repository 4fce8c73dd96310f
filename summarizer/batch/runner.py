"""Batch runs: a JSONL of clusters in, one JSON line per cluster out, resumable after a crash.

Why it is shaped this way:

* **Streaming both ways.** Clusters are read one line at a time and at most
  ``max_in_flight`` of them are being worked on; a result is appended to the output as soon
  as it is complete and then forgotten. Memory therefore depends on ``max_in_flight``, not
  on the number of clusters (10,000+ lines run in flat memory).
* **One concurrency limit.** The caller hands in one ``process`` function that closes over
  ONE shared ``LLM``; its semaphore bounds every model call of the run. ``max_in_flight``
  (by default twice that limit) only keeps enough clusters queued to keep the LLM busy
  while one cluster's extractions wait for its writer call.
* **Exactly one line per input cluster.** A cluster ends as a summary record, or as a
  failure record with its reason; an input line that is not a usable cluster ends as a
  failure record naming its line number and the ``id`` it gives, if any (guarantee 3).
* **Durable, append-only output.** Lines are appended with ``O_APPEND`` writes and
  ``fsync``'d before a cluster counts as done (group commit: one ``fsync`` per batch of
  lines). A kill at any moment leaves complete lines plus at most one torn last line.
* **Resume by re-running the same command.** The output is scanned first: a torn last line
  is cut off (truncate to the last newline), and every ``(line number, cluster id)`` already
  present is skipped. Keying on both means a duplicated cluster id in the input is still two
  clusters, and an edited input line is not mistaken for a finished one.
* **Output order is completion order**, not input order: waiting for a slow cluster to
  keep order would hold every later result in memory. Each record carries ``line`` (the
  input line number) so ``sort`` or ``jq`` can restore input order.

Record shapes (one JSON object per line; ``status`` is ``complete``, ``partial`` or
``failed``)::

    {"cluster_id": "c1", "line": 1, "status": "complete", "result": {...SummaryResult...}}
    {"cluster_id": "c2", "line": 2, "status": "failed", "stage": "extract", "error": "..."}
    {"cluster_id": null, "line": 3, "status": "failed", "stage": "input", "error": "..."}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import stat
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from summarizer.batch.tally import STATUS_FAILED, STATUS_PARTIAL, StatusTally
from summarizer.core import files
from summarizer.core.aio import yield_to_io
from summarizer.core.errors import BadInputError, ConfigError, LLMError, SummarizerError
from summarizer.core.options import RunOptions
from summarizer.pipeline import Builtin, NothingProducedError, summarize_sources
from summarizer.sources import iter_clusters

if TYPE_CHECKING:
    from summarizer.core.source import Cluster
    from summarizer.pipeline import Engine

#: ``process(cluster, line_no)`` returns the record's body: at least ``status`` ("complete"
#: or "partial"), usually ``result``. The runner adds ``cluster_id`` and ``line``. The line
#: number is passed because cluster ids need not be unique across an input file.
ProcessFn = Callable[["Cluster", int], Awaitable[Mapping[str, Any]]]


class ClusterLineLike(Protocol):
    """What ``sources.iter_clusters`` yields: a cluster or the error of one input line."""

    @property
    def line_no(self) -> int: ...
    @property
    def cluster(self) -> Cluster | None: ...
    @property
    def error(self) -> BadInputError | None: ...
    @property
    def cluster_id(self) -> str | None: ...


@dataclass
class BatchStats(StatusTally):
    """Running counts of one batch run; ``total`` is None when it was not counted."""

    total: int | None = None
    skipped: int = 0
    #: Of the skipped clusters, how many an earlier run recorded as failed / partial, so the
    #: exit code of a resumed run describes the whole output, not only its own part.
    skipped_failed: int = 0
    skipped_partial: int = 0
    in_flight: int = 0
    interrupted: bool = False
    cost_usd: float | None = 0.0
    started: float = field(default_factory=time.monotonic)

    @property
    def written(self) -> int:
        """Lines written by this run (resumed ones not included)."""
        return self.complete + self.partial + self.failed

    @property
    def done(self) -> int:
        """Clusters with a result line, including those finished by an earlier run."""
        return self.skipped + self.written

    def summary(self) -> str:
        parts = [
            f"{self.written} written ({self.complete} complete, {self.partial} partial, "
            f"{self.failed} failed)"
        ]
        if self.skipped:
            parts.append(f"{self.skipped} already done")
        elapsed = time.monotonic() - self.started
        if self.written and elapsed > 0:
            parts.append(f"{self.written / elapsed:.1f} clusters/s")
        if self.cost_usd is None:
            parts.append("cost unknown")
        elif self.cost_usd:
            parts.append(f"${self.cost_usd:.4f}")
        return ", ".join(parts)


Progress = Callable[[BatchStats], None]


# --------------------------------------------------------------------------- output file


def repair_output(path: Path) -> int:
    """Cut a torn last line (a write interrupted by a kill); return the bytes removed."""
    if not path.exists():
        return 0
    with path.open("r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        # Walk back from the end in blocks until a newline is found.
        position = size
        block = 64 * 1024
        keep = 0
        while position > 0:
            start = max(0, position - block)
            handle.seek(start)
            chunk = handle.read(position - start)
            newline = chunk.rfind(b"\n")
            if newline != -1:
                keep = start + newline + 1
                break
            position = start
        if keep == size:
            return 0
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
        return size - keep


def record_key(line_no: int, cluster_id: str | None) -> tuple[int, str | None]:
    return (line_no, cluster_id)


def finished_keys(path: Path) -> dict[tuple[int, str | None], str]:
    """``(line, cluster_id) -> status`` of every record already in ``path`` (after repair)."""
    keys: dict[tuple[int, str | None], str] = {}
    if not path.exists():
        return keys
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                key = record_key(int(record["line"]), record["cluster_id"])
                status = str(record["status"])
            except (ValueError, KeyError, TypeError):
                raise BadInputError(
                    f"{path}:{number}",
                    "is not a batch result line; choose another output file or remove it",
                ) from None
            keys[key] = status
    return keys


def drop_failures(path: Path) -> int:
    """Rewrite ``path`` without its failure records (bad input lines kept); return how many.

    Rewritten through ``core.files.write_output`` (only when there is something to drop):
    a kill during the rewrite leaves the old file or the new one, never a mix, and the file
    keeps its mode; a symlink stays a link to the rewritten file.
    """
    if not path.exists():
        return 0
    with path.open("rb") as source:
        removed = sum(1 for raw in source if _is_retryable_failure(raw))
    if removed:
        with path.open("rb") as source:
            files.write_output(path, (raw for raw in source if not _is_retryable_failure(raw)))
    return removed


def _is_retryable_failure(raw: bytes) -> bool:
    try:
        record = json.loads(raw) if raw.strip() else None
    except ValueError:
        return False
    return (
        isinstance(record, dict)
        and record.get("status") == STATUS_FAILED
        and record.get("stage") != "input"
    )


class ResultWriter:
    """Appends JSON lines durably, one ``fsync`` per group of lines that completed together.

    Callers ``await write(record)``; it returns once the line is on disk, and ``written``
    is called with the record's status then, by the writer: a cluster whose task is
    cancelled after queueing its line (Ctrl-C) still has its line flushed, and counted, so
    the run's summary says what the file holds. A single task owns the file descriptor, so
    lines never interleave, and ``fsync`` runs in a thread so the event loop keeps serving
    LLM calls meanwhile. A device or FIFO is written without ``fsync`` (it has none).
    """

    def __init__(self, path: Path, written: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._written = written
        self._fd = -1
        self._sync = True
        self._queue: asyncio.Queue[tuple[bytes, str, asyncio.Future[None]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ResultWriter:
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise BadInputError(str(self.path), f"cannot write ({error.strerror})") from None
        self._sync = stat.S_ISREG(os.fstat(self._fd).st_mode)
        if self._sync:
            _lock_exclusively(self._fd, self.path)
        self._task = asyncio.create_task(self._drain(), name="batch-writer")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            # Let queued lines reach the disk before closing (Ctrl-C flushes what is done).
            await self._queue.join()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._fd != -1:
            os.close(self._fd)
            self._fd = -1

    async def write(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put((line + b"\n", str(record.get("status", "complete")), done))
        await asyncio.shield(done)

    async def _drain(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            error: BaseException | None = None
            try:
                files.write_all(self._fd, b"".join(line for line, _, _ in batch))
                if self._sync:
                    await asyncio.to_thread(os.fsync, self._fd)
            except OSError as exc:
                error = SummarizerError(f"{self.path}: cannot write ({exc.strerror})")
            for _, status, done in batch:
                if error is None and self._written is not None:
                    self._written(status)
                if not done.done():
                    if error is None:
                        done.set_result(None)
                    else:
                        done.set_exception(error)
                self._queue.task_done()


def _lock_exclusively(fd: int, path: Path) -> None:
    """Refuse a second run appending to the same file (it would duplicate clusters)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock, same semantics otherwise
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise ConfigError(f"{path}: another batch run is writing this file") from None


def count_clusters(path: Path) -> int:
    """Non-blank lines of the input, for the progress bar's total and ETA (one fast pass)."""
    count = 0
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                count += 1
    return count


# --------------------------------------------------------------------------- runner


def failure_record(line_no: int, cluster_id: str | None, stage: str, error: str) -> dict[str, Any]:
    return {
        "cluster_id": cluster_id,
        "line": line_no,
        "status": STATUS_FAILED,
        "stage": stage,
        "error": error,
    }


def stage_of(error: BaseException) -> str:
    stage = getattr(error, "stage", None)
    if isinstance(stage, str):
        return stage
    return "llm" if isinstance(error, LLMError) else "run"


class BatchRunner:
    """Runs ``process`` over the clusters of one input, appending to one output.

    ``stop()`` (wired to SIGINT by the CLI) stops reading new clusters, cancels the ones in
    flight (they have no line yet, so a resumed run redoes them) and lets the writer flush
    every line already complete.
    """

    def __init__(
        self,
        process: ProcessFn,
        *,
        max_in_flight: int = 16,
        progress: Progress | None = None,
        cost: Callable[[], float | None] | None = None,
    ) -> None:
        if max_in_flight < 1:
            raise ConfigError("max in-flight clusters must be at least 1")
        self.process = process
        self.max_in_flight = max_in_flight
        self.progress = progress
        self.cost = cost
        self.stats = BatchStats()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._fatal: ConfigError | None = None

    def stop(self) -> None:
        self._stopping = True
        self.stats.interrupted = True
        for task in list(self._tasks):
            task.cancel()

    async def run(
        self,
        items: Iterable[ClusterLineLike],
        output: Path,
        *,
        total: int | None = None,
        retry_failed: bool = False,
    ) -> BatchStats:
        """Process every item not already in ``output``; return the final counts.

        ``retry_failed`` first removes earlier failure records (except bad input lines,
        which would fail the same way) so those clusters run again. A ``ConfigError`` from
        ``process`` (no API key, a mode no server accepts) stops the run and is raised: it
        would fail every cluster the same way, and must not be recorded as their outcome.
        """
        files.check_output_path(output)
        target = files.output_target(output)  # a symlink stays a link: its file is what we edit
        done: dict[tuple[int, str | None], str] = {}
        if files.is_resumable(target):  # a device or FIFO has nothing to resume or repair
            repair_output(target)
            if retry_failed:
                drop_failures(target)
            done = finished_keys(target)
        self.stats = BatchStats(total=total, interrupted=self._stopping)
        slots = asyncio.Semaphore(self.max_in_flight)
        async with ResultWriter(target, self._count) as writer:
            for seen, item in enumerate(items):
                if self._stopping:
                    break
                if seen % 256 == 255:
                    await asyncio.sleep(0)  # a long resumed prefix must not starve the loop
                cluster = item.cluster
                cluster_id = cluster.id if cluster is not None else item.cluster_id
                previous = done.get(record_key(item.line_no, cluster_id))
                if previous is None and cluster is None:  # recorded before ids were kept
                    previous = done.get(record_key(item.line_no, None))
                if previous is not None:
                    self.stats.skipped += 1
                    self.stats.skipped_failed += previous == STATUS_FAILED
                    self.stats.skipped_partial += previous == STATUS_PARTIAL
                    continue
                if cluster is None:
                    reason = str(item.error) if item.error is not None else "unusable line"
                    await writer.write(failure_record(item.line_no, cluster_id, "input", reason))
                    continue
                await slots.acquire()
                if self._stopping:
                    slots.release()
                    break
                task = asyncio.create_task(self._one(item.line_no, cluster, writer, slots))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                await yield_to_io()  # reading the next line parses a cluster: answers first
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
        self.stats.interrupted = self._stopping
        self._report()
        if self._fatal is not None:
            raise self._fatal
        return self.stats

    async def _one(
        self, line_no: int, cluster: Cluster, writer: ResultWriter, slots: asyncio.Semaphore
    ) -> None:
        self.stats.in_flight += 1
        try:
            try:
                body = dict(await self.process(cluster, line_no))
            except ConfigError as error:
                self._fatal = self._fatal or error
                self.stop()
                return
            except SummarizerError as error:
                body = failure_record(line_no, cluster.id, stage_of(error), str(error))
            except Exception as error:  # one bad cluster must not end the run: record it
                body = failure_record(
                    line_no, cluster.id, "internal", f"{type(error).__name__}: {error}"
                )
            status = str(body.get("status", "complete"))
            record = {"cluster_id": cluster.id, "line": line_no, "status": status, **body}
            await writer.write(record)  # counted by the writer once on disk
        finally:
            self.stats.in_flight -= 1
            slots.release()

    def _count(self, status: str) -> None:
        self.stats.tally(status)
        self._report()

    def _report(self) -> None:
        if self.cost is not None:
            self.stats.cost_usd = self.cost()
        if self.progress is not None:
            self.progress(self.stats)


# --------------------------------------------------------------------------- the pipeline


def summary_process(engine: Engine, options: RunOptions) -> ProcessFn:
    """``process`` for real runs: the whole pipeline on one cluster with the shared engine."""

    async def process(cluster: Cluster, line_no: int) -> Mapping[str, Any]:
        try:
            result = await summarize_sources(
                cluster.sources, engine=engine, options=options, warnings=cluster.warnings
            )
        except NothingProducedError as error:
            return {"status": STATUS_FAILED, "stage": "extract", "error": str(error)}
        return {"status": result.status, "result": result.model_dump(mode="json")}

    return process


def default_in_flight(engine: Engine) -> int:
    """Clusters worked on at once when not given: enough to keep every LLM slot busy.

    Twice the LLM's concurrency limit, so one cluster's extractions can run while another
    waits for its writer call; the built-in extractor is CPU-bound in this one thread, so
    two suffice to overlap its work with the writes.
    """
    return 2 if isinstance(engine, Builtin) else 2 * engine.settings.concurrency


def iter_input(path: Path) -> Iterator[ClusterLineLike]:
    """Stream the input clusters; a missing file fails here, before any output is created."""
    return iter_clusters(path)


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every record of a results file (for tests, tools and ``--ordered`` post-processing)."""
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                record = json.loads(raw)
                if isinstance(record, dict):
                    yield record
