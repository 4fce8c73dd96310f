"""The bad-input matrix: every kind of input a user can get wrong, through the real command line.

Each case runs ``python -m summarizer`` in a fresh folder whose ``out.json`` already holds a
previous result, and asserts: the documented exit code, one line on stderr naming the input
(the path, URL, flag or variable at fault), no traceback, nothing on stdout, and that
``out.json`` still holds what it held. Cases that need a server use a local one on 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest_sources import Reply, serve

ROOT = Path(__file__).resolve().parent.parent
SUNFLOWER = ROOT / "fixtures" / "operation-sunflower"
KEPT = '{"previous": "result"}\n'
ARTICLE = (
    "The city council of Leeds said on Monday that 40 homes were flooded after the river "
    "burst its banks. Crews pumped water through the night, and roads reopened on Tuesday.\n"
)


@dataclass(frozen=True)
class Case:
    args: list[str]
    names: str  # what the one stderr line must name
    code: int = 2
    stdin: bytes | None = None
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None
    #: Output may be written (the run succeeds partly); otherwise out.json must be untouched.
    writes: bool = False


def _write(name: str, data: bytes | str) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")

    return make


def _all(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        for step in steps:
            step(tmp)

    return make


def _huge(tmp: Path) -> None:
    (tmp / "huge.txt").write_bytes(b"word " * 1_200_001)  # over the 5 MB article limit


def _symlink_loop(tmp: Path) -> None:
    folder = tmp / "loop"
    folder.mkdir()
    (folder / "self").symlink_to(folder)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as local:
        local.url("/story", Reply(ARTICLE.encode(), content_type="text/plain; charset=utf-8"))
        local.url("/image", Reply(b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png"))
        yield local.base_url


def _refused_port() -> int:
    import socket

    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cases(server: str) -> dict[str, Case]:
    refused = f"http://127.0.0.1:{_refused_port()}"
    builtin = ["summarize", "-m", "builtin", "-o", "out.json"]
    return {
        # --- files and folders
        "missing file": Case([*builtin, "missing.txt"], "missing.txt"),
        "empty file": Case([*builtin, "empty.txt"], "empty.txt", setup=_write("empty.txt", "")),
        "whitespace file": Case(
            [*builtin, "blank.txt"], "blank.txt", setup=_write("blank.txt", "  \n\t\n")
        ),
        "binary file": Case(
            [*builtin, "bin.txt"], "bin.txt", setup=_write("bin.txt", b"\x00\x01bin\x00" * 50)
        ),
        "invalid utf-8": Case(
            [*builtin, "latin1.txt"],
            "latin1.txt",
            setup=_write("latin1.txt", "Caf\xe9 au lait.".encode("latin-1")),
        ),
        "utf-16": Case(
            [*builtin, "utf16.txt"],
            "utf16.txt",
            setup=_write("utf16.txt", "\ufeffA story about a flood.".encode("utf-16")),
        ),
        "empty folder": Case([*builtin, "none"], "none", setup=lambda t: (t / "none").mkdir()),
        "folder of non-text files": Case(
            [*builtin, "media"],
            "media",
            setup=_all(
                _write("media/photo.png", b"\x89PNG" + bytes(32)), _write("media/doc.pdf", b"%PDF")
            ),
        ),
        "huge file": Case([*builtin, "huge.txt"], "huge.txt", setup=_huge),
        "script-only html": Case(
            [*builtin, "page.html"],
            "page.html",
            setup=_write("page.html", "<html><script>var a = 1;</script></html>"),
        ),
        "one-line text that is no path": Case(
            [*builtin, "Floods hit Leeds on Monday"], "Floods hit Leeds on Monday"
        ),
        "folder holding only a symlink loop": Case([*builtin, "loop"], "loop", setup=_symlink_loop),
        # --- JSONL clusters
        "jsonl not json": Case(
            [*builtin, "bad.jsonl"], "bad.jsonl", setup=_write("bad.jsonl", '{"id": "c1", \n')
        ),
        "jsonl source without text": Case(
            [*builtin, "nt.jsonl"],
            "nt.jsonl",
            setup=_write("nt.jsonl", '{"id": "c1", "sources": [{"id": "a"}]}\n'),
        ),
        "jsonl without sources": Case(
            [*builtin, "ns.jsonl"], "ns.jsonl", setup=_write("ns.jsonl", '{"id": "c1"}\n')
        ),
        "jsonl with an empty sources list": Case(
            [*builtin, "es.jsonl"],
            "es.jsonl",
            setup=_write("es.jsonl", '{"id": "c1", "sources": []}\n'),
        ),
        "jsonl line not an object": Case(
            [*builtin, "list.jsonl"], "list.jsonl", setup=_write("list.jsonl", "[1, 2]\n")
        ),
        # --- stdin
        "stdin empty": Case([*builtin, "-"], "stdin", stdin=b""),
        "stdin binary": Case([*builtin, "-"], "stdin", stdin=b"\x00\xff\x00binary" * 40),
        # --- URLs
        "url 404": Case([*builtin, f"{server}/missing"], f"{server}/missing"),
        "url not text": Case([*builtin, f"{server}/image"], f"{server}/image"),
        "url refused": Case([*builtin, f"{refused}/story"], f"{refused}/story"),
        # --- options and settings
        "unknown format": Case([*builtin, "--format", "pdf", "a.txt"], "pdf"),
        "unknown option": Case([*builtin, "--frobnicate", "a.txt"], "--frobnicate"),
        "max-words 0": Case([*builtin, "--max-words", "0", str(SUNFLOWER)], "--max-words"),
        "max-sentences -1": Case(
            [*builtin, "--max-sentences", "-1", str(SUNFLOWER)], "--max-sentences"
        ),
        "concurrency 0 built-in": Case(
            [*builtin, "--concurrency", "0", str(SUNFLOWER)], "--concurrency"
        ),
        "negative timeout": Case([*builtin, "--timeout", "-1", str(SUNFLOWER)], "--timeout"),
        "base-url unclosed ipv6": Case(
            ["summarize", "-o", "out.json", "--base-url", "http://[::1", str(SUNFLOWER)],
            "--base-url",
        ),
        "base-url ftp scheme": Case(
            ["summarize", "-o", "out.json", "--base-url", "ftp://host/v1", str(SUNFLOWER)],
            "--base-url",
        ),
        "env base url bad port": Case(
            ["summarize", "-o", "out.json", str(SUNFLOWER)],
            "OPENAI_BASE_URL",
            env={"OPENAI_BASE_URL": "http://host:99999/v1"},
        ),
        "env base url not a url": Case(
            ["summarize", "-o", "out.json", str(SUNFLOWER)],
            "OPENAI_BASE_URL",
            env={"OPENAI_BASE_URL": "not-a-url"},
        ),
        "env bad number": Case(
            ["summarize", "-o", "out.json", "-m", "builtin", str(SUNFLOWER)],
            "SUMMARIZER_CONCURRENCY",
            env={"SUMMARIZER_CONCURRENCY": "many"},
        ),
        # --- model servers, cassettes, cache
        "unreachable server": Case(
            [
                "summarize",
                "-o",
                "out.json",
                "-m",
                "some-model",
                "--base-url",
                f"{refused}/v1",
                "--http-attempts",
                "1",
                "--no-cache",
                str(SUNFLOWER),
            ],
            refused.removeprefix("http://"),
            code=3,
        ),
        "missing cassette": Case(
            [
                "summarize",
                "-o",
                "out.json",
                "-m",
                "authored-fixture",
                "--replay",
                "nope.yaml",
                str(SUNFLOWER),
            ],
            "nope.yaml",
        ),
        "corrupt cassette": Case(
            [
                "summarize",
                "-o",
                "out.json",
                "-m",
                "authored-fixture",
                "--replay",
                "bad.yaml",
                str(SUNFLOWER),
            ],
            "bad.yaml",
            setup=_write("bad.yaml", "interactions: [this is: {not: valid"),
        ),
        # --- outputs
        "output folder missing": Case(
            ["summarize", "-m", "builtin", "-o", "nodir/x.json", str(SUNFLOWER)], "nodir/x.json"
        ),
        "output is a directory": Case(
            ["summarize", "-m", "builtin", "-o", "adir", str(SUNFLOWER)],
            "adir",
            setup=lambda t: (t / "adir").mkdir(),
        ),
        "batch output is a directory": Case(
            ["batch", "clusters.jsonl", "-o", "adir", "-m", "builtin"],
            "adir",
            setup=_all(
                lambda t: (t / "adir").mkdir(),
                _write("clusters.jsonl", '{"id": "c", "sources": [{"text": "A flood."}]}\n'),
            ),
        ),
        "render a file that is not a result": Case(
            ["render", "notresult.json", "-o", "out.json"],
            "notresult.json",
            setup=_write("notresult.json", '{"hello": "world"}\n'),
        ),
        "render a missing file": Case(["render", "gone.json", "-o", "out.json"], "gone.json"),
        "eval missing data": Case(["eval", "gone.jsonl", "-o", "out.json"], "gone.jsonl"),
        "eval limit 0": Case(["eval", str(SUNFLOWER / "source-1.txt"), "--limit", "0"], "--limit"),
    }


CASE_NAMES = sorted(cases("http://127.0.0.1:1"))


def run_cli(
    args: list[str], cwd: Path, *, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "XDG_CACHE_HOME": str(cwd / "cache"),
        "SUMMARIZER_NER": "rules",
    }
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env={**base, **(env or {})},
        timeout=180,
        check=False,
    )


def test_the_matrix_has_at_least_35_kinds() -> None:
    assert len(CASE_NAMES) >= 35


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_input(name: str, tmp_path: Path, server: str) -> None:
    case = cases(server)[name]
    if case.setup is not None:
        case.setup(tmp_path)
    (tmp_path / "out.json").write_text(KEPT, encoding="utf-8")
    done = run_cli(case.args, tmp_path, stdin=case.stdin, env=case.env)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == case.code, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line]
    assert len(errors) == 1, stderr
    assert case.names in errors[0], stderr
    assert done.stdout == b""
    if not case.writes:
        assert (tmp_path / "out.json").read_text(encoding="utf-8") == KEPT
