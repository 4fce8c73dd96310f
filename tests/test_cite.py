"""Resolving fact ids to verified spans, and assembling the SummaryResult."""

from __future__ import annotations

from test_merge import sunflower_merged

from summarizer.core.events import SourceFailure
from summarizer.core.results import MergedEvent, SummaryResult
from summarizer.core.source import Source
from summarizer.core.types import Citation, Usage
from summarizer.write.cite import assemble_result, resolve_citations
from summarizer.write.writer import WrittenSentence, WrittenSummary, write_extractive


def sunflower_result(**overrides: object) -> SummaryResult:
    merged, sources = sunflower_merged()
    written = write_extractive(merged)
    return assemble_result(merged=merged, written=written, sources=sources, **overrides)  # type: ignore[arg-type]


def _every_citation(result: SummaryResult) -> list[Citation]:
    found = [c for s in result.sentences for c in s.citations]
    for items in (result.facts, result.actors, result.places, result.times, result.quotes):
        found += [c for item in items for c in item.citations]
    found += [c for f in result.figures for c in f.citations]
    return found


def test_every_citation_in_the_result_is_the_exact_slice() -> None:
    result = sunflower_result()
    texts = {s.id: s.text for s in result.sources}
    citations = _every_citation(result)
    assert len(citations) > 20
    for citation in citations:
        assert texts[citation.source_id][citation.start : citation.end] == citation.quote
    assert all(sentence.citations for sentence in result.sentences)


def test_conflict_id_resolves_to_every_side() -> None:
    merged, sources = sunflower_merged()
    citations = resolve_citations(merged, [merged.conflicts[0].id], sources)
    assert [c.source_id for c in citations] == ["source-1", "source-2"]
    assert resolve_citations(merged, ["F404"], sources) == []


def test_result_carries_sources_versions_usage_and_status() -> None:
    merged, sources = sunflower_merged()
    written = write_extractive(merged)
    failure = SourceFailure(source_id="source-3", stage="extract", reason="HTTP 500")
    result = assemble_result(
        merged=merged,
        written=written,
        sources=sources,
        failures=[failure],
        warnings=["source source-3 failed: HTTP 500"],
        model="test-model",
        usage=Usage(requests=3, prompt_tokens=10),
    )
    assert result.status == "partial"
    assert result.failures == [failure]
    assert result.warnings == ["source source-3 failed: HTTP 500"]
    assert [s.id for s in result.sources] == ["source-1", "source-2"]
    assert result.sources[0].text == sources[0].text
    assert result.versions.writer == "extractive"
    assert result.versions.extractor == "test-model"
    assert result.versions.prompts == {"extract": "abc123"}
    assert result.versions.model == "test-model"
    assert result.usage.requests == 3
    assert sunflower_result().status == "complete"


def test_json_round_trip_is_lossless() -> None:
    result = sunflower_result()
    again = SummaryResult.model_validate_json(result.model_dump_json())
    assert again == result
    assert again.model_dump_json() == result.model_dump_json()


def _corrupt_first_fact(merged: MergedEvent) -> MergedEvent:
    fact = merged.facts[0]
    bad = fact.citations[0].model_copy(update={"quote": "words the source never had"})
    broken = fact.model_copy(update={"citations": [bad]})
    return merged.model_copy(update={"facts": [broken, *merged.facts[1:]]})


def test_a_citation_that_is_not_the_slice_is_never_emitted() -> None:
    merged, sources = sunflower_merged()
    merged = _corrupt_first_fact(merged)
    bad_id = merged.facts[0].id
    written = WrittenSummary(
        headline="h",
        sentences=[
            WrittenSentence(text="Only the broken fact.", fact_ids=[bad_id]),
            WrittenSentence(text="A good one.", fact_ids=[merged.facts[1].id]),
        ],
        writer="extractive",
    )
    result = assemble_result(merged=merged, written=written, sources=sources)
    assert [s.text for s in result.sentences] == ["A good one."]
    assert all(c.quote != "words the source never had" for c in _every_citation(result))
    assert bad_id not in [f.id for f in result.facts]
    assert any("sentence 1 removed" in w for w in result.warnings)
    assert any("did not match their source text" in w for w in result.warnings)


def test_spans_out_of_range_or_of_unknown_sources_are_rejected() -> None:
    merged, sources = sunflower_merged()
    fact = merged.facts[0]
    text = sources[0].text
    odd = [
        Citation(source_id="nowhere", start=0, end=3, quote=text[:3]),
        Citation(source_id=sources[0].id, start=len(text) - 2, end=len(text) + 5, quote=text[-2:]),
        Citation(source_id=sources[0].id, start=5, end=5, quote=""),
    ]
    merged = merged.model_copy(
        update={"facts": [fact.model_copy(update={"citations": odd}), *merged.facts[1:]]}
    )
    assert (
        resolve_citations(merged, [fact.id], [*sources, Source.model_construct(id="x", text="")])
        == []
    )
