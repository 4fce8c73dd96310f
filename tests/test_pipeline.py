"""Which extractor a run uses when the user did not say, and the library's keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import summarize
from summarizer.core.settings import LLMSettings
from summarizer.pipeline import BUILTIN_NOTICE, Builtin, open_engine

CLUSTER = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"


@pytest.fixture
def no_llm_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "SUMMARIZER_REPLAY"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_model_from_environment_can_be_builtin(no_llm_env: pytest.MonkeyPatch) -> None:
    no_llm_env.setenv("SUMMARIZER_MODEL", "builtin")
    engine = open_engine(LLMSettings.resolve())
    assert isinstance(engine, Builtin) and engine.notice is None
    no_llm_env.setenv("SUMMARIZER_MODEL", "gpt-4o-mini")
    # Named without a key: the LLM is still chosen, and says what is missing when called.
    assert not isinstance(open_engine(LLMSettings.resolve()), Builtin)
    no_llm_env.delenv("SUMMARIZER_MODEL")
    engine = open_engine(LLMSettings.resolve())
    assert isinstance(engine, Builtin) and engine.notice == BUILTIN_NOTICE
    assert "built-in extractor" in BUILTIN_NOTICE
    served = open_engine(LLMSettings.resolve(base_url="http://127.0.0.1:1/v1"))
    assert not isinstance(served, Builtin) and served.settings.model == "gpt-4o-mini"


def test_an_explicit_model_is_not_replaced_by_the_builtin(no_llm_env: pytest.MonkeyPatch) -> None:
    settings = LLMSettings.resolve().with_(model="gpt-4o-mini")
    assert not isinstance(open_engine(settings), Builtin)
    assert not isinstance(open_engine(LLMSettings()), Builtin)  # built by hand: as written


def test_the_notice_reaches_the_result_warnings_first(no_llm_env: pytest.MonkeyPatch) -> None:
    result = summarize([CLUSTER])
    assert result.warnings[0] == BUILTIN_NOTICE
    assert BUILTIN_NOTICE not in summarize([CLUSTER], model="builtin").warnings


async def test_sync_api_works_inside_a_running_event_loop() -> None:
    """Jupyter and async applications call the sync API with a loop already running."""
    result = summarize([CLUSTER], model="builtin")
    assert result.sentences
