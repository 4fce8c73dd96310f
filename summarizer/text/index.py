"""The folded form of a source text and its search index, built once per text.

Normalised alignment and the fuzzy stage both search a *folded* copy of the text (case,
quotes, dashes, ellipses, spaces and zero-width characters made uniform) and must map every
hit back to the original characters, because a citation is ``source.text[start:end]``. This
module owns that folding, the per-character offset table that undoes it, the word tokens
with their postings, and the boundary and nearest-occurrence helpers both stages share.

Speed: :func:`source_index` keeps the index of recent texts in an LRU cache keyed by the
text, so repeated calls on one source only pay for the search.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache

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
TOKEN = re.compile(r"[^\W_]+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SENTENCE_BREAK = re.compile(r"[.!?\n]")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    mapped = _CHAR_MAP.get(char)
    if mapped is not None:
        return mapped
    return unicodedata.normalize("NFKC", char).casefold()


def normalise(text: str) -> tuple[str, array[int], array[int]]:
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


def tokens(norm: str) -> Iterator[tuple[str, int, int]]:
    """Word tokens of folded text; CJK characters are one token each (no spaces to split on)."""
    for match in TOKEN.finditer(norm):
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


def strip_edges(norm: str) -> str:
    return _EDGES.sub("", norm)


# --------------------------------------------------------------------------- the index


class SourceIndex:
    """Everything about one source text that alignment needs, built once per text."""

    __slots__ = ("ends", "norm", "postings", "starts", "text", "tok_end", "tok_ids",
                 "tok_start", "tok_words", "vocab")  # fmt: skip

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.starts, self.ends = normalise(text)
        self.vocab: dict[str, int] = {}
        self.postings: list[list[int]] = []
        self.tok_ids: list[int] = []
        self.tok_words: list[str] = []
        self.tok_start: array[int] = array("i")
        self.tok_end: array[int] = array("i")
        for position, (word, start, end) in enumerate(tokens(self.norm)):
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
def source_index(text: str) -> SourceIndex:
    return SourceIndex(text)


# --------------------------------------------------------------------------- searching


def _is_word_char(char: str) -> bool:
    return char.isalnum() and not _CJK_CHAR.match(char)


def bounded(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` neither starts nor ends inside a word."""
    if start > 0 and _is_word_char(text[start]) and _is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]))


def occurrences(haystack: str, needle: str) -> Iterator[int]:
    at = haystack.find(needle)
    while at != -1:
        yield at
        at = haystack.find(needle, at + 1)


def pick(starts: Iterator[int], hint: int | None) -> int | None:
    """The first start, or with a hint the one nearest it (starts come in increasing order)."""
    best: int | None = None
    for start in starts:
        if hint is None:
            return start
        if best is not None and abs(start - hint) >= abs(best - hint):
            break  # starts only move further away from here on
        best = start
    return best


def norm_offset(index: SourceIndex, offset: int) -> int:
    """Folded-text position of an original offset (for hints)."""
    return bisect_left(index.starts, offset)
