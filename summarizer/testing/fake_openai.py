"""A scriptable OpenAI-compatible chat-completions server on 127.0.0.1 for tests and benchmarks.

It speaks the real wire format (tool calls, ``response_format`` json_schema/json_object,
plain content for md_json, ``usage`` in every reply), so tests drive the real openai client
and instructor through it instead of mocking them: a mock would pass on assumptions about
the wire format that a real server breaks.

Each request is answered by an :class:`Action`: the next one queued with :meth:`enqueue`
if any, else whatever ``responder(request)`` returns (by default
:func:`extraction_responder`, which builds a valid ``EventExtraction`` from the article in
the prompt). Every request is kept in :attr:`FakeOpenAI.requests` for assertions.

    with FakeOpenAI() as server:
        server.enqueue(rate_limited(retry_after=0), server_error(503))
        settings = LLMSettings(base_url=server.base_url, api_key="test")
"""

from __future__ import annotations

import asyncio
import collections
import json
import threading
import time
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from summarizer.core.settings import LLMSettings
from summarizer.testing.answers import (
    article_sentences,
    extraction_for,
    extraction_responder,
    pipeline_responder,
    summary_for,
    ungrounded_extraction,
    ungrounded_responder,
)
from summarizer.testing.scripted import (
    Action,
    Delay,
    Drop,
    FakeRequest,
    RawOutput,
    Reply,
    Responder,
    Status,
    drop,
    key_rejected,
    llama_cpp_json_schema_rejection,
    malformed_json,
    rate_limited,
    reply,
    schema_invalid,
    server_error,
    timeout,
    tools_rejection,
)

#: The server and, for one import in tests, the requests, actions and default answers.
__all__ = [
    "Action",
    "Delay",
    "Drop",
    "FakeOpenAI",
    "FakeRequest",
    "RawOutput",
    "Reply",
    "Responder",
    "Status",
    "article_sentences",
    "drop",
    "extraction_for",
    "extraction_responder",
    "key_rejected",
    "llama_cpp_json_schema_rejection",
    "main",
    "malformed_json",
    "pipeline_responder",
    "rate_limited",
    "reply",
    "schema_invalid",
    "server_error",
    "summary_for",
    "timeout",
    "tools_rejection",
    "ungrounded_extraction",
    "ungrounded_responder",
]

# --------------------------------------------------------------------------- server


class FakeOpenAI:
    """The server. Start with ``with FakeOpenAI() as s`` (or ``start()``/``stop()``)."""

    def __init__(
        self,
        responder: Responder = extraction_responder,
        *,
        latency_s: float = 0.0,
        model: str = "fake-model",
    ) -> None:
        self.responder = responder
        self.latency_s = latency_s
        self.model = model
        self.requests: list[FakeRequest] = []
        self._queue: collections.deque[Action] = collections.deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._counter = 0
        self._in_flight = 0
        #: The most requests the server was handling at one moment (concurrency checks).
        self.max_in_flight = 0

    # -- scripting
    def enqueue(self, *actions: Action) -> None:
        """Answer the next requests with these actions, in order, before the responder."""
        with self._lock:
            self._queue.extend(actions)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self.max_in_flight = 0

    def settings(self, **overrides: Any) -> LLMSettings:
        """LLMSettings aimed at this server: a dummy key, no cache, millisecond backoff."""
        values: dict[str, Any] = {
            "base_url": self.base_url,
            "api_key": "test-key",
            "cache": False,
            "backoff_base_s": 0.001,
            "backoff_max_s": 0.01,
            "timeout_s": 10.0,
            "max_retry_time_s": 30.0,
        }
        values.update(overrides)
        return LLMSettings(**values)

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError("FakeOpenAI is not started")
        return f"http://127.0.0.1:{self._port}/v1"

    # -- lifecycle
    def start(self) -> FakeOpenAI:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # reported to start() below
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, runner = self._loop, self._runner
        if loop is None or runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(runner), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join()
        self._loop = self._runner = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    async def _shutdown(runner: web.AppRunner) -> None:
        """Stop listening, then cancel handlers still sleeping in a Delay, and wait for them."""
        await runner.cleanup()
        me = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not me]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_post("/chat/completions", self._handle)
        # A short shutdown grace: handlers still sleeping in a Delay are cancelled on stop().
        runner = web.AppRunner(app, shutdown_timeout=0.1, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self._port = int(sockets[0].getsockname()[1])
        self._runner = runner

    # -- handling
    async def _handle(self, http: web.Request) -> web.StreamResponse:
        body = await http.json()
        request = FakeRequest(path=http.path, headers=dict(http.headers), body=body)
        with self._lock:
            self.requests.append(request)
            action = self._queue.popleft() if self._queue else None
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if action is None:
                action = self.responder(request)
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            return await self._perform(http, request, action)
        finally:
            with self._lock:
                self._in_flight -= 1

    async def _perform(
        self, http: web.Request, request: FakeRequest, action: Action
    ) -> web.StreamResponse:
        if isinstance(action, Delay):
            await asyncio.sleep(action.seconds)
            follow = action.then or self.responder(request)
            return await self._perform(http, request, follow)
        if isinstance(action, Drop):
            if http.transport is not None:
                http.transport.abort()
            raise asyncio.CancelledError
        if isinstance(action, Status):
            key = request.headers.get("Authorization", "").removeprefix("Bearer ")
            payload = {
                "error": {
                    "message": action.message.replace("{api_key}", key),
                    "type": action.error_type,
                    "param": None,
                    "code": action.code,
                }
            }
            headers = {k: v.replace("{api_key}", key) for k, v in action.headers.items()}
            return web.json_response(payload, status=action.code, headers=headers)
        if isinstance(action, RawOutput):
            return web.json_response(self._completion(request, action.text, "stop"))
        value = action.value
        data = value.model_dump(mode="json") if isinstance(value, BaseModel) else dict(value)
        text = json.dumps(data, ensure_ascii=False)
        if request.mode == "md_json":
            text = f"Here is the result:\n```json\n{text}\n```"
        return web.json_response(self._completion(request, text, action.finish_reason))

    def _completion(self, request: FakeRequest, text: str, finish_reason: str) -> dict[str, Any]:
        with self._lock:
            self._counter += 1
            number = self._counter
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if request.mode == "tools":
            name = request.body["tools"][0]["function"]["name"]
            message["tool_calls"] = [
                {
                    "id": f"call_{number}",
                    "type": "function",
                    "function": {"name": name, "arguments": text},
                }
            ]
            finish = "tool_calls" if finish_reason == "stop" else finish_reason
        else:
            message["content"] = text
            finish = finish_reason
        prompt_tokens = _count_tokens(json.dumps(request.body.get("messages", [])))
        prompt_tokens += _count_tokens(json.dumps(request.body.get("tools", "")))
        completion_tokens = _count_tokens(text)
        return {
            "id": f"chatcmpl-fake{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(request.body.get("model", self.model)),
            "choices": [
                {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _count_tokens(text: str) -> int:
    """A stand-in for a tokenizer: about four characters per token, like OpenAI's rule of thumb."""
    return max(1, len(text) // 4)


def main(argv: list[str] | None = None) -> None:
    """Serve :func:`pipeline_responder` standalone, so a benchmark's server has its own CPU.

    Prints the base URL as the first stdout line, then answers one command per stdin line:
    ``stats`` prints one JSON line (requests, peak in-flight, first and last request times
    on this process's monotonic clock, so the busy window is measured where calls land),
    ``reset`` clears them; end of input stops the server.
    """
    import sys

    # Read by hand, not argparse: the project's flags are declared in one place only
    # (tests/test_options.py), and this one-flag entry point is a test tool, not a command.
    args = sys.argv[1:] if argv is None else argv
    latency = float(args[args.index("--latency") + 1]) if "--latency" in args else 0.0
    times: list[float] = []

    def timed(request: FakeRequest) -> Action:
        times.append(time.monotonic())
        return pipeline_responder(request)

    with FakeOpenAI(timed, latency_s=latency) as server:
        print(server.base_url, flush=True)
        for command in sys.stdin:
            if command.strip() == "reset":
                server.reset()
                times.clear()
            elif command.strip() == "stats":
                window = (min(times), max(times)) if times else (0.0, 0.0)
                stats = {"requests": server.request_count, "max_in_flight": server.max_in_flight}
                print(json.dumps({**stats, "first": window[0], "last": window[1]}), flush=True)


if __name__ == "__main__":
    main()
