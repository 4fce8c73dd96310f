"""The one scrubber: keeps the configured key out of cassettes, errors, logs and results.

Removing key-bearing *headers* is not enough: providers echo the key back, whole or
masked, in error bodies ("Incorrect API key provided: sk-...abcd"), and those bodies
become cassette entries, exception messages, instructor's log lines and a result's
warnings. So every exit of the LLM layer passes its text through :func:`scrub`, which
knows the secret *values* and the forms a server might echo them in:

* the value itself, and URL-encoded (a key in a query string or form body);
* base64 of ``user:key`` (HTTP Basic auth), at any position, whatever the user name;
* masked forms that keep the first and/or last characters (``sk-proj-ab***wxyz``,
  ``sk-...wxyz``, ``****wxyz``): a masked token whose visible ends match the key;
* any other key-shaped token (``sk-...`` or ``Bearer ...`` with a long tail), for keys
  this process was never told about.

The secrets are held process-wide (:func:`remember`), because the places that write
them out are process-wide too: a cassette opened by the pytest plugin records for
whichever client runs inside it, and logging belongs to the whole process. Holding a
key the process already has in one more set adds no exposure.
"""

from __future__ import annotations

import base64
import functools
import logging
import os
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

__all__ = [
    "REDACTED",
    "install_log_filter",
    "remember",
    "remember_url",
    "scrub",
    "scrub_data",
    "scrub_exception",
]

REDACTED = "[redacted]"

#: Environment variables whose values are secrets even if no client was configured yet.
SECRET_ENV = ("OPENAI_API_KEY",)
#: Shorter values are not treated as secrets: "test" or "x" would shred ordinary text.
MIN_SECRET_LEN = 8
#: Loggers (and their children) whose records may carry a server's error text.
LOGGERS = ("summarizer", "instructor", "openai", "httpx", "httpcore", "vcr")

#: Key-shaped tokens of keys we were never told about (long enough not to hit prose).
_KEYLIKE = re.compile(r"\b(sk-|Bearer\s+)[A-Za-z0-9_*\-.]{16,}")
#: A token with a run of mask characters in it: the candidate masked forms of a key. It
#: starts only at a token's start, so a long token costs one pass, not one per character.
_MASKED = re.compile(
    r"(?<![A-Za-z0-9_\-])([A-Za-z0-9_\-]*?)(?:\*{2,}|\.{3,}|…|x{4,})+([A-Za-z0-9_\-]*)"
)
_B64 = "A-Za-z0-9+/"

_lock = threading.Lock()
_secrets: set[str] = set()


def remember(*values: str | None) -> None:
    """Treat these values (an API key, a password in a URL) as secrets from now on."""
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= MIN_SECRET_LEN)


def remember_url(url: str | None) -> None:
    """The password of a ``https://user:password@host`` URL (and the whole userinfo)."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return
    if password:
        remember(unquote(password), password, parts.netloc.rpartition("@")[0])


def _known() -> tuple[str, ...]:
    with _lock:
        values = set(_secrets)
    values.update(v for name in SECRET_ENV if len(v := os.environ.get(name, "")) >= MIN_SECRET_LEN)
    return tuple(sorted(values, key=len, reverse=True))


def _base64_cores(secret: str) -> list[str]:
    """The part of ``base64(prefix + secret + suffix)`` fixed by the secret alone.

    A base64 character encodes 6 bits, so which characters depend only on the secret
    depends on ``len(prefix) % 3``: one core per alignment, edges that mix in unknown
    neighbours dropped. Any Basic-auth header holding the key contains one of them.
    """
    data = secret.encode()
    cores = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode().rstrip("=")
        start = 4 if shift else 0
        end = len(encoded) - (0 if (shift + len(data)) % 3 == 0 else 4)
        if end - start >= 8:
            cores.append(encoded[start:end])
    return cores


@functools.lru_cache(maxsize=8)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation of every literal form of every secret, longest first."""
    forms: set[str] = set()
    for secret in secrets:
        forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
    alternatives = [re.escape(f) for f in sorted(forms, key=len, reverse=True)]
    for secret in secrets:
        alternatives += [f"[{_B64}]*{re.escape(c)}[{_B64}]*=*" for c in _base64_cores(secret)]
    return re.compile("|".join(alternatives)) if alternatives else None


def _is_masked_form(head: str, tail: str, secrets: tuple[str, ...]) -> bool:
    """Do the visible ends of a masked token match a secret's first and last characters?"""
    if not head and not tail:
        return False
    for secret in secrets:
        if secret.startswith(head) and secret.endswith(tail) and len(head) + len(tail) >= 4:
            return True
    return False


def scrub(text: str) -> str:
    """``text`` with every known secret, in every form listed above, replaced by [redacted]."""
    if not text:
        return text
    secrets = _known()
    pattern = _pattern(secrets)
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
        if _MASKED.search(text):
            text = _MASKED.sub(
                lambda m: REDACTED if _is_masked_form(m[1], m[2], secrets) else m[0], text
            )
    return _KEYLIKE.sub(rf"\1{REDACTED}", text)


def scrub_exception(exc: BaseException) -> BaseException:
    """``exc`` with its string arguments scrubbed in place (``str(exc)`` is made from them)."""
    exc.args = tuple(scrub(a) if isinstance(a, str) else a for a in exc.args)
    return exc


def scrub_data(value: Any) -> Any:
    """:func:`scrub` applied to every string (and UTF-8 bytes) in nested dicts and lists."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return value  # compressed or binary: vcrpy decodes bodies before we see them
        cleaned = scrub(text)
        return value if cleaned == text else cleaned.encode("utf-8")
    if isinstance(value, dict):
        return {scrub_data(k): scrub_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub_data(v) for v in value)
    return value


class _ScrubbingFilter(logging.Filter):
    """Rewrites a record's message with :func:`scrub` before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's business
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters print the exception text: make it from the scrubbed message.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True


_FILTER = _ScrubbingFilter()


def install_log_filter(names: Iterable[str] = LOGGERS) -> None:
    """Put the filter on these loggers and every child logger that exists now.

    A logger's filters only see records made by that logger, not its children's, so
    each one is covered; the loggers of the libraries exist once they are imported,
    which is before the first request. Idempotent, so every client start can call it.
    """
    prefixes = tuple(names)
    existing = [n for n in logging.Logger.manager.loggerDict if n.startswith(prefixes)]
    for name in {*prefixes, *existing}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
