"""Merging grounded per-source events: agreement, conflicts, single-source items, names.

The Operation Sunflower events below are built by hand the way an extractor would report
them, but every citation is produced by aligning a real substring of the fixture texts,
so ``quote == source.text[start:end]`` holds as it does in production. The builder is
imported by the writer, citation and render tests too.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from summarizer.core.events import (
    GroundedActor,
    GroundedFact,
    GroundedFigure,
    GroundedPlace,
    GroundedQuote,
    GroundedTime,
    SourceEvent,
)
from summarizer.core.results import FigureStatus, MergedEvent, MergedFigure
from summarizer.core.schema import ActorKind, EventType
from summarizer.core.source import Source
from summarizer.core.types import Citation
from summarizer.merge.figures import (
    conflict_strength,
    distinctive_value,
    label,
    same_specific_thing,
    within_tolerance,
)
from summarizer.merge.merger import merge_events
from summarizer.text.clean import split_sentences
from summarizer.text.grounding import align
from summarizer.text.words import SentenceNames, stem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"


def sunflower_sources() -> list[Source]:
    return [
        Source(id=name, text=(FIXTURES / f"{name}.txt").read_text(encoding="utf-8"))
        for name in ("source-1", "source-2")
    ]


def cite(source: Source, quote: str, *, occurrence: int = 0) -> Citation:
    """A citation from aligning a real substring (``occurrence`` picks a later copy)."""
    hint = None
    if occurrence:
        hint = -1
        for _ in range(occurrence + 1):
            hint = source.text.index(quote, hint + 1)
    found = align(quote, source, hint=hint)
    assert found.ok, quote
    return Citation(
        source_id=source.id,
        start=found.start,
        end=found.end,
        quote=source.text[found.start : found.end],
        status=found.status,
    )


def _figure(source: Source, what: str, value: float, evidence: str, **extra: Any) -> GroundedFigure:
    return GroundedFigure(
        what=what, value=value, evidence=evidence, citation=cite(source, evidence), **extra
    )


def _fact(source: Source, statement: str, evidence: str, score: float, **kw: Any) -> GroundedFact:
    citation = cite(source, evidence, **kw)
    return GroundedFact(statement=statement, evidence=evidence, citation=citation, score=score)


def _actor(source: Source, name: str, kind: ActorKind, role: str, evidence: str) -> GroundedActor:
    return GroundedActor(
        name=name, kind=kind, role=role, evidence=evidence, citation=cite(source, evidence)
    )


def sunflower_events(sources: list[Source] | None = None) -> list[SourceEvent]:
    s1, s2 = sources or sunflower_sources()
    org, person = ActorKind.ORGANIZATION, ActorKind.PERSON
    event1 = SourceEvent(
        source_id=s1.id,
        headline="Operation Sunflower: 245 arrested, 123 children rescued",
        event_type=EventType.ARREST,
        extractor="test-model",
        prompt_hash="abc123",
        figures=[
            _figure(s1, "people arrested", 245, "led to the arrest of 245 people"),
            _figure(s1, "children rescued", 123, "the rescues of 123 children"),
            _figure(
                s1,
                "suspects arrested in other countries",
                23,
                "23 of the suspects were arrested in six more countries",
            ),
            _figure(
                s1,
                "children rescued outside the United States",
                13,
                "Thirteen of the children were rescued outside the United States",
            ),
            _figure(s1, "children under 12 years old", 45, "45 were under 12 years old"),
            _figure(s1, "children under three years old", 5, "five less than three years old"),
            _figure(s1, "girls", 70, "There were 70 girls and 53 boys"),
            _figure(s1, "boys", 53, "There were 70 girls and 53 boys"),
            _figure(
                s1,
                "children who have reached the age of majority",
                23,
                "23 of the children have since reached the age of majority",
            ),
            _figure(s1, "age of the girl", 11, "his plans to rape an 11-year-old girl"),
        ],
        facts=[
            _fact(
                s1,
                "An international operation led to the arrest of 245 people and the rescue "
                "of 123 children.",
                "An international police operation into child pornography led to the arrest "
                "of 245 people and the rescues of 123 children",
                0.9,
            ),
            _fact(
                s1,
                "There were 70 girls and 53 boys among the children.",
                "There were 70 girls and 53 boys",
                0.5,
            ),
            _fact(
                s1,
                "The operation was named after a case in which a photo of a highway sign with "
                "a sunflower led investigators to Kansas.",
                "Thanks to a photo posted online showing a highway sign with a sunflower, "
                "investigators were able to find the house of the boy in Kansas",
                0.4,
            ),
            # The fixture holds the article twice: the same fact from the second copy.
            _fact(
                s1,
                "There were 70 girls and 53 boys among the children.",
                "There were 70 girls and 53 boys",
                0.3,
                occurrence=1,
            ),
        ],
        actors=[
            _actor(s1, "John Morton", person, "director of ICE", "John Morton, director of"),
            _actor(
                s1,
                "Immigration and Customs Enforcement (ICE)",
                org,
                "US immigration enforcement agency",
                "the Immigration and Customs Enforcement (ICE) agency",
            ),
            _actor(s1, "Morton", person, "gave the children's breakdown", "Morton noted"),
            _actor(s1, "AFP", org, "news agency that reported", "AFP reports"),
        ],
        where=[
            GroundedPlace(name="Kansas", evidence="in Kansas", citation=cite(s1, "in Kansas")),
            GroundedPlace(name="US", evidence="mostly in the US", citation=cite(s1, "in the US")),
        ],
        when=[
            GroundedTime(
                text="November 1 to December 7",
                evidence="from November 1 to December 7",
                citation=cite(s1, "from November 1 to December 7"),
            )
        ],
        quotes=[
            GroundedQuote(
                speaker="John Morton",
                evidence="I can't, for very sensitive operational reasons, identify the "
                "countries involved",
                citation=cite(
                    s1,
                    "I can't, for very sensitive operational reasons, identify the countries "
                    "involved",
                ),
            )
        ],
    )
    event2 = SourceEvent(
        source_id=s2.id,
        headline="ICE-led operation nets 245 suspects",
        event_type=EventType.ARREST,
        extractor="test-model",
        prompt_hash="abc123",
        figures=[
            _figure(s2, "suspects arrested", 245, "resulted in the arrest of 245 suspects"),
            _figure(
                s2,
                "suspects arrested outside the United States",
                23,
                "All but 23 of the suspects were apprehended in the United States.",
            ),
            _figure(
                s2,
                "victims of child exploitation identified",
                123,
                "identified 123 victims of child exploitation",
            ),
            _figure(
                s2,
                "children removed from their abusers",
                44,
                "removed 44 of those children from their alleged abusers",
            ),
            _figure(s2, "children under age 3", 5, "Five were under age 3."),
            _figure(
                s2,
                "children between the ages of 4 and 6",
                9,
                "Nine were between the ages of 4 and 6.",
            ),
            _figure(
                s2,
                "victims living in the United States",
                110,
                "110 lived in the United States in 19 different states",
            ),
            _figure(
                s2,
                "age of the girl",
                13,
                "an unidentified girl thought to be around 13",
                approximate=True,
            ),
        ],
        facts=[
            _fact(
                s2,
                "An ICE-led international operation resulted in the arrest of 245 suspects.",
                "has resulted in the arrest of 245 suspects",
                0.9,
            ),
            _fact(
                s2,
                "Officers identified 123 victims and removed 44 of them from their abusers.",
                "law enforcement officers identified 123 victims of child exploitation and "
                "removed 44 of those children from their alleged abusers",
                0.8,
            ),
            _fact(
                s2,
                "The operation was named after a case in which a road sign with a sunflower "
                "led investigators to Kansas.",
                "ICE's Homeland Security Investigations determined that the road sign was "
                "unique to Kansas.",
                0.3,
            ),
        ],
        actors=[
            _actor(
                s2,
                "U.S. Immigration and Customs Enforcement",
                org,
                "led the operation",
                "An international operation led by U.S. Immigration and Customs Enforcement",
            ),
            _actor(
                s2,
                "ICE Director John Morton",
                person,
                "asked the public for tips",
                "ICE Director John Morton said the agency was calling on the public",
            ),
            _actor(s2, "ICE", org, "posted pictures of suspects", "ICE has posted pictures"),
            _actor(s2, "Morton", person, "spoke about forensic analysis", "Morton said"),
        ],
        where=[
            GroundedPlace(
                name="the United States",
                evidence="apprehended in the United States",
                citation=cite(s2, "apprehended in the United States"),
            ),
            GroundedPlace(
                name="Kansas", evidence="unique to Kansas", citation=cite(s2, "unique to Kansas")
            ),
        ],
        when=[
            GroundedTime(
                text="November and December",
                evidence="conducted in November and December",
                citation=cite(s2, "conducted in November and December"),
            )
        ],
    )
    return [event1, event2]


def sunflower_merged() -> tuple[MergedEvent, list[Source]]:
    sources = sunflower_sources()
    return merge_events(sunflower_events(sources), sources), sources


def _figures_with_value(merged: MergedEvent, value: float) -> list[MergedFigure]:
    return [f for f in merged.figures if f.value == value]


def all_citations(merged: MergedEvent) -> list[Citation]:
    return [c for item_id in merged.ids() for c in merged.citations_for(item_id) or []]


def test_every_merged_citation_is_the_exact_slice() -> None:
    merged, sources = sunflower_merged()
    texts = {s.id: s.text for s in sources}
    citations = all_citations(merged)
    assert citations
    for citation in citations:
        assert texts[citation.source_id][citation.start : citation.end] == citation.quote


def test_figure_both_sources_report_cites_both() -> None:
    merged, _ = sunflower_merged()
    (arrests,) = _figures_with_value(merged, 245)
    assert arrests.status is FigureStatus.AGREED
    assert arrests.source_ids == ["source-1", "source-2"]
    assert {c.source_id for c in arrests.citations} == {"source-1", "source-2"}


def test_same_count_described_differently_is_agreed_but_keeps_each_wording() -> None:
    merged, _ = sunflower_merged()
    (children,) = _figures_with_value(merged, 123)
    assert children.status is FigureStatus.AGREED
    assert children.source_ids == ["source-1", "source-2"]
    assert children.wording_differs
    assert [r.what for r in children.reports] == [
        "children rescued",
        "victims of child exploitation identified",
    ]
    # "removed 44 from their abusers" stays its own, single-source figure: not blended.
    (removed,) = _figures_with_value(merged, 44)
    assert removed.status is FigureStatus.SINGLE


def test_single_source_figures_are_marked_single() -> None:
    merged, _ = sunflower_merged()
    for value, source in ((70, "source-1"), (53, "source-1"), (110, "source-2")):
        (figure,) = _figures_with_value(merged, value)
        assert figure.status is FigureStatus.SINGLE
        assert figure.source_ids == [source]


def test_conflicting_ages_become_a_conflict_listing_each_value() -> None:
    merged, _ = sunflower_merged()
    assert len(merged.conflicts) == 1
    (conflict,) = merged.conflicts
    sides = [merged.figure(i) for i in conflict.figure_ids]
    assert [(s.value, s.source_ids) for s in sides if s] == [
        (11, ["source-1"]),
        (13, ["source-2"]),
    ]
    assert all(s is not None and s.status is FigureStatus.CONFLICT for s in sides)
    assert all(s is not None and s.conflict_id == conflict.id for s in sides)
    assert {c.source_id for c in merged.citations_for(conflict.id) or []} == {
        "source-1",
        "source-2",
    }


def test_equal_numbers_about_different_things_are_neither_merged_nor_in_conflict() -> None:
    merged, _ = sunflower_merged()
    twenty_three = _figures_with_value(merged, 23)
    by_what = {f.what: f for f in twenty_three}
    suspects = by_what["suspects arrested in other countries"]
    majority = by_what["children who have reached the age of majority"]
    assert suspects.status is FigureStatus.AGREED  # "All but 23 ... in the United States"
    assert suspects.source_ids == ["source-1", "source-2"]
    assert majority.status is FigureStatus.SINGLE
    # Sub-counts ("under 12" vs "under age 3") are different things, not a disagreement.
    assert {f.status for f in _figures_with_value(merged, 45)} == {FigureStatus.SINGLE}
    (under_three,) = _figures_with_value(merged, 5)
    assert under_three.status is FigureStatus.AGREED


def test_actors_match_across_name_variants_and_keep_all_roles() -> None:
    merged, _ = sunflower_merged()
    morton = next(a for a in merged.actors if "Morton" in a.name)
    assert morton.name == "John Morton"
    assert set(morton.aliases) == {"Morton", "ICE Director John Morton"}
    assert morton.source_ids == ["source-1", "source-2"]
    assert len(morton.roles) == 4
    assert len(morton.citations) == 4
    ice = next(a for a in merged.actors if "ICE" in [a.name, *a.aliases])
    assert {ice.name, *ice.aliases} == {
        "ICE",
        "Immigration and Customs Enforcement (ICE)",
        "U.S. Immigration and Customs Enforcement",
    }
    assert len([a for a in merged.actors if "Morton" in a.name]) == 1


def test_ambiguous_short_name_joins_neither_full_name() -> None:
    text = "John Morton spoke. Jane Morton replied. Morton left."
    source = Source(id="s", text=text)
    event = SourceEvent(
        source_id="s",
        headline="h",
        extractor="x",
        actors=[
            _actor(source, "John Morton", ActorKind.PERSON, "spoke", "John Morton spoke"),
            _actor(source, "Jane Morton", ActorKind.PERSON, "replied", "Jane Morton replied"),
            _actor(source, "Morton", ActorKind.PERSON, "left", "Morton left"),
        ],
    )
    merged = merge_events([event], [source])
    assert sorted(a.name for a in merged.actors) == ["Jane Morton", "John Morton", "Morton"]


def test_facts_saying_the_same_thing_merge_and_others_do_not() -> None:
    merged, _ = sunflower_merged()
    sunflower = [f for f in merged.facts if "sunflower" in f.statement]
    assert len(sunflower) == 1
    assert sunflower[0].source_ids == ["source-1", "source-2"]
    # Multi-source facts come first.
    assert merged.facts[0].id == "F1" and len(merged.facts[0].source_ids) == 2
    # "245 people and 123 children" and "245 suspects" differ in numbers: two facts.
    assert len([f for f in merged.facts if "245" in f.statement]) == 2
    # The repeated copy inside source-1 is the same fact with a second span.
    girls = next(f for f in merged.facts if "70 girls" in f.statement)
    assert girls.source_ids == ["source-1"]
    assert len(girls.citations) == 2


def test_places_and_times_merge() -> None:
    merged, _ = sunflower_merged()
    kansas = next(p for p in merged.places if p.name == "Kansas")
    assert kansas.source_ids == ["source-1", "source-2"]
    us = next(p for p in merged.places if "US" in [p.name, *p.aliases])
    assert us.source_ids == ["source-1", "source-2"]
    assert len(merged.times) == 2  # no ISO values: different wordings stay apart
    assert merged.event_type is EventType.ARREST


def test_ids_are_unique_and_resolvable() -> None:
    merged, _ = sunflower_merged()
    ids = merged.ids()
    assert len(ids) == len(set(ids))
    assert all(merged.citations_for(i) for i in ids)
    assert merged.citations_for("F999") is None


def test_merge_is_byte_identical_and_independent_of_event_order() -> None:
    sources = sunflower_sources()
    events = sunflower_events(sources)
    first = merge_events(events, sources).model_dump_json()
    assert merge_events(sunflower_events(sources), sources).model_dump_json() == first
    shuffled = list(reversed(events))
    assert merge_events(shuffled, sources).model_dump_json() == first
    rng = random.Random(7)
    for _ in range(3):
        rng.shuffle(shuffled)
        assert merge_events(shuffled, sources).model_dump_json() == first


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("arrested", "arrests", "arrest"), "arrest"),
        (("rescued", "rescues", "rescue"), "rescu"),
        (("children", "child"), "child"),
        (("apprehended", "detained"), "arrest"),
    ],
)
def test_stem_folds_inflections(words: tuple[str, ...], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


def test_builtin_figures_agree_on_shared_event_words_and_keep_differing_ones() -> None:
    """End to end from the built-in extractor: "arrest of 245 people" and "arrest of 245
    suspects" are one agreed figure; "rescues of 123 children" and "identified 123 victims"
    agree on the value but stay flagged as worded differently; partial counts never
    become rival totals."""
    from summarizer.core.source import make_source
    from summarizer.extract.builtin.extractor import builtin_events

    sources = [
        make_source(f"S{n}", (FIXTURES / f"source-{n}.txt").read_text(encoding="utf-8"))
        for n in (1, 2)
    ]
    merged = merge_events(builtin_events(sources), sources)
    (arrests,) = _figures_with_value(merged, 245)
    assert arrests.status is FigureStatus.AGREED and arrests.source_ids == ["S1", "S2"]
    assert all("arrest" in r.what for r in arrests.reports)
    (children,) = _figures_with_value(merged, 123)
    assert children.status is FigureStatus.AGREED and children.wording_differs
    assert {r.what for r in children.reports} >= {
        "rescues of children",
        "victims of child exploitation identified",
    }
    (abroad,) = [f for f in _figures_with_value(merged, 23) if "suspects" in f.what]
    assert abroad.status is FigureStatus.AGREED
    assert not merged.conflicts
    assert not any(
        f.value in (3, 4, 12)
        and f.status is not FigureStatus.AGREED
        and "age" in f.reports[0].citation.quote
        for f in merged.figures
    )


# ------------------------------------------------ value-only figure pass, number-backed facts


def _authored_sunflower_merged() -> MergedEvent:
    """The hand-authored LLM-style extractions of both sources, grounded, then merged."""
    import json

    from summarizer.core.schema import EventExtraction
    from summarizer.core.source import make_source
    from summarizer.extract.with_llm import ground_extraction

    authored = json.loads((FIXTURES.parent / "llm" / "authored-extractions.json").read_text())
    sources = [
        make_source(f"S{n}", (FIXTURES / f"source-{n}.txt").read_text(encoding="utf-8"))
        for n in (1, 2)
    ]
    events = []
    for source in sources:
        data = {k: v for k, v in authored[source.id].items() if not k.startswith("_")}
        extraction = EventExtraction.model_validate(data)
        grounded = ground_extraction(extraction, source)
        events.append(
            SourceEvent(
                source_id=source.id,
                headline=extraction.headline,
                event_type=extraction.event_type,
                extractor="authored",
                **grounded.items,
            )
        )
    return merge_events(events, sources)


def test_llm_labels_sharing_no_words_still_agree_on_a_distinctive_value() -> None:
    """Figures "children rescued: 123" and "victims identified: 123" share no word; the value is
    distinctive and each source has one figure of it, so it is one figure citing both,
    flagged as worded differently rather than blended."""
    merged = _authored_sunflower_merged()
    (children,) = _figures_with_value(merged, 123)
    assert children.status is FigureStatus.AGREED
    assert children.source_ids == ["S1", "S2"]
    assert children.wording_differs
    assert [r.what for r in children.reports] == ["children rescued", "victims identified"]
    (arrests,) = _figures_with_value(merged, 245)
    assert arrests.status is FigureStatus.AGREED and arrests.source_ids == ["S1", "S2"]
    (removed,) = _figures_with_value(merged, 44)
    assert removed.status is FigureStatus.SINGLE
    assert not merged.conflicts


def test_llm_facts_with_the_same_distinctive_number_merge_but_different_claims_do_not() -> None:
    merged = _authored_sunflower_merged()
    arrests = [f for f in merged.facts if "245" in f.statement]
    assert len(arrests) == 1
    assert arrests[0].source_ids == ["S1", "S2"]
    assert {c.source_id for c in arrests[0].citations} == {"S1", "S2"}
    # "rescued 123 children" and "identified 123 victims and removed 44": two claims.
    children = [f for f in merged.facts if "123" in f.statement]
    assert len(children) == 2
    assert all(f.single for f in children)


def _event(source: Source, figures: list[tuple[str, float, str]], **kw: Any) -> SourceEvent:
    return SourceEvent(
        source_id=source.id,
        headline="h",
        extractor="x",
        figures=[_figure(source, what, value, evidence) for what, value, evidence in figures],
        **kw,
    )


def test_value_only_join_cites_every_source_and_is_order_independent() -> None:
    s1 = Source(id="a", text="Officials said 304 ballots were counted.")
    s2 = Source(id="b", text="In fact he won 304 in the end.")
    s3 = Source(id="c", text="He took 304 electoral votes.")
    events = [
        _event(s1, [("ballots counted", 304, "304 ballots were counted")]),
        _event(s2, [("won", 304, "he won 304")]),
        _event(s3, [("electoral votes", 304, "304 electoral votes")]),
    ]
    sources = [s1, s2, s3]
    merged = merge_events(events, sources)
    (figure,) = merged.figures
    assert figure.status is FigureStatus.AGREED and figure.wording_differs
    assert figure.source_ids == ["a", "b", "c"]
    first = merged.model_dump_json()
    assert merge_events(list(reversed(events)), sources).model_dump_json() == first


def test_value_only_join_refuses_ambiguous_sources() -> None:
    """A source with two figures of the value could mean either: nothing joins."""
    s1 = Source(id="a", text="Police arrested 123 men. Doctors treated 123 patients.")
    s2 = Source(id="b", text="Rescuers found 123 survivors.")
    merged = merge_events(
        [
            _event(
                s1,
                [
                    ("men arrested", 123, "Police arrested 123 men"),
                    ("patients treated", 123, "Doctors treated 123 patients"),
                ],
            ),
            _event(s2, [("survivors found", 123, "Rescuers found 123 survivors")]),
        ],
        [s1, s2],
    )
    assert [f.status for f in merged.figures] == [FigureStatus.SINGLE] * 3


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # small, round and year-like values collide by chance
        (("boats seized", 12, "seized 12 boats"), ("officers hurt", 12, "12 officers hurt")),
        (("homes destroyed", 100, "100 homes destroyed"), ("troops sent", 100, "100 troops")),
        (("founded", 1998, "founded in 1998"), ("members", 1998, "1998 members")),
        # a part of something is never matched on its value alone
        (
            ("suspects abroad", 23, "23 of the suspects were abroad"),
            ("children grown up", 23, "23 children grew up"),
        ),
        # ages and durations carry no evidence that they count the same thing
        (("age of suspect", 34, "a suspect aged 34"), ("days in custody", 34, "34 days")),
    ],
)
def test_value_only_join_needs_a_distinctive_count(
    first: tuple[str, float, str], second: tuple[str, float, str]
) -> None:
    s1 = Source(id="a", text=f"We know that {first[2]}.")
    s2 = Source(id="b", text=f"They said {second[2]}.")
    merged = merge_events([_event(s1, [first]), _event(s2, [second])], [s1, s2])
    assert [f.status for f in merged.figures] == [FigureStatus.SINGLE] * 2
    assert not merged.conflicts


def test_value_only_join_keeps_conflicts_apart() -> None:
    """A figure already in a conflict is matched; a stray same value does not join it."""
    s1 = Source(id="a", text="The quake killed 245 people.")
    s2 = Source(id="b", text="The quake killed 312 people.")
    s3 = Source(id="c", text="It destroyed 312 homes.")
    merged = merge_events(
        [
            _event(s1, [("people killed", 245, "killed 245 people")]),
            _event(s2, [("people killed", 312, "killed 312 people")]),
            _event(s3, [("homes destroyed", 312, "destroyed 312 homes")]),
        ],
        [s1, s2, s3],
    )
    assert len(merged.conflicts) == 1
    homes = next(f for f in merged.figures if f.what == "homes destroyed")
    assert homes.status is FigureStatus.SINGLE and homes.source_ids == ["c"]


@pytest.mark.parametrize(
    ("value", "written", "expected"),
    [
        (123, None, True),
        (23, None, True),
        (1655, "1,655", True),
        (12.5, None, True),
        (19, None, False),
        (100, None, False),
        (3000, "3,000", False),
        (2012, "2012", False),
        (1390, "1390", False),
        (2012, None, False),
    ],
)
def test_distinctive_value_rule(value: float, written: str | None, expected: bool) -> None:
    assert distinctive_value(value, written) is expected


def _fact_event(source: Source, statements: list[tuple[str, str]]) -> SourceEvent:
    return SourceEvent(
        source_id=source.id,
        headline="h",
        extractor="x",
        facts=[_fact(source, statement, evidence, 0.5) for statement, evidence in statements],
    )


def test_number_backed_fact_merge_needs_shared_words_and_other_sources() -> None:
    court = "A New Jersey court approved a $325,000 settlement between the cheerleaders and "
    court += "the Jets on Wednesday."
    fees = "The Jets paid $325,000 in legal fees."
    scored = "The Jets cheerleaders scored a $325,000 settlement from Gang Green on Wednesday "
    scored += "in a New Jersey court."
    s1 = Source(id="a", text=f"{court} {fees}")
    s2 = Source(id="b", text=scored)
    s3 = Source(id="c", text=f"{court} {scored}")
    merged = merge_events(
        [_fact_event(s1, [(court, court), (fees, fees)]), _fact_event(s2, [(scored, scored)])],
        [s1, s2],
    )
    by_sources = {tuple(f.source_ids): f.statement for f in merged.facts}
    assert by_sources == {("a", "b"): court, ("a",): fees}
    # Within one source the lower bar does not apply: two statements stay two facts.
    alone = merge_events([_fact_event(s3, [(court, court), (scored, scored)])], [s3])
    assert [f.statement for f in alone.facts] == [court, scored]


# ------------------------------------------------ conflicts need the same specific thing


def _pair_merged(
    first: tuple[str, float, str, dict[str, Any]], second: tuple[str, float, str, dict[str, Any]]
) -> MergedEvent:
    s1 = Source(id="a", text=f"We know that {first[2]}.")
    s2 = Source(id="b", text=f"They said {second[2]}.")
    events = [
        SourceEvent(
            source_id=source.id,
            headline="h",
            extractor="x",
            figures=[_figure(source, what, value, evidence, **extra)],
        )
        for source, (what, value, evidence, extra) in ((s1, first), (s2, second))
    ]
    return merge_events(events, [s1, s2])


_YEARS = {"unit": "years"}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # a named entity differs: two people, not one disputed age
        (
            ("age of Maria Ridulph", 7, "7-year-old Maria Ridulph", _YEARS),
            ("age of Charles Ridulph", 70, "70-year-old Charles Ridulph", _YEARS),
        ),
        # "age" alone says no whose age: too vague to contradict "age of man"
        (("age", 7, "7-year-old", _YEARS), ("age of man", 76, "76-year-old man", _YEARS)),
        # only time words in common ("seemed" is not a thing)
        (
            ("years ago", 58, "More than 58 years ago", _YEARS),
            ("years ago seemed", 4, "four years ago seemed", _YEARS),
        ),
        # a bare unit, capitalised or not, names nothing ("48 Hours" is a TV show)
        (("hours", 24, "24 hours", {"unit": "hours"}), ("Hours", 48, "48 Hours", {})),
        # a one-word kind of thing: two groups of soldiers, not a dispute
        (("soldiers", 1000, "1,000 soldiers", {}), ("soldiers", 4, "four soldiers", {})),
        # different kinds of quantity about one person: years served vs age
        (
            ("years Sementilli", 25, "25 years Sementilli", _YEARS),
            ("age of Sementilli", 49, "49-year-old Sementilli", _YEARS),
        ),
        # a rate is not a total
        (
            ("miles a day hiking", 30, "hiking 30 miles a day", {"unit": "miles"}),
            ("miles hiked", 1100, "hiked 1,100 miles", {"unit": "miles"}),
        ),
        # change words say how, not what
        (
            ("increase of percent", 64, "increase of more than 64 percent", {}),
            ("increase of percent", 38, "increase of 38 percent", {}),
        ),
        # one side names a place the other does not: a part, maybe, not a rival total
        (
            (
                "people killed in Texas and Oklahoma",
                30,
                "30 people killed in Texas and Oklahoma",
                {},
            ),
            ("people killed in Texas", 12, "12 people killed in Texas", {}),
        ),
    ],
)
def test_vague_or_mismatched_descriptions_never_conflict(
    first: tuple[str, float, str, dict[str, Any]], second: tuple[str, float, str, dict[str, Any]]
) -> None:
    merged = _pair_merged(first, second)
    assert not merged.conflicts
    assert [f.status for f in merged.figures] == [FigureStatus.SINGLE] * 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # LLM-style labels naming the same thing
        (
            ("people killed in the attack", 12, "12 people killed in the attack", {}),
            ("people killed in the attack", 15, "15 people killed in the attack", {}),
        ),
        (
            ("age of the suspect", 34, "the suspect, 34,", _YEARS),
            ("suspect's age", 36, "a 36-year-old suspect", _YEARS),
        ),
        # built-in labels with the same place name
        (
            ("miles west of Chicago", 65, "about 65 miles west of Chicago", {"approximate": True}),
            ("miles west of Chicago", 70, "about 70 miles west of Chicago", {"approximate": True}),
        ),
    ],
)
def test_same_specific_thing_with_different_values_is_a_conflict(
    first: tuple[str, float, str, dict[str, Any]], second: tuple[str, float, str, dict[str, Any]]
) -> None:
    merged = _pair_merged(first, second)
    (conflict,) = merged.conflicts
    sides = [merged.figure(i) for i in conflict.figure_ids]
    # Never blended: each value stays its own side, citing its own source.
    assert [(s.value, s.source_ids) for s in sides if s] == [
        (first[1], ["a"]),
        (second[1], ["b"]),
    ]
    assert all(s is not None and s.status is FigureStatus.CONFLICT for s in sides)


def test_label_splits_kind_core_and_names() -> None:
    maria = label("age of Maria Ridulph")
    assert maria.kind == {"age"} and maria.names == {"maria", "ridulph"} and maria.specific
    assert label("Hours").names == frozenset() and not label("Hours").specific
    assert label("people killed").core == {"kill"} and label("people killed").specific
    assert not label("percent increase").specific
    assert label("arrests by ICE").names == {"ice"}
    girl = label("age of the girl")
    assert girl.stems == label("the girl's age").stems == {"age", "girl"}  # no stray "s"
    assert same_specific_thing(girl, label("the girl's age"))
    assert not same_specific_thing(girl, label("age of the boy"))
    assert not same_specific_thing(maria, label("age of Charles Ridulph"))


def _side(value: float, sources: list[str], approximate: bool = False) -> MergedFigure:
    return MergedFigure(
        id="N",
        what="w",
        value=value,
        approximate=approximate,
        status=FigureStatus.CONFLICT,
        reports=[],
        source_ids=sources,
    )


def test_approximate_overlap_is_a_weaker_conflict_than_a_clear_one() -> None:
    about = [_side(65, ["a"], True), _side(70, ["b"], True)]
    exact = [_side(65, ["a"]), _side(70, ["b"])]
    far = [_side(65, ["a"], True), _side(100, ["b"], True)]
    assert within_tolerance(about)
    assert not within_tolerance(exact) and not within_tolerance(far)
    assert conflict_strength(exact) > conflict_strength(about)
    assert conflict_strength(far) > conflict_strength(about)
    # More sources behind both sides is a firmer disagreement.
    broad = [_side(65, ["a", "c"]), _side(70, ["b", "d"])]
    assert conflict_strength(broad) > conflict_strength(exact)


# ------------------------------------------- conflicts need sentences about the same names


def _context_merged(first: tuple[str, str], second: tuple[str, str]) -> MergedEvent:
    """Two sources, each giving "people killed in the attack" in the sentence ``evidence``."""
    sources = [
        Source(id=sid, text=text) for sid, (text, _) in zip("ab", (first, second), strict=True)
    ]
    events = [
        SourceEvent(
            source_id=source.id,
            headline="h",
            extractor="x",
            figures=[
                _figure(
                    source,
                    "people killed in the attack",
                    float(evidence.split()[0]),
                    evidence,
                )
            ],
        )
        for source, (_, evidence) in zip(sources, (first, second), strict=True)
    ]
    return merge_events(events, sources)


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        # different named places: two attacks, not one disputed toll
        (
            ("Gunmen struck in Yemen: 12 people killed in the attack.", "12 people killed"),
            ("Police in Bahrain left 15 people killed in the attack.", "15 people"),
            False,
        ),
        # "Mexican" next to "Mexico" names a country, not the sub-event: still apart
        (
            (
                "Mexico said troops of the Mexican army left 22 people killed in the attack "
                "in Tlatlaya.",
                "22 people killed",
            ),
            (
                "In Mexico, Mexican media said 6 people killed in the attack in Puebla.",
                "6 people killed",
            ),
            False,
        ),
        # a shared name: one event, a real conflict
        (
            ("Gunmen struck in Yemen, 12 people killed in the attack.", "12 people killed"),
            ("Officials in Yemen and Oman said 15 people killed in the attack.", "15 people"),
            True,
        ),
        # one sentence names nothing: the labels decide
        (
            ("Gunmen struck in Yemen, 12 people killed in the attack.", "12 people killed"),
            ("Later they said 15 people killed in the attack.", "15 people"),
            True,
        ),
    ],
)
def test_figures_from_sentences_naming_different_entities_never_conflict(
    first: tuple[str, str], second: tuple[str, str], conflict: bool
) -> None:
    merged = _context_merged(first, second)
    assert bool(merged.conflicts) is conflict
    expected = FigureStatus.CONFLICT if conflict else FigureStatus.SINGLE
    assert [f.status for f in merged.figures] == [expected] * 2
    # Deterministic: the same result in the other source order.
    again = _context_merged(second, first)
    assert bool(again.conflicts) is conflict


def test_sentence_names_skip_openers_titles_and_demonyms() -> None:
    text = (
        "Obama won 332 votes. Scientists said Mr Ross met Obama on Monday. "
        "Mexican media covered Mexico. The FBI came."
    )
    names = SentenceNames(text, split_sentences(text))
    first = text.index("332")
    # "Obama" opens its sentence but is capitalised inside another: a name.
    assert names.around(first, first + 3) == {"obama"}
    second = text.index("Ross")
    # "Scientists" only opens a sentence; "Mr" is a title; "Monday" a day.
    assert names.around(second, second + 4) == {"ross", "obama"}
    third = text.index("media")
    assert names.around(third, third + 5) == {"mexico"}
    assert names.demonym("Mexican") and not names.demonym("Mexico")
    fbi = text.index("FBI")
    assert names.around(fbi, fbi + 3) == {"fbi"}  # acronyms count anywhere


def test_sunflower_ages_still_conflict_with_sentence_context() -> None:
    merged, sources = sunflower_merged()
    (conflict,) = merged.conflicts
    sides = [merged.figure(i) for i in conflict.figure_ids]
    assert [s.value for s in sides if s] == [11, 13]
    # The sources carry real sentence spans here, as the CLI gives them.
    spanned = [s.model_copy(update={"sentences": split_sentences(s.text)}) for s in sources]
    again = merge_events(sunflower_events(spanned), spanned)
    assert again.model_dump() == merged.model_dump()
