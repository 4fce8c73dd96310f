"""Many grounded per-source events → one ``MergedEvent``, deterministically, without an LLM.

What is merged and how (each rule trades a missed merge against a false one; a missed
merge leaves two single-source items, which is visible and harmless, while a false merge
blends claims, so the rules lean towards not merging):

* **Order.** ``sources`` fixes the order: events are sorted by their source's position, so
  shuffling the events list gives byte-identical output; shuffling the sources renumbers
  citations and may change which source's wording represents an item (that order is the
  user's). Within a source, items keep the extractor's order. No set is ever iterated
  into the output.
* **Figures** are matched on *what is counted* (``summarizer.merge.figures``); two
  figures whose evidence sentences name different entities never conflict
  (``contexts_disagree``), so each figure carries its source's sentence names.
* **Facts** merge when they state the same numbers and their normalised words are close
  (rapidfuzz ``token_sort_ratio`` >= ``FACT_SIMILARITY``, a symmetric measure, so a short
  statement is not swallowed by a longer one that merely contains its words). Facts from
  different sources stating the same distinctive numbers, and no others, need less:
  Jaccard of content stems >= ``FACT_SHARED_NUMBER_JACCARD`` with at least
  ``FACT_SHARED_NUMBER_WORDS`` shared stems ("led to 245 arrests" / "resulted in the
  arrest of 245 suspects" merge; "rescued 123 children" / "identified 123 victims" do not).
* **Actors and places** merge across name variants and acronyms
  (``summarizer.merge.names``).
* **Times** merge on equal ISO value (else equal normalised text); **quotes** on near-equal
  quoted words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from summarizer.core.events import SourceEvent
from summarizer.core.results import MergedEvent, MergedFact, MergedQuote, MergedTime
from summarizer.core.schema import EventType
from summarizer.core.source import Source
from summarizer.core.types import Citation, Usage
from summarizer.merge.citations import cited_source_ids, unique_citations
from summarizer.merge.figures import distinctive_value, figure_item, merge_figures
from summarizer.merge.names import merge_actors, merge_places
from summarizer.text.clean import split_sentences
from summarizer.text.numbers import find_numbers
from summarizer.text.words import SentenceNames, content_stems, jaccard_index

#: rapidfuzz token_sort_ratio (0-100) on normalised fact words at or above which facts merge.
FACT_SIMILARITY = 80.0
#: Above this token_sort_ratio two quotes are the same quotation.
QUOTE_SIMILARITY = 90.0
#: With the same distinctive numbers, facts from different sources merge at or above this
#: Jaccard of their content stems (numbers excluded) ...
FACT_SHARED_NUMBER_JACCARD = 0.5
#: ... sharing at least this many content stems besides the numbers.
FACT_SHARED_NUMBER_WORDS = 3


# --------------------------------------------------------------------------- facts


@dataclass
class _FactCluster:
    statement: str
    words: str
    numbers: tuple[float, ...]
    first: int
    score: float
    citations: list[Citation] = field(default_factory=list)

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(self.words.split())


def _fact_numbers(text: str) -> tuple[float, ...]:
    return tuple(sorted(round(m.value, 6) for m in find_numbers(text)))


def _has_distinctive_number(text: str) -> bool:
    return any(distinctive_value(m.value, m.text.strip()) for m in find_numbers(text))


def _number_backed_match(
    clusters: Sequence[_FactCluster], statement: str, words: str, source_id: str
) -> _FactCluster | None:
    """The cluster a fact joins on shared distinctive numbers and a lower word bar, if any.

    Two sources stating the same distinctive numbers (``distinctive_value``: "245", not
    "5" or "2012") and no number the other lacks are likely telling the same thing in
    their own words ("led to 245 arrests" / "resulted in the arrest of 245 suspects"),
    so the bar drops from ``FACT_SIMILARITY`` to a Jaccard of content stems (numbers
    excluded) >= ``FACT_SHARED_NUMBER_JACCARD`` with at least ``FACT_SHARED_NUMBER_WORDS``
    stems in common: a number alone never merges "rescued 123 children" with "identified
    123 victims". Only facts from different sources join this way, so one source's two
    distinct claims are never folded into one.
    """
    if not _has_distinctive_number(statement):
        return None
    numbers = _fact_numbers(statement)
    stems = frozenset(words.split())
    target, best = None, FACT_SHARED_NUMBER_JACCARD
    for cluster in clusters:
        if set(cluster.numbers) != set(numbers):
            continue
        if any(c.source_id == source_id for c in cluster.citations):
            continue
        if len(cluster.stems & stems) < FACT_SHARED_NUMBER_WORDS:
            continue
        similarity = jaccard_index(cluster.stems, stems)
        if similarity > best or (target is None and similarity == best):
            target, best = cluster, similarity
    return target


def _merge_facts(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedFact]:
    clusters: list[_FactCluster] = []
    position = 0
    for event in events:
        for fact in event.facts:
            words = " ".join(s for s in content_stems(fact.statement) if not s[0].isdigit())
            numbers = _fact_numbers(fact.statement)
            target = None
            best = FACT_SIMILARITY
            for cluster in clusters:
                if cluster.numbers != numbers:
                    continue
                similarity = fuzz.token_sort_ratio(cluster.words, words)
                if similarity >= best:
                    target, best = cluster, similarity
                    if similarity == 100.0:
                        break
            if target is None:
                target = _number_backed_match(clusters, fact.statement, words, event.source_id)
            if target is None:
                target = _FactCluster(fact.statement, words, numbers, position, fact.score)
                clusters.append(target)
            target.citations.append(fact.citation)
            target.score = max(target.score, fact.score)
            position += 1
    built = []
    for cluster in clusters:
        citations = unique_citations(cluster.citations, order)
        built.append((cluster, citations, cited_source_ids(citations, order)))
    built.sort(key=lambda b: (-len(b[2]), -b[0].score, b[0].first))
    return [
        MergedFact(
            id=f"F{index}",
            statement=cluster.statement,
            citations=citations,
            source_ids=source_ids,
            score=cluster.score,
        )
        for index, (cluster, citations, source_ids) in enumerate(built, start=1)
    ]


def _merge_times(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedTime]:
    grouped: dict[str, list[int]] = {}
    mentions = [t for e in events for t in e.when]
    for index, time in enumerate(mentions):
        key = (time.iso or "").strip() or " ".join(content_stems(time.text)) or time.text
        grouped.setdefault(key, []).append(index)
    out = []
    for index, members in enumerate(grouped.values(), start=1):
        first = mentions[members[0]]
        citations = unique_citations((mentions[i].citation for i in members), order)
        out.append(
            MergedTime(
                id=f"T{index}",
                text=first.text,
                iso=first.iso,
                citations=citations,
                source_ids=cited_source_ids(citations, order),
            )
        )
    return out


def _merge_quotes(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedQuote]:
    clusters: list[tuple[str, str, list[Citation]]] = []
    for event in events:
        for quote in event.quotes:
            words = " ".join(content_stems(quote.citation.quote))
            for _, cluster_words, citations in clusters:
                if fuzz.token_sort_ratio(cluster_words, words) >= QUOTE_SIMILARITY:
                    citations.append(quote.citation)
                    break
            else:
                clusters.append((quote.speaker, words, [quote.citation]))
    out = []
    for index, (speaker, _, citations) in enumerate(clusters, start=1):
        unique = unique_citations(citations, order)
        out.append(
            MergedQuote(
                id=f"Q{index}",
                speaker=speaker,
                text=citations[0].quote,
                citations=unique,
                source_ids=cited_source_ids(unique, order),
            )
        )
    return out


# --------------------------------------------------------------------------- entry point


def merge_events(events: Sequence[SourceEvent], sources: Sequence[Source]) -> MergedEvent:
    """Merge per-source events; the order of ``sources`` is the canonical order."""
    order = {source.id: index for index, source in enumerate(sources)}
    ordered = sorted(events, key=lambda e: (order.get(e.source_id, len(order)), e.source_id))
    source_ids = [e.source_id for e in ordered]
    types = Counter(e.event_type for e in ordered)
    event_type = (
        max(types, key=lambda t: (types[t], -[e.event_type for e in ordered].index(t)))
        if types
        else EventType.OTHER
    )
    names = {s.id: SentenceNames(s.text, s.sentences or split_sentences(s.text)) for s in sources}
    figure_items = [
        figure_item(f, e.source_id, names.get(e.source_id)) for e in ordered for f in e.figures
    ]
    figures, conflicts = merge_figures(figure_items, order)
    return MergedEvent(
        source_ids=list(dict.fromkeys(source_ids)),
        headlines=[e.headline for e in ordered],
        event_type=event_type,
        facts=_merge_facts(ordered, order),
        figures=figures,
        conflicts=conflicts,
        actors=merge_actors([a for e in ordered for a in e.actors], order),
        places=merge_places(ordered, order),
        times=_merge_times(ordered, order),
        quotes=_merge_quotes(ordered, order),
        extractors=list(dict.fromkeys(e.extractor for e in ordered)),
        prompt_hashes=list(dict.fromkeys(e.prompt_hash for e in ordered if e.prompt_hash)),
        usage=sum((e.usage for e in ordered), Usage()),
    )
