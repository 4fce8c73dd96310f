"""The command line starts fast: no heavy import before a command needs it.

pydantic counts as heavy: importing it and building the core models (``core.types``) takes
about 0.28 s on the CI machine, the whole ``summarizer --help`` budget (0.3 s). That is why
``summarizer/__init__.py`` resolves its names lazily and the CLI imports ``core.errors`` (whose
``LLMError`` carries a pydantic ``Usage``) only after parsing.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "openai",
    "instructor",
    "vcr",
    "trafilatura",
    "rich",
    "rapidfuzz",
    "rouge_score",
    "httpx",
    "pydantic",
)


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


def test_import_summarizer_loads_nothing_heavy() -> None:
    probe = f"import sys, summarizer; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
