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
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

# Imported for its effect: it registers the renderers behind SummaryResult.to_markdown/to_html.
import summarizer.render  # noqa: F401
from summarizer.core.aio import yield_to_io
from summarizer.core.errors import ConfigError, LLMError, setting
from summarizer.core.events import ExtractionReport, SourceEvent, SourceFailure
from summarizer.core.options import RunOptions, split_overrides
from summarizer.core.results import SummaryResult
from summarizer.core.settings import LLMSettings
from summarizer.core.source import Source
from summarizer.core.types import Usage
from summarizer.extract.builtin.extractor import builtin_events
from summarizer.extract.with_llm import extract_source
from summarizer.merge.merger import merge_events
from summarizer.sources.load import load_sources
from summarizer.write.cite import assemble_result
from summarizer.write.writer import write_extractive, write_with_llm

if TYPE_CHECKING:
    from summarizer.llm.client import LLM

__all__ = [
    "BUILTIN",
    "Builtin",
    "Engine",
    "LLMSettings",
    "NothingProducedError",
    "Progress",
    "RunOptions",
    "extract_async",
    "extract_events",
    "open_engine",
    "resolve_run",
    "summarize",
    "summarize_async",
    "summarize_events",
    "summarize_sources",
]

#: Called as ``progress(stage, done, total)``; the CLI draws it, libraries may ignore it.
Progress = Callable[[str, int, int], None]

#: The model name that selects the built-in extractor (``-m builtin``).
BUILTIN = "builtin"
#: Read by library users and on the command line alike, so it names neither flags nor
#: keywords: what is missing, and what was chosen instead.
BUILTIN_NOTICE = (
    "no API key (OPENAI_API_KEY), base URL or replay file configured: using the built-in "
    'extractor (model "builtin"); configure a key or a server for LLM summaries'
)
T = TypeVar("T")


class NothingProducedError(LLMError):
    """Every source failed: there is nothing to summarise (CLI exit code 3)."""


class Builtin:
    """The extractor engine that calls no model: rules over the text, offline, deterministic.

    It has the parts of ``LLM`` the pipeline reads (``warnings``, ``usage``, an async
    context), so the stages ask "which engine?" once, by type, instead of testing for a
    missing LLM. ``notice`` says why it was chosen when nobody asked for it by name.
    """

    model = BUILTIN

    def __init__(self, notice: str | None = None) -> None:
        self.notice = notice
        self.warnings: list[str] = []
        self.usage = Usage()

    @property
    def notices(self) -> list[str]:
        return [self.notice] if self.notice else []

    async def __aenter__(self) -> Builtin:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        return "Builtin()" if self.notice is None else "Builtin(chosen by default)"


#: What extracts (and may write): the built-in rules, or a language model.
Engine: TypeAlias = "Builtin | LLM"


def chooses_builtin(settings: LLMSettings) -> bool:
    """Whether :func:`open_engine` picks the built-in extractor for ``settings``.

    For callers that must decide before opening anything, such as a driver that only
    hands settings to workers which open their own engine.
    """
    return settings.model == BUILTIN or (
        settings.model_is_default and not settings.names_a_model_server
    )


def open_engine(settings: LLMSettings) -> Engine:
    """The one place that chooses the extractor: built-in or an LLM (not opened yet).

    ``-m builtin`` names the built-in extractor. With no model named anywhere and no key,
    server or replay file configured, it is chosen too, with a notice saying so; a model
    named explicitly without a key goes to the LLM, which fails with one line saying what
    is missing rather than quietly summarising with something else. Use the result as
    ``async with open_engine(settings) as engine:``.
    """
    if chooses_builtin(settings):
        return Builtin(notice=None if settings.model == BUILTIN else BUILTIN_NOTICE)
    # The llm package is what loads openai and instructor (seconds of start-up); like those
    # heavy third-party imports it is only imported when an LLM is really used.
    from summarizer.llm.client import LLM

    return LLM(settings)


def notices(engine: Engine) -> list[str]:
    """Configuration notices of an engine (why the built-in extractor was chosen)."""
    return engine.notices if isinstance(engine, Builtin) else []


def resolve_run(
    function: str,
    settings: LLMSettings | None,
    options: RunOptions | None,
    overrides: dict[str, Any],
) -> tuple[LLMSettings, RunOptions]:
    """Settings and options of one call: given objects, keyword overrides, environment.

    Each keyword is checked against the declared fields of both declarations (an unknown
    one is a ``TypeError`` naming it). Without an object, the declaration resolves itself
    from the keywords, then the environment, then its defaults; with one, the keywords that
    are not None replace its fields.
    """
    llm_part, run_part = split_overrides(function, overrides, LLMSettings, RunOptions)
    return _apply(LLMSettings, settings, llm_part), _apply(RunOptions, options, run_part)


def _apply(cls: Any, given: Any, overrides: dict[str, Any]) -> Any:
    if given is None:
        return cls.resolve(**overrides)
    changes = {key: value for key, value in overrides.items() if value is not None}
    return given.with_(**changes) if changes else given


async def extract_events(
    sources: Sequence[Source],
    engine: Engine,
    options: RunOptions | None = None,
    *,
    progress: Progress | None = None,
) -> tuple[list[SourceEvent], list[SourceFailure]]:
    """Stage 1: one grounded event per source, all sources concurrently."""
    if isinstance(engine, Builtin):
        return builtin_events(sources), []
    options = options or RunOptions()
    llm = engine
    done = 0

    async def one(source: Source) -> SourceEvent | SourceFailure:
        nonlocal done
        try:
            return await extract_source(source, llm, chunk_chars=options.chunk_chars)
        except LLMError as error:
            return SourceFailure(
                source_id=source.id,
                stage="extract",
                reason=str(error),
                usage=error.usage or Usage(),
            )
        finally:
            done += 1
            if progress:
                progress("extract", done, len(sources))

    outcomes = await asyncio.gather(*(one(source) for source in sources))
    events = [o for o in outcomes if isinstance(o, SourceEvent)]
    failures = [o for o in outcomes if isinstance(o, SourceFailure)]
    return events, failures


async def summarize_sources(
    sources: Sequence[Source],
    *,
    engine: Engine,
    options: RunOptions | None = None,
    warnings: Sequence[str] = (),
    config_warnings: Sequence[str] = (),
    failures: Sequence[SourceFailure] = (),
    progress: Progress | None = None,
) -> SummaryResult:
    """Summarise already-loaded sources with an opened engine: the entry point for a cluster.

    Batch runs (and their Ray workers) call this with one shared ``LLM`` so that every call
    of the run goes through the same concurrency limit, retry policy, cache and usage
    counter. ``failures`` are inputs that failed before extraction (a dead URL).
    """
    options = options or RunOptions()
    events, extract_failures = await extract_events(sources, engine, options, progress=progress)
    return await summarize_events(
        events,
        [*failures, *extract_failures],
        sources,
        engine=engine,
        options=options,
        warnings=warnings,
        config_warnings=config_warnings,
        progress=progress,
    )


async def summarize_events(
    events: Sequence[SourceEvent],
    failures: Sequence[SourceFailure],
    sources: Sequence[Source],
    *,
    engine: Engine,
    options: RunOptions | None = None,
    warnings: Sequence[str] = (),
    config_warnings: Sequence[str] = (),
    progress: Progress | None = None,
) -> SummaryResult:
    """Stages 2 to 4 on grounded events: merge, write, cite.

    Separate from extraction so that events obtained another way (the Batch API's results
    file, with the ``Builtin`` engine because no model is called any more) go through
    exactly the same merge, writer fallback and checks.

    ``warnings`` are about the news (repeated text removed, a source failed) and appear in
    the reports' notes; ``config_warnings`` are about how the run was set up (why the
    built-in extractor was chosen) and, like the engine's own warnings (mode fallbacks,
    unknown prices, cache trouble), go only to the result's ``warnings`` and stderr.
    """
    options = options or RunOptions()
    run_warnings = list(warnings)
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

    # Merging, and below assembling, are CPU-heavy steps on a loop that may be carrying
    # other clusters' model calls: let the answers that have arrived go first.
    await yield_to_io()
    merged = merge_events(events, sources)
    written = None
    failed_writer_usage = Usage()
    if isinstance(engine, Builtin):
        if options.writer == "llm":
            raise ConfigError(
                f"{setting('writer', 'llm')} needs a model; the built-in extractor has none"
            )
        writer, model = "extractive", events[0].extractor
    else:
        writer, model = options.writer or "llm", engine.settings.model
    if writer == "llm" and not isinstance(engine, Builtin):
        try:
            written = await write_with_llm(merged, engine, max_sentences=options.max_sentences)
        except LLMError as error:
            run_warnings.append(f"LLM writer failed ({error}); used the extractive writer")
            writer = "extractive"
            failed_writer_usage = error.usage or Usage()
    if written is None:
        written = write_extractive(
            merged,
            max_sentences=options.max_sentences,
            max_words=options.max_words,
            sources=sources,
        )
    if progress:
        progress("write", 1, 1)

    usage = (
        sum((event.usage for event in events), Usage())
        + sum((failure.usage for failure in failures), Usage())
        + written.usage
        + failed_writer_usage
    )
    await yield_to_io()
    return assemble_result(
        merged=merged,
        written=written,
        sources=sources,
        events=events,
        failures=failures,
        warnings=[*config_warnings, *run_warnings, *engine.warnings],
        config_warnings=[*config_warnings, *engine.warnings],
        model=model,
        writer=writer,
        usage=usage,
    )


Inputs = Sequence[str | Path | Source] | str | Path


async def summarize_async(
    sources: Inputs,
    *,
    settings: LLMSettings | None = None,
    options: RunOptions | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> SummaryResult:
    """Load ``sources`` (paths, URLs, ``-``, article strings or ``Source`` objects) and summarise.

    Every field of ``LLMSettings`` and ``RunOptions`` is also a keyword (``model=``,
    ``base_url=``, ``replay=``, ``cache=``, ``max_words=``, ...) that overrides ``settings``
    / ``options``, or the environment when they are not given. With no model, key, base
    URL or replay file configured, the built-in extractor is used and a notice says so.
    """
    split_overrides("summarize_async", overrides, LLMSettings, RunOptions)
    loaded = load_sources(_as_list(sources))  # bad input fails before any setting is read
    settings, options = resolve_run("summarize_async", settings, options, overrides)
    async with open_engine(settings) as engine:
        return await summarize_sources(
            loaded.sources,
            engine=engine,
            options=options,
            warnings=loaded.warnings,
            config_warnings=notices(engine),
            failures=loaded.failures,
            progress=progress,
        )


async def extract_async(
    sources: Inputs,
    *,
    settings: LLMSettings | None = None,
    options: RunOptions | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> ExtractionReport:
    """Stage 1 alone: the grounded per-source events (``summarizer extract``)."""
    split_overrides("extract_async", overrides, LLMSettings, RunOptions)
    loaded = load_sources(_as_list(sources))  # bad input fails before any setting is read
    settings, options = resolve_run("extract_async", settings, options, overrides)
    async with open_engine(settings) as engine:
        events, failures = await extract_events(loaded.sources, engine, options, progress=progress)
        return ExtractionReport(
            events=events,
            failures=[*loaded.failures, *failures],
            warnings=[*notices(engine), *loaded.warnings, *engine.warnings],
            usage=engine.usage,
        )


def summarize(
    sources: Inputs,
    *,
    settings: LLMSettings | None = None,
    options: RunOptions | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> SummaryResult:
    """Synchronous twin of ``summarize_async`` (same keywords)."""
    # Checked here, not only in the coroutine, so a typo fails before a loop or thread starts.
    split_overrides("summarize", overrides, LLMSettings, RunOptions)
    return _run_sync(
        summarize_async(sources, settings=settings, options=options, progress=progress, **overrides)
    )


def _as_list(sources: Inputs) -> list[str | Path | Source]:
    return [sources] if isinstance(sources, (str, Path)) else list(sources)


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
