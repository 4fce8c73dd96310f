"""Canonical citation order, so merged output never depends on input or set order.

Every merged item lists its citations and source ids; ``merge_events`` promises that
shuffling the events gives byte-identical output, so all merge modules sort and
de-duplicate citations the same way: by the source's position in the run (``order``),
then by span. It is its own module because every merge module needs it and none owns it.
"""

from __future__ import annotations

from collections.abc import Iterable

from summarizer.core.types import Citation


def citation_key(citation: Citation, order: dict[str, int]) -> tuple[int, str, int, int]:
    """Sort key: the source's position in the run, then the span."""
    return (
        order.get(citation.source_id, len(order)),
        citation.source_id,
        citation.start,
        citation.end,
    )


def unique_citations(citations: Iterable[Citation], order: dict[str, int]) -> list[Citation]:
    """Distinct spans in source order, then text order."""
    seen: dict[tuple[str, int, int], Citation] = {}
    for citation in citations:
        seen.setdefault((citation.source_id, citation.start, citation.end), citation)
    return sorted(seen.values(), key=lambda c: citation_key(c, order))


def cited_source_ids(citations: Iterable[Citation], order: dict[str, int]) -> list[str]:
    """The distinct sources cited, in run order (never set order)."""
    ids = {c.source_id for c in citations}
    return sorted(ids, key=lambda s: (order.get(s, len(order)), s))
