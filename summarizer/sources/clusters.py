"""Clusters: JSONL files of several events, and Multi-News documents of several articles.

A clusters JSONL holds one event per line, ``{"id", "sources": [{"id", "text", "title",
"url", "published"|"date"}], "reference"}``; :func:`iter_clusters` streams it so a batch run's
memory stays flat, and turns a bad line into an item carrying the error (``file:line``) rather
than an exception, so the run reports that line and goes on (guarantee 3).

A Multi-News document is one text holding several articles, separated by ``|||||`` or
``story_separator_special_tag``, with ``NEWLINE_CHAR`` for newlines; the loaders split it
into one source per article (:func:`multinews_stories`).

Within one cluster, two sources with the same text after clean-up are merged, keeping the
first, with a warning (:func:`merge_identical`): summarising one article twice would count
its every statement as confirmed by two sources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from summarizer.core.errors import BadInputError
from summarizer.core.source import (
    Cluster,
    Source,
    build_source,
    headline_warning,
    normalize_published,
)
from summarizer.text.clean import is_blank

__all__ = ["ClusterLine", "is_multinews", "iter_clusters", "merge_identical", "multinews_stories"]

_MULTINEWS_SEPARATOR = re.compile(r"\|\|\|\|\||story_separator_special_tag")


def is_multinews(text: str) -> bool:
    return "NEWLINE_CHAR" in text or _MULTINEWS_SEPARATOR.search(text) is not None


def multinews_stories(text: str) -> list[tuple[int, str]]:
    """``(article number, text)`` of each non-empty story (numbers count the empty ones too)."""
    stories = _MULTINEWS_SEPARATOR.split(text.replace("NEWLINE_CHAR", "\n"))
    return [(number, story) for number, story in enumerate(stories, 1) if not is_blank(story)]


def merge_identical(sources: list[Source], warnings: list[str]) -> list[Source]:
    first_by_text: dict[str, Source] = {}
    kept: list[Source] = []
    for source in sources:
        original = first_by_text.get(source.text)
        if original is None:
            first_by_text[source.text] = source
            kept.append(source)
            continue
        warnings.append(
            f"{source.origin or source.id} has the same text as {original.origin or original.id}; "
            f"kept once as {original.id}"
        )
    return kept


@dataclass(frozen=True)
class ClusterLine:
    """One line of a clusters JSONL: a cluster, or the error that line caused."""

    line_no: int
    cluster: Cluster | None
    error: BadInputError | None
    #: The ``id`` a bad line gives, when it is JSON with one (a failure record names it).
    cluster_id: str | None = None


def _parse_cluster(raw_line: bytes, where: str, line_no: int) -> Cluster:
    try:
        record = json.loads(raw_line)
    except UnicodeDecodeError as exc:
        problem = f"is not valid UTF-8 (byte offset {exc.start} in the line)"
        raise BadInputError(where, problem) from exc
    except json.JSONDecodeError as exc:
        # Some of json's messages end in "at" ("Invalid control character at"): the
        # position is what follows them.
        what = exc.msg.removesuffix(" at")
        problem = f"is not valid JSON ({what} at line {exc.lineno} column {exc.colno})"
        raise BadInputError(where, problem) from exc
    if not isinstance(record, dict):
        raise BadInputError(where, "is not a JSON object")
    items = record.get("sources")
    if not isinstance(items, list):
        raise BadInputError(where, 'has no "sources" list')
    if not items:
        raise BadInputError(where, 'has an empty "sources" list')
    sources: list[Source] = []
    warnings: list[str] = []
    seen_ids: set[str] = set()
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise BadInputError(where, f"source {number} is not a JSON object")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadInputError(where, f"source {number} has no text")
        given = item.get("id")
        source_id = str(given) if given is not None and str(given) else f"S{number}"
        if source_id in seen_ids:
            raise BadInputError(where, f"source id {source_id} is used twice")
        seen_ids.add(source_id)
        title = item.get("title")
        url = item.get("url")
        try:
            source, removed, headlines = build_source(
                source_id,
                text,
                title=title if isinstance(title, str) else None,
                url=url if isinstance(url, str) and url else None,
                origin=f"{where} {source_id}",
                published=normalize_published(item.get("published"))
                or normalize_published(item.get("date")),
            )
        except BadInputError as exc:  # text made only of zero-width characters
            raise BadInputError(where, f"source {number} has no text") from exc
        if removed:
            warnings.append(f"{where} {source_id}: removed {removed:,} characters of repeated text")
        if headlines:
            warnings.append(headline_warning(f"{where} {source_id}", headlines))
        sources.append(source)
    given_id = record.get("id")
    cluster_id = str(given_id) if given_id is not None and str(given_id) else f"line-{line_no}"
    reference = record.get("reference")
    kept = merge_identical(sources, warnings)
    return Cluster(
        id=cluster_id,
        sources=kept,
        reference=reference if isinstance(reference, str) else None,
        warnings=warnings,
    )


def parse_cluster(raw_line: bytes, where: str, line_no: int = 0) -> Cluster:
    """One JSONL cluster line, parsed exactly as ``iter_clusters`` parses each of its lines.

    Public for runners that get lines from elsewhere (Ray Data reads files in blocks);
    ``where`` names the line in messages and source origins.
    """
    return _parse_cluster(raw_line, where, line_no)


def _iter_lines(path: Path) -> Iterator[ClusterLine]:
    with path.open("rb") as handle:
        for line_no, raw_line in enumerate(handle, 1):
            if not raw_line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                yield ClusterLine(line_no, _parse_cluster(raw_line, where, line_no), None)
            except BadInputError as exc:
                yield ClusterLine(line_no, None, exc, _given_id(raw_line))


def _given_id(raw_line: bytes) -> str | None:
    try:
        record = json.loads(raw_line)
    except ValueError:
        return None
    given = record.get("id") if isinstance(record, dict) else None
    return str(given) if given is not None and str(given) else None


def iter_clusters(path: Path) -> Iterator[ClusterLine]:
    """Stream the clusters of a JSONL file, one line at a time (memory stays flat).

    A bad line becomes an item carrying a ``BadInputError`` naming ``file:line`` and
    iteration goes on, so a batch run can report it and continue. A missing or
    unreadable file raises at once, before any iteration.
    """
    path = Path(path)
    if not path.exists():
        raise BadInputError(str(path), "no such file or directory")
    if path.is_dir():
        raise BadInputError(str(path), "is a folder, not a JSONL file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise BadInputError(str(path), exc.strerror or "cannot be read") from exc
    return _iter_lines(path)
