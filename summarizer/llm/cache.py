"""Persistent cache of LLM answers, so the same input never pays twice.

SQLite in WAL mode: two processes (say, two CLI runs over overlapping inputs) can read and
write the same file at once without corrupting it, and it needs no extra dependency. The
key covers everything that changes the answer (model, mode, temperature, token limit,
prompt hash, response schema, the variables such as the article, re-ask budget, server)
and nothing secret: the API key and any credentials in the base URL are left out, so a
cache file can be shared or inspected safely.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from summarizer.core.errors import ConfigError

SCHEMA_VERSION = 1


def default_cache_dir() -> Path:
    """``$SUMMARIZER_CACHE_DIR``, else the platform's user cache dir for "summarizer"."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarizer"))


def schema_hash(schema: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:16]


def public_server(base_url: str | None) -> str:
    """The server's scheme, host, port and path, without user:password or query string."""
    if not base_url:
        return "openai"
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


def cache_key(
    *,
    model: str,
    mode: str,
    temperature: float,
    max_tokens: int | None,
    prompt_hash: str,
    schema: Mapping[str, Any],
    variables: Mapping[str, str],
    max_reasks: int,
    server: str,
) -> str:
    """SHA-256 over the inputs that decide an answer; ``server`` must be credential-free."""
    material = {
        "v": SCHEMA_VERSION,
        "model": model,
        "mode": mode,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "prompt": prompt_hash,
        "schema": schema_hash(schema),
        "variables": dict(sorted(variables.items())),
        "max_reasks": max_reasks,
        "server": server,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    value_json: str
    validated: bool
    errors: str | None
    usage_json: str


class Cache:
    """A key -> answer table in ``<dir>/llm-cache.sqlite3``; one connection per thread."""

    def __init__(self, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"{directory}: cannot create cache directory ({exc.strerror})"
            ) from None
        self.path = directory / "llm-cache.sqlite3"
        self._local = threading.local()
        self._connect()  # fail now, with the path, rather than in the middle of a run

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        deadline = time.monotonic() + 30.0
        while True:
            try:
                conn = self._open()
                break
            except sqlite3.OperationalError as exc:
                # Two processes creating the file at once: switching to WAL needs an
                # exclusive lock and SQLite reports "locked" at once instead of waiting.
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise ConfigError(f"{self.path}: cannot open cache ({exc})") from None
                time.sleep(0.05)
            except sqlite3.Error as exc:
                raise ConfigError(f"{self.path}: cannot open cache ({exc})") from None
        self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS answers ("
                " key TEXT PRIMARY KEY, value TEXT NOT NULL, validated INTEGER NOT NULL,"
                " errors TEXT, usage TEXT NOT NULL, created REAL NOT NULL)"
            )
        except BaseException:
            conn.close()
            raise
        return conn

    def get(self, key: str) -> CacheEntry | None:
        row = (
            self._connect()
            .execute("SELECT value, validated, errors, usage FROM answers WHERE key = ?", (key,))
            .fetchone()
        )
        if row is None:
            return None
        return CacheEntry(
            value_json=row[0], validated=bool(row[1]), errors=row[2], usage_json=row[3]
        )

    def put(self, key: str, entry: CacheEntry) -> None:
        self._connect().execute(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
            (
                key,
                entry.value_json,
                int(entry.validated),
                entry.errors,
                entry.usage_json,
                time.time(),
            ),
        )

    def __len__(self) -> int:
        row = self._connect().execute("SELECT COUNT(*) FROM answers").fetchone()
        return int(row[0])

    def clear(self) -> None:
        self._connect().execute("DELETE FROM answers")

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
