"""Record real HTTP exchanges, replay them offline, never write a key, name what was missed."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest
from llm_paths import instructor_path  # noqa: F401
from pydantic import BaseModel

from summarizer.core.errors import ConfigError, ReplayMissError
from summarizer.llm.client import LLM, LLMSettings
from summarizer.llm.prompts import Prompt
from summarizer.llm.recording import _scrub_request, _scrub_response, active_mode, use_cassette
from summarizer.testing.fake_openai import FakeOpenAI, FakeRequest, Reply, rate_limited

pytest_plugins = ["pytester"]

KEY = "sk-test-THISISAFAKEKEY1234567890"
PROMPT = Prompt(
    name="facts",
    hash="prompt01",
    messages=(
        ("system", "Extract."),
        ("user", '<article id="{{ source_id }}">\n{{ article }}\n</article>'),
    ),
)
ARTICLES = {
    "a": "Police arrested 12 people on Monday. The raid was in Denver.",
    "b": "A storm cut power to 40,000 homes. Crews worked overnight.",
    "c": "The council approved the budget. It passed by five votes to two.",
    "d": "Shares fell 3 percent. The company blamed weak demand.",
}


class Fact(BaseModel):
    evidence: str


class Facts(BaseModel):
    facts: list[Fact]


def answer(request: FakeRequest) -> Reply:
    return Reply({"facts": [{"evidence": request.article.split(". ")[0]}]})


async def run_all(settings: LLMSettings, ids: tuple[str, ...] = tuple(ARTICLES)) -> dict[str, Any]:
    async with LLM(settings) as llm:
        responses = await asyncio.gather(
            *(
                llm.create(Facts, prompt=PROMPT, variables={"article": ARTICLES[i], "source_id": i})
                for i in ids
            )
        )
    return {i: r.value for i, r in zip(ids, responses, strict=True)}


async def record(cassette: Path) -> dict[str, Any]:
    with FakeOpenAI(answer) as server:
        server.enqueue(rate_limited(retry_after=0))  # a retry is recorded and replayed too
        values = await run_all(server.settings(api_key=KEY, record=cassette))
        assert server.request_count == len(ARTICLES) + 1
    return values


async def test_record_then_replay_offline_gives_the_same_values(tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    recorded = await record(cassette)
    # Replay aims at a live server that must see nothing, with no key at all.
    with FakeOpenAI(answer) as witness:
        replay = witness.settings(api_key=None, replay=cassette)
        replayed = await run_all(replay, ids=("d", "b", "a", "c"))  # another order
        assert witness.request_count == 0
    assert replayed == recorded
    for sid, value in replayed.items():
        assert value.facts[0].evidence in ARTICLES[sid]


async def test_replay_needs_no_api_key_for_openai(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    cassette = tmp_path / "run.yaml"
    recorded = await record(cassette)
    settings = LLMSettings(replay=cassette, cache=False)  # the default OpenAI URL
    assert await run_all(settings) == recorded


async def test_no_key_reaches_the_cassette(tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    await record(cassette)
    text = cassette.read_text()
    assert "THISISAFAKEKEY" not in text
    assert "authorization" not in text.lower() and "bearer" not in text.lower()
    assert text.startswith("# Recorded by summarizer on ")
    assert "with model gpt-4o-mini" in text.splitlines()[0]


async def test_a_replay_miss_names_the_request_and_says_to_rerecord(tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    await record(cassette)
    ARTICLES_NEW = {"z": "A bridge collapsed in Genoa. Rescue teams searched the rubble."}
    with FakeOpenAI(answer) as witness:
        async with LLM(witness.settings(replay=cassette)) as llm:
            with pytest.raises(ReplayMissError) as caught:
                await llm.create(
                    Facts,
                    prompt=PROMPT,
                    variables={"article": ARTICLES_NEW["z"], "source_id": "z"},
                )
        assert witness.request_count == 0
    message = str(caught.value)
    assert "POST /v1/chat/completions" in message and "article 'z'" in message
    assert '"A bridge collapsed in Genoa.' in message and "re-record" in message
    assert "\n" not in message


async def test_recording_replaces_an_old_cassette(tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    cassette.write_text("interactions: []\nversion: 1\n")
    await record(cassette)
    assert cassette.read_text().count("- request:") == len(ARTICLES) + 1


def test_replaying_a_missing_cassette_is_a_config_error(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigError, match="no such cassette"),
        use_cassette(tmp_path / "none.yaml", "replay"),
    ):
        pass


async def test_context_manager_wraps_any_llm_and_bypasses_the_cache(tmp_path: Path) -> None:
    cassette = tmp_path / "ctx.yaml"
    with FakeOpenAI(answer) as server:
        settings = server.settings(cache=True, cache_dir=tmp_path / "cache")
        await run_all(settings, ids=("a",))  # warm the cache
        with use_cassette(cassette, "record"):
            assert active_mode() == "record"
            recorded = await run_all(settings, ids=("a",))  # must reach the server anyway
        assert server.request_count == 2
    assert active_mode() is None
    with use_cassette(cassette, "replay"):
        assert await run_all(settings.with_(api_key=None), ids=("a",)) == recorded


class _Request:
    def __init__(self, uri: str, headers: dict[str, str]) -> None:
        self.uri = uri
        self.headers = headers
        self.query: list[tuple[str, str]] = []


def test_scrubbing_removes_every_key_bearing_header() -> None:
    request = _Request(
        "https://api.example/v1/chat/completions",
        {
            "Authorization": "Bearer sk-x",
            "api-key": "k",
            "X-Api-Key": "k",
            "OpenAI-Organization": "org-1",
            "OpenAI-Project": "proj-1",
            "Cookie": "c=1",
            "X-Goog-Api-Key": "k",
            "Content-Type": "application/json",
        },
    )
    assert _scrub_request(request).headers == {"Content-Type": "application/json"}
    response = {
        "headers": {
            "set-cookie": ["a=b"],
            "openai-organization": ["user-123"],
            "openai-project": ["proj"],
            "x-request-id": ["req_1"],
        }
    }
    assert _scrub_response(response)["headers"] == {"x-request-id": ["req_1"]}


def test_scrubbing_removes_keys_in_the_url() -> None:
    from vcr.request import Request

    request = Request(
        "POST", "https://u:pw@llm.example/v1/chat?api-key=SECRET1&key=SECRET2&x=1", b"{}", {}
    )
    scrubbed = _scrub_request(request)
    assert "SECRET" not in scrubbed.uri and "pw" not in scrubbed.uri
    assert scrubbed.uri.endswith("?x=1")


# ---------------------------------------------------------------- the pytest plugin

USER_TEST = textwrap.dedent(
    """
    import asyncio, os
    import pytest
    from pydantic import BaseModel
    from summarizer.llm.client import LLM, LLMSettings
    from summarizer.llm.prompts import Prompt

    PROMPT = Prompt("p", "h1", (("user", "<article id=\\"x\\">{{ article }}</article>"),))

    class Answer(BaseModel):
        facts: list[dict]

    async def ask(article):
        settings = LLMSettings(base_url=os.environ["FAKE_URL"], cache=False, backoff_base_s=0.001)
        async with LLM(settings) as llm:
            return (await llm.create(Answer, prompt=PROMPT, variables={"article": article})).value

    @pytest.mark.llm_cassette
    def test_user_code():
        assert asyncio.run(ask(os.environ["ARTICLE"])).facts
    """
)


def test_pytest_plugin_records_once_then_replays(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    monkeypatch.setenv("ARTICLE", "Police arrested 12 people on Monday. The raid was in Denver.")
    monkeypatch.delenv("SUMMARIZER_CASSETTE_MODE", raising=False)
    with FakeOpenAI(answer) as server:
        monkeypatch.setenv("FAKE_URL", server.base_url)
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
        assert server.request_count == 1
        cassette = pytester.path / "cassettes" / "test_user" / "test_user_code.yaml"
        assert cassette.is_file()
        # Second run: replayed from the cassette, the server sees nothing new.
        pytester.runpytest("--llm-record=replay").assert_outcomes(passed=1)
        assert server.request_count == 1
    # A changed input is a miss that names the request.
    monkeypatch.setenv("ARTICLE", "Something else happened entirely.")
    result = pytester.runpytest("--llm-record=replay")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ReplayMissError*Something else happened entirely*"])
