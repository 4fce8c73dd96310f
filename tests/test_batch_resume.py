"""Resume after a real crash: a batch process is SIGKILLed at several points, then re-run.

The final output must hold every input cluster exactly once, with the same results as an
uninterrupted run (the built-in extractor is deterministic, so results compare equal).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from summarizer.testing.synthetic import cluster

pytestmark = pytest.mark.slow


def write_clusters(path: Path, count: int, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w") as handle:
        for n in range(count):
            if n == 17:
                handle.write("{this line is broken\n")
                continue
            sentences = rng.randint(6, 12)
            handle.write(json.dumps(cluster(rng, n, sources=3, sentences=sentences)) + "\n")


def command(clusters: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "summarizer",
        "batch",
        str(clusters),
        "-o",
        str(out),
        "-m",
        "builtin",
        "-q",
    ]


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    return clean


def run(clusters: Path, out: Path) -> int:
    return subprocess.run(command(clusters, out), env=env(), timeout=600).returncode


def lines_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def start_and_stop(clusters: Path, out: Path, after_lines: int, how: int) -> int:
    """Start a run, wait until ``after_lines`` more lines exist, send ``how``; return code."""
    before = lines_in(out)
    process = subprocess.Popen(command(clusters, out), env=env())
    try:
        while lines_in(out) < before + after_lines and process.poll() is None:
            time.sleep(0.005)
        if process.poll() is None:
            process.send_signal(how)
        return process.wait(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def by_line(path: Path) -> dict[int, dict[str, Any]]:
    records: dict[int, dict[str, Any]] = {}
    for raw in path.read_text().splitlines():
        record = json.loads(raw)
        assert record["line"] not in records, f"line {record['line']} written twice"
        records[record["line"]] = record
    return records


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, Any]]:
    folder = tmp_path_factory.mktemp("batch")
    clusters = folder / "clusters.jsonl"
    write_clusters(clusters, 120)
    out = folder / "uninterrupted.jsonl"
    assert run(clusters, out) == 1  # one bad input line makes the run partial
    return clusters, by_line(out)


def test_sigkill_at_several_points_then_resume_equals_an_uninterrupted_run(
    reference: tuple[Path, dict[int, Any]], tmp_path: Path
) -> None:
    clusters, expected = reference
    out = tmp_path / "killed.jsonl"
    kills = 0
    for after in (0, 5, 20, 40):  # 0: killed while starting up, before any line
        code = start_and_stop(clusters, out, after, signal.SIGKILL)
        if code == -signal.SIGKILL:
            kills += 1
    assert kills >= 3, "the run finished before it could be killed; make it longer"
    # A kill in the middle of a write leaves a torn line: simulate one for good measure.
    with out.open("ab") as handle:
        handle.write(b'{"cluster_id": "cluster-99", "line": 100, "sta')
    assert run(clusters, out) == 1
    got = by_line(out)
    assert sorted(got) == sorted(expected)
    assert got == expected
    assert sum(1 for r in got.values() if r["status"] == "failed") == 1
    # Running once more changes nothing.
    size = out.stat().st_size
    assert run(clusters, out) == 1
    assert out.stat().st_size == size


def test_ctrl_c_stops_cleanly_with_exit_130_and_resumes(
    reference: tuple[Path, dict[int, Any]], tmp_path: Path
) -> None:
    clusters, expected = reference
    out = tmp_path / "interrupted.jsonl"
    code = start_and_stop(clusters, out, 10, signal.SIGINT)
    assert code == 130
    data = out.read_bytes()
    assert data.endswith(b"\n")  # flushed whole lines only
    interrupted = by_line(out)
    assert 10 <= len(interrupted) < len(expected)
    assert run(clusters, out) == 1
    assert by_line(out) == expected
