"""Suite-wide fixtures."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _unfrozen_heap() -> Iterator[None]:
    """Undo a command's ``gc.freeze`` after each test that runs it in this process.

    The command line freezes its start-up heap (``summarizer.batch.heap``); run in
    pytest's process, that would keep every later test's garbage from being collected.
    """
    yield
    gc.unfreeze()
