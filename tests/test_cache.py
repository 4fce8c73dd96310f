"""The persistent answer cache: zero requests on a repeat, right keys, no secrets, two writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from llm_paths import instructor_path  # noqa: F401
from pydantic import BaseModel

from summarizer.llm.cache import Cache, CacheEntry, cache_key, default_cache_dir, public_server
from summarizer.llm.client import LLM
from summarizer.llm.prompts import Prompt
from summarizer.testing.fake_openai import FakeOpenAI, FakeRequest, Reply

KEY = "sk-test-THISISAFAKEKEY1234567890"
ARTICLE = "Officials said 245 people were arrested. The operation lasted a month."
PROMPT = Prompt(
    name="facts",
    hash="prompt01",
    messages=(
        ("system", "Extract."),
        ("user", '<article id="{{ source_id }}">{{ article }}</article>'),
    ),
)


class Fact(BaseModel):
    evidence: str


class Facts(BaseModel):
    facts: list[Fact]


def answer(request: FakeRequest) -> Reply:
    return Reply({"facts": [{"evidence": request.article.split(". ")[0]}]})


def variables(article: str = ARTICLE) -> dict[str, str]:
    return {"article": article, "source_id": "s1"}


async def test_a_repeated_call_makes_zero_requests(tmp_path: Path) -> None:
    with FakeOpenAI(answer) as server:
        settings = server.settings(cache=True, cache_dir=tmp_path, api_key=KEY)
        async with LLM(settings) as llm:
            first = await llm.create(Facts, prompt=PROMPT, variables=variables())
        assert server.request_count == 1
        async with LLM(settings) as llm:  # a new run, same cache directory
            second = await llm.create(Facts, prompt=PROMPT, variables=variables())
        assert server.request_count == 1
    assert second.cached and not first.cached
    assert second.value == first.value and second.validated
    assert second.usage.cached == 1 and second.usage.requests == 0
    assert second.usage.prompt_tokens == 0 and second.usage.cost_usd == 0.0
    assert llm.usage.cached == 1


@pytest.mark.parametrize(
    "change",
    ["article", "prompt", "model", "schema", "temperature", "max_tokens", "reasks", "mode"],
)
async def test_anything_that_changes_the_answer_misses(tmp_path: Path, change: str) -> None:
    class Other(BaseModel):
        facts: list[Fact]
        note: str | None = None

    with FakeOpenAI(answer) as server:
        base = server.settings(cache=True, cache_dir=tmp_path)
        async with LLM(base) as llm:
            await llm.create(Facts, prompt=PROMPT, variables=variables())
        settings = {
            "model": base.with_(model="other-model"),
            "temperature": base.with_(temperature=0.7),
            "mode": base.with_(mode="md_json"),
        }.get(change, base)
        prompt = Prompt("facts", "prompt02", PROMPT.messages) if change == "prompt" else PROMPT
        model: type[BaseModel] = Other if change == "schema" else Facts
        article = ARTICLE + " More." if change == "article" else ARTICLE
        async with LLM(settings) as llm:
            response = await llm.create(
                model,
                prompt=prompt,
                variables=variables(article),
                max_tokens=500 if change == "max_tokens" else None,
                max_reasks=0 if change == "reasks" else None,
            )
        assert not response.cached
        assert server.request_count == 2


async def test_the_api_key_is_not_part_of_the_key_nor_stored(tmp_path: Path) -> None:
    with FakeOpenAI(answer) as server:
        async with LLM(server.settings(cache=True, cache_dir=tmp_path, api_key=KEY)) as llm:
            await llm.create(Facts, prompt=PROMPT, variables=variables())
        other_key = server.settings(
            cache=True, cache_dir=tmp_path, api_key="sk-other-key-000000000"
        )
        async with LLM(other_key) as llm:
            response = await llm.create(Facts, prompt=PROMPT, variables=variables())
    assert response.cached
    for file in tmp_path.iterdir():
        assert b"THISISAFAKEKEY" not in file.read_bytes()


async def test_no_cache_makes_every_call(tmp_path: Path) -> None:
    with FakeOpenAI(answer) as server:
        settings = server.settings(cache=False, cache_dir=tmp_path)
        for _ in range(2):
            async with LLM(settings) as llm:
                response = await llm.create(Facts, prompt=PROMPT, variables=variables())
                assert not response.cached
        assert server.request_count == 2
    assert not list(tmp_path.iterdir())


async def test_unvalidated_answers_are_cached_with_their_errors(tmp_path: Path) -> None:
    from pydantic import ValidationInfo, field_validator

    class Strict(BaseModel):
        facts: list[Fact]

        @field_validator("facts")
        @classmethod
        def _never(cls, value: list[Fact], info: ValidationInfo) -> list[Fact]:
            if info.context is not None:
                raise ValueError("always wrong with a context")
            return value

    with FakeOpenAI(answer) as server:
        settings = server.settings(cache=True, cache_dir=tmp_path, max_reasks=0)
        async with LLM(settings) as llm:
            first = await llm.create(Strict, prompt=PROMPT, variables=variables())
        async with LLM(settings) as llm:
            second = await llm.create(Strict, prompt=PROMPT, variables=variables())
        assert server.request_count == 1
    assert not first.validated and not second.validated and second.cached
    assert second.errors == first.errors and "always wrong" in (second.errors or "")


def test_cache_file_uses_wal(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    mode = cache._connect().execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    cache.put("k", CacheEntry("{}", True, None, "{}"))
    assert cache.get("k") == CacheEntry("{}", True, None, "{}") and len(cache) == 1


def test_two_processes_write_the_same_cache_at_once(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from summarizer.llm.cache import Cache, CacheEntry
        cache = Cache(Path(sys.argv[1]))
        for i in range(300):
            cache.put(f"{sys.argv[2]}-{i}", CacheEntry("{}", True, None, "{}"))
            cache.get(f"{sys.argv[2]}-{i // 2}")
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name]) for name in ("a", "b")
    ]
    assert [p.wait() for p in procs] == [0, 0]
    assert len(Cache(tmp_path)) == 600


def test_key_is_stable_and_server_credentials_are_dropped() -> None:
    args: dict[str, Any] = {
        "model": "m",
        "mode": "tools",
        "temperature": 0.0,
        "max_tokens": None,
        "prompt_hash": "p",
        "schema": {"type": "object"},
        "variables": {"b": "2", "a": "1"},
        "max_reasks": 2,
        "server": "openai",
    }
    assert cache_key(**args) == cache_key(**{**args, "variables": {"a": "1", "b": "2"}})
    assert public_server("https://user:pw@llm.example:8443/v1/?key=abc") == (
        "https://llm.example:8443/v1"
    )
    assert public_server(None) == "openai"


def test_default_dir_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SUMMARIZER_CACHE_DIR")
    assert "summarizer" in str(default_cache_dir())


async def test_a_corrupt_cache_file_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "llm-cache.sqlite3").write_bytes(b"this is not a database" * 100)
    with FakeOpenAI(answer) as server:
        async with LLM(server.settings(cache=True, cache_dir=tmp_path)) as llm:
            response = await llm.create(Facts, prompt=PROMPT, variables=variables())
    assert response.validated and not response.cached
    assert any("llm-cache.sqlite3" in w and "without the cache" in w for w in llm.warnings)
