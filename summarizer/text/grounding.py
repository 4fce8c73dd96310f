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
3. **fuzzy** – a lightly altered quote (a typo, a changed word, an elision), accepted only
   through the gates of :mod:`summarizer.text.fuzzy`, which says why each gate is set where
   it is; a quote that fails them is **unaligned** with a reason that can be sent back to
   the model.

The folding and the per-text index both stages search live in :mod:`summarizer.text.index`;
the result type in :mod:`summarizer.text.alignment`.

Repeated phrases: without ``hint`` the first occurrence (in the first stage that matches)
wins; ``align(quote, source, hint=offset)`` picks, within that stage, the occurrence whose
start is nearest ``offset`` (e.g. where a chunk begins, or where the previous quote ended).

Speed: each source text gets an index (normalised text, offset table, tokens, postings) built
once and kept in an LRU cache keyed by the text (:func:`summarizer.text.index.source_index`),
so repeated calls on one source only pay for the search. See ``benchmarks/grounding.py``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from summarizer.text.alignment import Alignment, AlignmentStatus, span, unaligned
from summarizer.text.fuzzy import elision, fuzzy
from summarizer.text.index import (
    TOKEN,
    SourceIndex,
    bounded,
    norm_offset,
    normalise,
    occurrences,
    pick,
    source_index,
    strip_edges,
)

__all__ = ["Alignment", "AlignmentStatus", "HasText", "align"]


class HasText(Protocol):
    """Anything with the text quotes index into (a ``Source``); keeps this layer standalone."""

    @property
    def text(self) -> str: ...


_WORD_BREAK = re.compile(r"[^\w]")
#: From this length a quote found inside words is still a verbatim cut, not another word.
_LONG_QUOTE = 20


def align(quote: str, source: HasText | str, *, hint: int | None = None) -> Alignment:
    """Align ``quote`` to a span of ``source`` (a ``Source``, or its text).

    ``hint`` is a character offset: among equally good occurrences, the nearest one wins
    instead of the first.
    """
    text = source if isinstance(source, str) else source.text
    stripped = quote.strip()
    if not stripped:
        return unaligned("the quote is empty")
    # A long or multi-word quote found inside words is a verbatim cut (its edges fall
    # mid-word); a short single word found inside another is usually a different word.
    cut_ok = len(stripped) >= _LONG_QUOTE or _WORD_BREAK.search(stripped) is not None
    found = _exact(text, stripped, hint, whole_words=not cut_ok)
    if found is not None:
        return span(text, AlignmentStatus.EXACT, found[0], found[1], 1.0)
    index = source_index(text)
    qnorm = normalise(unicodedata.normalize("NFC", stripped))[0].strip()
    for candidate in dict.fromkeys((qnorm, strip_edges(qnorm))):
        if not candidate:
            continue
        hit = _find_words(index.norm, candidate, hint, index)
        if hit is not None:
            start, end = index.span(hit, hit + len(candidate))
            return span(text, AlignmentStatus.NORMALISED, start, end, 1.0)
    found = None if cut_ok else _exact(text, stripped, hint, whole_words=False)
    if found is not None:
        return span(text, AlignmentStatus.EXACT, found[0], found[1], 1.0)
    core = strip_edges(qnorm)
    if not TOKEN.search(core):
        return unaligned("the quote has no words to look for")
    if "..." in core:
        elided = elision(index, core, hint)
        if elided is not None:
            return elided
    return fuzzy(index, stripped, core, hint)


def _exact(text: str, quote: str, hint: int | None, *, whole_words: bool) -> tuple[int, int] | None:
    size = len(quote)
    whole = (s for s in occurrences(text, quote) if bounded(text, s, s + size))
    start = pick(whole, hint)
    if start is None and not whole_words:
        start = pick(occurrences(text, quote), hint)
    return None if start is None else (start, start + size)


def _find_words(norm: str, quote: str, hint: int | None, index: SourceIndex) -> int | None:
    size = len(quote)
    norm_hint = None if hint is None else norm_offset(index, hint)
    return pick((s for s in occurrences(norm, quote) if bounded(norm, s, s + size)), norm_hint)
