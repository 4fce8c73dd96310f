"""One-process ``summarizer batch`` against ``--engine ray`` on the same input and machine.

    python benchmarks/scaleout.py [--clusters 1000] [--llm-clusters 1000] [--latency 0.5]
                                  [--concurrency 64] [--workers 1,2] [--repeat 1]

Every run is the whole command in a fresh process (``python -m summarizer batch ...``), so
Ray's start-up counts; it is also printed on its own (the driver's "ray: started in" line).
Peak memory is the largest resident set of the command and its children (Ray's workers
included), sampled every 0.2 s. The LLM rows run against the fake OpenAI server of
``summarizer.testing`` at a fixed latency (ideal calls/s = concurrency / latency), started
as its own process (``python -m summarizer.testing.fake_openai``) so that its CPU is not
the benchmark's: in-process, its handlers share one GIL with whatever else runs there.
Two rates are printed: over the whole command (start-up included) and over the busy
window the server saw, from the first request to the last (the steady rate a long run
approaches). CPU is counted too: the command's whole process tree (``cpu_s``, Ray's
daemons and workers included) and the server's, per model call, and from them the most
calls per second this machine's cores allow when client and server share them
(``cpu_bound_calls_per_s``): when that is below the ideal, the cores are the limit.

``--repeat N`` runs N rounds, each round every configuration once in the same order, and
ends with one ``summary`` line per path: each round's ratio of one process's wall time to
each Ray run's (built-in) or each run's share of the ideal over the busy window (LLM), and
their medians. On a shared machine the same command's CPU time moves by 10-20% between
runs; a ratio taken inside one round, and the median over rounds, is the reading to trust.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from summarizer.testing.synthetic import cluster


class ServerProcess:
    """The fake OpenAI server in a child process, driven over its stdin/stdout lines."""

    def __init__(self, latency: float) -> None:
        command = [sys.executable, "-m", "summarizer.testing.fake_openai"]
        self.process = subprocess.Popen(
            [*command, "--latency", str(latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the fake server did not start: {self.base_url!r}")

    def _say(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def reset(self) -> None:
        self._say("reset")

    def stats(self) -> dict[str, Any]:
        self._say("stats")
        assert self.process.stdout is not None
        stats: dict[str, Any] = json.loads(self.process.stdout.readline())
        return stats

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _tree(pid: int) -> tuple[float, dict[int, float]]:
    """Resident memory (MB) of ``pid`` and its descendants, and each one's CPU so far."""
    total, todo, seen, cpu = 0, [pid], set(), {}
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            cpu[current] = cpu_seconds(current)
            with open(f"/proc/{current}/task/{current}/children") as handle:
                todo.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024, cpu


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str, int]:
    """Wall time, peak RSS (MB), CPU seconds of the whole process tree, stderr, exit code.

    CPU is each process's last sample (every 0.2 s), so a process that ends between two
    samples loses at most its last 0.2 s: an undercount of a few percent at most.
    """
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    peak, last = 0.0, {}
    while process.poll() is None:
        rss, cpu = _tree(process.pid)
        peak = max(peak, rss)
        last.update(cpu)
        time.sleep(0.2)
    stderr = process.stderr.read() if process.stderr else ""
    return time.monotonic() - started, peak, sum(last.values()), stderr, process.returncode


def write_clusters(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(json.dumps(cluster(rng, number, 3)) + "\n")


def bench(
    label: str, args: list[str], clusters: int, env: dict[str, str], work: Path
) -> dict[str, Any]:
    # One output per run: a reused one would resume (skip every cluster) instead of running.
    out = work / f"out-{label}-{len(list(work.glob('out-*')))}"
    command = [sys.executable, "-m", "summarizer", "batch", *args[:1], "-o", str(out), *args[1:]]
    wall, peak, cpu, stderr, code = run(command, env)
    startup = re.search(r"ray: started in ([\d.]+) s", stderr)
    return {
        "run": label,
        "exit": code,
        "wall_s": round(wall, 1),
        "ray_start_s": float(startup.group(1)) if startup else None,
        "clusters_per_s": round(clusters / wall, 1),
        "peak_rss_mb": round(peak),
        "cpu_s": round(cpu, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--llm-clusters", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--skip-llm", action="store_true")
    parser.add_argument("--skip-builtin", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every configuration")
    options = parser.parse_args()
    workers = [int(w) for w in options.workers.split(",")]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
        for round_number in range(1, options.repeat + 1):
            rows += one_round(options, workers, work, env, round_number)
    for row in rows:
        print(json.dumps(row))
    for summary in summaries(rows, workers):
        print(json.dumps(summary))


def summaries(rows: list[dict[str, Any]], workers: list[int]) -> list[dict[str, Any]]:
    """Per path: each round's figure for each Ray run, and the median over rounds."""
    out = []
    for path, figure in [("builtin", "speedup"), ("llm", "of_ideal_busy")]:
        by_round: dict[int, dict[str, dict[str, Any]]] = {}
        for row in rows:
            if row["path"] == path:
                by_round.setdefault(row["round"], {})[row["run"]] = row
        if not by_round:
            continue
        summary: dict[str, Any] = {"path": path, "summary": figure}
        for n in workers:
            label = f"ray-{n}"
            if path == "builtin":
                values = [r["local"]["wall_s"] / r[label]["wall_s"] for r in by_round.values()]
            else:
                values = [r[label]["of_ideal_busy"] for r in by_round.values()]
            summary[label] = [round(v, 2) for v in values]
            summary[f"{label}_median"] = round(statistics.median(values), 2)
        out.append(summary)
    return out


def one_round(
    options: argparse.Namespace,
    workers: list[int],
    work: Path,
    env: dict[str, str],
    round_number: int,
) -> list[dict[str, Any]]:
    """Every configuration once: one process, then each worker count; built-in, then LLM."""
    rows = []
    if not options.skip_builtin:
        data = work / "builtin.jsonl"
        write_clusters(data, options.clusters, seed=1)
        base = [str(data), "-m", "builtin"]
        row = bench("local", base, options.clusters, env, work)
        rows.append({"path": "builtin", "round": round_number, **row})
        for n in workers:
            ray_args = [*base, "--engine", "ray", "--workers", str(n)]
            row = bench(f"ray-{n}", ray_args, options.clusters, env, work)
            rows.append({"path": "builtin", "round": round_number, **row})
    if not options.skip_llm:
        data = work / "llm.jsonl"
        write_clusters(data, options.llm_clusters, seed=2)
        server = ServerProcess(options.latency)
        try:
            base = [
                str(data), "-m", "fake-model", "--base-url", server.base_url, "--no-cache",
                "--concurrency", str(options.concurrency),
            ]  # fmt: skip
            llm_env = {**env, "OPENAI_API_KEY": "test-key"}
            ideal = options.concurrency / options.latency
            for label, extra in [("local", [])] + [
                (f"ray-{n}", ["--engine", "ray", "--workers", str(n)]) for n in workers
            ]:
                server.reset()
                server_cpu = cpu_seconds(server.process.pid)
                row = bench(label, [*base, *extra], options.llm_clusters, llm_env, work)
                server_cpu = cpu_seconds(server.process.pid) - server_cpu
                seen = server.stats()
                calls = seen["requests"]
                # Arrivals from first to last, plus the last reply's latency.
                busy = seen["last"] - seen["first"] + options.latency
                row.update(
                    calls=calls,
                    calls_per_s=round(calls / row["wall_s"], 1),
                    calls_per_s_busy=round(calls / busy, 1),
                    ideal_calls_per_s=ideal,
                    of_ideal=round(calls / row["wall_s"] / ideal, 2),
                    of_ideal_busy=round(calls / busy / ideal, 2),
                    peak_in_flight=seen["max_in_flight"],
                    client_cpu_ms_per_call=round(1000 * row["cpu_s"] / calls, 1),
                    server_cpu_ms_per_call=round(1000 * server_cpu / calls, 1),
                    # The most calls/s these CPU costs allow on this machine's cores,
                    # client and server sharing them: the ceiling below the ideal.
                    cpu_bound_calls_per_s=round(
                        (os.cpu_count() or 1) * calls / (row["cpu_s"] + server_cpu), 1
                    ),
                )
                rows.append({"path": "llm", "round": round_number, **row})
        finally:
            server.close()
    return rows


if __name__ == "__main__":
    main()
