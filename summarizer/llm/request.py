"""What one structured request is, through instructor's public interface only.

One description serves every way a request leaves this package: :func:`create_arguments`
gives the keyword arguments of instructor's ``create`` (messages with their
``{{ placeholders }}``, model, temperature, output limit). The live client hands them to
``instructor.patch(create=...)`` with the call's ``context=``; :func:`request_body` hands
the very same arguments to the same public wrapper over a function that only records what
instructor would send. Batch API files and the live shortcut of
:mod:`summarizer.llm.fastpath` both take their bodies from :func:`request_body`, so a live
run and a batch run ask the model the same question, and the article enters only through
``{{ article }}`` rendered by sandboxed Jinja (a ``{%`` in an article cannot break it).

Everything imported from instructor here is public: the top-level names (``patch``,
``Mode``, ``response_schema``) and the exceptions from ``instructor.core``, the import
path its deprecation notices point to. Nothing here pins a minor version.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import instructor
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel

from summarizer.core.settings import Mode
from summarizer.llm import fastpath
from summarizer.llm.prompts import Prompt
from summarizer.llm.retry import one_line

__all__ = [
    "IncompleteOutputException",
    "InstructorRetryException",
    "body_template",
    "check_variables",
    "create_arguments",
    "first_error_line",
    "instructor_mode",
    "json_schema",
    "parse_unvalidated",
    "plain",
    "request_body",
    "wrapped",
]

T = TypeVar("T", bound=BaseModel)

_INSTRUCTOR_MODES: dict[Mode, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "md_json": instructor.Mode.MD_JSON,
}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def instructor_mode(mode: Mode) -> instructor.Mode:
    """instructor's Mode for one of our mode names."""
    return _INSTRUCTOR_MODES[mode]


@functools.lru_cache(maxsize=256)
def wrapped(response_model: type[BaseModel]) -> type[BaseModel]:
    """instructor's response-schema subclass of ``response_model``, made once per model.

    Given a plain model, instructor's ``create`` builds a fresh subclass on every call,
    which also defeats its schema cache (several ms of CPU per call, the largest cost of a
    call against a fast server). Handing it the subclass it would make
    (``instructor.response_schema``, public) skips that; the schema on the wire is the
    same, as ``test_requests_equal_what_instructors_own_wrapper_sends`` checks.
    """
    return instructor.response_schema(response_model)


def create_arguments(
    prompt: Prompt, *, model: str, temperature: float, max_tokens: int | None
) -> dict[str, Any]:
    """The request part of instructor's ``create`` keywords, for live calls and batch files.

    Messages keep their ``{{ placeholders }}``: instructor fills them from ``context=``.
    """
    arguments: dict[str, Any] = {
        "model": model,
        "messages": prompt.render_messages(),
        "temperature": temperature,
    }
    if max_tokens is not None:
        arguments["max_tokens"] = max_tokens
    return arguments


class _Captured(Exception):
    """Raised by the recording ``create`` so that instructor never sends anything."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        super().__init__("captured")
        self.kwargs = kwargs


def _capture(**kwargs: Any) -> Any:
    raise _Captured(kwargs)


@functools.cache
def _capturing_create(mode: Mode) -> Callable[..., Any]:
    """instructor's public ``patch`` over a ``create`` that records its arguments."""
    return instructor.patch(create=_capture, mode=instructor_mode(mode))


@contextlib.contextmanager
def _quiet_instructor() -> Iterator[None]:
    """instructor logs every failed attempt at ERROR; a capture "fails" on purpose."""
    log = logging.getLogger("instructor")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _captured(
    response_model: type[BaseModel],
    mode: Mode,
    arguments: Mapping[str, Any],
    context: dict[str, Any] | None,
) -> dict[str, Any]:
    """What instructor's public wrapper would send for these ``create`` arguments."""
    create = _capturing_create(mode)
    with _quiet_instructor():
        try:
            create(
                response_model=wrapped(response_model),
                context=context,
                max_retries=0,
                strict=False,
                **arguments,
            )
        except _Captured as captured:
            return captured.kwargs
        except InstructorRetryException as error:
            if isinstance(error.__cause__, _Captured):
                return error.__cause__.kwargs
            raise
    raise RuntimeError("instructor did not call the create function")  # pragma: no cover


@functools.lru_cache(maxsize=256)
def body_template(
    response_model: type[BaseModel],
    mode: Mode,
    prompt: Prompt,
    *,
    model: str,
    temperature: float,
    max_tokens: int | None,
) -> Mapping[str, Any]:
    """The body instructor would send before templating (``{{ placeholders }}`` kept).

    Captured once per request shape for :mod:`summarizer.llm.fastpath`; never mutated.
    """
    arguments = create_arguments(
        prompt, model=model, temperature=temperature, max_tokens=max_tokens
    )
    return _captured(response_model, mode, arguments, None)


def request_body(
    response_model: type[BaseModel],
    mode: Mode,
    prompt: Prompt,
    context: Mapping[str, Any],
    *,
    model: str,
    temperature: float = 0.0,
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """The chat-completions body instructor sends for this request (built, not sent).

    ``context`` fills the prompt's placeholders (and is what validators see live). With
    the verified shortcut the body prepared once is rendered here; otherwise instructor's
    public wrapper builds it from scratch: the two are byte-identical (tested).
    """
    if fastpath.active():
        template = body_template(
            response_model,
            mode,
            prompt,
            model=model,
            temperature=temperature,
            max_tokens=max_tokens,
        )
        return fastpath.render(template, context)
    arguments = create_arguments(
        prompt, model=model, temperature=temperature, max_tokens=max_tokens
    )
    return _captured(response_model, mode, arguments, dict(context))


def parse_unvalidated(completion: Any, response_model: type[T], mode: Mode) -> T:
    """The answer in ``completion`` parsed without context: context validators skip.

    Used after the last re-ask, so the caller can keep what it can ground itself.
    """
    value = wrapped(response_model).from_response(  # type: ignore[attr-defined]
        completion, validation_context=None, strict=False, mode=instructor_mode(mode)
    )
    return plain(value, response_model)


def plain(value: Any, response_model: type[T]) -> T:
    """An instance of exactly ``response_model``, as the cache returns.

    instructor answers with the subclass it made (for its schema helpers) carrying the raw
    completion; pydantic's ``==`` compares classes and private attributes, so without
    this a fresh answer would never equal the same answer read from cache or replay.
    Fields are copied as they are, without validating again.
    """
    if not isinstance(value, response_model):
        raise TypeError(f"expected {response_model.__name__}, got {type(value).__name__}")
    if type(value) is response_model:
        return value
    fields = {name: getattr(value, name) for name in response_model.model_fields}
    result = response_model.model_construct(_fields_set=set(value.model_fields_set), **fields)
    wanted = response_model.__private_attributes__
    private = {k: v for k, v in (value.__pydantic_private__ or {}).items() if k in wanted}
    if private:
        result.__pydantic_private__ = {**(result.__pydantic_private__ or {}), **private}
    return result


@functools.lru_cache(maxsize=256)
def json_schema(response_model: type[BaseModel]) -> Mapping[str, Any]:
    """The model's JSON schema for cache keys, generated once per class (a few ms each)."""
    return response_model.model_json_schema()


def check_variables(prompt: Prompt, variables: Mapping[str, str]) -> None:
    """Jinja silently renders an unknown ``{{ x }}`` as nothing: refuse that up front."""
    wanted = {m for _, content in prompt.messages for m in _PLACEHOLDER.findall(content)}
    missing = sorted(wanted - set(variables))
    if missing:
        raise ValueError(f"prompt {prompt.name!r} needs variable(s) {', '.join(missing)}")


def first_error_line(exc: BaseException) -> str:
    """The first line of a (pydantic) error, with the failing field when it says which."""
    text = str(exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    head = lines[0] if lines else type(exc).__name__
    if len(lines) > 1 and "validation error" in head:
        head = f"{head} ({lines[1].strip()}: {lines[2].strip() if len(lines) > 2 else ''})"
    return one_line(head, 200)
