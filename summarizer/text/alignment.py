"""What an alignment is: a status and a span of the original text, or a reason it failed.

Kept apart from the search (``grounding``, ``fuzzy``) so that the types every later stage
stores (``core.types.Citation`` carries an :class:`AlignmentStatus`) cost no rapidfuzz import:
loading a result, or the command line's start, never pays for the fuzzy matcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Alignment", "AlignmentStatus", "span", "unaligned"]


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


def span(text: str, status: AlignmentStatus, start: int, end: int, score: float) -> Alignment:
    """An alignment whose text is sliced from the source, never copied from the quote."""
    return Alignment(status, start, end, score, text[start:end])


def unaligned(reason: str) -> Alignment:
    return Alignment(AlignmentStatus.UNALIGNED, reason=reason)
