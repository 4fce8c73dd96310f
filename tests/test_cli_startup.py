"""The command line starts fast: no heavy import before a command needs it.

pydantic counts as heavy: importing it and building the core models (``core.types``) takes
about 0.28 s on the CI machine, the whole ``summarizer --help`` budget (0.3 s). That is why
``summarizer/__init__.py`` resolves its names lazily and the CLI imports ``core.errors`` (whose
``LLMError`` carries a pydantic ``Usage``) only after parsing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

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


#: What a built-in run needs none of: the model stack (openai, instructor, tenacity, for the
#: LLM client and the Batch API's request bodies) and the URL fetcher's httpx.
MODEL_STACK = ("openai", "instructor", "tenacity", "httpx", "vcr")


def _modules_after(argv: list[str]) -> str:
    probe = (
        "import sys; from summarizer.cli.main import main; "
        f"code = main({argv!r}); "
        f"print(code, sorted(m for m in {MODEL_STACK!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_builtin_summary_never_imports_the_model_stack(tmp_path: Path) -> None:
    out = tmp_path / "summary.json"
    argv = ["summarize", str(FIXTURES / "operation-sunflower"), "-m", "builtin", "-o", str(out)]
    assert _modules_after(argv) == "0 []"
    assert json.loads(out.read_text(encoding="utf-8"))["sentences"]


def test_a_builtin_batch_never_imports_the_model_stack(tmp_path: Path) -> None:
    clusters = tmp_path / "clusters.jsonl"
    article = "Police in Lisbon said on Monday that 12 people were arrested after the raid."
    record = {"id": "c1", "sources": [{"text": article}, {"text": article + " More."}]}
    clusters.write_text(json.dumps(record) + "\n", encoding="utf-8")
    argv = ["batch", str(clusters), "-m", "builtin", "-o", str(tmp_path / "out.jsonl"), "-q"]
    assert _modules_after(argv) == "0 []"
