"""``-o``'s suffix chooses the output format when ``--format`` is not typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.cli.main import main

SUNFLOWER = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"


def _summarize(out: Path, *extra: str) -> str:
    code = main(["summarize", str(SUNFLOWER), "-m", "builtin", "-q", "-o", str(out), *extra])
    assert code == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "opening"),
    [("summary.md", "# "), ("summary.MARKDOWN", "# "), ("summary.html", "<"), ("s.json", "{")],
)
def test_the_suffix_names_the_format(tmp_path: Path, name: str, opening: str) -> None:
    assert _summarize(tmp_path / name).lstrip().startswith(opening)


def test_a_typed_format_wins_over_the_suffix(tmp_path: Path) -> None:
    text = _summarize(tmp_path / "summary.md", "--format", "json")
    assert json.loads(text)["sentences"]


def test_an_unknown_suffix_keeps_the_default(tmp_path: Path) -> None:
    assert json.loads(_summarize(tmp_path / "summary.txt"))["headline"]


def test_render_reads_the_suffix_too(tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    _summarize(saved)
    out = tmp_path / "page.html"
    assert main(["render", str(saved), "-q", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<")
    # render's default stays Markdown (stdout or an unknown suffix)
    notes = tmp_path / "notes.txt"
    assert main(["render", str(saved), "-q", "-o", str(notes)]) == 0
    assert notes.read_text(encoding="utf-8").startswith("# ")
