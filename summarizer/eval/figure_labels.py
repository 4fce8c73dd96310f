"""Whether a figure's label tells a reader what was counted: the eval's usable-label share.

A figures table row is only worth reading when its label names the thing counted or
measured ("children rescued", "suspects arrested abroad", "age of girl"), not a window of
words ("of the children", "thought to be around", "should expect to wait") or a bare unit
("years ago", "percent"). ``usable_label`` encodes the written rubric of the hand-labelled
sample (``tests/data/figure-labels/RUBRIC.md``) as rules on the label text alone, so it
judges any extractor's labels, the LLM's included, and its agreement with the hand labels
is checked by ``tests/test_figure_labels_sample.py``.

It is deliberately independent of the built-in extractor's own phrase rules (its own
small word classes, no import from ``extract``): a judge that shared the extractor's code
would agree with it by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

__all__ = ["figure_label_share", "usable_label"]

#: Words that never open or close a noun phrase: articles, prepositions, conjunctions,
#: pronouns, auxiliaries, negation and approximation words.
_FUNCTION = frozenset(
    """
    a an the this that these those of to in on at by for with from as than into onto upon
    over under about around nearly almost roughly some and or but nor so if because while
    when where which who whom whose what it its he she they we you i them him her his their
    our us me my your is are was were be been being has have had will would could can may
    might must should shall do does did not no there here then also just only more less
    most least fewer like per via between among through during after before since until
    up down out off
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Words that say how a quantity is given, never which thing: a label made only of
#: these ("people", "years ago", "percent", "times") names nothing.
_GENERIC = frozenset(
    """
    people person persons others ones things thing times time percent per cent pct
    number numbers total totals amount figure figures count year years month months week
    weeks day days hour hours minute minutes second seconds decade decades ago later
    earlier dollars dollar euros pounds million billion thousand hundred dozen cases
    points point
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: "-ing" and "-ed" words that are nouns or adjectives naming a thing.
_NOUN_EXCEPTIONS = frozenset(
    """
    building buildings meeting meetings wedding funding spending housing training hearing
    hearings killing killings shooting shootings bombing bombings earnings savings
    painting recording ruling warning red bed seed need speed feed breed shed
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’.-]*|\d[\d,.]*")
#: More words than a table label holds: a window of the sentence, not a phrase.
MAX_LABEL_WORDS = 9


def _verbish(word: str) -> bool:
    lower = word.lower()
    if lower in _NOUN_EXCEPTIONS or not word.islower():
        return False
    return lower.endswith(("ed", "ing")) and len(lower) > 4


def usable_label(label: str) -> bool:
    """Whether ``label`` names what a figure counts or measures (RUBRIC.md).

    Usable: a phrase of at most ``MAX_LABEL_WORDS`` words that neither opens nor closes on
    a function word ("of the children", "thought to be around" fail), holds a word that is
    not generic ("people", "years", "percent" alone fail, "people killed" passes) and a
    noun, not only verb forms ("served", "killed" alone fail).
    """
    words = _TOKEN.findall(label)
    if not words or len(words) > MAX_LABEL_WORDS:
        return False
    first, last = words[0].lower(), words[-1].lower()
    if first in _FUNCTION or last in _FUNCTION:
        return False
    content = [w for w in words if w.lower() not in _FUNCTION and not w[0].isdigit()]
    if not content or all(w.lower() in _GENERIC for w in content):
        return False
    if len(content) == 1 and len(content[0]) <= 2:
        return False  # "s", "C": a fragment of a word
    return any(not _verbish(w) for w in content)


class _HasFigures(Protocol):
    @property
    def figures(self) -> Sequence[_Figure]: ...


class _Figure(Protocol):
    @property
    def reports(self) -> Sequence[_Report]: ...


class _Report(Protocol):
    @property
    def what(self) -> str: ...


def figure_label_share(results: Iterable[_HasFigures]) -> float | None:
    """Share of figure wordings with a usable label, over every report of every figure
    row of ``results`` (``SummaryResult`` or ``MergedEvent``); None when there are none.

    Each source's wording counts on its own: a row shows every wording ("children under
    age 3 / children less than three years old"), so each is something a reader reads.
    """
    total = usable = 0
    for result in results:
        for figure in result.figures:
            for report in figure.reports:
                total += 1
                usable += usable_label(report.what)
    return usable / total if total else None
