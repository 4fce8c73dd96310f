"""What both renderings share: one number per cited span, figure wording, usage, safe links.

Markdown and HTML number citations the same way: each distinct span gets a number in order
of first use, sentences first, then the conflicts' sides, so ``[3]`` means one span in
both formats. Output is a pure function of the result (no clock, no randomness), so
rendering the same result twice gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from summarizer.core.results import MergedFigure, SummaryResult
from summarizer.core.types import Citation, Usage

Key = tuple[str, int, int]


def span_key(citation: Citation) -> Key:
    return (citation.source_id, citation.start, citation.end)


def number_citations(result: SummaryResult) -> dict[Key, int]:
    """One number per distinct span: sentences' spans first, then conflicts' sides."""
    numbers: dict[Key, int] = {}

    def add(citations: Iterable[Citation]) -> None:
        for citation in citations:
            numbers.setdefault(span_key(citation), len(numbers) + 1)

    for sentence in result.sentences:
        add(sentence.citations)
    for conflict in result.conflicts:
        for side in sides(result, conflict.figure_ids):
            add(side.citations)
    return numbers


def sides(result: SummaryResult, ids: Iterable[str]) -> list[MergedFigure]:
    by_id = {f.id: f for f in result.figures}
    return [by_id[i] for i in ids if i in by_id]


def flat(text: str) -> str:
    return " ".join(text.split())


def status_label(figure: MergedFigure) -> str:
    """'agreed' would hide that sources describe the same number as different things."""
    label = figure.status.value
    if figure.wording_differs:
        label += ", wording differs"
    if figure.background:  # another time or event than the cluster's own: context only
        label += f", background ({figure.background})"
    return label


def figure_value(figure: MergedFigure) -> str:
    value = figure.value
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"
    unit = f" {figure.unit}" if figure.unit else ""
    return f"{'about ' if figure.approximate else ''}{text}{unit}"


def all_citations(result: SummaryResult) -> dict[Key, Citation]:
    found: dict[Key, Citation] = {}
    for sentence in result.sentences:
        for citation in sentence.citations:
            found.setdefault(span_key(citation), citation)
    for figure in result.figures:
        for citation in figure.citations:
            found.setdefault(span_key(citation), citation)
    return found


def usage_line(usage: Usage) -> str:
    parts = [
        f"{usage.requests} request(s)",
        f"{usage.prompt_tokens + usage.completion_tokens} tokens",
    ]
    if usage.cost_usd:
        parts.append(f"${usage.cost_usd:.4f}")
    return ", ".join(parts)


def safe_url(url: str) -> bool:
    return re.fullmatch(r"https?://[^\s<>\"'`]+", url) is not None
