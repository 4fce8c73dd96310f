"""Writers and their validators, on the merged Operation Sunflower events.

The LLM writer is driven through the real openai client and instructor against the
FakeOpenAI server on 127.0.0.1, so re-asks are real instructor re-asks.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from test_merge import sunflower_merged

from summarizer.core.errors import LLMError
from summarizer.core.events import GroundedFact, SourceEvent
from summarizer.core.results import MergedEvent
from summarizer.core.source import Source
from summarizer.core.types import Citation
from summarizer.llm.client import LLM
from summarizer.merge.merger import merge_events
from summarizer.testing.fake_openai import FakeOpenAI, FakeRequest, Reply
from summarizer.text.numbers import contains_number, find_numbers
from summarizer.text.readability import Span, content_words
from summarizer.write.extractive import _Candidate, _Selection, strip_connective
from summarizer.write.schema import SummaryDraft, draft_problems, validation_context
from summarizer.write.writer import (
    WrittenSentence,
    WrittenSummary,
    render_items,
    write_extractive,
    write_with_llm,
)


def _ids(merged: MergedEvent) -> dict[float, str]:
    return {f.value: f.id for f in merged.figures if f.status != "conflict"}


def _good_draft(merged: MergedEvent) -> dict[str, Any]:
    n = _ids(merged)
    conflict = merged.conflicts[0].id
    return {
        "headline": "Operation Sunflower: 245 arrests in child abuse operation",
        "sentences": [
            {"text": "An international operation led to 245 arrests.", "fact_ids": [n[245]]},
            {
                "text": "One source says 123 children were rescued; the other that 123 victims "
                "were identified.",
                "fact_ids": [n[123]],
            },
            {"text": "Five of the children were under three.", "fact_ids": [n[5]]},
            {
                "text": "Sources differ on the girl's age: 11 in one, about 13 in the other.",
                "fact_ids": [conflict],
            },
        ],
    }


def _validate(data: dict[str, Any], merged: MergedEvent) -> SummaryDraft:
    return SummaryDraft.model_validate(data, context=validation_context(merged))


def test_a_good_draft_passes() -> None:
    merged, _ = sunflower_merged()
    draft = _validate(_good_draft(merged), merged)
    assert len(draft.sentences) == 4


def test_without_context_nothing_is_checked() -> None:
    draft = SummaryDraft.model_validate(
        {"headline": "x", "sentences": [{"text": "999 people.", "fact_ids": ["Z9"]}]}
    )
    assert draft.sentences[0].fact_ids == ["Z9"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d, m: d["sentences"][0].update(fact_ids=["F99"]), "unknown id(s) F99"),
        (lambda d, m: d["sentences"][0].update(fact_ids=[]), "cites no id"),
        (
            lambda d, m: d["sentences"][0].update(text="An operation led to 250 arrests."),
            "the number '250'",
        ),
        (
            lambda d, m: d["sentences"][3].update(
                text="The girl was 13.", fact_ids=[m.conflicts[0].figure_ids[1]]
            ),
            "as settled",
        ),
        (
            # Citing both sides but stating one value is still settling the question.
            lambda d, m: d["sentences"][3].update(
                text="The girl was 11.", fact_ids=list(m.conflicts[0].figure_ids)
            ),
            "as settled",
        ),
        (lambda d, m: d.update(sentences=d["sentences"][:2]), "write between 4 and 10"),
        (lambda d, m: d.update(sentences=d["sentences"] * 3), "write between 4 and 10"),
        (lambda d, m: d.update(headline="999 arrested"), "the headline writes the number"),
    ],
)
def test_each_rejection(change: Any, reason: str) -> None:
    merged, _ = sunflower_merged()
    data = _good_draft(merged)
    change(data, merged)
    with pytest.raises(ValidationError) as caught:
        _validate(data, merged)
    assert reason in str(caught.value)


def test_number_words_and_digits_are_the_same_number() -> None:
    merged, _ = sunflower_merged()
    # "Five" is backed by "Five were under age 3"; "13" by "Thirteen of the children".
    n = _ids(merged)
    data = _good_draft(merged)
    data["sentences"][2]["text"] = "5 children were under 3; 13 were rescued abroad."
    data["sentences"][2]["fact_ids"] = [n[5], n[13]]
    assert _validate(data, merged)


# --------------------------------------------------------------------------- extractive


def _backed(sentence_text: str, citations: list[Citation]) -> bool:
    return all(
        any(contains_number(m.value, c.quote) for c in citations)
        for m in find_numbers(sentence_text)
    )


def test_extractive_writer_backs_numbers_and_states_conflicts() -> None:
    merged, _ = sunflower_merged()
    written = write_extractive(merged)
    assert written.writer == "extractive"
    assert written.sentences
    assert (
        draft_problems(SummaryDraft.model_validate(written.model_dump()), merged, min_sentences=1)
        == {}
    )
    for sentence in written.sentences:
        citations = [c for i in sentence.fact_ids for c in merged.citations_for(i) or []]
        assert citations and _backed(sentence.text, citations), sentence.text
    # A fact reported by both sources is chosen, and the summary is in reading order.
    assert any(sentence_sources(merged, s.fact_ids) == 2 for s in written.sentences)
    conflict = [s for s in written.sentences if s.fact_ids == [merged.conflicts[0].id]]
    assert conflict
    text = conflict[0].text
    assert (
        text == "Sources disagree on age of the girl: one source gives 11, another gives about 13."
    )
    assert {c.source_id for c in merged.citations_for(conflict[0].fact_ids[0]) or []} == {
        "source-1",
        "source-2",
    }


def sentence_sources(merged: MergedEvent, ids: list[str]) -> int:
    return len({c.source_id for i in ids for c in merged.citations_for(i) or []})


def test_extractive_writer_replaces_a_statement_with_unbacked_numbers_by_its_span() -> None:
    text = "Officials said twelve people were hurt in the blast on Monday."
    source = Source(id="s", text=text)
    citation = Citation(source_id="s", start=0, end=len(text), quote=text)
    fact = GroundedFact(statement="Fifteen people were hurt.", evidence=text, citation=citation)
    merged = merge_events(
        [SourceEvent(source_id="s", headline="Blast", extractor="x", facts=[fact])], [source]
    )
    written = write_extractive(merged)
    assert [s.text for s in written.sentences] == [text]


_WORDS = [
    "apple",
    "brick",
    "cloud",
    "drum",
    "eagle",
    "flint",
    "grape",
    "harbor",
    "iris",
    "jungle",
    "kettle",
    "lemon",
]


def _many_facts_merged(count: int) -> MergedEvent:
    """Eleven-word sentences sharing no content word; later ones score higher."""
    suffixes = ("ville", "man", "land", "ford", "ton", "dale", "wood", "ham", "by")
    sentences = [
        f"The {w} " + " ".join(w + x for x in suffixes) + f" {w}ish." for w in _WORDS[:count]
    ]
    text = " ".join(sentences)
    source = Source(id="s", text=text)
    facts = []
    for index, sentence in enumerate(sentences):
        start = text.index(sentence)
        citation = Citation(source_id="s", start=start, end=start + len(sentence), quote=sentence)
        facts.append(
            GroundedFact(statement=sentence, evidence=sentence, citation=citation, score=index)
        )
    event = SourceEvent(source_id="s", headline="h", extractor="x", facts=facts)
    return merge_events([event], [source])


def test_extractive_word_budget_and_reading_order() -> None:
    merged = _many_facts_merged(12)
    written = write_extractive(merged, max_words=40)
    words = sum(len(s.text.split()) for s in written.sentences)
    assert 0 < words <= 40
    assert len(written.sentences) == 3  # 11 words each
    starts = [merged.citations_for(s.fact_ids[0])[0].start for s in written.sentences]  # type: ignore[index]
    assert starts == sorted(starts)
    # The highest-scored (last) sentences were chosen.
    assert written.sentences[-1].text.startswith("The lemon")


def test_extractive_sentence_limit() -> None:
    merged = _many_facts_merged(12)
    assert len(write_extractive(merged, max_sentences=3).sentences) == 3
    assert len(write_extractive(merged, max_words=None).sentences) == 10
    # The default is the word budget: all twelve 11-word sentences fit in it.
    assert len(write_extractive(merged).sentences) == 12


def test_items_listing_shows_ids_sources_and_conflict_sides() -> None:
    merged, _ = sunflower_merged()
    listing = render_items(merged)
    conflict = merged.conflicts[0]
    assert f"{conflict.id} CONFLICT on age of the girl" in listing
    for side in conflict.figure_ids:
        assert f"    {side} = " in listing
    assert "[source-1, source-2]" in listing


# --------------------------------------------------------------------------- LLM writer


async def test_llm_writer_is_reasked_with_the_reason_then_accepted() -> None:
    merged, _ = sunflower_merged()
    good = _good_draft(merged)
    bad = _good_draft(merged)
    bad["sentences"][0]["fact_ids"] = ["F99"]
    answers = iter([bad, good])

    def responder(request: FakeRequest) -> Reply:
        return Reply(next(answers))

    with FakeOpenAI(responder) as server:
        async with LLM(server.settings()) as llm:
            written = await write_with_llm(merged, llm)
    assert isinstance(written, WrittenSummary)
    assert written.writer == "llm" and written.prompt_hash
    assert [s.text for s in written.sentences] == [s["text"] for s in good["sentences"]]
    assert written.warnings == []
    assert written.usage.attempts == 2
    assert server.requests[1].is_reask
    assert "unknown id(s) F99" in str(server.requests[1].messages)
    # The merged items reach the model through the template variable.
    assert merged.conflicts[0].id + " CONFLICT" in server.requests[0].user_text


async def test_llm_writer_drops_sentences_still_invalid_after_the_last_attempt() -> None:
    merged, _ = sunflower_merged()
    answer = _good_draft(merged)
    answer["sentences"][1]["text"] = "Exactly 999 children were rescued."
    with FakeOpenAI(lambda request: Reply(answer)) as server:
        async with LLM(server.settings(max_reasks=1)) as llm:
            written = await write_with_llm(merged, llm)
    assert len(server.requests) == 2
    assert len(written.sentences) == 3
    assert all("999" not in s.text for s in written.sentences)
    assert any("dropped" in w for w in written.warnings)


async def test_llm_writer_raises_when_nothing_valid_remains() -> None:
    merged, _ = sunflower_merged()
    answer = {
        "headline": "x",
        "sentences": [{"text": f"Made up {n}.", "fact_ids": ["F1"]} for n in (901, 902, 903, 904)],
    }
    with FakeOpenAI(lambda request: Reply(answer)) as server:
        async with LLM(server.settings(max_reasks=0)) as llm:
            with pytest.raises(LLMError, match="failed validation"):
                await write_with_llm(merged, llm)


def _conflicted_merged(fact_count: int) -> MergedEvent:
    """Two sources with ``fact_count`` single-source facts and three figure conflicts:
    deaths (exact, 12 vs 15), injuries (exact, 40 vs 90) and distance (about 65 vs about
    70 miles, an overlap within the approximate tolerance, so the weakest)."""
    from test_merge import cite

    facts_a = [
        "The storm flattened the old mill on Tuesday.",
        "Rescue teams searched the river banks all night.",
        "The governor declared an emergency for the county.",
        "Schools stayed closed for the rest of the week.",
    ][:fact_count]
    figures_a = [
        "The storm killed 12 people in the valley.",
        "It injured 40 people in the valley.",
        "The town lies about 65 miles west of Chicago.",
    ]
    figures_b = [
        "The storm killed 15 people in the valley.",
        "It injured 90 people in the valley.",
        "The town lies about 70 miles west of Chicago.",
    ]
    s1 = Source(id="a", text=" ".join(facts_a + figures_a))
    s2 = Source(id="b", text=" ".join(figures_b))

    def figure(source: Source, what: str, value: float, quote: str, **kw: Any) -> Any:
        from summarizer.core.events import GroundedFigure

        return GroundedFigure(
            what=what, value=value, evidence=quote, citation=cite(source, quote), **kw
        )

    def figures(source: Source, values: tuple[float, float, float]) -> list[Any]:
        killed, injured, miles = values
        return [
            figure(source, "people killed in the valley", killed, f"killed {killed:g} people"),
            figure(source, "people injured in the valley", injured, f"injured {injured:g} people"),
            figure(
                source,
                "miles west of Chicago",
                miles,
                f"about {miles:g} miles west of Chicago",
                approximate=True,
                unit="miles",
            ),
        ]

    facts = [
        GroundedFact(statement=f, evidence=f, citation=cite(s1, f), score=1.0 - i / 10)
        for i, f in enumerate(facts_a)
    ]
    events = [
        SourceEvent(
            source_id="a",
            headline="h",
            extractor="x",
            facts=facts,
            figures=figures(s1, (12, 40, 65)),
        ),
        SourceEvent(source_id="b", headline="h", extractor="x", figures=figures(s2, (15, 90, 70))),
    ]
    return merge_events(events, [s1, s2])


def test_extractive_conflicts_follow_the_lead_facts_strongest_first_at_most_two() -> None:
    merged = _conflicted_merged(4)
    assert len(merged.conflicts) == 3
    written = write_extractive(merged)
    kinds = ["C" if s.fact_ids[0].startswith("C") else "F" for s in written.sentences]
    # Chosen after the lead facts, written last (reading order: facts, then conflicts).
    # The second conflict sentence would repeat the first's wording ("Sources disagree on
    # people ... in the valley: one source gives ...") and is left to the conflicts section.
    assert kinds == ["F", "F", "F", "F", "C"]
    stated = [s.text for s in written.sentences if s.fact_ids[0].startswith("C")]
    # Clear disagreements first (the larger relative gap leads).
    assert stated == [
        "Sources disagree on people injured in the valley: one source gives 40, another gives 90.",
    ]
    assert any(c.what == "miles west of Chicago" for c in merged.conflicts)
    assert (
        draft_problems(SummaryDraft.model_validate(written.model_dump()), merged, min_sentences=1)
        == {}
    )


def test_extractive_conflicts_come_after_all_facts_when_there_are_few() -> None:
    merged = _conflicted_merged(1)
    written = write_extractive(merged)
    kinds = ["C" if s.fact_ids[0].startswith("C") else "F" for s in written.sentences]
    assert kinds == ["F", "C"]
    # With no fact at all, a conflict is still stated rather than an empty summary.
    assert [s.fact_ids[0][0] for s in write_extractive(_conflicted_merged(0)).sentences] == ["C"]


def test_a_lead_sentence_headline_is_cut_to_its_first_clause() -> None:
    from summarizer.write.writer import headline_form

    lead = (
        "An international police operation into child pornography led to the arrest of "
        "245 people and the rescues of 123 children, mostly in the US, AFP reports citing "
        "the US immigration enforcement agency."
    )
    assert headline_form(lead) == (
        "An international police operation into child pornography led to the arrest of "
        "245 people and the rescues of 123 children"
    )
    title = "Operation Sunflower: 245 arrested in child abuse sweep"
    assert headline_form(title) == title


def _two_source_merged(articles: dict[str, list[str]]) -> MergedEvent:
    """One fact per sentence, every fact scored alike, so only coverage tells them apart."""
    events, sources = [], []
    for source_id, sentences in articles.items():
        text = " ".join(sentences)
        sources.append(Source(id=source_id, text=text))
        facts = []
        for sentence in sentences:
            start = text.index(sentence)
            citation = Citation(
                source_id=source_id, start=start, end=start + len(sentence), quote=sentence
            )
            facts.append(
                GroundedFact(statement=sentence, evidence=sentence, citation=citation, score=1.0)
            )
        events.append(SourceEvent(source_id=source_id, headline="h", extractor="x", facts=facts))
    return merge_events(events, sources)


def test_extractive_writer_says_what_the_sources_agree_on_first() -> None:
    # Each source opens with a sentence of its own; the second sentences tell the same
    # story in different words. With room for about one sentence, the one whose words the
    # other source shares is chosen over either opener.
    merged = _two_source_merged(
        {
            "S1": [
                "A local bakery celebrated its fiftieth anniversary with free pastries.",
                "Heavy flood waters closed the river bridge and the town hall on Monday.",
            ],
            "S2": [
                "Commuters complained about delayed trains across the northern line.",
                "The river flood forced officials to close the town hall and the bridge.",
            ],
        }
    )
    written = write_extractive(merged, max_words=14)
    assert len(written.sentences) == 1
    assert "flood" in written.sentences[0].text


def test_strip_connective_cuts_a_back_pointing_opener_only_when_the_rest_stands() -> None:
    assert (
        strip_connective("However, Smith said the plant would reopen next week.")
        == "Smith said the plant would reopen next week."
    )
    assert strip_connective("But “We will rebuild,” Smith told the crowd.") == (
        "“We will rebuild,” Smith told the crowd."
    )
    # The rest leans on an earlier sentence ("He"), or is too short: kept whole.
    kept = "But He said the plant would reopen next week."
    assert strip_connective(kept) == kept
    assert strip_connective("But Smith left.") == "But Smith left."
    # A lower-case rest would not start a sentence (the text is cut, never rewritten),
    # and "Then" carries meaning of its own: both kept.
    lower = "But the plant would reopen next week, officials said."
    assert strip_connective(lower) == lower
    then = "Then Smith said the plant would reopen next week."
    assert strip_connective(then) == then


def test_the_coverage_target_comes_from_the_whole_articles_when_given() -> None:
    """Two facts, the ferry one scored higher; the rest of the article (no fact was
    extracted from it) is about the goats, so with the article as the target the goat
    fact covers more of what a digest would say and is chosen instead."""
    ferry = "The harbour ferries stopped running after the storm on Monday."
    goats = "The mountain goats came down into the village after the storm."
    rest = [
        "Villagers said the goats ate gardens and hedges in the village.",
        "The goats stayed in the village for three days, villagers said.",
        "Mountain goats are rarely seen so low, a ranger said of the goats.",
    ]
    text = " ".join([ferry, goats, *rest])
    source = Source(id="s", text=text)
    facts = []
    for sentence, score in ((ferry, 1.0), (goats, 0.8)):
        start = text.index(sentence)
        citation = Citation(source_id="s", start=start, end=start + len(sentence), quote=sentence)
        facts.append(
            GroundedFact(statement=sentence, evidence=sentence, citation=citation, score=score)
        )
    event = SourceEvent(source_id="s", headline="h", extractor="x", facts=facts)
    merged = merge_events([event], [source])
    # A budget of one sentence: a target this small is clipped on every word.
    alone = write_extractive(merged, max_sentences=1, max_words=12)
    whole = write_extractive(merged, max_sentences=1, max_words=12, sources=[source])
    assert [s.text for s in alone.sentences] == [ferry]
    assert [s.text for s in whole.sentences] == [goats]


def test_a_bare_count_subject_is_placed_like_a_dangling_opener() -> None:
    """ "Nine were between 4 and 6" counts the children of the sentence before: without it
    the sentence is not taken; "One has to wonder" (the generic pronoun) stands alone."""
    first = "Several of the children rescued in the raids were very young."
    count = "Nine were between the ages of 4 and 6 when they were found."
    other = "The police raided houses in four towns across the county on Monday."
    generic = "One has to wonder how the houses went unnoticed for so many years."
    text = " ".join([first, count, other, generic])
    source = Source(id="s", text=text)
    facts = []
    for sentence, score in ((count, 1.0), (other, 0.5), (generic, 0.9), (first, 0.1)):
        start = text.index(sentence)
        citation = Citation(source_id="s", start=start, end=start + len(sentence), quote=sentence)
        facts.append(
            GroundedFact(statement=sentence, evidence=sentence, citation=citation, score=score)
        )
    merged = merge_events(
        [SourceEvent(source_id="s", headline="h", extractor="x", facts=facts)], [source]
    )
    texts = [s.text for s in write_extractive(merged, max_sentences=2).sentences]
    assert count not in texts
    assert generic in texts
    everything = [s.text for s in write_extractive(merged, max_sentences=4).sentences]
    assert everything.index(count) == everything.index(first) + 1


def test_a_dangling_sentence_needs_the_sentence_it_continues_right_before_it() -> None:
    """A merged fact citing source A first and then the span of B right before a dangling
    sentence of B is placed with A in reading order, so it does not license that sentence;
    the fact whose first span is that span does."""

    def candidate(text: str, spans: list[Span], dangling: bool = False) -> _Candidate:
        return _Candidate(
            WrittenSentence(text=text, fact_ids=["F1"]),
            spans,
            content_words(text),
            len(text.split()),
            dangling=dangling,
        )

    orphan = candidate("She said the mill would reopen.", [Span("B", 101, 140)], dangling=True)
    merged_first_a = candidate(
        "The storm flattened the old mill.", [Span("A", 0, 40), Span("B", 60, 100)]
    )
    first_b = candidate("The storm flattened the old mill.", [Span("B", 60, 100)])
    selection = _Selection(None, 250, {})
    selection.take(merged_first_a)
    assert not selection.allows(orphan)
    selection = _Selection(None, 250, {})
    selection.take(first_b)
    assert selection.allows(orphan)
