"""Golden outputs: proof that a refactor changed no behaviour.

Two runs through the real command line, compared with what is stored beside this file:

* ``operation-sunflower.json``: the replay of ``fixtures/llm/operation-sunflower.yaml``
  (the LLM path through the real openai client, no network), stored whole;
* ``multinews-builtin.sha256``: the built-in run of ``summarizer batch`` over
  ``../shared/data/multinews-dev.jsonl``, stored as one SHA-256 per cluster result, because
  Multi-News may not be copied into the repository (its results quote the articles).

Rerun ``python tests/golden/outputs.py`` to check, ``--update`` to store new goldens after
a change that is meant to alter output (say why in the commit).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MULTINEWS = ROOT.parent / "shared" / "data" / "multinews-dev.jsonl"
SUNFLOWER_GOLDEN = HERE / "operation-sunflower.json"
MULTINEWS_GOLDEN = HERE / "multinews-builtin.sha256"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "SUMMARIZER_"))
    }
    env["SUMMARIZER_NER"] = "rules"
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


def sunflower_replay() -> str:
    """The JSON of the replayed Operation Sunflower run, as the CLI prints it."""
    done = _run(
        "summarize",
        "fixtures/operation-sunflower",
        "-m",
        "authored-fixture",
        "--replay",
        "fixtures/llm/operation-sunflower.yaml",
        "--no-cache",
        "--quiet",
    )
    if done.returncode != 0:
        raise RuntimeError(f"replay failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def multinews_builtin() -> str:
    """``cluster_id  sha256(result JSON)`` lines of the built-in batch run, sorted by id."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        # Relative to the clone, because each source's ``origin`` is the path as given: an
        # absolute one would tie the digests to where this machine keeps its clone.
        data = os.path.relpath(MULTINEWS, ROOT)
        done = _run("batch", data, "-o", str(out), "-m", "builtin", "--quiet")
        if done.returncode != 0:
            raise RuntimeError(f"batch failed ({done.returncode}): {done.stderr.strip()}")
        lines = []
        for raw in out.read_text(encoding="utf-8").splitlines():
            record = json.loads(raw)
            body = json.dumps(record.get("result"), sort_keys=True, ensure_ascii=False)
            digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
            lines.append(f"{record['cluster_id']}  {record['status']}  {digest}")
    return "\n".join(sorted(lines)) + "\n"


def main(argv: list[str]) -> int:
    update = "--update" in argv
    checks = [(SUNFLOWER_GOLDEN, sunflower_replay)]
    if MULTINEWS.exists():
        checks.append((MULTINEWS_GOLDEN, multinews_builtin))
    else:
        print(f"skipped: {MULTINEWS} not found", file=sys.stderr)
    status = 0
    for path, produce in checks:
        now = produce()
        if update:
            path.write_text(now, encoding="utf-8")
            print(f"stored {path.relative_to(ROOT)}")
        elif not path.exists() or path.read_text(encoding="utf-8") != now:
            print(f"CHANGED: {path.relative_to(ROOT)}")
            status = 1
        else:
            print(f"unchanged: {path.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
