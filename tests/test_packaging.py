"""The built wheel, not only the editable install, ships the package and its prompts."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_loads_prompts_from_installed_copy(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # --no-isolation: build with the hatchling of this environment, so the test never
    # reaches a package index.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("summarizer-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "summarizer/py.typed" in names
    assert "summarizer/prompts/extract.md" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # --no-deps: the prompt loader needs only the standard library, and the test stays offline.
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    assert (env_dir / "bin" / "summarizer").exists()
    probe = (
        "import summarizer.llm.prompts as p; prompt = p.load_prompt('extract'); "
        "print(p._prompt_dir()); print(prompt.hash)"
    )
    out = subprocess.run(
        [str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.split()
    assert "site-packages" in out[0]
    from summarizer.llm.prompts import load_prompt

    assert out[1] == load_prompt("extract").hash
