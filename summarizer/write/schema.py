"""The writer's LLM-facing models, and the checks that make a draft publishable.

Lean on purpose (the schema is sent with the writer call): a headline and sentences, each
listing the ids of the merged items it relies on. Everything else (spans, statuses) is
resolved later from the ids, so the model never copies a span and cannot invent one.

The checks live here as plain functions (``sentence_problems``, ``draft_problems``) and
are wired into ``SummaryDraft`` as a validator that reads ``info.context["merged"]``:
instructor then re-asks the model with the messages below, which is why each one says what
to do, not only what is wrong. The extractive writer runs the same functions on its own
sentences, so both writers obey one definition of "backed". The readability rules of
``text.readability`` are checked here too: the headline must read as one (a clause of at
least four words, no caption, not ending mid-clause), no sentence may be page furniture or
repeat an earlier one, and a sentence opening with a pronoun or connective must follow the
sentence it continues (one citing the same item or the adjacent span of a source). Without
a context (plain parsing, a saved draft) the validator does nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from summarizer.core.results import MergedEvent
from summarizer.core.schema import Lean
from summarizer.text.numbers import NumberMention, contains_number, find_numbers
from summarizer.text.readability import (
    Span,
    content_words,
    continues,
    dangling_opener,
    furniture,
    headline_problems,
    near_duplicate,
)

MIN_SENTENCES = 4
MAX_SENTENCES = 10


class DraftSentence(Lean):
    text: str = Field(description="one sentence of the summary")
    fact_ids: list[str] = Field(description="ids of the items this sentence states, e.g. F1")

    @field_validator("fact_ids")
    @classmethod
    def _strip_ids(cls, ids: list[str]) -> list[str]:
        """Models write ' f3' or repeat an id; neither is worth a re-ask."""
        return list(dict.fromkeys(i.strip().upper() for i in ids if i.strip()))


class SummaryDraft(Lean):
    headline: str = Field(description="one line, no citation ids")
    sentences: list[DraftSentence]

    @model_validator(mode="after")
    def _check_against_merged(self, info: ValidationInfo) -> SummaryDraft:
        context = info.context
        if not isinstance(context, Mapping) or not isinstance(context.get("merged"), MergedEvent):
            return self
        problems = draft_problems(
            self,
            context["merged"],
            min_sentences=int(context.get("min_sentences", MIN_SENTENCES)),
            max_sentences=int(context.get("max_sentences", MAX_SENTENCES)),
        )
        if problems:
            lines = [text for sentence_problems in problems.values() for text in sentence_problems]
            raise ValueError("Fix these problems and answer again:\n- " + "\n- ".join(lines))
        return self


def _mentions(text: str) -> list[NumberMention]:
    return find_numbers(text)


def _value_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _stated(value: float, mentions: Sequence[NumberMention]) -> bool:
    return any(math.isclose(m.value, value, rel_tol=1e-9, abs_tol=1e-9) for m in mentions)


def sentence_problems(text: str, ids: Sequence[str], merged: MergedEvent, label: str) -> list[str]:
    """Why one sentence cannot be published as it is; empty when it can."""
    if not text.strip():
        return [f"{label} is empty; write the sentence or leave it out."]
    if not ids:
        return [
            f"{label} cites no id; list the ids of the items it states (every sentence "
            "must cite at least one)."
        ]
    known = set(merged.ids())
    unknown = [i for i in ids if i not in known]
    if unknown:
        return [
            f"{label} cites unknown id(s) {', '.join(unknown)}; use only ids from the list "
            "of items."
        ]
    problems = []
    if furniture(text):
        problems.append(
            f"{label} is page furniture (a caption, byline, dateline or site notice), not "
            "news; leave it out."
        )
    quotes = [c.quote for i in ids for c in merged.citations_for(i) or []]
    mentions = _mentions(text)
    for mention in mentions:
        if not any(contains_number(mention.value, quote) for quote in quotes):
            problems.append(
                f"{label} writes the number {mention.text!r}, which is in none of the cited "
                f"items ({', '.join(ids)}); cite the item whose evidence gives it, or drop it."
            )
    for conflict in merged.conflicts:
        sides = conflict.figure_ids
        cites_conflict = conflict.id in ids or any(side in ids for side in sides)
        if not cites_conflict:
            continue
        figures = [f for f in (merged.figure(side) for side in sides) if f is not None]
        stated = [f for f in figures if _stated(f.value, mentions)]
        all_cited = conflict.id in ids or all(side in ids for side in sides)
        if stated and (len(stated) < len(figures) or not all_cited):
            versions = "; ".join(
                f"{f.id}: {_value_text(f.value)} ({', '.join(f.source_ids)})" for f in figures
            )
            problems.append(
                f"{label} states {conflict.what!r} as settled, but the sources disagree "
                f"({versions}); cite {conflict.id} and give every value with its source."
            )
    return problems


def draft_problems(
    draft: SummaryDraft,
    merged: MergedEvent,
    *,
    min_sentences: int = MIN_SENTENCES,
    max_sentences: int = MAX_SENTENCES,
) -> dict[int, list[str]]:
    """Problems by sentence index (``-1`` for the draft as a whole)."""
    problems: dict[int, list[str]] = {}
    overall = []
    count = len(draft.sentences)
    if not min_sentences <= count <= max_sentences:
        overall.append(
            f"the summary has {count} sentences; write between {min_sentences} and {max_sentences}."
        )
    if not draft.headline.strip():
        overall.append("the headline is empty; write one line.")
    all_quotes = [c.quote for i in merged.ids() for c in merged.citations_for(i) or []]
    for mention in _mentions(draft.headline):
        if not any(contains_number(mention.value, quote) for quote in all_quotes):
            overall.append(
                f"the headline writes the number {mention.text!r}, which no item's evidence "
                "gives; remove it."
            )
    if draft.headline.strip():
        overall.extend(headline_problems(draft.headline))
    if overall:
        problems[-1] = overall
    for index, sentence in enumerate(draft.sentences):
        label = f"sentence {index + 1}"
        found = sentence_problems(sentence.text, sentence.fact_ids, merged, label)
        found.extend(_readability_problems(draft, index, merged, label))
        if found:
            problems[index] = found
    return problems


def _spans(ids: Sequence[str], merged: MergedEvent) -> list[Span]:
    return [Span(c.source_id, c.start, c.end) for i in ids for c in merged.citations_for(i) or []]


def _readability_problems(
    draft: SummaryDraft, index: int, merged: MergedEvent, label: str
) -> list[str]:
    """Repeats of an earlier sentence and openers that lean on a sentence not before them."""
    sentence = draft.sentences[index]
    problems = []
    words = content_words(sentence.text)
    for earlier, other in enumerate(draft.sentences[:index]):
        if near_duplicate(words, content_words(other.text)):
            problems.append(
                f"{label} repeats sentence {earlier + 1} (half or more of its words); state "
                "each fact once."
            )
            break
    if dangling_opener(sentence.text):
        previous = draft.sentences[index - 1] if index else None
        follows = previous is not None and (
            bool(set(previous.fact_ids) & set(sentence.fact_ids))
            or continues(_spans(previous.fact_ids, merged), _spans(sentence.fact_ids, merged))
        )
        if not follows:
            problems.append(
                f"{label} opens with a pronoun or connective (or a bare 'he said') that "
                "points at something the sentence before it does not say; name who or what."
            )
    return problems


def distinct_items(merged: MergedEvent) -> int:
    """How many sentences the items can give without one repeating another.

    Facts and figures whose sentences are near-duplicates (the readability rule the draft
    is checked by) count once, conflicts each once. The writer's sentence floor follows
    this count: when five sources state one fact five ways, a floor of five sentences
    could only be met by repeats, which the same validator refuses, so every such call
    would burn its re-asks and still fail.
    """
    kept: list[frozenset[str]] = []
    texts = [fact.statement for fact in merged.facts]
    texts += [f.reports[0].citation.quote for f in merged.figures if f.reports]
    for text in texts:
        words = content_words(text)
        if words and not any(near_duplicate(words, seen) for seen in kept):
            kept.append(words)
    return len(kept) + len(merged.conflicts)


def validation_context(
    merged: MergedEvent, *, max_sentences: int = MAX_SENTENCES
) -> dict[str, Any]:
    """The ``context=`` the writer call needs; the sentence floor follows what exists."""
    available = distinct_items(merged)
    return {
        "merged": merged,
        "min_sentences": max(1, min(MIN_SENTENCES, available, max_sentences)),
        "max_sentences": max_sentences,
    }
