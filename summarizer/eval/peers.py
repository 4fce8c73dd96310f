"""The extractive summarisers a user would pick instead of ours, run in the same evaluation.

LexRank and TextRank come from the maintained ``sumy`` package (the ``eval`` extra); MMR
is ``text.rank.mmr_select`` over the same centrality scores the built-in extractor uses.
Each peer gets the very sentences the lead baselines use (``baselines.source_sentences``: our own
splitter, so sumy's NLTK punkt data is never needed and every peer sentence cites its
exact span), one paragraph per source, and is cut at the system's own word count for the
cluster: sentences are taken best-rated first by the writer's own length rule
(``text.rank.fits_budget``: while at least half of a sentence fits, a longer one skipped
for a shorter one), then put back in document order. Same length rule, same sentences:
only the choice differs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from summarizer.core.errors import SummarizerError
from summarizer.core.results import SummarySentence
from summarizer.core.source import Source
from summarizer.eval.baselines import source_sentences
from summarizer.text.rank import Candidate, fits_budget, mmr_select, rank

LEXRANK, TEXTRANK, MMR = "lexrank", "textrank", "mmr"
PEERS = (LEXRANK, TEXTRANK, MMR)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


class _Tokenizer:
    """sumy's tokenizer protocol, fed from our splits: words only, no NLTK data needed."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return (paragraph,)

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence))


def _sumy_classes() -> tuple[Any, Any, Any, Any, dict[str, Any], Callable[[str], Any]]:
    """sumy's classes, imported only when a peer runs (it is an optional dependency)."""
    try:
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise SummarizerError(
            "the LexRank/TextRank peers need the eval extra: "
            "pip install -e '.[eval]' in a clone of summarizer"
        ) from error
    return (
        ObjectDocumentModel,
        Paragraph,
        Sentence,
        Stemmer,
        {LEXRANK: LexRankSummarizer, TEXTRANK: TextRankSummarizer},
        get_stop_words,
    )


def _until(words: int) -> Callable[[list[Any]], list[Any]]:
    """sumy's ``sentences_count`` as a callable: best-rated first within ``words`` words."""

    def take(infos: list[Any]) -> list[Any]:
        chosen, total = [], 0
        for info in infos:
            length = len(str(info.sentence).split())
            if fits_budget(total, length, words):
                chosen.append(info)
                total += length
        return chosen

    return take


def sumy_peer(name: str, sources: Sequence[Source], words: int) -> list[SummarySentence]:
    """LexRank or TextRank (``name``) over our sentence splits, cut at ``words`` words."""
    document_cls, paragraph_cls, sentence_cls, stemmer_cls, summarizers, stop_words = (
        _sumy_classes()
    )
    tokenizer = _Tokenizer()
    by_text: dict[str, SummarySentence] = {}
    paragraphs = []
    for source in sources:
        own = source_sentences(source)
        for sentence in own:
            by_text.setdefault(sentence.text, sentence)
        if own:
            paragraphs.append(paragraph_cls([sentence_cls(s.text, tokenizer) for s in own]))
    if not paragraphs or words <= 0:
        return []
    summarizer = summarizers[name](stemmer_cls("english"))
    summarizer.stop_words = stop_words("english")
    picked = summarizer(document_cls(paragraphs), _until(words))
    return [by_text[str(s)] for s in picked if str(s) in by_text]


def mmr_peer(sources: Sequence[Source], words: int) -> list[SummarySentence]:
    """MMR (``text.rank.mmr_select``) over cross-source centrality, cut at ``words`` words."""
    cited: list[SummarySentence] = []
    candidates: list[Candidate] = []
    for index, source in enumerate(sources):
        for position, sentence in enumerate(source_sentences(source)):
            cited.append(sentence)
            candidates.append(Candidate(index, position, sentence.text))
    if not candidates or words <= 0:
        return []
    scores = [r.score for r in rank(candidates)]
    chosen = mmr_select(candidates, scores, max_words=words)
    return [cited[i] for i in sorted(chosen)]


def peer_summary(name: str, sources: Sequence[Source], words: int) -> list[SummarySentence]:
    """The peer ``name`` (one of ``PEERS``) at ``words`` words."""
    if name == MMR:
        return mmr_peer(sources, words)
    return sumy_peer(name, sources, words)
