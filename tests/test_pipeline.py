"""Which extractor a run uses when the user did not say, and the library's keywords."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from conftest_sources import Reply, serve

from summarizer import Source, summarize
from summarizer.cli.options import flag_spelling
from summarizer.core.errors import ConfigError, setting
from summarizer.core.settings import LLMSettings
from summarizer.pipeline import BUILTIN_NOTICE, Builtin, open_engine
from summarizer.render import md_escape

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


def test_configuration_notices_stay_out_of_the_reports(no_llm_env: pytest.MonkeyPatch) -> None:
    result = summarize([CLUSTER])
    assert BUILTIN_NOTICE in result.warnings  # the JSON (and stderr) keep it
    assert result.configuration_warnings == [BUILTIN_NOTICE]
    content = [w for w in result.warnings if "repeated text" in w]
    assert content  # source-1 holds its article twice: that note is about the news
    notes = result.report_notes()
    assert BUILTIN_NOTICE not in notes and content[0] in notes
    markdown, page = result.to_markdown(), result.to_html()
    assert "built-in extractor" not in markdown and "built-in extractor" not in page
    assert md_escape(content[0]) in markdown and html.escape(content[0]) in page


def test_library_errors_name_keywords_and_the_cli_names_flags() -> None:
    with pytest.raises(ConfigError) as caught:
        summarize([CLUSTER], model="builtin", writer="llm")
    assert str(caught.value).startswith("writer='llm' needs a model")
    assert "--" not in str(caught.value)
    assert caught.value.spelled(flag_spelling).startswith("--writer llm needs a model")
    error = ConfigError(f"no API key: set {setting('api_key')} or use {setting('base_url')}")
    assert str(error) == "no API key: set api_key= or use base_url="
    assert error.spelled(flag_spelling) == "no API key: set OPENAI_API_KEY or use --base-url URL"


def test_a_dead_url_makes_the_summary_partial(
    tmp_path: Path, no_llm_env: pytest.MonkeyPatch
) -> None:
    with serve() as server:
        dead = server.url("/gone", Reply(b"", status=404))
        result = summarize([CLUSTER / "source-1.txt", dead], model="builtin")
    assert result.status == "partial" and result.sentences
    assert [(f.source_id, f.stage) for f in result.failures] == [("S2", "load")]


def test_a_source_title_is_not_the_summary_headline() -> None:
    text = (CLUSTER / "source-2.txt").read_text(encoding="utf-8")
    titled = Source.from_text(text, title="Reader notes, do not publish")
    result = summarize([titled], model="builtin")
    assert result.headline != "Reader notes, do not publish"
    assert result.sources[0].title == "Reader notes, do not publish"
    assert result.headline and result.headline != "Summary"
