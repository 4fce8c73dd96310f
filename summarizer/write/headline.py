"""The extractive headline: the first candidate line that reads as a headline and is backed.

Candidates are the extractors' headlines first, then the summary's lead sentences in the
writer's priority order, then the facts, each cut to its first clause
(``headline_form``) and stripped of a dateline. A candidate is taken only when
``text.readability.headline_problems`` finds nothing (a clause of at least four words,
not a caption, not a bare subordinate clause, not ending mid-clause) and every number it
writes is in some item's evidence, the check the LLM writer's headline passes too. Only
when no candidate passes does the first non-empty one stand, so a summary always has a
headline.

An extractor's headline is a candidate only when it is the articles' own words, i.e. it lies
inside some item's cited evidence (``_grounded``). A source's ``title`` is metadata (a page's
``<title>``, whatever a caller passed): it is shown as that source's title in the reports,
never promoted to the summary's headline, where one publisher's title (or a file label)
would stand for a summary of several.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from summarizer.core.results import MergedEvent
from summarizer.text.readability import headline_problems, strip_dateline
from summarizer.write.schema import SummaryDraft, draft_problems

#: A headline longer than this is a lead sentence standing in for a missing title.
HEADLINE_MAX_WORDS = 20
#: A clause cut shorter than this reads as a fragment; the cut moves to a later break.
HEADLINE_MIN_CUT_WORDS = 8
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
        if HEADLINE_MIN_CUT_WORDS <= words <= HEADLINE_MAX_WORDS:
            return text[: match.start()].rstrip(" ,;:-—–")
    return text


def _numbers_backed(candidate: str, merged: MergedEvent) -> bool:
    check = SummaryDraft(headline=candidate, sentences=[])
    found = draft_problems(check, merged, min_sentences=0)
    return not any("headline" in p for p in found.get(-1, []))


def _tidy(line: str) -> str:
    text = headline_form(strip_dateline(" ".join(line.split())))
    # A sentence's full stop is not part of a headline; "?" and "!" are.
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def _grounded(headlines: Iterable[str], merged: MergedEvent) -> list[str]:
    """The headlines that are inside some item's evidence (not a title, not a gloss)."""
    quotes = [" ".join(c.quote.split()) for item in merged.facts for c in item.citations]
    quotes += [" ".join(r.citation.quote.split()) for f in merged.figures for r in f.reports]
    found = []
    for headline in headlines:
        flat = " ".join(headline.split())
        if flat and any(flat in quote for quote in quotes):
            found.append(headline)
    return found


def extractive_headline(merged: MergedEvent, lead_sentences: Iterable[str] = ()) -> str:
    """The first readable, backed candidate: grounded extractor headlines, then
    ``lead_sentences``, then the facts."""
    fallback = ""
    headlines = _grounded(merged.headlines, merged)
    for line in [*headlines, *lead_sentences, *(f.statement for f in merged.facts)]:
        candidate = _tidy(line)
        if not candidate:
            continue
        fallback = fallback or candidate
        if not headline_problems(candidate) and _numbers_backed(candidate, merged):
            return candidate
    return fallback or "Summary"
