"""Grounded per-source results: what extraction (LLM or built-in) hands to the merger.

These are result models, separate from the LLM-facing ``schema.py``: each item keeps the
fields the model filled and adds a ``citation`` whose ``quote`` is exactly
``source.text[start:end]``. An item that could not be aligned never gets here; it is
counted in ``ExtractionDiagnostics.dropped`` instead.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from summarizer.core.schema import Actor, DirectQuote, EventType, Fact, Figure, Place, Time
from summarizer.core.types import Citation, Usage


class GroundedTime(Time):
    citation: Citation


class GroundedPlace(Place):
    citation: Citation


class GroundedActor(Actor):
    citation: Citation


class GroundedFigure(Figure):
    citation: Citation
    #: Words placing the figure in another time or event than the cluster's own ("In
    #: 2012", "last year"): kept as context, never set against the event's own figures.
    background: str | None = None


class GroundedQuote(DirectQuote):
    citation: Citation


class GroundedFact(Fact):
    citation: Citation
    #: Centrality or model rank, higher first; the built-in extractor ranks facts by how
    #: central they are across the cluster, the LLM by the order it listed them.
    score: float = 0.0


class DroppedItem(BaseModel):
    """An item removed because its evidence could not be grounded after the last attempt."""

    field: str
    evidence: str
    reason: str


class ExtractionDiagnostics(BaseModel):
    attempts: int = 0
    chunks: int = 1
    dropped: list[DroppedItem] = []
    #: How many items aligned at each status (exact / normalised / fuzzy).
    aligned: dict[str, int] = {}


class SourceEvent(BaseModel):
    """One source's grounded event."""

    source_id: str
    headline: str
    event_type: EventType = EventType.OTHER
    when: list[GroundedTime] = []
    where: list[GroundedPlace] = []
    actors: list[GroundedActor] = []
    figures: list[GroundedFigure] = []
    quotes: list[GroundedQuote] = []
    facts: list[GroundedFact] = []
    extractor: str = Field(description="model name, or 'builtin'")
    prompt_hash: str | None = None
    usage: Usage = Usage()
    diagnostics: ExtractionDiagnostics = ExtractionDiagnostics()


class SourceFailure(BaseModel):
    """A source that produced nothing usable, named with the reason (guarantee 3)."""

    source_id: str
    stage: str
    reason: str
    #: What the failed calls cost anyway (tokens of attempts that came back unusable).
    usage: Usage = Usage()


class ExtractionReport(BaseModel):
    """What ``summarizer extract`` prints: every source's grounded event, or its failure."""

    events: list[SourceEvent]
    failures: list[SourceFailure] = []
    warnings: list[str] = []
    usage: Usage = Usage()
