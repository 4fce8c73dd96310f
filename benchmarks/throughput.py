"""Batch throughput against the fake OpenAI server with a fixed latency L per call.

    .venv/bin/python benchmarks/throughput.py            # full: 1,000 and 10,000 clusters
    .venv/bin/python benchmarks/throughput.py --quick    # scaled down (200 and 1,000)

Prints:
  (a) one five-source cluster (extract + LLM writer) wall time / 2L   (target <= 1.10)
  (b) N three-source clusters at concurrency C: clusters/s / ideal    (target >= 0.90)
      ideal = C / (calls per cluster x L): C calls in flight, each taking L
  (c) client CPU seconds per cluster (the server runs in another process, so this is the
      CPU the client spends outside network waits: parsing, validation, grounding, merge,
      writing, JSON output)
  (d) peak resident memory of `summarizer batch` streaming M generated clusters
      (built-in extractor by default; --rss-llm streams them through the fake server)
  (e) prompt tokens per token of source text and the fixed overhead per extraction call,
      counted with the rule tokens = characters / 4 (no tokenizer download; OpenAI's rule
      of thumb, also what the fake server reports as usage) over the exact request bodies
      (messages + tools) that `batch prepare` and the live client send.
  (f) in the (b) run: time until the first result line is on disk, and until 10% of the
      lines are, in units of L. Two rounds per cluster make 2L the floor for the first;
      a result that waits behind later clusters' first-round calls shows up here (and is
      work a kill would lose).

The fake server answers extraction calls with a grounded extraction of the article and
writer calls with a valid draft citing the facts it was given, so both rounds are real
round trips through openai + instructor + the validators.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHARS_PER_TOKEN = 4

# --------------------------------------------------------------------------- data


def cluster(rng: random.Random, number: int, sources: int) -> dict[str, Any]:
    from summarizer.testing.synthetic import cluster as synthetic_cluster

    return synthetic_cluster(rng, number, sources, prefix="bench")


def write_clusters(path: Path, count: int, sources: int, seed: int = 1) -> int:
    """Write ``count`` clusters; return the characters of source text written."""
    rng = random.Random(seed)
    chars = 0
    with path.open("w") as handle:
        for number in range(count):
            item = cluster(rng, number, sources)
            chars += sum(len(s["text"]) for s in item["sources"])
            handle.write(json.dumps(item) + "\n")
    return chars


# --------------------------------------------------------------------------- server


def serve(latency_s: float) -> None:
    """Run the fake server in this process until stdin closes (a child of the benchmark)."""
    from summarizer.testing.fake_openai import FakeOpenAI, pipeline_responder

    server = FakeOpenAI(pipeline_responder, latency_s=latency_s)
    server.start()
    print(f"READY {server.base_url}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


def start_server(latency_s: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--latency", str(latency_s)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("READY "):
        process.kill()
        raise SystemExit(f"fake server did not start: {line!r}")
    return process, line.split(" ", 1)[1]


# --------------------------------------------------------------------------- measurements


def llm_settings(base_url: str, concurrency: int) -> Any:
    from summarizer.core.settings import LLMSettings

    return LLMSettings(
        model="fake-model",
        base_url=base_url,
        api_key="benchmark",
        concurrency=concurrency,
        cache=False,
        timeout_s=120,
    )


async def one_cluster(base_url: str, latency_s: float) -> dict[str, float]:
    """(a): wall time of one five-source cluster, after a warm-up cluster."""
    from summarizer.llm.client import LLM
    from summarizer.pipeline import RunOptions, summarize_sources
    from summarizer.sources import iter_clusters

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "five.jsonl"
        write_clusters(path, 2, 5, seed=5)
        warm, timed = [line.cluster for line in iter_clusters(path)]
    assert warm is not None and timed is not None
    options = RunOptions(writer="llm")
    async with LLM(llm_settings(base_url, 64)) as llm:
        started = time.perf_counter()
        await summarize_sources(warm.sources, engine=llm, options=options)
        cold = time.perf_counter() - started
        before = llm.usage.requests
        started = time.perf_counter()
        result = await summarize_sources(timed.sources, engine=llm, options=options)
        wall = time.perf_counter() - started
        calls = llm.usage.requests - before
    return {
        "wall_s": wall,
        "ratio": wall / (2 * latency_s),
        "cold_ratio": cold / (2 * latency_s),
        "calls": calls,
        "writer": 1.0 if result.versions.writer == "llm" else 0.0,
    }


async def many_clusters(
    base_url: str, latency_s: float, count: int, concurrency: int
) -> dict[str, float]:
    """(b), (c) and the measured half of (e): the batch runner over ``count`` clusters."""
    from summarizer.batch.runner import BatchRunner, iter_input, read_records, summary_process
    from summarizer.llm.client import LLM
    from summarizer.pipeline import RunOptions

    with tempfile.TemporaryDirectory() as folder:
        clusters = Path(folder) / "clusters.jsonl"
        source_chars = write_clusters(clusters, count, 3, seed=11)
        out = Path(folder) / "out.jsonl"
        # (f): when the n-th line is on disk (the progress callback runs after its fsync).
        marks = {1: 0.0, max(1, count // 10): 0.0}
        started = time.perf_counter()

        def progress(stats: Any) -> None:
            if stats.written in marks and not marks[stats.written]:
                marks[stats.written] = time.perf_counter() - started

        async with LLM(llm_settings(base_url, concurrency)) as llm:
            runner = BatchRunner(
                summary_process(llm, RunOptions(writer="llm")),
                max_in_flight=2 * concurrency,
                progress=progress,
            )
            cpu = time.process_time()
            started = time.perf_counter()
            stats = await runner.run(iter_input(clusters), out)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            usage = llm.usage
        statuses: dict[str, int] = {}
        writers: dict[str, int] = {}
        for record in read_records(out):
            statuses[record["status"]] = statuses.get(record["status"], 0) + 1
            if "result" in record:
                writer = record["result"]["versions"]["writer"]
                writers[writer] = writers.get(writer, 0) + 1
    calls_per_cluster = usage.requests / max(1, stats.written)
    ideal = concurrency / (calls_per_cluster * latency_s)
    rate = stats.written / wall
    return {
        "clusters": stats.written,
        "wall_s": wall,
        "rate": rate,
        "ideal": ideal,
        "ratio": rate / ideal,
        "calls_per_cluster": calls_per_cluster,
        "cpu_per_cluster_ms": 1000 * cpu / max(1, stats.written),
        "prompt_tokens": usage.prompt_tokens,
        "source_tokens": source_chars / CHARS_PER_TOKEN,
        "first_s": marks[1],
        "tenth_s": marks[max(1, count // 10)],
        "tenth": max(1, count // 10),
        "statuses": statuses,  # type: ignore[dict-item]
        "writers": writers,  # type: ignore[dict-item]
    }


def _high_water_kib(pid: int) -> int:
    """VmHWM of a running process: its peak RSS since exec.

    Not ``ru_maxrss`` from ``wait4``: a forked child inherits the parent's high-water mark
    across exec, so it would report this benchmark's own memory, not the batch run's.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss(count: int, base_url: str | None) -> dict[str, float]:
    """(d): peak RSS of a `summarizer batch` process streaming ``count`` clusters."""
    with tempfile.TemporaryDirectory() as folder:
        clusters = Path(folder) / "clusters.jsonl"
        write_clusters(clusters, count, 3, seed=21)
        out = Path(folder) / "out.jsonl"
        command = [sys.executable, "-m", "summarizer.cli.batch", "batch", str(clusters)]
        command += ["-o", str(out), "-q"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
        if base_url is None:
            command += ["-m", "builtin"]
        else:
            command += ["-m", "fake-model", "--base-url", base_url, "--no-cache"]
            command += ["--writer", "extractive", "--concurrency", "64"]
            env["OPENAI_API_KEY"] = "benchmark"
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env)
        peak_kib = 0
        while process.poll() is None:
            peak_kib = max(peak_kib, _high_water_kib(process.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - started
        lines = out.read_bytes().count(b"\n")
        size = out.stat().st_size
    return {
        "clusters": lines,
        "peak_rss_mb": peak_kib / 1024,
        "wall_s": wall,
        "exit": process.returncode,
        "output_mb": size / 1e6,
    }


def prompt_overhead() -> dict[str, float]:
    """(e) from the request bodies themselves (what `batch prepare` writes and the client sends)."""
    from summarizer.batch.api import request_body

    rng = random.Random(3)
    from summarizer.testing.synthetic import article

    text = article(rng, "Leeds", 14)

    def tokens(article_text: str) -> float:
        body = request_body(
            {"article": article_text, "source_id": "S1"}, model="gpt-4o-mini", mode="tools"
        )
        sent = json.dumps(body["messages"]) + json.dumps(body.get("tools", ""))
        return len(sent) / CHARS_PER_TOKEN

    empty = tokens("")
    full = tokens(text)
    schema = (
        len(
            json.dumps(
                request_body({"article": "", "source_id": "S1"}, model="m", mode="tools")["tools"]
            )
        )
        / CHARS_PER_TOKEN
    )
    return {
        "overhead_tokens": empty,
        "schema_tokens": schema,
        "per_source_token": (full - empty) / (len(text) / CHARS_PER_TOKEN),
        "article_tokens": len(text) / CHARS_PER_TOKEN,
    }


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per call (L)")
    parser.add_argument("--clusters", type=int, help="clusters for (b)/(c) (default 1000)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rss-clusters", type=int, help="clusters for (d) (default 10000)")
    parser.add_argument("--rss-llm", action="store_true", help="(d) through the fake server")
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 clusters")
    parser.add_argument("--skip", default="", help="comma list of parts to skip, e.g. d")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.latency)
        return 0
    count = args.clusters or (200 if args.quick else 1000)
    rss_count = args.rss_clusters or (1000 if args.quick else 10_000)
    skip = set(args.skip.split(","))
    latency = args.latency

    server, base_url = start_server(latency)
    try:
        print(f"fake server {base_url}, latency L = {latency:.3f} s per call", flush=True)
        if "a" not in skip:
            a = asyncio.run(one_cluster(base_url, latency))
            print(
                f"(a) one 5-source cluster, extract + LLM writer ({a['calls']:.0f} calls): "
                f"{a['wall_s']:.3f} s = {a['ratio']:.3f} x 2L (target <= 1.10); "
                f"first cluster of the process (imports, connections): {a['cold_ratio']:.3f} x 2L",
                flush=True,
            )
        if "b" not in skip:
            b = asyncio.run(many_clusters(base_url, latency, count, args.concurrency))
            print(
                f"(b) {b['clusters']:.0f} 3-source clusters, concurrency {args.concurrency}, "
                f"{b['calls_per_cluster']:.2f} calls/cluster: {b['rate']:.2f} clusters/s vs ideal "
                f"{b['ideal']:.2f} = {b['ratio']:.3f} (target >= 0.90); wall {b['wall_s']:.1f} s; "
                f"statuses {b['statuses']}, writers {b['writers']}",
                flush=True,
            )
            print(
                f"(c) client CPU per cluster outside network waits: "
                f"{b['cpu_per_cluster_ms']:.1f} ms",
                flush=True,
            )
            print(
                f"(f) time to first result in (b): {b['first_s']:.2f} s = "
                f"{b['first_s'] / latency:.2f} L (floor 2L); first {b['tenth']:.0f} results "
                f"(10%): {b['tenth_s']:.2f} s = {b['tenth_s'] / latency:.2f} L",
                flush=True,
            )
        if "d" not in skip:
            d = peak_rss(rss_count, base_url if args.rss_llm else None)
            mode = "fake server, extractive writer" if args.rss_llm else "built-in extractor"
            print(
                f"(d) `summarizer batch` on {d['clusters']:.0f} clusters ({mode}): peak RSS "
                f"{d['peak_rss_mb']:.0f} MB (target < 300 MB); wall {d['wall_s']:.1f} s, "
                f"output {d['output_mb']:.0f} MB, exit {d['exit']:.0f}",
                flush=True,
            )
        if "e" not in skip:
            e = prompt_overhead()
            print(
                f"(e) extraction call: fixed overhead {e['overhead_tokens']:.0f} tokens "
                f"(of which tool schema {e['schema_tokens']:.0f}); "
                f"{e['per_source_token']:.3f} prompt tokens per source token "
                f"(chars/4 rule; a {e['article_tokens']:.0f}-token article costs "
                f"{e['overhead_tokens'] + e['per_source_token'] * e['article_tokens']:.0f})",
                flush=True,
            )
            if "b" not in skip:
                ratio = b["prompt_tokens"] / b["source_tokens"]
                print(
                    f"    measured in (b), both rounds: {ratio:.2f} prompt tokens per source "
                    "token (server usage counts, chars/4)",
                    flush=True,
                )
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
