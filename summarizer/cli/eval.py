"""``summarizer eval``: the command-line side of ``eval.evaluate`` (flags: ``cli.parser``).

Exit code 0, or 1 when some lines or clusters could not be evaluated (listed on stderr and
in the report). The JSON report goes to ``-o`` or, without it, stdout; the tables go to
stderr. Interrupted (130), it writes no report at all rather than one over part of the data.
"""

from __future__ import annotations

import argparse

from rich.console import Console

from summarizer.cli.interrupt import run_async
from summarizer.cli.options import EvalOptions, Output, resolved
from summarizer.core.options import DEFAULT_MAX_WORDS, RunOptions
from summarizer.core.settings import LLMSettings
from summarizer.eval.evaluate import EvalReport, run_eval_async
from summarizer.eval.tables import render_five_w1h, render_table
from summarizer.pipeline import BUILTIN, Builtin, notices, open_engine


def cmd_eval(args: argparse.Namespace) -> int:
    """Entry point of ``summarizer eval`` (the CLI passes its parsed arguments)."""
    output = resolved(args, Output)
    console = Console(stderr=True)
    try:
        report = run_async(_evaluate(args, output, console))
    except KeyboardInterrupt:
        # Figures over part of the data would read as the whole data set's: none are shown.
        raise KeyboardInterrupt("no report written (figures over part of the data)") from None
    if output.output is None:
        print(report.model_dump_json(indent=2))
    if not output.quiet:
        if report.scores:
            console.print(render_table(report))
        if report.five_w1h:
            console.print(render_five_w1h(report))
    for problem in report.problems:
        where = f"cluster {problem.cluster_id}: " if problem.cluster_id else ""
        console.print(f"summarizer: {where}{problem.message}", markup=False, highlight=False)
    return 1 if report.problems else 0


async def _evaluate(args: argparse.Namespace, output: Output, console: Console) -> EvalReport:
    settings = resolved(args, LLMSettings)
    max_words = resolved(args, RunOptions).max_words or DEFAULT_MAX_WORDS
    async with open_engine(settings) as engine:
        if not output.quiet:
            for message in notices(engine):
                console.print(message, markup=False, highlight=False)
        # eval.evaluate still takes ``llm: LLM | None``; the engine is narrowed to it here.
        llm = None if isinstance(engine, Builtin) else engine
        return await run_eval_async(
            args.data,
            limit=resolved(args, EvalOptions).limit,
            output=output.output,
            progress=not output.quiet,
            model=BUILTIN if llm is None else llm.settings.model,
            max_words=max_words,
            llm=llm,
        )
