"""summarizer: several news articles about one event in, one cited summary out.

    from summarizer import summarize
    result = summarize(["a.txt", "b.txt"])          # or summarize_async(...)
    print(result.to_markdown())

Names are resolved on first use (PEP 562 ``__getattr__``) so that ``import summarizer``, and
with it the command line's start, loads neither pydantic nor the LLM stack: ``summarizer
--help`` must answer in well under 0.3 s. Resolving ``SummaryResult`` or an entry point also
loads ``summarizer.render``, which registers the renderers behind ``SummaryResult.to_markdown()``
and ``.to_html()`` (the result models sit below the renderer and cannot import it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.core.errors import BadInputError, ConfigError, LLMError, SummarizerError
    from summarizer.core.options import RunOptions
    from summarizer.core.results import SummaryResult
    from summarizer.core.settings import LLMSettings
    from summarizer.core.source import Source
    from summarizer.pipeline import extract_async, summarize, summarize_async
    from summarizer.sources import load_sources

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

#: Public name -> the module that defines it.
_HOMES = {
    "BadInputError": "summarizer.core.errors",
    "ConfigError": "summarizer.core.errors",
    "LLMError": "summarizer.core.errors",
    "SummarizerError": "summarizer.core.errors",
    "LLMSettings": "summarizer.core.settings",
    "RunOptions": "summarizer.core.options",
    "summarize": "summarizer.pipeline",
    "summarize_async": "summarizer.pipeline",
    "extract_async": "summarizer.pipeline",
    "SummaryResult": "summarizer.core.results",
    "Source": "summarizer.core.source",
    "load_sources": "summarizer.sources",
}
#: Names whose results are rendered: they bring the renderers along.
_RENDERED = frozenset({"SummaryResult", "summarize", "summarize_async"})


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    if name in _RENDERED:
        importlib.import_module("summarizer.render")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value
