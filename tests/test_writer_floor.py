"""The LLM writer's sentence floor counts what can be said without repeating it.

When sources agree, the merged event holds several wordings of one fact. A floor counted
over every item would demand more sentences than exist without repeats, which the
near-duplicate validator refuses: each such writer call burned its re-asks and failed.
"""

from __future__ import annotations

import random

from summarizer import summarize
from summarizer.core.results import MergedEvent, MergedFact
from summarizer.core.source import Source
from summarizer.core.types import Citation
from summarizer.testing.answers import pipeline_responder
from summarizer.testing.fake_openai import FakeOpenAI
from summarizer.testing.synthetic import cluster
from summarizer.write.schema import MIN_SENTENCES, distinct_items, validation_context


def _fact(number: int, statement: str) -> MergedFact:
    source = f"S{number}"
    citation = Citation(source_id=source, start=0, end=len(statement), quote=statement)
    return MergedFact(
        id=f"F{number}", statement=statement, citations=[citation], source_ids=[source]
    )


def _merged(facts: list[MergedFact]) -> MergedEvent:
    return MergedEvent(
        source_ids=[s for f in facts for s in f.source_ids], headlines=[], facts=facts
    )


def test_near_duplicate_facts_count_once_toward_the_floor() -> None:
    merged = _merged(
        [
            _fact(1, "Police arrested 245 suspects in the operation."),
            _fact(2, "In the operation police arrested 245 suspects."),
            _fact(3, "Police arrested 245 suspects during the operation on Monday."),
            _fact(4, "The flood closed three schools in Leeds."),
        ]
    )
    assert distinct_items(merged) == 2
    assert validation_context(merged)["min_sentences"] == 2


def test_distinct_facts_keep_the_usual_floor() -> None:
    statements = [
        "Police arrested 245 suspects.",
        "The flood closed three schools in Leeds.",
        "A bridge collapsed near the station.",
        "The mayor asked residents to stay home.",
        "Rail services resumed on Friday.",
    ]
    merged = _merged([_fact(n, s) for n, s in enumerate(statements, 1)])
    assert distinct_items(merged) == 5
    assert validation_context(merged)["min_sentences"] == MIN_SENTENCES


def test_agreeing_sources_need_no_writer_reask() -> None:
    rng = random.Random(2)
    with FakeOpenAI(pipeline_responder) as server:
        for number in range(3):
            line = cluster(rng, number, 3)
            sources = [Source.from_text(s["text"], id=s["id"]) for s in line["sources"]]
            result = summarize(sources, settings=server.settings())
            assert result.sentences
        writer = [r for r in server.requests if r.article_id is None]
        assert len(writer) == 3 and not any(r.is_reask for r in writer)
