"""The built-in extractor on the Operation Sunflower cluster and on small hand-made texts."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from summarizer.core.events import SourceEvent
from summarizer.core.schema import ActorKind
from summarizer.core.source import Source, make_source
from summarizer.core.types import Citation
from summarizer.extract.builtin.extractor import builtin_events
from summarizer.extract.builtin.figures import find_figures
from summarizer.extract.builtin.times import find_times
from summarizer.sources import iter_clusters

Sunflower = tuple[list[Source], list[SourceEvent]]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"


@pytest.fixture(scope="module")
def sunflower() -> Sunflower:
    sources = [
        make_source(f"S{n}", (FIXTURES / f"source-{n}.txt").read_text(encoding="utf-8"))
        for n in (1, 2)
    ]
    return sources, builtin_events(sources)


def _citations(event: SourceEvent) -> list[Citation]:
    return [
        *(i.citation for i in event.when),
        *(i.citation for i in event.where),
        *(i.citation for i in event.actors),
        *(i.citation for i in event.figures),
        *(i.citation for i in event.quotes),
        *(i.citation for i in event.facts),
    ]


def test_one_builtin_event_per_source_in_order(sunflower: Sunflower) -> None:
    sources, events = sunflower
    assert [e.source_id for e in events] == [s.id for s in sources]
    assert all(e.extractor == "builtin" for e in events)
    assert all(e.headline for e in events)


def test_every_citation_is_the_exact_slice(sunflower: Sunflower) -> None:
    sources, events = sunflower
    texts = {s.id: s.text for s in sources}
    citations = [c for e in events for c in _citations(e)]
    assert len(citations) > 40
    for citation in citations:
        assert texts[citation.source_id][citation.start : citation.end] == citation.quote
    for event in events:
        for fact in event.facts:
            assert fact.evidence == fact.citation.quote == fact.statement


def test_figures_carry_what_they_count(sunflower: Sunflower) -> None:
    _, events = sunflower
    first = {(f.value, f.what) for f in events[0].figures}
    # The counted noun keeps its governing event word: "the arrest of 245 people".
    assert (245.0, "arrest of people") in first
    assert (123.0, "rescues of children") in first
    assert (70.0, "girls") in first
    # "23 of the suspects were arrested": the label is what is counted; the citation
    # keeps the "of the" that makes it a part, not a total.
    suspects = next(f for f in events[0].figures if f.what == "suspects arrested")
    assert suspects.value == 23.0 and suspects.citation.quote.startswith("23 of the suspects")
    assert (13.0, "children rescued outside the United States") in first
    second = {(f.value, f.what) for f in events[1].figures}
    assert (245.0, "arrest of suspects") in second
    assert (123.0, "victims of child exploitation identified") in second
    assert (110.0, "victims lived in the United States") in second


def test_age_bounds_are_not_counts(sunflower: Sunflower) -> None:
    _, events = sunflower
    first = {(f.value, f.what): f for f in events[0].figures}
    second = {(f.value, f.what): f for f in events[1].figures}
    # A bare count takes the noun of its group: "Among the children, 45 were ...";
    # "Several of the children were shockingly young. Five were under age 3."
    assert (45.0, "children under 12 years old") in first
    assert (5.0, "children less than three years old") in first
    assert (5.0, "children under age 3") in second
    assert (9.0, "children between the ages of 4 and 6") in second
    assert second[(5.0, "children under age 3")].citation.quote == "Five were under age 3"
    # The 12, 3, 4 and 6 only bound those counts: none is a figure of its own.
    assert not any(f.value == 12.0 for f in events[0].figures)
    assert not any(f.value in (3.0, 4.0) and "age" in f.citation.quote for f in events[1].figures)
    assert not any(f.what in ("and", "years old") for e in events for f in e.figures)
    girl = first[(11.0, "age of girl")]
    assert girl.unit == "years" and girl.citation.quote == "11-year-old girl"


@pytest.mark.parametrize(
    ("text", "value", "what", "quote"),
    [
        (
            "Police said 12 people were killed on Monday.",
            12,
            "people killed",
            "12 people were killed",
        ),
        (
            "The storm caused the deaths of 40 villagers.",
            40,
            "deaths of villagers",
            "deaths of 40 villagers",
        ),
        ("Rescuers freed 7 miners on Friday.", 7, "miners freed", "freed 7 miners"),
        (
            "Of the 30 passengers, 12 survived the crash.",
            12,
            "passengers survived the crash",
            "Of the 30 passengers, 12 survived the crash",
        ),
        ("A total of 40 people attended.", 40, "people attended", "40 people attended"),
        (
            "The 17 workers aged 18 to 25 were hired.",
            17,
            "workers aged 18 to 25 hired",
            "17 workers aged 18 to 25 were hired",
        ),
    ],
)
def test_figure_what_keeps_its_governing_context(
    text: str, value: float, what: str, quote: str
) -> None:
    figures = find_figures(make_source("x", text))
    match = next(f for f in figures if f.value == value)
    assert (match.what, match.citation.quote) == (what, quote)
    # Range ends ("aged 18 to 25") bound the count; they are not counts themselves.
    assert not any(f.value in (18, 25) for f in figures)


def test_word_numbers_and_non_figures(sunflower: Sunflower) -> None:
    _, events = sunflower
    figures = events[0].figures
    five = [f for f in figures if f.what == "children less than three years old"]
    assert five and five[0].value == 5.0 and "five less than" in five[0].citation.quote
    # Years and calendar days are times, not figures.
    assert not any(f.value in (2012.0, 1.0, 7.0) for f in figures)


def test_morton_quotes_have_their_speaker(sunflower: Sunflower) -> None:
    _, events = sunflower
    quotes = {q.evidence: q.speaker for e in events for q in e.quotes}
    pronoun_quote = (
        "I can't, for very sensitive operational reasons, identify the countries involved"
    )
    assert quotes[pronoun_quote] == "John Morton"  # "..., he said" resolved
    forensic = next(q for q in quotes if q.startswith("Forensic analysis technology"))
    assert quotes[forensic] == "John Morton"  # '"...," Morton said' resolved to full name
    follow_on = next(q for q in quotes if q.startswith("We are coming across"))
    assert quotes[follow_on] == "John Morton"  # continues the attributed quote


def test_people_organisations_places(sunflower: Sunflower) -> None:
    _, events = sunflower
    actors = {(a.name, a.kind) for e in events for a in e.actors}
    assert ("John Morton", ActorKind.PERSON) in actors
    assert ("National Center for Missing and Exploited Children", ActorKind.ORGANIZATION) in actors
    morton = next(a for a in events[0].actors if a.name == "John Morton")
    assert morton.role.startswith("director of the Immigration and Customs Enforcement")
    places = {p.name for e in events for p in e.where}
    assert {"Kansas", "United States"} <= places
    assert not places & {"November", "December"}


def test_facts_ranked_by_cluster_centrality(sunflower: Sunflower) -> None:
    _, events = sunflower
    for event in events:
        scores = [f.score for f in event.facts]
        assert scores == sorted(scores, reverse=True)
    # The sentence both outlets lead with (245 arrests) outranks the related-story headlines.
    top = max((f for e in events for f in e.facts), key=lambda f: f.score)
    assert "245" in top.statement
    statements = [f.statement for e in events for f in e.facts]
    assert not any(s.startswith("18 rescued in child pornography raids") for s in statements)


def test_times_resolve_only_with_a_known_date() -> None:
    text = "It ran from November 1 to December 7, 2012. In 2011 it began. Police spoke Thursday."
    undated = {t.text: t.iso for t in find_times(make_source("x", text))}
    assert undated["November 1 to December 7, 2012"] == "2012-11-01/2012-12-07"
    assert undated["2011"] == "2011"
    assert undated["Thursday"] is None
    dated = make_source("y", text, url="https://example.com/news/2013/01/04/story.html")
    assert {t.text: t.iso for t in find_times(dated)}["Thursday"] == "2013-01-03"


def test_times_resolve_against_the_publication_date_from_jsonl(tmp_path: Path) -> None:
    text = (
        "Officials announced Thursday that the Cubs won on Nov. 2. "
        "Fans celebrated yesterday and will march tomorrow. It began in 2011."
    )
    record = {
        "id": "c1",
        "sources": [
            {"id": "dated", "text": text, "published": "2016-11-03 05:10:42"},
            {"id": "none", "text": "Report two. " + text, "published": "None"},
            {"id": "junk", "text": "Report three. " + text, "published": "last week"},
            # Metadata wins over a URL date (often the day the story was first filed).
            {
                "id": "both",
                "text": "Report four. " + text,
                "published": "2016-11-03",
                "url": "https://example.com/2016/11/01/story.html",
            },
        ],
    }
    path = tmp_path / "clusters.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (line,) = list(iter_clusters(path))
    assert line.cluster is not None
    sources = {s.id: s for s in line.cluster.sources}
    resolved = {
        "Thursday": "2016-11-03",
        "Nov. 2": "2016-11-02",
        "yesterday": "2016-11-02",
        "tomorrow": "2016-11-04",
        "2011": "2011",
    }
    for source_id in ("dated", "both"):
        event = builtin_events([sources[source_id]])[0]
        assert {t.text: t.iso for t in event.when} == resolved, source_id
    for source_id in ("none", "junk"):
        assert sources[source_id].published is None
        isos = {t.text: t.iso for t in find_times(sources[source_id])}
        assert isos == {**dict.fromkeys(resolved, None), "2011": "2011"}, source_id


def test_month_day_after_publication_is_last_year() -> None:
    text = "The inquiry opened on Dec. 28 and reported on Jan. 4."
    source = make_source("x", text, published="2017-01-05")
    isos = {t.text: t.iso for t in find_times(source)}
    assert isos == {"Dec. 28": "2016-12-28", "Jan. 4": "2017-01-04"}


def test_single_source_and_unsplit_source() -> None:
    text = (
        "The council approved a $4 million park on Monday. It opens in May, "
        'officials said. "This is a great day," Mayor Jane Doe said.'
    )
    bare = Source(id="only", text=text)  # no sentence spans: the extractor splits itself
    (event,) = builtin_events([bare])
    assert event.facts and event.facts[0].citation.quote in text
    money = next(f for f in event.figures if f.value == 4_000_000)
    assert money.unit == "USD"
    assert event.quotes[0].speaker == "Jane Doe"


def test_fact_statements_leave_out_datelines() -> None:
    from summarizer.core.source import make_source
    from summarizer.extract.builtin.extractor import builtin_events

    text = (
        "SYCAMORE, Ill. (AP) -- A judge ordered the release of a man convicted in a 1957 "
        "killing.\n\nJohn Morton (ICE) said the agency would keep working on the case."
    )
    source = make_source("S1", text)
    (event,) = builtin_events([source])
    statements = {fact.statement for fact in event.facts}
    assert "A judge ordered the release of a man convicted in a 1957 killing." in statements
    assert any(s.startswith("John Morton (ICE) said") for s in statements)
    for fact in event.facts:
        assert fact.citation.quote == source.text[fact.citation.start : fact.citation.end]


# --- NER paths: the rules alone, and spaCy's model combined with the rules ---------------

_GAME = (
    "The Chicago Cubs won the World Series on Wednesday night in Cleveland, ending a "
    "108-year drought. Manager Joe Maddon praised his players after the game.\n"
    "Ben Zobrist hit the go-ahead double in the 10th inning. Zobrist was named the most "
    'valuable player of the World Series. "It was an amazing game," Zobrist said.\n'
    "Fans celebrated in Chicago until dawn, and Republicans and Democrats alike "
    "congratulated the team."
)


def _needs_spacy() -> None:
    pytest.importorskip("spacy")
    from summarizer.extract.builtin import ner as builtin_ner

    if builtin_ner._pipeline() is None:
        pytest.skip(f"model package {builtin_ner.MODEL} is not installed")


@pytest.fixture(params=["rules", "spacy"])
def ner_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    mode = str(request.param)
    if mode == "spacy":
        _needs_spacy()
    monkeypatch.setenv("SUMMARIZER_NER", mode)
    return mode


def test_ner_mode_is_honoured(ner_mode: str) -> None:
    from summarizer.extract.builtin import ner as builtin_ner

    found = builtin_ner.entities(_GAME)
    if ner_mode == "rules":
        assert found is None
    else:
        assert found is not None
        assert {(_GAME[e.start : e.end], e.label) for e in found} >= {
            ("Ben Zobrist", "PERSON"),
            ("Cleveland", "GPE"),
        }


def test_people_organisations_places_on_both_paths(ner_mode: str) -> None:
    sources = [
        make_source(f"S{n}", (FIXTURES / f"source-{n}.txt").read_text(encoding="utf-8"))
        for n in (1, 2)
    ]
    events = builtin_events(sources)
    actors = {(a.name, a.kind) for e in events for a in e.actors}
    assert ("John Morton", ActorKind.PERSON) in actors
    assert ("National Center for Missing and Exploited Children", ActorKind.ORGANIZATION) in actors
    places = {p.name for e in events for p in e.where}
    assert {"Kansas", "United States"} <= places
    assert not places & {"November", "December", "under age 3"}
    quotes = {q.speaker for e in events for q in e.quotes}
    assert "John Morton" in quotes
    texts = {s.id: s.text for s in sources}
    for event in events:
        for c in (*(a.citation for a in event.actors), *(p.citation for p in event.where)):
            assert texts[c.source_id][c.start : c.end] == c.quote


def test_spacy_path_names_and_ranks_people(monkeypatch: pytest.MonkeyPatch) -> None:
    _needs_spacy()
    from summarizer.extract.builtin.entities import find_entities

    monkeypatch.setenv("SUMMARIZER_NER", "spacy")
    source = make_source("x", _GAME)
    actors, places = find_entities(source)
    names = [a.name for a in actors]
    # Three mentions ("Zobrist" twice refers back to the full name) rank him first; the
    # rules alone miss him, and call the twice-named "World Series" an actor.
    assert names[0] == "Ben Zobrist"
    assert "World Series" not in names
    assert {("Chicago Cubs", ActorKind.ORGANIZATION), ("Joe Maddon", ActorKind.PERSON)} <= {
        (a.name, a.kind) for a in actors
    }
    # Plural NORP names are group actors; a nationality adjective would not be.
    assert ("Democrats", ActorKind.GROUP) in {(a.name, a.kind) for a in actors}
    assert {p.name for p in places} >= {"Cleveland", "Chicago"}
    for c in (*(a.citation for a in actors), *(p.citation for p in places)):
        assert _GAME[c.start : c.end] == c.quote


def test_spacy_path_keeps_long_organisation_names_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    _needs_spacy()
    from summarizer.extract.builtin.entities import find_entities

    monkeypatch.setenv("SUMMARIZER_NER", "spacy")
    text = (
        "Officials at U.S. Immigration and Customs Enforcement said five of the victims "
        "were under age 3. Brazilian reporters asked about the case in Kansas."
    )
    actors, places = find_entities(make_source("x", text))
    names = {a.name for a in actors}
    # The model splits this name in two; the organisation word keeps the rules' span.
    assert "U.S. Immigration and Customs Enforcement" in names
    assert "Customs Enforcement" not in names
    assert "Brazilian" not in names  # an adjective, not a group
    assert [p.name for p in places] == ["Kansas"]


def test_ner_mode_errors_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.core.errors import ConfigError
    from summarizer.extract.builtin import ner as builtin_ner

    monkeypatch.setenv("SUMMARIZER_NER", "bert")
    with pytest.raises(ConfigError, match="SUMMARIZER_NER='bert'"):
        builtin_ner.entities("Paris")
    # Asking for spaCy without it installed names the extra instead of falling back.
    monkeypatch.setenv("SUMMARIZER_NER", "spacy")
    monkeypatch.setattr(builtin_ner, "_pipeline", lambda: None)
    with pytest.raises(ConfigError, match=r"-e '\.\[ner\]' in a clone"):
        builtin_ner.entities("Paris")
    monkeypatch.setenv("SUMMARIZER_NER", "auto")
    assert builtin_ner.entities("Paris") is None  # auto falls back to the rules


def test_ner_chunks_cover_long_texts_at_line_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.extract.builtin import ner as builtin_ner

    monkeypatch.setattr(builtin_ner, "CHUNK_CHARS", 50)
    text = "\n".join(f"Line {n} names Anna Berg in Oslo." for n in range(10))
    pieces = builtin_ner._chunks(text)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    assert all(end - start <= 50 for start, end in pieces)
    assert all(text[end - 1] == "\n" for _, end in pieces[:-1])
    _needs_spacy()
    monkeypatch.setenv("SUMMARIZER_NER", "spacy")
    found = builtin_ner.entities(text)
    assert found is not None
    oslo = [e for e in found if text[e.start : e.end] == "Oslo"]
    assert len(oslo) == 10 and all(e.label == "GPE" for e in oslo)
