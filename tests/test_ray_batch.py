"""``--engine ray`` end to end on one session-wide local Ray (``pytest -m ray``).

Built-in results equal the local batch's record by record; the LLM path keeps the fake
server's peak in-flight requests within ``--concurrency`` across workers; a rerun is
served from the cache; a SIGKILLed driver's rerun loses and duplicates nothing, and so does a
SIGINT (exit 130, what was written stays); ``--retry-failed`` on the command line redoes only
the failed clusters and the running cost is the sum of the records' usage; the library reads
a ``read_json`` dataset of cluster records.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ray")

from summarizer.batch import ray_data
from summarizer.batch.ray_ids import file_keys
from summarizer.batch.runner import read_records
from summarizer.core.settings import LLMSettings
from summarizer.testing.fake_openai import (
    Action,
    FakeOpenAI,
    FakeRequest,
    pipeline_responder,
    server_error,
)
from summarizer.testing.synthetic import cluster

BUILTIN_SETTINGS = LLMSettings(model="builtin")

pytestmark = pytest.mark.ray


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    import ray

    ray_data.start_ray(num_cpus=2)  # the default resource requests must work on 2 CPUs
    yield
    ray.shutdown()


def _clusters(path: Path, count: int, seed: int = 7, sources: int = 3) -> list[str]:
    rng = random.Random(seed)
    rows = [cluster(rng, n, sources, sentences=6) for n in range(count)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return [row["id"] for row in rows]


def _outdir_records(outdir: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for part in sorted(outdir.glob("part-*.jsonl")):
        records.extend(read_records(part))
    return records


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    """A record without what only says where a line was: its input line number."""
    record = {k: v for k, v in record.items() if k != "line"}
    for source in (record.get("result") or {}).get("sources", []):
        source["origin"] = None  # "file:12 S1" locally, "file#cluster-3 S1" on Ray
    return record


@pytest.fixture(params=["driver-blocks", "ray-read"])
def input_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a local input reaches the workers: blocks cut by the driver (small files,
    no read task) and Ray's own read and repartition (large files, folders, object storage)."""
    if request.param == "ray-read":
        monkeypatch.setattr(ray_data, "DRIVER_BLOCKS_MAX_BYTES", -1)
    return str(request.param)


@pytest.mark.usefixtures("input_path")
def test_builtin_records_equal_the_local_batch(local_ray: None, tmp_path: Path) -> None:
    from summarizer.cli.main import main

    clusters = tmp_path / "clusters.jsonl"
    ids = _clusters(clusters, 240)
    local = tmp_path / "local.jsonl"
    assert main(["batch", str(clusters), "-o", str(local), "-m", "builtin", "-q"]) == 0

    report = ray_data.run_to_outdir(
        str(clusters), str(tmp_path / "out"), settings=BUILTIN_SETTINGS, workers=2
    )
    assert report.final is not None and report.final.complete == report.written == 240

    on_ray = {r["cluster_id"]: _comparable(r) for r in _outdir_records(tmp_path / "out")}
    by_local = {r["cluster_id"]: _comparable(r) for r in read_records(local)}
    assert sorted(on_ray) == sorted(ids)
    for cluster_id in ids:
        assert on_ray[cluster_id] == by_local[cluster_id], cluster_id


@pytest.mark.usefixtures("input_path")
def test_bad_lines_duplicates_and_rerun(local_ray: None, tmp_path: Path) -> None:
    clusters = tmp_path / "clusters.jsonl"
    _clusters(clusters, 6)
    rng = random.Random(99)
    with clusters.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
        handle.write(
            json.dumps({"sources": [{"text": "Nine ferries left Porto on Friday."}]}) + "\n"
        )
        handle.write(json.dumps(cluster(rng, 2, 2, sentences=4)) + "\n")  # id cluster-2 again
        # A raw U+2028 inside an article is valid JSON (json.dumps writes it so with
        # ensure_ascii=False) and must not split the line, as str.splitlines would.
        separated = cluster(rng, 40, 2, sentences=4)
        separated["sources"][0]["text"] = separated["sources"][0]["text"].replace(". ", ".\u2028 ")
        line = json.dumps(separated, ensure_ascii=False) + "\n"
        handle.write(line + line)  # and the same line twice is one cluster
    outdir = tmp_path / "out"
    report = ray_data.run_to_outdir(
        str(clusters), str(outdir), settings=BUILTIN_SETTINGS, workers=2
    )
    assert report.identical_lines == 1
    records = _outdir_records(outdir)
    stages = sorted((r["cluster_id"].split(":")[0], r.get("stage") or "") for r in records)
    assert ("cluster-2", "duplicate") in stages and ("cluster-2", "") in stages
    assert [s for s in stages if s[1] == "input"] == [("sha256", "input")]
    assert ("cluster-40", "") in stages
    assert sum(1 for r in records if r["status"] != "failed") == 6 + 1 + 1  # id-less one too

    again = ray_data.run_to_outdir(str(clusters), str(outdir), settings=BUILTIN_SETTINGS, workers=2)
    assert again.written == 0 and again.skipped == 9
    assert sorted(map(json.dumps, _outdir_records(outdir))) == sorted(map(json.dumps, records))


def test_llm_path_one_budget_across_workers_and_rerun_from_cache(
    local_ray: None, tmp_path: Path
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    _clusters(clusters, 30, sources=2)
    with FakeOpenAI(pipeline_responder, latency_s=0.05) as server:
        settings = server.settings(concurrency=6, cache=True, cache_dir=tmp_path / "cache")
        first = ray_data.run_to_outdir(
            str(clusters), str(tmp_path / "out1"), settings=settings, workers=2
        )
        calls = server.request_count
        assert first.complete == 30 and calls >= 30 * 3  # 2 extractions and 1 writer each
        assert 2 <= server.max_in_flight <= 6, server.max_in_flight

        second = ray_data.run_to_outdir(
            str(clusters), str(tmp_path / "out2"), settings=settings, workers=2
        )
        assert second.complete == 30
        assert server.request_count == calls  # every call answered by the node's cache


def test_sigkill_of_the_driver_then_rerun_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    clusters = tmp_path / "clusters.jsonl"
    ids = _clusters(clusters, 1500)
    outdir = tmp_path / "out"
    command = [
        sys.executable, "-m", "summarizer", "batch", str(clusters), "-o", str(outdir),
        "--engine", "ray", "--workers", "2", "-m", "builtin", "-q",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    driver = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not list(outdir.glob("part-*.jsonl")):
        assert driver.poll() is None, driver.stderr.read() if driver.stderr else ""
        assert time.monotonic() < deadline, "no part file was written"
        time.sleep(0.2)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    before = len(_outdir_records(outdir))
    assert 0 < before < len(ids), "the kill should land mid-run"

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    got = [r["cluster_id"] for r in _outdir_records(outdir)]
    assert len(got) == len(set(got)), "a cluster has two records"
    assert sorted(got) == sorted(ids), "a cluster has no record"


def test_library_on_a_read_json_dataset_equals_the_local_batch(
    local_ray: None, tmp_path: Path
) -> None:
    """The cluster-records input form: columns ``id``, ``sources`` as ``read_json`` makes them."""
    import ray.data

    from summarizer.cli.main import main

    clusters = tmp_path / "clusters.jsonl"
    ids = _clusters(clusters, 40)
    anonymous = {"sources": [{"id": "S1", "text": "Nine ferries left Porto on Friday morning."}]}
    with clusters.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(anonymous) + "\n")  # read_json gives it a null id
    local = tmp_path / "local.jsonl"
    assert main(["batch", str(clusters), "-o", str(local), "-m", "builtin", "-q"]) == 0

    dataset = ray.data.read_json(str(clusters))
    assert "sources" in dataset.schema().names  # records, not raw lines
    records = ray_data.summarize_dataset(dataset, settings=BUILTIN_SETTINGS, workers=2)
    rows = records.take_all()
    assert len(rows) == len(ids) + 1
    hashed = [r["cluster_id"] for r in rows if r["cluster_id"] not in ids]
    assert len(hashed) == 1 and hashed[0].startswith("sha256:")
    # The local batch names an id-less cluster by its line; Ray by its content hash.
    by_local = {
        r["cluster_id"] if r["cluster_id"] in ids else hashed[0]: _comparable(r)
        for r in read_records(local)
    }
    for row in rows:
        record = {k: v for k, v in row.items() if v is not None}
        record["result"] = json.loads(record["result"])
        expected = by_local[row["cluster_id"]]
        if row["cluster_id"] == hashed[0]:
            expected = {**expected, "cluster_id": hashed[0]}
        assert _comparable(record) == expected, row["cluster_id"]


def _priced_cost(line: str) -> float:
    found = re.search(r"\$(\d+\.\d+)", line)
    assert found, line
    return float(found.group(1))


def test_retry_failed_through_the_command_line_and_the_running_cost(
    local_ray: None, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A first run fails two clusters; ``--retry-failed --engine ray`` redoes only those."""
    from summarizer.cli.main import main

    clusters = tmp_path / "clusters.jsonl"
    ids = _clusters(clusters, 12, sources=2)
    broken = {"cluster-3", "cluster-8"}
    texts = [json.loads(line) for line in clusters.read_text().splitlines()]
    poisoned = {s["text"][:40] for row in texts if row["id"] in broken for s in row["sources"]}
    failing = [True]

    def responder(request: FakeRequest) -> Action:
        if failing[0] and any(head in request.article for head in poisoned):
            return server_error(400)  # not retried: the cluster fails at once
        return pipeline_responder(request)

    outdir = tmp_path / "out"
    with FakeOpenAI(responder) as server:
        flags = [
            "--engine", "ray", "--workers", "2", "-m", "gpt-4o-mini", "--base-url",
            server.base_url, "--no-cache", "--concurrency", "4", "--backoff-base", "0.001",
            "--backoff-max", "0.01",
        ]  # fmt: skip
        env = {"OPENAI_API_KEY": "test-key"}
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            first = main(["batch", str(clusters), "-o", str(outdir), *flags])
            first_err = capfd.readouterr().err
            before = {r["cluster_id"]: r for r in _outdir_records(outdir)}
            assert first == 1, first_err  # partial: some clusters failed
            assert {k for k, r in before.items() if r["status"] == "failed"} == broken
            spent = sum(
                r["result"]["usage"]["cost_usd"] for r in before.values() if r.get("result")
            )
            assert spent > 0 and _priced_cost(first_err.splitlines()[-1]) == round(spent, 4)

            failing[0] = False
            server.reset()
            again = main(["batch", str(clusters), "-o", str(outdir), "--retry-failed", *flags])
            again_err = capfd.readouterr().err
    assert again == 0, again_err
    assert "10 already done" in again_err and "2 written" in again_err
    articles = {request.article for request in server.requests if request.article_id}
    assert articles and all(any(h in a for h in poisoned) for a in articles)  # only the two
    after = _outdir_records(outdir)
    assert sorted(r["cluster_id"] for r in after) == sorted(ids)  # one record each
    assert all(r["status"] != "failed" for r in after)
    kept = {r["cluster_id"]: r for r in after if r["cluster_id"] not in broken}
    assert kept == {k: v for k, v in before.items() if k not in broken}


def test_sigint_stops_the_run_keeps_what_is_written_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    ids = _clusters(clusters, 800)
    outdir = tmp_path / "out"
    command = [
        sys.executable, "-m", "summarizer", "batch", str(clusters), "-o", str(outdir),
        "--engine", "ray", "--workers", "2", "-m", "builtin", "-q",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    driver = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list(outdir.glob("part-*.jsonl")):
        assert driver.poll() is None, driver.stderr.read() if driver.stderr else ""
        assert time.monotonic() < deadline, "no part file was written"
        time.sleep(0.2)
    written = {part.name: part.read_bytes() for part in outdir.glob("part-*.jsonl")}
    driver.send_signal(signal.SIGINT)
    try:
        _, stderr = driver.communicate(timeout=120)  # a hang guard, not a timing claim
    except subprocess.TimeoutExpired:
        driver.kill()
        raise AssertionError("the run did not stop after SIGINT") from None
    assert driver.returncode == 130, stderr  # -q: no notices, the exit code says it
    for name, data in written.items():
        assert (outdir / name).read_bytes() == data  # what was written stays as it was
    stopped = [r["cluster_id"] for r in _outdir_records(outdir)]
    assert len(stopped) == len(set(stopped)) and 0 < len(stopped) < len(ids)

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    got = [r["cluster_id"] for r in _outdir_records(outdir)]
    assert len(got) == len(set(got)), "a cluster has two records"
    assert sorted(got) == sorted(ids), "a cluster has no record"


def test_a_small_input_gets_a_block_per_worker_and_an_empty_one_none(
    local_ray: None, tmp_path: Path
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    _clusters(clusters, 5)
    dataset, keys = ray_data.driver_blocks(str(clusters), rows=16, workers=2)
    assert dataset.num_blocks() == 2 and keys == file_keys(str(clusters))
    blocks = dataset.iter_batches(batch_size=None, batch_format="pyarrow")
    assert sorted(block.num_rows for block in blocks) == [2, 3]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    dataset, keys = ray_data.driver_blocks(str(empty), rows=16, workers=2)
    assert dataset.count() == 0 and keys == file_keys(str(empty))
