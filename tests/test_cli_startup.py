"""The command line starts fast: no heavy import before a command needs it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("openai", "instructor", "vcr", "trafilatura", "rich", "rapidfuzz", "rouge_score", "httpx")


def test_parsing_arguments_imports_nothing_heavy() -> None:
    probe = (
        "import sys; from summarizer.cli.main import build_parser; "
        "build_parser().parse_args(['summarize', 'x.txt']); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
