"""``MergedEvent`` → headline and sentences that cite merged item ids.

Two writers with one contract (``WrittenSummary``) and one definition of a publishable
sentence (``summary_schema.sentence_problems``):

* ``write_with_llm``: one model call; the draft's validator re-asks the model with the
  reasons (unknown id, no id, unbacked number, conflict written as settled). If the last
  attempt is still invalid, the offending sentences are dropped with a warning; when none
  survive, ``LLMError`` is raised so the pipeline can fall back to the extractive writer.
* ``write_extractive``: no model. Sentences are the merged facts' own statements, in the
  merger's priority order (facts reported by more sources first, then by extractor score).
  Conflicts are written as disagreements that give each side's value, but never lead: a
  reader must first learn what happened, and a figure conflict is one detail of it. They
  come after the first ``LEAD_FACTS`` facts, at most ``MAX_CONFLICT_SENTENCES`` of them,
  strongest first (``merge_figures.conflict_strength``); the others stay in the result's
  conflicts section, where nothing is hidden. A statement
  whose numbers are not in its cited span is replaced by the span itself, so every number
  written comes from a cited span. With ``max_words`` (the evaluation path) the chosen
  statements are put back in reading order: source by source, in text order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from summarizer.core.errors import LLMError
from summarizer.core.results import MergedEvent, MergedFigure
from summarizer.core.types import Usage
from summarizer.llm.prompts import load_prompt
from summarizer.merge.figures import conflict_strength
from summarizer.text.words import content_stems
from summarizer.write.schema import (
    MAX_SENTENCES,
    SummaryDraft,
    draft_problems,
    sentence_problems,
    validation_context,
)

if TYPE_CHECKING:
    from summarizer.llm.client import LLM

#: Items listed in the writer prompt, at most; the merger's order puts the best first.
MAX_PROMPT_FACTS = 60
#: Evidence shown to the model is cut to this many characters (the full span is still cited).
MAX_EVIDENCE_CHARS = 300
#: A candidate sentence whose stems overlap a chosen one's this much (Jaccard) is a repeat.
REPEAT_JACCARD = 0.8
#: Fact sentences the extractive writer puts before any conflict sentence.
LEAD_FACTS = 3
#: Conflict sentences in an extractive summary, at most; the rest stay in ``conflicts``.
MAX_CONFLICT_SENTENCES = 2


class WrittenSentence(BaseModel):
    text: str
    fact_ids: list[str]


class WrittenSummary(BaseModel):
    """A writer's output before ids are resolved to citations (see ``cite.py``)."""

    headline: str
    sentences: list[WrittenSentence]
    writer: Literal["llm", "extractive"]
    prompt_hash: str | None = None
    usage: Usage = Usage()
    warnings: list[str] = []


# --------------------------------------------------------------------------- LLM writer


def _value_text(figure: MergedFigure) -> str:
    value = figure.value
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return f"about {text}" if figure.approximate else text


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= MAX_EVIDENCE_CHARS:
        return flat
    return flat[: MAX_EVIDENCE_CHARS - 1].rstrip() + "…"


def _sources(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def render_items(merged: MergedEvent) -> str:
    """The writer's view of the merged event: one item per line, id first."""
    lines: list[str] = []
    for fact in merged.facts[:MAX_PROMPT_FACTS]:
        lines.append(f"{fact.id} [{_sources(fact.source_ids)}] {fact.statement}")
        evidence = fact.citations[0].quote
        if " ".join(evidence.split()) != " ".join(fact.statement.split()):
            lines.append(f'    evidence: "{_clip(evidence)}"')
    for figure in merged.figures:
        if figure.status == "conflict":
            continue
        unit = f" {figure.unit}" if figure.unit else ""
        if figure.wording_differs:
            # Same value, different claims: show each source's words so the writer keeps
            # them apart ("123 rescued" vs "123 identified") instead of blending them.
            lines.append(
                f"{figure.id} {figure.status.value}, WORDING DIFFERS "
                f"[{_sources(figure.source_ids)}]: {_value_text(figure)}{unit}"
            )
            for report in figure.reports:
                lines.append(
                    f'    [{report.source_id}] {report.what}: "{_clip(report.citation.quote)}"'
                )
            continue
        wordings = "; ".join(dict.fromkeys(r.what for r in figure.reports))
        lines.append(
            f"{figure.id} {figure.status.value} [{_sources(figure.source_ids)}] "
            f"{wordings}: {_value_text(figure)}{unit}"
        )
        lines.append(f'    evidence: "{_clip(figure.reports[0].citation.quote)}"')
    for conflict in merged.conflicts:
        lines.append(f"{conflict.id} CONFLICT on {conflict.what}:")
        for side_id in conflict.figure_ids:
            side = merged.figure(side_id)
            if side is None:
                continue
            lines.append(
                f"    {side.id} = {_value_text(side)} [{_sources(side.source_ids)}] "
                f'evidence: "{_clip(side.reports[0].citation.quote)}"'
            )
    for actor in merged.actors:
        aliases = f"; also: {', '.join(actor.aliases)}" if actor.aliases else ""
        roles = "; ".join(actor.roles)
        lines.append(
            f"{actor.id} [{_sources(actor.source_ids)}] {actor.name} "
            f"({actor.kind.value}{aliases}): {roles}"
        )
    for place in merged.places:
        lines.append(f"{place.id} [{_sources(place.source_ids)}] {place.name}")
    for time in merged.times:
        iso = f" ({time.iso})" if time.iso else ""
        lines.append(f"{time.id} [{_sources(time.source_ids)}] {time.text}{iso}")
    for quote in merged.quotes:
        lines.append(
            f'{quote.id} [{_sources(quote.source_ids)}] {quote.speaker}: "{_clip(quote.text)}"'
        )
    return "\n".join(lines)


async def write_with_llm(
    merged: MergedEvent, llm: LLM, *, max_sentences: int | None = MAX_SENTENCES
) -> WrittenSummary:
    """One writer call, re-asked by the draft validators; ``LLMError`` if nothing usable."""
    limit = max_sentences or MAX_SENTENCES
    prompt = load_prompt("write")
    context = validation_context(merged, max_sentences=limit)
    response = await llm.create(
        SummaryDraft,
        prompt=prompt,
        variables={
            "items": render_items(merged),
            "min_sentences": str(context["min_sentences"]),
            "max_sentences": str(limit),
        },
        validation_context=context,
        priority=llm.SECOND_ROUND,
    )
    draft = response.value
    if not isinstance(draft, SummaryDraft):
        raise LLMError("the writer returned no summary")
    warnings: list[str] = []
    problems = draft_problems(
        draft,
        merged,
        min_sentences=context["min_sentences"],
        max_sentences=limit,
    )
    kept = [
        WrittenSentence(text=s.text.strip(), fact_ids=s.fact_ids)
        for index, s in enumerate(draft.sentences)
        if index not in problems
    ][:limit]
    if not kept:
        reasons = "; ".join(p for found in problems.values() for p in found)
        raise LLMError(f"the writer's summary failed validation: {reasons}")
    dropped = len(draft.sentences) - len(kept)
    if dropped:
        warnings.append(
            f"writer: {dropped} sentence(s) dropped because they failed validation after "
            "the last attempt"
        )
    headline = draft.headline.strip()
    if any("headline" in p for p in problems.get(-1, [])):
        headline = _extractive_headline(merged)
        warnings.append("writer: headline replaced because it failed validation")
    return WrittenSummary(
        headline=headline,
        sentences=kept,
        writer="llm",
        prompt_hash=prompt.hash,
        usage=response.usage,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- extractive


#: A headline longer than this is a lead sentence standing in for a missing title.
HEADLINE_MAX_WORDS = 20
_CLAUSE_END = re.compile(r"(?:,|;|:| --| —| –)\s")


def headline_form(sentence: str) -> str:
    """A lead sentence cut to its first clause, so it reads as a headline, not a paragraph.

    Only sentences over ``HEADLINE_MAX_WORDS`` words are cut, at the first clause break
    after eight words and within the limit; the words kept are the source's own.
    """
    text = " ".join(sentence.split())
    if len(text.split()) <= HEADLINE_MAX_WORDS:
        return text
    for match in _CLAUSE_END.finditer(text):
        words = len(text[: match.start()].split())
        if 8 <= words <= HEADLINE_MAX_WORDS:
            return text[: match.start()].rstrip(" ,;:-—–")
    return text


def _extractive_headline(merged: MergedEvent) -> str:
    """The first source headline whose numbers are backed, else the top fact."""
    for headline in merged.headlines:
        candidate = headline_form(headline)
        if not candidate:
            continue
        check = SummaryDraft(headline=candidate, sentences=[])
        found = draft_problems(check, merged, min_sentences=0)
        if not any("headline" in p for p in found.get(-1, [])):
            return candidate
    if merged.facts:
        return " ".join(merged.facts[0].statement.split())
    return "Summary"


def _conflict_sentence(merged: MergedEvent, conflict_id: str) -> WrittenSentence | None:
    conflict = next(c for c in merged.conflicts if c.id == conflict_id)
    sides = [f for f in (merged.figure(i) for i in conflict.figure_ids) if f is not None]
    unit = f" {sides[0].unit}" if sides and sides[0].unit else ""
    # Sources are not named in the text: ids like "source-1" would read as numbers to the
    # number check; each side's citations say which source gives which value.
    phrases = {
        (True, False): "one source gives",
        (True, True): "some sources give",
        (False, False): "another gives",
        (False, True): "others give",
    }
    claims = ", ".join(
        f"{phrases[index == 0, len(side.source_ids) > 1]} {_value_text(side)}{unit}"
        for index, side in enumerate(sides)
    )
    text = f"Sources disagree on {conflict.what.strip().rstrip('.')}: {claims}."
    if sentence_problems(text, [conflict.id], merged, "sentence"):
        quoted = "; another: ".join(
            f"“{' '.join(side.reports[0].citation.quote.split())}”" for side in sides
        )
        text = f"Sources disagree: one says {quoted}."
        if sentence_problems(text, [conflict.id], merged, "sentence"):
            return None
    return WrittenSentence(text=text, fact_ids=[conflict.id])


def _fact_sentence(merged: MergedEvent, index: int) -> WrittenSentence | None:
    fact = merged.facts[index]
    for text in (fact.statement, fact.citations[0].quote):
        flat = " ".join(text.split())
        if flat and not sentence_problems(flat, [fact.id], merged, "sentence"):
            return WrittenSentence(text=flat, fact_ids=[fact.id])
    return None


def _figure_sentences(merged: MergedEvent) -> list[WrittenSentence]:
    """Last resort when no fact was extracted: the figures' own evidence, verbatim."""
    out = []
    for figure in merged.figures:
        if figure.status == "conflict":
            continue
        text = " ".join(figure.reports[0].citation.quote.split())
        if text and not sentence_problems(text, [figure.id], merged, "sentence"):
            out.append(WrittenSentence(text=text, fact_ids=[figure.id]))
    return out


def _reading_position(merged: MergedEvent, sentence: WrittenSentence) -> tuple[int, int, int]:
    """Where a sentence's first cited span sits: source order, then offset; conflicts last."""
    item_id = sentence.fact_ids[0]
    citations = merged.citations_for(item_id) or []
    if item_id.startswith("C") or not citations:
        return (len(merged.source_ids) + 1, 0, 0)
    first = citations[0]
    order = merged.source_ids.index(first.source_id) if first.source_id in merged.source_ids else 0
    return (0, order, first.start)


def _ranked_conflicts(merged: MergedEvent) -> list[str]:
    """Conflict ids, strongest first (``conflict_strength``); ties keep the merger's order."""
    keyed = []
    for index, conflict in enumerate(merged.conflicts):
        sides = [f for f in (merged.figure(i) for i in conflict.figure_ids) if f is not None]
        keyed.append((conflict_strength(sides), -index, conflict.id))
    return [conflict_id for _, _, conflict_id in sorted(keyed, reverse=True)]


class _Selection:
    """Sentences chosen so far under the limits, with repeats skipped."""

    def __init__(self, max_sentences: int | None, max_words: int | None) -> None:
        self.max_sentences = max_sentences
        self.max_words = max_words
        self.chosen: list[WrittenSentence] = []
        self._stems: list[frozenset[str]] = []
        self._words = 0

    def full(self) -> bool:
        return (self.max_sentences is not None and len(self.chosen) >= self.max_sentences) or (
            self.max_words is not None and self._words >= self.max_words
        )

    def offer(self, sentence: WrittenSentence) -> bool:
        """Keep ``sentence`` if it fits and repeats nothing chosen; the first always fits."""
        if self.full():
            return False
        length = len(sentence.text.split())
        if self.chosen and self.max_words is not None and self._words + length > self.max_words:
            return False
        stems = frozenset(content_stems(sentence.text))
        if any(_repeat(stems, other) for other in self._stems):
            return False
        self.chosen.append(sentence)
        self._stems.append(stems)
        self._words += length
        return True


def write_extractive(
    merged: MergedEvent,
    *,
    max_sentences: int | None = None,
    max_words: int | None = None,
) -> WrittenSummary:
    """Sentences from merged facts, no model: multi-source first, conflicts as disagreements.

    Order: facts reported by several sources, then single-source facts by score; after the
    first ``LEAD_FACTS`` facts (or all of them, when there are fewer), up to
    ``MAX_CONFLICT_SENTENCES`` conflicts, strongest first. Both limits apply when both are
    given; with neither, ``MAX_SENTENCES``. The first candidate is always kept, even over
    ``max_words``, so a summary is never empty while there is something to say.
    """
    if max_sentences is None and max_words is None:
        max_sentences = MAX_SENTENCES
    multi = [i for i, f in enumerate(merged.facts) if len(f.source_ids) > 1]
    single = [i for i, f in enumerate(merged.facts) if len(f.source_ids) <= 1]
    facts = [s for s in (_fact_sentence(merged, i) for i in multi + single) if s is not None]
    conflicts = [
        s
        for s in (_conflict_sentence(merged, c) for c in _ranked_conflicts(merged))
        if s is not None
    ]
    if not facts and not conflicts:
        facts = _figure_sentences(merged)

    selection = _Selection(max_sentences, max_words)
    remaining = iter(facts)
    lead = 0
    for sentence in remaining:
        if lead >= LEAD_FACTS or selection.full():
            remaining = iter([sentence, *remaining])
            break
        lead += selection.offer(sentence)
    stated = 0
    for sentence in conflicts:
        if stated >= MAX_CONFLICT_SENTENCES:
            break
        stated += selection.offer(sentence)
    for sentence in remaining:
        selection.offer(sentence)
    chosen = selection.chosen
    if max_words is not None:
        chosen.sort(key=lambda s: _reading_position(merged, s))
    warnings = [] if chosen else ["extractive writer: the sources gave nothing to summarise"]
    return WrittenSummary(
        headline=_extractive_headline(merged),
        sentences=chosen,
        writer="extractive",
        warnings=warnings,
    )


def _repeat(a: frozenset[str], b: frozenset[str]) -> bool:
    union = a | b
    return bool(union) and len(a & b) / len(union) >= REPEAT_JACCARD
