"""The readability rules (``text.readability``) and the extractive writer obeying them,
on small hand-made articles."""

from __future__ import annotations

from summarizer.core.events import GroundedFact, SourceEvent
from summarizer.core.results import MergedEvent
from summarizer.core.source import Source
from summarizer.core.types import Citation
from summarizer.merge.merger import merge_events
from summarizer.text.readability import (
    Span,
    continues,
    dangling_opener,
    furniture,
    headline_problems,
    near_duplicate,
    strip_dateline,
)
from summarizer.write.extractive import write_extractive
from summarizer.write.schema import SummaryDraft, draft_problems


def test_near_duplicate_is_measured_on_the_shorter_sentence() -> None:
    long = "Police arrested 245 people in the operation, officials said at a briefing Tuesday."
    assert near_duplicate("Police arrested 245 people.", long)
    assert not near_duplicate("The mayor opened a new bridge over the river.", long)


def test_dangling_openers() -> None:
    assert dangling_opener("He was freed shortly after the hearing.")
    assert dangling_opener("The other cases involved older children.")
    assert dangling_opener("But the eviction had not happened by Sunday.")
    assert dangling_opener('"We will find them," he said.')
    assert not dangling_opener('"We will find them," Morton said.')
    assert not dangling_opener("Both sources say five children were under three.")
    assert not dangling_opener("This year the festival drew 40,000 visitors.")


def test_furniture() -> None:
    assert furniture("FILE - In this April 17, 2018 file photo, Amy Schumer arrives.")
    assert furniture("This is a set of web collections curated by volunteers at Archive-It.")
    assert furniture("Sign up for our daily newsletter to get the latest updates.")
    assert furniture("More from this journal")
    assert furniture("WASHINGTON (AP) -- The Senate voted on Tuesday.")
    assert not furniture("Users who subscribe to the service pay more this year.")
    assert not furniture("In this case, police released a photo of the suspect.")
    assert strip_dateline("SPOKANE, Wash. - Seattle is trying a tax.") == "Seattle is trying a tax."


def test_broken_headlines() -> None:
    assert headline_problems("After calling it Project Natal for more than a year")
    assert headline_problems("When Jeff Herman sees a child held by their arms and legs it is")
    assert headline_problems("FILE - In this April 17, 2018 file photo")
    assert headline_problems("Obama wins")
    assert not headline_problems("ICE rescues 123 children in Operation Sunflower")
    assert not headline_problems("After the storm, towns rebuild slowly")


def test_continues_means_the_adjacent_span_of_the_same_source() -> None:
    assert continues([Span("a", 0, 40)], [Span("a", 41, 90)])
    assert not continues([Span("a", 0, 40)], [Span("b", 41, 90)])
    assert not continues([Span("a", 0, 40)], [Span("a", 200, 240)])


def _merged(
    sentences: list[str], headline: str = "Harbor budget approved by city council"
) -> MergedEvent:
    text = " ".join(sentences)
    source = Source(id="s", text=text)
    facts = []
    for index, sentence in enumerate(sentences):
        start = text.index(sentence)
        citation = Citation(source_id="s", start=start, end=start + len(sentence), quote=sentence)
        facts.append(
            GroundedFact(statement=sentence, evidence=sentence, citation=citation, score=10 - index)
        )
    event = SourceEvent(source_id="s", headline=headline, extractor="x", facts=facts)
    return merge_events([event], [source])


ARTICLE = [
    "FILE - In this May 4, 2019 file photo, the harbor is seen from the council building.",
    "The city council approved a new harbor budget of 12 million dollars on Monday.",
    "Council members approved the harbor budget of 12 million dollars Monday night.",
    "The mayor said the money would repair the old piers and dredge the channel.",
    "Sign up for our daily newsletter to get the latest updates.",
    "Fishermen in the port welcomed the decision after years of delays.",
    "They said the channel had become too shallow for larger boats.",
]


def test_extractive_writer_is_readable_by_construction() -> None:
    merged = _merged(ARTICLE)
    written = write_extractive(merged, max_words=250)
    texts = [s.text for s in written.sentences]
    assert not any(furniture(t) for t in texts)
    assert sum("12 million" in t for t in texts) == 1  # the repeat is left out
    # "They said ..." is kept only right after the fishermen sentence it continues.
    if ARTICLE[6] in texts:
        assert texts[texts.index(ARTICLE[6]) - 1] == ARTICLE[5]
    assert not headline_problems(written.headline)
    check = SummaryDraft.model_validate(written.model_dump())
    assert draft_problems(check, merged, min_sentences=1) == {}


def test_an_orphan_opener_is_left_out() -> None:
    # The sentence "They ..." continues (the newsletter prompt) is never written.
    merged = _merged([ARTICLE[1], ARTICLE[3], ARTICLE[4], ARTICLE[6]])
    texts = [s.text for s in write_extractive(merged, max_words=250).sentences]
    assert ARTICLE[6] not in texts


def test_a_broken_source_headline_gives_way_to_a_lead_sentence() -> None:
    merged = _merged(ARTICLE[1:4], headline="FILE - In this May 4, 2019 file photo")
    headline = write_extractive(merged).headline
    assert not headline_problems(headline)
    assert headline.startswith("The city council approved")


def test_llm_drafts_are_reasked_for_readability_faults() -> None:
    merged = _merged(ARTICLE)
    by_text = {c.quote: f.id for f in merged.facts for c in f.citations}
    ids = [by_text[sentence] for sentence in ARTICLE]
    draft = SummaryDraft(
        headline="After the council vote",
        sentences=[
            {"text": ARTICLE[1], "fact_ids": [ids[1]]},  # type: ignore[list-item]
            {"text": ARTICLE[2], "fact_ids": [ids[2]]},  # type: ignore[list-item]
            {"text": ARTICLE[6], "fact_ids": [ids[6]]},  # type: ignore[list-item]
            {"text": ARTICLE[4], "fact_ids": [ids[4]]},  # type: ignore[list-item]
        ],
    )
    problems = draft_problems(draft, merged, min_sentences=1)
    assert any("subordinate clause" in p for p in problems[-1])
    assert any("repeats sentence 1" in p for p in problems[1])
    assert any("pronoun or connective" in p for p in problems[2])
    assert any("page furniture" in p for p in problems[3])
