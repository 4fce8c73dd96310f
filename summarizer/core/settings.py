"""LLM settings: one frozen value resolved once per run from arguments, environment, defaults.

Kept apart from ``llm.py`` so the CLI can parse and validate configuration (and fail with
one line naming the bad variable) without importing openai or instructor.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args

from summarizer.core.errors import ConfigError

Mode = Literal["tools", "json_schema", "md_json"]
MODES: tuple[str, ...] = get_args(Mode)

#: Environment variable -> settings field. ``OPENAI_*`` are the names every OpenAI tool uses.
ENV_VARS: dict[str, str] = {
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
    "SUMMARIZER_MODEL": "model",
    "SUMMARIZER_MODE": "mode",
    "SUMMARIZER_CONCURRENCY": "concurrency",
    "SUMMARIZER_TIMEOUT": "timeout_s",
    "SUMMARIZER_TEMPERATURE": "temperature",
    "SUMMARIZER_MAX_REASKS": "max_reasks",
    "SUMMARIZER_HTTP_ATTEMPTS": "http_attempts",
    "SUMMARIZER_MAX_RETRY_TIME": "max_retry_time_s",
    "SUMMARIZER_CACHE_DIR": "cache_dir",
    "SUMMARIZER_PRICES": "prices",
}


@dataclass(frozen=True)
class LLMSettings:
    """Everything that decides how the LLM is called; immutable so a run cannot drift."""

    model: str = "gpt-4o-mini"
    base_url: str | None = None
    #: Never shown: excluded from repr, and nothing else in the package copies it anywhere.
    api_key: str | None = field(default=None, repr=False)
    mode: Mode | None = None
    temperature: float = 0.0
    timeout_s: float = 60.0
    max_reasks: int = 2
    http_attempts: int = 5
    max_retry_time_s: float = 120.0
    #: Exponential backoff with full jitter: the n-th wait is uniform in
    #: [0, min(backoff_max_s, backoff_base_s * 2**n)]. Tests shrink these.
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    concurrency: int = 8
    cache: bool = True
    cache_dir: Path | None = None
    record: Path | None = None
    replay: Path | None = None
    prices: Mapping[str, tuple[float, float]] | None = None

    def __post_init__(self) -> None:
        # Accept strings for paths (from a CLI or a config file) but store Paths.
        for name in ("cache_dir", "record", "replay"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value).expanduser())

    @property
    def effective_mode(self) -> Mode:
        return self.mode or "tools"

    @classmethod
    def resolve(cls, **overrides: Any) -> LLMSettings:
        """Arguments that are not None win over the environment, which wins over defaults."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown LLM setting(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        from_env: dict[str, str] = {}
        for var, name in ENV_VARS.items():
            raw = os.environ.get(var)
            if raw is not None and raw.strip() != "":
                values[name] = _from_env(var, name, raw.strip())
                from_env[name] = f"{var}={raw.strip()!r}"
        try:
            cls(**values).check()
        except ConfigError as exc:
            # Name the variable, not only the setting: that is what the user has to fix.
            culprit = next((v for k, v in from_env.items() if str(exc).startswith(k)), "")
            raise ConfigError(f"{culprit}: {exc}" if culprit else str(exc)) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    def with_(self, **changes: Any) -> LLMSettings:
        """A copy with some fields changed (``dataclasses.replace``), checked again."""
        settings = replace(self, **changes)
        settings.check()
        return settings

    def check(self) -> None:
        """Reject contradictory or out-of-range values with one line naming the setting."""
        if self.mode is not None and self.mode not in MODES:
            raise ConfigError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.record is not None and self.replay is not None:
            raise ConfigError("--record and --replay cannot be used together")
        positive = {
            "concurrency": self.concurrency,
            "http_attempts": self.http_attempts,
            "timeout_s": self.timeout_s,
            "max_retry_time_s": self.max_retry_time_s,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ConfigError(f"{name} must be positive, got {value}")
        if self.max_reasks < 0:
            raise ConfigError(f"max_reasks must be 0 or more, got {self.max_reasks}")
        if not 0.0 <= self.temperature <= 2.0:
            raise ConfigError(f"temperature must be between 0 and 2, got {self.temperature}")


def _from_env(var: str, name: str, raw: str) -> Any:
    """Convert one environment value, naming the variable when it is unusable."""
    try:
        if name in ("concurrency", "max_reasks", "http_attempts"):
            return int(raw)
        if name in ("timeout_s", "temperature", "max_retry_time_s"):
            return float(raw)
        if name == "cache_dir":
            return Path(raw).expanduser()
        if name == "prices":
            return parse_prices(raw)
    except ValueError as exc:
        raise ConfigError(f"{var}={raw!r}: {exc}") from None
    if name == "mode" and raw not in MODES:
        raise ConfigError(f"{var}={raw!r}: expected one of {', '.join(MODES)}")
    return cast(Any, raw)


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
