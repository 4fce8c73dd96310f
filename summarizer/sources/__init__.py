"""The load stage: every input form (files, folders, stdin, URLs, JSONL clusters, Multi-News
documents) turned into ``Source`` objects, or a ``BadInputError`` naming the input at fault."""

from __future__ import annotations

from summarizer.sources.clusters import ClusterLine, iter_clusters, parse_cluster
from summarizer.sources.decode import decode_text
from summarizer.sources.load import LoadedSources, load_sources

__all__ = [
    "ClusterLine",
    "LoadedSources",
    "decode_text",
    "iter_clusters",
    "load_sources",
    "parse_cluster",
]
