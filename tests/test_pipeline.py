"""Which extractor a run uses when the user did not say."""

from __future__ import annotations

import pytest

from summarizer.pipeline import BUILTIN, choose_model


def test_model_from_environment_can_be_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("SUMMARIZER_MODEL", "builtin")
    assert choose_model(None) == (BUILTIN, None)
    monkeypatch.setenv("SUMMARIZER_MODEL", "gpt-4o-mini")
    assert choose_model(None) == ("gpt-4o-mini", None)
    monkeypatch.delenv("SUMMARIZER_MODEL")
    model, notice = choose_model(None)
    assert model == BUILTIN and notice and "built-in extractor" in notice
    assert choose_model(None, base_url="http://127.0.0.1:1/v1") == (None, None)


async def test_sync_api_works_inside_a_running_event_loop() -> None:
    """Jupyter and async applications call the sync API with a loop already running."""
    from pathlib import Path

    from summarizer import summarize

    cluster = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"
    result = summarize([cluster], model="builtin")
    assert result.sentences
