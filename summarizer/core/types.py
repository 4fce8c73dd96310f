"""Shared value types every stage passes around: citations, usage, alignment status.

They sit at the bottom (below events and results) so that errors, the LLM layer and the
result models can all name them without importing each other.
"""

from __future__ import annotations

from pydantic import BaseModel

from summarizer.text.alignment import AlignmentStatus

__all__ = ["AlignmentStatus", "Citation", "Usage"]


class Citation(BaseModel):
    """A character span of one source; ``quote == source.text[start:end]`` always."""

    source_id: str
    start: int
    end: int
    quote: str
    status: AlignmentStatus = AlignmentStatus.EXACT


class Usage(BaseModel):
    """Requests, attempts, tokens, time and estimated cost; add two with ``+``."""

    requests: int = 0
    attempts: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float | None = 0.0

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None
            if self.cost_usd is None or other.cost_usd is None
            else self.cost_usd + other.cost_usd
        )
        return Usage(
            requests=self.requests + other.requests,
            attempts=self.attempts + other.attempts,
            cached=self.cached + other.cached,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            latency_s=self.latency_s + other.latency_s,
            cost_usd=cost,
        )
