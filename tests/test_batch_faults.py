"""300 clusters through the fake server with a fifth of all calls faulted: none lost, none twice.

Faults are mixed (429 with Retry-After, 500, a delay past the client timeout, a dropped
connection, malformed JSON, evidence that is not in the article) and hit extraction and
writer calls alike. Backoff and timeouts are shrunk so the test stays quick.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
from collections import Counter
from pathlib import Path

import pytest

from summarizer.batch.runner import BatchRunner, read_records, summary_process
from summarizer.core.settings import LLMSettings
from summarizer.llm.client import LLM
from summarizer.pipeline import RunOptions
from summarizer.sources import iter_clusters
from summarizer.testing.fake_openai import (
    Action,
    FakeOpenAI,
    FakeRequest,
    Reply,
    drop,
    malformed_json,
    pipeline_responder,
    rate_limited,
    server_error,
    timeout,
    ungrounded_extraction,
)

CLUSTERS = 300
CLIENT_TIMEOUT_S = 0.3


class Faulty:
    """Every fifth call gets the next fault of the cycle; the rest are answered normally."""

    def __init__(self) -> None:
        self.calls = 0
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._faults = itertools.cycle(["429", "500", "timeout", "drop", "malformed", "ungrounded"])

    def __call__(self, request: FakeRequest) -> Action:
        with self._lock:
            self.calls += 1
            fault = next(self._faults) if self.calls % 5 == 0 else None
            if fault:
                self.injected[fault] += 1
        if fault == "429":
            return rate_limited(retry_after=0)
        if fault == "500":
            return server_error(500)
        if fault == "timeout":
            return timeout(CLIENT_TIMEOUT_S * 3)
        if fault == "drop":
            return drop()
        if fault == "malformed":
            return malformed_json()
        if fault == "ungrounded" and not request.user_text.lstrip().startswith("Items:"):
            return Reply(ungrounded_extraction(request.article))
        return pipeline_responder(request)


def write_clusters(path: Path) -> None:
    rng = random.Random(3)
    places = ["Leeds", "Porto", "Osaka", "Quito", "Tartu", "Perth"]
    with path.open("w") as handle:
        for n in range(CLUSTERS):
            place = rng.choice(places)
            sources = []
            for s in range(1, 4):
                count = rng.randint(2, 400)
                sources.append(
                    {
                        "id": f"S{s}",
                        "text": f"Flooding hit {place} on Monday after heavy rain. "
                        f"Officials said {count} homes were damaged in the storm. "
                        f"Report {n}-{s} says schools in {place} will reopen next week.",
                    }
                )
            handle.write(json.dumps({"id": f"flood-{n}", "sources": sources}) + "\n")


@pytest.mark.slow
async def test_300_clusters_with_a_fifth_of_calls_faulted_all_end_exactly_once(
    tmp_path: Path,
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    write_clusters(clusters)
    out = tmp_path / "results.jsonl"
    faulty = Faulty()
    with FakeOpenAI(faulty) as server:
        settings = LLMSettings(
            model="fake-model",
            base_url=server.base_url,
            api_key="test",
            concurrency=32,
            timeout_s=CLIENT_TIMEOUT_S,
            max_reasks=1,
            http_attempts=4,
            backoff_base_s=0.001,
            backoff_max_s=0.01,
            max_retry_time_s=10,
            cache=False,
        )
        async with LLM(settings) as llm:
            runner = BatchRunner(
                summary_process(llm, RunOptions(writer="llm")),
                max_in_flight=64,
                cost=lambda: llm.usage.cost_usd,
            )
            stats = await runner.run(iter_clusters(clusters), out)

    assert set(faulty.injected) == {"429", "500", "timeout", "drop", "malformed", "ungrounded"}
    assert sum(faulty.injected.values()) >= 0.19 * faulty.calls

    records = list(read_records(out))
    ids = [r["cluster_id"] for r in records]
    assert len(ids) == CLUSTERS
    assert set(ids) == {f"flood-{n}" for n in range(CLUSTERS)}  # none lost, none twice
    assert stats.written == CLUSTERS
    for record in records:
        assert record["status"] in {"complete", "partial", "failed"}
        if record["status"] == "failed":
            assert record["error"]
        else:
            result = record["result"]
            texts = {s["id"]: s["text"] for s in result["sources"]}
            for sentence in result["sentences"]:
                assert sentence["citations"]
                for c in sentence["citations"]:
                    assert texts[c["source_id"]][c["start"] : c["end"]] == c["quote"]
    # The faults were survived, not merely recorded: most clusters came out complete.
    statuses = Counter(r["status"] for r in records)
    assert statuses["complete"] >= 0.8 * CLUSTERS, statuses
    # Ungrounded answers were re-asked or dropped, never kept: some warnings say so.
    warnings = [w for r in records if r["status"] != "failed" for w in r["result"]["warnings"]]
    assert warnings or statuses["partial"]
