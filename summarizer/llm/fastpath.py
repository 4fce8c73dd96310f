"""The one per-call shortcut past instructor's ``create`` wrapper, for verified versions only.

Why it exists (measured by ``benchmarks/throughput.py`` part (g): L = 1 s, concurrency 64,
300 three-source clusters through the whole pipeline; see the README): client CPU per
model call is 12.5 ms through the public ``create`` and 9.4 ms with this shortcut, against
11.4 ms for a hand-written ``instructor.from_openai`` loop; on a bare extraction call the
shortcut saves about 1.7 of 8 ms. On every call instructor's
wrapper walks the response model for async validators four times, runs the mode's request
handler and compiles every message as a fresh Jinja template, though none of that
depends on the call's variables. Here the request is prepared once per (model, mode,
prompt, settings) by the public wrapper itself (:func:`summarizer.llm.request.body_template`
captures what it would send before templating) and each call only renders the compiled
templates with its context, exactly as instructor does (sandboxed Jinja, then ``dedent``),
then enters instructor's own retry loop, ``instructor.core.retry_async``: validation,
re-asks, hooks and errors stay instructor's.

``retry_async`` and the templating rule are not a documented contract, so the shortcut is
used only on the instructor versions it was verified on (:data:`VERIFIED`); on any other
version, or with :data:`enabled` set to False, every call takes the public path. The test
suite runs the LLM tests through both paths and checks that the bodies are byte-identical.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from textwrap import dedent
from typing import Any

import instructor
import instructor.core
from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

__all__ = ["VERIFIED", "active", "enabled", "render", "retry", "supported"]

#: instructor versions the shortcut was verified on: [first, last) as (major, minor).
VERIFIED = ((1, 17), (1, 18))

#: Switch for tests (both paths) and for anyone who wants the public path only.
enabled = True


def _minor(version: str) -> tuple[int, int]:
    try:
        major, minor = version.split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (0, 0)


def supported(version: str = instructor.__version__) -> bool:
    """Is ``version`` of instructor one the shortcut was verified on?"""
    first, last = VERIFIED
    return first <= _minor(version) < last and callable(
        getattr(instructor.core, "retry_async", None)
    )


_SUPPORTED = supported()


def active() -> bool:
    """Take the shortcut for this call?"""
    return enabled and _SUPPORTED


#: One sandboxed environment, as instructor uses (a fresh one per message per call there).
_JINJA = SandboxedEnvironment()


@functools.lru_cache(maxsize=512)
def _compiled(content: str) -> Template:
    return _JINJA.from_string(content)


def render(template: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """``template`` (a captured, untemplated body) with its messages rendered for ``context``.

    The same rule as instructor's templating for OpenAI messages: with a non-empty
    context, every string ``content`` is rendered by sandboxed Jinja and dedented; other
    messages are copied as they are.
    """
    messages = [
        {**message, "content": dedent(_compiled(content).render(**context))}
        if context and isinstance(content := message.get("content"), str)
        else dict(message)
        for message in template["messages"]
    ]
    return {**template, "messages": messages}


async def retry(
    send: Callable[..., Awaitable[Any]],
    response_model: type[BaseModel],
    body: dict[str, Any],
    *,
    context: dict[str, Any],
    max_retries: int,
    mode: instructor.Mode,
    hooks: Any,
) -> Any:
    """instructor's own validation and re-ask loop over ``send`` with a prepared ``body``."""
    return await instructor.core.retry_async(
        func=send,
        response_model=response_model,
        args=(),
        kwargs=body,
        context=context,
        max_retries=max_retries,
        strict=False,
        mode=mode,
        provider=instructor.Provider.OPENAI,
        hooks=hooks,
    )
