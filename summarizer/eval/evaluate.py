"""``summarizer eval``: score summaries against references and extractions against 5W1H gold.

Definitions (stated once here and copied into the JSON report):

* ROUGE: ``rouge_score.rouge_scorer`` with ``use_stemmer=True`` and its default
  tokenisation (lower-case, non-alphanumerics to spaces, Porter stemming of tokens longer
  than three characters). ROUGE-L is the plain ``rougeL`` (LCS over the whole text, the
  variant that gives the issue's Lead-3 figure of about 18.6); the summary-level
  ``rougeLsum`` (sentences split on newlines) is reported alongside. F1, in percent,
  averaged over clusters.
* Citation validity: share of all citations whose ``quote`` equals ``source.text[start:end]``.
* Numeric faithfulness: share of numbers written in summary sentences (``find_numbers``)
  that some span cited by that same sentence contains (``contains_number``).
* Cited sentences: share of summary sentences with at least one citation.
* 5W1H: an article's field is a hit when one of the first ``FIVE_W1H_TOP_K`` extracted
  items for that field contains at least half of the content tokens of one gold phrase
  (tokens as in ``builtin_rank.content_tokens``). Fields map to extraction as who ->
  actors, when -> times, where -> places, what/why/how -> headline and top facts.
  Long items make containment lenient, so read "what/why/how" as recall, not precision.

* Readability (``text.readability``, the rules the writers obey): near-duplicate,
  dangling opener and furniture as % of summary sentences; broken headline as % of
  summaries that have a headline (baselines and peers have none). A dangling opener is
  counted unless the sentence before it in the summary cites the adjacent span of the
  same source (or the same item).
* Usable figure labels (``figure_labels.figure_label_counts``): share of the figure
  wordings of the system's figures table whose label names what was counted, by the rubric
  of the hand-labelled sample; only systems that produce a figures table have it.

Baselines (``baselines.py``) and peers (``peers.py``: LexRank, TextRank, MMR) are scored
in the same run on the same clusters, the length-matched lead and the peers matched to
each cluster's system summary word count.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from summarizer.core.errors import BadInputError, SummarizerError
from summarizer.core.events import SourceEvent
from summarizer.core.files import check_output_path, write_output
from summarizer.core.options import DEFAULT_MAX_WORDS
from summarizer.core.results import SummaryResult, SummarySentence
from summarizer.core.source import Cluster, Source
from summarizer.eval.baselines import lead_n, length_matched_lead, word_count
from summarizer.eval.figure_labels import figure_label_counts
from summarizer.eval.peers import PEERS, peer_summary
from summarizer.sources import iter_clusters
from summarizer.text.numbers import contains_number, find_numbers
from summarizer.text.rank import content_tokens
from summarizer.text.readability import (
    Span,
    broken_headline,
    content_words,
    continues,
    dangling_opener,
    furniture,
    near_duplicate,
)

if TYPE_CHECKING:
    from summarizer.llm.client import LLM

FIVE_W1H_FIELDS = ("who", "what", "when", "where", "why", "how")
FIVE_W1H_TOP_K = 3
ROUGE_VARIANT = (
    "rouge-score rouge_scorer, use_stemmer=True (Porter), default tokenizer; ROUGE-L = rougeL "
    "(whole-text LCS), rougeLsum (newline-split) also given; F1 x 100, mean over clusters"
)
OVERLAP_RULE = (
    f"hit when one of the first {FIVE_W1H_TOP_K} extracted items contains >= 50% of a gold "
    "phrase's content tokens; who=actors, when=times, where=places, what/why/how=headline+facts"
)
SYSTEM, LEAD3, LEAD_MATCHED = "system", "lead-3", "length-matched lead"

#: Summarise one cluster (the system under evaluation): its cited sentences, or the whole
#: result (then its headline is judged too).
SummarizeFn = Callable[[Sequence[Source]], Awaitable[Sequence[SummarySentence] | SummaryResult]]
#: Extract grounded events of one cluster (for 5W1H).
ExtractFn = Callable[[Sequence[Source]], Awaitable[list[SourceEvent]]]


class Scores(BaseModel):
    """One system's figures over the evaluated clusters."""

    clusters: int = 0
    rouge1: float | None = None
    rouge2: float | None = None
    rougeL: float | None = None
    rougeLsum: float | None = None
    words: float = 0.0
    sentences: float = 0.0
    citations: int = 0
    citation_validity: float | None = None
    numbers: int = 0
    numeric_faithfulness: float | None = None
    cited_sentence_share: float | None = None
    near_duplicate: float | None = None
    dangling_opener: float | None = None
    furniture: float | None = None
    headlines: int = 0
    broken_headline: float | None = None
    figure_labels: int = 0
    #: % of figure wordings with a usable label (``figure_labels``); None without figures.
    usable_figure_labels: float | None = None


class FieldScore(BaseModel):
    articles: int = 0
    hits: int = 0
    share: float | None = None
    mean_items: float = 0.0


class LineProblem(BaseModel):
    line: int
    cluster_id: str | None = None
    message: str


class EvalReport(BaseModel):
    data: str
    model: str
    writer: str
    max_words: int | None
    rouge_variant: str = ROUGE_VARIANT
    overlap_rule: str = OVERLAP_RULE
    clusters: int = 0
    scores: dict[str, Scores] = {}
    five_w1h: dict[str, FieldScore] = {}
    problems: list[LineProblem] = []
    seconds: float = 0.0


class _Tally:
    """Running sums for one system; ``scores()`` turns them into the reported means."""

    def __init__(self) -> None:
        self.clusters = self.rouged = 0
        self.rouge: dict[str, float] = {
            "rouge1": 0.0,
            "rouge2": 0.0,
            "rougeL": 0.0,
            "rougeLsum": 0.0,
        }
        self.words = self.sentences = self.cited_sentences = 0
        self.citations = self.valid = self.numbers = self.backed = 0
        self.duplicates = self.dangling = self.furniture = 0
        self.headlines = self.broken = 0
        self.labels = self.usable_labels = 0

    def add(
        self,
        sentences: Sequence[SummarySentence],
        sources: Sequence[Source],
        reference: str | None,
        scorer: Any,
        headline: str | None = None,
        summary: SummaryResult | None = None,
    ) -> None:
        self.clusters += 1
        if summary is not None:
            usable, total = figure_label_counts([summary], {s.id: s.text for s in sources})
            self.usable_labels += usable
            self.labels += total
        self._readability(sentences, headline)
        self.words += word_count(sentences)
        self.sentences += len(sentences)
        texts = {source.id: source.text for source in sources}
        for sentence in sentences:
            self.cited_sentences += bool(sentence.citations)
            for citation in sentence.citations:
                self.citations += 1
                text = texts.get(citation.source_id)
                self.valid += text is not None and text[citation.start : citation.end] == (
                    citation.quote
                )
            for mention in find_numbers(sentence.text):
                self.numbers += 1
                self.backed += any(
                    contains_number(mention.value, c.quote) for c in sentence.citations
                )
        if reference is not None and scorer is not None:
            result = scorer.score(reference, "\n".join(s.text for s in sentences))
            self.rouged += 1
            for key in self.rouge:
                self.rouge[key] += result[key].fmeasure

    def _readability(self, sentences: Sequence[SummarySentence], headline: str | None) -> None:
        if headline is not None:
            self.headlines += 1
            self.broken += broken_headline(headline)
        words = [content_words(s.text) for s in sentences]
        spans = [[Span(c.source_id, c.start, c.end) for c in s.citations] for s in sentences]
        for index, sentence in enumerate(sentences):
            self.duplicates += any(near_duplicate(words[index], w) for w in words[:index])
            self.furniture += furniture(sentence.text)
            if dangling_opener(sentence.text):
                previous = sentences[index - 1] if index else None
                follows = previous is not None and (
                    bool(set(previous.fact_ids) & set(sentence.fact_ids))
                    or continues(spans[index - 1], spans[index])
                )
                self.dangling += not follows

    def scores(self) -> Scores:
        def share(part: int, whole: int) -> float | None:
            return round(100.0 * part / whole, 2) if whole else None

        def rouge(key: str) -> float | None:
            return round(100.0 * self.rouge[key] / self.rouged, 2) if self.rouged else None

        n = max(self.clusters, 1)
        return Scores(
            clusters=self.clusters,
            rouge1=rouge("rouge1"),
            rouge2=rouge("rouge2"),
            rougeL=rouge("rougeL"),
            rougeLsum=rouge("rougeLsum"),
            words=round(self.words / n, 1),
            sentences=round(self.sentences / n, 1),
            citations=self.citations,
            citation_validity=share(self.valid, self.citations),
            numbers=self.numbers,
            numeric_faithfulness=share(self.backed, self.numbers),
            cited_sentence_share=share(self.cited_sentences, self.sentences),
            near_duplicate=share(self.duplicates, self.sentences),
            dangling_opener=share(self.dangling, self.sentences),
            furniture=share(self.furniture, self.sentences),
            headlines=self.headlines,
            broken_headline=share(self.broken, self.headlines),
            figure_labels=self.labels,
            usable_figure_labels=share(self.usable_labels, self.labels),
        )


def _rouge_scorer() -> Any:
    """rouge-score pulls in nltk and absl: import it only when a reference is scored."""
    try:
        from rouge_score import rouge_scorer
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise SummarizerError(
            "ROUGE needs the eval extra: pip install -e '.[eval]' in a clone of summarizer"
        ) from error
    return rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)


def _gold_by_line(path: Path) -> dict[int, dict[str, dict[str, list[str]]]]:
    """``line -> source id -> field -> gold phrases`` for lines carrying ``gold_5w1h``.

    ``Cluster`` has no room for gold annotations, so they are read from the raw lines;
    lines that do not parse were already reported by ``iter_clusters``.
    """
    gold: dict[int, dict[str, dict[str, list[str]]]] = {}
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, 1):
            if b"gold_5w1h" not in raw:
                continue
            try:
                record = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                continue
            items = record.get("sources") if isinstance(record, dict) else None
            for number, item in enumerate(items if isinstance(items, list) else [], 1):
                if not isinstance(item, dict) or not isinstance(item.get("gold_5w1h"), dict):
                    continue
                sid = str(item.get("id") or f"S{number}")
                fields = {
                    name: [
                        str(p["text"]) if isinstance(p, dict) else str(p)
                        for p in item["gold_5w1h"].get(name) or []
                        if (isinstance(p, dict) and p.get("text")) or isinstance(p, str)
                    ]
                    for name in FIVE_W1H_FIELDS
                }
                gold.setdefault(line_no, {})[sid] = fields
    return gold


def extracted_items(event: SourceEvent) -> dict[str, list[str]]:
    """The extraction's answer to each 5W1H question, best first."""
    facts = [event.headline, *(f.statement for f in event.facts)]
    return {
        "who": [a.name for a in event.actors],
        "what": facts,
        "when": [t.text for t in event.when],
        "where": [p.name for p in event.where],
        "why": facts,
        "how": facts,
    }


def phrase_hit(gold: str, item: str) -> bool:
    """At least half of the gold phrase's content tokens occur in the item."""
    wanted = set(content_tokens(gold)) or set(gold.lower().split())
    have = set(content_tokens(item)) | set(item.lower().split())
    return bool(wanted) and len(wanted & have) / len(wanted) >= 0.5


class _FiveW1H:
    def __init__(self) -> None:
        self.fields = {name: FieldScore() for name in FIVE_W1H_FIELDS}
        self.items = dict.fromkeys(FIVE_W1H_FIELDS, 0)

    def add(self, event: SourceEvent, gold: dict[str, list[str]]) -> None:
        extracted = extracted_items(event)
        for name in FIVE_W1H_FIELDS:
            if not gold.get(name):
                continue
            score = self.fields[name]
            score.articles += 1
            top = extracted[name][:FIVE_W1H_TOP_K]
            self.items[name] += len(top)
            score.hits += any(phrase_hit(g, item) for g in gold[name] for item in top)

    def result(self) -> dict[str, FieldScore]:
        for name, score in self.fields.items():
            if score.articles:
                score.share = round(100.0 * score.hits / score.articles, 2)
                score.mean_items = round(self.items[name] / score.articles, 2)
        return self.fields


@contextmanager
def _progress_bar(enabled: bool, total: int | None) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr when asked and stderr is a terminal; else a no-op."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("evaluating", total=total)
        yield lambda: progress.advance(task)


async def _evaluate(
    path: Path,
    *,
    limit: int | None,
    summarize: SummarizeFn,
    extract: ExtractFn,
    tick: Callable[[], None],
    report: EvalReport,
) -> None:
    gold = _gold_by_line(path)
    names = (SYSTEM, LEAD3, LEAD_MATCHED, *PEERS)
    tallies = {name: _Tally() for name in names}
    five = _FiveW1H()
    scorer: Any = None
    done = 0
    for item in iter_clusters(path):
        if limit is not None and done >= limit:
            break
        if item.error is not None or item.cluster is None:
            report.problems.append(LineProblem(line=item.line_no, message=str(item.error)))
            continue
        done += 1
        cluster: Cluster = item.cluster
        try:
            if cluster.reference is not None or item.line_no not in gold:
                if cluster.reference is not None and scorer is None:
                    scorer = _rouge_scorer()
                result = await summarize(cluster.sources)
                headline = result.headline if isinstance(result, SummaryResult) else None
                system = list(result.sentences if isinstance(result, SummaryResult) else result)
                ref, words = cluster.reference, word_count(system)
                whole = result if isinstance(result, SummaryResult) else None
                tallies[SYSTEM].add(system, cluster.sources, ref, scorer, headline, whole)
                tallies[LEAD3].add(lead_n(cluster.sources, 3), cluster.sources, ref, scorer)
                matched = length_matched_lead(cluster.sources, words)
                tallies[LEAD_MATCHED].add(matched, cluster.sources, ref, scorer)
                for peer in PEERS:
                    chosen = peer_summary(peer, cluster.sources, words)
                    tallies[peer].add(chosen, cluster.sources, ref, scorer)
            if item.line_no in gold:
                for event in await extract(cluster.sources):
                    if event.source_id in gold[item.line_no]:
                        five.add(event, gold[item.line_no][event.source_id])
        except SummarizerError as error:
            report.problems.append(
                LineProblem(line=item.line_no, cluster_id=cluster.id, message=str(error))
            )
        tick()
        await asyncio.sleep(0)  # the built-in path never suspends: let Ctrl-C's cancel in
    report.clusters = done
    report.scores = {name: t.scores() for name, t in tallies.items() if t.clusters}
    if gold:
        report.five_w1h = five.result()


def _line_count(path: Path, limit: int | None) -> int | None:
    try:
        with path.open("rb") as handle:
            lines = sum(1 for raw in handle if raw.strip())
    except OSError:
        return None
    return min(lines, limit) if limit is not None else lines


def run_eval(
    path: Path,
    *,
    limit: int | None = None,
    output: Path | None = None,
    progress: bool = False,
    model: str = "builtin",
    max_words: int | None = DEFAULT_MAX_WORDS,
    summarize: SummarizeFn | None = None,
    extract: ExtractFn | None = None,
) -> EvalReport:
    """Evaluate ``path`` (clusters JSONL with ``reference`` and/or per-source ``gold_5w1h``).

    ``summarize``/``extract`` default to the pipeline with the built-in extractor and the
    extractive writer. Bad lines and failing clusters are listed in ``report.problems``
    and the run goes on. With ``output``, the JSON report is also written there.
    """
    return asyncio.run(
        run_eval_async(
            path,
            limit=limit,
            output=output,
            progress=progress,
            model=model,
            max_words=max_words,
            summarize=summarize,
            extract=extract,
        )
    )


async def run_eval_async(
    path: Path,
    *,
    limit: int | None = None,
    output: Path | None = None,
    progress: bool = False,
    model: str = "builtin",
    max_words: int | None = DEFAULT_MAX_WORDS,
    summarize: SummarizeFn | None = None,
    extract: ExtractFn | None = None,
    llm: LLM | None = None,
) -> EvalReport:
    """``run_eval`` inside a running loop; ``llm`` (opened by the caller) selects the model."""
    path = Path(path)
    if limit is not None and limit < 1:
        raise BadInputError(f"limit={limit!r}", "must be positive")
    iter_clusters(path)  # a missing or unreadable file fails here, before any work
    if output is not None:
        check_output_path(Path(output))  # and so does an output path that cannot be written
    report = EvalReport(
        data=str(path),
        model=model,
        writer="extractive" if llm is None else "llm",
        max_words=max_words,
    )
    started = time.perf_counter()
    with _progress_bar(progress, _line_count(path, limit)) as tick:
        await _evaluate(
            path,
            limit=limit,
            summarize=summarize or _pipeline_summarize(llm, max_words),
            extract=extract or _pipeline_extract(llm),
            tick=tick,
            report=report,
        )
    report.seconds = round(time.perf_counter() - started, 2)
    if output is not None:
        write_output(Path(output), report.model_dump_json(indent=2) + "\n")
    return report


def _pipeline_summarize(llm: LLM | None, max_words: int | None) -> SummarizeFn:
    async def summarize(sources: Sequence[Source]) -> SummaryResult:
        from summarizer.pipeline import Builtin, RunOptions, summarize_sources

        options = RunOptions(max_words=max_words)
        return await summarize_sources(sources, engine=llm or Builtin(), options=options)

    return summarize


def _pipeline_extract(llm: LLM | None) -> ExtractFn:
    async def extract(sources: Sequence[Source]) -> list[SourceEvent]:
        from summarizer.pipeline import Builtin, RunOptions, extract_events

        events, _ = await extract_events(sources, llm or Builtin(), RunOptions())
        return events

    return extract
