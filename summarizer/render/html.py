"""``SummaryResult`` → a self-contained HTML report with the evidence highlighted in place.

Every string that came from an article or a model goes through ``html.escape`` (an article
containing ``<script>`` shows it as text). The report inlines its CSS and script and loads
nothing: no ``src``, no stylesheet link; the only links out are the sources' own http(s)
URLs. Numbering is :mod:`summarizer.render.numbering`'s, so ``[3]`` is the same span as in
the Markdown rendering.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable

from summarizer.core.results import SourceInfo, SummaryResult
from summarizer.core.types import Citation
from summarizer.render.numbering import (
    Key,
    figure_value,
    flat,
    number_citations,
    safe_url,
    sides,
    span_key,
    status_label,
    usage_line,
)

__all__ = ["to_html"]

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;
  color:#1d232b;background:#f6f7f9}
header{padding:18px 28px;background:#fff;border-bottom:1px solid #dde1e6}
h1{font-size:1.45em;margin:0 0 4px}
.meta{color:#5b6673;font-size:.85em}
main{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:22px;padding:22px 28px}
@media (max-width:900px){main{grid-template-columns:1fr}}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 18px;
  margin-bottom:18px}
h2{font-size:1.05em;margin:0 0 10px}
.summary p{margin:0 0 .6em}
.sentence.on{background:#fff4d6}
a.cite{font-size:.75em;vertical-align:super;text-decoration:none;color:#0b5cad;padding:0 1px}
a.cite:hover{text-decoration:underline}
.conflicts{border-color:#d64545;background:#fff6f6}
.conflicts h2{color:#b02a2a}
.conflicts li{margin-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border-bottom:1px solid #eceff2;padding:4px 6px;text-align:left;vertical-align:top}
.badge{display:inline-block;border-radius:9px;padding:0 7px;font-size:.8em}
.agreed{background:#dff3e4;color:#1e6b34}.conflict{background:#fde2e2;color:#a32020}
.single{background:#eceff2;color:#4b5563}
.sources{position:sticky;top:10px;max-height:calc(100vh - 20px);overflow:auto}
.source{border-top:1px solid #eceff2;padding-top:10px;margin-top:10px}
.source:first-child{border-top:0;margin-top:0;padding-top:0}
.source h3{font-size:.95em;margin:0 0 6px}
.text{white-space:pre-wrap;font-size:.92em}
mark.ev{background:#fdf1c4;padding:0;border-radius:2px}
mark.ev.on{background:#ffb347;outline:2px solid #e08a00}
:target+mark.ev{background:#ffb347}
.notes{font-size:.88em;color:#5b6673}
"""

_JS = """
(function(){
  function show(n){
    document.querySelectorAll('.on').forEach(function(e){e.classList.remove('on');});
    var marks=document.querySelectorAll('mark.ev[data-c~="'+n+'"]');
    marks.forEach(function(e){e.classList.add('on');});
    document.querySelectorAll('.sentence[data-c~="'+n+'"]').forEach(function(e){e.classList.add('on');});
    if(marks.length){marks[0].scrollIntoView({behavior:'smooth',block:'center'});}
  }
  document.addEventListener('click',function(ev){
    var a=ev.target.closest&&ev.target.closest('a.cite');
    if(!a){return;}
    ev.preventDefault();
    show(a.getAttribute('data-n'));
  });
})();
"""


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _cite_links(citations: Iterable[Citation], numbers: dict[Key, int]) -> str:
    return "".join(
        f'<a class="cite" href="#c{n}" data-n="{n}" title="{_e(c.source_id)}: '
        f'{_e(flat(c.quote))}">[{n}]</a>'
        for c in citations
        for n in [numbers[span_key(c)]]
    )


def _highlighted(source: SourceInfo, spans: list[tuple[int, int, int]]) -> str:
    """The source text with every numbered span wrapped; overlapping spans nest cleanly
    because the text is cut at every span boundary and each piece lists all its spans."""
    text = source.text
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starts: dict[int, list[int]] = {}
    for start, _, number in spans:
        starts.setdefault(start, []).append(number)
    pieces = []
    for a, b in itertools.pairwise(cuts):
        anchors = "".join(f'<span id="c{n}"></span>' for n in sorted(starts.get(a, [])))
        covering = sorted(n for s, e, n in spans if s <= a and b <= e)
        chunk = _e(text[a:b])
        if covering:
            data = " ".join(str(n) for n in covering)
            title = " ".join(f"[{n}]" for n in covering)
            pieces.append(
                f'{anchors}<mark class="ev" data-c="{data}" title="{title}">{chunk}</mark>'
            )
        else:
            pieces.append(anchors + chunk)
    return "".join(pieces)


def to_html(result: SummaryResult) -> str:
    numbers = number_citations(result)
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(result.headline)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(result.headline)}</h1>",
        f'<div class="meta">{len(result.sources)} source(s) · {_e(result.status)} · '
        f"extractor {_e(result.versions.extractor)} · writer {_e(result.versions.writer)} · "
        f"{_e(usage_line(result.usage))}</div></header>",
        "<main><div>",
    ]
    if result.conflicts:
        parts.append('<section class="conflicts"><h2>⚠ Sources disagree</h2><ul>')
        for conflict in result.conflicts:
            claims = "; ".join(
                f"<b>{_e(figure_value(side))}</b> ({_e(', '.join(side.source_ids))})"
                f"{_cite_links(side.citations, numbers)}"
                for side in sides(result, conflict.figure_ids)
            )
            parts.append(f"<li>{_e(conflict.what)}: {claims}</li>")
        parts.append("</ul></section>")

    parts.append('<section class="summary"><h2>Summary</h2>')
    for sentence in result.sentences:
        data = " ".join(str(numbers[span_key(c)]) for c in sentence.citations)
        parts.append(
            f'<p class="sentence" data-c="{data}">{_e(sentence.text)}'
            f"{_cite_links(sentence.citations, numbers)}</p>"
        )
    parts.append("</section>")

    if result.figures:
        parts.append(
            "<section><h2>Figures</h2><table><tr><th>Figure</th><th>Value</th>"
            "<th>Sources</th><th>Status</th></tr>"
        )
        for figure in result.figures:
            what = " / ".join(dict.fromkeys(_e(r.what) for r in figure.reports))
            status = figure.status.value
            parts.append(
                f"<tr><td>{what}</td><td>{_e(figure_value(figure))}</td>"
                f"<td>{_e(', '.join(figure.source_ids))}</td>"
                f'<td><span class="badge {status}">{_e(status_label(figure))}</span></td></tr>'
            )
        parts.append("</table></section>")

    if result.actors:
        parts.append("<section><h2>Who</h2><ul>")
        for actor in result.actors:
            aliases = f" <i>({_e(', '.join(actor.aliases))})</i>" if actor.aliases else ""
            roles = f": {_e('; '.join(actor.roles))}" if actor.roles else ""
            parts.append(
                f"<li><b>{_e(actor.name)}</b>{aliases}{roles} "
                f"<small>[{_e(', '.join(actor.source_ids))}]</small></li>"
            )
        parts.append("</ul></section>")

    notes = result.report_notes()
    if notes:
        parts.append('<section class="notes"><h2>Notes</h2><ul>')
        parts += [f"<li>{_e(note)}</li>" for note in notes]
        parts.append("</ul></section>")
    parts.append("</div>")

    parts.append('<div><section class="sources"><h2>Sources</h2>')
    by_source: dict[str, list[tuple[int, int, int]]] = {}
    for (source_id, start, end), number in numbers.items():
        by_source.setdefault(source_id, []).append((start, end, number))
    for source in result.sources:
        head = f"{_e(source.id)}"
        if source.title:
            head += f" · {_e(source.title)}"
        link = ""
        if source.url and safe_url(source.url):
            link = f' · <a href="{_e(source.url)}" rel="noopener noreferrer">{_e(source.url)}</a>'
        elif source.url:
            link = f" · {_e(source.url)}"
        parts.append(
            f'<div class="source" id="source-{_e(source.id)}"><h3>{head}{link}</h3>'
            f'<div class="text">{_highlighted(source, by_source.get(source.id, []))}</div></div>'
        )
    parts.append("</section></div></main>")
    parts.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(parts) + "\n"
