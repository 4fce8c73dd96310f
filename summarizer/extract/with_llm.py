"""One source → one grounded ``SourceEvent`` through the LLM.

The model fills ``schema.EventExtraction``; its validators (run by instructor with the
article in ``context``) reject evidence that is not in the article and figures whose value
is not in their evidence, and instructor re-asks with those reasons. Whatever survives is
aligned again here to produce character spans, and anything that still does not align
after the last attempt is dropped and counted: guarantee 1 of DESIGN.md is enforced at this
one place for every LLM answer, cached or fresh, validated or not.

Long sources are split at sentence boundaries into chunks of at most ``chunk_chars``,
extracted in parallel, and combined; spans are made relative to the whole source.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from summarizer.core.events import (
    DroppedItem,
    ExtractionDiagnostics,
    GroundedActor,
    GroundedFact,
    GroundedFigure,
    GroundedPlace,
    GroundedQuote,
    GroundedTime,
    SourceEvent,
)
from summarizer.core.schema import ITEM_FIELDS, EventExtraction, EventType, Figure
from summarizer.core.types import Citation, Usage
from summarizer.llm.prompts import load_prompt
from summarizer.text.grounding import align
from summarizer.text.numbers import contains_number

if TYPE_CHECKING:
    from pydantic import BaseModel

    from summarizer.core.source import Source
    from summarizer.llm.client import LLM

#: Characters of article per extraction call. Long enough for almost every news article
#: (so one call per source), short enough to keep evidence search and the model's
#: attention on a manageable text.
DEFAULT_CHUNK_CHARS = 12_000
#: The ``published`` prompt variable when the source's date is not known.
UNKNOWN_PUBLISHED = "unknown"

_GROUNDED_TYPES: dict[str, type[Any]] = {
    "when": GroundedTime,
    "where": GroundedPlace,
    "actors": GroundedActor,
    "figures": GroundedFigure,
    "quotes": GroundedQuote,
    "facts": GroundedFact,
}


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int
    text: str


def split_into_chunks(source: Source, max_chars: int = DEFAULT_CHUNK_CHARS) -> list[Chunk]:
    """Whole sentences per chunk; a single sentence longer than the budget is its own chunk."""
    if len(source.text) <= max_chars or not source.sentences:
        return [Chunk(0, len(source.text), source.text)]
    chunks: list[Chunk] = []
    start = end = source.sentences[0][0]
    for s_start, s_end in source.sentences:
        if s_end - start > max_chars and end > start:
            chunks.append(Chunk(start, end, source.text[start:end]))
            start = s_start
        end = s_end
    chunks.append(Chunk(start, end, source.text[start:end]))
    return chunks


def _item_key(field: str, item: BaseModel) -> tuple[str, ...]:
    """What makes two items from different chunks the same item."""
    data = item.model_dump()
    main = {
        "when": "text",
        "where": "name",
        "actors": "name",
        "quotes": "evidence",
        "facts": "statement",
    }.get(field)
    if field == "figures":
        return (field, str(data["what"]).casefold(), repr(data["value"]))
    return (field, " ".join(str(data[main or "evidence"]).casefold().split()))


@dataclass
class _Grounded:
    items: dict[str, list[Any]]
    dropped: list[DroppedItem]
    aligned: dict[str, int]


def ground_extraction(
    extraction: EventExtraction, source: Source, chunk: Chunk | None = None
) -> _Grounded:
    """Align every item's evidence inside ``chunk`` of ``source``; drop what does not align."""
    chunk = chunk or Chunk(0, len(source.text), source.text)
    items: dict[str, list[Any]] = {field: [] for field in ITEM_FIELDS}
    dropped: list[DroppedItem] = []
    aligned: dict[str, int] = {}
    for field in ITEM_FIELDS:
        for rank, item in enumerate(getattr(extraction, field)):
            alignment = align(item.evidence, chunk.text)
            if not alignment.ok:
                dropped.append(
                    DroppedItem(
                        field=field, evidence=item.evidence, reason="evidence not in source"
                    )
                )
                continue
            start, end = chunk.start + alignment.start, chunk.start + alignment.end
            quote = source.text[start:end]
            if isinstance(item, Figure) and not contains_number(item.value, quote):
                dropped.append(
                    DroppedItem(
                        field=field,
                        evidence=item.evidence,
                        reason=f"value {item.value:g} not in its evidence",
                    )
                )
                continue
            citation = Citation(
                source_id=source.id, start=start, end=end, quote=quote, status=alignment.status
            )
            extra: dict[str, Any] = {"citation": citation}
            if field == "facts":
                # The prompt asks for the most important fact first.
                extra["score"] = 1.0 / (1 + rank)
            items[field].append(_GROUNDED_TYPES[field](**item.model_dump(), **extra))
            aligned[alignment.status.value] = aligned.get(alignment.status.value, 0) + 1
    return _Grounded(items, dropped, aligned)


def combine_chunks(parts: Sequence[_Grounded]) -> _Grounded:
    """Concatenate chunk results in text order, keeping the first of duplicate items."""
    items: dict[str, list[Any]] = {field: [] for field in ITEM_FIELDS}
    seen: set[tuple[str, ...]] = set()
    dropped: list[DroppedItem] = []
    aligned: dict[str, int] = {}
    for part in parts:
        dropped.extend(part.dropped)
        for status, count in part.aligned.items():
            aligned[status] = aligned.get(status, 0) + count
        for field in ITEM_FIELDS:
            for item in part.items[field]:
                key = _item_key(field, item)
                if key not in seen:
                    seen.add(key)
                    items[field].append(item)
    return _Grounded(items, dropped, aligned)


def extraction_variables(source: Source, text: str) -> dict[str, str]:
    """What the extract prompt is rendered with, live or in a Batch API file.

    The publication date goes with every chunk: relative dates ("Thursday", "yesterday")
    can only be resolved into ``iso`` against it, and the article rarely states it.
    """
    return {
        "article": text,
        "source_id": source.id,
        "published": source.published or UNKNOWN_PUBLISHED,
    }


async def extract_source(
    source: Source, llm: LLM, *, chunk_chars: int = DEFAULT_CHUNK_CHARS
) -> SourceEvent:
    """Extract and ground one source; raises ``LLMError`` when no chunk produced an answer."""
    prompt = load_prompt("extract")
    chunks = split_into_chunks(source, chunk_chars)
    responses = await asyncio.gather(
        *(
            llm.create(
                EventExtraction,
                prompt=prompt,
                variables=extraction_variables(source, chunk.text),
            )
            for chunk in chunks
        )
    )
    grounded = combine_chunks(
        [
            ground_extraction(response.value, source, chunk)
            for response, chunk in zip(responses, chunks, strict=True)
        ]
    )
    usage = sum((response.usage for response in responses), Usage())
    first = responses[0].value
    event_type = next(
        (r.value.event_type for r in responses if r.value.event_type is not EventType.OTHER),
        first.event_type,
    )
    return SourceEvent(
        source_id=source.id,
        headline=first.headline,
        event_type=event_type,
        **grounded.items,
        extractor=llm.settings.model,
        prompt_hash=prompt.hash,
        usage=usage,
        diagnostics=ExtractionDiagnostics(
            attempts=usage.attempts,
            chunks=len(chunks),
            dropped=grounded.dropped,
            aligned=grounded.aligned,
        ),
    )
