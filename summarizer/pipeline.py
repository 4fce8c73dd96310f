"""The whole flow, top to bottom: load → extract → merge → write → cite.

Two LLM rounds on the critical path whatever the number of sources (all extractions run
concurrently, then one writer call); one round with the extractive writer; none with the
built-in extractor. A source that fails is reported by id in ``failures`` and the summary
is built from the rest (guarantee 3); only when nothing at all could be extracted does the
run raise ``NothingProducedError``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

# Imported for its effect: it registers the renderers behind SummaryResult.to_markdown/to_html.
import summarizer.render  # noqa: F401
from summarizer.core.errors import ConfigError, LLMError
from summarizer.core.events import ExtractionReport, SourceEvent, SourceFailure
from summarizer.core.types import Usage
from summarizer.extract.with_llm import DEFAULT_CHUNK_CHARS

if TYPE_CHECKING:
    from summarizer.core.results import SummaryResult
    from summarizer.core.source import Source
    from summarizer.llm.client import LLM, LLMSettings
    from summarizer.sources.load import LoadedSources

Writer = Literal["llm", "extractive"]
#: Called as ``progress(stage, done, total)``; the CLI draws it, libraries may ignore it.
Progress = Callable[[str, int, int], None]

BUILTIN = "builtin"
T = TypeVar("T")


class NothingProducedError(LLMError):
    """Every source failed: there is nothing to summarise (CLI exit code 3)."""


@dataclass(frozen=True)
class RunOptions:
    """Options of one run that are not about talking to the model."""

    writer: Writer | None = None  # None: "llm" with a model, "extractive" with builtin
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    max_sentences: int = 10
    max_words: int | None = None
    progress: Progress | None = None
    notices: list[str] = field(default_factory=list)


def _env_has_llm(settings_overrides: dict[str, Any]) -> bool:
    return any(
        settings_overrides.get(name) is not None for name in ("api_key", "base_url", "replay")
    ) or bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))


def choose_model(model: str | None, **settings_overrides: Any) -> tuple[str | None, str | None]:
    """Pick the built-in extractor when no LLM is configured; return (model, notice)."""
    model = model or os.environ.get("SUMMARIZER_MODEL") or None
    if model == BUILTIN:
        return BUILTIN, None
    if model is None and not _env_has_llm(settings_overrides):
        return BUILTIN, (
            "no OPENAI_API_KEY, --base-url or --replay given: using the built-in extractor "
            "(-m builtin); set a key or a server for LLM summaries"
        )
    return model, None


async def extract_events(
    sources: Sequence[Source], llm: LLM | None, options: RunOptions
) -> tuple[list[SourceEvent], list[SourceFailure]]:
    """Stage 1: one grounded event per source, all sources concurrently."""
    if llm is None:
        from summarizer.extract.builtin.extractor import builtin_events

        return builtin_events(sources), []

    from summarizer.extract.with_llm import extract_source

    done = 0

    async def one(source: Source) -> SourceEvent | SourceFailure:
        nonlocal done
        try:
            return await extract_source(source, llm, chunk_chars=options.chunk_chars)
        except LLMError as error:
            return SourceFailure(
                source_id=source.id, stage="extract", reason=str(error), usage=error.usage
            )
        finally:
            done += 1
            if options.progress:
                options.progress("extract", done, len(sources))

    outcomes = await asyncio.gather(*(one(source) for source in sources))
    events = [o for o in outcomes if isinstance(o, SourceEvent)]
    failures = [o for o in outcomes if isinstance(o, SourceFailure)]
    return events, failures


async def summarize_sources(
    sources: Sequence[Source],
    *,
    llm: LLM | None,
    options: RunOptions | None = None,
    warnings: Sequence[str] = (),
) -> SummaryResult:
    """Summarise already-loaded sources with a given LLM (``None``: built-in extractor).

    Batch runs call this with one shared ``LLM`` so that every call of the run goes
    through the same concurrency limit, retry policy, cache and usage counter.
    """
    options = options or RunOptions()
    events, failures = await extract_events(sources, llm, options)
    return await summarize_events(
        events, failures, sources, llm=llm, options=options, warnings=warnings
    )


async def summarize_events(
    events: Sequence[SourceEvent],
    failures: Sequence[SourceFailure],
    sources: Sequence[Source],
    *,
    llm: LLM | None,
    options: RunOptions | None = None,
    warnings: Sequence[str] = (),
) -> SummaryResult:
    """Stages 2 to 4 on grounded events: merge, write, cite.

    Separate from extraction so that events obtained another way (the Batch API's results
    file) go through exactly the same merge, writer fallback and checks.
    """
    from summarizer.merge.merger import merge_events
    from summarizer.write.cite import assemble_result
    from summarizer.write.writer import write_extractive, write_with_llm

    options = options or RunOptions()
    run_warnings = [*options.notices, *warnings]
    if not events:
        reasons = "; ".join(f"{f.source_id}: {f.reason}" for f in failures)
        raise NothingProducedError(f"no source could be extracted ({reasons})")
    for failure in failures:
        run_warnings.append(f"source {failure.source_id} failed: {failure.reason}")
    for event in events:
        if event.diagnostics.dropped:
            run_warnings.append(
                f"source {event.source_id}: {len(event.diagnostics.dropped)} item(s) dropped "
                "because their evidence could not be grounded"
            )

    merged = merge_events(events, sources)
    writer = options.writer or ("extractive" if llm is None else "llm")
    if writer == "llm" and llm is None:
        raise ConfigError("--writer llm needs a model; the built-in extractor has none")
    written = None
    failed_writer_usage = Usage()
    if writer == "llm" and llm is not None:
        try:
            written = await write_with_llm(merged, llm, max_sentences=options.max_sentences)
        except LLMError as error:
            run_warnings.append(f"LLM writer failed ({error}); used the extractive writer")
            writer = "extractive"
            failed_writer_usage = error.usage
    if written is None:
        written = write_extractive(
            merged, max_sentences=options.max_sentences, max_words=options.max_words
        )
    if options.progress:
        options.progress("write", 1, 1)

    usage = (
        sum((event.usage for event in events), Usage())
        + sum((failure.usage for failure in failures), Usage())
        + written.usage
        + failed_writer_usage
    )
    return assemble_result(
        merged=merged,
        written=written,
        sources=sources,
        events=events,
        failures=failures,
        warnings=[*run_warnings, *(llm.warnings if llm is not None else [])],
        model=llm.settings.model if llm is not None else events[0].extractor,
        writer=writer,
        usage=usage,
    )


def llm_settings(model: str | None, **overrides: Any) -> LLMSettings:
    """Settings from explicit options first, then the environment (see ``LLMSettings``)."""
    from summarizer.llm.client import LLMSettings

    clean = {key: value for key, value in overrides.items() if value is not None}
    if model is not None:
        clean["model"] = model
    return LLMSettings.resolve(**clean)


async def summarize_async(
    sources: Sequence[str | Path | Source] | str | Path,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    writer: Writer | None = None,
    concurrency: int | None = None,
    timeout_s: float | None = None,
    max_reasks: int | None = None,
    http_attempts: int | None = None,
    temperature: float | None = None,
    record: str | Path | None = None,
    replay: str | Path | None = None,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    max_sentences: int = 10,
    max_words: int | None = None,
    progress: Progress | None = None,
) -> SummaryResult:
    """Load ``sources`` (paths, URLs, ``-``, article strings or ``Source`` objects) and summarise.

    Every option of ``summarizer summarize`` is a keyword here. With no model, key, base
    URL or replay file configured, the built-in extractor is used and a notice says so.
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    overrides: dict[str, Any] = {
        "base_url": base_url,
        "api_key": api_key,
        "mode": mode,
        "concurrency": concurrency,
        "timeout_s": timeout_s,
        "max_reasks": max_reasks,
        "http_attempts": http_attempts,
        "temperature": temperature,
        "record": Path(record) if record else None,
        "replay": Path(replay) if replay else None,
        "cache": cache,
        "cache_dir": Path(cache_dir) if cache_dir else None,
    }
    loaded, chosen, notice = _load_and_choose(sources, model, overrides)
    options = RunOptions(
        writer=writer,
        chunk_chars=chunk_chars,
        max_sentences=max_sentences,
        max_words=max_words,
        progress=progress,
        notices=[notice] if notice else [],
    )
    if chosen == BUILTIN:
        return await summarize_sources(
            loaded.sources, llm=None, options=options, warnings=loaded.warnings
        )
    from summarizer.llm.client import LLM

    async with LLM(llm_settings(chosen, **overrides)) as llm:
        return await summarize_sources(
            loaded.sources, llm=llm, options=options, warnings=loaded.warnings
        )


def _load_and_choose(
    sources: Sequence[str | Path | Source], model: str | None, overrides: dict[str, Any]
) -> tuple[LoadedSources, str | None, str | None]:
    """Load first: a bad input fails before any model is configured or called."""
    from summarizer.sources.load import load_sources

    loaded = load_sources(list(sources))
    chosen, notice = choose_model(model, **overrides)
    return loaded, chosen, notice


async def extract_async(
    sources: Sequence[str | Path | Source] | str | Path,
    *,
    model: str | None = None,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    **llm_options: Any,
) -> ExtractionReport:
    """Stage 1 alone: the grounded per-source events (``summarizer extract``)."""
    if isinstance(sources, (str, Path)):
        sources = [sources]
    loaded, chosen, notice = _load_and_choose(sources, model, llm_options)
    options = RunOptions(chunk_chars=chunk_chars)
    warnings = [*([notice] if notice else []), *loaded.warnings]
    if chosen == BUILTIN:
        events, failures = await extract_events(loaded.sources, None, options)
        return ExtractionReport(events=events, failures=failures, warnings=warnings)
    from summarizer.llm.client import LLM

    async with LLM(llm_settings(chosen, **llm_options)) as llm:
        events, failures = await extract_events(loaded.sources, llm, options)
        return ExtractionReport(
            events=events, failures=failures, warnings=[*warnings, *llm.warnings], usage=llm.usage
        )


def summarize(sources: Sequence[str | Path | Source] | str | Path, **options: Any) -> SummaryResult:
    """Synchronous twin of ``summarize_async`` (same keywords)."""
    return _run_sync(summarize_async(sources, **options))


def _run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, also from code that already runs an event loop (Jupyter, async apps).

    ``asyncio.run`` refuses to start inside a running loop; there the coroutine gets a loop
    of its own in a worker thread, so the sync API works everywhere.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
