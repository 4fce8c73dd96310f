"""One retry policy for transport failures: rate limits, 5xx, timeouts, dropped connections.

The openai SDK's own retries are switched off (``max_retries=0``) so that this is the only
policy: bounded by attempts *and* total time, exponential backoff with full jitter (many
concurrent calls that hit a 429 together must not come back together), and the server's
``Retry-After`` honoured when it gives one. Validation failures are not handled here:
instructor re-asks those with the error text, which is a different loop with its own limit.
Other 4xx answers (bad key, unknown model, bad request) are final: retrying cannot fix them.
"""

from __future__ import annotations

import email.utils
import random
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)

from summarizer.llm.secrets import scrub

#: Statuses worth another try: request timeout, conflict (OpenAI uses it for transient
#: locks), rate limit, and every server-side error.
RETRY_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    max_time_s: float = 120.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    #: Replay of a cassette has nothing to wait for: recorded 429s are played back at once.
    sleep: bool = True


def is_retryable(exc: BaseException) -> bool:
    """Transport failures and transient statuses; never validation or client errors."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRY_STATUSES or exc.status_code >= 500
    return False


def retry_after_s(exc: BaseException, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``Retry-After`` secs or date)."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    return parse_retry_after(exc.response.headers, now)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _Wait:
    """Retry-After when given, else full-jitter exponential backoff."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, state: RetryCallState) -> float:
        if not self.policy.sleep:
            return 0.0
        exc = state.outcome.exception() if state.outcome is not None else None
        asked = retry_after_s(exc) if exc is not None else None
        if asked is not None:
            return asked
        ceiling = self.policy.backoff_base_s * 2 ** (state.attempt_number - 1)
        return random.uniform(0.0, min(self.policy.backoff_max_s, ceiling))


def retrying(policy: RetryPolicy) -> AsyncRetrying:
    """A tenacity loop that re-raises the last error itself once attempts or time run out.

    ``stop_before_delay`` gives up *before* a sleep that would cross the time budget, so
    a ``Retry-After: 3600`` ends the call at once instead of blocking for an hour.
    """
    return AsyncRetrying(
        retry=retry_if_exception(is_retryable),
        stop=stop_after_attempt(policy.attempts) | stop_before_delay(policy.max_time_s),
        wait=_Wait(policy),
        reraise=True,
    )


def _failed_connection(exc: BaseException) -> BaseException | None:
    """The aiohttp connection error (refused, reset, dropped) under ``exc``, if any.

    openai's aiohttp transport reports every aiohttp connection error as httpx2's
    ``ConnectTimeout``, so the SDK raises its timeout error for a refused port too; the
    message must still say what happened. Timeouts proper are ``TimeoutError`` there.
    """
    aiohttp = sys.modules.get("aiohttp")
    seen: BaseException | None = exc
    while aiohttp is not None and seen is not None:
        if isinstance(seen, aiohttp.ClientConnectionError) and not isinstance(seen, TimeoutError):
            failed: BaseException = seen
            return failed
        seen = seen.__cause__
    return None


def describe_http_error(exc: BaseException, *, model: str, host: str) -> str:
    """One line a user can act on, for an error that retries could not (or must not) fix."""
    refused = _failed_connection(exc)
    if isinstance(exc, openai.APITimeoutError) and refused is None:
        return f"{host} did not answer in time (request timeout)"
    if isinstance(exc, openai.APIConnectionError):
        cause = refused or exc.__cause__
        detail = f": {type(cause).__name__}" if cause is not None else ""
        return f"could not reach {host} (connection failed{detail})"
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        detail = server_message(exc)
        if status == 401:
            return f"{host} rejected the API key (HTTP 401): check OPENAI_API_KEY"
        if status == 403:
            return f"{host} refused access (HTTP 403): {detail}"
        if status == 404:
            return f"model {model!r} or endpoint not found at {host} (HTTP 404): {detail}"
        if status == 429:
            asked = retry_after_s(exc)
            after = f"; server asks to wait {asked:.0f}s" if asked is not None else ""
            return f"{host} kept rate-limiting (HTTP 429{after}): {detail}"
        return f"{host} answered HTTP {status}: {detail}"
    return f"{type(exc).__name__}: {one_line(str(exc))}"


def server_message(exc: openai.APIStatusError) -> str:
    """The ``error.message`` of an OpenAI-style error body, else the raw text, on one line."""
    body: Any = exc.body
    message: Any = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    if not message:
        try:
            message = exc.response.text
        except Exception:  # an unread streaming body has no text; the status says enough
            message = exc.message
    return one_line(str(message))


def one_line(text: str, limit: int = 240) -> str:
    """Whitespace collapsed, secrets scrubbed (:func:`~summarizer.llm.secrets.scrub`: a
    server may echo the key, whole or masked), cut to ``limit`` characters.

    Scrubbed before cutting, so a cut can never leave half a key behind unrecognised.
    """
    flat = scrub(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def rejects_mode(status: int, detail: str, mode: str) -> bool:
    """Does this error say the server cannot do ``mode`` at all (not a transient fault)?

    llama-cpp-python answers json_schema with a 500 listing the allowed types ("text",
    "json_object"); servers without function calling answer ``tools`` with a 400 saying
    so. Both are recognised by wording, because their statuses also mean other things.
    """
    if status not in (400, 404, 422, 500, 501):
        return False
    text = detail.lower()
    if mode == "json_schema":
        return "json_schema" in text or "response_format" in text or "json_object" in text
    if mode == "tools":
        refusal = (
            "not support",
            "unsupported",
            "not enabled",
            "not allowed",
            "requires",
            "disabled",
        )
        return ("tool" in text or "function" in text) and any(r in text for r in refusal)
    return False
