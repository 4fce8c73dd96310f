"""Record and replay the real HTTP exchanges of the openai client (vcrpy cassettes).

vcrpy patches httpx2's transports, which openai 3.x uses, so what is recorded is exactly
what went over the wire and replay exercises the whole client stack (SDK, instructor,
validators) offline. Three rules make cassettes safe to commit and replay reliable:

* Secrets never reach the file: every key-bearing request header (Authorization,
  api-key, organisation/project ids, cookies, anything named like a key, token or secret)
  and query parameter is removed before recording, and the same for response headers;
  then the key's *value*, in any form a server might echo it (see
  :mod:`summarizer.llm.secrets`), is scrubbed from everything left, response bodies too.
* Requests match on method, URL path and JSON body, not on host or headers: concurrent
  calls replay to the right answer whatever order they run in, and a cassette recorded
  against one server replays with any ``--base-url``.
* A request that was never recorded fails at once with :class:`ReplayMissError` naming
  it (article id and first words), instead of vcrpy's multi-screen diff.

Each saved cassette starts with a comment saying when and from which server and model it
was recorded, so nobody mistakes a hand-edited fixture for model output.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from summarizer.core.errors import ConfigError, ReplayMissError, setting
from summarizer.llm.retry import one_line
from summarizer.llm.secrets import scrub, scrub_data

CassetteMode = Literal["record", "replay", "auto"]

#: Headers removed from requests and responses before anything is written.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "openai-organization",
        "openai-project",
        "cookie",
        "set-cookie",
    }
)
#: Any other header whose name contains one of these is treated as secret too.
SECRET_WORDS = ("key", "token", "secret", "auth", "session", "password")
#: Query parameters that carry keys (Azure's ``api-key``, Gemini's ``key``, ...).
SECRET_PARAMS = ("api_key", "api-key", "apikey", "key", "access_token", "token", "auth")

#: Modes of the cassettes open now, innermost last. Process-wide like vcrpy's patching.
_open_modes: list[str] = []


def active_mode() -> str | None:
    """The mode of the innermost open cassette ("record"/"replay"), or None.

    The LLM reads it so that inside a replaying cassette no API key is needed, and inside
    a recording one the cache is bypassed (a cache hit would leave a hole in the cassette).
    """
    return _open_modes[-1] if _open_modes else None


def _is_secret_header(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_HEADERS or any(word in lowered for word in SECRET_WORDS)


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if _is_secret_header(name):
            del request.headers[name]
        else:
            request.headers[name] = scrub_data(request.headers[name])
    body = getattr(request, "body", None)
    if body:
        request.body = scrub_data(body)
    parts = urlsplit(request.uri)
    secret = {p.lower() for p in SECRET_PARAMS}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if k.lower() not in secret]
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    if kept != query or netloc != parts.netloc:
        request.uri = parts._replace(netloc=netloc, query=urlencode(kept)).geturl()
    request.uri = scrub(request.uri)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Secret headers dropped, and the key scrubbed from the rest and from the body.

    The body matters as much as the headers: a server that rejects a key often quotes it
    ("Incorrect API key provided: sk-..."). vcrpy has decoded compressed bodies by now, so
    the text is scrubbed as text; Content-Length then follows the new body.
    """
    headers = response.get("headers") or {}
    kept = {k: scrub_data(v) for k, v in headers.items() if not _is_secret_header(k)}
    body = response.get("body")
    if isinstance(body, dict) and body.get("string"):
        cleaned = scrub_data(body["string"])
        if cleaned is not body["string"]:
            body["string"] = cleaned
            for name in kept:
                if name.lower() == "content-length":
                    kept[name] = [str(len(cleaned))]
    response["headers"] = kept
    return response


class _Persister:
    """Writes atomically (a crash never leaves half a cassette) with a provenance header."""

    def __init__(self, start_empty: bool) -> None:
        self.start_empty = start_empty

    def load_cassette(self, cassette_path: str | Path, serializer: Any) -> Any:
        from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister

        if self.start_empty:
            raise CassetteNotFoundError()
        try:
            return FilesystemPersister.load_cassette(cassette_path, serializer)
        except CassetteNotFoundError:
            raise
        except Exception as exc:  # YAML or structure errors: the user's file, named
            reason = one_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            raise ConfigError(f"{cassette_path}: not a readable cassette ({reason})") from None

    def save_cassette(
        self, cassette_path: str | Path, cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        from vcr.serialize import serialize

        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = _provenance(cassette_dict) + serialize(cassette_dict, serializer)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _provenance(cassette_dict: dict[str, Any]) -> str:
    hosts: set[str] = set()
    models: set[str] = set()
    for request in cassette_dict.get("requests", []):
        hosts.add(urlsplit(request.uri).netloc)
        body = _json_body(request)
        if isinstance(body, dict) and isinstance(body.get("model"), str):
            models.add(body["model"])
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"# Recorded by summarizer on {stamp} from {', '.join(sorted(hosts)) or '-'}"
        f" with model {', '.join(sorted(models)) or '-'}.\n"
        "# Real HTTP exchanges; key-bearing headers and query parameters were removed.\n"
    )


def _json_body(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    try:
        return json.loads(body) if body else None
    except (TypeError, ValueError):
        return None


_ARTICLE_ID = re.compile(r'<article id="([^"]*)"[^>]*>')


def describe_request(request: Any) -> str:
    """``POST /v1/chat/completions (article 'x', "first words…")`` for a miss message."""
    path = urlsplit(request.uri).path
    body = _json_body(request)
    hints: list[str] = []
    if isinstance(body, dict):
        users = [m for m in body.get("messages", []) if isinstance(m, dict)]
        texts = [str(m.get("content") or "") for m in users if m.get("role") == "user"]
        text = "\n".join(texts)
        match = _ARTICLE_ID.search(text)
        if match:
            hints.append(f"article {match.group(1)!r}")
        words = " ".join(_ARTICLE_ID.sub("", text).replace("</article>", " ").split()[:8])
        if words:
            hints.append(f'"{words}…"')
        if any(m.get("role") in ("assistant", "tool") for m in users):
            hints.append("a re-ask")
        if body.get("model"):
            hints.append(f"model {body['model']}")
    detail = f" ({', '.join(hints)})" if hints else ""
    return f"{request.method} {path}{detail}"


def replay_miss(exc: BaseException) -> ReplayMissError | None:
    """The ReplayMissError for a vcrpy miss anywhere in ``exc``'s cause chain, else None."""
    from vcr.errors import CannotOverwriteExistingCassetteException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, CannotOverwriteExistingCassetteException):
            where = getattr(seen.cassette, "_path", "the cassette")
            request = seen.failed_request
            what = describe_request(request) if request is not None else "a request"
            return ReplayMissError(
                f"{where}: no recorded answer for {what}; re-record the cassette"
                f" ({setting('record')}) after changing prompts, models or inputs"
            )
        seen = seen.__cause__ or seen.__context__
    return None


@contextlib.contextmanager
def use_cassette(path: Path, mode: CassetteMode) -> Iterator[Any]:
    """Record to, or replay from, ``path`` every HTTP exchange made inside the block.

    ``record`` starts from an empty cassette and replaces ``path`` when the block ends
    (and whenever :func:`save` is called); ``replay`` never touches the network and
    raises :class:`ReplayMissError` for a request it does not hold; ``auto`` replays
    when ``path`` exists and records it otherwise (what a test suite wants).
    """
    import vcr

    path = Path(path)
    if mode == "replay" and not path.is_file():
        raise ConfigError(
            f"{path}: no such cassette to replay (record it with {setting('record', str(path))})"
        )
    effective: Literal["record", "replay"] = (
        ("replay" if path.is_file() else "record") if mode == "auto" else mode
    )
    recorder = vcr.VCR(
        record_mode="all" if effective == "record" else "none",
        match_on=["method", "path", "body"],
        decode_compressed_response=True,
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        drop_unused_requests=effective == "record",
    )
    recorder.register_persister(_Persister(start_empty=effective == "record"))
    _open_modes.append(effective)
    try:
        with recorder.use_cassette(str(path)) as cassette:
            try:
                yield cassette
            except Exception as exc:
                miss = replay_miss(exc)
                if miss is not None:
                    raise miss from None
                raise
    finally:
        _open_modes.remove(effective)


def save(cassette: Any) -> None:
    """Write what a recording cassette holds so far (a crash later loses nothing)."""
    if getattr(cassette.record_mode, "value", cassette.record_mode) == "all":
        cassette._save()
