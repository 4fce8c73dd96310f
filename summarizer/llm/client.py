"""The one door to a language model: structured calls through instructor over openai.

Every LLM call of a run goes through :meth:`LLM.create`, so one object owns what calls
share: the concurrency limit (:mod:`summarizer.llm.limit`), the retry policy, the running
usage and cost, the cache, the cassette, and the server's quirks (a mode it rejected is
dropped for the rest of the run). Two retry loops nest here on purpose:

* instructor re-asks the model when its answer fails validation (``max_retries`` of its
  ``create``, our ``max_reasks``), sending the error text back; after the last re-ask the
  caller still gets the last answer (``InstructorRetryException.last_completion``), parsed
  without the validation context and marked ``validated=False``, so it can keep what is
  grounded instead of losing the source;
* inside each of those attempts, :mod:`summarizer.llm.retry` repeats the HTTP request on rate
  limits, 5xx, timeouts and dropped connections (``http_attempts``), with the openai SDK's
  own retries off so only one policy exists; it can sit inside because instructor is given
  our own ``create`` through its public ``instructor.patch(create=)``.

Only instructor's public interface is used (see :mod:`summarizer.llm.request`), so any
instructor 1.x from 1.17 on works next to an application's own instructor. openai and
instructor are imported here, never by ``import summarizer``: the CLI's ``--help`` and the
built-in extractor should not pay for them.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import instructor
import openai
from pydantic import BaseModel

from summarizer.core.aio import yield_to_io
from summarizer.core.errors import ConfigError, LLMError, ReplayMissError, setting
from summarizer.core.settings import LLMSettings, Mode
from summarizer.core.types import Usage
from summarizer.llm import recording, send
from summarizer.llm.ask import Answer, LLMCallError, LLMResponse, ModeRejected, ask
from summarizer.llm.cache import Cache, CacheEntry, cache_key, default_cache_dir, public_server
from summarizer.llm.limit import FIRST_ROUND, SECOND_ROUND, PriorityLimit
from summarizer.llm.pricing import estimate_cost
from summarizer.llm.prompts import Prompt
from summarizer.llm.request import check_variables, instructor_mode, json_schema
from summarizer.llm.retry import (
    RetryPolicy,
    describe_http_error,
    one_line,
    rejects_mode,
    retrying,
    server_message,
)
from summarizer.llm.secrets import (
    install_log_filter,
    remember,
    remember_url,
    scrub,
    scrub_exception,
)

__all__ = [
    "FIRST_ROUND",
    "LLM",
    "SECOND_ROUND",
    "LLMCallError",
    "LLMResponse",
    "LLMSettings",
    "PriorityLimit",
    "ReplayMissError",
]

T = TypeVar("T", bound=BaseModel)

# instructor logs every failed attempt at ERROR, which Python's last-resort handler would
# print on stderr; they are expected events, reported through our own errors and warnings.
# A NullHandler silences that fallback and still lets apps that configure logging see them.
logging.getLogger("instructor").addHandler(logging.NullHandler())

OPENAI_URL = "https://api.openai.com/v1"
#: Sent to servers that need no key (local ones) and during replay, where no request leaves.
PLACEHOLDER_KEY = "no-key-needed"

#: When a server rejects a mode, the next one to try: tools work on most local servers
#: that lack json_schema (llama-cpp-python), and md_json needs nothing from the server.
FALLBACK: dict[str, Mode | None] = {"json_schema": "tools", "tools": "md_json", "md_json": None}


@dataclass
class _CallStats:
    """What one ``create`` spent: HTTP attempts counted by :meth:`LLM._send` (instructor
    never sees the ones our retry policy repeats), tokens by an instructor hook."""

    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Where every HTTP attempt of this call waits in the shared :class:`PriorityLimit`.
    priority: int = FIRST_ROUND

    def count_tokens(self, completion: Any) -> None:
        """instructor's ``completion:response`` hook: one answer, re-ask or not."""
        usage = getattr(completion, "usage", None)
        if usage is not None:
            self.prompt_tokens += int(usage.prompt_tokens or 0)
            self.completion_tokens += int(usage.completion_tokens or 0)


_current: contextvars.ContextVar[_CallStats | None] = contextvars.ContextVar(
    "summarizer_llm_call", default=None
)


class LLM:
    """An async, concurrency-limited, retrying, accounted, cached structured-output client."""

    #: The priorities of :meth:`create`, reachable from modules that import this class
    #: only for type checking (so that importing them does not load openai).
    FIRST_ROUND: ClassVar[int] = FIRST_ROUND
    SECOND_ROUND: ClassVar[int] = SECOND_ROUND

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.usage = Usage()
        self.warnings: list[str] = []
        self._mode: Mode = settings.effective_mode
        self._limit = PriorityLimit(settings.concurrency)
        self._client: openai.AsyncOpenAI | None = None
        self._senders: dict[Mode, Callable[..., Awaitable[Any]]] = {}
        self._creates: dict[Mode, Callable[..., Awaitable[Any]]] = {}
        self._cache: Cache | None = None
        self._stack = contextlib.ExitStack()
        self._cassette: Any = None
        self._started = False
        self._warned_price = False

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> LLM:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close HTTP connections and write the cassette being recorded, if any."""
        client, self._client = self._client, None
        self._senders.clear()
        self._creates.clear()
        # A fresh limit for the next use: waiters of a cancelled run belong to its loop.
        self._limit = PriorityLimit(self.settings.concurrency)
        if client is not None:
            await client.close()
        self._stack.close()
        self._cassette = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None
        self._started = False

    @property
    def limit(self) -> PriorityLimit:
        """The one concurrency limit every HTTP request of this client waits in."""
        return self._limit

    @property
    def mode(self) -> Mode:
        """The mode calls use now (it changes if the server rejected the configured one)."""
        return self._mode

    @property
    def host(self) -> str:
        """Host and port for messages: never the ``user:password@`` of the base URL."""
        parts = urlsplit(self.settings.base_url or OPENAI_URL)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.hostname}{port}" if parts.hostname else "the server"

    def _warn(self, text: str) -> None:
        """Every warning leaves through here, scrubbed (results and stderr show them)."""
        self.warnings.append(scrub(text))

    def _replaying(self) -> bool:
        return self.settings.replay is not None or recording.active_mode() == "replay"

    def _recording(self) -> bool:
        return self.settings.record is not None or recording.active_mode() == "record"

    def _start(self) -> None:
        """Build the client on first use, so constructing an LLM never fails or blocks."""
        if self._started:
            return
        settings = self.settings
        key = settings.api_key
        # Known secrets before anything can echo them: cassettes, errors, logs, warnings.
        remember(key)
        remember_url(settings.base_url)
        talks_to_openai = (settings.base_url or OPENAI_URL).rstrip("/") == OPENAI_URL
        if not key:
            if talks_to_openai and not self._replaying():
                raise ConfigError(
                    f"no API key: set {setting('api_key')}, or use {setting('base_url')} for a "
                    f"local OpenAI-compatible server, {setting('replay')} to replay recorded "
                    f"fixtures, or {setting('model', 'builtin')} for the built-in extractor"
                )
            key = PLACEHOLDER_KEY
        if settings.replay is not None:
            self._cassette = self._stack.enter_context(
                recording.use_cassette(settings.replay, "replay")
            )
        elif settings.record is not None:
            self._cassette = self._stack.enter_context(
                recording.use_cassette(settings.record, "record")
            )
        if settings.cache:
            try:
                self._cache = Cache(settings.cache_dir or default_cache_dir())
            except ConfigError as exc:
                self._warn(f"{exc}; continuing without the cache")
        self._client = openai.AsyncOpenAI(
            api_key=key,
            base_url=settings.base_url or OPENAI_URL,
            timeout=settings.timeout_s,
            max_retries=0,
            http_client=send.http_client(settings.http, cassette=self._cassette is not None),
        )
        install_log_filter()  # now: vcrpy's and the HTTP stack's loggers exist
        self._started = True

    # ------------------------------------------------------------------ the call
    async def create(
        self,
        response_model: type[T],
        *,
        prompt: Prompt,
        variables: Mapping[str, str],
        validation_context: Mapping[str, Any] | None = None,
        max_reasks: int | None = None,
        max_tokens: int | None = None,
        priority: int = FIRST_ROUND,
    ) -> LLMResponse[T]:
        """Ask for one ``response_model`` from ``prompt`` rendered with ``variables``.

        ``validation_context`` is merged over ``variables`` into instructor's ``context=``
        so validators can read e.g. ``info.context["source"]``. ``priority`` orders calls
        waiting for the shared concurrency limit (:data:`SECOND_ROUND` for a call that
        finishes work already started, such as a cluster's writer call). Raises
        :class:`LLMCallError` (one-line reason) when nothing usable came back,
        :class:`ConfigError` for a missing key or a mode no fallback can fix, and
        :class:`ReplayMissError` for a request a replayed cassette does not hold.
        """
        check_variables(prompt, variables)
        self._start()
        reasks = self.settings.max_reasks if max_reasks is None else max_reasks
        key = self._cache_key(response_model, prompt, variables, reasks, max_tokens)
        started = time.perf_counter()
        if key is not None:
            cached = self._cache_get(key, response_model, started)
            if cached is not None:
                return cached

        stats = _CallStats(priority=priority)
        token = _current.set(stats)
        try:
            while True:
                mode = self._mode
                try:
                    value, validated, errors = await self._ask(
                        response_model,
                        mode,
                        prompt,
                        variables,
                        validation_context,
                        reasks,
                        max_tokens,
                    )
                    break
                except ModeRejected as rejected:
                    self._fall_back(rejected)
        except (LLMError, ConfigError) as exc:
            # The one exit of every error a call raises, so its message is scrubbed here.
            # Tokens spent on a failed call still cost money: count them, and hand them
            # to the caller on the exception (``exc.usage``) for the per-source report.
            scrub_exception(exc)
            if isinstance(exc, LLMError):
                usage = self._usage(stats, time.perf_counter() - started)
                self.usage = self.usage + usage
                exc.usage = usage
            raise
        finally:
            _current.reset(token)

        usage = self._usage(stats, time.perf_counter() - started)
        self.usage = self.usage + usage
        if key is not None:
            self._cache_put(
                key, CacheEntry(value.model_dump_json(), validated, errors, usage.model_dump_json())
            )
        if self._cassette is not None and self.settings.record is not None:
            recording.save(self._cassette)
        return LLMResponse(
            value=value, validated=validated, errors=errors, usage=usage, cached=False
        )

    async def _ask(
        self,
        response_model: type[T],
        mode: Mode,
        prompt: Prompt,
        variables: Mapping[str, str],
        validation_context: Mapping[str, Any] | None,
        reasks: int,
        max_tokens: int | None,
    ) -> Answer[T]:
        """One instructor ``create`` (with its re-asks) in ``mode``.

        Tokens are counted by instructor's ``completion:response`` hook, so the answers
        of failed re-asks are paid for as well.
        """
        stats = _current.get()
        assert stats is not None
        hooks = instructor.hooks.Hooks()
        hooks.on("completion:response", stats.count_tokens)
        return await ask(
            response_model,
            mode,
            prompt,
            {**variables, **(validation_context or {})},
            create=self._create(mode),
            send=self._sender(mode),
            settings=self.settings,
            reasks=reasks,
            max_tokens=max_tokens,
            hooks=hooks,
            host=self.host,
        )

    def _sender(self, mode: Mode) -> Callable[..., Awaitable[Any]]:
        """The ``create`` instructor's retry loop calls: one HTTP request through ``_send``."""
        sender = self._senders.get(mode)
        if sender is None:

            async def send(**kwargs: Any) -> Any:
                return await self._send(mode, kwargs)

            sender = self._senders[mode] = send
        return sender

    def _create(self, mode: Mode) -> Callable[..., Awaitable[Any]]:
        """instructor's public ``create`` for ``mode``: ``instructor.patch`` over our sender.

        Made once per mode and client, so the HTTP request of every attempt goes through
        our retry policy and the shared limit, with the SDK's own retries off.
        """
        create = self._creates.get(mode)
        if create is None:
            create = self._creates[mode] = instructor.patch(
                create=self._sender(mode), mode=instructor_mode(mode)
            )
        return create

    async def _send(self, mode: Mode, kwargs: dict[str, Any]) -> Any:
        """One chat completion, retried on transient failures; counts HTTP attempts."""
        stats = _current.get()
        assert self._client is not None and stats is not None
        policy = RetryPolicy(
            attempts=self.settings.http_attempts,
            max_time_s=self.settings.max_retry_time_s,
            backoff_base_s=self.settings.backoff_base_s,
            backoff_max_s=self.settings.backoff_max_s,
            sleep=not self._replaying(),
        )
        client = self._client
        try:
            async for attempt in retrying(policy):
                with attempt:
                    stats.attempts += 1
                    async with self._limit.slot(stats.priority):
                        completion = await self._request(client, mode, kwargs)
        except openai.APIError as exc:
            # Not chained: the SDK's error quotes the server's body verbatim, key and all,
            # and a --debug traceback would print it. The line says what went wrong.
            raise LLMCallError(
                describe_http_error(exc, model=self.settings.model, host=self.host)
            ) from None
        await yield_to_io()  # the slot is free; let arrived answers go before validation
        return completion

    async def _request(self, client: openai.AsyncOpenAI, mode: Mode, kwargs: dict[str, Any]) -> Any:
        try:
            return await send.complete(client, kwargs)
        except openai.APIStatusError as exc:
            detail = server_message(exc)
            if rejects_mode(exc.status_code, detail, mode):
                raise ModeRejected(mode, f"HTTP {exc.status_code}: {detail}") from None
            raise
        except openai.APIConnectionError as exc:
            miss = recording.replay_miss(exc)
            if miss is not None:
                raise miss from None
            raise

    def _fall_back(self, rejected: ModeRejected) -> None:
        """Switch the whole run to the next mode, once, and say so; or stop with one line."""
        if self._mode != rejected.mode:
            return  # a concurrent call already switched; just retry in the new mode
        nxt = FALLBACK[rejected.mode]
        if nxt is None:
            raise ConfigError(
                f"{self.host} rejected {rejected.mode} mode ({rejected.detail}); "
                "no other mode is left to try"
            )
        self._mode = nxt
        self._warn(
            f"{self.host} rejected {rejected.mode} mode ({one_line(rejected.detail, 120)}); "
            f"fell back to {nxt} (set the mode to {nxt} to skip the failed attempt)"
        )

    # ------------------------------------------------------------------ accounting, cache
    def _usage(self, stats: _CallStats, latency_s: float) -> Usage:
        cost = estimate_cost(
            self.settings.model, stats.prompt_tokens, stats.completion_tokens, self.settings.prices
        )
        if cost is None and not self._warned_price:
            self._warned_price = True
            self._warn(
                f"no price known for model {self.settings.model!r}: cost not estimated "
                "(set SUMMARIZER_PRICES='{\"model\": [usd_per_1M_prompt, usd_per_1M_completion]}')"
            )
        return Usage(
            requests=1,
            attempts=stats.attempts,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            # Replayed exchanges have no real latency; reporting 0 keeps replayed results
            # byte-identical from run to run (guarantee 4).
            latency_s=0.0 if self._replaying() else latency_s,
            cost_usd=cost,
        )

    def _cache_key(
        self,
        response_model: type[BaseModel],
        prompt: Prompt,
        variables: Mapping[str, str],
        reasks: int,
        max_tokens: int | None,
    ) -> str | None:
        # Recording must reach the server (a hit would leave a hole in the cassette), and
        # replay should prove the cassette, not the local cache.
        if self._cache is None or self._recording() or self._replaying():
            return None
        return cache_key(
            model=self.settings.model,
            mode=self.settings.effective_mode,
            temperature=self.settings.temperature,
            max_tokens=max_tokens,
            prompt_hash=prompt.hash,
            schema=json_schema(response_model),
            variables=variables,
            max_reasks=reasks,
            server=public_server(self.settings.base_url),
        )

    def _cache_get(
        self, key: str, response_model: type[T], started: float
    ) -> LLMResponse[T] | None:
        """A cached answer, or None; an entry that no longer parses counts as a miss."""
        if self._cache is None:
            return None
        try:
            hit = self._cache.get(key)
        except sqlite3.Error as exc:
            self._drop_cache(exc)
            return None
        if hit is None:
            return None
        try:
            value = response_model.model_validate_json(hit.value_json)
        except ValueError:
            return None
        usage = Usage(cached=1, cost_usd=0.0)
        self.usage = self.usage + usage
        return LLMResponse(value, hit.validated, hit.errors, usage, cached=True)

    def _cache_put(self, key: str, entry: CacheEntry) -> None:
        if self._cache is None:
            return
        try:
            self._cache.put(key, entry)
        except sqlite3.Error as exc:
            self._drop_cache(exc)

    def _drop_cache(self, exc: sqlite3.Error) -> None:
        """A broken or locked cache must not fail the run: go on without it and say so."""
        where = self._cache.path if self._cache is not None else "cache"
        self._warn(f"{where}: cache unavailable ({exc}); continuing without it")
        self._cache = None
