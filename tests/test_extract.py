"""Extraction without a network: validators, grounding of answers, chunking."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from summarizer.core.schema import EventExtraction
from summarizer.core.source import Source, make_source
from summarizer.extract.with_llm import (
    Chunk,
    combine_chunks,
    extract_source,
    ground_extraction,
    split_into_chunks,
)
from summarizer.llm.client import LLM
from summarizer.testing.fake_openai import FakeOpenAI

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"
AUTHORED = json.loads((FIXTURES.parent / "llm" / "authored-extractions.json").read_text())


@pytest.fixture(scope="module")
def sources() -> dict[str, Source]:
    return {
        "S1": make_source("S1", (FIXTURES / "source-1.txt").read_text()),
        "S2": make_source("S2", (FIXTURES / "source-2.txt").read_text()),
    }


def test_validators_reject_evidence_not_in_article(sources: dict[str, Source]) -> None:
    text = sources["S1"].text
    with pytest.raises(ValidationError) as caught:
        EventExtraction.model_validate(AUTHORED["S1"], context={"article": text})
    message = str(caught.value)
    assert "40 children were rescued in Asia" in message
    assert "not in the article" in message


def test_validators_reject_figure_value_missing_from_its_evidence(
    sources: dict[str, Source],
) -> None:
    text = sources["S2"].text
    with pytest.raises(ValidationError) as caught:
        EventExtraction.model_validate(AUTHORED["S2"], context={"article": text})
    assert "value 250 does not appear in its evidence" in str(caught.value)


def test_validators_are_skipped_without_context() -> None:
    extraction = EventExtraction.model_validate(AUTHORED["S1"])
    assert len(extraction.figures) == len(AUTHORED["S1"]["figures"])


def test_grounding_keeps_grounded_items_and_counts_the_rest(sources: dict[str, Source]) -> None:
    source = sources["S2"]
    extraction = EventExtraction.model_validate(AUTHORED["S2"])
    grounded = ground_extraction(extraction, source)
    reasons = sorted(item.reason for item in grounded.dropped)
    assert reasons == ["evidence not in source", "value 250 not in its evidence"]
    for field_items in grounded.items.values():
        for item in field_items:
            citation = item.citation
            assert citation.quote == source.text[citation.start : citation.end]
            assert citation.source_id == "S2"
    values = [figure.value for figure in grounded.items["figures"]]
    assert 245 in values and 250 not in values


def test_grounding_spans_are_relative_to_the_whole_source(sources: dict[str, Source]) -> None:
    source = sources["S2"]
    text = source.text
    start = text.index("According to ICE")
    chunk = Chunk(start, len(text), text[start:])
    extraction = EventExtraction.model_validate(
        {
            "headline": "h",
            "event_type": "arrest",
            "facts": [
                {
                    "statement": "Some were registered sex offenders.",
                    "evidence": "were registered sex offenders",
                }
            ],
        }
    )
    grounded = ground_extraction(extraction, source, chunk)
    (fact,) = grounded.items["facts"]
    assert fact.citation.start > start
    assert text[fact.citation.start : fact.citation.end] == "were registered sex offenders"


def test_chunks_follow_sentence_boundaries_and_cover_the_text(
    sources: dict[str, Source],
) -> None:
    source = sources["S2"]
    chunks = split_into_chunks(source, max_chars=500)
    assert len(chunks) > 2
    sentence_starts = {start for start, _ in source.sentences}
    for chunk in chunks:
        assert chunk.text == source.text[chunk.start : chunk.end]
        assert chunk.start in sentence_starts
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


def test_combining_chunks_removes_duplicate_items(sources: dict[str, Source]) -> None:
    source = sources["S1"]
    extraction = EventExtraction.model_validate(AUTHORED["S1"])
    once = ground_extraction(extraction, source)
    twice = combine_chunks([once, once])
    assert {k: len(v) for k, v in twice.items.items()} == {k: len(v) for k, v in once.items.items()}


def test_cli_chunk_default_matches_the_library() -> None:
    from summarizer.core import options
    from summarizer.extract import with_llm as extract

    assert options.DEFAULT_CHUNK_CHARS == extract.DEFAULT_CHUNK_CHARS


async def test_every_request_carries_the_publication_date(sources: dict[str, Source]) -> None:
    dated = sources["S2"].model_copy(update={"published": "2013-01-04"})
    with FakeOpenAI() as server:
        async with LLM(server.settings()) as llm:
            event = await extract_source(dated, llm, chunk_chars=1000)
            assert event.diagnostics.chunks > 1
            chunk_requests = list(server.requests)
            server.reset()
            await extract_source(sources["S1"], llm)
            undated_requests = list(server.requests)
    assert len(chunk_requests) == event.diagnostics.chunks  # every chunk, not only the first
    for request in chunk_requests:
        assert request.user_text.startswith('Published: 2013-01-04\n<article id="S2">')
    assert undated_requests[0].user_text.startswith('Published: unknown\n<article id="S1">')
    # The rule that tells the model what to do with it.
    system = undated_requests[0].messages[0]["content"]
    assert "Published" in system and "relative dates" in system
