"""LLM settings: one frozen value resolved once per run from arguments, environment, defaults.

Kept apart from ``llm/`` so the CLI can parse and validate configuration (and fail with
one line naming the bad variable) without importing openai or instructor: like
``core.options``, this module imports only the standard library.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self, get_args

from summarizer.core.errors import ConfigError
from summarizer.core.options import Declared, at_least_zero, declared, internal, option, positive

Mode = Literal["tools", "json_schema", "md_json"]
MODES: tuple[str, ...] = get_args(Mode)
#: The HTTP stack under the openai SDK (see ``llm.send.http_client``).
Http = Literal["auto", "aiohttp", "httpx"]
#: The model when none is named and a key, a server or a replay file says to use one.
DEFAULT_MODEL = "gpt-4o-mini"
#: A host name or IPv4 address as URLs spell them (IPv6 comes in brackets, checked by urllib).
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def _prices(raw: str) -> dict[str, tuple[float, float]]:
    return parse_prices(raw)


def _temperature(value: float) -> str | None:
    return None if 0.0 <= value <= 2.0 else "must be between 0 and 2"


def url_problem(value: str) -> str | None:
    """What makes ``value`` unusable as a server URL, said before the first call.

    Left to the HTTP client, a bad URL surfaced only at the first request, as a long
    traceback (``http://[::1``, a port of 99999) or as an "UnsupportedProtocol" failure that
    named neither the URL nor where it came from.
    """
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port  # ValueError when not a number or outside 0-65535
    except ValueError as error:
        return f"is not a valid URL ({error})"
    if parts.scheme not in ("http", "https"):
        if not parts.scheme or not parts.netloc:
            return "is not a URL: give http://HOST[:PORT]/PATH or https://..."
        return f"must be an http:// or https:// URL, not {parts.scheme}://"
    host = parts.hostname
    if not host or any(char.isspace() for char in value):
        return "has no usable host name: give http://HOST[:PORT]/PATH"
    if "[" not in parts.netloc and not _HOST.fullmatch(host):
        return f"has a malformed host name {host!r}"
    if port == 0:
        return "has port 0: give a port from 1 to 65535"
    return None


@dataclass(frozen=True)
class LLMSettings(Declared):
    """Everything that decides how the LLM is called; immutable so a run cannot drift.

    Every field is an :func:`~summarizer.core.options.option`: its variable, flag and help
    are written here once and the CLI, the environment and the library keywords derive
    from them. ``OPENAI_*`` are the names every OpenAI tool uses.
    """

    model: str = option(
        DEFAULT_MODEL,
        help="model name, or 'builtin' for the no-LLM extractor (default: gpt-4o-mini when "
        "a key, a server or a replay file is set, else builtin)",
        env="SUMMARIZER_MODEL",
        flags=("-m", "--model"),
    )
    base_url: str | None = option(
        help="OpenAI-compatible server URL (default: OpenAI)",
        env="OPENAI_BASE_URL",
        flags=("--base-url",),
        metavar="URL",
        check=url_problem,
    )
    #: Never shown: excluded from repr, never a flag, and nothing else copies it anywhere.
    api_key: str | None = option(
        help="API key (environment only: a flag would show it in `ps` and shell history)",
        env="OPENAI_API_KEY",
        secret=True,
    )
    mode: Mode | None = option(
        help="how structured output is requested (default: tools; see README for servers)",
        env="SUMMARIZER_MODE",
        flags=("--mode",),
    )
    temperature: float = option(
        0.0,
        help="sampling temperature",
        env="SUMMARIZER_TEMPERATURE",
        flags=("--temperature",),
        metavar="T",
        check=_temperature,
    )
    timeout_s: float = option(
        60.0,
        help="seconds per request",
        env="SUMMARIZER_TIMEOUT",
        flags=("--timeout",),
        check=positive,
        metavar="S",
    )
    http: Http = option(
        "auto",
        help="HTTP stack under the openai SDK: aiohttp (less CPU per call), httpx (the SDK's "
        "own), or auto: aiohttp unless a cassette is recording or replaying",
        env="SUMMARIZER_HTTP",
        flags=("--http",),
    )
    max_reasks: int = option(
        2,
        help="validation re-asks per call",
        env="SUMMARIZER_MAX_REASKS",
        flags=("--max-reasks",),
        check=at_least_zero,
        metavar="N",
    )
    http_attempts: int = option(
        5,
        help="attempts per request on 429/5xx/timeouts/dropped connections",
        env="SUMMARIZER_HTTP_ATTEMPTS",
        flags=("--http-attempts",),
        check=positive,
        metavar="N",
    )
    max_retry_time_s: float = option(
        120.0,
        help="seconds of retrying per request at most",
        env="SUMMARIZER_MAX_RETRY_TIME",
        flags=("--max-retry-time",),
        check=positive,
        metavar="S",
    )
    #: Exponential backoff with full jitter: the n-th wait is uniform in
    #: [0, min(backoff_max_s, backoff_base_s * 2**n)]. Tests shrink these.
    backoff_base_s: float = option(
        0.5,
        help="first backoff between HTTP attempts, doubled each time (jittered)",
        env="SUMMARIZER_BACKOFF_BASE",
        flags=("--backoff-base",),
        check=at_least_zero,
        metavar="S",
    )
    backoff_max_s: float = option(
        20.0,
        help="longest backoff between HTTP attempts",
        env="SUMMARIZER_BACKOFF_MAX",
        flags=("--backoff-max",),
        check=at_least_zero,
        metavar="S",
    )
    concurrency: int = option(
        8,
        help="max LLM calls in flight (one limit for every call of a run)",
        env="SUMMARIZER_CONCURRENCY",
        flags=("--concurrency",),
        check=positive,
        metavar="N",
    )
    cache: bool = option(
        True,
        help="use the persistent answer cache (--no-cache or SUMMARIZER_CACHE=0: off)",
        env="SUMMARIZER_CACHE",
        flags=("--no-cache",),
    )
    cache_dir: Path | None = option(
        help="cache directory (default: the user cache directory)",
        env="SUMMARIZER_CACHE_DIR",
        flags=("--cache-dir",),
        metavar="DIR",
    )
    record: Path | None = option(
        help="record HTTP exchanges to this cassette",
        env="SUMMARIZER_RECORD",
        flags=("--record",),
        metavar="PATH",
        exclusive="recording",
    )
    replay: Path | None = option(
        help="replay recorded exchanges from this cassette; no network",
        env="SUMMARIZER_REPLAY",
        flags=("--replay",),
        metavar="PATH",
        exclusive="recording",
    )
    prices: Mapping[str, tuple[float, float]] | None = option(
        help='prices per model, {"model": [usd_per_1M_prompt, usd_per_1M_completion]}',
        env="SUMMARIZER_PRICES",
        flags=("--prices",),
        parse=_prices,
        metavar="JSON",
    )
    #: Set by :meth:`resolve`: no model was named by a keyword or the environment, so the
    #: engine may fall back to the built-in extractor (``pipeline.open_engine`` decides).
    model_is_default: bool = internal(False, "derived by resolve(), not given by a user")

    @property
    def effective_mode(self) -> Mode:
        return self.mode or "tools"

    @property
    def names_a_model_server(self) -> bool:
        """A key, a server or a replay file: something that says an LLM is meant to be used."""
        return any(value is not None for value in (self.api_key, self.base_url, self.replay))

    @classmethod
    def _derived(cls, given: Mapping[str, Any]) -> dict[str, Any]:
        return {"model_is_default": "model" not in given}

    def with_(self, **changes: Any) -> Self:
        """A copy with some fields changed; naming a model makes it no longer the default."""
        changed = super().with_(**changes)
        if "model" in changes:
            object.__setattr__(changed, "model_is_default", False)
        return changed

    def check(self) -> None:
        """Each field's declared check, then the rules that involve two fields."""
        super().check()
        if self.record is not None and self.replay is not None:
            raise ConfigError(
                "record= and replay= cannot be used together "
                "(--record/--replay, SUMMARIZER_RECORD/SUMMARIZER_REPLAY)"
            )


def env_vars(cls: type = LLMSettings) -> dict[str, str]:
    """Environment variable -> field name, derived from the declaration (for docs and tests)."""
    return {d.spec.env: d.name for d in declared(cls) if d.spec.env is not None}


def parse_prices(raw: str) -> dict[str, tuple[float, float]]:
    """Parse ``{"model": [prompt_usd_per_1m, completion_usd_per_1m], ...}``."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ValueError('expected {"model": [prompt, completion], ...} in USD per 1M tokens')
    prices: dict[str, tuple[float, float]] = {}
    for model, pair in data.items():
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(x, int | float) for x in pair)
        ):
            raise ValueError(f"price of {model!r} must be [prompt, completion] in USD per 1M")
        prices[str(model)] = (float(pair[0]), float(pair[1]))
    return prices
