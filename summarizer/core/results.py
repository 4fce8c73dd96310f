"""What users get back: the merged event and the cited summary built from it.

These are result models, kept apart from the LLM-facing ``schema.py`` and
``summary_schema.py`` so that prompts stay small while results carry ids, spans and
statuses. Everything here round-trips through JSON (``model_dump_json`` then
``model_validate_json``), because ``summarizer render RESULT.json`` rebuilds the Markdown
and HTML reports from a saved result alone: that is why sources keep their full text.

Ids form one namespace that the writer cites, with a prefix per kind so a reader (or a
model) can tell them apart: ``F`` facts, ``N`` figures (numbers), ``A`` actors, ``P``
places, ``T`` times, ``Q`` quotes, ``C`` conflicts. Citing a conflict id means citing
every side of it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from summarizer.core.events import ExtractionDiagnostics, SourceFailure
from summarizer.core.schema import ActorKind, EventType
from summarizer.core.types import Citation, Usage


class FigureStatus(StrEnum):
    """How the sources relate on one figure (guarantee 5: disagreement is shown)."""

    AGREED = "agreed"  # two or more sources give this value for this thing
    CONFLICT = "conflict"  # sources give different values for the same thing
    SINGLE = "single"  # only one source reports it


class MergedFact(BaseModel):
    id: str
    statement: str
    citations: list[Citation]
    source_ids: list[str]
    #: Highest extractor score among the merged statements (centrality or model rank).
    score: float = 0.0

    @property
    def single(self) -> bool:
        return len(self.source_ids) == 1


class FigureReport(BaseModel):
    """One source's wording of a figure, kept so that differences stay visible."""

    source_id: str
    what: str
    approximate: bool = False
    citation: Citation


class MergedFigure(BaseModel):
    """One value of one counted thing, with every source that reports that value.

    When sources give different values for the same thing, each value is its own
    ``MergedFigure`` with status ``conflict`` and the same ``conflict_id``.
    """

    id: str
    what: str
    value: float
    unit: str | None = None
    approximate: bool = False
    status: FigureStatus
    conflict_id: str | None = None
    #: True when the sources agree on the value but describe what it counts in
    #: different words (e.g. "children rescued" and "victims identified").
    wording_differs: bool = False
    reports: list[FigureReport]
    source_ids: list[str]
    #: Set when the figure belongs to another time or event than the cluster's own: the
    #: words that say so ("In 2012"). Such figures are context, not the event's count.
    background: str | None = None

    @property
    def citations(self) -> list[Citation]:
        return [report.citation for report in self.reports]


class Conflict(BaseModel):
    """Sources giving different values for the same thing; ``figure_ids`` are the sides."""

    id: str
    what: str
    figure_ids: list[str]


class MergedActor(BaseModel):
    id: str
    name: str
    kind: ActorKind
    aliases: list[str]
    roles: list[str]
    citations: list[Citation]
    source_ids: list[str]


class MergedPlace(BaseModel):
    id: str
    name: str
    aliases: list[str]
    citations: list[Citation]
    source_ids: list[str]


class MergedTime(BaseModel):
    id: str
    text: str
    iso: str | None = None
    citations: list[Citation]
    source_ids: list[str]


class MergedQuote(BaseModel):
    id: str
    speaker: str
    text: str
    citations: list[Citation]
    source_ids: list[str]


class MergedEvent(BaseModel):
    """All sources' grounded events as one: the writer's only input."""

    source_ids: list[str]
    headlines: list[str]
    event_type: EventType = EventType.OTHER
    facts: list[MergedFact] = []
    figures: list[MergedFigure] = []
    conflicts: list[Conflict] = []
    actors: list[MergedActor] = []
    places: list[MergedPlace] = []
    times: list[MergedTime] = []
    quotes: list[MergedQuote] = []
    #: Extractor names (model or ``builtin``) and extraction prompt hashes, in source order.
    extractors: list[str] = []
    prompt_hashes: list[str] = []
    usage: Usage = Usage()

    def ids(self) -> list[str]:
        """Every citable id, in listing order."""
        groups: list[list[str]] = [
            [f.id for f in self.facts],
            [f.id for f in self.figures],
            [c.id for c in self.conflicts],
            [a.id for a in self.actors],
            [p.id for p in self.places],
            [t.id for t in self.times],
            [q.id for q in self.quotes],
        ]
        return [item_id for group in groups for item_id in group]

    def citations_for(self, item_id: str) -> list[Citation] | None:
        """The spans behind one id (all sides for a conflict); ``None`` if unknown."""
        for collection in (self.facts, self.actors, self.places, self.times, self.quotes):
            for item in collection:
                if item.id == item_id:
                    return list(item.citations)
        for figure in self.figures:
            if figure.id == item_id:
                return figure.citations
        for conflict in self.conflicts:
            if conflict.id == item_id:
                sides = [self.citations_for(side) or [] for side in conflict.figure_ids]
                return [citation for side in sides for citation in side]
        return None

    def figure(self, figure_id: str) -> MergedFigure | None:
        return next((f for f in self.figures if f.id == figure_id), None)


class SummarySentence(BaseModel):
    text: str
    fact_ids: list[str]
    citations: list[Citation]


class SourceInfo(BaseModel):
    id: str
    title: str | None = None
    url: str | None = None
    origin: str | None = None
    text: str


class Versions(BaseModel):
    package: str
    #: Prompt name -> hash of the template that produced this result.
    prompts: dict[str, str] = {}
    model: str | None = None
    extractor: str
    writer: str


class SummaryResult(BaseModel):
    """The product: a headline and sentences that each cite exact spans of the sources."""

    headline: str
    sentences: list[SummarySentence]
    event_type: EventType = EventType.OTHER
    facts: list[MergedFact] = []
    figures: list[MergedFigure] = []
    conflicts: list[Conflict] = []
    actors: list[MergedActor] = []
    places: list[MergedPlace] = []
    times: list[MergedTime] = []
    quotes: list[MergedQuote] = []
    sources: list[SourceInfo]
    usage: Usage = Usage()
    #: The same accounting per LLM call ("extract S1", ..., "write"), re-asks included.
    usage_by_call: dict[str, Usage] = {}
    warnings: list[str] = []
    failures: list[SourceFailure] = []
    #: Per source: attempts, chunks, items aligned per status, and items dropped because
    #: their evidence never aligned (counted, never kept).
    diagnostics: dict[str, ExtractionDiagnostics] = {}
    versions: Versions
    status: Literal["complete", "partial"] = "complete"

    def to_markdown(self) -> str:
        from summarizer.render.report import to_markdown

        return to_markdown(self)

    def to_html(self) -> str:
        from summarizer.render.report import to_html

        return to_html(self)
