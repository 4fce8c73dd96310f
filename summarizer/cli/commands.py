"""The bodies of ``summarize``, ``extract`` and ``render``, and the dispatch of every command.

Each command resolves its declarations from the parsed flags (then the environment, then
the defaults: ``cli.options.resolved``) and calls the library, so the command line and
``summarize()`` cannot disagree about an option. Errors the user can cause are
``SummarizerError``s; :func:`run` prints their one line and returns their exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

from pydantic import ValidationError

from summarizer.cli.batch import cmd_batch_collect, cmd_batch_prepare, cmd_batch_run
from summarizer.cli.eval import cmd_eval
from summarizer.cli.options import RenderFormat, SummaryFormat, flag_spelling, resolved
from summarizer.cli.output import notice, stage_progress, usage_line, write_output
from summarizer.core.errors import BadInputError, SummarizerError
from summarizer.core.options import RunOptions
from summarizer.core.results import SummaryResult
from summarizer.core.settings import LLMSettings
from summarizer.pipeline import extract_async, summarize_async

EXIT_OK, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 130


def _render(result: SummaryResult, fmt: str) -> str:
    if fmt == "md":
        return result.to_markdown()
    if fmt == "html":
        return result.to_html()
    return result.model_dump_json(indent=2)


def cmd_summarize(args: argparse.Namespace) -> int:
    settings, options = resolved(args, LLMSettings), resolved(args, RunOptions)
    with stage_progress(args) as progress:
        result = asyncio.run(
            summarize_async(args.paths, settings=settings, options=options, progress=progress)
        )
    for warning in result.warnings:
        notice(args, warning)
    write_output(args, _render(result, resolved(args, SummaryFormat).format))
    if result.usage.requests:
        notice(args, usage_line(result.usage))
    return EXIT_PARTIAL if result.failures else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    settings, options = resolved(args, LLMSettings), resolved(args, RunOptions)
    report = asyncio.run(extract_async(args.paths, settings=settings, options=options))
    for warning in report.warnings:
        notice(args, warning)
    write_output(args, report.model_dump_json(indent=2))
    return EXIT_PARTIAL if report.failures else EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    try:
        result = SummaryResult.model_validate_json(args.result.read_bytes())
    except FileNotFoundError:
        raise BadInputError(str(args.result), "no such file") from None
    except ValidationError as error:
        raise BadInputError(
            str(args.result), f"not a summarizer result ({error.error_count()} problem(s))"
        ) from None
    write_output(args, _render(result, resolved(args, RenderFormat).format))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "summarize": cmd_summarize,
    "extract": cmd_extract,
    "render": cmd_render,
    "eval": cmd_eval,
    "batch run": cmd_batch_run,
    "batch prepare": cmd_batch_prepare,
    "batch collect": cmd_batch_collect,
}


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; expected failures are one line on stderr and an exit code."""
    name = args.command
    if name == "batch":
        name = f"batch {args.batch_command}"
    try:
        return COMMANDS[name](args)
    except SummarizerError as error:
        print(f"summarizer: error: {error.spelled(flag_spelling)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("summarizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
