"""summarizer: several news articles about one event in, one cited summary out.

    from summarizer import summarize
    result = summarize(["a.txt", "b.txt"])          # or summarize_async(...)
    print(result.to_markdown())

Names are imported lazily so that ``import summarizer`` (and the CLI's start) stays fast:
the LLM stack is only loaded when a model is actually called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from summarizer.core.errors import BadInputError, ConfigError, LLMError, SummarizerError
from summarizer.core.options import RunOptions
from summarizer.core.settings import LLMSettings

if TYPE_CHECKING:
    from summarizer.core.results import SummaryResult
    from summarizer.core.source import Source
    from summarizer.pipeline import extract_async, summarize, summarize_async
    from summarizer.sources.load import load_sources

__all__ = [
    "BadInputError",
    "ConfigError",
    "LLMError",
    "LLMSettings",
    "RunOptions",
    "Source",
    "SummarizerError",
    "SummaryResult",
    "extract_async",
    "load_sources",
    "summarize",
    "summarize_async",
]

_LAZY = {
    "summarize": "summarizer.pipeline",
    "summarize_async": "summarizer.pipeline",
    "extract_async": "summarizer.pipeline",
    "SummaryResult": "summarizer.core.results",
    "Source": "summarizer.core.source",
    "load_sources": "summarizer.sources.load",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
