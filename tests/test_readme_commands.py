"""The README's two quick-start commands are what they claim, and CI runs the second verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _indented_commands(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if re.match(r"^ {4}\S", line)]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = _indented_commands(quick_start)
    assert len(commands) == 2, commands
    install_and_run, test = commands
    assert "pip install -q -e ." in install_and_run and "[dev]" not in install_and_run
    assert "summarizer summarize fixtures/operation-sunflower" in install_and_run
    assert "'.[dev]'" in test and "pytest" in test
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test in ci_lines
