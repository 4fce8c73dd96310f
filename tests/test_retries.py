"""Transport faults are retried (bounded, with backoff and Retry-After) or reported in one line."""

from __future__ import annotations

import asyncio
import email.utils
import socket

import httpx2
import openai
import pytest
from llm_paths import http_stack, instructor_path  # noqa: F401
from pydantic import BaseModel
from tenacity import RetryCallState

from summarizer.core.settings import LLMSettings
from summarizer.llm.client import LLM, LLMCallError
from summarizer.llm.prompts import Prompt
from summarizer.llm.retry import RetryPolicy, _Wait, is_retryable, parse_retry_after
from summarizer.testing.fake_openai import (
    Action,
    FakeOpenAI,
    FakeRequest,
    Reply,
    drop,
    rate_limited,
    server_error,
    timeout,
)

pytestmark = pytest.mark.usefixtures("http_stack")

PROMPT = Prompt(
    name="claims",
    hash="test0001",
    messages=(
        ("system", "List the claims of the article with verbatim evidence."),
        ("user", '<article id="{{ source_id }}">\n{{ article }}\n</article>'),
    ),
)
ARTICLE = "Officials said 245 people were arrested. The operation lasted a month."


class Claim(BaseModel):
    text: str
    evidence: str


class Claims(BaseModel):
    claims: list[Claim]


def good(request: FakeRequest) -> Reply:
    return Reply({"claims": [{"text": "arrests", "evidence": request.article.split(". ")[0]}]})


def variables(source_id: str = "s1") -> dict[str, str]:
    return {"article": ARTICLE, "source_id": source_id}


def faults() -> dict[str, Action]:
    return {
        "429": rate_limited(retry_after=0),
        "429-date": rate_limited(retry_after=email.utils.formatdate(0, usegmt=True)),
        "500": server_error(500),
        "502": server_error(502),
        "503": server_error(503, retry_after=0),
        "dropped connection": drop(),
        "timeout": timeout(2.0),
    }


@pytest.mark.parametrize("name", list(faults()))
async def test_each_transient_fault_is_retried_then_answered(name: str) -> None:
    with FakeOpenAI(good) as server:
        server.enqueue(faults()[name])
        async with LLM(server.settings(timeout_s=0.5)) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated
    assert server.request_count == 2
    assert response.usage.attempts == 2 and response.usage.requests == 1


async def test_several_faults_in_a_row_within_the_attempt_budget() -> None:
    with FakeOpenAI(good) as server:
        server.enqueue(rate_limited(0), server_error(503), drop(), timeout(2.0))
        async with LLM(server.settings(timeout_s=0.5, http_attempts=5)) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated and response.usage.attempts == 5


async def test_persistent_5xx_stops_after_the_attempt_budget_with_one_line() -> None:
    with FakeOpenAI(lambda r: server_error(500)) as server:
        async with LLM(server.settings(http_attempts=3)) as llm:
            with pytest.raises(LLMCallError, match="HTTP 500") as caught:
                await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == 3
    assert "\n" not in str(caught.value)
    assert caught.value.usage.attempts == 3  # type: ignore[attr-defined]
    assert llm.usage.attempts == 3


async def test_retry_after_beyond_the_time_budget_gives_up_at_once() -> None:
    with FakeOpenAI(lambda r: rate_limited(retry_after=3600)) as server:
        async with LLM(server.settings(max_retry_time_s=5)) as llm:
            with pytest.raises(LLMCallError, match=r"HTTP 429; server asks to wait 3600s"):
                await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == 1


async def test_timeouts_every_time_end_in_a_timeout_error() -> None:
    with FakeOpenAI(lambda r: timeout(2.0)) as server:
        async with LLM(server.settings(timeout_s=0.2, http_attempts=2)) as llm:
            with pytest.raises(LLMCallError, match="did not answer in time"):
                await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == 2


async def test_a_failing_source_does_not_affect_the_others() -> None:
    def responder(request: FakeRequest) -> Action:
        return server_error(500) if request.article_id == "broken" else good(request)

    with FakeOpenAI(responder) as server:
        async with LLM(server.settings(http_attempts=2)) as llm:
            results = await asyncio.gather(
                *(
                    llm.create(Claims, prompt=PROMPT, variables=variables(source_id=sid))
                    for sid in ("a", "broken", "b")
                ),
                return_exceptions=True,
            )
    assert isinstance(results[1], LLMCallError)
    assert all(not isinstance(r, BaseException) and r.validated for r in (results[0], results[2]))


async def test_the_sdk_does_not_retry_on_its_own() -> None:
    """max_retries=0 on the SDK: every attempt counted here is one request on the wire."""
    with FakeOpenAI(good) as server:
        server.enqueue(server_error(500), server_error(500))
        async with LLM(server.settings(http_attempts=3)) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == response.usage.attempts == 3
    assert all(r.headers.get("x-stainless-retry-count", "0") == "0" for r in server.requests)


# ---------------------------------------------------------------- the policy itself


def _status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(status, headers=headers or {}, request=request)
    classes: dict[int, type[openai.APIStatusError]] = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        404: openai.NotFoundError,
        429: openai.RateLimitError,
    }
    cls = classes.get(
        status, openai.InternalServerError if status >= 500 else openai.APIStatusError
    )
    return cls("error", response=response, body=None)


def _state_after(exc: BaseException, attempt: int) -> RetryCallState:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    state.set_exception((type(exc), exc, None))
    return state


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (400, False),
        (401, False),
        (404, False),
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (503, True),
    ],
)
def test_which_statuses_are_retried(status: int, retry: bool) -> None:
    assert is_retryable(_status_error(status)) is retry


def test_connection_errors_are_retried_but_not_other_exceptions() -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/")
    assert is_retryable(openai.APIConnectionError(request=request))
    assert is_retryable(openai.APITimeoutError(request=request))
    assert not is_retryable(ValueError("validation"))


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After": email.utils.formatdate(1000 + 30, usegmt=True)}, 30.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_forms(headers: dict[str, str], seconds: float | None) -> None:
    assert parse_retry_after(headers, now=1000.0) == seconds


def test_wait_honours_retry_after_else_jittered_exponential_backoff() -> None:
    policy = RetryPolicy(backoff_base_s=0.5, backoff_max_s=3.0)
    wait = _Wait(policy)
    assert wait(_state_after(_status_error(429, {"Retry-After": "4"}), 1)) == 4.0
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        waits = [wait(_state_after(_status_error(503), attempt)) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling / 2  # jittered over the range, not a constant
    replaying = _Wait(RetryPolicy(sleep=False))
    assert replaying(_state_after(_status_error(429, {"Retry-After": "9"}), 1)) == 0.0


async def test_a_refused_connection_is_reported_as_one_not_as_a_timeout() -> None:
    # aiohttp's errors reach the SDK as httpx2's ConnectTimeout; the message must not
    # send a user looking for a slow server when nothing listens on the port.
    settings = LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="k")
    async with LLM(settings.with_(http_attempts=1, cache=False)) as llm:
        refused = r"could not reach 127\.0\.0\.1:\d+ \(connection failed: \w+"
        with pytest.raises(LLMCallError, match=refused):
            await llm.create(Claims, prompt=PROMPT, variables=variables())


async def test_a_connection_dropped_every_time_is_reported_as_dropped() -> None:
    with FakeOpenAI(lambda r: drop()) as server:
        async with LLM(server.settings(http_attempts=2)) as llm:
            with pytest.raises(LLMCallError, match=r"could not reach .* \(connection failed: \w+"):
                await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
