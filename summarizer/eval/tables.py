"""The eval report as tables on stderr, readable in an 80-column terminal.

One wide table of every figure did not fit: rich shrank the columns and truncated the
figures themselves ("46…"), the one thing a reader came for. So the report is two tables
sharing the system column, each narrow enough for 80 columns with unabbreviated figures:
what was scored against the references (ROUGE, length, citations, numbers), and how the
summary reads (the readability rules and the usable figure labels). Column names are short;
the caption under each table says what each one means. The JSON report keeps the long names.
"""

from __future__ import annotations

from typing import Any

from summarizer.eval.evaluate import SYSTEM, EvalReport

#: (column, what it means) of the scores table; the caption is built from these.
SCORE_COLUMNS = (
    ("R-1", "ROUGE-1 F1 x100"),
    ("R-2", "ROUGE-2"),
    ("R-L", "rougeL (whole-text LCS)"),
    ("R-Ls", "rougeLsum"),
    ("words", "mean words per summary"),
    ("cite%", "citations whose quote is the exact source slice"),
    ("num%", "numbers written that a cited span holds"),
    ("cited%", "sentences with a citation"),
)
READABILITY_COLUMNS = (
    ("dup%", "sentences repeating an earlier one"),
    ("dangl%", "sentences opening on a pronoun or connective with nothing before"),
    ("furn%", "page-furniture sentences"),
    ("head%", "broken headlines, % of headlines (only systems with one)"),
    ("label%", "figure wordings with a usable label (only systems with figures)"),
    ("figs", "figure wordings judged"),
)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _caption(columns: tuple[tuple[str, str], ...]) -> str:
    return "; ".join(f"{name}: {meaning}" for name, meaning in columns)


def _table(title: str, columns: tuple[tuple[str, str], ...]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        caption=_caption(columns),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        caption_justify="left",
    )
    table.add_column("system", no_wrap=True)
    for name, _ in columns:
        table.add_column(name, justify="right", no_wrap=True)
    return table


def render_table(report: EvalReport) -> Any:
    """Both tables (scores, then readability) as one renderable for ``console.print``."""
    from rich.console import Group

    scores = _table(
        f"{report.data}: {report.clusters} clusters, {report.seconds:.1f} s", SCORE_COLUMNS
    )
    readability = _table("readability (% of sentences unless said)", READABILITY_COLUMNS)
    for name, s in report.scores.items():
        label = report.model if name == SYSTEM else name
        scores.add_row(
            label,
            _fmt(s.rouge1),
            _fmt(s.rouge2),
            _fmt(s.rougeL),
            _fmt(s.rougeLsum),
            f"{s.words:.0f}",
            _fmt(s.citation_validity),
            _fmt(s.numeric_faithfulness),
            _fmt(s.cited_sentence_share),
        )
        readability.add_row(
            label,
            _fmt(s.near_duplicate),
            _fmt(s.dangling_opener),
            _fmt(s.furniture),
            _fmt(s.broken_headline),
            _fmt(s.usable_figure_labels),
            str(s.figure_labels) if s.figure_labels else "-",
        )
    return Group(scores, readability)


def render_five_w1h(report: EvalReport) -> Any:
    from rich.table import Table

    table = Table(title="5W1H: share of articles where an extracted item overlaps a gold phrase")
    for column in ("field", "articles", "hit %", "items/article"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, f in report.five_w1h.items():
        table.add_row(name, str(f.articles), _fmt(f.share), f"{f.mean_items:.1f}")
    return table
