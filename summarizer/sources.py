"""Sources: loading, clean-up and sentence offsets.

(Skeleton: the model below is the contract; loaders are being written.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Source(BaseModel):
    """One article: stable id, normalised text, and sentence spans into that text."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    #: Where it came from (a path, URL, ``<stdin>`` or ``file.jsonl:3``), for messages.
    origin: str | None = None
    #: ``(start, end)`` of each sentence in ``text``.
    sentences: tuple[tuple[int, int], ...] = ()


class Cluster(BaseModel):
    """Several sources about one event, with an optional reference summary (for eval)."""

    id: str
    sources: list[Source]
    reference: str | None = None
    warnings: list[str] = []
