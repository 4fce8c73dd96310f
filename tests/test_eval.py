"""``summarizer eval`` and the lead baselines on a tiny hand-made dataset (tests/data)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli.eval import cmd_eval
from summarizer.cli.main import build_parser
from summarizer.core.errors import BadInputError
from summarizer.core.results import SummarySentence
from summarizer.core.source import Source, make_source
from summarizer.core.types import Citation
from summarizer.eval.baselines import lead_n, length_matched_lead, word_count
from summarizer.eval.evaluate import (
    LEAD3,
    LEAD_MATCHED,
    SYSTEM,
    EvalReport,
    phrase_hit,
    run_eval,
)
from summarizer.eval.peers import PEERS
from summarizer.eval.tables import render_table
from summarizer.text.rank import Candidate, fits_budget, mmr_select

Result = tuple[EvalReport, dict[str, Any]]
DATA = Path(__file__).resolve().parent / "data" / "eval-tiny.jsonl"


@pytest.fixture(scope="module")
def report_and_json(tmp_path_factory: pytest.TempPathFactory) -> Result:
    out = tmp_path_factory.mktemp("eval") / "report.json"
    report = run_eval(DATA, output=out)
    return report, json.loads(out.read_text(encoding="utf-8"))


def test_bad_line_is_reported_and_the_run_goes_on(report_and_json: Result) -> None:
    report, _ = report_and_json
    assert [p.line for p in report.problems] == [2]
    assert "eval-tiny.jsonl:2" in report.problems[0].message
    assert report.clusters == 3


def test_system_and_baselines_scored_in_the_same_run(report_and_json: Result) -> None:
    report, data = report_and_json
    assert set(report.scores) == {SYSTEM, LEAD3, LEAD_MATCHED, *PEERS}
    for scores in report.scores.values():
        assert scores.clusters == 2  # the 5W1H line has no reference
        assert scores.rouge1 is not None and 0 < scores.rouge1 <= 100
        assert scores.rougeL is not None and scores.rouge2 is not None
        assert scores.words > 0
        assert scores.citation_validity == 100.0
        assert scores.numeric_faithfulness == 100.0
        assert scores.cited_sentence_share == 100.0
    assert data["scores"]["system"]["rouge1"] == report.scores[SYSTEM].rouge1
    assert "use_stemmer=True" in data["rouge_variant"]
    # Peers are cut at the system's word count; only the system has headlines to judge.
    system = report.scores[SYSTEM]
    assert system.headlines == 2 and report.scores[LEAD3].headlines == 0
    for peer in PEERS:
        assert report.scores[peer].words >= system.words * 0.8
    assert system.near_duplicate is not None and "near_duplicate" in data["scores"]["mmr"]


def test_readability_figures_count_each_fault(tmp_path: Path) -> None:
    text = (
        "FILE - In this May 4, 2001, file photo, a man walks by. "
        "The council approved the new harbor budget on Monday. "
        "The council approved the harbor budget again on Monday. "
        "But nobody in the town could explain why."
    )
    source = make_source("s", text)
    spans = source.sentences
    cited = []
    for start, end in spans:
        quote = text[start:end].strip()
        start = text.index(quote)
        citation = Citation(source_id="s", start=start, end=start + len(quote), quote=quote)
        cited.append(SummarySentence(text=quote, fact_ids=[], citations=[citation]))

    async def summarize(_: Sequence[Source]) -> list[SummarySentence]:
        # The dangling "But ..." comes right after the caption, not the sentence before it.
        return [cited[1], cited[2], cited[0], cited[3]]

    report = run_eval(DATA, limit=1, summarize=summarize)
    system = report.scores[SYSTEM]
    assert system.near_duplicate == 25.0
    assert system.furniture == 25.0
    assert system.dangling_opener == 25.0
    assert system.headlines == 0 and system.broken_headline is None


def test_five_w1h_fields(report_and_json: Result) -> None:
    report, _ = report_and_json
    fields = report.five_w1h
    assert set(fields) == {"who", "what", "when", "where", "why", "how"}
    assert fields["how"].articles == 0 and fields["how"].share is None
    assert fields["where"].articles == 1 and fields["where"].share == 100.0  # Millford
    assert fields["when"].share == 100.0  # Saturday


def test_limit_counts_clusters_not_lines() -> None:
    report = run_eval(DATA, limit=1)
    assert report.clusters == 1
    assert report.scores[SYSTEM].clusters == 1
    with pytest.raises(BadInputError):
        run_eval(DATA, limit=0)


def test_missing_file_is_a_bad_input_error(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        run_eval(tmp_path / "absent.jsonl")


def test_metrics_catch_bad_citations_and_unbacked_numbers(tmp_path: Path) -> None:
    async def careless(sources: Sequence[Source]) -> list[SummarySentence]:
        source = sources[0]
        good = Citation(source_id=source.id, start=0, end=5, quote=source.text[:5])
        wrong = Citation(source_id=source.id, start=0, end=5, quote="not the slice")
        return [
            SummarySentence(text="Exactly 977 people came.", fact_ids=[], citations=[good]),
            SummarySentence(text="It was big.", fact_ids=[], citations=[wrong]),
            SummarySentence(text="Nobody cited this.", fact_ids=[], citations=[]),
        ]

    report = run_eval(DATA, summarize=careless)
    system = report.scores[SYSTEM]
    assert system.citation_validity == 50.0
    assert system.numeric_faithfulness == 0.0
    assert system.cited_sentence_share == pytest.approx(66.67)
    assert report.scores[LEAD3].citation_validity == 100.0


def test_lead_baselines() -> None:
    a = make_source("a", "One two three four. Five six. Seven eight nine. Ten eleven.")
    b = make_source("b", "Alpha beta gamma. Delta epsilon. Zeta eta theta iota.")
    lead3 = lead_n([a, b])
    assert [s.text for s in lead3] == [
        "One two three four.",
        "Five six.",
        "Seven eight nine.",
        "Alpha beta gamma.",
        "Delta epsilon.",
        "Zeta eta theta iota.",
    ]
    matched = length_matched_lead([a, b], 8)
    assert [s.text for s in matched] == [
        "One two three four.",
        "Alpha beta gamma.",
        "Five six.",
    ]
    assert word_count(matched) >= 8
    for sentence in [*lead3, *matched]:
        (citation,) = sentence.citations
        text = {"a": a.text, "b": b.text}[citation.source_id]
        assert text[citation.start : citation.end] == citation.quote == sentence.text


def test_phrase_overlap_rule() -> None:
    assert phrase_hit("Chicago Cubs", "the Chicago Cubs players")
    assert phrase_hit("won the World Series", "The Cubs won the World Series on Wednesday.")
    assert not phrase_hit("Cleveland Indians", "Chicago Cubs")


def test_eval_command_writes_json_and_signals_skipped_lines(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = build_parser().parse_args(["eval", str(DATA), "-m", "builtin", "-o", str(out), "-q"])
    assert cmd_eval(args) == 1  # line 2 is broken
    assert json.loads(out.read_text(encoding="utf-8"))["clusters"] == 3


def test_eval_through_an_llm_server(tmp_path: Path) -> None:
    """The LLM path of eval: the real openai client against the fake server on 127.0.0.1."""
    import subprocess
    import sys

    from summarizer.testing.fake_openai import FakeOpenAI, pipeline_responder

    out = tmp_path / "llm.json"
    with FakeOpenAI(pipeline_responder) as server:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "summarizer",
                "eval",
                str(DATA),
                "-m",
                "fake-model",
                "--base-url",
                server.base_url,
                "--no-cache",
                "-q",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )
        assert server.request_count > 0
    assert done.returncode == 1, done.stderr  # line 2 of the data is broken on purpose
    assert "Traceback" not in done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    system = report["scores"]["system"]
    assert report["model"] == "fake-model"
    assert system["citation_validity"] == 100.0
    assert system["numeric_faithfulness"] == 100.0


def test_usable_figure_labels_for_the_system_only(report_and_json: Result) -> None:
    report, data = report_and_json
    system = report.scores[SYSTEM]
    # The tiny clusters state figures ("About 40 drivers were stranded"), so there are labels.
    assert system.figure_labels > 0
    assert system.usable_figure_labels is not None and 0 <= system.usable_figure_labels <= 100
    assert data["scores"]["system"]["usable_figure_labels"] == system.usable_figure_labels
    for name in (LEAD3, LEAD_MATCHED, *PEERS):
        assert report.scores[name].usable_figure_labels is None
        assert report.scores[name].figure_labels == 0


def test_the_tables_fit_80_columns_with_whole_figures(report_and_json: Result) -> None:
    from rich.console import Console

    report, _ = report_and_json
    console = Console(width=80, record=True, force_terminal=False)
    console.print(render_table(report))
    text = console.export_text()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert f"{report.scores[SYSTEM].rouge1:.1f}" in text
    assert "label%" in text and "dup%" in text


def test_peers_and_the_matched_lead_stop_by_the_writers_length_rule() -> None:
    words = [12, 30, 8, 9]
    sources = [make_source(f"s{i}", " ".join(["word"] * n) + ".") for i, n in enumerate(words)]
    # 12 fits; 30 would end 11 words past a 25 budget (over half of it): skipped; 8 fits;
    # 9 would end at 29, within half of itself of 25: taken, the budget is then reached.
    assert [len(s.text.split()) for s in length_matched_lead(sources, 25)] == [12, 8, 9]
    assert fits_budget(0, 100, 10)  # the first sentence always
    assert not fits_budget(10, 1, 10)  # nothing once the budget is reached


def test_the_mmr_peer_skips_a_sentence_that_would_overshoot() -> None:
    lengths = [12, 30, 8, 9]
    texts = [" ".join(f"w{i}x{j}" for j in range(n)) + "." for i, n in enumerate(lengths)]
    candidates = [Candidate(0, i, t) for i, t in enumerate(texts)]
    chosen = mmr_select(candidates, [4.0, 3.0, 2.0, 1.0], max_words=25)
    # Best first: 12 words; the 30-word one would end 17 past the budget, over half of
    # itself: skipped for the shorter ones, which end at 29 (within half of 9).
    assert chosen == [0, 2, 3]
