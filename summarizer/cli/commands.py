"""The bodies of ``summarize``, ``extract`` and ``render``, and the dispatch of every command.

Each command resolves its declarations from the parsed flags (then the environment, then
the defaults: ``cli.options.resolved``) and calls the library, so the command line and
``summarize()`` cannot disagree about an option. Errors the user can cause are
``SummarizerError``s; :func:`run` prints their one line and returns their exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from summarizer.cli.batch import cmd_batch_collect, cmd_batch_prepare, cmd_batch_run
from summarizer.cli.eval import cmd_eval
from summarizer.cli.interrupt import run_async
from summarizer.cli.options import (
    RenderFormat,
    SummaryFormat,
    check_flags,
    flag_spelling,
    output_format,
    resolved,
)
from summarizer.cli.output import notice, stage_progress, usage_line, write_output
from summarizer.core.errors import BadInputError, SummarizerError
from summarizer.core.files import check_output_path
from summarizer.core.options import RunOptions
from summarizer.core.results import SummaryResult
from summarizer.core.settings import LLMSettings
from summarizer.pipeline import extract_async, summarize_async

EXIT_OK, EXIT_PARTIAL = 0, 1


def _render(result: SummaryResult, fmt: str) -> str:
    if fmt == "md":
        return result.to_markdown()
    if fmt == "html":
        return result.to_html()
    return result.model_dump_json(indent=2)


def cmd_summarize(args: argparse.Namespace) -> int:
    settings, options = resolved(args, LLMSettings), resolved(args, RunOptions)
    with stage_progress(args) as progress:
        result = run_async(
            summarize_async(args.paths, settings=settings, options=options, progress=progress)
        )
    for warning in result.warnings:
        notice(args, warning)
    write_output(args, _render(result, output_format(args, SummaryFormat)))
    if result.usage.requests:
        notice(args, usage_line(result.usage))
    return EXIT_PARTIAL if result.failures else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    settings, options = resolved(args, LLMSettings), resolved(args, RunOptions)
    report = run_async(extract_async(args.paths, settings=settings, options=options))
    for warning in report.warnings:
        notice(args, warning)
    write_output(args, report.model_dump_json(indent=2))
    return EXIT_PARTIAL if report.failures else EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    result = load_result(args.result)
    write_output(args, _render(result, output_format(args, RenderFormat)))
    return EXIT_OK


def load_result(path: Path) -> SummaryResult:
    """A saved result, or one line saying what is wrong with the file (where, which field)."""
    where = str(path)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise BadInputError(where, "no such file") from None
    except IsADirectoryError:
        raise BadInputError(where, "is a directory, not a result JSON") from None
    except OSError as error:
        raise BadInputError(where, f"cannot read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise BadInputError(where, f"is not UTF-8 JSON (byte {error.start})") from None
    except json.JSONDecodeError as error:
        problem = f"is not JSON at line {error.lineno} column {error.colno} ({error.msg})"
        raise BadInputError(where, problem) from None
    if not isinstance(data, dict):
        raise BadInputError(where, "is not a summarizer result (not a JSON object)")
    try:
        return SummaryResult.model_validate(data)
    except ValidationError as error:
        raise BadInputError(where, f"is not a summarizer result: {_first_problem(error)}") from None


def _first_problem(error: ValidationError) -> str:
    """``field.path: message`` of the first problem, and how many more there are."""
    problems = error.errors(include_url=False)
    first = problems[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{field}: {first['msg']}{more}"


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
    """Run the parsed command; expected failures are one line on stderr and an exit code.

    Typed values and the output path are checked first, so a mistake there costs nothing:
    no input is read, no model is loaded or called. Ctrl-C is ``cli.main``'s.
    """
    name = args.command
    if name == "batch":
        name = f"batch {args.batch_command}"
    try:
        preflight(args, name)
        return COMMANDS[name](args)
    except SummarizerError as error:
        print(f"summarizer: error: {error.spelled(flag_spelling)}", file=sys.stderr)
        return error.exit_code


def preflight(args: argparse.Namespace, name: str) -> None:
    """The checks that need no input read and no model: typed values, then ``-o``."""
    check_flags(args)
    output: Path | None = getattr(args, "output", None)
    if output is None or (name == "batch run" and getattr(args, "engine", None) == "ray"):
        return  # stdout; or a Ray output folder, which ``cli.ray_batch`` checks
    check_output_path(output)
