"""The one door to a language model: structured calls through instructor over openai.

Every LLM call of a run goes through :meth:`LLM.create`, so one object owns the things
that must be shared across calls: the concurrency limit (one semaphore), the retry policy,
the running usage and cost, the cache, the cassette, and the server's quirks (a mode it
rejected is dropped for the rest of the run). Two retry loops nest here on purpose:

* instructor re-asks the model when its answer fails validation (``max_reasks``), sending
  the error text back; after the last re-ask the caller still gets the last answer, parsed
  without the validation context and marked ``validated=False``, so it can keep what is
  grounded instead of losing the source;
* inside each of those attempts, :mod:`summarizer.llm.retry` repeats the HTTP request on rate
  limits, 5xx, timeouts and dropped connections (``http_attempts``), with the openai
  SDK's own retries switched off so only one policy exists.

openai and instructor are imported here, never by ``import summarizer``: the CLI's
``--help`` and the built-in extractor should not pay for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import heapq
import itertools
import json
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from textwrap import dedent
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar
from urllib.parse import urlsplit

import instructor
import openai
from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from summarizer.core.errors import ConfigError, LLMError, ReplayMissError
from summarizer.core.settings import LLMSettings, Mode
from summarizer.core.types import Usage
from summarizer.llm import recording
from summarizer.llm.cache import Cache, CacheEntry, cache_key, default_cache_dir, public_server
from summarizer.llm.pricing import estimate_cost
from summarizer.llm.retry import (
    RetryPolicy,
    describe_http_error,
    one_line,
    retrying,
    server_message,
)

if TYPE_CHECKING:
    from summarizer.llm.prompts import Prompt

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
# print on stderr; they are expected events here, reported through our own errors and
# warnings. A NullHandler silences that fallback and still lets apps that configure
# logging see them.
logging.getLogger("instructor").addHandler(logging.NullHandler())

OPENAI_URL = "https://api.openai.com/v1"
#: Sent to servers that need no key (local ones) and during replay, where no request leaves.
PLACEHOLDER_KEY = "no-key-needed"

#: When a server rejects a mode, the next one to try: tools work on most local servers
#: that lack json_schema (llama-cpp-python), and md_json needs nothing from the server.
FALLBACK: dict[str, Mode | None] = {"json_schema": "tools", "tools": "md_json", "md_json": None}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

#: Priorities for :meth:`LLM.create`: a call that finishes a cluster whose first round is
#: done (the writer) goes before calls that start new work, so results come out early and
#: a killed run loses less. Higher goes first.
FIRST_ROUND = 0
SECOND_ROUND = 1

#: How many later arrivals may overtake a waiting call by priority: large enough that a
#: writer call passes the whole queue of a batch run's first-round calls (about
#: 2 x concurrency clusters x sources), finite so that no call waits forever.
DEFAULT_OVERTAKE = 4096


class LLMCallError(LLMError):
    """A call that produced nothing usable: HTTP failure after retries, 4xx, unparseable output."""


@dataclass
class LLMResponse(Generic[T]):
    """One structured answer with its provenance.

    ``validated`` is False when re-asks were exhausted: ``value`` is then the last answer
    parsed *without* the validation context (context validators skipped) and ``errors``
    holds the last validation error text; the caller grounds or drops items itself.
    """

    value: T
    validated: bool
    errors: str | None
    usage: Usage
    cached: bool


@dataclass
class _CallStats:
    """What one ``create`` spent, filled by every HTTP attempt it makes."""

    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Where every HTTP attempt of this call waits in the shared :class:`PriorityLimit`.
    priority: int = FIRST_ROUND


_current: contextvars.ContextVar[_CallStats | None] = contextvars.ContextVar(
    "summarizer_llm_call", default=None
)


class PriorityLimit:
    """One concurrency limit shared by every call of a run, served by priority.

    ``asyncio.Semaphore`` serves waiters first-in-first-out; in a batch run that makes the
    writer call of an early cluster queue behind the extraction calls of every cluster
    admitted after it, so the first result appears only after most of the in-flight
    clusters have been extracted. Here, when all slots are taken, a waiter with a higher
    priority goes first and equal priorities keep arrival order. Throughput does not change:
    a freed slot is handed straight to the next waiter (no slot sits idle, and no newcomer
    can barge in ahead of the queue).

    No starvation: a waiter is ranked as if it had arrived ``overtake x priority`` arrivals
    earlier, so a call can be overtaken by at most ``overtake`` later arrivals per step of
    priority between them, however long a stream of higher-priority calls lasts.

    Not bound to an event loop until calls wait, so an :class:`LLM` may be closed and used
    again under another ``asyncio.run``.
    """

    def __init__(self, slots: int, *, overtake: int = DEFAULT_OVERTAKE) -> None:
        if slots < 1:
            raise ValueError(f"a concurrency limit needs at least 1 slot, got {slots}")
        self.slots = slots
        self.overtake = overtake
        self._free = slots
        # (rank, arrival, future): the heap's smallest rank is served next; a cancelled
        # waiter's entry stays until it reaches the top and is then skipped.
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @property
    def in_use(self) -> int:
        """Slots held now."""
        return self.slots - self._free

    @property
    def waiting(self) -> int:
        """Calls waiting for a slot now."""
        return sum(1 for _, _, future in self._waiters if not future.done())

    async def acquire(self, priority: int = FIRST_ROUND) -> None:
        # Invariant: a free slot never coexists with a live waiter (``_hand_over`` runs on
        # every release), so a free slot can be taken without looking at the queue.
        if self._free > 0:
            self._free -= 1
            return
        arrival = next(self._arrivals)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (arrival - priority * self.overtake, arrival, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # granted, then cancelled before it ran: pass the slot on
            raise

    def release(self) -> None:
        self._free += 1
        self._hand_over()

    def _hand_over(self) -> None:
        while self._free > 0 and self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if future.done():
                continue  # cancelled while waiting
            self._free -= 1
            future.set_result(None)

    @contextlib.asynccontextmanager
    async def slot(self, priority: int = FIRST_ROUND) -> AsyncIterator[None]:
        """Hold one slot for the body of an ``async with``."""
        await self.acquire(priority)
        try:
            yield
        finally:
            self.release()


class _ModeRejected(Exception):
    """The server refused the structured-output mode itself; retrying cannot help."""

    def __init__(self, mode: Mode, detail: str) -> None:
        super().__init__(f"{mode} mode rejected: {detail}")
        self.mode = mode
        self.detail = detail


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
        return urlsplit(self.settings.base_url or OPENAI_URL).netloc or "the server"

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
        talks_to_openai = (settings.base_url or OPENAI_URL).rstrip("/") == OPENAI_URL
        if not key:
            if talks_to_openai and not self._replaying():
                raise ConfigError(
                    "no API key: set OPENAI_API_KEY, or use --base-url URL for a local "
                    "OpenAI-compatible server, --replay FILE to replay recorded fixtures, "
                    "or -m builtin for the built-in extractor"
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
                self.warnings.append(f"{exc}; continuing without the cache")
        self._client = openai.AsyncOpenAI(
            api_key=key,
            base_url=settings.base_url or OPENAI_URL,
            timeout=settings.timeout_s,
            max_retries=0,
        )
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
        _check_variables(prompt, variables)
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
                except _ModeRejected as rejected:
                    self._fall_back(rejected)
        except LLMError as exc:
            # Tokens spent on a failed call still cost money: count them, and hand them
            # to the caller on the exception (``exc.usage``) for the per-source report.
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
    ) -> tuple[T, bool, str | None]:
        """One instructor call (with its re-asks) in ``mode``: (value, validated, errors).

        instructor's retry loop runs as it is (validation, re-ask messages, parsing); what
        its ``patch`` wrapper would redo on every call, and is the same for every call of
        one (model, mode, prompt), comes from :func:`_prepared_request` instead.
        """
        from instructor.v2.core.errors import IncompleteOutputException, InstructorRetryException
        from instructor.v2.core.providers import Provider
        from instructor.v2.core.retry import retry_async

        request = _prepared_request(response_model, mode, prompt)
        context = {**variables, **(validation_context or {})}
        kwargs: dict[str, Any] = {
            **request.fields,
            "model": self.settings.model,
            "messages": request.render(context),
            "temperature": self.settings.temperature,
        }
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        try:
            value = await retry_async(
                func=self._sender(mode),
                response_model=request.model,
                args=(),
                kwargs=kwargs,
                context=context,
                max_retries=reasks,
                strict=False,
                mode=instructor_mode(mode),
                provider=Provider.OPENAI,
            )
            return _plain(value, response_model), True, None
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, _ModeRejected | LLMError | ConfigError):
                raise cause from None
            if isinstance(cause, IncompleteOutputException):
                raise _truncated(max_tokens) from None
            completion = exc.failed_attempts[-1].completion if exc.failed_attempts else None
            if completion is None:
                reason = one_line(str(cause or exc))
                raise LLMCallError(f"{self.host}: {reason}") from None
            errors = str(cause) if cause is not None else str(exc)
            try:
                value = _parse_unvalidated(completion, response_model, mode)
            except Exception as parse_error:
                raise LLMCallError(
                    f"{self.host} ({self.settings.model}) gave unusable output after "
                    f"{exc.n_attempts} attempts: {_first_error_line(parse_error)}"
                ) from None
            return value, False, errors
        except IncompleteOutputException:
            raise _truncated(max_tokens) from None

    def _sender(self, mode: Mode) -> Callable[..., Awaitable[Any]]:
        """The ``create`` instructor's retry loop calls: one HTTP request through ``_send``."""
        sender = self._senders.get(mode)
        if sender is None:

            async def send(**kwargs: Any) -> Any:
                return await self._send(mode, kwargs)

            sender = self._senders[mode] = send
        return sender

    async def _send(self, mode: Mode, kwargs: dict[str, Any]) -> Any:
        """One chat completion, retried on transient failures; counts attempts and tokens."""
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
            raise LLMCallError(
                describe_http_error(exc, model=self.settings.model, host=self.host)
            ) from exc
        usage = getattr(completion, "usage", None)
        if usage is not None:
            stats.prompt_tokens += int(usage.prompt_tokens or 0)
            stats.completion_tokens += int(usage.completion_tokens or 0)
        return completion

    async def _request(self, client: openai.AsyncOpenAI, mode: Mode, kwargs: dict[str, Any]) -> Any:
        try:
            return await client.chat.completions.create(**kwargs)
        except openai.APIStatusError as exc:
            detail = server_message(exc)
            if _rejects_mode(exc.status_code, detail, mode):
                raise _ModeRejected(mode, f"HTTP {exc.status_code}: {detail}") from None
            raise
        except openai.APIConnectionError as exc:
            miss = recording.replay_miss(exc)
            if miss is not None:
                raise miss from None
            raise

    def _fall_back(self, rejected: _ModeRejected) -> None:
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
        self.warnings.append(
            f"{self.host} rejected {rejected.mode} mode ({one_line(rejected.detail, 120)}); "
            f"fell back to {nxt} (pass --mode {nxt} to skip the failed attempt)"
        )

    # ------------------------------------------------------------------ accounting, cache
    def _usage(self, stats: _CallStats, latency_s: float) -> Usage:
        cost = estimate_cost(
            self.settings.model, stats.prompt_tokens, stats.completion_tokens, self.settings.prices
        )
        if cost is None and not self._warned_price:
            self._warned_price = True
            self.warnings.append(
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
            schema=_json_schema(response_model),
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
        self.warnings.append(f"{where}: cache unavailable ({exc}); continuing without it")
        self._cache = None


# ---------------------------------------------------------------------- helpers


def instructor_mode(mode: Mode) -> Any:
    """instructor's Mode for one of our mode names (shared with the Batch API writer)."""
    return {
        "tools": instructor.Mode.TOOLS,
        "json_schema": instructor.Mode.JSON_SCHEMA,
        "md_json": instructor.Mode.MD_JSON,
    }[mode]


def _rejects_mode(status: int, detail: str, mode: Mode) -> bool:
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


def _parse_unvalidated(completion: Any, response_model: type[T], mode: Mode) -> T:
    """The answer in ``completion`` parsed without context: context validators skip."""
    from instructor.v2.core.providers import Provider
    from instructor.v2.core.registry import mode_registry

    handlers = mode_registry.get_handlers(Provider.OPENAI, instructor_mode(mode))
    value = handlers.response_parser(
        response=completion,
        response_model=_prepared(response_model),
        validation_context=None,
        strict=False,
        stream=False,
        is_async=True,
    )
    return _plain(value, response_model)


#: One sandboxed Jinja environment, as instructor uses to render messages with ``context``
#: (a fresh one per message per call there); templates compiled from it are kept per prompt.
_JINJA = SandboxedEnvironment()


@dataclass(frozen=True)
class _PreparedRequest:
    """What instructor's ``patch`` wrapper derives from (model, mode, prompt) on every call.

    Its wrapper re-checks the model for async validators several times, wraps the model
    again, regenerates the JSON schema (json_schema and md_json modes) and compiles every
    message as a Jinja template, on every call (a fifth of the client CPU of a batch run
    against a fast server). None of it depends on the call's variables, so it is done
    once here; only
    rendering the compiled templates with the call's context is left per call, exactly
    as instructor renders them (sandboxed Jinja, then ``dedent``).
    """

    model: type[BaseModel]
    #: Request fields the mode adds (``tools`` + ``tool_choice``, or ``response_format``).
    fields: Mapping[str, Any]
    #: Each message with its content compiled as a template (None: content not a string).
    messages: tuple[tuple[Mapping[str, Any], Template | None], ...]

    def render(self, context: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [
            {**message, "content": dedent(template.render(**context))}
            if template is not None and context
            else dict(message)
            for message, template in self.messages
        ]


@functools.lru_cache(maxsize=256)
def _prepared_request(
    response_model: type[BaseModel], mode: Mode, prompt: Prompt
) -> _PreparedRequest:
    """Run instructor's request preparation once on the unrendered prompt.

    The same order as instructor's wrapper: prepare the model, let the mode's handler add
    its fields (and, for md_json, its schema message), convert messages, then template.
    """
    from instructor.v2.core.providers import Provider
    from instructor.v2.core.registry import mode_registry

    handlers = mode_registry.get_handlers(Provider.OPENAI, instructor_mode(mode))
    model, kwargs = handlers.request_handler(
        response_model=_prepared(response_model),
        kwargs={"messages": prompt.render_messages()},
    )
    messages = kwargs.pop("messages")
    if handlers.message_converter is not None:
        messages = handlers.message_converter(messages, autodetect_images=False)
    prepared = tuple(
        (dict(message), _JINJA.from_string(content) if isinstance(content, str) else None)
        for message in messages
        for content in [message.get("content")]
    )
    assert model is not None
    return _PreparedRequest(model=model, fields=kwargs, messages=prepared)


@functools.lru_cache(maxsize=256)
def _prepared(response_model: type[BaseModel]) -> type[BaseModel]:
    """instructor's wrapped subclass of ``response_model``, made once per model.

    instructor builds a fresh subclass on every call unless given one it already made,
    which also defeats its own schema cache: about 10 ms of CPU per call, the largest
    cost of a call against a fast server. The schema sent on the wire is the same.
    """
    from instructor.v2.core.response_model import prepare_response_model

    prepared = prepare_response_model(response_model)
    assert prepared is not None
    return prepared


@functools.lru_cache(maxsize=256)
def _json_schema(response_model: type[BaseModel]) -> Mapping[str, Any]:
    """The model's JSON schema for cache keys, generated once per class (a few ms each)."""
    return response_model.model_json_schema()


def _plain(value: Any, response_model: type[T]) -> T:
    """An instance of exactly ``response_model``, as the cache returns.

    instructor answers with a subclass it made (for its schema helpers) carrying the raw
    completion; pydantic's ``==`` compares classes and private attributes, so without
    this a fresh answer would never equal the same answer read from cache or replay.
    Fields are copied as they are, without validating again.
    """
    if not isinstance(value, response_model):
        raise TypeError(f"expected {response_model.__name__}, got {type(value).__name__}")
    if type(value) is response_model:
        return value
    fields = {name: getattr(value, name) for name in response_model.model_fields}
    plain = response_model.model_construct(_fields_set=set(value.model_fields_set), **fields)
    wanted = response_model.__private_attributes__
    private = {k: v for k, v in (value.__pydantic_private__ or {}).items() if k in wanted}
    if private:
        plain.__pydantic_private__ = {**(plain.__pydantic_private__ or {}), **private}
    return plain


def _check_variables(prompt: Prompt, variables: Mapping[str, str]) -> None:
    """Jinja silently renders an unknown ``{{ x }}`` as nothing: refuse that up front."""
    wanted = {m for _, content in prompt.messages for m in _PLACEHOLDER.findall(content)}
    missing = sorted(wanted - set(variables))
    if missing:
        raise ValueError(f"prompt {prompt.name!r} needs variable(s) {', '.join(missing)}")


def _truncated(max_tokens: int | None) -> LLMCallError:
    limit = f"max_tokens={max_tokens}" if max_tokens is not None else "the model's output limit"
    return LLMCallError(f"the answer was cut off at {limit} (finish_reason=length)")


def _first_error_line(exc: BaseException) -> str:
    text = str(exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    head = lines[0] if lines else type(exc).__name__
    if len(lines) > 1 and "validation error" in head:
        head = f"{head} ({lines[1].strip()}: {lines[2].strip() if len(lines) > 2 else ''})"
    return one_line(head, 200)


def describe_settings(settings: LLMSettings) -> str:
    """A log-safe one-line summary (no key) for ``--verbose`` output."""
    parts = {
        "model": settings.model,
        "server": public_server(settings.base_url),
        "mode": settings.effective_mode,
        "concurrency": settings.concurrency,
        "cache": settings.cache,
    }
    return json.dumps(parts)
