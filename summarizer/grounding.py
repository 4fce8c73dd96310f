"""Quote → span alignment. (Skeleton: signatures are the contract.)"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.sources import Source


class AlignmentStatus(StrEnum):
    EXACT = "exact"
    NORMALISED = "normalised"
    FUZZY = "fuzzy"
    UNALIGNED = "unaligned"


@dataclass(frozen=True, slots=True)
class Alignment:
    status: AlignmentStatus
    start: int = -1
    end: int = -1
    score: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not AlignmentStatus.UNALIGNED


def align(quote: str, source: Source | str) -> Alignment:
    raise NotImplementedError
