"""``MergedEvent`` → headline and sentences that cite merged item ids: the LLM writer.

Two writers with one contract (``WrittenSummary``, in ``written.py``) and one definition
of a publishable sentence (``schema.sentence_problems``, which applies the readability
rules of ``text.readability`` too):

* ``write_with_llm``: one model call; the draft's validator re-asks the model with the
  reasons (unknown id, no id, unbacked number, conflict written as settled). If the last
  attempt is still invalid, the offending sentences are dropped with a warning; when none
  survive, ``LLMError`` is raised so the pipeline can fall back to the extractive writer.
* ``write_extractive`` (``extractive.py``): no model; MMR over the merged facts within a
  word budget, readable by construction. It is re-exported here with the headline
  helpers so callers keep one import for "the writers".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer.core.errors import LLMError
from summarizer.core.results import MergedEvent, MergedFigure
from summarizer.llm.prompts import load_prompt
from summarizer.write.extractive import write_extractive
from summarizer.write.headline import extractive_headline, headline_form
from summarizer.write.schema import MAX_SENTENCES, SummaryDraft, draft_problems, validation_context
from summarizer.write.written import WrittenSentence, WrittenSummary

__all__ = [
    "WrittenSentence",
    "WrittenSummary",
    "headline_form",
    "render_items",
    "write_extractive",
    "write_with_llm",
]

if TYPE_CHECKING:
    from summarizer.llm.client import LLM

#: Items listed in the writer prompt, at most; the merger's order puts the best first.
MAX_PROMPT_FACTS = 60
#: Evidence shown to the model is cut to this many characters (the full span is still cited).
MAX_EVIDENCE_CHARS = 300


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
        headline = extractive_headline(merged, [s.text for s in kept])
        warnings.append("writer: headline replaced because it failed validation")
    return WrittenSummary(
        headline=headline,
        sentences=kept,
        writer="llm",
        prompt_hash=prompt.hash,
        usage=response.usage,
        warnings=warnings,
    )
