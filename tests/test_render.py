"""Markdown and HTML renderings: numbering, escaping, self-containment, determinism."""

from __future__ import annotations

import html
import re
import subprocess
import sys

from test_cite import sunflower_result

from summarizer.core.events import GroundedFact, GroundedFigure, SourceEvent
from summarizer.core.results import SummaryResult
from summarizer.core.source import Source
from summarizer.core.types import Citation
from summarizer.merge.merger import merge_events
from summarizer.render import number_citations
from summarizer.write.cite import assemble_result
from summarizer.write.writer import write_extractive

HOSTILE = (
    'Police said <script>alert("x")</script> was found & 12 <b>people</b> were held. '
    "Officials confirmed the 12 arrests on Friday."
)


def hostile_result() -> SummaryResult:
    source = Source(
        id="evil",
        text=HOSTILE,
        title="<img src=x onerror=alert(1)> Title",
        url="https://example.org/a?x=1&y=2",
    )
    other = Source(id="links", text="Nothing to see.", url="javascript:alert(1)")
    quote = 'Police said <script>alert("x")</script> was found & 12 <b>people</b> were held.'
    start = HOSTILE.index(quote)
    citation = Citation(source_id="evil", start=start, end=start + len(quote), quote=quote)
    fact = GroundedFact(statement=quote, evidence=quote, citation=citation)
    event = SourceEvent(source_id="evil", headline="<i>Raid</i>", extractor="x", facts=[fact])
    merged = merge_events([event], [source, other])
    return assemble_result(merged=merged, written=write_extractive(merged), sources=[source, other])


def test_markdown_numbers_citations_in_order_of_first_use() -> None:
    result = sunflower_result()
    markdown = result.to_markdown()
    numbers = number_citations(result)
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))
    marks = [int(n) for n in re.findall(r"\[(\d+)\]", markdown.split("\n## ")[0])]
    assert marks and marks[0] == 1
    first_use = list(dict.fromkeys(marks))
    assert first_use == list(range(1, len(first_use) + 1))
    # Every sentence is followed by its citation numbers.
    for sentence in result.sentences:
        cites = "".join(f"[{numbers[(c.source_id, c.start, c.end)]}]" for c in sentence.citations)
        assert f" {cites}" in markdown
    # Then the sources with the quoted evidence, numbered the same way.
    assert "## Sources" in markdown and "### source-1" in markdown
    for (source_id, start, end), number in numbers.items():
        text = next(s.text for s in result.sources if s.id == source_id)
        quote = " ".join(text[start:end].split())
        assert f"- **[{number}]** “" in markdown
        assert quote[:20].replace("(", "").split()[0] in markdown
    assert "## Sources disagree" in markdown
    assert "**age of the girl**: 11 (source-1)" in markdown


def test_markdown_escapes_article_html() -> None:
    markdown = hostile_result().to_markdown()
    # No raw tag survives: every "<" from the article is backslash-escaped.
    assert re.findall(r"(?<!\\)<(?!https://)[A-Za-z/]", markdown) == []
    assert r"\<script\>" in markdown and r"\<img src=x" in markdown
    assert "<https://example.org/a?x=1&y=2>" in markdown
    assert "javascript:" not in markdown.replace(r"javascript:alert(1)", "")  # shown, not linked
    assert "(javascript:" not in markdown and "<javascript:" not in markdown


def test_html_escapes_every_piece_of_article_text() -> None:
    page = hostile_result().to_html()
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<b>people</b>" not in page and "&lt;b&gt;people&lt;/b&gt;" in page
    assert "<img" not in page and "&lt;img src=x" in page
    assert "<i>Raid</i>" not in page
    assert page.count("<script>") == 1  # the report's own inline script only
    assert 'href="javascript:' not in page


def test_html_is_self_contained() -> None:
    for result in (sunflower_result(), hostile_result()):
        page = result.to_html()
        assert not re.search(r"<[^>]*\ssrc\s*=", page)  # no src attribute on any tag
        assert "<link" not in page and "@import" not in page and "url(" not in page
        external = re.findall(r'href="(https?://[^"]*)"', page)
        # The only links out are the sources' own pages, as plain navigation anchors.
        assert external == [
            html.escape(s.url or "") for s in result.sources if s.url and s.url.startswith("http")
        ]
        assert "<style>" in page and "<script>" in page


def test_html_highlights_every_cited_span_and_keeps_the_text_intact() -> None:
    result = sunflower_result()
    page = result.to_html()
    numbers = number_citations(result)
    for number in numbers.values():
        assert f'<span id="c{number}"></span>' in page
        assert f'href="#c{number}" data-n="{number}"' in page
        assert re.search(rf'<mark class="ev" data-c="[^"]*\b{number}\b', page)
    # Removing the markup from each source block gives back the exact source text.
    blocks = re.findall(r'<div class="text">(.*?)</div></div>', page, flags=re.S)
    assert len(blocks) == len(result.sources)
    for block, source in zip(blocks, result.sources, strict=True):
        assert html.unescape(re.sub(r"<[^>]+>", "", block)) == source.text
    assert 'class="conflicts"' in page and "Sources disagree" in page


def test_rendering_is_deterministic() -> None:
    assert sunflower_result().to_html() == sunflower_result().to_html()
    assert sunflower_result().to_markdown() == sunflower_result().to_markdown()
    saved = SummaryResult.model_validate_json(sunflower_result().model_dump_json())
    assert saved.to_html() == sunflower_result().to_html()


# --------------------------------------------------------------------------- registration


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_a_result_without_the_render_stage_says_so() -> None:
    # core.results sits below render and does not import it: until something imports the
    # stage, asking for Markdown is an explicit error naming the fix, not an AttributeError.
    probe = (
        "import sys\n"
        "from summarizer.core.results import RendererNotLoadedError, SummaryResult, Versions\n"
        "result = SummaryResult(headline='h', sentences=[], sources=[],"
        " versions=Versions(package='0', extractor='builtin', writer='extractive'))\n"
        "assert 'summarizer.render' not in sys.modules\n"
        "try:\n"
        "    result.to_markdown()\n"
        "except RendererNotLoadedError as error:\n"
        "    print(error)\n"
        "import summarizer.render\n"
        "print(result.to_markdown().splitlines()[0])\n"
    )
    done = _run_python(probe)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert "no markdown renderer is loaded: import summarizer.render" in first
    assert second == "# h"


def test_the_public_facade_brings_the_renderers() -> None:
    probe = (
        "from summarizer import SummaryResult\n"
        "from summarizer.core.results import Versions\n"
        "result = SummaryResult(headline='h', sentences=[], sources=[],"
        " versions=Versions(package='0', extractor='builtin', writer='extractive'))\n"
        "print(result.to_html().splitlines()[0])\n"
    )
    done = _run_python(probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "<!DOCTYPE html>"


def hostile_id_result() -> SummaryResult:
    """A JSONL id and title made of HTML, and a figure, so ids reach headings and tables."""
    evil_id = "<img src=x onerror=alert(7)>"
    text = "Police said 12 people were held on Friday. Officials confirmed the 12 arrests."
    source = Source(id=evil_id, text=text, title="<b>Title</b> | pipe")
    quote = "12 people were held"
    start = text.index(quote)
    citation = Citation(source_id=evil_id, start=start, end=start + len(quote), quote=quote)
    fact = GroundedFact(statement=text[:42], evidence=text[:42], citation=citation)
    figure = GroundedFigure(
        what="people held", value=12, evidence=quote, citation=citation, approximate=False
    )
    event = SourceEvent(
        source_id=evil_id, headline="x", extractor="x", facts=[fact], figures=[figure]
    )
    merged = merge_events([event], [source])
    return assemble_result(merged=merged, written=write_extractive(merged), sources=[source])


def test_source_ids_and_titles_are_escaped_in_markdown_and_html() -> None:
    result = hostile_id_result()
    assert result.figures  # the id reaches the figures table
    markdown = result.to_markdown()
    assert re.search(r"(?<!\\)<(img|b)", markdown) is None  # every "<" escaped
    assert "### \\<img src=x onerror=alert(7)\\>" in markdown
    table = [line for line in markdown.splitlines() if line.startswith("| people held")]
    assert table and "\\<img src=x onerror=alert(7)\\>" in table[0]
    assert table[0].count(" | ") == 3  # no cell split by the user's text
    page = result.to_html()
    assert "<img" not in page and "<b>Title" not in page
    assert html.escape("<img src=x onerror=alert(7)>") in page
