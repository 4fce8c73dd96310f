"""OpenAI Batch API files: ``batch prepare`` writes the extraction requests, ``batch collect``
turns the answers into one result line per cluster.

For bulk jobs where latency does not matter (OpenAI's Batch API at half price, or a vLLM
cluster running ``python -m vllm.entrypoints.openai.run_batch`` on the same file).

Why it is built like this:

* **The request body is exactly what instructor would send live.** It comes from
  :func:`summarizer.llm.request.request_body`: the live client's own request description
  handed to instructor's public ``patch`` wrapper over a function that records what it
  would send. So the article enters only through ``{{ article }}`` (a ``{%`` in an article
  cannot break it) and a live run and a batch run ask the model the same question.
* **``custom_id`` carries everything ``collect`` needs to place an answer**:
  ``LINE/CLUSTER/SOURCE/IofN/START-END`` (ids percent-encoded), i.e. the input line (cluster
  ids need not be unique), the chunk number and the chunk's character span in the source.
  ``collect`` does not depend on the chunk size used by ``prepare``.
* **No re-asking is possible**, so ``collect`` is lenient where the live path re-asks: each
  item is validated on its own (an invalid item is dropped and counted, its siblings kept),
  every evidence quote is grounded with ``extract.ground_extraction`` (ungrounded items are
  dropped and counted), and a request that failed or produced no usable JSON is a source
  failure with its reason. The summary is written by the deterministic writer.
* **``collect`` streams**: one pass over the results file builds a small index (custom id
  -> byte offset); clusters are then read one by one and their answers fetched by offset, so
  memory does not grow with the file. It reuses the batch runner, so its output has the same
  record shapes, the same one-line-per-cluster guarantee, and resumes the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.batch.answers import (
    AnswerError,
    RequestKey,
    parse_custom_id,
    source_event,
)
from summarizer.batch.runner import BatchRunner, BatchStats, ClusterLineLike, Progress
from summarizer.core.errors import BadInputError, ConfigError
from summarizer.core.events import SourceEvent, SourceFailure
from summarizer.core.files import write_output
from summarizer.core.options import DEFAULT_MAX_WORDS, MIN_CHUNK_CHARS
from summarizer.core.schema import EventExtraction
from summarizer.core.settings import MODES, Mode
from summarizer.core.source import Cluster
from summarizer.core.types import Usage
from summarizer.extract.with_llm import (
    DEFAULT_CHUNK_CHARS,
    extraction_variables,
    split_into_chunks,
)
from summarizer.llm import request
from summarizer.llm.prompts import load_prompt
from summarizer.pipeline import Builtin, RunOptions, summarize_events
from summarizer.sources import iter_clusters

BATCH_URL = "/v1/chat/completions"
#: Rough tokens per character for the prepare report (OpenAI's rule of thumb: ~4 chars/token).
CHARS_PER_TOKEN = 4


# --------------------------------------------------------------------------- prepare


def request_body(
    variables: Mapping[str, str],
    *,
    model: str,
    mode: Mode,
    temperature: float = 0.0,
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """One chat-completions body for the extraction prompt: what the live client sends."""
    return request.request_body(
        EventExtraction,
        mode,
        load_prompt("extract"),
        variables,
        model=model,
        temperature=temperature,
        max_tokens=max_tokens,
    )


@dataclass
class PrepareReport:
    clusters: int = 0
    requests: int = 0
    #: One line per unusable input line (``file:line: problem``).
    errors: list[str] = field(default_factory=list)
    prompt_tokens_estimate: int = 0


def prepare_requests(
    clusters_path: Path,
    output: Path,
    *,
    model: str,
    mode: Mode = "tools",
    temperature: float = 0.0,
    chunk_chars: int | None = None,
    max_tokens: int | None = None,
) -> PrepareReport:
    """Write one Batch API request per source chunk; the file appears whole or not at all."""

    if mode not in MODES:
        raise ConfigError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    if chunk_chars is not None and chunk_chars < MIN_CHUNK_CHARS:
        raise ConfigError(f"chunk_chars={chunk_chars!r}: must be at least {MIN_CHUNK_CHARS}")
    items = iter_clusters(clusters_path)
    report = PrepareReport()

    def lines() -> Iterator[str]:
        for item in items:
            if item.cluster is None:
                report.errors.append(str(item.error))
                continue
            report.clusters += 1
            for source in item.cluster.sources:
                chunks = split_into_chunks(source, chunk_chars or DEFAULT_CHUNK_CHARS)
                for index, chunk in enumerate(chunks, start=1):
                    key = RequestKey(
                        item.line_no,
                        item.cluster.id,
                        source.id,
                        index,
                        len(chunks),
                        chunk.start,
                        chunk.end,
                    )
                    body = request_body(
                        extraction_variables(source, chunk.text),
                        model=model,
                        mode=mode,
                        temperature=temperature,
                        max_tokens=max_tokens,
                    )
                    line = {
                        "custom_id": key.custom_id(),
                        "method": "POST",
                        "url": BATCH_URL,
                        "body": body,
                    }
                    text = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
                    report.requests += 1
                    report.prompt_tokens_estimate += len(text) // CHARS_PER_TOKEN
                    yield text + "\n"

    # Streamed through the one safe writer: atomic for a file, in place for a device.
    write_output(output, lines())
    return report


# --------------------------------------------------------------------------- collect: index


class ResponseIndex:
    """Byte offsets of the answers in a Batch API results file, grouped by cluster line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._by_cluster: dict[tuple[int, str], list[tuple[RequestKey, int]]] = {}
        #: Lines that are not results of requests made by ``prepare`` (``file:line: why``).
        self.problems: list[str] = []
        self._build()

    def _build(self) -> None:
        try:
            handle = self.path.open("rb")
        except OSError as error:
            raise BadInputError(str(self.path), error.strerror or "cannot be read") from None
        with handle:
            offset = 0
            for number, raw in enumerate(handle, start=1):
                here = offset
                offset += len(raw)
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                    custom_id = record["custom_id"]
                except (ValueError, KeyError, TypeError):
                    self.problems.append(f"{self.path}:{number}: not a Batch API result line")
                    continue
                key = parse_custom_id(str(custom_id))
                if key is None:
                    self.problems.append(
                        f"{self.path}:{number}: custom_id {custom_id!r} was not made by "
                        "`summarizer batch prepare`"
                    )
                    continue
                self._by_cluster.setdefault((key.line_no, key.cluster_id), []).append((key, here))

    def answers(self, line_no: int, cluster_id: str) -> Iterator[tuple[RequestKey, Any]]:
        """The parsed result records of one cluster's requests, read back by offset."""
        entries = self._by_cluster.get((line_no, cluster_id), [])
        if not entries:
            return
        with self.path.open("rb") as handle:
            for key, offset in entries:
                handle.seek(offset)
                yield key, json.loads(handle.readline())


class CollectProcess:
    """``process`` for the batch runner: ground, merge and write one cluster's answers.

    Also keeps the running cost of the answers it used, for the progress bar.
    """

    def __init__(
        self,
        index: ResponseIndex,
        *,
        max_sentences: int | None = None,
        max_words: int | None = DEFAULT_MAX_WORDS,
    ) -> None:
        self.index = index
        self.max_sentences = max_sentences
        self.max_words = max_words
        self.cost_usd: float | None = 0.0

    def cost(self) -> float | None:
        return self.cost_usd

    async def __call__(self, cluster: Cluster, line_no: int) -> Mapping[str, Any]:

        by_source: dict[str, list[tuple[RequestKey, Any]]] = {}
        for key, record in self.index.answers(line_no, cluster.id):
            by_source.setdefault(key.source_id, []).append((key, record))
        warnings = list(cluster.warnings)
        events: list[SourceEvent] = []
        failures: list[SourceFailure] = []
        for source in cluster.sources:
            try:
                events.append(source_event(source, by_source.get(source.id, []), warnings))
            except AnswerError as error:
                failures.append(
                    SourceFailure(source_id=source.id, stage="extract", reason=str(error))
                )
        usage = sum((event.usage for event in events), Usage())
        if self.cost_usd is not None:
            self.cost_usd = None if usage.cost_usd is None else self.cost_usd + usage.cost_usd
        # Re-asking is impossible on a results file: the extractive writer needs no call.
        options = RunOptions(
            writer="extractive", max_sentences=self.max_sentences, max_words=self.max_words
        )
        result = await summarize_events(
            events, failures, cluster.sources, engine=Builtin(), options=options, warnings=warnings
        )
        return {"status": result.status, "result": result.model_dump(mode="json")}


def open_collect(
    clusters_path: Path,
    responses_path: Path,
    *,
    max_sentences: int | None = None,
    max_words: int | None = DEFAULT_MAX_WORDS,
    progress: Progress | None = None,
) -> tuple[BatchRunner, Iterator[ClusterLineLike], ResponseIndex]:
    """The runner and input stream of a collect run (the CLI adds signal handling)."""

    items = iter_clusters(clusters_path)
    if not responses_path.is_file():
        raise BadInputError(str(responses_path), "no such file")
    index = ResponseIndex(responses_path)
    process = CollectProcess(index, max_sentences=max_sentences, max_words=max_words)
    runner = BatchRunner(
        process,
        max_in_flight=1,  # no I/O to overlap: grounding and merging are CPU work
        progress=progress,
        cost=process.cost,
    )
    return runner, items, index


async def collect_results(
    clusters_path: Path,
    responses_path: Path,
    output: Path,
    *,
    max_sentences: int | None = None,
    max_words: int | None = DEFAULT_MAX_WORDS,
    progress: Progress | None = None,
    total: int | None = None,
) -> BatchStats:
    """Library entry of ``batch collect``: one result line per cluster of ``clusters_path``."""
    runner, items, _ = open_collect(
        clusters_path,
        responses_path,
        max_sentences=max_sentences,
        max_words=max_words,
        progress=progress,
    )
    return await runner.run(items, output, total=total)
