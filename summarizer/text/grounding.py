"""Quote → span alignment: find where a model's evidence quote sits in its source.

Guarantee 1 (every citation is ``source.text[start:end]``) rests on this module, so whatever
the stage, the span returned indexes the ORIGINAL text and :attr:`Alignment.text` is sliced
from it, never copied from the quote. Stages, first success wins:

1. **exact** – the quote (surrounding whitespace ignored) occurs verbatim; whole-word
   occurrences are preferred. A short single-word quote found only inside a longer word
   ("ice" in "police") is taken only if stage 2 finds nothing, so "ice" cites "ICE"; a quote
   of several words or of 20+ characters is a verbatim cut even if its edges fall mid-word.
2. **normalised** – equal after folding case (Unicode casefold + NFKC), whitespace and line
   breaks, curly vs straight quotes, dash variants ("--", "—", spaced "–" are one clause dash;
   "‐", "‑", "–", "−" inside a word are a hyphen), ellipsis forms ("…", "...", ". . ."),
   zero-width characters; then again with leading/trailing punctuation stripped from the
   quote. Matches must sit on word boundaries ("ice" never matches inside "police"). Offsets
   are mapped back through a per-character table, so the span is the original characters.
3. **fuzzy** – token-level alignment with rapidfuzz on candidate windows found by anchor-word
   voting (see :func:`_fuzzy`), plus "A ... B" elisions whose parts occur in order nearby.
   A match must pass every gate below, else the quote is **unaligned** with a reason that
   can be sent back to the model.

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

Repeated phrases: without ``hint`` the first occurrence (in the first stage that matches)
wins; ``align(quote, source, hint=offset)`` picks, within that stage, the occurrence whose
start is nearest ``offset`` (e.g. where a chunk begins, or where the previous quote ended).

Speed: each source text gets an index (normalised text, offset table, tokens, postings) built
once and kept in an LRU cache keyed by the text, so repeated calls on one source only pay for
the search. See ``benchmarks/grounding.py`` for figures.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from summarizer.text.numbers import contains_number, find_numbers


class HasText(Protocol):
    """Anything with the text quotes index into (a ``Source``); keeps this layer standalone."""

    @property
    def text(self) -> str: ...


__all__ = ["Alignment", "AlignmentStatus", "align"]

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


class AlignmentStatus(StrEnum):
    EXACT = "exact"
    NORMALISED = "normalised"
    FUZZY = "fuzzy"
    UNALIGNED = "unaligned"


@dataclass(frozen=True, slots=True)
class Alignment:
    """Where a quote sits in a source; ``text == source_text[start:end]`` by construction."""

    status: AlignmentStatus
    start: int = -1
    end: int = -1
    score: float = 0.0
    #: The cited characters of the source (empty when unaligned).
    text: str = ""
    #: Why an unaligned quote was rejected, phrased to be sent back to the model.
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not AlignmentStatus.UNALIGNED


def align(quote: str, source: HasText | str, *, hint: int | None = None) -> Alignment:
    """Align ``quote`` to a span of ``source`` (a ``Source``, or its text).

    ``hint`` is a character offset: among equally good occurrences, the nearest one wins
    instead of the first.
    """
    text = source if isinstance(source, str) else source.text
    stripped = quote.strip()
    if not stripped:
        return _unaligned("the quote is empty")
    # A long or multi-word quote found inside words is a verbatim cut (its edges fall
    # mid-word); a short single word found inside another is usually a different word.
    cut_ok = len(stripped) >= _LONG_QUOTE or _WORD_BREAK.search(stripped) is not None
    found = _exact(text, stripped, hint, whole_words=not cut_ok)
    if found is not None:
        return _span(text, AlignmentStatus.EXACT, found[0], found[1], 1.0)
    index = _index(text)
    qnorm = _normalise(unicodedata.normalize("NFC", stripped))[0].strip()
    for candidate in dict.fromkeys((qnorm, _strip_edges(qnorm))):
        if not candidate:
            continue
        hit = _find_words(index.norm, candidate, hint, index)
        if hit is not None:
            start, end = index.span(hit, hit + len(candidate))
            return _span(text, AlignmentStatus.NORMALISED, start, end, 1.0)
    found = None if cut_ok else _exact(text, stripped, hint, whole_words=False)
    if found is not None:
        return _span(text, AlignmentStatus.EXACT, found[0], found[1], 1.0)
    core = _strip_edges(qnorm)
    if not _TOKEN.search(core):
        return _unaligned("the quote has no words to look for")
    if "..." in core:
        elided = _elision(index, core, hint)
        if elided is not None:
            return elided
    return _fuzzy(index, stripped, core, hint)


# --------------------------------------------------------------------------- normalisation

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPECIAL = re.compile(
    r"(?P<cdash>\s*(?:--+|[\u2014\u2015\u2e3a\u2e3b]+)\s*|\s+[-\u2010-\u2013\u2212]\s+)"
    r"|(?P<ellipsis>\s*(?:\u2026|\.(?: ?\.){2,}))"
    r"|(?P<space>\s{2,}|[^\S ])"
    r"|(?P<other>[^\x00-\x7f])"
)
_CHAR_MAP = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d", "-"),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
_TOKEN = re.compile(r"[^\W_]+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_WORD_BREAK = re.compile(r"[^\w]")
#: From this length a quote found inside words is still a verbatim cut, not another word.
_LONG_QUOTE = 20
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


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    mapped = _CHAR_MAP.get(char)
    if mapped is not None:
        return mapped
    return unicodedata.normalize("NFKC", char).casefold()


def _normalise(text: str) -> tuple[str, array[int], array[int]]:
    """Fold ``text`` and return it with, per folded character, its original start and end.

    Plain ASCII runs (nearly all of an English article) are copied in bulk with ``lower()``,
    which keeps lengths; only the rare special runs go character by character.
    """
    pieces: list[str] = []
    starts: array[int] = array("i")
    ends: array[int] = array("i")
    pos = 0

    def emit(folded: str, start: int, end: int, one_to_one: bool) -> None:
        pieces.append(folded)
        if one_to_one:
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
        else:
            starts.extend([start] * len(folded))
            ends.extend([end] * len(folded))

    for match in _SPECIAL.finditer(text):
        begin, stop = match.span()
        if begin > pos:
            emit(text[pos:begin].lower(), pos, begin, True)
        kind = match.lastgroup
        if kind == "cdash":
            emit(" - ", begin, stop, False)
        elif kind == "space":
            emit(" ", begin, stop, False)
        elif kind == "ellipsis":
            emit("...", begin, stop, False)
        else:
            folded = _fold_char(text[begin])
            if folded:
                emit(folded, begin, stop, len(folded) == 1)
        pos = stop
    if pos < len(text):
        emit(text[pos:].lower(), pos, len(text), True)
    return "".join(pieces), starts, ends


def _tokens(norm: str) -> Iterator[tuple[str, int, int]]:
    """Word tokens of folded text; CJK characters are one token each (no spaces to split on)."""
    for match in _TOKEN.finditer(norm):
        word = match.group()
        if word.isascii() or not _CJK_CHAR.search(word):
            yield word, match.start(), match.end()
            continue
        base = match.start()
        last = 0
        for cjk in _CJK_CHAR.finditer(word):
            if cjk.start() > last:
                yield word[last : cjk.start()], base + last, base + cjk.start()
            yield cjk.group(), base + cjk.start(), base + cjk.end()
            last = cjk.end()
        if last < len(word):
            yield word[last:], base + last, base + len(word)


def _strip_edges(norm: str) -> str:
    return _EDGES.sub("", norm)


# --------------------------------------------------------------------------- the index


class _Index:
    """Everything about one source text that alignment needs, built once per text."""

    __slots__ = ("ends", "norm", "postings", "starts", "text", "tok_end", "tok_ids",
                 "tok_start", "tok_words", "vocab")  # fmt: skip

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.starts, self.ends = _normalise(text)
        self.vocab: dict[str, int] = {}
        self.postings: list[list[int]] = []
        self.tok_ids: list[int] = []
        self.tok_words: list[str] = []
        self.tok_start: array[int] = array("i")
        self.tok_end: array[int] = array("i")
        for position, (word, start, end) in enumerate(_tokens(self.norm)):
            word_id = self.vocab.setdefault(word, len(self.vocab))
            if word_id == len(self.postings):
                self.postings.append([])
            self.postings[word_id].append(position)
            self.tok_ids.append(word_id)
            self.tok_words.append(word)
            self.tok_start.append(self.starts[start])
            self.tok_end.append(self.ends[end - 1])

    def span(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the folded range ``[norm_start, norm_end)``."""
        return self.starts[norm_start], self.ends[norm_end - 1]

    def break_between(self, left_token: int, right_token: int) -> bool:
        """Whether a sentence or paragraph break separates two adjacent tokens."""
        gap = self.text[self.tok_end[left_token] : self.tok_start[right_token]]
        return _SENTENCE_BREAK.search(gap) is not None


@lru_cache(maxsize=64)
def _index(text: str) -> _Index:
    return _Index(text)


# --------------------------------------------------------------------------- exact and normalised


def _is_word_char(char: str) -> bool:
    return char.isalnum() and not _CJK_CHAR.match(char)


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` neither starts nor ends inside a word."""
    if start > 0 and _is_word_char(text[start]) and _is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]))


def _occurrences(haystack: str, needle: str) -> Iterator[int]:
    at = haystack.find(needle)
    while at != -1:
        yield at
        at = haystack.find(needle, at + 1)


def _pick(starts: Iterator[int], hint: int | None) -> int | None:
    """The first start, or with a hint the one nearest it (starts come in increasing order)."""
    best: int | None = None
    for start in starts:
        if hint is None:
            return start
        if best is not None and abs(start - hint) >= abs(best - hint):
            break  # starts only move further away from here on
        best = start
    return best


def _exact(text: str, quote: str, hint: int | None, *, whole_words: bool) -> tuple[int, int] | None:
    size = len(quote)
    bounded = (s for s in _occurrences(text, quote) if _bounded(text, s, s + size))
    start = _pick(bounded, hint)
    if start is None and not whole_words:
        start = _pick(_occurrences(text, quote), hint)
    return None if start is None else (start, start + size)


def _find_words(norm: str, quote: str, hint: int | None, index: _Index) -> int | None:
    size = len(quote)
    norm_hint = None if hint is None else _norm_offset(index, hint)
    return _pick((s for s in _occurrences(norm, quote) if _bounded(norm, s, s + size)), norm_hint)


def _norm_offset(index: _Index, offset: int) -> int:
    """Folded-text position of an original offset (for hints)."""
    return bisect_left(index.starts, offset)


# --------------------------------------------------------------------------- fuzzy


def _elision(index: _Index, core: str, hint: int | None) -> Alignment | None:
    """Elided quotes ("A ... B"): parts found in order, close together, filling most of the span."""
    parts = [_strip_edges(p) for p in core.split("...")]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    norm = index.norm
    candidates: list[tuple[int, int]] = []
    for first in _occurrences(norm, parts[0]):
        if not _bounded(norm, first, first + len(parts[0])):
            continue
        end = first + len(parts[0])
        for part in parts[1:]:
            nxt = norm.find(part, end, end + ELISION_MAX_GAP + len(part))
            while nxt != -1 and not _bounded(norm, nxt, nxt + len(part)):
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
    norm_hint = None if hint is None else _norm_offset(index, hint)
    first, end = min(candidates, key=lambda c: 0 if norm_hint is None else abs(c[0] - norm_hint))
    share = sum(len(p) for p in parts) / (end - first)
    if share < ELISION_MIN_SHARE:
        return None
    start, stop = index.span(first, end)
    return _span(index.text, AlignmentStatus.FUZZY, start, stop, round(share, 3))


@dataclass(frozen=True, slots=True)
class _Candidate:
    first: int  # token index
    last: int  # token index, exclusive
    matched: int
    score: float


def _fuzzy(index: _Index, quote: str, core: str, hint: int | None) -> Alignment:
    """Anchor-word voting proposes positions; rapidfuzz verifies windows around them.

    Each quote word present in the source votes for the start position it implies
    (``source position - position in quote``). Nearby positions are pooled, so a word
    inserted or dropped in the quote only blurs the vote. The best few positions are then
    checked window by window with rapidfuzz's Indel similarity on token ids (which balances
    coverage against padding), and the best window must pass the gates.
    """
    words = [w for w, _, _ in _tokens(core)]
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
        return _unaligned("none of the quote's distinctive words occur in the source")
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
        return _unaligned("no passage of the source contains most of the quote's words in order")
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
        return _unaligned(rejection)
    start, end = index.tok_start[best.first], index.tok_end[best.last - 1]
    return _span(index.text, AlignmentStatus.FUZZY, start, end, round(best.score, 3))


def _better(index: _Index, new: _Candidate, old: _Candidate, hint: int | None) -> bool:
    if abs(new.score - old.score) > 1e-9:
        return new.score > old.score
    if hint is None:
        return new.first < old.first
    return abs(index.tok_start[new.first] - hint) < abs(index.tok_start[old.first] - hint)


def _verify(
    index: _Index, qids: list[int], words: list[str], quote: str, diagonal: int, slack: int
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
        for word in _TOKEN.findall(quote)
        if word[0].isupper() and (folded := word.casefold()) not in _OPENERS
    }


def _typo(quoted: str, found: str) -> bool:
    """A small OCR-like misspelling of a word (never of a number)."""
    if min(len(quoted), len(found)) < TYPO_MIN_LETTERS or not (
        quoted.isalpha() and found.isalpha()
    ):
        return False
    return fuzz.ratio(quoted, found) >= TYPO_MIN_RATIO


# --------------------------------------------------------------------------- results


def _span(text: str, status: AlignmentStatus, start: int, end: int, score: float) -> Alignment:
    return Alignment(status, start, end, score, text[start:end])


def _unaligned(reason: str) -> Alignment:
    return Alignment(AlignmentStatus.UNALIGNED, reason=reason)
