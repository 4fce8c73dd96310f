"""Who freezes the start-up heap: the processes summarizer owns, never the library."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from summarizer.batch.heap import freeze_startup_heap
from summarizer.batch.runner import BatchRunner, iter_input, summary_process
from summarizer.cli.main import main
from summarizer.core.options import RunOptions
from summarizer.core.settings import LLMSettings
from summarizer.pipeline import BUILTIN, open_engine

CLUSTER = {
    "id": "c1",
    "sources": [
        {"id": "a", "text": "The council met on Monday. It approved 12 new parks on Monday."},
        {"id": "b", "text": "Officials said 12 parks will open. The council met on Monday."},
    ],
}


def write_input(path: Path) -> Path:
    path.write_text(json.dumps(CLUSTER) + "\n")
    return path


def test_freezing_moves_what_is_alive_out_of_the_collectors_reach() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    frozen = freeze_startup_heap()
    assert frozen == gc.get_freeze_count() > 1000  # modules, classes, functions at least
    kept = [object()]  # made after the freeze: the collector still sees it
    assert gc.is_tracked(kept) and gc.get_freeze_count() == frozen


def test_the_batch_command_freezes_its_heap(tmp_path: Path) -> None:
    gc.unfreeze()
    clusters = write_input(tmp_path / "in.jsonl")
    assert main(["batch", str(clusters), "-o", str(tmp_path / "out.jsonl"), "-m", "builtin"]) == 0
    assert gc.get_freeze_count() > 0


async def test_the_library_leaves_the_callers_heap_alone(tmp_path: Path) -> None:
    gc.unfreeze()
    lines = iter_input(write_input(tmp_path / "in.jsonl"))
    async with open_engine(LLMSettings(model=BUILTIN)) as engine:
        stats = await BatchRunner(summary_process(engine, RunOptions())).run(
            lines, tmp_path / "out.jsonl"
        )
    assert stats.complete == 1
    assert gc.get_freeze_count() == 0


def test_a_ray_worker_freezes_once_its_engine_is_built() -> None:
    ray_data = pytest.importorskip("summarizer.batch.ray_data")
    gc.unfreeze()
    ray_data.ClusterSummarizer(LLMSettings(model=BUILTIN), {}, frozenset(), {})
    assert gc.get_freeze_count() > 0
