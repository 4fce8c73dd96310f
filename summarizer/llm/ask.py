"""One structured request in one mode through instructor, and what its failures mean.

instructor raises ``InstructorRetryException`` for everything that ends its loop: our own
transport errors (raised inside the ``create`` it was given), a mode the server rejected,
validation errors after the last re-ask. This module turns that into the three outcomes
the client knows: an answer (validated, or the last one kept with its errors), a mode to
fall back from (:class:`ModeRejected`), or one line saying why nothing usable came back
(:class:`LLMCallError`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from summarizer.core.errors import ConfigError, LLMError
from summarizer.core.settings import LLMSettings, Mode
from summarizer.core.types import Usage
from summarizer.llm import fastpath
from summarizer.llm.prompts import Prompt
from summarizer.llm.request import (
    IncompleteOutputException,
    InstructorRetryException,
    create_arguments,
    first_error_line,
    instructor_mode,
    parse_unvalidated,
    plain,
    request_body,
    wrapped,
)
from summarizer.llm.retry import one_line
from summarizer.llm.secrets import scrub

__all__ = ["Answer", "LLMCallError", "LLMResponse", "ModeRejected", "ask"]

T = TypeVar("T", bound=BaseModel)


class LLMCallError(LLMError):
    """A call that produced nothing usable: HTTP failure after retries, 4xx, unparseable output."""


class ModeRejected(Exception):
    """The server refused the structured-output mode itself; retrying cannot help."""

    def __init__(self, mode: Mode, detail: str) -> None:
        super().__init__(f"{mode} mode rejected: {detail}")
        self.mode = mode
        self.detail = detail


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


class Answer(NamedTuple, Generic[T]):
    value: T
    #: False when re-asks ran out: ``value`` is the last answer parsed without context.
    validated: bool
    errors: str | None


def truncated(max_tokens: int | None) -> LLMCallError:
    limit = f"max_tokens={max_tokens}" if max_tokens is not None else "the model's output limit"
    return LLMCallError(f"the answer was cut off at {limit} (finish_reason=length)")


async def ask(
    response_model: type[T],
    mode: Mode,
    prompt: Prompt,
    context: dict[str, Any],
    *,
    create: Callable[..., Awaitable[Any]],
    send: Callable[..., Awaitable[Any]],
    settings: LLMSettings,
    reasks: int,
    max_tokens: int | None,
    hooks: Any,
    host: str,
) -> Answer[T]:
    """One request with its re-asks: ``create`` is instructor's public ``create`` over
    ``send``; on verified instructor versions the :mod:`~summarizer.llm.fastpath` shortcut
    sends the same body (built once per request shape) through instructor's loop instead.

    ``context`` fills the prompt's placeholders and is what validators see.
    """
    try:
        if fastpath.active():
            body = request_body(
                response_model,
                mode,
                prompt,
                context,
                model=settings.model,
                temperature=settings.temperature,
                max_tokens=max_tokens,
            )
            value = await fastpath.retry(
                send,
                wrapped(response_model),
                body,
                context=context,
                max_retries=reasks,
                mode=instructor_mode(mode),
                hooks=hooks,
            )
        else:
            value = await create(
                response_model=wrapped(response_model),
                context=context,
                max_retries=reasks,
                strict=False,
                hooks=hooks,
                **create_arguments(
                    prompt,
                    model=settings.model,
                    temperature=settings.temperature,
                    max_tokens=max_tokens,
                ),
            )
        return Answer(plain(value, response_model), True, None)
    except InstructorRetryException as exc:
        return _after_last_attempt(exc, response_model, mode, settings, max_tokens, host)
    except IncompleteOutputException:
        raise truncated(max_tokens) from None


def _after_last_attempt(
    exc: InstructorRetryException,
    response_model: type[T],
    mode: Mode,
    settings: LLMSettings,
    max_tokens: int | None,
    host: str,
) -> Answer[T]:
    """The last answer kept unvalidated, or the reason nothing usable came back."""
    cause = exc.__cause__
    if isinstance(cause, ModeRejected | LLMError | ConfigError):
        raise cause from None
    if isinstance(cause, IncompleteOutputException):
        raise truncated(max_tokens) from None
    completion = exc.last_completion
    if completion is None:
        raise LLMCallError(f"{host}: {one_line(str(cause or exc))}") from None
    # Validation text quotes the answer; it reaches the result and the cache: scrubbed.
    errors = scrub(str(cause) if cause is not None else str(exc))
    try:
        value = parse_unvalidated(completion, response_model, mode)
    except Exception as parse_error:
        raise LLMCallError(
            f"{host} ({settings.model}) gave unusable output after "
            f"{exc.n_attempts} attempts: {first_error_line(parse_error)}"
        ) from None
    return Answer(value, False, errors)
