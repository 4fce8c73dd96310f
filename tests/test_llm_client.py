"""The LLM client end to end through the real openai SDK and instructor, against FakeOpenAI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from llm_paths import instructor_path  # noqa: F401
from pydantic import BaseModel, ValidationInfo, field_validator

from summarizer.cli.options import flag_spelling
from summarizer.core.errors import ConfigError
from summarizer.core.schema import EventExtraction
from summarizer.core.types import Usage
from summarizer.llm import fastpath
from summarizer.llm.client import (
    FIRST_ROUND,
    LLM,
    SECOND_ROUND,
    LLMCallError,
    LLMSettings,
    PriorityLimit,
)
from summarizer.llm.pricing import estimate_cost, price_for
from summarizer.llm.prompts import Prompt, load_prompt
from summarizer.testing.fake_openai import (
    FakeOpenAI,
    FakeRequest,
    RawOutput,
    Reply,
    Status,
    llama_cpp_json_schema_rejection,
    malformed_json,
    schema_invalid,
    tools_rejection,
)

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "fixtures" / "operation-sunflower" / "source-2.txt").read_text()

PROMPT = Prompt(
    name="claims",
    hash="test0001",
    messages=(
        ("system", "List the claims of the article with verbatim evidence."),
        ("user", '<article id="{{ source_id }}">\n{{ article }}\n</article>'),
    ),
)


class Claim(BaseModel):
    text: str
    evidence: str

    @field_validator("evidence")
    @classmethod
    def _in_article(cls, value: str, info: ValidationInfo) -> str:
        context = info.context
        if isinstance(context, dict) and value not in str(
            context.get("source", context["article"])
        ):
            raise ValueError(f"evidence {value!r} is not in the article; copy it verbatim")
        return value


class Claims(BaseModel):
    claims: list[Claim]


def good(request: FakeRequest) -> Reply:
    first = request.article.split(". ")[0]
    return Reply({"claims": [{"text": "first", "evidence": first}]})


def bad(request: FakeRequest) -> Reply:
    return Reply({"claims": [{"text": "made up", "evidence": "words nobody wrote"}]})


def variables(article: str = ARTICLE, source_id: str = "s1") -> dict[str, str]:
    return {"article": article, "source_id": source_id}


@pytest.mark.parametrize("mode", ["tools", "json_schema", "md_json"])
async def test_each_mode_speaks_the_wire_format_and_validates(mode: str) -> None:
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(mode=mode)) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated and response.errors is None and not response.cached
    assert type(response.value) is Claims
    assert response.value.claims[0].evidence in ARTICLE
    expected_wire = {"tools": "tools", "json_schema": "json_schema", "md_json": "md_json"}[mode]
    assert [r.mode for r in server.requests] == [expected_wire]
    assert response.usage.requests == 1 and response.usage.attempts == 1
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0


async def test_variables_fill_the_template_and_article_text_is_sent_verbatim() -> None:
    tricky = "The {% raw %} tag and {{ unknown }} braces stay. " + ARTICLE
    with FakeOpenAI(good) as server:
        async with LLM(server.settings()) as llm:
            await llm.create(Claims, prompt=PROMPT, variables=variables(tricky, "src-7"))
    sent = server.requests[0]
    assert sent.article_id == "src-7"
    assert sent.article == tricky
    assert sent.body["temperature"] == 0.0


async def test_a_missing_template_variable_is_refused_before_any_request() -> None:
    with FakeOpenAI(good) as server:
        async with LLM(server.settings()) as llm:
            with pytest.raises(ValueError, match="source_id"):
                await llm.create(Claims, prompt=PROMPT, variables={"article": ARTICLE})
    assert server.request_count == 0


async def test_validation_context_reaches_validators() -> None:
    """Validators see ``validation_context`` merged over the variables."""
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(max_reasks=0)) as llm:
            response = await llm.create(
                Claims,
                prompt=PROMPT,
                variables=variables(),
                validation_context={"source": "a different text"},
            )
    assert not response.validated
    assert response.errors is not None and "not in the article" in response.errors


async def test_a_reask_fixes_the_answer_and_tokens_are_summed() -> None:
    answers = iter([bad, good])
    with FakeOpenAI(lambda r: next(answers)(r)) as server:
        async with LLM(server.settings()) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated
    assert response.usage.attempts == 2 and response.usage.requests == 1
    assert server.requests[1].is_reask
    assert "not in the article" in str(server.requests[1].messages)
    # The fake bills len(json)//4 per message list and tool list: tokens summed over both.
    billed = sum(
        len(json.dumps(r.body["messages"])) // 4 + len(json.dumps(r.body["tools"])) // 4
        for r in server.requests
    )
    assert response.usage.prompt_tokens == billed
    assert llm.usage == response.usage


async def test_exhausted_reasks_return_the_last_answer_unvalidated() -> None:
    with FakeOpenAI(bad) as server:
        async with LLM(server.settings(max_reasks=2)) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == 3
    assert not response.validated
    assert response.value.claims[0].evidence == "words nobody wrote"
    assert response.errors is not None and "not in the article" in response.errors
    assert response.usage.attempts == 3


@pytest.mark.parametrize(
    ("action", "words"),
    [(malformed_json(), "unusable output"), (schema_invalid(), "unusable output")],
)
async def test_output_that_never_parses_is_one_line_llmcallerror(
    action: RawOutput | Reply, words: str
) -> None:
    with FakeOpenAI(lambda r: action) as server:
        async with LLM(server.settings(max_reasks=1)) as llm:
            with pytest.raises(LLMCallError, match=words) as caught:
                await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == 2
    assert "\n" not in str(caught.value)
    assert caught.value.usage.attempts == 2  # type: ignore[attr-defined]


async def test_malformed_then_valid_is_survived() -> None:
    with FakeOpenAI(good) as server:
        server.enqueue(malformed_json())
        async with LLM(server.settings()) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated and server.request_count == 2


async def test_default_responder_answers_the_real_extraction_prompt() -> None:
    with FakeOpenAI() as server:
        async with LLM(server.settings()) as llm:
            response = await llm.create(
                EventExtraction, prompt=load_prompt("extract"), variables=variables()
            )
    assert response.validated
    assert response.value.facts and all(f.evidence in ARTICLE for f in response.value.facts)
    assert any(f.value == 245 for f in response.value.figures)


async def test_ungrounded_evidence_from_the_model_is_reasked_with_the_real_schema() -> None:
    from summarizer.testing.fake_openai import ungrounded_responder

    with FakeOpenAI(ungrounded_responder) as server:
        async with LLM(server.settings(max_reasks=1)) as llm:
            response = await llm.create(
                EventExtraction, prompt=load_prompt("extract"), variables=variables()
            )
    assert server.request_count == 2 and server.requests[1].is_reask
    assert not response.validated and response.errors


# ---------------------------------------------------------------- servers and modes


def llama_cpp(request: FakeRequest) -> Reply | Status:
    if request.mode == "json_schema":
        return llama_cpp_json_schema_rejection()
    return good(request)


async def test_rejected_json_schema_falls_back_to_tools_once_for_the_run() -> None:
    with FakeOpenAI(llama_cpp) as server:
        async with LLM(server.settings(mode="json_schema", concurrency=2)) as llm:
            responses = await asyncio.gather(
                *(llm.create(Claims, prompt=PROMPT, variables=variables()) for _ in range(6))
            )
            assert llm.mode == "tools"
            later = await llm.create(Claims, prompt=PROMPT, variables=variables(source_id="x"))
    assert all(r.validated for r in responses) and later.validated
    rejected = [r for r in server.requests if r.mode == "json_schema"]
    assert 1 <= len(rejected) <= 6  # at most one per call in flight, never a retry storm
    assert server.requests[-1].mode == "tools"
    assert len(llm.warnings) == 1 and "fell back to tools" in llm.warnings[0]


async def test_rejected_tools_fall_back_to_md_json() -> None:
    def no_tools(request: FakeRequest) -> Reply | Status:
        return tools_rejection() if request.mode == "tools" else good(request)

    with FakeOpenAI(no_tools) as server:
        async with LLM(server.settings()) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated
    assert [r.mode for r in server.requests] == ["tools", "md_json"]
    assert "fell back to md_json" in llm.warnings[0]


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "OPENAI_API_KEY"), (404, "'fake-model'"), (400, "HTTP 400"), (403, "HTTP 403")],
)
async def test_client_errors_are_final_and_one_line(status: int, words: str) -> None:
    with FakeOpenAI(lambda r: Status(status, "nope")) as server:
        async with LLM(server.settings(model="fake-model")) as llm:
            with pytest.raises(LLMCallError, match=words) as caught:
                await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert server.request_count == 1
    assert "\n" not in str(caught.value)


# ---------------------------------------------------------------- settings, keys, costs


def test_missing_key_for_openai_names_the_variable_and_the_alternatives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    llm = LLM(LLMSettings.resolve())
    with pytest.raises(ConfigError) as caught:
        asyncio.run(llm.create(Claims, prompt=PROMPT, variables=variables()))
    message = str(caught.value)  # the library names its keywords ...
    for needed in ("api_key=", "base_url=", "replay=", "model='builtin'"):
        assert needed in message
    assert "--" not in message and "\n" not in message
    spelled = caught.value.spelled(flag_spelling)  # ... the command line its flags
    for needed in ("OPENAI_API_KEY", "--base-url", "--replay", "-m builtin"):
        assert needed in spelled


async def test_a_local_server_needs_no_key() -> None:
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(api_key=None)) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated


def test_settings_precedence_arguments_env_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MODEL", "env-model")
    monkeypatch.setenv("SUMMARIZER_CONCURRENCY", "3")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-0000000000")
    monkeypatch.delenv("SUMMARIZER_MODE", raising=False)
    settings = LLMSettings.resolve(model="arg-model", concurrency=None)
    assert settings.model == "arg-model" and settings.concurrency == 3
    assert settings.mode is None and settings.temperature == 0.0
    assert "sk-secret" not in repr(settings)


def test_retry_limits_and_temperature_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUMMARIZER_TEMPERATURE", "0.3")
    monkeypatch.setenv("SUMMARIZER_MAX_REASKS", "0")
    monkeypatch.setenv("SUMMARIZER_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("SUMMARIZER_MAX_RETRY_TIME", "9.5")
    settings = LLMSettings.resolve(http_attempts=4)
    assert (settings.temperature, settings.max_reasks) == (0.3, 0)
    assert (settings.http_attempts, settings.max_retry_time_s) == (4, 9.5)


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("SUMMARIZER_CONCURRENCY", "many"),
        ("SUMMARIZER_MODE", "xml"),
        ("SUMMARIZER_TIMEOUT", "soon"),
        ("SUMMARIZER_PRICES", "{bad json"),
        ("SUMMARIZER_TEMPERATURE", "warm"),
        ("SUMMARIZER_HTTP_ATTEMPTS", "0"),
    ],
)
def test_bad_environment_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=var):
        LLMSettings.resolve()


def test_prices_table_overrides_and_unknown_models() -> None:
    assert price_for("gpt-4o-mini-2024-07-18") == price_for("gpt-4o-mini") == (0.15, 0.60)
    assert price_for("gpt-4o-2024-08-06") == (2.50, 10.00)
    assert price_for("llama3.1:8b") is None
    assert price_for("llama3.1:8b", {"llama3.1:8b": (0.0, 0.0)}) == (0.0, 0.0)
    assert estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert estimate_cost("mystery", 10, 10) is None


async def test_unknown_model_cost_is_none_and_said_so() -> None:
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(model="local-llama")) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.usage.cost_usd is None and llm.usage.cost_usd is None
    assert any("no price known for model 'local-llama'" in w for w in llm.warnings)


async def test_cost_uses_the_table_and_user_prices() -> None:
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(model="house", prices={"house": (1.0, 2.0)})) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    u = response.usage
    assert u.cost_usd == pytest.approx((u.prompt_tokens * 1.0 + u.completion_tokens * 2.0) / 1e6)


async def test_one_concurrency_limit_is_shared_by_all_calls() -> None:
    with FakeOpenAI(good, latency_s=0.05) as server:
        async with LLM(server.settings(concurrency=3)) as llm:
            responses = await asyncio.gather(
                *(
                    llm.create(Claims, prompt=PROMPT, variables=variables(source_id=str(i)))
                    for i in range(12)
                )
            )
    assert server.max_in_flight == 3
    assert sum((r.usage for r in responses), Usage()) == llm.usage
    assert llm.usage.requests == 12 and llm.usage.attempts == 12


def test_importing_the_package_does_not_import_openai_or_instructor() -> None:
    code = (
        "import sys, summarizer, summarizer.core.settings, summarizer.core.errors;"
        "heavy = [m for m in ('openai', 'instructor', 'vcr') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------- priorities


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Let other tasks run until ``condition`` holds; they do no I/O on the way there, so
    a bounded number of event-loop turns is enough (no clock involved)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never reached: {what}")


async def test_waiting_second_round_calls_reach_the_server_first_fifo_within_a_priority() -> None:
    calls = [
        ("e1", FIRST_ROUND),
        ("e2", FIRST_ROUND),
        ("w1", SECOND_ROUND),
        ("e3", FIRST_ROUND),
        ("w2", SECOND_ROUND),
        ("e4", FIRST_ROUND),
    ]
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(concurrency=1)) as llm:
            await llm.limit.acquire()  # the test holds the only slot: every call must queue
            tasks = [
                asyncio.create_task(
                    llm.create(
                        Claims, prompt=PROMPT, variables=variables(source_id=name), priority=p
                    )
                )
                for name, p in calls
            ]
            await _until(lambda: llm.limit.waiting == len(calls), "all calls waiting")
            assert server.request_count == 0
            llm.limit.release()
            responses = await asyncio.gather(*tasks)
    assert [r.article_id for r in server.requests] == ["w1", "w2", "e1", "e2", "e3", "e4"]
    assert all(r.validated for r in responses)
    assert server.max_in_flight == 1


async def test_priority_does_not_reorder_calls_while_slots_are_free() -> None:
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(concurrency=4)) as llm:
            await asyncio.gather(
                *(
                    llm.create(
                        Claims, prompt=PROMPT, variables=variables(source_id=f"s{i}"), priority=i
                    )
                    for i in range(3)
                )
            )
            assert llm.limit.in_use == 0 and llm.limit.waiting == 0
    assert sorted(r.article_id or "" for r in server.requests) == ["s0", "s1", "s2"]


async def _serve_in_order(limit: PriorityLimit, names: dict[str, int]) -> list[str]:
    """Queue one waiter per name (with its priority) behind a held slot; return the order
    in which they get the slot."""
    order: list[str] = []

    async def one(name: str, priority: int) -> None:
        async with limit.slot(priority):
            order.append(name)
            await asyncio.sleep(0)

    await limit.acquire()
    tasks = [asyncio.create_task(one(n, p)) for n, p in names.items()]
    await _until(lambda: limit.waiting == len(names), "all waiting")
    limit.release()
    await asyncio.gather(*tasks)
    assert limit.in_use == 0
    return order


async def test_priority_limit_serves_higher_priority_first_and_fifo_within_one() -> None:
    order = await _serve_in_order(
        PriorityLimit(1), {"a": 0, "b": 0, "c": 1, "d": 0, "e": 1, "f": 2}
    )
    assert order == ["f", "c", "e", "a", "b", "d"]


async def test_priority_limit_bounds_how_often_a_waiter_is_overtaken() -> None:
    """No starvation: with ``overtake=2`` a waiter lets at most two later arrivals of the
    next priority go before it, however many keep coming."""
    names = {"low": 0, **{f"h{i}": 1 for i in range(1, 7)}}
    order = await _serve_in_order(PriorityLimit(1, overtake=2), names)
    assert order == ["h1", "low", "h2", "h3", "h4", "h5", "h6"]
    # Two steps of priority buy twice the overtaking.
    order = await _serve_in_order(
        PriorityLimit(1, overtake=2), {"low": 0, "x": 0, "y": 0, "top": 2}
    )
    assert order == ["top", "low", "x", "y"]


async def test_priority_limit_survives_cancelled_waiters_without_losing_slots() -> None:
    limit = PriorityLimit(1)
    await limit.acquire()
    waiting = [asyncio.create_task(limit.acquire(p)) for p in (0, 1, 0)]
    await _until(lambda: limit.waiting == 3, "three waiting")
    waiting[1].cancel()  # cancelled while waiting: must not take the slot
    await asyncio.gather(waiting[1], return_exceptions=True)
    assert limit.waiting == 2
    limit.release()  # handed to waiting[0] ...
    waiting[0].cancel()  # ... which is cancelled before it runs: the slot passes on
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError) and results[2] is None
    assert limit.in_use == 1 and limit.waiting == 0
    limit.release()
    assert limit.in_use == 0


async def test_priority_limit_hands_a_freed_slot_to_the_queue_not_to_a_newcomer() -> None:
    limit = PriorityLimit(1)
    await limit.acquire()
    queued = asyncio.create_task(limit.acquire(0))
    await _until(lambda: limit.waiting == 1, "one waiting")
    limit.release()
    newcomer = asyncio.create_task(limit.acquire(5))
    await queued
    await _until(lambda: limit.waiting == 1, "the newcomer waits")
    assert not newcomer.done() and limit.in_use == 1
    limit.release()
    await newcomer
    limit.release()
    assert limit.in_use == 0


# ---------------------------------------------------------------------- prepared requests


@pytest.mark.parametrize("mode", ["tools", "json_schema", "md_json"])
async def test_requests_equal_what_instructors_own_wrapper_sends(mode: str) -> None:
    """The request prepared once per (model, mode, prompt) and rendered per call is the
    request instructor's ``patch`` wrapper builds on every call, byte for byte in JSON."""
    import instructor
    import openai

    from summarizer.llm.request import instructor_mode

    articles = ["{% raw %} and {{ unknown }} stay literal. " + ARTICLE, ARTICLE[:400]]
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(mode=mode)) as llm:
            for article in articles:
                await llm.create(Claims, prompt=PROMPT, variables=variables(article))
        raw = openai.AsyncOpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
        client = instructor.from_openai(raw, mode=instructor_mode(mode))
        for article in articles:
            await client.chat.completions.create(
                response_model=Claims,
                messages=PROMPT.render_messages(),  # type: ignore[arg-type]
                context=variables(article),
                model=llm.settings.model,
                temperature=llm.settings.temperature,
                max_retries=0,
                strict=False,
            )
        await raw.close()
    ours, theirs = server.requests[:2], server.requests[2:]
    assert [r.body for r in ours] == [r.body for r in theirs]
    assert [r.article for r in ours] == articles


async def test_cache_key_schema_is_generated_once_per_model(tmp_path: Path) -> None:
    from summarizer.llm.request import json_schema as _json_schema

    _json_schema.cache_clear()
    with FakeOpenAI(good) as server:
        async with LLM(server.settings(cache=True, cache_dir=tmp_path)) as llm:
            for i in range(3):
                await llm.create(Claims, prompt=PROMPT, variables=variables(source_id=f"s{i}"))
            again = await llm.create(Claims, prompt=PROMPT, variables=variables(source_id="s0"))
    info = _json_schema.cache_info()
    assert info.misses == 1 and info.hits == 3
    assert again.cached and server.request_count == 3


# ---------------------------------------------------------------------- instructor paths


async def test_the_path_under_test_is_the_one_taken(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run of the suite's LLM tests really goes the way its parameter says."""
    path = request.getfixturevalue("instructor_path")
    taken: list[str] = []
    shortcut = fastpath.retry

    async def counting(*args: Any, **kwargs: Any) -> Any:
        taken.append("fast")
        return await shortcut(*args, **kwargs)

    monkeypatch.setattr(fastpath, "retry", counting)
    with FakeOpenAI(good) as server:
        async with LLM(server.settings()) as llm:
            response = await llm.create(Claims, prompt=PROMPT, variables=variables())
    assert response.validated
    assert taken == (["fast"] if path == "fast" else [])


def test_the_shortcut_is_only_taken_on_verified_instructor_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, last = fastpath.VERIFIED
    assert fastpath.supported(f"{first[0]}.{first[1]}.0")
    assert fastpath.supported(f"{first[0]}.{first[1]}.9rc1")
    assert not fastpath.supported(f"{last[0]}.{last[1]}.0")
    assert not fastpath.supported("2.0.0") and not fastpath.supported("1.16.2")
    assert not fastpath.supported("not-a-version")
    monkeypatch.setattr(fastpath, "enabled", True)
    monkeypatch.setattr(fastpath, "_SUPPORTED", False)
    assert not fastpath.active()
