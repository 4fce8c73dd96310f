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

Two layouts are declared explicitly rather than left to inheritance: pydantic orders fields
base class first, but the JSON users (and the golden outputs) already hold puts a summary's
``headline`` before its items and an item's ``citations`` after its own fields. A model whose
JSON order differs from its declaration order names it in ``json_order`` (checked against its
fields when the class is created, so a new field cannot be forgotten).

Rendering is the ``summarizer.render`` stage, above this one: it registers its functions here
(:func:`register_renderer`) when imported, so ``SummaryResult.to_markdown()`` stays a method
without this module importing the stage that depends on it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from summarizer.core.errors import SummarizerError
from summarizer.core.events import ExtractionDiagnostics, SourceFailure
from summarizer.core.schema import ActorKind, EventType
from summarizer.core.types import Citation, Usage


class OrderedModel(BaseModel):
    """A model whose JSON lists its fields in ``json_order`` (declaration order if empty)."""

    json_order: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        order = cls.__dict__.get("json_order", ())
        if order and sorted(order) != sorted(cls.model_fields):
            missing = sorted(set(cls.model_fields) - set(order))
            unknown = sorted(set(order) - set(cls.model_fields))
            raise TypeError(
                f"{cls.__name__}.json_order must name every field once "
                f"(missing {missing}, unknown {unknown})"
            )

    @model_serializer(mode="wrap")
    def _in_json_order(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        order = type(self).__dict__.get("json_order", ())
        if not order:
            return data
        return {name: data[name] for name in order if name in data}


class FigureStatus(StrEnum):
    """How the sources relate on one figure (guarantee 5: disagreement is shown)."""

    AGREED = "agreed"  # two or more sources give this value for this thing
    CONFLICT = "conflict"  # sources give different values for the same thing
    SINGLE = "single"  # only one source reports it


class MergedItem(OrderedModel):
    """Anything the writer can cite: one id in the namespace described above."""

    id: str


class SourcedItem(MergedItem):
    """A merged item reported by one or more sources (a conflict is not: its sides are)."""

    source_ids: list[str]

    @property
    def single(self) -> bool:
        return len(self.source_ids) == 1


class CitedItem(SourcedItem):
    """A merged item that keeps the spans behind it (a figure keeps them per report)."""

    citations: list[Citation]


class MergedFact(CitedItem):
    json_order = ("id", "statement", "citations", "source_ids", "score")

    statement: str
    #: Highest extractor score among the merged statements (centrality or model rank).
    score: float = 0.0


class FigureReport(BaseModel):
    """One source's wording of a figure, kept so that differences stay visible."""

    source_id: str
    what: str
    approximate: bool = False
    citation: Citation


class MergedFigure(SourcedItem):
    """One value of one counted thing, with every source that reports that value.

    When sources give different values for the same thing, each value is its own
    ``MergedFigure`` with status ``conflict`` and the same ``conflict_id``.
    """

    json_order = (
        "id",
        "what",
        "value",
        "unit",
        "approximate",
        "status",
        "conflict_id",
        "wording_differs",
        "reports",
        "source_ids",
        "background",
    )

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
    #: Set when the figure belongs to another time or event than the cluster's own: the
    #: words that say so ("In 2012"). Such figures are context, not the event's count.
    background: str | None = None

    @property
    def citations(self) -> list[Citation]:
        return [report.citation for report in self.reports]


class Conflict(MergedItem):
    """Sources giving different values for the same thing; ``figure_ids`` are the sides."""

    what: str
    figure_ids: list[str]


class MergedActor(CitedItem):
    json_order = ("id", "name", "kind", "aliases", "roles", "citations", "source_ids")

    name: str
    kind: ActorKind
    aliases: list[str]
    roles: list[str]


class MergedPlace(CitedItem):
    json_order = ("id", "name", "aliases", "citations", "source_ids")

    name: str
    aliases: list[str]


class MergedTime(CitedItem):
    json_order = ("id", "text", "iso", "citations", "source_ids")

    text: str
    iso: str | None = None


class MergedQuote(CitedItem):
    json_order = ("id", "speaker", "text", "citations", "source_ids")

    speaker: str
    text: str


class EventItems(OrderedModel):
    """The merged items of one event, declared once for ``MergedEvent`` and ``SummaryResult``."""

    event_type: EventType = EventType.OTHER
    facts: list[MergedFact] = []
    figures: list[MergedFigure] = []
    conflicts: list[Conflict] = []
    actors: list[MergedActor] = []
    places: list[MergedPlace] = []
    times: list[MergedTime] = []
    quotes: list[MergedQuote] = []

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


#: The item fields in the order both result models list them.
_ITEM_FIELDS = tuple(EventItems.model_fields)


class MergedEvent(EventItems):
    """All sources' grounded events as one: the writer's only input."""

    json_order = (
        "source_ids",
        "headlines",
        *_ITEM_FIELDS,
        "extractors",
        "prompt_hashes",
        "usage",
    )

    source_ids: list[str]
    headlines: list[str]
    #: Extractor names (model or ``builtin``) and extraction prompt hashes, in source order.
    extractors: list[str] = []
    prompt_hashes: list[str] = []
    usage: Usage = Usage()


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


class RendererNotLoadedError(SummarizerError):
    """A result was asked for Markdown or HTML before ``summarizer.render`` was imported."""


Format = Literal["markdown", "html"]
_RENDERERS: dict[Format, Callable[[SummaryResult], str]] = {}


def register_renderer(fmt: Format, render: Callable[[SummaryResult], str]) -> None:
    """Called by ``summarizer.render`` on import; the last registration of a format wins."""
    _RENDERERS[fmt] = render


class SummaryResult(EventItems):
    """The product: a headline and sentences that each cite exact spans of the sources."""

    json_order = (
        "headline",
        "sentences",
        *_ITEM_FIELDS,
        "sources",
        "usage",
        "usage_by_call",
        "warnings",
        "configuration_warnings",
        "failures",
        "diagnostics",
        "versions",
        "status",
    )

    headline: str
    sentences: list[SummarySentence]
    sources: list[SourceInfo]
    usage: Usage = Usage()
    #: The same accounting per LLM call ("extract S1", ..., "write"), re-asks included.
    usage_by_call: dict[str, Usage] = {}
    #: Everything the user should know about the run: about the news (repeated text removed,
    #: items dropped, a source failed) and about its set-up (listed again below).
    warnings: list[str] = []
    #: The entries of ``warnings`` about configuration, not the news: why the built-in
    #: extractor was chosen, mode fallbacks, unknown prices, cache trouble. Stderr and the
    #: JSON carry them; the Markdown and HTML reports, which a newsroom publishes, do not.
    configuration_warnings: list[str] = []
    failures: list[SourceFailure] = []
    #: Per source: attempts, chunks, items aligned per status, and items dropped because
    #: their evidence never aligned (counted, never kept).
    diagnostics: dict[str, ExtractionDiagnostics] = {}
    versions: Versions
    status: Literal["complete", "partial"] = "complete"

    def report_notes(self) -> list[str]:
        """The notes a published report shows: the warnings about the news, then failures.

        The one rule both renderers follow (configuration warnings are left out), so the
        Markdown and HTML reports cannot disagree about what is news.
        """
        configuration = set(self.configuration_warnings)
        return [
            *(warning for warning in self.warnings if warning not in configuration),
            *(f"{f.source_id} failed ({f.stage}): {f.reason}" for f in self.failures),
        ]

    def to_markdown(self) -> str:
        return self._render("markdown")

    def to_html(self) -> str:
        return self._render("html")

    def _render(self, fmt: Format) -> str:
        render = _RENDERERS.get(fmt)
        if render is None:
            raise RendererNotLoadedError(
                f"no {fmt} renderer is loaded: import summarizer.render (importing it from "
                "summarizer, or running summarizer.pipeline, does this for you)"
            )
        return render(self)
