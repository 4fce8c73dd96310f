"""Many grounded per-source events → one ``MergedEvent``, deterministically, without an LLM.

What is merged and how (each rule trades a missed merge against a false one; a missed
merge leaves two single-source items, which is visible and harmless, while a false merge
blends claims, so the rules lean towards not merging):

* **Order.** ``sources`` fixes the order: events are sorted by their source's position, so
  shuffling the events list gives byte-identical output; shuffling the sources renumbers
  citations and may change which source's wording represents an item (that order is the
  user's). Within a source, items keep the extractor's order. No set is ever iterated
  into the output.
* **Figures** are matched on *what is counted*, never on the value alone. Descriptions
  ("what" plus unit) become sets of lemma-ish stems with a few newsroom synonyms folded
  (``_SYNONYMS``). Two figures with the same value join when their descriptions share
  enough (overlap coefficient >= ``SAME_VALUE_OVERLAP``): "children rescued" and "victims
  of child exploitation identified", both 123, become one agreed figure that keeps both
  wordings (``wording_differs``). Two figures with different values are a *conflict* only
  when their descriptions are nearly the same (Jaccard >= ``CONFLICT_JACCARD``), carry the
  same numbers inside them ("under 3" is not "under 12"), come from different sources, and
  have compatible units: "suspects arrested abroad: 23" and "children who reached majority:
  23" share nothing and stay apart. A second pass joins figures that the first left
  apart when their value is distinctive (``distinctive_value``: >= 20 with two
  significant digits, or a fraction; never a year) and, for that value, each source has
  exactly one figure: "children rescued: 123" and "victims identified: 123" become one
  agreed figure flagged ``wording_differs``. A source with two figures of that value,
  partial counts, approximations, measures and conflicts never join this way.
* **Facts** merge when they state the same numbers and their normalised words are close
  (rapidfuzz ``token_sort_ratio`` >= ``FACT_SIMILARITY``, a symmetric measure, so a short
  statement is not swallowed by a longer one that merely contains its words). Facts from
  different sources stating the same distinctive numbers, and no others, need less:
  Jaccard of content stems >= ``FACT_SHARED_NUMBER_JACCARD`` with at least
  ``FACT_SHARED_NUMBER_WORDS`` shared stems ("led to 245 arrests" / "resulted in the
  arrest of 245 suspects" merge; "rescued 123 children" / "identified 123 victims" do not).
* **Actors and places** merge across name variants: one name's words contained in the
  other's with the same last word ("Morton" / "John Morton" / "ICE Director John Morton"),
  or an acronym matching the other's initials ("ICE" / "Immigration and Customs
  Enforcement (ICE)" / "U.S. Immigration and Customs Enforcement"). A short name that fits
  two different full names ("Morton" with "John Morton" and "Jane Morton") joins neither.
* **Times** merge on equal ISO value (else equal normalised text); **quotes** on near-equal
  quoted words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from summarizer.events import Citation, GroundedActor, GroundedFigure, SourceEvent, Usage
from summarizer.numbers import find_numbers
from summarizer.results import (
    Conflict,
    FigureReport,
    FigureStatus,
    MergedActor,
    MergedEvent,
    MergedFact,
    MergedFigure,
    MergedPlace,
    MergedQuote,
    MergedTime,
)
from summarizer.schema import ActorKind, EventType
from summarizer.sources import Source

#: Same value, descriptions sharing at least this share of the smaller one's stems.
SAME_VALUE_OVERLAP = 0.34
#: Different values are one thing in conflict only above this Jaccard of description stems.
CONFLICT_JACCARD = 0.6
#: rapidfuzz token_sort_ratio (0-100) on normalised fact words at or above which facts merge.
FACT_SIMILARITY = 80.0
#: Above this token_sort_ratio two quotes are the same quotation.
QUOTE_SIMILARITY = 90.0
#: Below this Jaccard two sources' wordings of an agreed figure are flagged as differing.
SAME_WORDING_JACCARD = 0.6
#: With the same distinctive numbers, facts from different sources merge at or above this
#: Jaccard of their content stems (numbers excluded) ...
FACT_SHARED_NUMBER_JACCARD = 0.5
#: ... sharing at least this many content stems besides the numbers.
FACT_SHARED_NUMBER_WORDS = 3
#: Smallest integer that can be distinctive enough to match figures or facts on value alone.
DISTINCTIVE_MIN = 20
_YEAR_LIKE = (1000, 2100)

_WORD = re.compile(r"[A-Za-z]+(?:\.[A-Za-z])*\.?|\d+(?:[.,]\d+)*")
_STOPWORD_TEXT = """a an the of in on at to for from by with and or as is are was were be been being
    that this these those it its their his her who whom which what number total count amount
    than into about over during after before since per has have had"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_IRREGULAR = {
    "children": "child",
    "people": "person",
    "persons": "person",
    "men": "man",
    "women": "woman",
    "dead": "kill",
    "death": "kill",
    "deaths": "kill",
    "died": "kill",
    "slain": "kill",
    "killed": "kill",
}
#: Newsroom synonyms folded after stemming; deliberately few: each one is a merge risk.
_SYNONYMS = {
    "apprehend": "arrest",
    "detain": "arrest",
    "wound": "injur",
    "hurt": "injur",
    "individual": "person",
}
_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "dr", "sir", "prof", "the"})
_ACRONYM_SKIP = frozenset({"and", "of", "the", "for", "on", "in", "de", "&"})
_PAREN = re.compile(r"\(([^()]*)\)")


def stem(word: str) -> str:
    """Lemma-ish folding of English inflections: 'arrests'/'arrested' → 'arrest'."""
    word = word.lower().replace(".", "")
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.isdigit():
        return word
    if len(word) > 4 and word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith(("sses", "shes", "ches", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return _SYNONYMS.get(word, word)


def content_stems(text: str) -> list[str]:
    """Stems of the words that say what something is about, in text order."""
    out = []
    for match in _WORD.finditer(text):
        raw = match.group().lower()
        if raw.rstrip(".") in _STOPWORDS:
            continue
        if raw[0].isdigit():
            out.append(raw.replace(",", ""))
        else:
            out.append(stem(raw))
    return out


#: Measure words: sharing only these ("11 years ago", "11-year-old girl") is no evidence
#: that two figures count the same thing.
_MEASURE_WORDS = """year old age day week month hour minute second time percent per cent mile
    km kilometre meter metre dollar euro pound"""
_MEASURE_STEMS = frozenset(stem(word) for word in _MEASURE_WORDS.split())
#: "23 of the suspects", "all but 23": a part of something, never a rival total.
_PARTITIVE_AFTER = re.compile(r"\s*(?:of|out of)\s+(?:the|those|these|them|its|their|whom)\b", re.I)
_PARTITIVE_BEFORE = re.compile(r"\b(?:all but|except|including|among them)\s*$", re.I)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def _same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _citation_key(citation: Citation, order: dict[str, int]) -> tuple[int, str, int, int]:
    return (
        order.get(citation.source_id, len(order)),
        citation.source_id,
        citation.start,
        citation.end,
    )


def _unique_citations(citations: Iterable[Citation], order: dict[str, int]) -> list[Citation]:
    """Distinct spans in source order, then text order."""
    seen: dict[tuple[str, int, int], Citation] = {}
    for citation in citations:
        seen.setdefault((citation.source_id, citation.start, citation.end), citation)
    return sorted(seen.values(), key=lambda c: _citation_key(c, order))


def _source_ids(citations: Iterable[Citation], order: dict[str, int]) -> list[str]:
    ids = {c.source_id for c in citations}
    return sorted(ids, key=lambda s: (order.get(s, len(order)), s))


def _unique_text(values: Iterable[str]) -> list[str]:
    """First-seen distinct strings, compared case- and space-insensitively."""
    seen: dict[str, str] = {}
    for value in values:
        key = " ".join(value.lower().split())
        if key:
            seen.setdefault(key, value.strip())
    return list(seen.values())


# --------------------------------------------------------------------------- figures


@dataclass
class _FigureItem:
    figure: GroundedFigure
    source_id: str
    desc: frozenset[str]
    numbers_in_desc: frozenset[str]
    unit: frozenset[str]
    partitive: bool


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


def _figure_item(figure: GroundedFigure, source_id: str) -> _FigureItem:
    unit = frozenset(content_stems(figure.unit or ""))
    desc = frozenset(content_stems(figure.what)) | unit
    numbers = frozenset(s for s in desc if s[0].isdigit())
    return _FigureItem(figure, source_id, desc, numbers, unit, _is_partitive(figure))


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
            overlap = _overlap(item.desc, new.desc)
            if overlap >= SAME_VALUE_OVERLAP and (item.desc & new.desc) - _MEASURE_STEMS:
                best = max(best, 1.0 + overlap)
        elif (
            item.source_id != new.source_id
            and not item.partitive
            and not new.partitive
            and item.numbers_in_desc == new.numbers_in_desc
            and (not item.unit or not new.unit or bool(item.unit & new.unit))
        ):
            jaccard = _jaccard(item.desc, new.desc)
            if jaccard >= CONFLICT_JACCARD:
                best = max(best, jaccard)
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


def _merge_figures(
    items: Sequence[_FigureItem], order: dict[str, int]
) -> tuple[list[MergedFigure], list[Conflict]]:
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
            source_ids = _source_ids((r.citation for r in reports), order)
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
                    or any(_jaccard(descs[0], d) < SAME_WORDING_JACCARD for d in descs[1:]),
                    reports=reports,
                    source_ids=source_ids,
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
    return sorted(seen.values(), key=lambda r: _citation_key(r.citation, order))


# --------------------------------------------------------------------------- facts


@dataclass
class _FactCluster:
    statement: str
    words: str
    numbers: tuple[float, ...]
    first: int
    score: float
    citations: list[Citation] = field(default_factory=list)

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(self.words.split())


def _fact_numbers(text: str) -> tuple[float, ...]:
    return tuple(sorted(round(m.value, 6) for m in find_numbers(text)))


def _has_distinctive_number(text: str) -> bool:
    return any(distinctive_value(m.value, m.text.strip()) for m in find_numbers(text))


def _number_backed_match(
    clusters: Sequence[_FactCluster], statement: str, words: str, source_id: str
) -> _FactCluster | None:
    """The cluster a fact joins on shared distinctive numbers and a lower word bar, if any.

    Two sources stating the same distinctive numbers (``distinctive_value``: "245", not
    "5" or "2012") and no number the other lacks are likely telling the same thing in
    their own words ("led to 245 arrests" / "resulted in the arrest of 245 suspects"),
    so the bar drops from ``FACT_SIMILARITY`` to a Jaccard of content stems (numbers
    excluded) >= ``FACT_SHARED_NUMBER_JACCARD`` with at least ``FACT_SHARED_NUMBER_WORDS``
    stems in common: a number alone never merges "rescued 123 children" with "identified
    123 victims". Only facts from different sources join this way, so one source's two
    distinct claims are never folded into one.
    """
    if not _has_distinctive_number(statement):
        return None
    numbers = _fact_numbers(statement)
    stems = frozenset(words.split())
    target, best = None, FACT_SHARED_NUMBER_JACCARD
    for cluster in clusters:
        if set(cluster.numbers) != set(numbers):
            continue
        if any(c.source_id == source_id for c in cluster.citations):
            continue
        if len(cluster.stems & stems) < FACT_SHARED_NUMBER_WORDS:
            continue
        similarity = _jaccard(cluster.stems, stems)
        if similarity > best or (target is None and similarity == best):
            target, best = cluster, similarity
    return target


def _merge_facts(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedFact]:
    clusters: list[_FactCluster] = []
    position = 0
    for event in events:
        for fact in event.facts:
            words = " ".join(s for s in content_stems(fact.statement) if not s[0].isdigit())
            numbers = _fact_numbers(fact.statement)
            target = None
            best = FACT_SIMILARITY
            for cluster in clusters:
                if cluster.numbers != numbers:
                    continue
                similarity = fuzz.token_sort_ratio(cluster.words, words)
                if similarity >= best:
                    target, best = cluster, similarity
                    if similarity == 100.0:
                        break
            if target is None:
                target = _number_backed_match(clusters, fact.statement, words, event.source_id)
            if target is None:
                target = _FactCluster(fact.statement, words, numbers, position, fact.score)
                clusters.append(target)
            target.citations.append(fact.citation)
            target.score = max(target.score, fact.score)
            position += 1
    built = []
    for cluster in clusters:
        citations = _unique_citations(cluster.citations, order)
        built.append((cluster, citations, _source_ids(citations, order)))
    built.sort(key=lambda b: (-len(b[2]), -b[0].score, b[0].first))
    return [
        MergedFact(
            id=f"F{index}",
            statement=cluster.statement,
            citations=citations,
            source_ids=source_ids,
            score=cluster.score,
        )
        for index, (cluster, citations, source_ids) in enumerate(built, start=1)
    ]


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class _Name:
    raw: str
    words: tuple[str, ...]
    acronyms: frozenset[str]  # what this name may be abbreviated to
    as_acronym: str | None  # this name read as an acronym ("ICE", "U.S.")


def _name(raw: str) -> _Name:
    """Parse a name into comparable words and acronym keys."""
    parenthetical = [p.strip() for p in _PAREN.findall(raw)]
    outer = _PAREN.sub(" ", raw)
    tokens = [t for t in _WORD.findall(outer) if not t[0].isdigit()]
    words = tuple(w for w in (t.lower().replace(".", "") for t in tokens) if w not in _TITLE_WORDS)
    letters = "".join(
        (t.replace(".", "") if t.replace(".", "").isupper() else t[0]).lower()
        for t in tokens
        if t.lower() not in _ACRONYM_SKIP
    )
    acronyms = {letters} if len(tokens) > 1 else set()
    first = tokens[0].replace(".", "") if tokens else ""
    if len(tokens) > 2 and first.isupper():
        acronyms.add(letters[len(first) :])  # "U.S. Immigration and ..." is also "ICE"
    acronyms.update(p.replace(".", "").lower() for p in parenthetical if p)
    single = tokens[0].replace(".", "") if len(tokens) == 1 else ""
    as_acronym = single.lower() if len(single) >= 2 and single.isupper() else None
    return _Name(raw, words, frozenset(a for a in acronyms if len(a) >= 2), as_acronym)


def _names_match(a: _Name, b: _Name) -> bool:
    if a.words == b.words and a.words:
        return True
    if a.as_acronym and (a.as_acronym in b.acronyms or a.as_acronym == b.as_acronym):
        return True
    if b.as_acronym and b.as_acronym in a.acronyms:
        return True
    if not a.words or not b.words or a.words[-1] != b.words[-1]:
        return False
    short, long = sorted((a, b), key=lambda n: len(n.words))
    return set(short.words) <= set(long.words)


def _names_clash(a: _Name, b: _Name) -> bool:
    """Two full names that cannot be the same entity ('John Morton' vs 'Jane Morton')."""
    return len(a.words) > 1 and len(b.words) > 1 and not _names_match(a, b)


def _cluster_names(names: Sequence[_Name], compatible: Callable[[int, int], bool]) -> list[int]:
    """Cluster index per name: longest names found clusters, shorter ones join when unambiguous."""
    by_length = sorted(range(len(names)), key=lambda i: (-len(names[i].words), i))
    clusters: list[list[int]] = []
    assignment = [-1] * len(names)
    for i in by_length:
        fits = [
            c
            for c, members in enumerate(clusters)
            if any(_names_match(names[i], names[m]) and compatible(i, m) for m in members)
            and not any(_names_clash(names[i], names[m]) for m in members)
        ]
        if len(fits) == 1:
            clusters[fits[0]].append(i)
            assignment[i] = fits[0]
        else:
            clusters.append([i])
            assignment[i] = len(clusters) - 1
    return assignment


def _display_name(variants: Sequence[str]) -> str:
    """The most used multi-word variant (fewest words on ties), else the most used name."""
    counts = Counter(variants)
    first_seen = {v: i for i, v in reversed(list(enumerate(variants)))}
    multi = [v for v in counts if len(v.split()) > 1] or list(counts)
    return min(multi, key=lambda v: (-counts[v], len(v.split()), first_seen[v]))


def _merge_actors(mentions: Sequence[GroundedActor], order: dict[str, int]) -> list[MergedActor]:
    names = [_name(m.name) for m in mentions]

    def compatible(i: int, j: int) -> bool:
        ki, kj = mentions[i].kind, mentions[j].kind
        return ki == kj or ActorKind.OTHER in (ki, kj)

    assignment = _cluster_names(names, compatible)
    grouped: dict[int, list[int]] = {}
    for index, cluster in enumerate(assignment):
        grouped.setdefault(cluster, []).append(index)
    built = []
    for members in grouped.values():
        members.sort()
        group = [mentions[i] for i in members]
        citations = _unique_citations((m.citation for m in group), order)
        variants = [m.name.strip() for m in group]
        name = _display_name(variants)
        kinds = Counter(m.kind for m in group)
        kind = max(kinds, key=lambda k: (kinds[k], -[m.kind for m in group].index(k)))
        actor = MergedActor(
            id="",
            name=name,
            kind=kind,
            aliases=[v for v in _unique_text(variants) if v != name],
            roles=_unique_text(m.role for m in group),
            citations=citations,
            source_ids=_source_ids(citations, order),
        )
        built.append((members[0], len(group), actor))
    built.sort(key=lambda b: (-len(b[2].source_ids), -b[1], b[0]))
    return [
        actor.model_copy(update={"id": f"A{index}"})
        for index, (_, _, actor) in enumerate(built, start=1)
    ]


def _merge_places(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedPlace]:
    mentions = [p for e in events for p in e.where]
    names = [_name(p.name) for p in mentions]
    assignment = _cluster_names(names, lambda i, j: True)
    grouped: dict[int, list[int]] = {}
    for index, cluster in enumerate(assignment):
        grouped.setdefault(cluster, []).append(index)
    clusters = sorted((sorted(m) for m in grouped.values()), key=lambda m: m[0])
    out = []
    for index, members in enumerate(clusters, start=1):
        group = [mentions[i] for i in members]
        variants = [p.name.strip() for p in group]
        name = _display_name(variants)
        citations = _unique_citations((p.citation for p in group), order)
        out.append(
            MergedPlace(
                id=f"P{index}",
                name=name,
                aliases=[v for v in _unique_text(variants) if v != name],
                citations=citations,
                source_ids=_source_ids(citations, order),
            )
        )
    return out


def _merge_times(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedTime]:
    grouped: dict[str, list[int]] = {}
    mentions = [t for e in events for t in e.when]
    for index, time in enumerate(mentions):
        key = (time.iso or "").strip() or " ".join(content_stems(time.text)) or time.text
        grouped.setdefault(key, []).append(index)
    out = []
    for index, members in enumerate(grouped.values(), start=1):
        first = mentions[members[0]]
        citations = _unique_citations((mentions[i].citation for i in members), order)
        out.append(
            MergedTime(
                id=f"T{index}",
                text=first.text,
                iso=first.iso,
                citations=citations,
                source_ids=_source_ids(citations, order),
            )
        )
    return out


def _merge_quotes(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedQuote]:
    clusters: list[tuple[str, str, list[Citation]]] = []
    for event in events:
        for quote in event.quotes:
            words = " ".join(content_stems(quote.citation.quote))
            for _, cluster_words, citations in clusters:
                if fuzz.token_sort_ratio(cluster_words, words) >= QUOTE_SIMILARITY:
                    citations.append(quote.citation)
                    break
            else:
                clusters.append((quote.speaker, words, [quote.citation]))
    out = []
    for index, (speaker, _, citations) in enumerate(clusters, start=1):
        unique = _unique_citations(citations, order)
        out.append(
            MergedQuote(
                id=f"Q{index}",
                speaker=speaker,
                text=citations[0].quote,
                citations=unique,
                source_ids=_source_ids(unique, order),
            )
        )
    return out


# --------------------------------------------------------------------------- entry point


def merge_events(events: Sequence[SourceEvent], sources: Sequence[Source]) -> MergedEvent:
    """Merge per-source events; the order of ``sources`` is the canonical order."""
    order = {source.id: index for index, source in enumerate(sources)}
    ordered = sorted(events, key=lambda e: (order.get(e.source_id, len(order)), e.source_id))
    source_ids = [e.source_id for e in ordered]
    types = Counter(e.event_type for e in ordered)
    event_type = (
        max(types, key=lambda t: (types[t], -[e.event_type for e in ordered].index(t)))
        if types
        else EventType.OTHER
    )
    figure_items = [_figure_item(f, e.source_id) for e in ordered for f in e.figures]
    figures, conflicts = _merge_figures(figure_items, order)
    return MergedEvent(
        source_ids=list(dict.fromkeys(source_ids)),
        headlines=[e.headline for e in ordered],
        event_type=event_type,
        facts=_merge_facts(ordered, order),
        figures=figures,
        conflicts=conflicts,
        actors=_merge_actors([a for e in ordered for a in e.actors], order),
        places=_merge_places(ordered, order),
        times=_merge_times(ordered, order),
        quotes=_merge_quotes(ordered, order),
        extractors=list(dict.fromkeys(e.extractor for e in ordered)),
        prompt_hashes=list(dict.fromkeys(e.prompt_hash for e in ordered if e.prompt_hash)),
        usage=sum((e.usage for e in ordered), Usage()),
    )
