"""Batch runs on Ray Data: the same pipeline across cores and machines (the only Ray importer).

Why it is shaped this way:

* **Workers are a fixed pool of actors.** A callable class passed to ``map_batches``
  gets an autoscaling pool by default; a fixed ``ActorPoolStrategy(size=workers)`` gives
  each worker exactly one engine (one LLM client with its cache, retry policy and
  concurrency share, or the built-in extractor), opened once when the actor starts.
* **One LLM budget.** ``--concurrency`` bounds every in-flight model call of the run: each
  worker's client gets ``concurrency // workers`` slots, so the sum never exceeds it (the
  remainder is left unused rather than overshooting). Retries, Retry-After and re-asks are
  the client's own, as in one process.
* **Async workers, several clusters each.** ``__call__`` is a coroutine: Ray Data runs it
  on one event loop per actor, so the engine's async client lives in that loop and the
  clusters of a batch (and of the few batches in flight per actor) share it.
* **No stall on small machines.** Each actor asks for less than a whole CPU when whole
  CPUs would take every logical CPU of the cluster: the read and key tasks must still get
  scheduled (on 2 cores, two 1-CPU actors starve the read task and the run never starts).
* **Exactly once by cluster id, against OUTDIR.** Ray's ``CheckpointConfig`` is beta and
  silently off for datasets that do not come from a read; instead the driver reads the ids
  OUTDIR already holds, the workers skip them, and the driver writes each group of
  finished records as one whole part file (temporary name, fsync, rename). A SIGKILL at
  any moment loses only unwritten records, which the next run redoes; see ``ray_ids``.
* **Few processes.** On a small machine every Python process Ray starts takes CPU from the
  workers, so a local input file (up to ``DRIVER_BLOCKS_MAX_BYTES``) is cut into blocks by
  the driver (no read or repartition task), and the command shuts Ray down itself.
* **Quiet.** Ray's worker logs stay in Ray's session folder (``log_to_driver=False``) and
  Ray Data's progress bars and start-up lines are off; the CLI draws its own progress.

Each worker opens its engine with ``pipeline.open_engine`` (built-in or an LLM, chosen from
the settings exactly as in one process) and runs every cluster through
``pipeline.summarize_sources`` (:func:`summarize_one`): the unchanged pipeline.
"""

from __future__ import annotations

import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import ray
import ray.data
from ray.data import ActorPoolStrategy, DataContext, Dataset

from summarizer.batch.heap import freeze_startup_heap
from summarizer.batch.ray_ids import (
    RECORD_FIELDS,
    Finished,
    KeyPlan,
    bad_line_record,
    failure,
    file_keys,
    finish_output,
    jsonl_line,
    key_row,
    local_lines,
    output_dir,
    part_name,
    plan_keys,
    scan_output,
    split_file,
    summary,
)
from summarizer.batch.ray_report import RunReport, user_error
from summarizer.batch.runner import stage_of
from summarizer.core.aio import yield_to_io
from summarizer.core.errors import BadInputError, ConfigError, SummarizerError, setting
from summarizer.core.options import RunOptions
from summarizer.pipeline import (
    Engine,
    NothingProducedError,
    chooses_builtin,
    open_engine,
    summarize_sources,
)
from summarizer.sources import parse_cluster

if TYPE_CHECKING:
    from summarizer.core.settings import LLMSettings

RECORD_SCHEMA = pa.schema([(name, pa.string()) for name in RECORD_FIELDS])
#: Clusters per actor call: small for the LLM path (many batches in flight keep the
#: budget busy), larger for the CPU-bound built-in extractor (less per-call overhead).
LLM_BATCH, BUILTIN_BATCH = 4, 16
#: A part file is written when this many records are waiting or this many seconds passed.
FLUSH_RECORDS, FLUSH_SECONDS = 256, 2.0
#: Local files up to this size are cut into blocks by the driver: Ray then starts no read
#: task and no repartition task, and so no worker process only to read and split the input
#: (1-2 s of a 1,000-cluster run on 2 cores). Larger files, folders and object storage are
#: read by Ray (``read_binary_files``) and repartitioned, streaming.
DRIVER_BLOCKS_MAX_BYTES = 256 << 20


# --------------------------------------------------------------------------- Ray itself


def quiet_ray() -> None:
    """Keep Ray Data's progress bars, start-up lines and INFO logs off the user's terminal."""
    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.enable_operator_progress_bars = False
    context.print_on_execution_start = False
    # Each map task would start a thread that reads the worker's memory every second,
    # for statistics nobody here reads: measurable CPU on the LLM path's many small tasks.
    context.memory_usage_poll_interval_s = None
    for name in ("ray", "ray.data", "ray.train", "ray.tune"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # Ray Data warns when an input has fewer blocks than the pool has actors (a small
    # input): nothing is wrong, some workers just have nothing to do.
    warnings.filterwarnings(
        "ignore", message="The minimum number of concurrent actors", category=UserWarning
    )


def start_ray(address: str | None = None, *, num_cpus: int | None = None) -> float:
    """Connect to ``address`` (``auto``, ``ray://HOST:PORT``) or start a local Ray; return seconds.

    A local Ray gets the machine's cores. Worker output goes to Ray's log folder only.
    """
    started = time.monotonic()
    os.environ.setdefault("RAY_DEDUP_LOGS", "1")
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    if not ray.is_initialized():
        options: dict[str, Any] = {
            "log_to_driver": False,
            "logging_level": logging.ERROR,
            "configure_logging": True,
        }
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=num_cpus or os.cpu_count() or 1, include_dashboard=False, **options)
    quiet_ray()
    return time.monotonic() - started


def stop_ray() -> None:
    """Shut Ray down now: from its exit hook it would first sleep half a second so that
    worker log lines reach the terminal, and ours never do (``log_to_driver=False``)."""
    if ray.is_initialized():
        ray.shutdown()


def worker_cpus(workers: int, cluster_cpus: float) -> float:
    """CPUs each actor asks for: one, unless ``workers`` whole CPUs would leave none free."""
    if workers < 1:
        raise ConfigError(f"{setting('workers')} must be at least 1")
    if cluster_cpus - workers >= 1:
        return 1.0
    return max(0.1, round((cluster_cpus - 1) / workers, 2)) if cluster_cpus > 1 else 0.1


# --------------------------------------------------------------------------- one worker


def worker_options(spec: Mapping[str, Any]) -> RunOptions:
    """Run options rebuilt inside a worker from the plain fields the driver sent."""
    return RunOptions(**spec)


async def summarize_one(engine: Engine, options: RunOptions, cluster: Any) -> dict[str, Any]:
    """One cluster through the unchanged pipeline, as a record (failures included)."""
    try:
        result = await summarize_sources(
            cluster.sources, engine=engine, options=options, warnings=cluster.warnings
        )
    except NothingProducedError as error:
        return failure(cluster.id, "extract", str(error))
    return summary(cluster.id, result.status, result.model_dump_json())


class ClusterSummarizer:
    """The Ray Data actor: one engine per worker, opened in the actor's event loop."""

    def __init__(
        self,
        settings: LLMSettings,
        options: Mapping[str, Any],
        skip: frozenset[str],
        winners: Mapping[str, str],
    ) -> None:
        self._options = worker_options(options)
        self._skip = skip
        self._winners = dict(winners)
        self._engine: Engine | None = None
        # Built here, not at the first batch: constructing the engine imports its stack
        # (openai and instructor for an LLM, seconds of CPU), and the constructor runs
        # while the input and Ray Data's own actors are still starting, so that time is
        # hidden. It is entered in the actor's event loop, where its client must live.
        self._built: Engine | SummarizerError = self._build(settings)
        # The worker's imports are done and its engine is built: keep that heap out of
        # the collector's full passes (see summarizer.batch.heap for the measurement).
        freeze_startup_heap()

    @staticmethod
    def _build(settings: LLMSettings) -> Engine | SummarizerError:
        try:
            return open_engine(settings)
        except SummarizerError as error:  # raised at the first batch, as Ray surfaces it
            return error

    async def _ready(self) -> Engine:
        if self._engine is None:
            if isinstance(self._built, SummarizerError):
                raise self._built
            await self._built.__aenter__()
            self._engine = self._built
        return self._engine

    async def __call__(self, batch: pa.Table) -> pa.Table:
        import asyncio

        engine = await self._ready()
        origins = batch.column("path").to_pylist() if "path" in batch.column_names else None
        rows = batch.drop_columns(["path"]) if origins is not None else batch
        todo = []
        for index, row in enumerate(rows.to_pylist()):
            keyed = key_row(row)
            if keyed.cluster_id in self._skip:
                continue
            if self._winners.get(keyed.cluster_id, keyed.content_hash) != keyed.content_hash:
                continue  # its duplicate record comes from the driver
            where = f"{origins[index] if origins else 'input'}#{keyed.cluster_id}"
            todo.append(self._one(engine, keyed, where))
        records = await asyncio.gather(*todo)
        columns = {name: [record.get(name) for record in records] for name in RECORD_FIELDS}
        return pa.table(columns, schema=RECORD_SCHEMA)

    async def _one(self, engine: Engine, keyed: Any, where: str) -> dict[str, Any]:
        await yield_to_io()  # parsing is a CPU-heavy step: answers that have arrived first
        try:
            cluster = parse_cluster(keyed.line, where)
        except BadInputError as error:
            return bad_line_record(keyed, error)
        try:
            return await summarize_one(engine, self._options, cluster)
        except ConfigError:
            raise  # fails every cluster the same way: stop the run, record nothing
        except SummarizerError as error:
            return failure(cluster.id, stage_of(error), str(error))
        except Exception as error:  # one bad cluster must not end the run: record it
            return failure(cluster.id, "internal", f"{type(error).__name__}: {error}")


# --------------------------------------------------------------------------- library


def _key_batch(batch: pa.Table) -> pa.Table:
    rows = batch.drop_columns(["path"]) if "path" in batch.column_names else batch
    keys = [key_row(row) for row in rows.to_pylist()]
    return pa.table(
        {"cluster_id": [k.cluster_id for k in keys], "content_hash": [k.content_hash for k in keys]}
    )


def key_plan(clusters: Dataset, origin: str = "input") -> KeyPlan:
    """One pass over the ids and content hashes only (cheap next to summarising)."""
    keys = clusters.map_batches(_key_batch, batch_format="pyarrow")
    return plan_keys(((row["cluster_id"], row["content_hash"]) for row in keys.iter_rows()), origin)


@dataclass(frozen=True)
class WorkerPlan:
    """How a run is spread: actors, their CPUs, their LLM share, clusters per call."""

    workers: int
    cpus: float
    share: int | None
    batch_size: int
    calls_per_actor: int


def _cluster_cpus() -> float:
    resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
    return float(resources.get("CPU", 1))


def block_rows(settings: LLMSettings) -> int:
    """Clusters per actor call, and so per block: see ``LLM_BATCH``."""
    return BUILTIN_BATCH if chooses_builtin(settings) else LLM_BATCH


def plan_workers(workers: int, settings: LLMSettings, cluster_cpus: float) -> WorkerPlan:
    cpus = worker_cpus(workers, cluster_cpus)
    if chooses_builtin(settings):
        return WorkerPlan(workers, cpus, None, block_rows(settings), 1)
    if settings.concurrency < workers:
        raise ConfigError(
            f"{setting('concurrency', str(settings.concurrency))} is below "
            f"{setting('workers', str(workers))}: "
            "every worker needs at least one model call slot"
        )
    share = settings.concurrency // workers
    # About two clusters per slot keep every slot busy while writer calls wait.
    calls = max(1, math.ceil(2 * share / LLM_BATCH))
    return WorkerPlan(workers, cpus, share, block_rows(settings), calls)


def summarize_dataset(
    clusters: Dataset,
    *,
    settings: LLMSettings,
    options: RunOptions | None = None,
    workers: int = 1,
    finished: Finished | None = None,
    origin: str = "input",
    keys: KeyPlan | None = None,
    blocks_sized: bool = False,
) -> Dataset:
    """Summarise every cluster of ``clusters``; return a Dataset of batch records.

    ``clusters`` holds cluster records (``id``, ``sources``, as ``read_json`` reads a
    clusters JSONL) or raw JSONL lines (a ``text`` column, as ``read_text`` reads it, which
    also turns a bad line into a failure record instead of failing the read). ``settings``
    choose the engine as in one process (``pipeline.open_engine``). The records have the
    string columns
    ``cluster_id, status, stage, error, result`` (``result`` is the SummaryResult as JSON).
    Ids in ``finished`` are skipped. One pass over ids and hashes runs first, to find
    lines that share an id; each losing line becomes a ``duplicate`` failure record.
    ``keys`` is that pass's result when the caller already has it (``ray_ids.file_keys``
    reads a local file in the driver, sparing a Ray task and its worker's start-up).
    ``blocks_sized`` says each block already holds one actor call's clusters
    (:func:`block_rows`, as :func:`driver_blocks` cuts them), sparing the repartition.
    """
    options = options or RunOptions()
    builtin = chooses_builtin(settings)
    if not builtin and settings.record is not None:
        raise ConfigError(
            f"{setting('record')} cannot be used with the Ray engine (one cassette per process)"
        )
    finished = finished or Finished()
    plan = keys if keys is not None else key_plan(clusters, origin)
    layout = plan_workers(workers, settings, _cluster_cpus())
    worker_settings = settings if builtin else settings.with_(concurrency=layout.share or 1)
    spec = {
        "writer": options.writer,
        "chunk_chars": options.chunk_chars,
        "max_sentences": options.max_sentences,
        "max_words": options.max_words,
    }
    if not blocks_sized:
        clusters = clusters.repartition(target_num_rows_per_block=layout.batch_size)
    records = clusters.map_batches(
        ClusterSummarizer,
        # Sized blocks go one per call: with a batch size, Ray Data would bundle blocks
        # smaller than it (a short last block, a small input's blocks) into one call.
        batch_size=None if blocks_sized else layout.batch_size,
        batch_format="pyarrow",
        fn_constructor_kwargs={
            "settings": worker_settings,
            "options": spec,
            "skip": frozenset(finished.ids),
            "winners": plan.winners,
        },
        compute=ActorPoolStrategy(
            size=layout.workers,
            max_tasks_in_flight_per_actor=layout.calls_per_actor + 1,
            max_concurrent_calls_per_actor=layout.calls_per_actor,
        ),
        num_cpus=layout.cpus,
    )
    duplicates = [r for r in plan.duplicates if r["cluster_id"] not in finished.duplicate_ids]
    if duplicates:
        extra = ray.data.from_arrow(pa.Table.from_pylist(duplicates, schema=RECORD_SCHEMA))
        records = records.union(extra)
    return records


# --------------------------------------------------------------------------- command


def read_clusters(location: str) -> Dataset:
    """The input as raw lines (bad lines become records), with the file each came from.

    Files are read as bytes and split at ``\n`` (``ray_ids.lines_of``), not by
    ``read_text``, which splits at every Unicode line break and decodes strictly.
    """
    files = ray.data.read_binary_files(location, include_paths=True)
    return files.flat_map(split_file)


def driver_blocks(path: str, rows: int, workers: int = 1) -> tuple[Dataset, KeyPlan]:
    """A local JSONL file as blocks of at most ``rows`` raw lines made in the driver, and its keys.

    The same rows as :func:`read_clusters` (``text`` bytes, ``path``), from one read that
    also gives the key pass. At least one block per worker when there are enough lines,
    so a small input is not one block (which only one actor could take; Ray still picks
    the actor for each block). ``from_items`` builds its blocks here
    (``from_arrow`` would start a metadata task per block, the worker start this avoids).
    """
    lines, keys = local_lines(path)
    items = [{"text": line, "path": path} for line in lines]
    blocks = max(1, min(len(items), max(workers, math.ceil(len(items) / rows))))
    return ray.data.from_items(items, override_num_blocks=blocks), keys


def run_to_outdir(
    location: str,
    outdir: str,
    *,
    settings: LLMSettings,
    options: RunOptions | None = None,
    workers: int = 1,
    retry_failed: bool = False,
    progress: Callable[[RunReport], None] | None = None,
) -> RunReport:
    """The whole ``--engine ray`` run: resume state, summarise, write part files, finish.

    Records are written by the driver, a part file per group, so no worker ever writes into
    OUTDIR and nothing can land there after the driver is gone.
    """
    out = output_dir(outdir)
    finished = scan_output(out, retry_failed=retry_failed)
    report = RunReport(skipped=len(finished.ids), started=time.monotonic())
    builtin = chooses_builtin(settings)
    local = "://" not in location and os.path.isfile(location)
    sized = local and os.path.getsize(location) <= DRIVER_BLOCKS_MAX_BYTES
    if sized:
        clusters, keys = driver_blocks(location, block_rows(settings), workers)
    else:
        clusters = read_clusters(location)
        keys = file_keys(location) if local else key_plan(clusters, location)
    report.identical_lines = keys.identical
    records = summarize_dataset(
        clusters,
        settings=settings,
        options=options,
        workers=workers,
        finished=finished,
        origin=location,
        keys=keys,
        blocks_sized=sized,
    )
    waiting: list[dict[str, Any]] = []
    last = time.monotonic()

    def flush() -> None:
        nonlocal last
        if waiting:
            out.write(part_name(waiting), b"".join(jsonl_line(r) for r in waiting))
            for record in waiting:
                report.count(record, costed=not builtin)
            waiting.clear()
            if progress is not None:
                progress(report)
        last = time.monotonic()

    try:
        for batch in _record_batches(records):
            waiting.extend(batch)
            if len(waiting) >= FLUSH_RECORDS or time.monotonic() - last >= FLUSH_SECONDS:
                flush()
    except KeyboardInterrupt:
        report.interrupted = True
    except Exception as error:  # Ray wraps a worker's ConfigError: surface it as itself
        cause = user_error(error)
        if cause is None:
            raise
        raise cause from None
    finally:
        flush()
    final = finish_output(out)
    report.repeats_removed = final.repeats
    report.final = final
    return report


def _record_batches(records: Dataset) -> Iterator[list[dict[str, Any]]]:
    for table in records.iter_batches(batch_format="pyarrow", batch_size=None):
        assert isinstance(table, pa.Table)
        yield table.to_pylist()
