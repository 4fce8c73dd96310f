"""Figures of another time than the event's: "In 2012", "last year", "a case from 2011".

A cluster is about one event, but its articles recall earlier ones for scale ("In 2012, a
record 1,655 people were arrested"). Such figures are kept, marked with the words that
place them elsewhere in time, so the reader sees them as context and the merger never sets
them against the event's own counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.core.source import Source

_YEAR = r"(?:1[89]\d\d|20\d\d)"
#: Words placing a sentence in another period than the event's: "In 2012", "last year".
_PERIOD = re.compile(
    rf"\b(?:(?:in|since|during|from|for|by|until|through|of)\s+(?:the\s+)?"
    rf"(?:(?:early|late|mid-?)\s*)?({_YEAR})s?\b(?!\s*[,/-]?\s*\d)|({_YEAR})(?:'s|’s)\b"
    r"|last\s+(?:year|season|decade)\b|(?:the\s+)?(?:previous|prior)\s+(?:year|season|decade)\b"
    r"|a\s+(?:year|decade)\s+(?:earlier|ago|before)\b|decades\s+ago\b)",
    re.IGNORECASE,
)


def background_context(sentence: str, own_year: int | None) -> str | None:
    """The words placing a sentence in another time than the event's, or None.

    "In 2012" when the cluster's own year is not 2012 (or unknown), "last year", "a
    decade ago". A full date ("Nov. 2, 2012") is how an article dates its own event, so a
    year only counts in a period phrase ("in", "since", "during" ..., or "2012's").
    """
    for match in _PERIOD.finditer(sentence):
        year = match.group(1) or match.group(2)
        if year is not None and own_year is not None and int(year) == own_year:
            continue
        return match.group().strip()
    return None


def cluster_year(sources: Sequence[Source]) -> int | None:
    """The year the cluster's event is in: the latest publication year, else a year that
    two or more sources name in a period phrase, else unknown."""
    published = [int(s.published[:4]) for s in sources if s.published]
    if published:
        return max(published)
    named: dict[int, set[str]] = {}
    for source in sources:
        for match in _PERIOD.finditer(source.text):
            year = match.group(1) or match.group(2)
            if year is not None:
                named.setdefault(int(year), set()).add(source.id)
    shared = [year for year, ids in named.items() if len(ids) >= 2]
    return max(shared, key=lambda y: (len(named[y]), y)) if shared else None
