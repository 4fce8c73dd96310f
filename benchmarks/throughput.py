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
  (g) client CPU milliseconds per model call, ours against what a user would write by
      hand, each in its own fresh process against the same server, L and concurrency:
      ours is the batch runner over 300 three-source clusters (--side-clusters), so every
      bit of our pipeline (grounding, merge, LLM writer, JSON lines) is on our side;
      hand-written is plain `instructor.from_openai(AsyncOpenAI(...))` extraction calls
      with a schema of the same shape (no validators) under an `asyncio.Semaphore`, as
      many calls as ours made. Both are `time.process_time()` around the timed part,
      after a warm-up. Prints the ratio ours / hand-written (target <= 1.0), and ours
      again with the llm/fastpath.py shortcut off (public `create` on every call).

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

import instructor
import openai
from pydantic import BaseModel, Field

from summarizer.batch.api import request_body
from summarizer.batch.runner import BatchRunner, iter_input, read_records, summary_process
from summarizer.core.schema import EventExtraction
from summarizer.core.settings import LLMSettings
from summarizer.llm import fastpath
from summarizer.llm.client import LLM
from summarizer.pipeline import RunOptions, summarize_sources
from summarizer.sources.load import iter_clusters
from summarizer.testing.fake_openai import FakeOpenAI, pipeline_responder
from summarizer.testing.synthetic import article
from summarizer.testing.synthetic import cluster as synthetic_cluster

CHARS_PER_TOKEN = 4

# --------------------------------------------------------------------------- data


def cluster(rng: random.Random, number: int, sources: int) -> dict[str, Any]:

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

    rng = random.Random(3)
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


# --------------------------------------------------------------------------- (g) by hand


class HandTime(BaseModel):
    text: str = Field(description="the time phrase as written")
    iso: str | None = Field(None, description="ISO date or range if known")
    evidence: str = Field(description="verbatim words from the article")


class HandPlace(BaseModel):
    name: str
    evidence: str = Field(description="verbatim words from the article")


class HandActor(BaseModel):
    name: str
    kind: str = "other"
    role: str = Field(description="what they did or are, in a few words")
    evidence: str = Field(description="verbatim words from the article")


class HandFigure(BaseModel):
    what: str = Field(description="what is counted or measured")
    value: float
    unit: str | None = None
    approximate: bool = False
    evidence: str = Field(description="verbatim words from the article containing the number")


class HandQuote(BaseModel):
    speaker: str
    evidence: str = Field(description="the quoted words, verbatim")


class HandFact(BaseModel):
    statement: str = Field(description="one short self-contained statement")
    evidence: str = Field(description="verbatim words from the article")


class HandEvent(BaseModel):
    """What a user would write by hand for the same task: the same fields as
    ``EventExtraction``, no validators, no context."""

    headline: str = Field(description="one sentence")
    event_type: str = "other"
    when: list[HandTime] = []
    where: list[HandPlace] = []
    actors: list[HandActor] = []
    figures: list[HandFigure] = []
    quotes: list[HandQuote] = []
    facts: list[HandFact] = Field(default=[], description="the key facts, most important first")


HAND_SYSTEM = (
    "Extract the event this news article reports: headline, event type, times, places, "
    "actors, figures, quotes and facts, each with verbatim evidence from the article."
)


async def hand_written(
    base_url: str, clusters: Path, calls: int, concurrency: int
) -> dict[str, Any]:
    """``calls`` extractions the way the instructor README shows, under a Semaphore."""
    texts = [
        (source.id, source.text)
        for line in iter_clusters(clusters)
        if line.cluster is not None
        for source in line.cluster.sources
    ]
    raw = openai.AsyncOpenAI(base_url=base_url, api_key="benchmark", timeout=120, max_retries=2)
    client = instructor.from_openai(raw, mode=instructor.Mode.TOOLS)
    limit = asyncio.Semaphore(concurrency)

    async def one(number: int) -> HandEvent:
        source_id, text = texts[number % len(texts)]
        async with limit:
            return await client.chat.completions.create(
                model="fake-model",
                response_model=HandEvent,
                messages=[
                    {"role": "system", "content": HAND_SYSTEM},
                    {"role": "user", "content": f'<article id="{source_id}">\n{text}\n</article>'},
                ],
                temperature=0.0,
                max_retries=2,
            )

    await asyncio.gather(*(one(n) for n in range(4)))  # warm-up: lazy imports, connections
    cpu = time.process_time()
    started = time.perf_counter()
    events = await asyncio.gather(*(one(n) for n in range(calls)))
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await raw.close()
    return {
        "cpu_s": cpu,
        "calls": calls,
        "wall_s": wall,
        "facts": sum(len(e.facts) for e in events),
    }


async def ours(base_url: str, clusters: Path, concurrency: int) -> dict[str, Any]:
    """The batch runner over ``clusters`` (extract, ground, merge, LLM writer, JSON lines)."""
    (warm,) = [line.cluster for line in iter_clusters(clusters)][:1]
    assert warm is not None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.jsonl"
        async with LLM(llm_settings(base_url, concurrency)) as llm:
            await summarize_sources(warm.sources, engine=llm, options=RunOptions(writer="llm"))
            before = llm.usage.requests
            runner = BatchRunner(
                summary_process(llm, RunOptions(writer="llm")), max_in_flight=2 * concurrency
            )
            cpu = time.process_time()
            started = time.perf_counter()
            stats = await runner.run(iter_input(clusters), out)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            calls = llm.usage.requests - before
        ok = sum(1 for record in read_records(out) if record["status"] == "ok")
    return {"cpu_s": cpu, "calls": calls, "wall_s": wall, "clusters": stats.written, "ok": ok}


def side(which: str, base_url: str, clusters: Path, calls: int, concurrency: int) -> None:
    """Run one side of (g) in this process and print its figures as one JSON line."""
    if which in ("ours", "ours-public"):
        # "ours-public": the same run with llm/fastpath.py's shortcut switched off.
        fastpath.enabled = which == "ours"
        figures = asyncio.run(ours(base_url, clusters, concurrency))
    else:
        figures = asyncio.run(hand_written(base_url, clusters, calls, concurrency))
    print(json.dumps(figures), flush=True)


def run_side(which: str, base_url: str, clusters: Path, calls: int, concurrency: int) -> Any:
    command = [sys.executable, __file__, "--side", which, "--base-url", base_url]
    command += ["--side-input", str(clusters), "--side-calls", str(calls)]
    command += ["--concurrency", str(concurrency)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def side_by_side(base_url: str, count: int, concurrency: int) -> dict[str, Any]:
    """(g): our pipeline and hand-written instructor calls, each in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        clusters = Path(folder) / "clusters.jsonl"
        write_clusters(clusters, count, 3, seed=31)
        mine = run_side("ours", base_url, clusters, 0, concurrency)
        hand = run_side("hand", base_url, clusters, int(mine["calls"]), concurrency)
        public = run_side("ours-public", base_url, clusters, 0, concurrency)
    ours_ms = 1000 * mine["cpu_s"] / max(1, mine["calls"])
    hand_ms = 1000 * hand["cpu_s"] / max(1, hand["calls"])
    public_ms = 1000 * public["cpu_s"] / max(1, public["calls"])
    return {
        "ours": mine,
        "hand": hand,
        "ours_ms": ours_ms,
        "hand_ms": hand_ms,
        "public_ms": public_ms,
        "ratio": ours_ms / hand_ms,
        "public_ratio": public_ms / hand_ms,
        "fastpath": fastpath.supported(),
        "ours_schema": len(json.dumps(EventExtraction.model_json_schema())),
        "hand_schema": len(json.dumps(HandEvent.model_json_schema())),
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
    parser.add_argument("--side-clusters", type=int, help="clusters for (g) (default 300)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--side", choices=["ours", "ours-public", "hand"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--side-input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--side-calls", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.latency)
        return 0
    if args.side:
        side(args.side, args.base_url, args.side_input, args.side_calls, args.concurrency)
        return 0
    side_count = args.side_clusters or (100 if args.quick else 300)
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
        if "g" not in skip:
            g = side_by_side(base_url, side_count, args.concurrency)
            print(
                f"(g) client CPU per model call, same server, L and concurrency "
                f"{args.concurrency}, each side in its own process: ours "
                f"{g['ours_ms']:.2f} ms ({g['ours']['calls']} calls, "
                f"{g['ours']['clusters']} clusters: extract, ground, merge, LLM writer, "
                f"JSON lines) vs hand-written instructor.from_openai under a Semaphore "
                f"{g['hand_ms']:.2f} ms ({g['hand']['calls']} extraction calls); "
                f"ratio ours / hand-written {g['ratio']:.2f} (target <= 1.0); schemas "
                f"{g['ours_schema']} vs {g['hand_schema']} chars",
                flush=True,
            )
            print(
                f"    ours with llm/fastpath.py off (instructor's public create on every "
                f"call): {g['public_ms']:.2f} ms, ratio {g['public_ratio']:.2f}; shortcut "
                f"{'verified for' if g['fastpath'] else 'NOT verified for, so off in'} "
                f"instructor {instructor.__version__}",
                flush=True,
            )
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
