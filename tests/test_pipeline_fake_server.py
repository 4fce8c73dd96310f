"""The whole pipeline through the real openai client against the fake server on 127.0.0.1.

A failing source is named with its reason and the rest is summarised (guarantee 3), with
the documented exit codes (1 partial, 3 nothing produced); a failing writer falls back to
the extractive writer; long sources are extracted in chunks with whole-source spans.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import summarize
from summarizer.testing.fake_openai import (
    Action,
    FakeOpenAI,
    FakeRequest,
    Status,
    pipeline_responder,
)

CLUSTER = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"


def refuse(source_ids: set[str]) -> object:
    def responder(request: FakeRequest) -> Action:
        if request.article_id in source_ids:
            return Status(
                400,
                "This model's maximum context length is exceeded",
                error_type="invalid_request_error",
            )
        return pipeline_responder(request)

    return responder


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(pipeline_responder) as fake:
        yield fake


def cli(server: FakeOpenAI, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "summarizer",
            "summarize",
            str(CLUSTER),
            "-m",
            "fake-model",
            "--base-url",
            server.base_url,
            "--no-cache",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )


def test_library_reports_the_failed_source_and_summarises_the_rest(server: FakeOpenAI) -> None:
    server.responder = refuse({"S2"})  # type: ignore[assignment]
    result = summarize([CLUSTER], model="fake-model", base_url=server.base_url, cache=False)
    assert result.status == "partial"
    assert [failure.source_id for failure in result.failures] == ["S2"]
    assert "maximum context length" in result.failures[0].reason
    assert {c.source_id for s in result.sentences for c in s.citations} == {"S1"}


def test_cli_exit_codes_partial_and_nothing(server: FakeOpenAI, tmp_path: Path) -> None:
    server.responder = refuse({"S2"})  # type: ignore[assignment]
    partial = cli(server, tmp_path)
    assert partial.returncode == 1, partial.stderr
    assert "source S2 failed" in partial.stderr
    assert '"status": "partial"' in partial.stdout

    server.responder = refuse({"S1", "S2"})  # type: ignore[assignment]
    nothing = cli(server, tmp_path)
    assert nothing.returncode == 3
    assert nothing.stdout == ""
    assert "Traceback" not in nothing.stderr
    assert len(nothing.stderr.strip().splitlines()) == 1
    assert "S1" in nothing.stderr and "S2" in nothing.stderr


def test_writer_failure_falls_back_to_the_extractive_writer(server: FakeOpenAI) -> None:
    def responder(request: FakeRequest) -> Action:
        if request.article_id is None:  # the writer's request carries no article
            return Status(503, "overloaded")
        return pipeline_responder(request)

    server.responder = responder  # type: ignore[assignment]
    result = summarize(
        [CLUSTER], model="fake-model", base_url=server.base_url, cache=False, timeout_s=5
    )
    assert result.status == "complete"
    assert result.versions.writer == "extractive"
    assert any("LLM writer failed" in warning for warning in result.warnings)
    assert result.sentences and all(s.citations for s in result.sentences)


def test_long_sources_are_extracted_in_chunks_with_whole_source_spans(
    server: FakeOpenAI,
) -> None:
    result = summarize(
        [CLUSTER], model="fake-model", base_url=server.base_url, cache=False, chunk_chars=600
    )
    texts = {source.id: source.text for source in result.sources}
    assert all(result.diagnostics[sid].chunks > 1 for sid in texts)
    assert server.request_count == sum(d.chunks for d in result.diagnostics.values()) + 1
    late = [
        c
        for f in result.facts
        for c in f.citations
        if c.start > 600  # cited from a later chunk, offset into the whole source
    ]
    assert late
    for fact in result.facts:
        for c in fact.citations:
            assert c.quote == texts[c.source_id][c.start : c.end]
