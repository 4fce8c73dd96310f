"""Guarantee 4 when a server echoes the key: it reaches no cassette, error, log or result.

The fake server answers 401 quoting the key it was sent (whole, masked, URL-encoded, as
Basic auth), the way OpenAI and proxies do. Every exit is then searched for every one of
those forms; the scrubber's own tests prove it also leaves ordinary text alone, so these
assertions cannot pass by blanking everything.
"""

from __future__ import annotations

import base64
import logging
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from llm_paths import instructor_path  # noqa: F401
from pydantic import BaseModel

from summarizer import summarize
from summarizer.llm.ask import LLMCallError
from summarizer.llm.client import LLM
from summarizer.llm.prompts import Prompt
from summarizer.llm.secrets import REDACTED, install_log_filter, remember, scrub, scrub_data
from summarizer.testing.fake_openai import (
    Action,
    FakeOpenAI,
    FakeRequest,
    Reply,
    key_rejected,
    pipeline_responder,
)

KEY = "sk-proj-Zq8vR2mW9xK4tL7pN3bY6cF1hJ5gD0sA8eU2iO4wQ7rT9yM3nB6vC1xZ"
CLUSTER = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"
PROMPT = Prompt("facts", "prompt01", (("user", '<article id="a">{{ article }}</article>'),))
ARTICLE = "Police arrested 12 people on Monday. The raid was in Denver."


def basic(user: str, key: str = KEY) -> str:
    return base64.b64encode(f"{user}:{key}".encode()).decode()


#: Every form of KEY a provider has been seen to echo, or plausibly might.
FORMS = {
    "whole": KEY,
    "first and last": f"{KEY[:8]}{'*' * 40}{KEY[-4:]}",
    "sk-...last4": f"sk-...{KEY[-4:]}",
    "ellipsis": f"{KEY[:6]}…{KEY[-4:]}",
    "stars then last4": f"****{KEY[-4:]}",
    "url-encoded": quote(KEY + "/=", safe=""),
    "basic, user api": basic("api"),
    "basic, user ab": basic("ab"),
    "basic, no user": basic(""),
}
ECHO = "Incorrect API key provided: {api_key}. Also seen as " + " and ".join(
    f"{name} <{form}>" for name, form in FORMS.items() if name not in ("whole", "url-encoded")
)


def leaks(text: str) -> list[str]:
    """The forms of the key found in ``text`` (the key's hidden middle, in any encoding)."""
    middle = KEY[8:-4]
    found = [name for name, form in FORMS.items() if form in text]
    if middle in text or quote(middle, safe="") in text:
        found.append("middle")
    found += [u for u in ("api", "ab", "") if basic(u)[8:-8] in text]
    return found


class Facts(BaseModel):
    facts: list[str]


# ---------------------------------------------------------------- the scrubber itself


def test_every_form_of_a_remembered_key_is_scrubbed() -> None:
    remember(KEY + "/=")  # the URL-encoded form is of a key with characters to encode
    remember(KEY)
    for name, form in FORMS.items():
        text = f"error: key {form} was refused"
        cleaned = scrub(text)
        assert leaks(cleaned) == [], name
        assert cleaned.startswith("error: key ") and cleaned.endswith(" was refused"), name
        assert REDACTED in cleaned, name


def test_ordinary_text_and_other_values_are_left_alone() -> None:
    remember(KEY)
    prose = (
        "Shares fell 3 percent... The risk-free rate, sk-8 and ****. Bearer bonds rose. "
        f"{KEY[-4:]} alone and {KEY[:4]} alone are not secrets; xxxx nor Basic dXNlcjpwdw=="
    )
    assert scrub(prose) == prose
    remember("short")  # too short to be a key: scrubbing it would shred prose
    assert scrub("a short answer") == "a short answer"


def test_unknown_key_shaped_tokens_are_scrubbed_too() -> None:
    other = "sk-ant-api03-ThisKeyWasNeverConfigured0000"
    assert other not in scrub(f"rejected {other}")
    assert "abcdefghijklmnopqrstuvwxyz" not in scrub("Bearer abcdefghijklmnopqrstuvwxyz")


def test_nested_data_and_bytes_are_scrubbed() -> None:
    remember(KEY)
    data = {"headers": {"x": [f"k={KEY}"]}, "body": {"string": f'{{"m": "{KEY}"}}'.encode()}}
    cleaned = scrub_data(data)
    assert leaks(repr(cleaned)) == []
    assert cleaned["body"]["string"] == b'{"m": "[redacted]"}'
    binary = b"\x1f\x8b\x08\x00\xff"
    assert scrub_data(binary) is binary


def test_log_records_of_library_loggers_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    remember(KEY)
    logging.getLogger("instructor.some.child")  # exists before the filter is installed
    install_log_filter()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("instructor.some.child").error("attempt failed: %s", KEY)
        try:
            raise ValueError(f"bad key {KEY}")
        except ValueError:
            logging.getLogger("openai").exception("call failed")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "attempt failed: [redacted]" in text and "ValueError: bad key [redacted]" in text
    assert leaks(text) == []


# ---------------------------------------------------------------- through the real client


async def test_an_echoed_key_reaches_no_cassette_error_log_or_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cassette = tmp_path / "rejected.yaml"
    with caplog.at_level(logging.DEBUG), FakeOpenAI() as server:
        server.enqueue(key_rejected(ECHO))
        async with LLM(server.settings(api_key=KEY, record=cassette)) as llm:
            with pytest.raises(LLMCallError) as recorded:
                await llm.create(Facts, prompt=PROMPT, variables={"article": ARTICLE})
            warnings = list(llm.warnings)
        echoed = server.requests[0].headers["Authorization"]
    assert echoed == f"Bearer {KEY}"  # the key really went out, so the echo is real
    text = cassette.read_text()
    assert "HTTP 401" not in text and "code: 401" in text  # the 401 itself was recorded
    assert "Incorrect API key provided: [redacted]" in text and "key=[redacted]" in text
    for place, content in {
        "cassette": text,
        "error": str(recorded.value),
        "logs": caplog.text,
        "warnings": "\n".join(warnings),
    }.items():
        assert leaks(content) == [], place
    assert "rejected the API key (HTTP 401)" in str(recorded.value)

    # Replay, offline and with no key, gives the same one-line failure.
    async with LLM(server.settings(api_key=None, replay=cassette)) as llm:
        with pytest.raises(LLMCallError) as replayed:
            await llm.create(Facts, prompt=PROMPT, variables={"article": ARTICLE})
    assert str(replayed.value) == str(recorded.value)


async def test_an_echoed_key_in_any_other_error_is_scrubbed_from_its_message() -> None:
    """403/404/5xx messages quote the server's text: there the scrubbing is what protects."""
    with FakeOpenAI() as server:
        rejected = key_rejected(ECHO)
        server.enqueue(type(rejected)(403, rejected.message, rejected.headers))
        async with LLM(server.settings(api_key=KEY)) as llm:
            with pytest.raises(LLMCallError) as caught:
                await llm.create(Facts, prompt=PROMPT, variables={"article": ARTICLE})
    message = str(caught.value)
    assert "refused access (HTTP 403): Incorrect API key provided: [redacted]" in message
    assert leaks(message) == [] and caught.value.__cause__ is None


async def test_credentials_in_the_base_url_stay_out_of_messages() -> None:
    with FakeOpenAI() as server:
        url = server.base_url.replace("http://", "http://user:pa55word-secret@")
        server.enqueue(key_rejected("no such user pa55word-secret"))
        async with LLM(server.settings(base_url=url, api_key=KEY)) as llm:
            assert llm.host == url.split("@")[1].split("/")[0]
            with pytest.raises(LLMCallError) as caught:
                await llm.create(Facts, prompt=PROMPT, variables={"article": ARTICLE})
    assert "pa55word" not in str(caught.value) and "user:" not in str(caught.value)


def test_an_echoed_key_stays_out_of_the_result(tmp_path: Path) -> None:
    """The writer's 401 becomes a warning of the result, and the recording holds all of it."""

    def responder(request: FakeRequest) -> Action:
        if request.article_id is None:  # the writer's request carries no article
            return key_rejected(ECHO)
        return pipeline_responder(request)

    cassette = tmp_path / "run.yaml"
    with FakeOpenAI(responder) as server:
        result = summarize(
            [CLUSTER],
            model="fake-model",
            base_url=server.base_url,
            api_key=KEY,
            record=cassette,
            cache=False,
            timeout_s=5,
        )
    assert any("rejected the API key" in w for w in result.warnings)
    assert leaks(result.model_dump_json()) == []
    assert leaks(cassette.read_text()) == []


async def test_the_cache_never_holds_the_key(tmp_path: Path) -> None:
    """The cache is keyed without the key, and an entry's file bytes never contain it."""

    def answer(request: FakeRequest) -> Reply:
        return Reply({"facts": [request.article.split(". ")[0]]})

    with FakeOpenAI(answer) as server:
        async with LLM(server.settings(api_key=KEY, cache=True, cache_dir=tmp_path)) as llm:
            first = await llm.create(Facts, prompt=PROMPT, variables={"article": ARTICLE})
        async with LLM(
            server.settings(api_key="sk-another-" + KEY[11:], cache=True, cache_dir=tmp_path)
        ) as llm:
            again = await llm.create(Facts, prompt=PROMPT, variables={"article": ARTICLE})
        assert server.request_count == 1  # another key, same entry: the key is not in it
    assert again.cached and again.value == first.value
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert stored and leaks(stored.decode("utf-8", errors="replace")) == []
    with sqlite3.connect(next(tmp_path.rglob("*.sqlite3"))) as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone() == (1,)
