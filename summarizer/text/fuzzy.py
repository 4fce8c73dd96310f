"""The fuzzy stage of alignment: a lightly altered quote, or a reason it is not one.

Token-level alignment with rapidfuzz on candidate windows found by anchor-word voting (see
:func:`fuzzy`), plus "A ... B" elisions whose parts occur in order nearby (:func:`elision`).
A match must pass every gate below, else the quote is **unaligned** with a reason that can be
sent back to the model.

Fuzzy gates and why (``n`` = quote words, ``L`` = words in the candidate span):

* coverage ``matched / n >= 0.75``: one word in four changed (one in five, two in eight)
  is a light alteration; beyond that it is a paraphrase and citing the nearest words would
  ground a claim the source does not make.
* precision ``matched / L >= 0.75``: the span may not be padded with words the quote lacks,
  which rejects quotes stitched together from distant pieces of a sentence.
* short quotes (under 5 words) must match every word, typos allowed, with no word in
  between: on real data (Giveme5W1H gold phrases) a 4-word phrase with one word changed or
  added ("protests outside Trump Tower" vs "snapped outside Trump Tower", "win World Series"
  vs "win another World Series") was a different statement as often as the same one.
* typos: a quote word of >= 4 letters that differs from the source word opposite it by a
  rapidfuzz ratio >= 80 (one wrong letter in five) counts as matched (OCR-like errors).
  Words with digits never count as typos.
* names: a capitalised quote word (other than a common sentence opener such as "The" or
  "He") may not be among the changed words: "Gonzalez was charged ..." must not cite
  "Park was charged ..." (seen between two Multi-News articles of one cluster).
* numbers: every number in the quote (:func:`summarizer.text.numbers.find_numbers`) must be in
  the span, because "246 people" is a different fact from "245 people" however similar.

A sentence of another article about the same event shares names and numbers but not word
order, so it fails coverage or precision; tests check this on the Operation Sunflower pair.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from summarizer.text.alignment import Alignment, AlignmentStatus, span, unaligned
from summarizer.text.index import (
    TOKEN,
    SourceIndex,
    bounded,
    norm_offset,
    occurrences,
    strip_edges,
    tokens,
)
from summarizer.text.numbers import contains_number, find_numbers

__all__ = ["elision", "fuzzy"]

#: Fuzzy gates (see the module docstring for the reasoning behind each value).
MIN_COVERAGE = 0.75
MIN_PRECISION = 0.75
#: Quotes with fewer words must match every word (typos allowed) with nothing in between.
SHORT_QUOTE = 5
TYPO_MIN_RATIO = 80.0
TYPO_MIN_LETTERS = 4
#: Elided quotes ("A ... B"): how far apart the parts may be, in normalised characters, and
#: how much of the cited span the quoted parts must make up.
ELISION_MAX_GAP = 250
ELISION_MIN_SHARE = 0.5
#: Anchor words occurring more often than this are too common to vote for a position.
_MAX_POSTINGS = 150
#: Only the rarest quote words vote (the informative ones; this bounds the cost of long quotes).
_ANCHORS = 12
#: How many candidate positions the fuzzy stage verifies.
_CANDIDATES = 3
#: Capitalised words that open sentences without naming anyone: a changed one is not a
#: changed name (see the names gate in :func:`_verify`).
# fmt: off
_OPENERS = frozenset({
    "a", "about", "after", "all", "also", "an", "and", "as", "at", "before", "but", "by",
    "during", "for", "from", "he", "her", "his", "i", "if", "in", "it", "its", "many", "more",
    "most", "no", "not", "of", "on", "one", "our", "she", "so", "some", "that", "the", "their",
    "then", "there", "these", "they", "this", "those", "though", "to", "under", "we", "what",
    "when", "where", "which", "while", "who", "with", "you",
})
# fmt: on


def elision(index: SourceIndex, core: str, hint: int | None) -> Alignment | None:
    """Elided quotes ("A ... B"): parts found in order, close together, filling most of the span."""
    parts = [strip_edges(p) for p in core.split("...")]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    norm = index.norm
    candidates: list[tuple[int, int]] = []
    for first in occurrences(norm, parts[0]):
        if not bounded(norm, first, first + len(parts[0])):
            continue
        end = first + len(parts[0])
        for part in parts[1:]:
            nxt = norm.find(part, end, end + ELISION_MAX_GAP + len(part))
            while nxt != -1 and not bounded(norm, nxt, nxt + len(part)):
                nxt = norm.find(part, nxt + 1, end + ELISION_MAX_GAP + len(part))
            if nxt == -1:
                break
            end = nxt + len(part)
        else:
            candidates.append((first, end))
            if hint is None:
                break
    if not candidates:
        return None
    norm_hint = None if hint is None else norm_offset(index, hint)
    first, end = min(candidates, key=lambda c: 0 if norm_hint is None else abs(c[0] - norm_hint))
    share = sum(len(p) for p in parts) / (end - first)
    if share < ELISION_MIN_SHARE:
        return None
    start, stop = index.span(first, end)
    return span(index.text, AlignmentStatus.FUZZY, start, stop, round(share, 3))


@dataclass(frozen=True, slots=True)
class _Candidate:
    first: int  # token index
    last: int  # token index, exclusive
    matched: int
    score: float


def fuzzy(index: SourceIndex, quote: str, core: str, hint: int | None) -> Alignment:
    """Anchor-word voting proposes positions; rapidfuzz verifies windows around them.

    Each quote word present in the source votes for the start position it implies
    (``source position - position in quote``). Nearby positions are pooled, so a word
    inserted or dropped in the quote only blurs the vote. The best few positions are then
    checked window by window with rapidfuzz's Indel similarity on token ids (which balances
    coverage against padding), and the best window must pass the gates.
    """
    words = [w for w, _, _ in tokens(core)]
    n = len(words)
    qids = [index.vocab.get(w, -1 - i) for i, w in enumerate(words)]
    postings = index.postings
    anchors = sorted(
        (len(postings[word_id]), i)
        for i, word_id in enumerate(qids)
        if word_id >= 0 and len(postings[word_id]) <= _MAX_POSTINGS
    )[:_ANCHORS]
    usable = len(anchors)
    votes: Counter[int] = Counter()
    for _, i in anchors:
        for position in postings[qids[i]]:
            votes[position - i] += 1
    if not votes:
        return unaligned("none of the quote's distinctive words occur in the source")
    slack = min(1 + n // 8, 6)
    need = max(1.0, 0.5 * usable)
    # Pooling every diagonal is the costly part for absent quotes, whose votes are scattered:
    # bucket first (a pooled window of 2*slack+1 spans at most three buckets of slack+1) and
    # pool only the diagonals of buckets that could reach ``need``.
    width = slack + 1
    buckets: Counter[int] = Counter()
    for diagonal, count in votes.items():
        buckets[diagonal // width] += count
    hot = {
        b for b, c in buckets.items() if buckets.get(b - 1, 0) + c + buckets.get(b + 1, 0) >= need
    }
    pooled = Counter(
        {
            d: sum(votes.get(d + k, 0) for k in range(-slack, slack + 1))
            for d in votes
            if d // width in hot
        }
    )
    chosen: list[int] = []
    for diagonal, count in pooled.most_common():
        if count < need or len(chosen) == _CANDIDATES:
            break
        if all(abs(diagonal - c) > slack for c in chosen):
            chosen.append(diagonal)
    if not chosen:
        return unaligned("no passage of the source contains most of the quote's words in order")
    best: _Candidate | None = None
    rejection = ""
    for diagonal in chosen:
        candidate, problem = _verify(index, qids, words, quote, diagonal, slack)
        if candidate is None:
            rejection = rejection or problem
            continue
        if best is None or _better(index, candidate, best, hint):
            best = candidate
    if best is None:
        return unaligned(rejection)
    start, end = index.tok_start[best.first], index.tok_end[best.last - 1]
    return span(index.text, AlignmentStatus.FUZZY, start, end, round(best.score, 3))


def _better(index: SourceIndex, new: _Candidate, old: _Candidate, hint: int | None) -> bool:
    if abs(new.score - old.score) > 1e-9:
        return new.score > old.score
    if hint is None:
        return new.first < old.first
    return abs(index.tok_start[new.first] - hint) < abs(index.tok_start[old.first] - hint)


def _verify(
    index: SourceIndex, qids: list[int], words: list[str], quote: str, diagonal: int, slack: int
) -> tuple[_Candidate | None, str]:
    n = len(qids)
    total = len(index.tok_ids)
    ids = index.tok_ids
    best_sim = -1.0
    first = last = 0
    for a in range(max(0, diagonal - slack), min(total, diagonal + slack + 1)):
        for b in range(max(a + 1, diagonal + n - slack), min(total, diagonal + n + slack) + 1):
            sim = Indel.normalized_similarity(qids, ids[a:b])
            if sim > best_sim:
                best_sim, first, last = sim, a, b
    if best_sim <= 0:
        return None, "no passage of the source contains most of the quote's words in order"
    # Quote words unmatched at either edge are probably changed words: widen the span over
    # the source words opposite them (within the sentence) so the citation covers the claim.
    ops = Indel.opcodes(qids, ids[first:last])
    lead = ops[0].src_end if ops[0].tag == "delete" else 0
    trail = n - ops[-1].src_start if ops[-1].tag == "delete" else 0
    while lead and first > 0 and not index.break_between(first - 1, first):
        first, lead = first - 1, lead - 1
    while trail and last < total and not index.break_between(last - 1, last):
        last, trail = last + 1, trail - 1
    window = ids[first:last]
    equal = typos = 0
    unmatched: list[int] = []  # quote word positions
    for op in Levenshtein.opcodes(qids, window):
        if op.tag == "equal":
            equal += op.src_end - op.src_start
        elif op.tag == "replace":
            opposite = list(range(first + op.dest_start, first + op.dest_end))
            for k, q in enumerate(range(op.src_start, op.src_end)):
                if k < len(opposite) and _typo(words[q], index.tok_words[opposite[k]]):
                    typos += 1
                else:
                    unmatched.append(q)
        elif op.tag == "delete":
            unmatched.extend(range(op.src_start, op.src_end))
    matched = equal + typos
    coverage, precision = matched / n, matched / len(window)
    if n < SHORT_QUOTE and (matched < n or len(window) > n):
        return None, (
            "the quote's words do not all occur together in the source; quote it word for word"
        )
    if coverage < MIN_COVERAGE:
        return None, (
            f"only {matched:g} of the quote's {n} words occur in order in the closest passage;"
            " quote the source word for word"
        )
    if precision < MIN_PRECISION:
        return (
            None,
            "the closest passage has many words the quote lacks; quote a contiguous passage",
        )
    names = _names(quote)
    changed = [words[q] for q in unmatched if words[q] in names]
    if changed:
        return None, f"the closest passage does not name {', '.join(changed)}"
    span_text = index.text[index.tok_start[first] : index.tok_end[last - 1]]
    missing = [m.text for m in find_numbers(quote) if not contains_number(m.value, span_text)]
    if missing:
        return None, f"the closest passage does not contain {', '.join(missing)}"
    # A typo is half a match in the score, so a clean match outranks a misspelt one.
    score = (2 * equal + typos) / (n + len(window))
    return _Candidate(first, last, matched, score), ""


def _names(quote: str) -> set[str]:
    """Folded capitalised words of ``quote`` that are not common sentence openers."""
    return {
        folded
        for word in TOKEN.findall(quote)
        if word[0].isupper() and (folded := word.casefold()) not in _OPENERS
    }


def _typo(quoted: str, found: str) -> bool:
    """A small OCR-like misspelling of a word (never of a number)."""
    if min(len(quoted), len(found)) < TYPO_MIN_LETTERS or not (
        quoted.isalpha() and found.isalpha()
    ):
        return False
    return fuzz.ratio(quoted, found) >= TYPO_MIN_RATIO
