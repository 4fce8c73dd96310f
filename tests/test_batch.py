"""The batch runner: one line per input cluster, bounded work in flight, durable appends."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch.runner import (
    BatchRunner,
    ResultWriter,
    finished_keys,
    read_records,
    repair_output,
)
from summarizer.core.errors import BadInputError, ConfigError, LLMError
from summarizer.core.source import Cluster, Source
from summarizer.sources import iter_clusters


@dataclass(frozen=True)
class Line:
    line_no: int
    cluster: Cluster | None
    error: BadInputError | None = None
    cluster_id: str | None = None


def cluster(n: int) -> Cluster:
    return Cluster(id=f"c{n}", sources=[Source(id="S1", text=f"Text number {n}.")])


def lines(count: int, *, bad: tuple[int, ...] = ()) -> list[Line]:
    out = []
    for n in range(1, count + 1):
        if n in bad:
            out.append(Line(n, None, BadInputError(f"in.jsonl:{n}", "not JSON")))
        else:
            out.append(Line(n, cluster(n)))
    return out


async def echo(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
    await asyncio.sleep(0)
    return {"status": "complete", "result": {"text": c.sources[0].text}}


async def test_every_cluster_ends_as_exactly_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    stats = await BatchRunner(echo, max_in_flight=4).run(lines(50, bad=(7, 31)), out)
    records = list(read_records(out))
    assert sorted(r["line"] for r in records) == list(range(1, 51))
    bad = [r for r in records if r["status"] == "failed"]
    assert [
        (r["line"], r["stage"], r["cluster_id"]) for r in sorted(bad, key=lambda r: r["line"])
    ] == [
        (7, "input", None),
        (31, "input", None),
    ]
    assert "in.jsonl:7" in next(r for r in bad if r["line"] == 7)["error"]
    good = {r["cluster_id"]: r for r in records if r["status"] == "complete"}
    assert good["c3"]["result"] == {"text": "Text number 3."}
    assert (stats.complete, stats.failed, stats.skipped) == (48, 2, 0)
    assert out.read_bytes().endswith(b"\n")


async def test_a_failing_cluster_is_recorded_with_its_reason_and_others_go_on(
    tmp_path: Path,
) -> None:
    async def flaky(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
        if c.id == "c2":
            raise LLMError("HTTP 500 after 5 attempts")
        if c.id == "c4":
            raise KeyError("boom")
        if c.id == "c5":
            return {"status": "partial", "result": {}}
        return await echo(c, line_no)

    out = tmp_path / "out.jsonl"
    stats = await BatchRunner(flaky, max_in_flight=2).run(lines(6), out)
    by_id = {r["cluster_id"]: r for r in read_records(out)}
    assert by_id["c2"]["status"] == "failed"
    assert by_id["c2"]["stage"] == "llm"
    assert by_id["c2"]["error"] == "HTTP 500 after 5 attempts"
    assert by_id["c4"]["stage"] == "internal"
    assert "KeyError" in by_id["c4"]["error"]
    assert by_id["c5"]["status"] == "partial"
    assert (stats.complete, stats.partial, stats.failed) == (3, 1, 2)


async def test_in_flight_clusters_and_read_ahead_stay_bounded(tmp_path: Path) -> None:
    active = peak = 0
    pulled = 0
    read_ahead = 0
    finished = 0

    async def slow(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
        nonlocal active, peak, finished
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.001)
        active -= 1
        finished += 1
        return {"status": "complete"}

    def source() -> Iterator[Line]:
        nonlocal pulled, read_ahead
        for item in lines(200):
            pulled += 1
            read_ahead = max(read_ahead, pulled - finished)
            yield item

    await BatchRunner(slow, max_in_flight=5).run(source(), tmp_path / "out.jsonl")
    assert peak == 5
    # Never more than the in-flight bound (plus the one being admitted) read but unfinished.
    assert read_ahead <= 6


async def test_resume_skips_finished_clusters_and_repairs_a_torn_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    await BatchRunner(echo).run(lines(10)[:4], out)
    with out.open("ab") as handle:  # a kill in the middle of a write
        handle.write(b'{"cluster_id":"c5","line":5,"status":"comp')
    calls: list[str] = []

    async def counting(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
        calls.append(c.id)
        return await echo(c, line_no)

    stats = await BatchRunner(counting).run(lines(10), out)
    assert sorted(calls) == sorted(f"c{n}" for n in range(5, 11))
    assert stats.skipped == 4
    records = list(read_records(out))
    assert sorted(r["line"] for r in records) == list(range(1, 11))
    # Running again does nothing at all.
    again = await BatchRunner(counting).run(lines(10), out)
    assert again.skipped == 10 and again.written == 0


def test_repair_output_cuts_only_an_unterminated_tail(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"a":1}\n{"b":2}\n{"c":')
    assert repair_output(out) == len(b'{"c":')
    assert out.read_bytes() == b'{"a":1}\n{"b":2}\n'
    assert repair_output(out) == 0
    out.write_bytes(b'{"torn without any newline')
    repair_output(out)
    assert out.read_bytes() == b""
    assert repair_output(tmp_path / "missing.jsonl") == 0


def test_a_foreign_file_as_output_is_refused_with_its_line(tmp_path: Path) -> None:
    out = tmp_path / "notes.jsonl"
    out.write_text('{"cluster_id": "c1", "line": 1, "status": "complete"}\nhello\n')
    with pytest.raises(BadInputError, match=r"notes.jsonl:2: is not a batch result line"):
        finished_keys(out)


async def test_a_second_writer_on_the_same_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    async with ResultWriter(out):
        with pytest.raises(ConfigError, match="another batch run"):
            async with ResultWriter(out):
                pass


async def test_stop_flushes_what_is_done_and_cancels_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    release = asyncio.Event()
    runner: BatchRunner

    async def gated(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
        if int(c.id[1:]) > 3:
            if int(c.id[1:]) == 6:
                runner.stop()
            await release.wait()
        return {"status": "complete"}

    runner = BatchRunner(gated, max_in_flight=3)
    stats = await runner.run(lines(20), out)
    assert stats.interrupted
    records = list(read_records(out))
    assert sorted(r["cluster_id"] for r in records) == ["c1", "c2", "c3"]
    # Every line is whole: a later resume can trust the file as it is.
    assert all(json.loads(raw) for raw in out.read_text().splitlines())


# --------------------------------------------------------------------------- the command


def write_jsonl(path: Path, count: int, *, bad_line: int | None = None) -> None:
    rows = []
    for n in range(1, count + 1):
        if n == bad_line:
            rows.append("{oops")
            continue
        text = (
            f"Firefighters in Dover put out a blaze at a warehouse on Sunday. "
            f"The fire damaged {n + 10} crates, the chief said. Nobody was hurt."
        )
        rows.append(json.dumps({"id": f"c{n}", "sources": [{"id": "S1", "text": text}]}))
    path.write_text("\n".join(rows) + "\n")


def test_cli_short_form_runs_resumes_and_reports_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer.cli.main import main

    clusters, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(clusters, 6, bad_line=4)
    argv = ["batch", str(clusters), "-o", str(out), "-m", "builtin"]
    assert main(argv) == 1  # one input line failed
    records = list(read_records(out))
    assert sorted(r["line"] for r in records) == [1, 2, 3, 4, 5, 6]
    assert "5 complete, 0 partial, 1 failed" in capsys.readouterr().err
    assert main(argv) == 1  # nothing left to do; the earlier failure still counts
    assert len(list(read_records(out))) == 6
    assert "6 already done" in capsys.readouterr().err
    assert (
        main(
            ["batch", "run", str(clusters), "-o", str(tmp_path / "b.jsonl"), "-m", "builtin", "-q"]
        )
        == 1
    )


def test_cli_input_errors_are_one_line_and_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer.cli.main import main

    out = tmp_path / "out.jsonl"
    assert main(["batch", str(tmp_path / "missing.jsonl"), "-o", str(out), "-m", "builtin"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "missing.jsonl" in err
    assert not out.exists()
    clusters = tmp_path / "in.jsonl"
    write_jsonl(clusters, 2)
    assert main(["batch", str(clusters), "-o", str(clusters), "-m", "builtin"]) == 2
    assert "overwrite an input" in capsys.readouterr().err


async def test_retry_failed_reruns_failures_and_keeps_one_line_each(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    broken = {"c2", "c5"}

    async def sometimes(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
        if c.id in broken:
            raise LLMError("server unavailable")
        return await echo(c, line_no)

    await BatchRunner(sometimes).run(lines(6, bad=(3,)), out)
    assert sum(r["status"] == "failed" for r in read_records(out)) == 3
    broken.clear()  # the outage is over
    stats = await BatchRunner(sometimes).run(lines(6, bad=(3,)), out, retry_failed=True)
    assert stats.complete == 2 and stats.skipped == 4
    records = list(read_records(out))
    assert sorted(r["line"] for r in records) == [1, 2, 3, 4, 5, 6]
    # The bad input line is not retried: it would fail the same way.
    assert [r["line"] for r in records if r["status"] == "failed"] == [3]


async def test_a_config_error_stops_the_run_without_recording_it(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"

    async def no_key(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
        if c.id != "c1":
            raise ConfigError("no OPENAI_API_KEY")
        return await echo(c, line_no)

    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        await BatchRunner(no_key, max_in_flight=1).run(lines(5), out)
    # Only real outcomes are on disk, so a corrected re-run does the rest.
    assert [r["cluster_id"] for r in read_records(out)] == ["c1"]


async def test_a_clusters_writer_call_goes_before_later_clusters_extractions(
    tmp_path: Path,
) -> None:
    """One shared limit, saturated: the writer call (second round) of the first cluster
    reaches the server before the first-round calls of the last cluster, which entered the
    queue long before it. First in, first out would send every extraction first."""
    from summarizer.batch.runner import summary_process
    from summarizer.llm.client import LLM
    from summarizer.pipeline import RunOptions
    from summarizer.testing.fake_openai import FakeOpenAI, pipeline_responder

    texts = (
        "The council in Leeds said 40 homes were flooded on Monday. Crews pumped water all "
        "night. A rest centre opened at the town hall.",
        "Leeds council officers reported 40 flooded homes on Monday. Roads reopened on "
        "Tuesday. Insurers expect claims to rise.",
    )  # two sources agreeing on one fact, with enough distinct facts for the writer's floor
    items = [
        Line(
            n,
            Cluster(
                id=name, sources=[Source(id=f"{name}{i}", text=t) for i, t in enumerate(texts)]
            ),
        )
        for n, name in enumerate(("a", "b", "c"), start=1)
    ]

    def writer_of(request: Any) -> str | None:
        if request.article_id is not None:
            return None
        return next(name for name in "abc" if f"{name}0" in request.user_text)

    with FakeOpenAI(pipeline_responder) as server:
        async with LLM(server.settings(concurrency=1)) as llm:
            runner = BatchRunner(summary_process(llm, RunOptions(writer="llm")), max_in_flight=3)
            await llm.limit.acquire()  # hold the only slot until every extraction queued
            run = asyncio.create_task(runner.run(items, tmp_path / "out.jsonl"))
            for _ in range(10_000):
                if llm.limit.waiting == 6:
                    break
                await asyncio.sleep(0)
            assert llm.limit.waiting == 6
            llm.limit.release()
            stats = await run
    assert stats.complete == 3
    sent = [r.article_id or f"writer-{writer_of(r)}" for r in server.requests]
    assert sorted(sent) == sorted(
        ["a0", "a1", "b0", "b1", "c0", "c1"] + [f"writer-{n}" for n in "abc"]
    )
    assert sent.index("writer-a") < sent.index("c0") < sent.index("c1")
    assert sent[-1] == "writer-c"


async def test_retry_failed_through_a_symlink_keeps_the_link_and_the_mode(tmp_path: Path) -> None:
    real, link = tmp_path / "real.jsonl", tmp_path / "out.jsonl"
    link.symlink_to(real.name)
    outage = True

    async def flaky(c: Cluster, line_no: int = 0) -> Mapping[str, Any]:
        if outage and c.id == "c2":
            raise LLMError("server unavailable")
        return await echo(c, line_no)

    await BatchRunner(flaky).run(lines(3), link)
    real.chmod(0o600)
    outage = False
    stats = await BatchRunner(flaky).run(lines(3), link, retry_failed=True)
    assert stats.complete == 1 and stats.skipped == 2
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(r["status"] for r in read_records(real)) == ["complete"] * 3


async def test_a_bad_input_line_is_recorded_with_the_id_it_gives(tmp_path: Path) -> None:
    clusters = tmp_path / "in.jsonl"
    clusters.write_text('{"id": "c1", "sources": []}\n{"sources": 5}\n')
    out = tmp_path / "out.jsonl"
    await BatchRunner(echo).run(iter_clusters(clusters), out)
    assert [(r["line"], r["cluster_id"], r["stage"]) for r in read_records(out)] == [
        (1, "c1", "input"),
        (2, None, "input"),
    ]
    # Resuming finds both lines done: nothing is written twice.
    stats = await BatchRunner(echo).run(iter_clusters(clusters), out)
    assert stats.skipped == 2 and stats.written == 0
