"""Whether a figure's label tells a reader what was counted: the eval's usable-label share.

A figures table row is only worth reading when its label names the thing counted or
measured ("children rescued", "suspects arrested abroad", "age of girl"), not a window of
words ("of the children", "thought to be around", "should expect to wait") or a bare unit
("years ago", "percent"). ``usable_label`` encodes the written rubric of the hand-labelled
sample (``tests/data/figure-labels/RUBRIC.md``) as rules on the label text alone, so it
judges any extractor's labels, the LLM's included, and its agreement with the hand labels
is checked by ``tests/test_figure_labels_sample.py``.

Rule 5 of the rubric (the label names the right thing *for this number*) needs the words
around the number: "Highway 101", "Xbox 360" (a name), "11th" (an ordinal), "five-year
survival rate" (the span of a rate), "one in 10" (a ratio), "two-term senator" (a singular
head cannot be counted by two). ``usable_label`` takes them as an ``Around`` when it has
them; ``figure_label_counts`` finds them through each wording's citation in the sources.

It is deliberately independent of the built-in extractor's own phrase rules (its own
small word classes, no import from ``extract``): a judge that shared the extractor's code
would agree with it by construction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from summarizer.text.numbers import find_numbers

__all__ = [
    "Around",
    "around_number",
    "figure_label_counts",
    "figure_label_share",
    "usable_label",
]

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
    up down out off along toward towards through throughout beyond within without amid
    despite behind beside onto across against
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
    francs yuan yen rupees pesos rubles roubles
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
    height weight distance period sum size level average space span stretch term scale
    north south east west upwards downwards odds chance chances probability capability
    capacity angle load median mean
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


@dataclass(frozen=True)
class Around:
    """A number as written and the words either side of it, inside its sentence: what rule
    5 of the rubric reads ("U.S. Highway" before "101", "-year survival rate" after "five")."""

    before: str
    number: str
    after: str
    value: float


#: A sentence ends before a capital, quote or digit, not after an initial ("U.S. Highway");
#: a line break ends a paragraph.
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%\"'”’)\]])[.!?][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|\n")
#: A short capitalised abbreviation right before a number labels it: "Fig. 1", "No. 5",
#: "U.S. 278" (a road), "Vol. 3".
_ABBREVIATION_BEFORE = re.compile(r"(?:^|[\s(])(?:[A-Z][a-z]{0,2}\.)+ ?$")
_WINDOW = 160


def around_number(text: str, start: int, end: int, value: float) -> Around:
    """The ``Around`` of the number at ``text[start:end]``: its sentence's words before
    and after it (at most ``_WINDOW`` characters each side)."""
    before = text[max(0, start - _WINDOW) : start]
    if _ABBREVIATION_BEFORE.search(before) is None:
        cuts = list(_SENTENCE_END.finditer(before))
        before = before[cuts[-1].end() :] if cuts else before
    after = text[end : end + _WINDOW]
    cut = _SENTENCE_END.search(after)
    return Around(before, text[start:end], after[: cut.start() + 1] if cut else after, value)


#: Units a hyphen joins to a number ("six-month investigation", "11-year solar cycles"):
#: the number measures the noun; any other word ("two-term", "500-mile-plus") makes the
#: number part of a compound modifier that counts nothing.
_COMPOUND_UNITS = frozenset(
    """
    year month week day hour minute second decade century mile kilometre kilometer metre
    meter foot inch acre ton tonne story storey pound ounce gallon liter litre man member
    person game point page seat mph
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Nouns that are plural without an "s", so that "five children" has a plural head.
_PLURAL = frozenset(
    """
    people children men women police staff personnel cattle feet teeth mice geese data
    media troops fish sheep deer aircraft offspring youth clergy crew folk livestock
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Capitalised words that may stand right before a count after a colon or a quote.
_APPROXIMATIONS = frozenset(
    """
    about around nearly almost some only just more than over roughly approximately all
    the another every each
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_MEASURE_AFTER = re.compile(
    r"\s*(?:%|percent\b|per cent\b|(?:[mb]illion|thousand|hundred|trillion)\b)", re.IGNORECASE
)


def _lead_run(words: list[str]) -> list[str]:
    """The leading noun run of a counted phrase, where its head is: "children" of
    "children rescued outside the country", "counts" of "counts of fraud"."""
    run: list[str] = []
    for word in words:
        if word.lower() in _FUNCTION or (run and _verbish(word)):
            break
        run.append(word)
    return run or words


def _plural(word: str) -> bool:
    lower = word.lower()
    if lower in _PLURAL or (word.isupper() and len(word) > 2 and word.endswith("s")):
        return True
    if lower.endswith("ae") and len(lower) > 4:
        return True  # "vertebrae", "larvae"
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 2


#: Words that open a verb's object: "women accosted him" has an active verb, not what
#: happened to the women.
_OBJECT = frozenset("the a an his her their its him them me us it this that these those".split())  # noqa: SIM905


#: Adverbs after a verb form that leave it complete ("detained overnight").
_ADVERBS = frozenset(
    """
    yesterday today tonight overnight here there again too early late home soon later
    earlier already still together nationwide worldwide abroad
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def _cut_verb(words: list[str], after: str) -> bool:
    """Whether the label ends on a verb form that, in the sentence, goes on to an object
    ("two women accosted him") or a complement ("victims were pronounced dead", "belts
    composed of particles"): the label is cut inside its verb phrase."""
    if not _verbish(words[-1]) or words[-1].lower().endswith("ing"):
        return False
    found = re.search(rf"\b{re.escape(words[-1])} +([A-Za-z]+)", after)
    if found is None:
        return False
    following = found.group(1).lower()
    passive = re.search(rf"\b(?:were|was|are|is|been|being) +{re.escape(words[-1])}\b", after)
    if following in _OBJECT and passive is None:
        return True
    timely = following in _ADVERBS or following.endswith("ly")
    open_word = following not in _FUNCTION and not _verbish(found.group(1)) and not timely
    return following == "of" or (found.group(1).islower() and open_word)


def _wrong_thing(words: list[str], around: Around) -> bool:
    """Rule 5: whether the number, read in its sentence, is not a count or measure of the
    labelled thing: a name or code, an ordinal, a ratio, a compound modifier, the span of
    something, or a count of two or more with a singular head."""
    before, number, after = around.before, around.number, around.after
    lowered = [w.lower() for w in words]
    if re.search(r"\d(?:st|nd|rd|th)$", number) or re.match(r"(?:st|nd|rd|th)\b", after):
        return True  # "11th-hour show of support": an ordinal ranks
    age = lowered[:2] == ["age", "of"]
    if re.match(r"[-–/]\d", after) or re.search(r"\d%?[-–/]$", before):
        return True  # "2013-14", "888-580-8477": a range or code
    if re.search(r"[A-Za-z]-$", before) and not age:
        return True  # "nine-to-33-year sentence": a bound inside a compound
    if _ABBREVIATION_BEFORE.search(before):
        return True  # "Fig. 1", "U.S. 278"
    name = re.search(r"(?:^|\s)([A-Z][\w.&'’-]*)\s+$", before)
    if name and before[: name.start(1)].strip() and name.group(1).lower() not in _APPROXIMATIONS:
        return True  # "U.S. Highway 101", "Xbox 360", "World War Two": part of a name
    if re.search(r"\b(?:one|a|\d+)\s+in\s+$|\b(?:top|every|per)\s+$", before, re.IGNORECASE):
        return True  # "one in 10 colon cancers", "for every 100,000", "the top 10": ratio, rank
    if number[:1].isupper() and re.search(r"[a-z,]\s+$", before):
        return True  # "the Two Fat Ladies programmes": a number word inside a name
    if re.search(r"\d\s+$", before) or re.match(r"\s+\d", after):
        return True  # "40 30 Ave Events 20": numbers in a row are an axis or a table
    if _cut_verb(words, after):
        return True
    compound = re.match(r"-([A-Za-z]+(?:-[A-Za-z]+)*)", after)
    if compound and not age:
        pieces = compound.group(1).lower().split("-")
        if lowered[0] in pieces:
            return True  # "two-term senator" → "term ...", "500-mile-plus trek" → "plus trek"
        unit = pieces[0].removesuffix("s")
        if re.match(r"[- ]old\b", after[compound.end() :]):
            return True  # "14-year old boy" → "old boy": the number is an age
        return unit not in _COMPOUND_UNITS or lowered[-1].removesuffix("s") in _QUANTITY
    if compound:
        return False
    if re.match(r"\s+(?:years?|months?|weeks?|days?|decades?)\s+of\b", after):
        return True  # "four years of increases": the number counts years, not increases
    measured = _MEASURE_AFTER.match(after) or re.search(r"[$€£¥]\s*$", before + number[:1])
    first_after = re.match(r"\s*([A-Za-z][\w'’-]*)", after)
    follows = first_after is not None and first_after.group(1).lower() == lowered[0]
    if follows and not measured and around.value > 1 and not math.isnan(around.value):
        return not any(map(_plural, _lead_run(words)))  # "5 sacral", "three FISA renewals"
    return False


def usable_label(label: str, around: Around | None = None) -> bool:
    """Whether ``label`` names what a figure counts or measures (RUBRIC.md).

    Usable: a phrase of at most ``MAX_LABEL_WORDS`` words that neither opens nor closes on
    a function word ("of the children", "thought to be around" fail), holds a word that is
    not generic ("people", "years", "percent" alone fail, "people killed" passes) and a
    noun, not only verb forms ("served", "killed" alone fail), and is not a name in title
    case ("Full Screen Autoplay Close", "Likert Scale"). With ``around`` it also applies
    rule 5 (``_wrong_thing``).
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
    if lowered[:2] == ["age", "of"] and len(words) > 3 and words[2].endswith(("'s", "’s")):
        return False  # "age of boy's symptoms": the age is the boy's, not the symptoms
    if lowered[:2] == ["age", "of"] and len(words) == 3 and lowered[2] in _QUANTITY:
        return False  # "age of average": whose average age is not said
    content = [w for w in words if w.lower() not in _FUNCTION and not w[0].isdigit()]
    vague = _GENERIC | _QUANTITY | _COMPARATIVES
    if not content or all(w.lower() in vague for w in content):
        return False
    if len(content) == 1 and len(content[0]) <= 2:
        return False  # "s", "C": a fragment of a word
    titled = len(content) >= 2 and all(w[0].isupper() for w in content)
    if titled and not _plural(_lead_run(words)[-1]):
        return False  # "Number of Reports", "Likert Scale": a title, not a count
    if around is not None and _wrong_thing(words, around):
        return False
    return any(not _verbish(w) for w in content)


class _HasFigures(Protocol):
    @property
    def figures(self) -> Sequence[_Figure]: ...


class _Figure(Protocol):
    @property
    def value(self) -> float: ...

    @property
    def reports(self) -> Sequence[_Report]: ...


class _Cited(Protocol):
    @property
    def source_id(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


class _Report(Protocol):
    @property
    def what(self) -> str: ...

    @property
    def citation(self) -> _Cited: ...


def _locate(texts: Mapping[str, str], citation: _Cited, value: float) -> Around | None:
    """The ``Around`` of the figure's number inside its citation, or None when the source
    is not given or the citation does not write the value."""
    text = texts.get(citation.source_id)
    if text is None:
        return None
    for mention in find_numbers(text[citation.start : citation.end]):
        if math.isclose(mention.value, value, rel_tol=1e-9, abs_tol=1e-9):
            start = citation.start + mention.start
            return around_number(text, start, start + len(mention.text), value)
    return None


def figure_label_counts(
    results: Iterable[_HasFigures], texts: Mapping[str, str] | None = None
) -> tuple[int, int]:
    """``(usable, total)`` figure wordings over every report of every figure row of
    ``results`` (``SummaryResult`` or ``MergedEvent``).

    Each source's wording counts on its own: a row shows every wording ("children under
    age 3 / children less than three years old"), so each is something a reader reads.
    ``texts`` (source id → text) lets the judgement read the number in its sentence (rule
    5); without it only the label is judged, which is more lenient. Counts, not a share,
    so that a run can add clusters up before dividing.
    """
    total = usable = 0
    for result in results:
        for figure in result.figures:
            for report in figure.reports:
                around = _locate(texts or {}, report.citation, figure.value)
                total += 1
                usable += usable_label(report.what, around)
    return usable, total


def figure_label_share(
    results: Iterable[_HasFigures], texts: Mapping[str, str] | None = None
) -> float | None:
    """Share of figure wordings with a usable label (``figure_label_counts``); None when
    there are none."""
    usable, total = figure_label_counts(results, texts)
    return usable / total if total else None
