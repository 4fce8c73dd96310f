"""Fact ids → citations, and the final ``SummaryResult``.

This is the last gate of guarantee 1: every citation that leaves the package is checked
here against the source text (``quote == source.text[start:end]``). A span that fails the
check is never emitted: it is removed with a warning, and a sentence left without any
citation is removed too (with a warning), because an uncited sentence is exactly what the
product promises not to print. Nothing upstream should produce such a span; the check is
cheap and turns a silent bug into a visible warning.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import TypeVar

from summarizer.core.events import SourceEvent, SourceFailure
from summarizer.core.results import (
    MergedActor,
    MergedEvent,
    MergedFact,
    MergedFigure,
    MergedPlace,
    MergedQuote,
    MergedTime,
    SourceInfo,
    SummaryResult,
    SummarySentence,
    Versions,
)
from summarizer.core.source import Source
from summarizer.core.types import Citation, Usage
from summarizer.write.writer import WrittenSummary


def citation_ok(citation: Citation, texts: dict[str, str]) -> bool:
    text = texts.get(citation.source_id)
    return (
        text is not None
        and 0 <= citation.start <= citation.end <= len(text)
        and text[citation.start : citation.end] == citation.quote
        and bool(citation.quote)
    )


def resolve_citations(
    merged: MergedEvent, ids: Sequence[str], sources: Sequence[Source]
) -> list[Citation]:
    """The verified, distinct spans behind ``ids``, in source order then text order."""
    texts = {s.id: s.text for s in sources}
    order = {s.id: i for i, s in enumerate(sources)}
    seen: dict[tuple[str, int, int], Citation] = {}
    for item_id in ids:
        for citation in merged.citations_for(item_id) or []:
            if citation_ok(citation, texts):
                seen.setdefault((citation.source_id, citation.start, citation.end), citation)
    return sorted(
        seen.values(),
        key=lambda c: (order.get(c.source_id, len(order)), c.source_id, c.start, c.end),
    )


_Item = TypeVar("_Item", MergedFact, MergedActor, MergedPlace, MergedTime, MergedQuote)


def _verified(items: Iterable[_Item], texts: dict[str, str], dropped: list[str]) -> list[_Item]:
    """Copies of merged items keeping only spans that pass the check."""
    out = []
    for item in items:
        good = [c for c in item.citations if citation_ok(c, texts)]
        dropped.extend(item.id for _ in range(len(item.citations) - len(good)))
        if good:
            out.append(item.model_copy(update={"citations": good}))
    return out


def _verified_figures(
    figures: Iterable[MergedFigure], texts: dict[str, str], dropped: list[str]
) -> list[MergedFigure]:
    out = []
    for figure in figures:
        good = [r for r in figure.reports if citation_ok(r.citation, texts)]
        dropped.extend(figure.id for _ in range(len(figure.reports) - len(good)))
        if good:
            out.append(figure.model_copy(update={"reports": good}))
    return out


@functools.cache
def package_version() -> str:
    """This package's version, read once: ``importlib.metadata`` parses the installed
    METADATA file on every call, about 3% of a batch run's CPU when asked per result."""
    try:
        return metadata.version("summarizer")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def assemble_result(
    *,
    merged: MergedEvent,
    written: WrittenSummary,
    sources: Sequence[Source],
    events: Sequence[SourceEvent] = (),
    failures: Sequence[SourceFailure] = (),
    warnings: Sequence[str] = (),
    config_warnings: Sequence[str] = (),
    model: str | None = None,
    writer: str | None = None,
    usage: Usage | None = None,
) -> SummaryResult:
    """Resolve the written summary's ids and package everything a user gets back.

    ``usage`` is the whole run's usage when given; otherwise extraction usage (summed by
    the merger) plus the writer's. ``writer`` defaults to the writer that produced
    ``written``; ``events`` supply extraction prompt hashes beyond those the merger kept.
    ``config_warnings`` are those of ``warnings`` about the run's set-up, not the news:
    the result lists them in ``configuration_warnings`` too, and its reports leave them out
    of their notes (one missing from ``warnings`` is added to it, so none is lost).
    """
    texts = {s.id: s.text for s in sources}
    run_warnings = [*warnings, *written.warnings]

    sentences: list[SummarySentence] = []
    for index, sentence in enumerate(written.sentences, start=1):
        citations = resolve_citations(merged, sentence.fact_ids, sources)
        if not citations:
            run_warnings.append(
                f"sentence {index} removed: none of its ids ({', '.join(sentence.fact_ids)}) "
                "resolved to a verified span"
            )
            continue
        sentences.append(
            SummarySentence(text=sentence.text, fact_ids=sentence.fact_ids, citations=citations)
        )

    dropped: list[str] = []
    facts = _verified(merged.facts, texts, dropped)
    figures = _verified_figures(merged.figures, texts, dropped)
    actors = _verified(merged.actors, texts, dropped)
    places = _verified(merged.places, texts, dropped)
    times = _verified(merged.times, texts, dropped)
    quotes = _verified(merged.quotes, texts, dropped)
    if dropped:
        run_warnings.append(
            f"{len(dropped)} citation(s) removed because they did not match their source "
            f"text (items {', '.join(dict.fromkeys(dropped))})"
        )

    prompts: dict[str, str] = {}
    extract_hashes = list(
        dict.fromkeys([*merged.prompt_hashes, *(e.prompt_hash for e in events if e.prompt_hash)])
    )
    if extract_hashes:
        prompts["extract"] = ",".join(extract_hashes)
    if written.prompt_hash:
        prompts["write"] = written.prompt_hash
    extractors = list(dict.fromkeys([*merged.extractors, *(e.extractor for e in events)]))

    return SummaryResult(
        headline=written.headline,
        sentences=sentences,
        event_type=merged.event_type,
        facts=facts,
        figures=figures,
        conflicts=merged.conflicts,
        actors=actors,
        places=places,
        times=times,
        quotes=quotes,
        sources=[
            SourceInfo(id=s.id, title=s.title, url=s.url, origin=s.origin, text=s.text)
            for s in sources
        ],
        usage=usage if usage is not None else merged.usage + written.usage,
        warnings=list(dict.fromkeys([*run_warnings, *config_warnings])),
        configuration_warnings=list(dict.fromkeys(config_warnings)),
        failures=list(failures),
        diagnostics={event.source_id: event.diagnostics for event in events},
        usage_by_call={
            **{f"extract {event.source_id}": event.usage for event in events},
            **{f"extract {failure.source_id}": failure.usage for failure in failures},
            "write": written.usage,
        },
        versions=Versions(
            package=package_version(),
            prompts=prompts,
            model=model,
            extractor=",".join(extractors) or "unknown",
            writer=writer or written.writer,
        ),
        status="partial" if failures else "complete",
    )
