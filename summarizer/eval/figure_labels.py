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

__all__ = ["figure_label_counts", "figure_label_share", "usable_label"]

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
    earlier dollars dollar euros pounds million billion thousand hundred dozen
    points point cents cent liters litres gallons gallon miles mile feet foot inches meters
    metres km mm cm kg tons tonnes acres degrees radii o'clock o’clock square other
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Units and time words: a label that opens with one ("minutes Thursday", "months into
#: his presidency", "feet suspended") is the unit's window, unless an "of" says what it
#: measures ("miles of the star's surface").
_UNITS = _GENERIC - {"people", "person", "persons", "others", "ones", "things", "thing", "other"}
#: Words that open a clause: a label holding one is a window of a sentence.
_CLAUSE = frozenset("that which who he she they we it i you".split())  # noqa: SIM905
#: Irregular past forms, so that "made" or "won" alone is seen as a verb.
_IRREGULAR_PAST = frozenset(
    """
    won got made took came went gave saw said told found left kept held led ran met paid
    sold sent spent stood brought bought caught fought thought taught felt lost meant
    became began drew drove fell flew grew knew rose spoke
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Words naming a kind of quantity, never whose: "cost", "stake" or "rate" alone do not
#: say what costs, whose stake, the rate of what.
_QUANTITY = frozenset(
    """
    cost costs price prices bid bids stake share rate risk speed speeds worth value length
    height weight distance period sum size level average
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Comparatives: "longer", "shorter" describe, they name no thing.
_COMPARATIVES = frozenset(
    """
    longer shorter higher lower larger smaller bigger greater older younger closer farther
    further wider narrower deeper
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
    if lower in _IRREGULAR_PAST or lower.endswith(("n't", "n’t")):
        return True
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
    if _verbish(words[0]) and words[0].lower().endswith("ing"):
        return False  # "having dominant objects": a verb phrase, not what is counted
    if _verbish(words[-1]) and words[-1].lower().endswith("ing"):
        return False  # "suspected of bringing": cut off before the object
    if last.endswith(("wide", "ly")) and len(words) == 1:
        return False  # "nationwide", "annually": an adverb alone
    lowered = [w.lower() for w in words]
    if first in _UNITS and len(words) > 1 and lowered[1] != "of":
        return False
    if _CLAUSE & set(lowered) or any(w.endswith(("n't", "n’t")) for w in lowered):
        return False  # "media he had raised", "didn't exist": a clause, not a phrase
    content = [w for w in words if w.lower() not in _FUNCTION and not w[0].isdigit()]
    vague = _GENERIC | _QUANTITY | _COMPARATIVES
    if not content or all(w.lower() in vague for w in content):
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


def figure_label_counts(results: Iterable[_HasFigures]) -> tuple[int, int]:
    """``(usable, total)`` figure wordings over every report of every figure row of
    ``results`` (``SummaryResult`` or ``MergedEvent``).

    Each source's wording counts on its own: a row shows every wording ("children under
    age 3 / children less than three years old"), so each is something a reader reads.
    Counts, not a share, so that a run can add clusters up before dividing.
    """
    total = usable = 0
    for result in results:
        for figure in result.figures:
            for report in figure.reports:
                total += 1
                usable += usable_label(report.what)
    return usable, total


def figure_label_share(results: Iterable[_HasFigures]) -> float | None:
    """Share of figure wordings with a usable label (``figure_label_counts``); None when
    there are none."""
    usable, total = figure_label_counts(results)
    return usable / total if total else None
