"""Figure merging: which reported numbers count the same thing, agree, or conflict.

Figures are where a summary is most often wrong, and where a false merge is worst (it
blends two counts into one, or invents a conflict), so their rules are the largest and
live here on their own:

* Figures are matched on *what is counted*, never on the value alone. Descriptions
  ("what" plus unit) become sets of lemma-ish stems with a few newsroom synonyms folded
  (``summarizer.text.words``). Two figures with the same value join when their
  descriptions share enough (overlap coefficient >= ``SAME_VALUE_OVERLAP``): "children
  rescued" and "victims of child exploitation identified", both 123, become one agreed
  figure that keeps both wordings (``wording_differs``). Two figures with different values
  are a *conflict* only when both descriptions name the same specific thing
  (``same_specific_thing``), carry the same numbers inside them ("under 3" is not "under
  12"), come from different sources, are not parts ("23 of the suspects"), and have
  compatible units: "suspects arrested abroad: 23" and "children who reached majority:
  23" share nothing and stay apart. A false conflict is worse than a missed one: the two
  figures stay visible as single-source figures either way, but a false conflict tells
  the reader the sources contradict each other when they do not.
* A second pass joins figures that the first left apart when their value is distinctive
  (``distinctive_value``: >= 20 with two significant digits, or a fraction; never a year)
  and, for that value, each source has exactly one figure: "children rescued: 123" and
  "victims identified: 123" become one agreed figure flagged ``wording_differs``. A source
  with two figures of that value, partial counts, approximations, measures and conflicts
  never join this way.

``distinctive_value`` is public because fact merging (``summarizer.merge.merger``) uses the same
notion of a number too rare to be shared by chance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.core.events import GroundedFigure
from summarizer.core.results import Conflict, FigureReport, FigureStatus, MergedFigure
from summarizer.merge.citations import citation_key, cited_source_ids
from summarizer.text.numbers import find_numbers, parse_number
from summarizer.text.words import (
    SentenceNames,
    content_stems,
    jaccard_index,
    name_stems,
    overlap_coefficient,
    stem,
)

#: Same value, descriptions sharing at least this share of the smaller one's stems.
SAME_VALUE_OVERLAP = 0.34
#: Different values are one thing in conflict only above this Jaccard of description stems.
CONFLICT_JACCARD = 0.6
#: Below this Jaccard two sources' wordings of an agreed figure are flagged as differing.
SAME_WORDING_JACCARD = 0.6
#: Smallest integer that can be distinctive enough to match figures or facts on value alone.
DISTINCTIVE_MIN = 20
_YEAR_LIKE = (1000, 2100)

#: Measure words: sharing only these ("11 years ago", "11-year-old girl") is no evidence
#: that two figures count the same thing.
_MEASURE_WORDS = """year old age day week month hour minute second time percent per cent mile
    km kilometre meter metre dollar euro pound"""
_MEASURE_STEMS = frozenset(stem(word) for word in _MEASURE_WORDS.split())
#: Units, time and measure words for the conflict rule: they say what *kind* of quantity a
#: figure is (an age, a distance, a span of years), never *which* one. Two sides of a
#: conflict must use the same ones ("25 years" is not "49-year-old"; "30 miles a day" is
#: not "1,100 miles"). Wider than ``_MEASURE_STEMS``, which also gates agreement on value.
_KIND_WORDS = """ago decade century night weekend today yesterday tomorrow annual annually
    daily weekly monthly yearly foot feet inch yard acre hectare square mph kph kilometer
    kilometre kilogram kg gram ounce lb ton tonne gallon litre liter barrel degree
    fahrenheit celsius point dollar cent usd yen yuan rupee million billion trillion
    thousand hundred dozen"""
_KIND_STEMS = _MEASURE_STEMS | frozenset(stem(word) for word in _KIND_WORDS.split())
#: Counting nouns and words of change or approximation: they say how a figure is given
#: ("people", "number", "increase", "nearly"), not what it counts, so they never make a
#: description specific ("increase of percent" names no thing; "people killed" does, by
#: "killed").
_GENERIC_WORDS = """person people number total figure count amount increase decrease rise
    fall drop gain loss growth change up down more less least most nearly almost around
    roughly approximately estimate some only just another other first last new record
    high low top bottom"""
_GENERIC_STEMS = frozenset(stem(word) for word in _GENERIC_WORDS.split())
#: A description with fewer stems names a kind of thing ("soldiers", "Hours", "percent"),
#: not which one: "1,000 soldiers" and "four soldiers" are two groups, not a dispute.
SPECIFIC_MIN_STEMS = 2
#: Relative gap within which two values, one of them approximate, overlap ("about 65" and
#: "about 70" miles: 7%). Such a pair is still shown as a conflict (the sources do give
#: different values) but ranks below clear ones (``conflict_strength``) and, like every
#: conflict, is never blended into one value.
APPROX_TOLERANCE = 0.1
#: "23 of the suspects", "all but 23": a part of something, never a rival total.
_PARTITIVE_AFTER = re.compile(r"\s*(?:of|out of)\s+(?:the|those|these|them|its|their|whom)\b", re.I)
_PARTITIVE_BEFORE = re.compile(r"\b(?:all but|except|including|among them)\s*$", re.I)


def _same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@dataclass(frozen=True)
class Label:
    """A figure description split for the conflict rule (``same_specific_thing``)."""

    #: Every stem of the description ("what" only: the unit is compared on its own).
    stems: frozenset[str]
    #: Units, time and measure words: what kind of quantity (``_KIND_STEMS``).
    kind: frozenset[str]
    #: What the figure is about, without kind and generic words: "girl", "kill", "chicago".
    core: frozenset[str]
    #: Named entities: capitalised words after the first, and acronyms ("Maria Ridulph").
    names: frozenset[str]

    @property
    def specific(self) -> bool:
        """Whether the description says which thing, not only what kind of quantity."""
        return len(self.stems) >= SPECIFIC_MIN_STEMS and bool(self.core)


def label(what: str) -> Label:
    """Split a figure description into kind, core and named-entity stems."""
    stems = frozenset(content_stems(what))
    kind = stems & _KIND_STEMS
    core = frozenset(s for s in stems - kind - _GENERIC_STEMS if not s[0].isdigit())
    return Label(stems=stems, kind=kind, core=core, names=frozenset(name_stems(what)))


def same_specific_thing(a: Label, b: Label) -> bool:
    """Whether two descriptions name the same specific thing, so different values conflict.

    Both must be specific (``Label.specific``: "age" alone, "hours", "soldiers" are not),
    use the same kind of quantity (``Label.kind``), name the same named entities (none in
    one and "Charles Ridulph" in the other, or "Maria" against "Charles", is a different
    thing), and share nearly all of what they are about (Jaccard >= ``CONFLICT_JACCARD``
    on the core stems, and on all stems). "age of Maria Ridulph" and "age of Charles
    Ridulph" differ on a name; "age" and "age of man" are too vague; "age of the girl" and
    "age of the girl" are one thing.
    """
    return (
        a.specific
        and b.specific
        and a.kind == b.kind
        and a.names == b.names
        and jaccard_index(a.core, b.core) >= CONFLICT_JACCARD
        and jaccard_index(a.stems, b.stems) >= CONFLICT_JACCARD
    )


def _relative_gap(a: float, b: float) -> float:
    largest = max(abs(a), abs(b))
    return abs(a - b) / largest if largest else 0.0


def within_tolerance(sides: Sequence[MergedFigure]) -> bool:
    """Whether every pair of sides overlaps: an approximate value within ``APPROX_TOLERANCE``."""
    return all(
        (x.approximate or y.approximate) and _relative_gap(x.value, y.value) <= APPROX_TOLERANCE
        for i, x in enumerate(sides)
        for y in sides[i + 1 :]
    )


def conflict_strength(sides: Sequence[MergedFigure]) -> tuple[int, int, int, float]:
    """Sort key, larger is stronger: how firmly the sources contradict each other.

    A clear disagreement ranks above one whose approximate values overlap
    (``within_tolerance``); then more sources involved, then the weakest side's number of
    sources (two sources against two beats one against three), then the relative gap.
    """
    counts = [len(side.source_ids) for side in sides] or [0]
    sources = {s for side in sides for s in side.source_ids}
    values = [side.value for side in sides]
    gap = _relative_gap(min(values), max(values)) if values else 0.0
    return (int(not within_tolerance(sides)), len(sources), min(counts), gap)


@dataclass
class _FigureItem:
    figure: GroundedFigure
    source_id: str
    desc: frozenset[str]
    numbers_in_desc: frozenset[str]
    unit: frozenset[str]
    partitive: bool
    label: Label
    #: Named entities of the evidence sentence and of the label (``contexts_disagree``).
    context: frozenset[str] = frozenset()


@dataclass
class _FigureGroup:
    items: list[_FigureItem] = field(default_factory=list)
    #: Joined by the value-only pass: the descriptions never matched, so the wording differs.
    by_value: bool = False

    def values(self) -> list[float]:
        out: list[float] = []
        for item in self.items:
            if not any(_same_value(item.figure.value, v) for v in out):
                out.append(item.figure.value)
        return out


#: An upper or lower bound inside a label: "under age 3", "less than three years old",
#: "more than 40", "over 65". Outlets word the same bound freely.
_BOUND_PHRASE = re.compile(
    r"\b(?:(less|fewer|younger)\s+than|(under|below)|(?:more|older|greater)\s+than|over|above)"
    r"\s+(?:the\s+)?(?:ages?\s+(?:of\s+)?)?([\w.,]+)(?:[\s-]+years?(?:[\s-]+old)?)?",
    re.IGNORECASE,
)


def bounds(what: str) -> tuple[str, frozenset[str]]:
    """A label without its bound phrases, and the bounds as tokens ("<3", ">40").

    "children less than three years old" and "children under age 3" become "children"
    with {"<3"} both, so one figure worded differently by two sources is one row, while
    "under 12" ({"<12"}) stays another thing than "under 3".
    """
    tokens: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        value = parse_number(match.group(3).lower())
        if value is None:
            return match.group()
        below = bool(match.group(1) or match.group(2))
        tokens.add(f"{'<' if below else '>'}{value:g}")
        return " "

    return _BOUND_PHRASE.sub(replace, what), frozenset(tokens)


def figure_item(
    figure: GroundedFigure, source_id: str, names: SentenceNames | None = None
) -> _FigureItem:
    """A figure with its description stems, computed once for every comparison.

    ``names`` is the figure's source (``SentenceNames``); without it the figure has no
    sentence context and the context rule (``contexts_disagree``) never separates it.
    Bound phrases are folded into tokens (``bounds``) so that their wording does not count.
    """
    unit = frozenset(content_stems(figure.unit or ""))
    rest, bound_tokens = bounds(figure.what)
    desc = frozenset(content_stems(rest)) | unit | bound_tokens
    numbers = frozenset(s for s in desc if s[0].isdigit()) | bound_tokens
    tag = label(figure.what)
    context = tag.names
    if names is not None:
        context = frozenset(n for n in context if not names.demonym(n))
        context |= names.around(figure.citation.start, figure.citation.end)
    return _FigureItem(figure, source_id, desc, numbers, unit, _is_partitive(figure), tag, context)


def contexts_disagree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two figures' sentences are about different named things: never a conflict.

    Labels are short ("electoral votes", "people injured", "killing of suspects"), so two
    sub-events of one story often get look-alike labels: Obama's 332 electoral votes and
    the 306 Trump claimed; four wounded in Yemen and 50 injured in Bahrain; 22 suspects
    killed in Tlatlaya and six in Puebla. The sentence holding each figure's evidence
    says whose figure it is, through its named entities (``SentenceNames``: names and
    acronyms, plus the label's own names). When both sentences name entities and share
    none, the figures are taken to be about different things and never conflict; when
    either names nothing, or they share a name ("65 miles west of Chicago" / "70 miles
    west of Chicago", "Forbes listed his net worth ... Ross" / "Mr Ross ... net worth"),
    the label rules alone decide. Like every conflict rule it only removes conflicts: a
    false conflict tells the reader that the sources contradict each other, while a
    missed one leaves two single-source figures, both still shown.
    """
    return bool(a) and bool(b) and not (a & b)


def _is_partitive(figure: GroundedFigure) -> bool:
    """Whether the evidence writes the value as a part ("23 of the suspects")."""
    quote = figure.citation.quote
    if figure.what.lstrip().lower().startswith(("of ", "all but ")):
        return True
    for mention in find_numbers(quote):
        if _same_value(mention.value, figure.value) and (
            _PARTITIVE_AFTER.match(quote, mention.end)
            or _PARTITIVE_BEFORE.search(quote[: mention.start])
        ):
            return True
    return False


def _figure_affinity(group: _FigureGroup, new: _FigureItem) -> float:
    """How well ``new`` fits ``group``: 0 for no fit; same-value fits rank above conflicts."""
    own_other_value = any(
        item.source_id == new.source_id and not _same_value(item.figure.value, new.figure.value)
        for item in group.items
    )
    if own_other_value:
        return 0.0  # a source never conflicts with itself; its sub-counts are other things
    best = 0.0
    for item in group.items:
        if _same_value(item.figure.value, new.figure.value):
            overlap = overlap_coefficient(item.desc, new.desc)
            if overlap >= SAME_VALUE_OVERLAP and (item.desc & new.desc) - _MEASURE_STEMS:
                best = max(best, 1.0 + overlap)
        elif (
            item.source_id != new.source_id
            and (item.figure.background is None) == (new.figure.background is None)
            and not item.partitive
            and not new.partitive
            and item.numbers_in_desc == new.numbers_in_desc
            and (not item.unit or not new.unit or bool(item.unit & new.unit))
            and same_specific_thing(item.label, new.label)
            and not contexts_disagree(item.context, new.context)
        ):
            best = max(best, jaccard_index(item.desc, new.desc))
    return best


def _group_figures(items: Sequence[_FigureItem]) -> list[_FigureGroup]:
    groups: list[_FigureGroup] = []
    for item in items:
        scores = [_figure_affinity(group, item) for group in groups]
        best = max(range(len(groups)), key=lambda i: (scores[i], -i), default=None)
        if best is not None and scores[best] > 0:
            groups[best].items.append(item)
        else:
            groups.append(_FigureGroup([item]))
    return _join_on_distinctive_values(groups)


def distinctive_value(value: float, written: str | None = None) -> bool:
    """Whether a value is unlikely to be shared by chance by two counts in one news cluster.

    Distinctive: a non-integer (12.5, 3.7), or an integer >= ``DISTINCTIVE_MIN`` with at
    least two significant digits (23, 45, 123, 245, 1,655). Not distinctive: small integers
    (1 to 19: ages, days, "five of the victims" collide all the time), round numbers with
    one significant digit (20, 50, 100, 3,000, the figures reporters round to), and
    year-like integers: 1000 to 2100 unless ``written`` (how the text writes the number)
    has a thousands separator, which years never have ("1,655" arrests, "1390" CE).
    """
    magnitude = abs(value)
    if not math.isclose(magnitude, round(magnitude), rel_tol=0.0, abs_tol=1e-9):
        return True
    number = round(magnitude)
    if number < DISTINCTIVE_MIN:
        return False
    if _YEAR_LIKE[0] <= number <= _YEAR_LIKE[1] and (written is None or "," not in written):
        return False
    return len(str(number).rstrip("0")) >= 2


def _written_as(value: float, text: str) -> str | None:
    """How ``text`` writes ``value`` ("1,655"), or None when it does not."""
    for mention in find_numbers(text):
        if _same_value(mention.value, value):
            return mention.text.strip()
    return None


def _value_joinable(item: _FigureItem) -> bool:
    """Whether a figure may join another on its value alone (``_join_on_distinctive_values``)."""
    value = item.figure.value
    return (
        distinctive_value(value, _written_as(value, item.figure.citation.quote))
        and not item.partitive
        and not item.figure.approximate
        and not (item.desc & _MEASURE_STEMS)
    )


def _join_on_distinctive_values(groups: list[_FigureGroup]) -> list[_FigureGroup]:
    """Second pass: one distinctive value, one figure per source, worded differently → one.

    The first pass matches on what is counted; models label the same count freely
    ("children rescued" / "victims identified"), so two sources giving the same
    distinctive value (``distinctive_value``) are taken to report one figure when, for
    that value, every source involved has exactly one figure group (a source with two
    figures of that value makes it ambiguous, and nothing joins). Figures that are parts
    ("23 of the suspects", "all but 23"), approximate ("about 250"), measures (ages,
    durations, money, percentages: ``_MEASURE_STEMS``), in conflict, or that carry
    different numbers in their descriptions or different units never join this way. The
    joined figure keeps every wording and is flagged ``wording_differs``: an agreed
    value, not an agreed description.
    """
    by_value: dict[float, list[int]] = {}
    for index, group in enumerate(groups):
        for value in group.values():
            by_value.setdefault(round(value, 9), []).append(index)
    absorbed: dict[int, int] = {}  # group index → index of the group it joins
    for indexes in by_value.values():
        if len(indexes) < 2:
            continue
        members = [groups[i] for i in indexes]
        sources = [s for g in members for s in dict.fromkeys(i.source_id for i in g.items)]
        if len(sources) != len(set(sources)):
            continue  # some source has this value twice: ambiguous
        if any(len(g.values()) > 1 or not all(map(_value_joinable, g.items)) for g in members):
            continue
        first = members[0].items[0]
        if any(
            item.unit != first.unit or item.numbers_in_desc != first.numbers_in_desc
            for g in members
            for item in g.items
        ):
            continue
        for index in indexes[1:]:
            absorbed[index] = indexes[0]
    if not absorbed:
        return groups
    out: list[_FigureGroup] = []
    for index, group in enumerate(groups):
        if index in absorbed:
            continue
        joined = [j for j, target in absorbed.items() if target == index]
        if joined:
            items = list(group.items)
            for j in sorted(joined):
                items.extend(groups[j].items)
            group = _FigureGroup(items, by_value=True)
        out.append(group)
    return out


def merge_figures(
    items: Sequence[_FigureItem], order: dict[str, int]
) -> tuple[list[MergedFigure], list[Conflict]]:
    """Grouped figures, numbered N1.. and C1.. in group order; a conflict lists its sides."""
    figures: list[MergedFigure] = []
    conflicts: list[Conflict] = []
    for group in _group_figures(items):
        values = group.values()
        conflict_id = f"C{len(conflicts) + 1}" if len(values) > 1 else None
        side_ids: list[str] = []
        for value in values:
            members = [i for i in group.items if _same_value(i.figure.value, value)]
            reports = [
                FigureReport(
                    source_id=m.source_id,
                    what=m.figure.what,
                    approximate=m.figure.approximate,
                    citation=m.figure.citation,
                )
                for m in members
            ]
            reports = _unique_reports(reports, order)
            source_ids = cited_source_ids((r.citation for r in reports), order)
            if conflict_id:
                status = FigureStatus.CONFLICT
            else:
                status = FigureStatus.AGREED if len(source_ids) > 1 else FigureStatus.SINGLE
            descs = [m.desc for m in members]
            figure_id = f"N{len(figures) + 1}"
            side_ids.append(figure_id)
            first = members[0].figure
            figures.append(
                MergedFigure(
                    id=figure_id,
                    what=first.what,
                    value=value,
                    unit=first.unit,
                    approximate=all(r.approximate for r in reports),
                    status=status,
                    conflict_id=conflict_id,
                    wording_differs=group.by_value
                    or any(jaccard_index(descs[0], d) < SAME_WORDING_JACCARD for d in descs[1:]),
                    reports=reports,
                    source_ids=source_ids,
                    background=next(
                        (m.figure.background for m in members if m.figure.background), None
                    ),
                )
            )
        if conflict_id:
            what = group.items[0].figure.what
            conflicts.append(Conflict(id=conflict_id, what=what, figure_ids=side_ids))
    return figures, conflicts


def _unique_reports(reports: list[FigureReport], order: dict[str, int]) -> list[FigureReport]:
    seen: dict[tuple[str, int, int], FigureReport] = {}
    for report in reports:
        c = report.citation
        seen.setdefault((c.source_id, c.start, c.end), report)
    return sorted(seen.values(), key=lambda r: citation_key(r.citation, order))
