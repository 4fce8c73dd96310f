"""The ``summarizer`` command line: a thin layer over the library.

Only results go to stdout (or ``-o``); notices, progress, usage and cost go to stderr.
Heavy modules (openai, instructor, trafilatura, rich) are imported inside the command
that needs them so ``summarizer --help`` starts fast.

Exit codes: 0 complete · 1 partial (some source failed; the summary covers the rest) ·
2 bad input or usage · 3 nothing could be produced (model/API failure) · 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.core.results import SummaryResult
    from summarizer.pipeline import Progress

EXIT_OK, EXIT_PARTIAL, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
#: Same value as ``extract.DEFAULT_CHUNK_CHARS``; not imported from there, which would load
#: pydantic and the schema before argument parsing.
DEFAULT_CHUNK_CHARS = 12_000


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("summarizer")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def add_llm_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "-m",
        "--model",
        help="model name, or 'builtin' for the no-LLM extractor "
        "(default: $SUMMARIZER_MODEL, else gpt-4o-mini when a key or server is set, else builtin)",
    )
    group.add_argument(
        "--base-url", help="OpenAI-compatible server URL (default: $OPENAI_BASE_URL)"
    )
    group.add_argument(
        "--mode",
        choices=["tools", "json_schema", "md_json"],
        help="how structured output is requested (default: tools; see README for servers)",
    )
    group.add_argument("--concurrency", type=int, help="max LLM calls in flight (default 8)")
    group.add_argument("--timeout", type=float, dest="timeout_s", help="seconds per request")
    group.add_argument("--max-reasks", type=int, help="validation re-asks per call (default 2)")
    group.add_argument(
        "--http-attempts",
        type=int,
        help="attempts per request on 429/5xx/timeouts/dropped connections (default 5)",
    )
    group.add_argument("--temperature", type=float, help="sampling temperature (default 0)")
    group.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    group.add_argument("--cache-dir", type=Path, help="cache directory (default: user cache dir)")
    recording = group.add_mutually_exclusive_group()
    recording.add_argument("--record", type=Path, metavar="PATH", help="record HTTP exchanges")
    recording.add_argument(
        "--replay", type=Path, metavar="PATH", help="replay recorded exchanges; no network"
    )


def _add_chunk_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--chunk-chars",
        type=int,
        default=DEFAULT_CHUNK_CHARS,
        help="split longer sources at sentence boundaries into chunks of this many "
        f"characters, extracted in parallel (default {DEFAULT_CHUNK_CHARS:,})",
    )


def _add_output_options(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument("-o", "--output", type=Path, help="write the result here, not stdout")
    if len(formats) > 1:
        parser.add_argument("-f", "--format", choices=formats, default=formats[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="no notices or progress")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarizer",
        description="Summaries of several news articles in which every sentence cites its sources.",
        epilog="Exit codes: 0 complete, 1 partial, 2 bad input or usage, 3 nothing produced.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summarize = commands.add_parser(
        "summarize",
        help="summarise sources about one event",
        description="Summarise sources "
        "(files, folders, URLs, '-' for stdin, a Multi-News document or a one-cluster JSONL).",
    )
    summarize.add_argument("paths", nargs="+", metavar="PATH")
    add_llm_options(summarize)
    _add_chunk_option(summarize)
    summarize.add_argument("--writer", choices=["llm", "extractive"])
    summarize.add_argument("--max-sentences", type=int, default=10)
    summarize.add_argument("--max-words", type=int, help="word budget of the extractive writer")
    _add_output_options(summarize, ["json", "md", "html"])

    extract = commands.add_parser("extract", help="print the grounded per-source events as JSON")
    extract.add_argument("paths", nargs="+", metavar="PATH")
    add_llm_options(extract)
    _add_chunk_option(extract)
    _add_output_options(extract, ["json"])

    render = commands.add_parser("render", help="render a saved result JSON as Markdown or HTML")
    render.add_argument("result", type=Path, metavar="RESULT.json")
    _add_output_options(render, ["md", "html", "json"])

    evaluate = commands.add_parser(
        "eval", help="score summaries against references or 5W1H gold (ROUGE, citations)"
    )
    evaluate.add_argument("data", type=Path, metavar="DATA.jsonl")
    evaluate.add_argument("--limit", type=int, help="only the first N clusters")
    evaluate.add_argument("--max-words", type=int, help="word budget of the extractive writer")
    add_llm_options(evaluate)
    _add_output_options(evaluate, ["json"])

    from summarizer.cli.batch import add_batch_commands

    add_batch_commands(commands)
    return parser


def llm_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "base_url": args.base_url,
        "mode": args.mode,
        "concurrency": args.concurrency,
        "timeout_s": args.timeout_s,
        "max_reasks": args.max_reasks,
        "http_attempts": args.http_attempts,
        "temperature": args.temperature,
        "record": args.record,
        "replay": args.replay,
        "cache": not args.no_cache,
        "cache_dir": args.cache_dir,
    }


def _notice(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"summarizer: {message}", file=sys.stderr)


def _write_output(args: argparse.Namespace, text: str) -> None:
    """Write to ``-o`` atomically (a crash never leaves half a file) or to stdout."""
    if not text.endswith("\n"):
        text += "\n"
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target: Path = args.output
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as error:
        from summarizer.core.errors import SummarizerError

        temporary.unlink(missing_ok=True)
        raise SummarizerError(f"{target}: cannot write ({error.strerror})") from None
    _notice(args, f"wrote {target}")


@contextlib.contextmanager
def _progress(args: argparse.Namespace) -> Iterator[Progress | None]:
    """A rich progress display on stderr, only when stderr is a terminal."""
    if args.quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    with RichProgress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _usage_line(usage: Any) -> str:
    cost = "unknown cost" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
    return (
        f"{usage.requests} request(s), {usage.attempts} attempt(s), {usage.cached} cached, "
        f"{usage.prompt_tokens}+{usage.completion_tokens} tokens, {cost}"
    )


def _render(result: SummaryResult, fmt: str) -> str:
    if fmt == "md":
        return result.to_markdown()
    if fmt == "html":
        return result.to_html()
    return result.model_dump_json(indent=2)


def cmd_summarize(args: argparse.Namespace) -> int:
    from summarizer.pipeline import summarize_async

    with _progress(args) as progress:
        result = asyncio.run(
            summarize_async(
                args.paths,
                model=args.model,
                writer=args.writer,
                max_sentences=args.max_sentences,
                max_words=args.max_words,
                chunk_chars=args.chunk_chars,
                progress=progress,
                **llm_overrides(args),
            )
        )
    for warning in result.warnings:
        _notice(args, warning)
    _write_output(args, _render(result, args.format))
    if result.usage.requests:
        _notice(args, _usage_line(result.usage))
    return EXIT_PARTIAL if result.failures else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from summarizer.pipeline import extract_async

    report = asyncio.run(
        extract_async(
            args.paths, model=args.model, chunk_chars=args.chunk_chars, **llm_overrides(args)
        )
    )
    for notice in report.warnings:
        _notice(args, notice)
    _write_output(args, report.model_dump_json(indent=2))
    return EXIT_PARTIAL if report.failures else EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    import summarizer.render  # noqa: F401  (registers SummaryResult's Markdown and HTML renderers)
    from summarizer.core.errors import BadInputError
    from summarizer.core.results import SummaryResult

    try:
        result = SummaryResult.model_validate_json(args.result.read_bytes())
    except FileNotFoundError:
        raise BadInputError(str(args.result), "no such file") from None
    except ValidationError as error:
        raise BadInputError(
            str(args.result), f"not a summarizer result ({error.error_count()} problem(s))"
        ) from None
    _write_output(args, _render(result, args.format))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from summarizer.eval.evaluate import main_eval

    return main_eval(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "summarize": cmd_summarize,
    "extract": cmd_extract,
    "render": cmd_render,
    "eval": cmd_eval,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # After parsing: the errors module loads pydantic (LLMError carries a Usage), which
    # would double the time ``summarizer --help`` takes.
    from summarizer.core.errors import SummarizerError

    try:
        command = getattr(args, "func", None) or COMMANDS[args.command]
        return command(args)
    except SummarizerError as error:
        print(f"summarizer: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("summarizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
