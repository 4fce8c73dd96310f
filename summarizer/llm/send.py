"""One chat-completion request over HTTP, without the SDK's per-call parameter walk.

Why it exists (measured with py-spy on ``benchmarks/scaleout.py``'s LLM path, one process,
fake server at L = 0.5 s): about 9% of the client's CPU went to the openai SDK's
``async_maybe_transform``, which walks every message, the tool schema and each key of the
request through its typed-dict machinery on every call. Our bodies are already plain
JSON (built by :mod:`summarizer.llm.request` from instructor's own output), so the walk
changes nothing in them. The SDK documents ``client.post(path, cast_to=..., body=...)`` for
exactly this ("undocumented requests" in its README): the same client, retries, headers,
timeout and response parsing, with the body sent as given.

The body keeps the key order ``chat.completions.create`` would send (read once from its
signature), so the bytes on the wire, and the recorded cassettes that match on them, are
the same either way. Anything the shortcut is not sure of (streaming, a keyword that is not
a body field, ``extra_body`` / ``extra_query``) takes the public ``create``; ``enabled``
switches the shortcut off, and the tests run both paths and compare the bodies.

Under the SDK, :func:`http_client` picks the HTTP stack. openai documents
``DefaultAioHttpClient`` (aiohttp under its httpx2 client); ``benchmarks/transport.py``
measures it at about two thirds of the CPU per call of the default httpx2/httpcore/anyio/h11
stack, and the client's CPU is what bounds a process's calls per second. Cassettes stay on
httpx2: vcrpy records and replays them at httpx2's transport.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from summarizer.core.errors import ConfigError, setting

__all__ = ["body_order", "complete", "direct_body", "enabled", "http_client"]

#: Switch for tests (both paths) and for anyone who wants the SDK's ``create`` only.
enabled = True

#: ``create`` keywords that are request options, not body fields.
_OPTIONS = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})


def http_client(choice: str, *, cassette: bool) -> openai.DefaultAsyncHttpxClient | None:
    """The ``http_client`` for ``AsyncOpenAI``: aiohttp's, or ``None`` for the SDK's own.

    ``auto`` takes aiohttp unless a cassette is open (vcrpy's cassettes live at httpx2's
    transport) or aiohttp is not installed. Both stacks honour ``HTTPS_PROXY``/``NO_PROXY``
    and the SDK's timeouts; the SDK maps either one's failures to its own errors.
    """
    if choice == "httpx" or (choice == "auto" and cassette):
        return None
    try:
        client: openai.DefaultAsyncHttpxClient = openai.DefaultAioHttpClient()
    except RuntimeError:  # openai without its aiohttp extra
        if choice == "aiohttp":
            raise ConfigError(
                f"{setting('http', 'aiohttp')} needs aiohttp: pip install 'openai[aiohttp]'"
            ) from None
        return None
    return client


@functools.cache
def body_order() -> tuple[str, ...]:
    """The body fields of ``chat.completions.create``, in the order it sends them."""
    parameters = inspect.signature(openai.resources.chat.AsyncCompletions.create).parameters
    return tuple(name for name in parameters if name not in _OPTIONS and name != "self")


def direct_body(kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON body ``create(**kwargs)`` would send, or ``None`` when unsure.

    ``None`` for a streaming call, for ``extra_query``/``extra_body`` and for any keyword
    ``create`` does not know (the SDK would raise; let it).
    """
    order = body_order()
    known = set(order) | {"extra_headers", "timeout"}
    if not enabled or kwargs.get("stream") or not set(kwargs) <= known:
        return None
    return {name: kwargs[name] for name in order if name in kwargs}


async def complete(client: openai.AsyncOpenAI, kwargs: Mapping[str, Any]) -> ChatCompletion:
    """``client.chat.completions.create(**kwargs)``, past the parameter walk when safe."""
    body = direct_body(kwargs)
    if body is None:
        completion: ChatCompletion = await client.chat.completions.create(**kwargs)
        return completion
    options: openai.RequestOptions = {}
    if kwargs.get("extra_headers"):
        options["headers"] = kwargs["extra_headers"]
    if "timeout" in kwargs:
        options["timeout"] = kwargs["timeout"]
    return await client.post(
        "/chat/completions", cast_to=ChatCompletion, body=body, options=options
    )
