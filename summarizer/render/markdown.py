"""``SummaryResult`` → Markdown with numbered citations and the quoted spans per source.

Every string that came from an article, a model or the user's files (source ids and titles
included) is made inert with backslash escapes of
Markdown's active characters, because raw HTML or a link in an article would otherwise pass
through to whatever viewer shows the file. Numbering is :mod:`summarizer.render.numbering`'s.
"""

from __future__ import annotations

import re

from summarizer.core.results import SourceInfo, SummaryResult
from summarizer.core.types import Citation
from summarizer.render.numbering import (
    all_citations,
    figure_value,
    flat,
    number_citations,
    safe_url,
    sides,
    span_key,
    status_label,
    usage_line,
)

__all__ = ["md_escape", "to_markdown"]

_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: str) -> str:
    """Article or model text made inert in Markdown (no HTML, links or emphasis)."""
    return _MD_ACTIVE.sub(r"\\\1", flat(text))


def to_markdown(result: SummaryResult) -> str:
    numbers = number_citations(result)
    spans = all_citations(result)
    out = [f"# {md_escape(result.headline)}", ""]
    paragraph = []
    for sentence in result.sentences:
        marks = "".join(f"[{numbers[span_key(c)]}]" for c in sentence.citations)
        paragraph.append(f"{md_escape(sentence.text)} {marks}")
    out += [" ".join(paragraph), ""]

    if result.conflicts:
        out += ["## Sources disagree", ""]
        for conflict in result.conflicts:
            claims = "; ".join(
                f"{md_escape(figure_value(side))} ({_ids(side.source_ids)}) "
                + "".join(f"[{numbers[span_key(c)]}]" for c in side.citations)
                for side in sides(result, conflict.figure_ids)
            )
            out.append(f"- **{md_escape(conflict.what)}**: {claims}")
        out.append("")

    if result.figures:
        out += ["## Figures", "", "| Figure | Value | Sources | Status |", "|---|---|---|---|"]
        for figure in result.figures:
            what = " / ".join(dict.fromkeys(md_escape(r.what) for r in figure.reports))
            out.append(
                f"| {what} | {md_escape(figure_value(figure))} | {_ids(figure.source_ids)} "
                f"| {md_escape(status_label(figure))} |"
            )
        out.append("")

    out += ["## Sources", ""]
    by_source: dict[str, list[tuple[int, Citation]]] = {}
    for key, number in numbers.items():
        by_source.setdefault(key[0], []).append((number, spans[key]))
    for source in result.sources:
        out.append(f"### {md_escape(source.id)}{_md_source_label(source)}")
        out.append("")
        for number, citation in sorted(by_source.get(source.id, [])):
            # Not an ordered list: viewers renumber those 1, 2, 3 and break the links.
            out.append(f"- **[{number}]** “{md_escape(citation.quote)}”")
        out.append("")

    notes = result.report_notes()
    if notes:
        out += ["## Notes", "", *(f"- {md_escape(n)}" for n in notes), ""]
    versions = result.versions
    out.append(
        f"_summarizer {md_escape(versions.package)} · extractor {md_escape(versions.extractor)} · "
        f"writer {md_escape(versions.writer)} · {usage_line(result.usage)} · "
        f"{result.status}_"
    )
    return "\n".join(out) + "\n"


def _ids(source_ids: list[str]) -> str:
    """Source ids come from the user's files (a JSONL ``id``): text like any other."""
    return ", ".join(md_escape(source_id) for source_id in source_ids)


def _md_source_label(source: SourceInfo) -> str:
    parts = [md_escape(source.title)] if source.title else []
    if source.url:
        parts.append(f"<{source.url}>" if safe_url(source.url) else md_escape(source.url))
    return (": " + " — ".join(parts)) if parts else ""
