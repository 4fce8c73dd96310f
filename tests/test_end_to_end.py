"""End to end on the Operation Sunflower cluster, through the real openai client in replay.

The cassette holds real HTTP exchanges recorded from summarizer's fake OpenAI-compatible
server serving hand-authored answers (see fixtures/llm/README.md): replay proves the wire
format, re-asks, grounding, merging, writing and citing without any network.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest_sources import Reply, serve

from summarizer import summarize
from summarizer.core.results import SummaryResult
from summarizer.text.numbers import contains_number, find_numbers

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = ROOT / "fixtures" / "operation-sunflower"
CASSETTE = ROOT / "fixtures" / "llm" / "operation-sunflower.yaml"
MODEL = "authored-fixture"


def replay() -> SummaryResult:
    return summarize([CLUSTER], model=MODEL, replay=CASSETTE, cache=False)


@pytest.fixture(scope="module")
def result() -> SummaryResult:
    return replay()


def check_guarantees(result: SummaryResult) -> None:
    """Guarantees 1 and 2 of DESIGN.md, on any result."""
    texts = {source.id: source.text for source in result.sources}
    assert result.sentences
    for sentence in result.sentences:
        assert sentence.citations, f"uncited sentence: {sentence.text}"
        for citation in sentence.citations:
            assert citation.quote == texts[citation.source_id][citation.start : citation.end]
        for number in find_numbers(sentence.text):
            assert any(contains_number(number.value, c.quote) for c in sentence.citations), (
                f"{number.text!r} in {sentence.text!r} is not in a span it cites"
            )
    for figure in result.figures:
        for report in figure.reports:
            citation = report.citation
            assert citation.quote == texts[citation.source_id][citation.start : citation.end]


def test_replayed_summary_keeps_every_guarantee(result: SummaryResult) -> None:
    check_guarantees(result)
    assert result.status == "complete"
    assert result.versions.model == MODEL
    assert result.versions.writer == "llm"
    assert set(result.versions.prompts) == {"extract", "write"}


def test_figures_both_sources_report_cite_both(result: SummaryResult) -> None:
    for value in (245, 123):
        cited = [f for f in result.figures if f.value == value and f.source_ids == ["S1", "S2"]]
        assert cited, f"{value} does not cite both sources"


def test_disagreements_are_conflicts_with_each_side_cited(result: SummaryResult) -> None:
    figures = {figure.id: figure for figure in result.figures}
    conflicting = {f.id for f in result.figures if f.status == "conflict"}
    in_conflicts = {fid for conflict in result.conflicts for fid in conflict.figure_ids}
    assert conflicting == in_conflicts
    for conflict in result.conflicts:
        values = {figures[fid].value for fid in conflict.figure_ids}
        assert len(values) > 1
        assert all(figures[fid].reports for fid in conflict.figure_ids)


def test_ungrounded_answers_were_reasked_or_dropped_and_counted(result: SummaryResult) -> None:
    # S1's first answer had a figure not in the article; the re-ask corrected it.
    assert result.diagnostics["S1"].attempts >= 2
    assert result.diagnostics["S1"].dropped == []
    # S2 kept an invented fact and a wrong value through every attempt: dropped, counted.
    reasons = sorted(item.reason for item in result.diagnostics["S2"].dropped)
    assert reasons == ["evidence not in source", "value 250 not in its evidence"]
    assert any("S2: 2 item(s) dropped" in warning for warning in result.warnings)


def test_repeated_replays_are_byte_identical(result: SummaryResult) -> None:
    assert replay().model_dump_json() == result.model_dump_json()


def test_renderings(result: SummaryResult) -> None:
    markdown = result.to_markdown()
    assert "[1]" in markdown
    html = result.to_html()
    assert "<script src" not in html
    assert html.count("<html") == 1


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        timeout=120,
    )


def test_cli_replay_then_render(tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    done = run_cli(
        "summarize",
        str(CLUSTER),
        "-m",
        MODEL,
        "--replay",
        str(CASSETTE),
        "--no-cache",
        "-o",
        str(saved),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    check_guarantees(SummaryResult.model_validate_json(saved.read_text()))
    for fmt, marker in (("md", "[1]"), ("html", "<!DOCTYPE html>")):
        rendered = run_cli("render", str(saved), "--format", fmt, cwd=tmp_path)
        assert rendered.returncode == 0, rendered.stderr
        assert marker in rendered.stdout


def test_quick_start_works_without_a_key(tmp_path: Path) -> None:
    done = run_cli("summarize", str(CLUSTER), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "built-in extractor" in done.stderr
    result = SummaryResult.model_validate_json(done.stdout)
    check_guarantees(result)
    assert result.versions.extractor == "builtin"


def test_replay_of_an_unrecorded_request_fails_loudly(tmp_path: Path) -> None:
    other = tmp_path / "story.txt"
    other.write_text("A bridge collapsed in Genoa on Tuesday, killing 43 people.\n")
    done = run_cli(
        "summarize", str(other), "-m", MODEL, "--replay", str(CASSETTE), "--no-cache", cwd=tmp_path
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "no recorded answer" in done.stderr


def test_extract_command_prints_grounded_events(tmp_path: Path) -> None:
    done = run_cli(
        "extract", str(CLUSTER), "-m", MODEL, "--replay", str(CASSETTE), "--no-cache", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [event["source_id"] for event in report["events"]] == ["S1", "S2"]


def test_cli_dead_url_among_files_is_partial_and_errors_name_flags(tmp_path: Path) -> None:
    with serve() as server:
        dead = server.url("/gone", Reply(b"", status=404))
        done = run_cli(
            "summarize", str(CLUSTER / "source-1.txt"), dead, "-m", "builtin", cwd=tmp_path
        )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and f"{dead}: " in done.stderr
    result = SummaryResult.model_validate_json(done.stdout)
    assert result.status == "partial" and [f.source_id for f in result.failures] == ["S2"]
    refused = run_cli("summarize", str(CLUSTER), "-m", "builtin", "--writer", "llm", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "summarizer: error: --writer llm needs a model; the built-in extractor has none"
    )
