"""`batch prepare` / `batch collect`: Batch API files, answered offline by the fake server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from llm_paths import instructor_path  # noqa: F401

from summarizer.batch.answers import RequestKey, parse_custom_id, parse_extraction
from summarizer.batch.api import BATCH_URL, collect_results, prepare_requests
from summarizer.batch.runner import read_records
from summarizer.core.schema import EventExtraction
from summarizer.core.settings import LLMSettings, Mode
from summarizer.llm.client import LLM
from summarizer.llm.prompts import load_prompt
from summarizer.sources import iter_clusters
from summarizer.testing.fake_openai import FakeOpenAI, extraction_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"
TRICKY = "A {% raw %} and a {{ secret }} appear in this article text. It has 12 words."


def write_clusters(path: Path) -> None:
    sunflower = {
        "id": "sunflower",
        "sources": [
            {"id": "S1", "text": (FIXTURES / "source-1.txt").read_text()},
            {"id": "S2", "text": (FIXTURES / "source-2.txt").read_text()},
        ],
    }
    small = [
        {
            "id": f"c/{n}",  # a slash in an id must survive the custom_id round trip
            "sources": [
                {"id": "a", "text": f"The council met on Monday. It approved {n} new parks."},
                {"id": "b", "text": f"Officials said {n} parks will open. {TRICKY}"},
            ],
        }
        for n in range(1, 4)
    ]
    lines = [json.dumps(sunflower), *(json.dumps(c) for c in small), "{not json"]
    path.write_text("\n".join(lines) + "\n")


def answer_all(
    requests: Path,
    results: Path,
    server: FakeOpenAI,
    edit: Callable[[str, dict[str, Any]], dict[str, Any] | None] = lambda cid, rec: rec,
) -> None:
    """Send every prepared body to the fake server; write the Batch API results file."""
    lines = []
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        for number, raw in enumerate(requests.read_text().splitlines(), start=1):
            request = json.loads(raw)
            assert request["method"] == "POST" and request["url"] == BATCH_URL
            reply = client.post("/chat/completions", json=request["body"])
            record = {
                "id": f"batch_req_{number}",
                "custom_id": request["custom_id"],
                "response": {
                    "status_code": reply.status_code,
                    "request_id": f"req_{number}",
                    "body": reply.json(),
                },
                "error": None,
            }
            edited = edit(request["custom_id"], record)
            if edited is not None:
                lines.append(json.dumps(edited))
    results.write_text("\n".join(reversed(lines)) + "\n")  # results come back in any order


@pytest.fixture
def server() -> Any:
    with FakeOpenAI() as fake:
        yield fake


def test_custom_id_round_trips_odd_ids() -> None:
    key = RequestKey(7, "a/b c%", "S|1/x", 2, 3, 100, 250)
    assert parse_custom_id(key.custom_id()) == key
    assert parse_custom_id("something-else") is None


@pytest.mark.parametrize("mode", ["tools", "json_schema", "md_json"])
async def test_prepared_body_is_what_the_live_client_sends(
    tmp_path: Path, server: FakeOpenAI, mode: Mode
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    clusters.write_text(json.dumps({"id": "c1", "sources": [{"id": "S1", "text": TRICKY}]}) + "\n")
    requests = tmp_path / "requests.jsonl"
    prepare_requests(clusters, requests, model="fake-model", mode=mode)
    (prepared,) = [json.loads(line) for line in requests.read_text().splitlines()]

    settings = LLMSettings(
        model="fake-model",
        base_url=server.base_url,
        api_key="test",
        mode=mode,
        cache=False,
    )
    async with LLM(settings) as llm:
        await llm.create(
            EventExtraction,
            prompt=load_prompt("extract"),
            variables={"article": TRICKY, "source_id": "S1"},
        )
    live = server.requests[0].body
    for key in ("messages", "tools", "tool_choice", "response_format", "model", "temperature"):
        assert prepared["body"].get(key) == live.get(key), key
    # The article went in through the variable, untouched by Jinja.
    assert TRICKY in prepared["body"]["messages"][-1]["content"]


async def test_prepared_body_carries_the_publication_date(
    tmp_path: Path, server: FakeOpenAI
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    record = {
        "id": "c1",
        "sources": [
            {"id": "S1", "text": TRICKY, "published": "2016-11-03 05:10:42"},
            {"id": "S2", "text": "Police spoke Thursday.", "published": "None"},
        ],
    }
    clusters.write_text(json.dumps(record) + "\n")
    requests = tmp_path / "requests.jsonl"
    prepare_requests(clusters, requests, model="fake-model")
    dated, undated = [json.loads(line) for line in requests.read_text().splitlines()]
    user = dated["body"]["messages"][-1]["content"]
    assert user.startswith('Published: 2016-11-03\n<article id="S1">')
    assert undated["body"]["messages"][-1]["content"].startswith("Published: unknown\n")

    # The live client, given the same variables, sends the same messages.
    async with LLM(server.settings(model="fake-model")) as llm:
        await llm.create(
            EventExtraction,
            prompt=load_prompt("extract"),
            variables={"article": TRICKY, "source_id": "S1", "published": "2016-11-03"},
        )
    assert server.requests[0].messages == dated["body"]["messages"]


def test_prepare_writes_one_request_per_source_chunk(tmp_path: Path) -> None:
    clusters = tmp_path / "clusters.jsonl"
    write_clusters(clusters)
    requests = tmp_path / "requests.jsonl"
    report = prepare_requests(clusters, requests, model="gpt-4o-mini", chunk_chars=1000)
    lines = [json.loads(line) for line in requests.read_text().splitlines()]
    keys = [parse_custom_id(line["custom_id"]) for line in lines]
    assert all(key is not None for key in keys)
    assert len({line["custom_id"] for line in lines}) == len(lines) == report.requests
    assert report.clusters == 4
    assert report.errors and ":5:" in report.errors[0]
    sunflower = [k for k in keys if k is not None and k.cluster_id == "sunflower"]
    assert max(k.chunks for k in sunflower) > 1  # long sources were split
    texts = {
        (item.line_no, source.id): source.text
        for item in iter_clusters(clusters)
        if item.cluster is not None
        for source in item.cluster.sources
    }
    for line, key in zip(lines, keys, strict=True):
        assert key is not None
        chunk = texts[(key.line_no, key.source_id)][key.start : key.end]
        assert (
            f'<article id="{key.source_id}">\n{chunk}\n</article>'
            in (line["body"]["messages"][-1]["content"])
        )


async def test_collect_grounds_merges_and_writes_one_line_per_cluster(
    tmp_path: Path, server: FakeOpenAI
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    write_clusters(clusters)
    requests = tmp_path / "requests.jsonl"
    prepare_requests(clusters, requests, model="gpt-4o-mini")
    results = tmp_path / "results.jsonl"
    answer_all(requests, results, server)
    out = tmp_path / "out.jsonl"
    stats = await collect_results(clusters, results, out)
    records = {r["line"]: r for r in read_records(out)}
    assert sorted(records) == [1, 2, 3, 4, 5]
    assert records[5]["status"] == "failed" and records[5]["stage"] == "input"
    sunflower = records[1]
    assert sunflower["cluster_id"] == "sunflower"
    assert sunflower["status"] == "complete"
    result = sunflower["result"]
    texts = {s["id"]: s["text"] for s in result["sources"]}
    assert result["sentences"]
    for sentence in result["sentences"]:
        for citation in sentence["citations"]:
            assert (
                texts[citation["source_id"]][citation["start"] : citation["end"]]
                == citation["quote"]
            )
    assert result["usage"]["prompt_tokens"] > 0
    assert (stats.complete, stats.failed) == (4, 1)


async def test_collect_drops_invalid_items_and_reports_failed_requests(
    tmp_path: Path, server: FakeOpenAI
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    write_clusters(clusters)
    requests = tmp_path / "requests.jsonl"
    prepare_requests(clusters, requests, model="gpt-4o-mini")

    def edit(custom_id: str, record: dict[str, Any]) -> dict[str, Any] | None:
        key = parse_custom_id(custom_id)
        assert key is not None
        body = record["response"]["body"]
        call = body["choices"][0]["message"]["tool_calls"][0]["function"]
        if key.cluster_id == "c/1" and key.source_id == "a":
            # One ungrounded item and one invalid item; the rest must survive.
            value = json.loads(call["arguments"])
            value["facts"].append({"statement": "Invented", "evidence": "Nobody said this."})
            value["figures"].append({"what": "parks", "value": "many", "evidence": "x"})
            call["arguments"] = json.dumps(value)
        elif key.cluster_id == "c/1" and key.source_id == "b":
            record["response"] = None
            record["error"] = {"code": "server_error", "message": "The model crashed."}
        elif key.cluster_id == "c/2" and key.source_id == "a":
            call["arguments"] = '{"headline": "cut'
        elif key.cluster_id == "c/2" and key.source_id == "b":
            return None  # no answer at all in the file
        elif key.cluster_id == "c/3":
            record["response"]["status_code"] = 500
            record["response"]["body"] = {"error": {"message": "overloaded"}}
        return record

    results = tmp_path / "results.jsonl"
    answer_all(requests, results, server, edit)
    out = tmp_path / "out.jsonl"
    await collect_results(clusters, results, out)
    records = {r["cluster_id"]: r for r in read_records(out)}
    assert len(records) == 5  # four clusters plus the bad line (cluster_id null)

    partial = records["c/1"]
    assert partial["status"] == "partial"
    (failure,) = partial["result"]["failures"]
    assert failure["source_id"] == "b" and "The model crashed." in failure["reason"]
    warnings = " ".join(partial["result"]["warnings"])
    assert "source a: 2 item(s) dropped" in warnings

    assert records["c/2"]["status"] == "failed"
    assert "not valid JSON" in records["c/2"]["error"]
    assert "no answer in the results file" in records["c/2"]["error"]
    assert (
        records["c/3"]["status"] == "failed" and "HTTP 500: overloaded" in records["c/3"]["error"]
    )


def test_parse_extraction_keeps_valid_siblings_of_an_invalid_item() -> None:
    data = extraction_for("The mayor opened 3 bridges. Traffic was heavy all day long.")
    data["figures"].append({"what": "x", "value": "lots", "evidence": "bridges"})
    data["event_type"] = "not-a-type"
    extraction, dropped = parse_extraction(data)
    assert len(extraction.figures) == 1 and extraction.figures[0].value == 3
    assert extraction.event_type.value == "other"
    assert [d.field for d in dropped] == ["figures"]
    assert "invalid item" in dropped[0].reason


def test_prepare_and_collect_commands(
    tmp_path: Path, server: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer.cli.main import main

    clusters = tmp_path / "clusters.jsonl"
    write_clusters(clusters)
    requests, results, out = (tmp_path / n for n in ("req.jsonl", "res.jsonl", "out.jsonl"))
    assert main(["batch", "prepare", str(clusters), "-o", str(requests), "-m", "gpt-4o-mini"]) == 1
    err = capsys.readouterr().err
    assert "clusters.jsonl:5" in err and "for 4 cluster(s)" in err
    answer_all(requests, results, server)
    assert main(["batch", "collect", str(clusters), str(results), "-o", str(out)]) == 1
    assert "4 complete, 0 partial, 1 failed" in capsys.readouterr().err
    assert len(list(read_records(out))) == 5
    # Collect resumes like a run: a second call adds nothing.
    assert main(["batch", "collect", str(clusters), str(results), "-o", str(out), "-q"]) == 1
    assert len(list(read_records(out))) == 5
