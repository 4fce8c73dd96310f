"""Batch API answers to grounded events: the lenient half of ``batch collect``.

No re-ask is possible for an answer that comes back in a results file, so each item is
validated on its own (an invalid item is dropped and counted, its siblings kept), every
evidence quote is grounded like a live answer's, and a request that failed or produced no
usable JSON becomes the source's failure reason. ``custom_id`` (``LINE/CLUSTER/SOURCE/IofN/
START-END``, ids percent-encoded) says where each answer belongs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple, get_args
from urllib.parse import quote, unquote

from pydantic import BaseModel, ValidationError

from summarizer.core.errors import LLMError
from summarizer.core.events import DroppedItem, ExtractionDiagnostics, SourceEvent
from summarizer.core.schema import ITEM_FIELDS, EventExtraction, EventType
from summarizer.core.source import Source
from summarizer.core.types import Usage
from summarizer.extract.with_llm import (
    Chunk,
    combine_chunks,
    ground_extraction,
)
from summarizer.llm.pricing import estimate_cost
from summarizer.llm.prompts import load_prompt

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


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
