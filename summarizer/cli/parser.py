"""The argument parser of every command, built from the option declarations.

Kept apart from the command bodies (``cli.commands``, ``cli.batch``, ``cli.eval``), which
import the pipeline and pydantic: parsing arguments, ``--help`` and usage errors load only
this module and the declarations (``tests/test_cli_startup.py``).

Which declarations a command takes is the only thing said here; the flags themselves come
from the fields (``cli.options.add_options``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from summarizer.cli.options import (
    BatchOutput,
    BatchRunOptions,
    Debug,
    EvalOptions,
    Output,
    PrepareOptions,
    RenderFormat,
    SummaryFormat,
    add_options,
)
from summarizer.core.options import RunOptions
from summarizer.core.settings import LLMSettings

EPILOG = (
    "Exit codes: 0 complete, 1 partial (a source failed), 2 bad input or usage, "
    "3 nothing produced, 70 internal error (--debug shows the traceback), 130 interrupted."
)
BATCH_EPILOG = (
    "Exit codes: 0 all complete, 1 some partial or failed, 2 bad input or usage, "
    "3 nothing produced, 70 internal error, 130 interrupted (run the same command again "
    "to resume)."
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("summarizer")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarizer",
        description="Summaries of several news articles in which every sentence cites its sources.",
        epilog=EPILOG,
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
    add_options(summarize, LLMSettings, title="model")
    add_options(summarize, RunOptions, title="summary")
    add_options(summarize, SummaryFormat)
    add_options(summarize, Output)

    extract = commands.add_parser("extract", help="print the grounded per-source events as JSON")
    extract.add_argument("paths", nargs="+", metavar="PATH")
    add_options(extract, LLMSettings, title="model")
    add_options(extract, RunOptions, only={"chunk_chars"})
    add_options(extract, Output)

    render = commands.add_parser("render", help="render a saved result JSON as Markdown or HTML")
    render.add_argument("result", type=Path, metavar="RESULT.json")
    add_options(render, RenderFormat)
    add_options(render, Output)

    evaluate = commands.add_parser(
        "eval", help="score summaries against references or 5W1H gold (ROUGE, citations)"
    )
    evaluate.add_argument("data", type=Path, metavar="DATA.jsonl")
    add_options(evaluate, EvalOptions)
    add_options(evaluate, RunOptions, only={"max_words"})
    add_options(evaluate, LLMSettings, title="model")
    add_options(evaluate, Output)

    add_batch_commands(commands)
    for command in (summarize, extract, render, evaluate):
        add_options(command, Debug)
        command.epilog = EPILOG
    return parser


class _AnyChoice(Mapping[str, argparse.ArgumentParser]):
    """The sub-command names, except that any word passes argparse's choice check.

    argparse checks the first word against ``choices`` before calling the action; this
    view lets an input path through so ``_DefaultRunAction`` can route it to ``run``.
    """

    def __init__(self, names: dict[str, argparse.ArgumentParser]) -> None:
        self._names = names

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> argparse.ArgumentParser:
        return self._names[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class _DefaultRunAction(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Sub-parsers where an unknown first word means ``run`` with that word as the input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = _AnyChoice(self._name_parser_map)  # type: ignore[assignment]

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if values and values[0] not in self._name_parser_map:
            values = ["run", *values]
        super().__call__(parser, namespace, values, option_string)


def add_batch_commands(subparsers: Any) -> None:
    """Register ``batch`` (run), ``batch prepare`` and ``batch collect``.

    ``run`` is the default sub-command so the short form works as users type it; a
    clusters file literally named ``prepare`` or ``collect`` needs the explicit
    ``batch run``. Options come after the sub-command (or after the input for the short
    form).
    """
    batch = subparsers.add_parser(
        "batch",
        help="summarise many clusters from a JSONL (resumable), or prepare/collect Batch API files",
        description="Summarise every cluster of CLUSTERS.jsonl into one JSON line each. "
        "`summarizer batch CLUSTERS.jsonl -o RESULTS.jsonl` is short for `batch run ...`.",
        epilog=BATCH_EPILOG,
    )
    batch.register("action", "parsers", _DefaultRunAction)
    commands = batch.add_subparsers(dest="batch_command", metavar="{run,prepare,collect}")
    commands.required = True

    run = commands.add_parser(
        "run",
        help="(default) run the pipeline on every cluster, appending one result line each",
        description="Run every cluster of CLUSTERS.jsonl through the pipeline with one shared "
        "concurrency limit. Results are appended to RESULTS.jsonl as they complete (in "
        "completion order; each line carries the input `line`). Killed or interrupted? Run "
        "the same command again: finished clusters are skipped.",
    )
    run.add_argument("input", type=Path, metavar="CLUSTERS.jsonl")
    add_options(run, BatchOutput)
    add_options(run, LLMSettings, title="model")
    add_options(run, RunOptions, title="summary")
    add_options(run, BatchRunOptions)

    prepare = commands.add_parser(
        "prepare",
        help="write the extraction requests as an OpenAI Batch API input file",
        description="Write one chat-completions request per source (per chunk of a long "
        "source) in the JSONL that OpenAI's Batch API and vLLM's run_batch read.",
    )
    prepare.add_argument("input", type=Path, metavar="CLUSTERS.jsonl")
    add_options(prepare, BatchOutput)
    add_options(prepare, LLMSettings, only={"model", "mode"})
    add_options(prepare, RunOptions, only={"chunk_chars"})
    add_options(prepare, PrepareOptions)

    collect = commands.add_parser(
        "collect",
        help="ground, merge and write the answers of a Batch API results file",
        description="Read the Batch API results file for requests made by `batch prepare`, "
        "ground every answer (no re-asking is possible: invalid items are dropped and "
        "counted), merge, and write with the extractive writer: one line per cluster.",
    )
    collect.add_argument("input", type=Path, metavar="CLUSTERS.jsonl")
    collect.add_argument("responses", type=Path, metavar="RESPONSES.jsonl")
    add_options(collect, BatchOutput)
    add_options(collect, RunOptions, only={"max_sentences", "max_words"})
    for command, epilog in ((run, BATCH_EPILOG), (prepare, EPILOG), (collect, BATCH_EPILOG)):
        add_options(command, Debug)
        command.epilog = epilog
