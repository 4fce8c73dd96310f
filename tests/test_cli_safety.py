"""The command line's safety (issue 10 points 1-5), through the real ``summarizer`` process.

Every case asserts the exit code, one ``summarizer: ...`` line naming the path, flag or
variable at fault, and no traceback; the output-path and URL cases also assert that no
model call was made (the fake server on 127.0.0.1 counts them), because a bad ``-o`` must
cost nothing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from summarizer import LLMSettings, RunOptions
from summarizer.core.errors import ConfigError
from summarizer.testing.fake_openai import FakeOpenAI
from summarizer.testing.synthetic import cluster

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures" / "operation-sunflower" / "source-1.txt"
MULTINEWS = ROOT.parent / "shared" / "data" / "multinews-dev.jsonl"


def env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    return {**clean, "SUMMARIZER_CACHE": "0", **extra}


def cli(*args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env(**extra),
        timeout=300,
    )


def one_error_line(result: subprocess.CompletedProcess[str], code: int, named: str) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("summarizer: error: "), lines[0]
    assert named in lines[0], lines[0]
    return lines[0]


def write_clusters(path: Path, count: int) -> None:
    rng = random.Random(3)
    with path.open("w") as handle:
        for n in range(count):
            handle.write(json.dumps(cluster(rng, n, sources=3, sentences=8)) + "\n")


@pytest.fixture
def clusters(tmp_path: Path) -> Path:
    path = tmp_path / "clusters.jsonl"
    write_clusters(path, 3)
    return path


# --------------------------------------------------------------------------- output paths


def _bad_outputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "a-folder").mkdir()
    return {
        "missing parent folder": (tmp / "nodir" / "x.json", "does not exist"),
        "a directory": (tmp / "a-folder", "is a directory"),
    }


@pytest.mark.parametrize("case", ["missing parent folder", "a directory"])
@pytest.mark.parametrize(
    "command",
    [
        ["summarize", str(SOURCE)],
        ["extract", str(SOURCE)],
        ["batch", "{clusters}"],
    ],
)
def test_a_bad_output_path_fails_before_any_model_call(
    case: str, command: list[str], tmp_path: Path, clusters: Path
) -> None:
    output, problem = _bad_outputs(tmp_path)[case]
    args = [part.format(clusters=clusters) for part in command]
    with FakeOpenAI() as server:
        result = cli(
            *args,
            "-o",
            str(output),
            "--base-url",
            server.base_url,
            cwd=tmp_path,
            OPENAI_API_KEY="test-key",
        )
        line = one_error_line(result, 2, str(output))
        assert problem in line
        assert server.request_count == 0
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        ["render", "{result}"],
        ["eval", "{clusters}"],
        ["batch", "prepare", "{clusters}"],
        ["batch", "collect", "{clusters}", "{clusters}"],
    ],
)
def test_commands_without_a_model_refuse_a_bad_output_path_too(
    command: list[str], tmp_path: Path, clusters: Path
) -> None:
    result_file = tmp_path / "result.json"
    result_file.write_text("{}")
    args = [part.format(clusters=clusters, result=result_file) for part in command]
    for output, problem in _bad_outputs(tmp_path).values():
        line = one_error_line(cli(*args, "-o", str(output), cwd=tmp_path), 2, str(output))
        assert problem in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_exit_2_naming_the_path(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = cli("summarize", str(SOURCE), "-o", str(locked / "x.json"), cwd=tmp_path)
        assert "not writable" in one_error_line(result, 2, str(locked / "x.json"))
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("command", [["summarize", str(SOURCE)], ["batch", "{clusters}"]])
def test_dev_null_stays_a_device(command: list[str], tmp_path: Path, clusters: Path) -> None:
    args = [part.format(clusters=clusters) for part in command]
    result = cli(*args, "-m", "builtin", "-q", "-o", os.devnull, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_symlinked_output_stays_a_link_and_its_file_is_written(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("old")
    (tmp_path / "real.md").chmod(0o640)
    (tmp_path / "link.md").symlink_to("real.md")
    result = cli(
        "summarize", str(SOURCE), "-m", "builtin", "-f", "md", "-q", "-o", "link.md", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "real.md").read_text().startswith("#")
    assert stat.S_IMODE((tmp_path / "real.md").stat().st_mode) == 0o640


def test_a_batch_into_a_fifo_writes_every_line_and_leaves_the_fifo(
    tmp_path: Path, clusters: Path
) -> None:
    fifo = tmp_path / "results.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("batch", str(clusters), "-m", "builtin", "-q", "-o", str(fifo), cwd=tmp_path)
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [json.loads(line)["line"] for line in received[0].splitlines()] == [1, 2, 3]


# --------------------------------------------------------------------------- settings

BAD_URLS = ["http://[::1", "http://host:99999/v1", "not-a-url", "ftp://host/v1", "http://"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_base_url_is_exit_2_naming_the_flag(url: str, tmp_path: Path) -> None:
    result = cli("summarize", str(SOURCE), "--base-url", url, cwd=tmp_path)
    assert one_error_line(result, 2, "--base-url: ").endswith(repr(url))


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_base_url_variable_is_exit_2_naming_it(url: str, tmp_path: Path) -> None:
    result = cli("summarize", str(SOURCE), cwd=tmp_path, OPENAI_BASE_URL=url)
    assert one_error_line(result, 2, "OPENAI_BASE_URL: ").endswith(repr(url))


def test_the_library_names_the_keyword() -> None:
    with pytest.raises(ConfigError, match=r"^base_url='ftp://h/v1': must be an http"):
        LLMSettings.resolve(base_url="ftp://h/v1")
    with pytest.raises(ConfigError, match=r"^max_words=0: must be positive$"):
        RunOptions(max_words=0).check()
    assert LLMSettings.resolve(base_url="http://[::1]:8000/v1").base_url is not None


@pytest.mark.parametrize(
    ("command", "flag"),
    [
        (["summarize", str(SOURCE), "--max-words", "0"], "--max-words"),
        (["summarize", str(SOURCE), "--max-sentences", "-1"], "--max-sentences"),
        (["summarize", str(SOURCE), "-m", "builtin", "--concurrency", "0"], "--concurrency"),
        (["summarize", str(SOURCE), "--timeout", "-5"], "--timeout"),
        (["extract", str(SOURCE), "--chunk-chars", "0"], "--chunk-chars"),
        (["batch", "{clusters}", "-o", "r.jsonl", "--workers", "0"], "--workers"),
        (["batch", "{clusters}", "-o", "r.jsonl", "--in-flight", "0"], "--in-flight"),
        (["eval", "{clusters}", "--limit", "0"], "--limit"),
        (["batch", "prepare", "{clusters}", "-o", "r.jsonl", "--max-tokens", "0"], "--max-tokens"),
    ],
)
def test_a_senseless_number_is_exit_2_naming_the_flag(
    command: list[str], flag: str, tmp_path: Path, clusters: Path
) -> None:
    args = [part.format(clusters=clusters) for part in command]
    one_error_line(cli(*args, cwd=tmp_path), 2, f"summarizer: error: {flag}: must be")
    assert not (tmp_path / "r.jsonl").exists()


def test_a_senseless_variable_is_named(tmp_path: Path) -> None:
    result = cli("summarize", str(SOURCE), cwd=tmp_path, SUMMARIZER_MAX_WORDS="0")
    one_error_line(result, 2, "SUMMARIZER_MAX_WORDS: must be positive, got '0'")


# --------------------------------------------------------------------------- render


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"headline": "x",\n  "sentences": [1, }', "not JSON at line 2 column"),
        ("[1, 2]", "not a JSON object"),
        ('{"headline": 5}', "is not a summarizer result: headline: "),
    ],
)
def test_render_says_what_is_wrong_with_a_file(content: str, said: str, tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(content)
    assert said in one_error_line(cli("render", "r.json", cwd=tmp_path), 2, "r.json: ")


# --------------------------------------------------------------------------- internal errors

BOOM = """
import sys
import summarizer.cli.commands as commands
def boom(args):
    raise RuntimeError("the\\nbug")
commands.COMMANDS["render"] = boom
from summarizer.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("debug", [None, "--debug", "SUMMARIZER_DEBUG"])
def test_an_internal_error_is_one_line_and_exit_70(debug: str | None, tmp_path: Path) -> None:
    args = ["render", "x.json"] + (["--debug"] if debug == "--debug" else [])
    extra = {"SUMMARIZER_DEBUG": "1"} if debug == "SUMMARIZER_DEBUG" else {}
    result = subprocess.run(
        [sys.executable, "-c", BOOM, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env(**extra),
        timeout=120,
    )
    assert result.returncode == 70
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "summarizer: internal error: RuntimeError: the bug; rerun with --debug for the traceback"
    )
    assert ("Traceback" in result.stderr) == (debug is not None)


def test_help_lists_every_exit_code(tmp_path: Path) -> None:
    for command in ([], ["summarize"], ["batch", "run"], ["eval"]):
        shown = " ".join(cli(*command, "--help", cwd=tmp_path).stdout.split())
        for code in ("0 ", "1 ", "2 ", "3 ", "70 internal error", "130 interrupted"):
            assert code in shown, (command, code)


# --------------------------------------------------------------------------- Ctrl-C


def _interrupt(args: list[str], cwd: Path, ready: Callable[[], bool]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env(),
    )
    while not ready() and process.poll() is None:
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    return process


@pytest.mark.slow
@pytest.mark.skipif(not MULTINEWS.exists(), reason="needs ../shared/data/multinews-dev.jsonl")
def test_ctrl_c_stops_eval_with_130_and_no_report(tmp_path: Path) -> None:
    """eval used to ignore Ctrl-C (plain CPU work never let the cancellation in)."""
    started = time.monotonic()
    process = _interrupt(
        ["eval", str(MULTINEWS), "-m", "builtin", "-q", "-o", "report.json"],
        tmp_path,
        lambda: time.monotonic() - started > 4,  # past start-up, well before 100 clusters
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "summarizer: interrupted: no report written (figures over part of the data)"
    ]
    assert out == ""
    assert not (tmp_path / "report.json").exists()


@pytest.mark.slow
def test_ctrl_c_in_batch_counts_exactly_the_lines_written(tmp_path: Path) -> None:
    write_clusters(tmp_path / "many.jsonl", 400)
    out = tmp_path / "out.jsonl"

    def some_lines() -> bool:
        return out.exists() and out.read_bytes().count(b"\n") >= 5

    process = _interrupt(
        ["batch", "many.jsonl", "-m", "builtin", "-o", "out.jsonl"], tmp_path, some_lines
    )
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    lines = out.read_bytes().splitlines()
    summary = next(line for line in err.splitlines() if line.startswith("summarizer: batch: "))
    assert summary.startswith(f"summarizer: batch: {len(lines)} written ("), (summary, len(lines))
    assert len(lines) < 400


@pytest.mark.slow
@pytest.mark.parametrize("command", [["summarize", str(SOURCE)], ["batch", "{clusters}"]])
def test_ctrl_c_during_a_model_call_is_130_and_one_line(
    command: list[str], tmp_path: Path, clusters: Path
) -> None:
    """The clean stop: the call in flight is cancelled; nothing half-written is left."""
    args = [part.format(clusters=clusters) for part in command]
    with FakeOpenAI(latency_s=60.0) as server:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "summarizer",
                *args,
                "--base-url",
                server.base_url,
                "-o",
                "out.json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=env(OPENAI_API_KEY="test-key"),
        )
        while server.request_count == 0 and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and out == ""
    assert err.strip().splitlines()[-1].startswith("summarizer: interrupted")
    written = tmp_path / "out.json"
    assert not written.exists() or written.read_bytes() == b""  # batch: no line was complete
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary
