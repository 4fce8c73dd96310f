"""Exact citations from character offsets, shared by every built-in item extractor.

The built-in extractor never needs fuzzy alignment: it finds items by offset, so the
citation is a slice. Trimming here (whitespace and stray punctuation at the edges) keeps
spans tidy, and the assertion is the grounding guarantee in its cheapest form.
"""

from __future__ import annotations

from summarizer.core.source import Source
from summarizer.core.types import Citation

_EDGE = " \t\r\n,;:"


def trim(text: str, start: int, end: int, edge: str = _EDGE) -> tuple[int, int]:
    """Shrink ``[start, end)`` past leading/trailing characters in ``edge``."""
    while start < end and text[start] in edge:
        start += 1
    while end > start and text[end - 1] in edge:
        end -= 1
    return start, end


def cite(source: Source, start: int, end: int) -> Citation:
    """A citation of ``source.text[start:end]`` after trimming; the slice is the quote."""
    start, end = trim(source.text, start, end)
    quote = source.text[start:end]
    assert quote and quote == source.text[start:end]
    return Citation(source_id=source.id, start=start, end=end, quote=quote)
