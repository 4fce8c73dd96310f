"""What the fake OpenAI server sees and does: the parsed request, and the scripted actions.

A test queues actions (:func:`rate_limited`, :func:`server_error`, :func:`timeout`,
:func:`drop`, :func:`malformed_json`, ...) or returns one from a responder; the server in
``summarizer.testing.fake_openai`` carries them out on the wire.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class FakeRequest:
    """One chat-completions request as the server received it."""

    path: str
    headers: Mapping[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def mode(self) -> str:
        """How the client asked for structure: tools, json_schema, json_object or md_json."""
        if self.body.get("tools"):
            return "tools"
        fmt = self.body.get("response_format") or {}
        if fmt.get("type") in ("json_schema", "json_object"):
            return str(fmt["type"])
        return "md_json"

    @property
    def schema(self) -> dict[str, Any] | None:
        """The JSON schema the client sent (tools / json_schema), None in other modes."""
        if self.body.get("tools"):
            return dict(self.body["tools"][0]["function"].get("parameters") or {})
        fmt = self.body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return dict(fmt["json_schema"].get("schema") or {})
        return None

    @property
    def user_text(self) -> str:
        """All user messages joined: where the article lives."""
        return "\n".join(
            content_text(m.get("content")) for m in self.messages if m.get("role") == "user"
        )

    @property
    def article(self) -> str:
        """The text between ``<article ...>`` and ``</article>`` (the whole user text if absent)."""
        match = _ARTICLE.search(self.user_text)
        return match.group("text") if match else self.user_text

    @property
    def article_id(self) -> str | None:
        match = _ARTICLE.search(self.user_text)
        return match.group("id") if match else None

    @property
    def is_reask(self) -> bool:
        """True when instructor sent back a failed answer with its validation errors."""
        return any(m.get("role") in ("assistant", "tool") for m in self.messages)


_ARTICLE = re.compile(r'<article(?: id="(?P<id>[^"]*)")?[^>]*>\n?(?P<text>.*?)\n?</article>', re.S)


def content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Reply:
    """Answer with ``value`` serialised the way the request's mode expects."""

    value: Mapping[str, Any] | BaseModel
    finish_reason: str = "stop"


@dataclass(frozen=True)
class RawOutput:
    """Answer with ``text`` verbatim as the tool arguments / message content (malformed JSON)."""

    text: str


@dataclass(frozen=True)
class Status:
    """An HTTP error reply with the OpenAI error envelope and optional headers."""

    code: int
    message: str = "error"
    headers: Mapping[str, str] = field(default_factory=dict)
    error_type: str = "server_error"


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` (past the client timeout, typically) and then perform ``then``."""

    seconds: float
    then: Action | None = None


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering."""


Action = Reply | RawOutput | Status | Delay | Drop
Responder = Callable[[FakeRequest], Action]


def reply(value: Mapping[str, Any] | BaseModel) -> Reply:
    return Reply(value)


def rate_limited(retry_after: str | float | None = 0) -> Status:
    """429 with ``Retry-After`` in seconds or as an HTTP date (pass a string)."""
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Status(429, "Rate limit reached", headers, "rate_limit_exceeded")


def server_error(code: int = 500, retry_after: str | float | None = None) -> Status:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Status(code, "The server had an error while processing your request.", headers)


def timeout(seconds: float = 5.0, then: Action | None = None) -> Delay:
    return Delay(seconds, then)


def drop() -> Drop:
    return Drop()


def malformed_json() -> RawOutput:
    return RawOutput('{"headline": "Truncated answer", "event_type": "arr')


def schema_invalid() -> Reply:
    """Valid JSON that breaks the schema (missing required fields, wrong types)."""
    return Reply({"headline": 42, "event_type": "not-a-type", "facts": "none"})


def llama_cpp_json_schema_rejection() -> Status:
    """What llama-cpp-python's server answers to ``response_format`` of type json_schema."""
    message = (
        "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
        "'ctx': {'expected': \"'text' or 'json_object'\"}}]"
    )
    return Status(500, message, error_type="internal_server_error")


def key_rejected(message: str = "Incorrect API key provided: {api_key}.") -> Status:
    """A 401 that quotes the key, as OpenAI and many proxies do: ``{api_key}`` in the
    message (or a header value) becomes the key the request sent, for secret-scrub tests."""
    return Status(401, message, {"x-debug-echo": "key={api_key}"}, "invalid_request_error")


def tools_rejection() -> Status:
    """What a server without function calling answers to ``tools``."""
    return Status(400, "tools are not supported by this model", error_type="invalid_request_error")
