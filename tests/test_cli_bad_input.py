"""Every bad input is one line on stderr naming what is wrong, exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_sources import Reply, serve


def run_cli(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd or Path.cwd())},
        timeout=120,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as local:  # every other path answers 404
        local.url("/image", Reply(b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png"))
        yield local.base_url


def _bad_inputs(tmp: Path, server: str) -> dict[str, tuple[list[str], str]]:
    (tmp / "empty.txt").write_text("  \n\t\n")
    (tmp / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00data" * 20)
    (tmp / "latin1.txt").write_bytes("Caf\xe9 au lait, a story.".encode("latin-1"))
    (tmp / "empty-dir").mkdir()
    (tmp / "bad.jsonl").write_text('{"id": "c1", "sources": [{"id": "a", "text": "x"}\n')
    (tmp / "notext.jsonl").write_text('{"id": "c1", "sources": [{"id": "a"}]}\n')
    return {
        "missing": (["missing.txt"], "missing.txt"),
        "empty": (["empty.txt"], "empty.txt"),
        "binary": (["binary.txt"], "binary.txt"),
        "not utf-8": (["latin1.txt"], "latin1.txt"),
        "empty folder": (["empty-dir"], "empty-dir"),
        "jsonl not json": (["bad.jsonl"], "bad.jsonl"),
        "jsonl no text": (["notext.jsonl"], "notext.jsonl"),
        "url 404": ([f"{server}/missing"], f"{server}/missing"),
        "url not text": ([f"{server}/image"], f"{server}/image"),
    }


CASES = [
    "missing",
    "empty",
    "binary",
    "not utf-8",
    "empty folder",
    "jsonl not json",
    "jsonl no text",
    "url 404",
    "url not text",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_exit_2(case: str, tmp_path: Path, server: str) -> None:
    args, named = _bad_inputs(tmp_path, server)[case]
    result = run_cli("summarize", "-m", "builtin", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert result.stdout == ""


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = run_cli("summarize", "--format", "pdf", "x.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("summarizer ")
