"""Sentence centrality across a cluster, for the built-in extractor's key facts.

A sentence matters when other sources say the same thing: its TF-IDF vector is compared
with the centroid of every *other* source, so one outlet repeating itself (or holding the
article twice) cannot vote for its own sentences. News puts its main point first, so a
gentle position prior is added; it breaks ties between equally central sentences and
keeps single-source clusters usable. Pure Python plus numpy: no model, no download.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")

#: Function words carry no topic; a short list is enough for centrality.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own said same says she should so
    some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves told according mr mrs ms
    one two new also may year years like get got make made us
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

#: Weight of the position prior against centrality (both roughly in [0, 1]).
POSITION_WEIGHT = 0.5
#: Sentences at this index (0-based) get half the prior of the first one.
POSITION_HALF_LIFE = 4.0


def stem(word: str) -> str:
    """Fold the commonest English inflections so 'arrested'/'arrests' share a dimension."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_tokens(text: str) -> list[str]:
    """Lower-cased, stemmed, stopword-free tokens: the vocabulary of centrality and MMR."""
    out = []
    for match in _WORD.finditer(text):
        word = match.group().lower().strip("'’-")
        if word and word not in STOPWORDS:
            out.append(stem(word))
    return out


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence offered for ranking: which source, its order there, and its text."""

    source_index: int
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class Ranked:
    candidate: Candidate
    score: float
    centrality: float


def _tfidf(docs: Sequence[list[str]]) -> npt.NDArray[np.float64]:
    """Row-normalised TF-IDF (sublinear tf) over the cluster's own sentences."""
    vocab: dict[str, int] = {}
    for toks in docs:
        for tok in toks:
            vocab.setdefault(tok, len(vocab))
    matrix = np.zeros((len(docs), max(len(vocab), 1)), dtype=np.float64)
    for row, toks in enumerate(docs):
        for tok, count in Counter(toks).items():
            matrix[row, vocab[tok]] = 1.0 + math.log(count)
    df = (matrix > 0).sum(axis=0)
    idf = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: npt.NDArray[np.float64] = matrix / norms
    return normalised


def _unit(vector: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def rank(candidates: Sequence[Candidate]) -> list[Ranked]:
    """Score every candidate; the result is in input order (sort it yourself).

    Centrality is the cosine between a sentence and the centroid of the other sources'
    sentences; with one source, the centroid of the rest of that source stands in.
    """
    if not candidates:
        return []
    vectors = _tfidf([content_tokens(c.text) for c in candidates])
    source_ids = np.array([c.source_index for c in candidates])
    sources = sorted(set(source_ids.tolist()))
    per_source = {s: vectors[source_ids == s].sum(axis=0) for s in sources}
    total = vectors.sum(axis=0)
    ranked: list[Ranked] = []
    for row, cand in enumerate(candidates):
        if len(sources) > 1:
            centroid = _unit(total - per_source[cand.source_index])
        else:
            centroid = _unit(total - vectors[row])
        centrality = float(vectors[row] @ centroid)
        prior = 1.0 / (1.0 + cand.position / POSITION_HALF_LIFE)
        ranked.append(Ranked(cand, centrality + POSITION_WEIGHT * prior, centrality))
    return ranked


def redundant_rows(candidates: Sequence[Candidate], threshold: float = 0.7) -> set[int]:
    """Indices of sentences that repeat a better-placed sentence of the *same* source.

    Cross-source repeats are kept on purpose: the merger needs them to see agreement.
    Within one source they are noise (a page holding the article twice, a standfirst
    repeated in the body), so the later copy goes.
    """
    vectors = _tfidf([content_tokens(c.text) for c in candidates])
    dropped: set[int] = set()
    kept_by_source: dict[int, list[int]] = {}
    for row, cand in enumerate(candidates):
        kept = kept_by_source.setdefault(cand.source_index, [])
        if any(float(vectors[row] @ vectors[k]) >= threshold for k in kept):
            dropped.add(row)
        else:
            kept.append(row)
    return dropped


def fits_budget(total: int, length: int, budget: int) -> bool:
    """The one length rule of every word-budgeted summary here, the writer's and the peers'.

    A sentence of ``length`` words may join ``total`` words already chosen while the budget
    is not reached and at least half of it fits, so a summary ends within half a sentence
    of ``budget`` on either side; the first sentence is always allowed (never empty).
    Comparing systems at "the same length" means nothing unless all of them stop by it.
    """
    return total == 0 or (total < budget and total + length / 2 <= budget)


def mmr_select(
    candidates: Sequence[Candidate],
    scores: Sequence[float],
    *,
    max_words: int,
    diversity: float = 0.5,
) -> list[int]:
    """Greedy maximal-marginal-relevance pick of candidate indices within a word budget.

    Used by evaluation before the merger and writer exist, and by anyone wanting a quick
    extract; the returned order is selection order (most relevant first). A sentence that
    does not fit (``fits_budget``) is skipped, and a shorter one may still fill the rest.
    """
    vectors = _tfidf([content_tokens(c.text) for c in candidates])
    lengths = [len(c.text.split()) for c in candidates]
    chosen: list[int] = []
    words = 0
    remaining = set(range(len(candidates)))
    top = max(scores, default=1.0) or 1.0
    while True:
        best, best_value = -1, -math.inf
        for row in remaining:
            if not fits_budget(words, lengths[row], max_words):
                continue
            overlap = max((float(vectors[row] @ vectors[k]) for k in chosen), default=0.0)
            value = (1 - diversity) * scores[row] / top - diversity * overlap
            if value > best_value:
                best, best_value = row, value
        if best < 0:
            return chosen
        remaining.discard(best)
        chosen.append(best)
        words += lengths[best]
