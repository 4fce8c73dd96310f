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
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, get_args
from urllib.parse import quote, unquote

from pydantic import BaseModel, ValidationError

from summarizer.batch.runner import BatchRunner, BatchStats, ClusterLineLike, Progress
from summarizer.core.errors import BadInputError, ConfigError, LLMError
from summarizer.core.events import DroppedItem, ExtractionDiagnostics, SourceEvent, SourceFailure
from summarizer.core.files import write_output
from summarizer.core.options import DEFAULT_MAX_WORDS, MIN_CHUNK_CHARS
from summarizer.core.schema import ITEM_FIELDS, EventExtraction, EventType
from summarizer.core.settings import MODES, Mode
from summarizer.core.source import Cluster, Source
from summarizer.core.types import Usage
from summarizer.extract.with_llm import (
    DEFAULT_CHUNK_CHARS,
    Chunk,
    combine_chunks,
    extraction_variables,
    ground_extraction,
    split_into_chunks,
)
from summarizer.llm import request
from summarizer.llm.pricing import estimate_cost
from summarizer.llm.prompts import load_prompt
from summarizer.pipeline import Builtin, RunOptions, summarize_events
from summarizer.sources import iter_clusters

BATCH_URL = "/v1/chat/completions"
#: OpenAI bills Batch API tokens at half the standard list price (pricing.py's table).
BATCH_PRICE_FACTOR = 0.5
#: Rough tokens per character for the prepare report (OpenAI's rule of thumb: ~4 chars/token).
CHARS_PER_TOKEN = 4


# --------------------------------------------------------------------------- custom ids


class RequestKey(NamedTuple):
    """Where one request's answer belongs: cluster (by input line), source and chunk."""

    line_no: int
    cluster_id: str
    source_id: str
    chunk: int
    chunks: int
    start: int
    end: int

    def custom_id(self) -> str:
        return (
            f"{self.line_no}/{quote(self.cluster_id, safe='')}/{quote(self.source_id, safe='')}"
            f"/{self.chunk}of{self.chunks}/{self.start}-{self.end}"
        )


_CUSTOM_ID = re.compile(r"^(\d+)/([^/]*)/([^/]*)/(\d+)of(\d+)/(\d+)-(\d+)$")


def parse_custom_id(custom_id: str) -> RequestKey | None:
    """The key encoded by ``RequestKey.custom_id``; None for an id this tool did not make."""
    match = _CUSTOM_ID.match(custom_id)
    if match is None:
        return None
    line, cluster, source, index, count, start, end = match.groups()
    return RequestKey(
        int(line), unquote(cluster), unquote(source), int(index), int(count), int(start), int(end)
    )


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


# --------------------------------------------------------------------------- collect: answers


class AnswerError(LLMError):
    """One request's answer is missing, failed, or holds no usable JSON."""


def answer_json(record: Any) -> tuple[Any, dict[str, Any]]:
    """(the JSON the model produced, the completion body) of one result record."""
    if not isinstance(record, dict):
        raise AnswerError("result line is not a JSON object")
    error = record.get("error")
    response = record.get("response")
    if error:
        if isinstance(error, dict):
            detail = f"{error.get('code') or 'error'}: {error.get('message') or ''}".strip()
        else:
            detail = str(error)
        raise AnswerError(f"request failed ({_one_line(detail)})")
    if not isinstance(response, dict):
        raise AnswerError("result has neither a response nor an error")
    body = response.get("body")
    status = response.get("status_code")
    if status != 200 or not isinstance(body, dict):
        message = ""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            message = str(body["error"].get("message") or "")
        raise AnswerError(f"HTTP {status}" + (f": {_one_line(message)}" if message else ""))
    try:
        choice = body["choices"][0]
        message_obj = choice["message"]
    except (KeyError, IndexError, TypeError):
        raise AnswerError("completion has no choices") from None
    text: Any = None
    tool_calls = message_obj.get("tool_calls") or []
    if tool_calls:
        text = (tool_calls[0].get("function") or {}).get("arguments")
    if text is None:
        text = message_obj.get("content")
    if not isinstance(text, str) or not text.strip():
        raise AnswerError("completion holds no answer")
    try:
        return _json_in(text), body
    except ValueError as problem:
        if choice.get("finish_reason") == "length":
            raise AnswerError("answer was cut off at max_tokens") from None
        raise AnswerError(f"answer is not valid JSON ({problem})") from None


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def _json_in(text: str) -> Any:
    """JSON from tool arguments, a json mode answer, or a fenced block (md_json)."""
    stripped = text.strip()
    candidates = [stripped]
    fenced = _FENCE.search(stripped)
    if fenced:
        candidates.append(fenced.group(1).strip())
    first, last = stripped.find("{"), stripped.rfind("}")
    if first != -1 and last > first:
        candidates.append(stripped[first : last + 1])
    error: json.JSONDecodeError | None = None
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError as exc:
            error = error or exc
    assert error is not None
    raise ValueError(f"{error.msg} at column {error.colno}")


def _item_models() -> dict[str, type[BaseModel]]:

    models: dict[str, type[BaseModel]] = {}
    for name in ITEM_FIELDS:
        (inner,) = get_args(EventExtraction.model_fields[name].annotation)
        models[name] = inner
    return models


def parse_extraction(data: Any) -> tuple[EventExtraction, list[DroppedItem]]:
    """Validate item by item: an invalid item is dropped and counted, its siblings kept."""

    if not isinstance(data, dict):
        raise AnswerError("answer is not a JSON object")
    dropped: list[DroppedItem] = []
    headline = data.get("headline")
    event_type = data.get("event_type")
    clean: dict[str, Any] = {
        "headline": headline if isinstance(headline, str) else "",
        "event_type": event_type
        if event_type in {kind.value for kind in EventType}
        else EventType.OTHER.value,
    }
    for name, model in _item_models().items():
        raw = data.get(name) or []
        if not isinstance(raw, list):
            dropped.append(DroppedItem(field=name, evidence="", reason="not a list"))
            continue
        kept = []
        for item in raw:
            try:
                kept.append(model.model_validate(item).model_dump())
            except ValidationError as error:
                evidence = item.get("evidence") if isinstance(item, dict) else None
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "item"
                dropped.append(
                    DroppedItem(
                        field=name,
                        evidence=evidence if isinstance(evidence, str) else "",
                        reason=f"invalid item ({where}: {first['msg']})",
                    )
                )
        clean[name] = kept
    return EventExtraction.model_validate(clean), dropped


def _usage(body: Mapping[str, Any]) -> Usage:

    raw = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    assert isinstance(raw, dict)
    prompt = int(raw.get("prompt_tokens") or 0)
    completion = int(raw.get("completion_tokens") or 0)
    model = str(body.get("model") or "")
    cost = estimate_cost(model, prompt, completion) if model else None
    return Usage(
        requests=1,
        attempts=1,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=None if cost is None else cost * BATCH_PRICE_FACTOR,
    )


def source_event(
    source: Source, answers: list[tuple[RequestKey, Any]], warnings: list[str]
) -> SourceEvent:
    """One source's grounded event from its chunks' answers (at least one must be usable)."""

    if not answers:
        raise AnswerError("no answer in the results file")
    answers = sorted(answers, key=lambda pair: pair[0].chunk)
    count = max(key.chunks for key, _ in answers)
    parts = []
    usage = Usage()
    first_extraction = None
    event_type = EventType.OTHER
    extractor = "batch"
    failed: list[str] = []
    invalid: list[DroppedItem] = []
    seen = {key.chunk for key, _ in answers}
    failed.extend(f"chunk {i} of {count}: no answer" for i in range(1, count + 1) if i not in seen)
    for key, record in answers:
        try:
            if not 0 <= key.start <= key.end <= len(source.text):
                raise AnswerError(f"span {key.start}-{key.end} is outside the source text")
            data, body = answer_json(record)
            extraction, bad = parse_extraction(data)
        except AnswerError as error:
            failed.append(f"chunk {key.chunk} of {key.chunks}: {error}")
            continue
        usage = usage + _usage(body)
        extractor = str(body.get("model") or extractor)
        invalid.extend(bad)
        chunk = Chunk(key.start, key.end, source.text[key.start : key.end])
        parts.append(ground_extraction(extraction, source, chunk))
        first_extraction = first_extraction or extraction
        if event_type is EventType.OTHER:
            event_type = extraction.event_type
    if first_extraction is None:
        reasons = "; ".join(failed) if count > 1 else failed[0].split(": ", 1)[1]
        raise AnswerError(reasons)
    if failed:
        warnings.append(f"source {source.id}: " + "; ".join(failed))
    grounded = combine_chunks(parts)
    return SourceEvent(
        source_id=source.id,
        headline=first_extraction.headline,
        event_type=event_type,
        **grounded.items,
        extractor=extractor,
        prompt_hash=load_prompt("extract").hash,
        usage=usage,
        diagnostics=ExtractionDiagnostics(
            attempts=usage.attempts,
            chunks=count,
            dropped=[*invalid, *grounded.dropped],
            aligned=grounded.aligned,
        ),
    )


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


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
