"""The writers' common output: a headline and sentences citing merged item ids.

Both writers (the LLM writer in ``writer.py`` and ``extractive.py``) return a
``WrittenSummary``; ``cite.py`` then resolves the ids to exact source spans. It sits in
its own module so that the two writers and the headline choice can share it without
importing each other.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from summarizer.core.types import Usage


class WrittenSentence(BaseModel):
    text: str
    fact_ids: list[str]


class WrittenSummary(BaseModel):
    """A writer's output before ids are resolved to citations (see ``cite.py``)."""

    headline: str
    sentences: list[WrittenSentence]
    writer: Literal["llm", "extractive"]
    prompt_hash: str | None = None
    usage: Usage = Usage()
    warnings: list[str] = []
