"""Lead baselines for evaluation, cited like system sentences so every metric applies.

``source_sentences`` (a source split by our own splitter, each sentence citing its span) is also
what the peers of ``peers.py`` choose from.

Lead-3 follows the Multi-News paper: the first three sentences of each source,
concatenated in source order. ROUGE rewards length and Lead-3's length is whatever three
sentences per source happen to be, so the honest bar for an extractive system is the
length-matched lead: leading sentences taken from the sources in turn (first sentence of
each source, then the second of each, ...) until the system summary's word count is
reached.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.core.results import SummarySentence
from summarizer.core.source import Source
from summarizer.core.types import Citation
from summarizer.text.clean import split_sentences


def source_sentences(source: Source) -> list[SummarySentence]:
    out = []
    for start, end in source.sentences or split_sentences(source.text):
        quote = source.text[start:end]
        stripped = quote.strip()
        if not stripped:
            continue
        start += len(quote) - len(quote.lstrip())
        end = start + len(stripped)
        citation = Citation(source_id=source.id, start=start, end=end, quote=stripped)
        out.append(SummarySentence(text=stripped, fact_ids=[], citations=[citation]))
    return out


def word_count(sentences: Sequence[SummarySentence]) -> int:
    """Whitespace words, the unit of every length figure in the evaluation report."""
    return sum(len(s.text.split()) for s in sentences)


def lead_n(sources: Sequence[Source], n: int = 3) -> list[SummarySentence]:
    """The first ``n`` sentences of each source, concatenated (Lead-3 with ``n=3``)."""
    return [s for source in sources for s in source_sentences(source)[:n]]


def length_matched_lead(sources: Sequence[Source], words: int) -> list[SummarySentence]:
    """Leading sentences from the sources in turn until ``words`` words are reached.

    The last sentence is kept whole (never cut), so the result may overshoot slightly,
    exactly as an extractive summary ending on a whole sentence does.
    """
    per_source = [source_sentences(source) for source in sources]
    chosen: list[SummarySentence] = []
    total, depth = 0, 0
    while total < words and any(depth < len(s) for s in per_source):
        for sentences in per_source:
            if depth < len(sentences) and total < words:
                chosen.append(sentences[depth])
                total += len(sentences[depth].text.split())
        depth += 1
    return chosen
