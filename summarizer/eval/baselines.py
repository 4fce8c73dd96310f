"""Lead baselines for evaluation, cited like system sentences so every metric applies.

``source_sentences`` (a source split by our own splitter, each sentence citing its span) is also
what the peers of ``peers.py`` choose from.

Lead-3 follows the Multi-News paper: the first three sentences of each source,
concatenated in source order. ROUGE rewards length and Lead-3's length is whatever three
sentences per source happen to be, so the honest bar for an extractive system is the
length-matched lead: leading sentences taken from the sources in turn (first sentence of
each source, then the second of each, ...) within the system summary's word count, by the
writer's own length rule (``text.rank.fits_budget``).
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.core.results import SummarySentence
from summarizer.core.source import Source
from summarizer.core.types import Citation
from summarizer.text.clean import split_sentences
from summarizer.text.rank import fits_budget


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
    """Leading sentences from the sources in turn within ``words`` words.

    Sentences are kept whole (never cut): one is taken while at least half of it fits
    (``fits_budget``), so the lead ends within half a sentence of ``words`` exactly as the
    extractive writer's summary does; a longer one is skipped for a later, shorter one.
    """
    per_source = [source_sentences(source) for source in sources]
    chosen: list[SummarySentence] = []
    total = 0
    for depth in range(max((len(s) for s in per_source), default=0)):
        for sentences in per_source:
            if depth < len(sentences):
                length = len(sentences[depth].text.split())
                if fits_budget(total, length, words):
                    chosen.append(sentences[depth])
                    total += length
    return chosen
