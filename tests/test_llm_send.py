"""The SDK-walk shortcut of ``summarizer.llm.send`` sends what ``create`` sends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from summarizer.llm import send
from summarizer.llm.request import json_schema
from summarizer.testing.fake_openai import FakeOpenAI
from summarizer.write.schema import SummaryDraft

VOLATILE = {"x-stainless-retry-count", "x-stainless-read-timeout", "content-length"}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as running:
        yield running


def _kwargs() -> dict[str, Any]:
    schema = dict(json_schema(SummaryDraft))
    return {
        "temperature": 0.0,  # given out of the SDK's order on purpose
        "model": "fake-model",
        "messages": [
            {"role": "system", "content": "Extract the event. Quote exactly."},
            {"role": "user", "content": "Article:\n« Ünïcode » \u2028 and a {% brace %}."},
        ],
        "tools": [{"type": "function", "function": {"name": "Draft", "parameters": schema}}],
        "tool_choice": {"type": "function", "function": {"name": "Draft"}},
        "max_tokens": 512,
        "extra_headers": {"X-Trace": "t-1"},
        "timeout": 30.0,
    }


def _sent(
    server: FakeOpenAI, shortcut: bool, http: str = "httpx"
) -> tuple[str, dict[str, str], Any]:
    server.reset()
    previous, send.enabled = send.enabled, shortcut

    async def call() -> Any:
        client = openai.AsyncOpenAI(
            base_url=server.base_url,
            api_key="test-key",
            max_retries=0,
            http_client=send.http_client(http, cassette=False),
        )
        async with client:
            return await send.complete(client, _kwargs())

    try:
        completion = asyncio.run(call())
    finally:
        send.enabled = previous
    (request,) = server.requests
    headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in VOLATILE}
    return json.dumps(request.body, ensure_ascii=False), headers, completion


def test_the_shortcut_sends_the_same_body_in_the_same_order_and_headers(
    server: FakeOpenAI,
) -> None:
    public_body, public_headers, public_reply = _sent(server, shortcut=False)
    direct_body, direct_headers, direct_reply = _sent(server, shortcut=True)
    assert direct_body == public_body
    assert list(json.loads(direct_body))[:2] == ["messages", "model"]  # create's own order
    assert direct_headers == public_headers and direct_headers["x-trace"] == "t-1"
    assert isinstance(direct_reply, type(public_reply))
    (direct_call,) = direct_reply.choices[0].message.tool_calls
    (public_call,) = public_reply.choices[0].message.tool_calls
    assert direct_call.function == public_call.function  # ids differ: the server counts


@pytest.mark.parametrize(
    "extra",
    [{"stream": True}, {"extra_body": {"x": 1}}, {"extra_query": {"q": "1"}}, {"nonsense": 1}],
)
def test_what_the_shortcut_is_unsure_of_takes_create(extra: dict[str, Any]) -> None:
    assert send.direct_body({**_kwargs(), **extra}) is None
    assert send.direct_body(_kwargs()) is not None


def test_switched_off_every_call_takes_create() -> None:
    previous, send.enabled = send.enabled, False
    try:
        assert send.direct_body(_kwargs()) is None
    finally:
        send.enabled = previous


def test_both_http_stacks_send_the_same_body_and_headers(server: FakeOpenAI) -> None:
    httpx_body, httpx_headers, httpx_reply = _sent(server, shortcut=True, http="httpx")
    aiohttp_body, aiohttp_headers, aiohttp_reply = _sent(server, shortcut=True, http="aiohttp")
    assert aiohttp_body == httpx_body
    assert aiohttp_headers == httpx_headers and httpx_headers["x-trace"] == "t-1"
    assert type(aiohttp_reply) is type(httpx_reply)


def test_auto_takes_aiohttp_except_under_a_cassette() -> None:
    assert isinstance(send.http_client("auto", cassette=False), openai.DefaultAioHttpClient)
    assert send.http_client("auto", cassette=True) is None  # vcrpy records at httpx2
    assert send.http_client("httpx", cassette=False) is None
    assert isinstance(send.http_client("aiohttp", cassette=True), openai.DefaultAioHttpClient)
