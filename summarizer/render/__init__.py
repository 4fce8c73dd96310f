"""Rendering: a ``SummaryResult`` as Markdown or as a self-contained HTML report.

This stage sits above the result models and depends on them, never the other way round:
importing it registers its functions with :func:`summarizer.core.results.register_renderer`,
which is what ``SummaryResult.to_markdown()`` and ``.to_html()`` call. The library facade
(``summarizer``) and ``summarizer.pipeline`` import it, so a result obtained through either
renders without further ado.
"""

from __future__ import annotations

from summarizer.core.results import register_renderer
from summarizer.render.html import to_html
from summarizer.render.markdown import md_escape, to_markdown
from summarizer.render.numbering import number_citations

__all__ = ["md_escape", "number_citations", "to_html", "to_markdown"]

register_renderer("markdown", to_markdown)
register_renderer("html", to_html)
