"""Figures for the built-in extractor: each number with the noun phrase of what it counts.

Numbers come from ``summarizer.text.numbers.find_numbers`` (digits, "1,655", word numbers
such as "five"). A figure is only worth a row in a table when the reader can tell what was
counted, so a number is reported only when a *noun phrase* for it can be found, built from
the source's own words by a few syntax-ish rules of English news prose:

* the noun phrase that follows it ("245 people", "19 different states", "23 of the
  suspects" → "suspects"), with the participle that says what happened to it ("245 people
  were arrested" → "people arrested", "13 of the children were rescued outside the United
  States" → "children rescued outside the United States") or the event word governing it
  ("the arrest of 245 people" → "arrest of people", "identified 123 victims" → "victims
  identified");
* for a bare count followed by a predicate ("Five were under age 3", "Among the children,
  45 were under 12 years old, including five less than three years old"), the group it
  belongs to ("of the children", "among the victims", in the sentence or earlier in the
  same paragraph), followed by the predicate without its copula: "children under age 3";
* a measure ("30 minutes", "95 percent") names what it measures through "of" ("90 per
  cent of adult predators" → "adult predators") or the noun or verb just before it ("a
  penalty of up to six months", "It will cost $4 million"); an age written "11-year-old
  girl" or "a girl thought to be around 13" is the "age of girl" in years.

A number for which none of these finds a noun ("when he was 17", "compared to about 85%",
"the leading barbs and 30") is not reported: a window of words is not a label. Years,
calendar days, clock times and time references ("11 years ago", "two months earlier") are
times, not figures (``builtin_times`` has them); ratios ("four times more") and numbers
glued to a name ("2Day FM") count nothing.

A figure whose sentence places it in another time than the cluster's own ("In 2012, a
record 1,655 people were arrested", "last year", "a case from 2011") is kept but marked
``background`` with those words, so the reader sees it is context, not the event's count,
and the merger never sets it against the event's own figures.

Labels are joins of source spans (plus the fixed words "age of"), so every label can be
rebuilt from offsets; the citation grows to cover the words the label uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.core.events import GroundedFigure
from summarizer.core.source import Source
from summarizer.extract.builtin.periods import background_context, cluster_year
from summarizer.extract.builtin.phrases import (
    NOT_NOUN,
    PREPOSITIONS,
    QUALIFIER_BEFORE,
    QUANTITY_WORDS,
    STOP,
    Part,
    complement,
    compound_preposition,
    in_name_or_code,
    is_number,
    is_verb,
    join_parts,
    noun_phrase,
    past_participle,
    plural_head,
    possessor,
    predicate,
    spans,
    verb_cut_off,
    word_run,
)
from summarizer.extract.builtin.spans import cite
from summarizer.text.numbers import find_numbers

__all__ = ["FoundFigure", "cluster_year", "find_figures", "found_figures", "join_parts"]

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s*$", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^\s*(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{_MONTHS})\b", re.IGNORECASE)
_CLOCK_AFTER = re.compile(r"^(?::\d\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o['’]clock))", re.IGNORECASE)
_APPROX_BEFORE = re.compile(
    r"\b(?:about|around|nearly|almost|some|roughly|approximately|an estimated|estimated|"
    r"more than|over|at least|up to|less than|fewer than|under|as many as)\s*$",
    re.IGNORECASE,
)
#: Bounds ("under 12", "more than 40") are cited with the number but are not estimates.
_BOUND = re.compile(r"^(?:more than|over|at least|up to|less than|fewer than|under|as many as)")
_UNITS_AFTER = re.compile(
    r"^\s*(%|percent\b|per cent\b|(?:million|billion|trillion)?\s*"
    r"(?:dollars|euros|pounds|yuan|yen|francs|rupees|pesos|rubles|roubles)\b|kilometers?\b|kilometres?\b|km\b|miles?\b|"
    r"meters?\b|metres?\b|feet\b|foot\b|tons?\b|tonnes?\b|kg\b|kilograms?\b|pounds?\b|"
    r"degrees?\b|hours?\b|minutes?\b|seconds?\b|days?\b|weeks?\b|months?\b|years?\b|"
    r"decades?\b|centuries\b|"
    r"mm\b|cm\b|mph\b|mg\b|MW\b|GW\b|kW\b|acres?\b|hectares?\b|inch(?:es)?\b|"
    r"lit(?:er|re)s?\b|gallons?\b|cents?\b|radii\b|points?\b)",
    re.IGNORECASE,
)
#: "11 years ago", "two months earlier", "30 minutes later": a time, not a figure.
_TIME_AGO = re.compile(
    r"^\s*(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|"
    r"centuries)\s+(?:ago|earlier|later|before|after|afterwards?|from now|prior)\b",
    re.IGNORECASE,
)
#: "four times more", "3 times a day": a ratio or a frequency counts no thing.
_RATIO = re.compile(
    r"^\s*(?:more\s+|fewer\s+)?(?:times|fold)\b|^-fold\b|^\s+in\s+(?:\d|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|every)",
    re.IGNORECASE,
)
#: Letters glued to digits that still leave a count ("5km", "4m" is read by find_numbers).
_GLUED_OK = re.compile(r"(?:km|kg|mm|cm|m|mph|ft|lb|lbs|%)\b", re.IGNORECASE)
_CURRENCY_BEFORE = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}


def _is_date_or_year(text: str, start: int, end: int, raw: str) -> bool:
    before, after = text[max(0, start - 12) : start], text[end : end + 16]
    if re.fullmatch(r"1[5-9]\d\d|20\d\d", raw) and not _UNITS_AFTER.match(after):
        return True
    return bool(
        _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after) or _CLOCK_AFTER.match(after)
    )


#: Quantity words that govern a number without saying what happened ("a total of 40").
_NOT_GOVERNORS = frozenset(
    """
    total number group crowd team list series set pair couple dozens hundreds thousands
    millions billions batch handful majority minority sum average age ages rate record range
    maximum minimum one some all each most many none any out part half share lot lots score
    height weight value cost price estimated aged including excluding during according
    exceeding totaling totalling numbering nothing something morning evening building
    ceiling wedding meeting spending funding bring string thing king ring nearly roughly
    included includes comprised contained totaled totalled reached exceeded
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_NOUN_OF_BEFORE = re.compile(r"\b([a-z]{4,})\s+of\s*$")
_VERB_BEFORE = re.compile(r"\b([a-z]{3,}(?:ed|ing))\s*$")
_PARTICIPLE_AFTER = re.compile(
    r"\s+(?:(?:were|was|are|is|have been|has been|had been|will be|being|have|has|had)\s+)?"
    r"(?:(?:also|later|reportedly|allegedly|all|since|then|now)\s+)?([a-z]{3,}(?:ed|en))\b"
)
_QUALIFIER_AFTER = re.compile(
    r"\s+((?:aged|ages|under|over)\s+\d+(?:\s*(?:to|and|-)\s*\d+)?(?:\s+years\s+old)?)\b"
)
_SECOND_GROUP = re.compile(
    r"(?:\s+[a-z]+ed)?\s+(?:for|of|on|about|involving|against)\s+(?:the\s+)?(?:[a-z]+\s+)?"
    r"[a-z]+s\b"
)
_NOT_PARTICIPLES = frozenset({"aged", "based", "been", "even", "often", "seen", "then"})
#: The group a bare count belongs to: "Of the 123 victims, 110 ...", "Among the children,
#: 45 were ...", "Several of the children were young. Five were under age 3."
_GROUP = re.compile(
    r"\b(?:[Oo]f|[Aa]mong)\s+(?:the|those|these|its|their|all)\s+(?:[\d,.]+\s+)?"
    r"([a-z][a-z-]{2,})\b"
)
_MEASURE_COMPOUND = re.compile(
    r"-(year|month|week|day|hour|minute|mile|kilometre|kilometer|meter|metre|foot|"
    r"acre|ton|tonne|story|storey|point|man|member)s?([- ]old)?\b-?",
    re.IGNORECASE,
)
#: A person noun linked to a bare number: "a girl thought to be around 13", "a boy aged 9".
_LINK_BEFORE = re.compile(
    r"\b([a-z][a-z-]+)(?:\s+[a-z][a-z-]+)?\s+(?:(?:who\s+)?(?:is|was|now|thought to be|"
    r"believed to be|said to be|aged|age)\s+)+$"
)


@dataclass(frozen=True)
class FoundFigure:
    """A figure before it becomes a ``GroundedFigure``: the label as parts.

    A part is a ``(start, end)`` span of the source text or a fixed connective ("age of");
    ``label`` joins them with spaces. Kept so that a labelled sample can store a figure by
    reference (offsets) and rebuild its label without copying the text.
    """

    parts: tuple[Part, ...]
    value: float
    value_span: tuple[int, int]
    unit: str | None
    approximate: bool
    start: int
    end: int
    background: str | None

    def label(self, text: str) -> str:
        return join_parts(text, self.parts)


def _group_before(text: str, paragraph: int, start: int) -> tuple[tuple[int, int], int] | None:
    """The noun of the group a bare count belongs to, in this paragraph before ``start``,
    and where its phrase ("Of the 123 victims") starts."""
    found = None
    for match in _GROUP.finditer(text, max(paragraph, start - 400), start):
        word = match.group(1)
        if word not in NOT_NOUN and not is_verb(word) and not is_number(word):
            # "Of the 313 reports filed for missing adults": two groups, whose is unknown
            second = _SECOND_GROUP.match(text, match.end(1), start)
            found = None if second else (match.span(1), match.start())
    return found


def _governor_before(text: str, floor: int, start: int) -> tuple[tuple[int, int], str] | None:
    """The event word governing a number from before it: "the arrest of 245" (noun),
    "identified 123" (verb)."""
    before = text[floor:start]
    noun = _NOUN_OF_BEFORE.search(before)
    counted = noun and re.search(
        r"(?:\d|\b[a-z]+teen|\b(?:two|three|four|five|six|seven|eight|"
        r"nine|ten|twelve|twenty|thirty|forty|fifty|hundred))\s+(?:\w+\s+)?$",
        before[: noun.start(1)],
    )
    if noun and noun.group(1) not in _NOT_GOVERNORS and not counted:
        return (floor + noun.start(1), floor + noun.end(1)), "noun"
    verb = _VERB_BEFORE.search(before)
    if verb and verb.group(1) not in _NOT_GOVERNORS:
        return (floor + verb.start(1), floor + verb.end(1)), "verb"
    return None


def _word_before(text: str, floor: int, start: int) -> tuple[int, int] | None:
    """The noun a measure hangs from ("a penalty of six months", "sales of 27 percent"):
    without one the measure names nothing."""
    match = re.search(r"([a-z][a-z-]{2,})\s+of\s*$", text[floor:start])
    if match is None:
        return None
    word = match.group(1)
    if word in NOT_NOUN or word in STOP or is_verb(word) or word in _NOT_GOVERNORS:
        return None
    if word in QUANTITY_WORDS or compound_preposition(text, floor, floor + match.start(1)):
        return None  # "a bid of $17,525", "in the region of $1.5bn": no thing measured
    return floor + match.start(1), floor + match.end(1)


@dataclass
class _Context:
    """Per-source state: where paragraphs start, for the group of a bare count."""

    text: str
    paragraph_starts: list[int]

    def paragraph(self, pos: int) -> int:
        return max((p for p in self.paragraph_starts if p <= pos), default=0)


def _describe(
    ctx: _Context, floor: int, start: int, end: int, limit: int, value: float
) -> tuple[list[Part], int, int, str | None] | None:
    """Label parts, citation start and end, and unit of the number at ``[start, end)``.

    ``floor`` is where the sentence starts (context never crosses it, except for the group
    of a bare count); ``start`` may already include an approximation word ("about 123").
    """
    text = ctx.text
    compound = _MEASURE_COMPOUND.match(text, end, limit)
    if compound:  # "five-week operation", "11-year-old girl"
        unit = compound.group(1).lower() + "s"
        if text[compound.end() - 1] == "-" and not compound.group(2):
            return None  # "10-foot-high probe", "2-year-olds": the compound goes on
        phrase, _ = noun_phrase(text, compound.end(), limit)
        if not phrase or phrase[-1][0].lower().removesuffix("s") in QUANTITY_WORDS:
            return None  # "30-day period", "five-year survival rate": the span of a measure
        what_end = phrase[-1][2]
        if compound.group(2):  # an age: "11-year-old girl" is the girl's age in years
            return ["age of", *possessor(phrase)], start, what_end, "years"
        return spans(phrase), start, what_end, unit
    unit_match = _UNITS_AFTER.match(text[end:limit])
    if unit_match:  # "95 percent of voters", "a penalty of six months", "cost $4 million"
        unit_end = end + unit_match.end()
        phrase, _ = noun_phrase(text, unit_end, limit)
        if phrase and text[unit_end : phrase[0][1]].strip().lower().startswith("of"):
            if _SPAN_UNIT.match(unit_match.group(1)) or _generic(phrase):
                return None  # "four years of increases": it counts years, not increases
            return spans(phrase), start, phrase[-1][2], None
        before = _word_before(text, floor, start)
        if before is None:
            return None
        return [before], before[0], unit_end, None
    following = word_run(text, end, limit)
    first = following[0][0].lower() if following else ""
    second = following[1][0] if len(following) > 1 else ""
    # "five less than three years old", "45 under 12": a bound, not "six more countries".
    bound = (first in {"less", "more", "fewer", "older", "younger"} and second == "than") or (
        first in {"under", "over", "between", "aged", "below", "above"} and is_number(second)
    )
    if first and (is_verb(first) or bound):
        group = _group_before(text, ctx.paragraph(floor), start)
        rest = predicate(text, end, limit)
        if group is None or not rest:
            return None
        noun, phrase_start = group
        # The evidence is the count's own sentence; the group may come from an earlier one.
        lead = min(phrase_start, start) if phrase_start >= floor else start
        return [noun, *spans(rest)], lead, rest[-1][2], None
    phrase, partitive = noun_phrase(text, end, limit)
    if not phrase:
        link = _LINK_BEFORE.search(text, floor, start)
        bracket = re.match(r"\s*(?:to|and|-|–)\s*\d", text[end:limit])  # "aged 18 to 49"
        age = value.is_integer() and 0 < value <= 120 and not bracket
        words = word_run(text, link.start(1), link.end()) if link and age else []
        nouns = [w for w in words[:2] if not _is_link(w[0])]
        closed = NOT_NOUN | STOP | PREPOSITIONS
        # The head must be a noun; a modifier may be a participle ("unidentified girl").
        if (
            nouns
            and not any(w.lower() in closed | QUANTITY_WORDS for w, _, _ in nouns)
            and not is_verb(nouns[-1][0])
        ):  # not "their average age was 7": the age of whom is not said
            return ["age of", *spans(nouns)], nouns[0][1], end, "years"
        if _CURRENCY_SIGN.search(text[max(floor, start - 1) : end]):
            before = _word_before(text, floor, start)
            if before is not None:
                return [before], before[0], end, None
        return None
    money = _CURRENCY_SIGN.search(text[max(floor, start - 1) : end]) is not None
    if not money and value > 1 and not plural_head(phrase):
        return None
    if len(phrase) == 1 and phrase[0][0].lower() in QUANTITY_WORDS:
        return None  # "a 50% stake", "$15,000 worth": a quantity of something unnamed
    if len(phrase) <= 2 and _UNITS_AFTER.match(" " + phrase[-1][0]):
        # "2 more weeks", "three straight days": a measure after all, naming nothing
        before = _word_before(text, floor, start)
        return None if before is None else ([before], before[0], phrase[-1][2], None)
    parts: list[Part] = spans(phrase)
    lead, what_end = start, phrase[-1][2]
    qualifier = _QUALIFIER_AFTER.match(text, what_end, limit)
    if qualifier:  # "17 workers aged 18 to 25": the bound belongs to what is counted
        parts.append(qualifier.span(1))
        what_end = qualifier.end()
    participle = _PARTICIPLE_AFTER.match(text, what_end, limit)
    if _ALL_BUT.search(text, floor, start):
        participle = None  # "All but 23 of the suspects were apprehended here": not those 23
    if re.search(r"\b(?:to|of|from|for|with|by|among|belonging)\s+$", text[floor:start]):
        participle = None  # "belonging to 70 million people had been stolen": not their verb
    extra = complement(text, participle.end(), limit) if participle else []
    if participle and not extra:
        passive = re.search(r"\b(?:were|was|are|is|been|being)\s", participle.group())
        if verb_cut_off(text, participle.end(), limit, passive is not None):
            participle = None  # "women accosted him", "victims pronounced dead"
    if participle and participle.group(1) not in _NOT_PARTICIPLES | STOP:
        parts.append(participle.span(1))
        what_end = participle.end()
        if extra:
            parts += spans(extra)
            what_end = extra[-1][2]
    elif not partitive and (governor := _governor_before(text, floor, start)):
        # "the arrest of 245 people", "identified 123 victims"; an "-ing" verb ("having
        # eight objects", "killing three people") would open the label with a verb: left out.
        # A part ("the winner of five of those contests", "showed 59% of investors") has
        # none: the word before governs the part, not the group the label names.
        span, kind = governor
        if kind == "noun":
            lead, parts = span[0], [span, "of", *parts]
        elif not text[span[0] : span[1]].endswith("ing"):
            lead, parts = span[0], [*parts, span]
        elif _generic(phrase):  # "wounding 12 people" → "people wounded"
            lead, parts = span[0], [*parts, past_participle(text[span[0] : span[1]])]
    elif _generic(phrase) and (verb := _FINITE_AFTER.match(text, what_end, limit)):
        # "2 million people saw the Shroud": a generic noun takes its verb and object,
        # unless the object is not a phrase it can hold ("people approached them")
        extra = complement(text, verb.end(), limit)
        if extra or not verb_cut_off(text, verb.end(), limit, passive=False):
            parts.append(verb.span(1))
            what_end = extra[-1][2] if extra else verb.end()
            parts += spans(extra)
    if _generic(phrase) and len(parts) == len(phrase):
        return None  # "12 people", "five others": nothing says which ones
    return parts, lead, what_end, None


_ALL_BUT = re.compile(r"\b(?:all but|except|except for|other than)\s*$", re.IGNORECASE)
#: Nouns that count without saying what: alone they are no label ("12 people").
_GENERIC_NOUNS = frozenset("people persons others ones things guys folks".split())  # noqa: SIM905
_FINITE_AFTER = re.compile(
    r"\s+(?:(?:have|has|had)\s+)?("
    r"won|got|made|took|came|went|gave|saw|told|found|left|kept|held|led|ran|met|paid|sold|"
    r"sent|spent|stood|brought|bought|fought|lost|became|began|fell|grew|knew|died|fled|"
    r"[a-z]{3,}ed)\b"
)


def _generic(phrase: list[tuple[str, int, int]]) -> bool:
    return all(w.lower() in _GENERIC_NOUNS for w, _, _ in phrase)


_CURRENCY_SIGN = re.compile(r"[$€£¥]")
#: Units of time: "four years of increases" is how long, not how many increases.
_SPAN_UNIT = re.compile(r"(?:second|minute|hour|day|week|month|year|decade|centur)", re.I)


def _is_link(word: str) -> bool:
    return word.lower() in {
        *("who is was now thought believed said to be aged age".split()),  # noqa: SIM905
    }


def _sentence_span(source: Source, pos: int) -> tuple[int, int]:
    for start, end in source.sentences:
        if start <= pos < end:
            return start, end
    newline = source.text.find("\n", pos)
    floor = source.text.rfind("\n", 0, pos) + 1
    return floor, len(source.text) if newline < 0 else newline


def _paragraph_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\n\s*\n|\n", text))]


def found_figures(source: Source, own_year: int | None = None) -> list[FoundFigure]:
    """Every counted number in ``source`` with the parts of its label (``FoundFigure``)."""
    text = source.text
    ctx = _Context(text, _paragraph_starts(text))
    figures: list[FoundFigure] = []
    seen: set[tuple[float, str]] = set()
    qualified_until = -1  # end of the last figure's description
    for mention in find_numbers(text):
        if _is_date_or_year(text, mention.start, mention.end, mention.text):
            continue
        after = text[mention.end : mention.end + 24]
        if _TIME_AGO.match(after) or _RATIO.match(after):
            continue
        if after[:1].isalpha() and not _GLUED_OK.match(after):
            continue  # "2Day FM", "Myr9": a number glued to a name counts nothing
        if re.search(r"\d(?:st|nd|rd|th)$", mention.text) or re.match(r"(?:st|nd|rd|th)\b", after):
            continue  # "the 1st", "3rd percentile": ordinals rank, they do not count
        if re.match(r"-[A-Za-z]", after) and not _MEASURE_COMPOUND.match(after):
            continue  # "4-C", "two-term", "3.5-feet-wide": part of a compound word
        floor, limit = _sentence_span(source, mention.start)
        if in_name_or_code(text, floor, mention.start, mention.end):
            continue
        if mention.start < qualified_until and QUALIFIER_BEFORE.search(
            text[max(floor, mention.start - 12) : mention.start]
        ):
            continue  # "45 were under 12 years old": 12 bounds the 45, it counts nothing
        start = mention.start
        sign_inside = mention.text[:1] in _CURRENCY_BEFORE  # find_numbers keeps "$" in "$4m"
        currency = mention.text[:1] if sign_inside else text[max(0, start - 1) : start]
        if currency in _CURRENCY_BEFORE and not sign_inside:
            start -= 1
        window = max(floor, start - 24)
        approx = _APPROX_BEFORE.search(text[window:start])
        if approx:
            start = window + approx.start()
        described = _describe(ctx, floor, start, mention.end, limit, float(mention.value))
        if described is None:
            continue
        parts, lead, what_end, unit = described
        what = join_parts(text, parts)
        if not what or (mention.value, what.lower()) in seen:
            continue
        seen.add((mention.value, what.lower()))
        if currency in _CURRENCY_BEFORE:
            unit = _CURRENCY_BEFORE[currency]
        elif unit is None and (unit_match := _UNITS_AFTER.match(text[mention.end : limit])):
            unit = unit_match.group(1).strip().lower()
        start = min(start, lead)
        what_end = max(what_end, mention.end)
        qualified_until = max(qualified_until, what_end)
        figures.append(
            FoundFigure(
                parts=tuple(parts),
                value=float(mention.value),
                value_span=(mention.start, mention.end),
                unit=unit,
                approximate=approx is not None and not _BOUND.match(approx.group().lower()),
                start=start,
                end=what_end,
                background=background_context(text[floor:limit], own_year),
            )
        )
    return figures


def find_figures(source: Source, own_year: int | None = None) -> list[GroundedFigure]:
    """Every counted number in ``source`` with its label, unit, approximation flag and,
    for figures of another period than ``own_year`` (``cluster_year``), its background."""
    out = []
    for found in found_figures(source, own_year):
        citation = cite(source, found.start, found.end)
        out.append(
            GroundedFigure(
                what=found.label(source.text),
                value=found.value,
                unit=found.unit,
                approximate=found.approximate,
                evidence=citation.quote,
                citation=citation,
                background=found.background,
            )
        )
    return out
