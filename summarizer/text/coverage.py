"""How much of what the sources agree on a summary still lacks: the word-coverage target.

A multi-source digest says what the sources say, in roughly the proportions they say it,
so the cluster's own word distribution is a fair stand-in for the digest nobody has
written yet. ``expected_digest`` turns the candidate sentences into that stand-in: each
source's word frequencies (every word, function words too: a digest is made of them as
much as of names), weighted towards the top of the article because news says the main
point first, normalised per source so a long article does not outvote three short ones,
averaged over the sources, and scaled to a word count. ``coverage_gain`` is what one more
sentence adds to a summary against that target: a word counts only while the summary
has fewer of it than the target expects (clipped, the way a reference is matched), so a
sentence that repeats what is already said gains nothing however central it is.

This is the centroid/SumBasic family of multi-document summarisation, written as a
coverage objective so that a greedy writer can weigh it per word of budget spent. Pure
functions over strings: no model, no download.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from summarizer.text.rank import stem

_WORD = re.compile(r"[a-z][a-z'’-]*|\d+(?:[.,]\d+)*")
#: Sentences at this index (0-based, in text order) count half as much as a source's first.
#: Gentler than the ranking prior (``rank.POSITION_HALF_LIFE``): the target should cover
#: the whole story, the ranking decides what leads. Counted over every sentence of an
#: article (the writer's target): 7-10 measured alike on the dev clusters (47.3-47.4
#: ROUGE-1), 6 and 12 lower (47.0).
TARGET_HALF_LIFE = 8.0


def digest_tokens(text: str) -> Counter[str]:
    """Lower-cased, stemmed words of ``text``, function words kept, with their counts."""
    out: Counter[str] = Counter()
    for match in _WORD.finditer(text.lower()):
        word = match.group().strip("'’-")
        if word:
            out[stem(word)] += 1
    return out


def expected_digest(
    sources: Sequence[Sequence[Counter[str]]],
    words: float,
    half_life: float = TARGET_HALF_LIFE,
) -> dict[str, float]:
    """Expected count of each word in a ``words``-word digest of ``sources``.

    ``sources`` holds, per source, its sentences' ``digest_tokens`` in text order. Each
    source contributes its position-weighted word distribution with equal weight; a
    source without words contributes nothing.
    """
    total: dict[str, float] = {}
    used = 0
    for sentences in sources:
        weighted: dict[str, float] = {}
        for position, tokens in enumerate(sentences):
            weight = 1.0 / (1.0 + position / half_life)
            for token, count in tokens.items():
                weighted[token] = weighted.get(token, 0.0) + weight * count
        mass = sum(weighted.values())
        if mass <= 0:
            continue
        used += 1
        for token, value in weighted.items():
            total[token] = total.get(token, 0.0) + value / mass
    if not used:
        return {}
    return {token: words * value / used for token, value in total.items()}


def coverage_gain(
    tokens: Mapping[str, int], target: Mapping[str, float], covered: Mapping[str, int]
) -> float:
    """Target words ``tokens`` would add to a summary that already has ``covered``.

    Each word counts up to the target's expected count for it, so a word the summary
    already has enough of adds nothing.
    """
    gain = 0.0
    for token, count in tokens.items():
        expected = target.get(token, 0.0)
        have = covered.get(token, 0)
        gain += min(have + count, expected) - min(have, expected)
    return gain
