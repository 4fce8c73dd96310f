"""The golden outputs of ``tests/golden/outputs.py`` still match: behaviour did not drift."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
import outputs


def test_replayed_operation_sunflower_is_byte_identical() -> None:
    assert outputs.sunflower_replay() == outputs.SUNFLOWER_GOLDEN.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.skipif(not outputs.MULTINEWS.exists(), reason="../shared/data is not beside the repo")
def test_builtin_multinews_results_are_unchanged() -> None:
    assert outputs.multinews_builtin() == outputs.MULTINEWS_GOLDEN.read_text(encoding="utf-8")
