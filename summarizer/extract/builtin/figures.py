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
from summarizer.extract.builtin.spans import cite
from summarizer.text.numbers import find_numbers, parse_number

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s*$", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^\s*(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{_MONTHS})\b", re.IGNORECASE)
_CLOCK_AFTER = re.compile(r"^(?::\d\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock))", re.IGNORECASE)
_APPROX_BEFORE = re.compile(
    r"\b(?:about|around|nearly|almost|some|roughly|approximately|an estimated|estimated|"
    r"more than|over|at least|up to|less than|fewer than|under|as many as)\s*$",
    re.IGNORECASE,
)
#: Bounds ("under 12", "more than 40") are cited with the number but are not estimates.
_BOUND = re.compile(r"^(?:more than|over|at least|up to|less than|fewer than|under|as many as)")
_UNITS_AFTER = re.compile(
    r"^\s*(%|percent\b|per cent\b|(?:million|billion|trillion)?\s*"
    r"(?:dollars|euros|pounds|yuan|yen)\b|kilometers?\b|kilometres?\b|km\b|miles?\b|"
    r"meters?\b|metres?\b|feet\b|foot\b|tons?\b|tonnes?\b|kg\b|kilograms?\b|pounds?\b|"
    r"degrees?\b|hours?\b|minutes?\b|seconds?\b|days?\b|weeks?\b|months?\b|years?\b|"
    r"mm\b|cm\b|mph\b|mg\b|MW\b|GW\b|kW\b|acres?\b|hectares?\b|inch(?:es)?\b)",
    re.IGNORECASE,
)
#: "11 years ago", "two months earlier", "30 minutes later": a time, not a figure.
_TIME_AGO = re.compile(
    r"^\s*(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|"
    r"centuries)\s+(?:ago|earlier|later|before|after|afterwards?|from now|prior)\b",
    re.IGNORECASE,
)
#: "four times more", "3 times a day": a ratio or a frequency counts no thing.
_RATIO = re.compile(r"^\s*(?:times|fold)\b|^-fold\b", re.IGNORECASE)
#: Letters glued to digits that still leave a count ("5km", "4m" is read by find_numbers).
_GLUED_OK = re.compile(r"(?:km|kg|mm|cm|m|mph|ft|lb|lbs|%)\b", re.IGNORECASE)
_CURRENCY_BEFORE = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
#: Words after which the counted phrase has ended.
_STOP = frozenset(
    """
    and or but that which who whom whose when where while because after before since
    during from to in on at by for with as than about said says according if though
    although including like per each apiece annually now currently last over upon into
    under above below across via against among between off out up down back away
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Words that end a predicate ("were under 12 years old, including ..."): clause openers.
_CLAUSE_STOP = frozenset(
    """
    and or but that which who whom whose when where while because after before since
    during said says according if though although including as
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_COPULA = frozenset("is are was were be been being".split())  # noqa: SIM905
_AUX = frozenset(
    "has have had will would could can may might must should shall do does did".split()  # noqa: SIM905
)
#: Words that never head or end a noun phrase: articles, pronouns, negation.
_NOT_NOUN = frozenset(
    """
    a an the this these those that it its he she they we you i them him her his their our
    us me my your not no there here then also just only very so such one ones
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: "-ing" words that are nouns ("three buildings", "two meetings"), not participles.
_ING_NOUNS = frozenset(
    """
    building meeting wedding funding spending housing training hearing killing shooting
    bombing morning evening ceiling painting recording offering filing listing opening
    ending setting ruling warning earnings savings
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_MAX_NP_WORDS = 4
_MAX_PREDICATE_WORDS = 7
_MAX_COMPLEMENT_WORDS = 4
_TIME_WORDS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    tonight morning afternoon evening night week weekend month year time
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_PREPOSITIONS = frozenset(
    "in on at from to for by with of outside inside into near across abroad overseas".split()  # noqa: SIM905
)


def _is_date_or_year(text: str, start: int, end: int, raw: str) -> bool:
    before, after = text[max(0, start - 12) : start], text[end : end + 16]
    if re.fullmatch(r"1[5-9]\d\d|20\d\d", raw) and not _UNITS_AFTER.match(after):
        return True
    return bool(
        _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after) or _CLOCK_AFTER.match(after)
    )


#: Words after which a number only bounds another figure ("under 12", "ages of 4").
_QUALIFIER_BEFORE = re.compile(
    r"\b(?:under|over|than|aged?|ages|of|between|and|to|or|older|younger|below|above)\s*$",
    re.IGNORECASE,
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
_NOT_PARTICIPLES = frozenset({"aged", "based", "been", "even", "often", "seen", "then"})
#: The group a bare count belongs to: "Of the 123 victims, 110 ...", "Among the children,
#: 45 were ...", "Several of the children were young. Five were under age 3."
_GROUP = re.compile(
    r"\b(?:[Oo]f|[Aa]mong)\s+(?:the|those|these|its|their|all)\s+(?:[\d,.]+\s+)?"
    r"([a-z][a-z-]{2,})\b"
)
_MEASURE_COMPOUND = re.compile(
    r"-(year|month|week|day|hour|minute|mile|kilometre|kilometer|meter|metre|foot|"
    r"acre|ton|tonne|story|storey|point|man|member)s?(-old)?\b-?",
    re.IGNORECASE,
)
#: A person noun linked to a bare number: "a girl thought to be around 13", "a boy aged 9".
_LINK_BEFORE = re.compile(
    r"\b([a-z][a-z-]+)(?:\s+[a-z][a-z-]+)?\s+(?:(?:who\s+)?(?:is|was|now|thought to be|"
    r"believed to be|said to be|aged|age)\s+)+$"
)
_YEAR = r"(?:1[89]\d\d|20\d\d)"
#: Words placing a sentence in another period than the event's: "In 2012", "last year".
_PERIOD = re.compile(
    rf"\b(?:(?:in|since|during|from|for|by|until|through|of)\s+(?:the\s+)?"
    rf"(?:(?:early|late|mid-?)\s*)?({_YEAR})s?\b(?!\s*[,/-]?\s*\d)|({_YEAR})(?:'s|’s)\b"
    r"|last\s+(?:year|season|decade)\b|(?:the\s+)?(?:previous|prior)\s+(?:year|season|decade)\b"
    r"|a\s+(?:year|decade)\s+(?:earlier|ago|before)\b|decades\s+ago\b)",
    re.IGNORECASE,
)

Part = tuple[int, int] | str
Word = tuple[str, int, int]


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


def join_parts(text: str, parts: tuple[Part, ...] | list[Part]) -> str:
    """The label text of ``parts`` (spans of ``text`` or fixed words), space-joined."""
    out = [p if isinstance(p, str) else text[p[0] : p[1]] for p in parts]
    return " ".join(" ".join(out).split())


def _words(text: str, pos: int, limit: int, gaps: str = r"[ \t]*-[ \t]*|[ \t]*") -> list[Word]:
    """Words from ``pos`` while only spaces (or a hyphen) separate them: punctuation ends."""
    out: list[Word] = []
    while pos < limit and len(out) < 12:
        gap = re.match(gaps, text[pos:limit])
        step = gap.end() if gap else 0
        if out and step == 0:
            break
        if not out and step == 0 and pos < limit and not text[pos].isalnum():
            break
        match = _WORD.match(text, pos + step, limit)
        if not match:
            break
        out.append((match.group(), match.start(), match.end()))
        pos = match.end()
    return out


def _is_verb(word: str) -> bool:
    lower = word.lower()
    if lower in _COPULA or lower in _AUX:
        return True
    return word.islower() and len(lower) > 3 and lower.endswith("ed") and not lower.endswith("eed")


def _noun_phrase(text: str, pos: int, limit: int) -> tuple[list[Word], bool]:
    """The noun phrase starting at ``pos`` and whether it was a part ("of the suspects")."""
    words = _words(text, pos, limit)
    partitive = False
    if len(words) >= 2 and words[0][0].lower() in {"of", "out"}:
        skip = 1 + (words[1][0].lower() == "of")
        if skip < len(words) and words[skip][0].lower() in {
            "the",
            "those",
            "these",
            "its",
            "their",
        }:
            skip += 1
        words, partitive = words[skip:], True
    phrase: list[Word] = []
    for index, (word, start, end) in enumerate(words):
        lower = word.lower()
        if word[:1].isdigit() or _is_verb(word) or lower in _STOP:
            break
        if lower in _NOT_NOUN and not (lower == "one" and phrase):
            break
        if lower == "of" and phrase and index + 1 < len(words):
            following = words[index + 1][0].lower()
            if following in _NOT_NOUN or following in _STOP or following[:1].isdigit():
                break
        elif lower == "of":
            break
        if lower.endswith("ing") and lower not in _ING_NOUNS and len(lower) > 5:
            break  # "seven ranging from", "12 people living in": a participle, not a noun
        if phrase and word[:1].isupper() and phrase[-1][0][:1].islower() and phrase[-1][0] != "of":
            break  # "three dogs Tuesday": a name after the noun starts something else
        if lower.endswith("ly") and len(lower) > 4:
            break  # "reports annually", "patients overall": an adverb ends the phrase
        has_of = any(w.lower() == "of" for w, _, _ in phrase)
        if len(phrase) >= _MAX_NP_WORDS + (3 if has_of else 0):
            break
        phrase.append((word, start, end))
    while phrase and phrase[-1][0].lower() in {"of", *_NOT_NOUN}:
        phrase.pop()
    if phrase and phrase[0][0] in {"Most", "More", "Many", "All", "Some", "Other"}:
        phrase = []
    if len(phrase) == 1 and phrase[0][0][:1].isupper() and not phrase[0][0].isupper():
        phrase = []  # "24 Global", "Twelve Apostles": a name, not what is counted
    if phrase and "-" in phrase[-1][0] and len(phrase) == 1:
        phrase = []  # "two sub-equal", "4,000 long-distance": a modifier without its noun
    return phrase, partitive


def _is_number(word: str) -> bool:
    return word[:1].isdigit() or parse_number(word.lower()) is not None


def _complement(text: str, pos: int, limit: int) -> list[Word]:
    """A short phrase after a participle ("outside the United States", "the age of
    majority"), kept only when it ends at a clause boundary and holds no other number."""
    out: list[Word] = []
    for word, start, end in _words(text, pos, limit):
        lower = word.lower()
        if _is_number(word):
            return []  # "arrested in six more countries": another figure, left to itself
        if (lower in _STOP and lower not in _PREPOSITIONS) or _is_verb(word):
            break
        if len(out) >= _MAX_COMPLEMENT_WORDS or lower in _TIME_WORDS:
            return []  # too long for a label, or a time ("on Monday"), not a place
        out.append((word, start, end))
    if out and out[0][0].lower() not in _PREPOSITIONS | {"the", "a", "an"}:
        return []  # a complement opens with a preposition or an object
    while out and out[-1][0].lower() in {*_STOP, *_NOT_NOUN, "of"}:
        out.pop()
    return out


def _predicate(text: str, pos: int, limit: int) -> list[Word]:
    """What a bare count is said to be: "were under age 3" → "under age 3"."""
    words = _words(text, pos, limit)
    while words and (words[0][0].lower() in _COPULA or words[0][0].lower() in _AUX):
        words = words[1:]
    while words and words[0][0].lower() in {"since", "also", "all", "now", "still"}:
        words = words[1:]
    out: list[Word] = []
    for word, start, end in words:
        lower = word.lower()
        previous = out[-1][0] if out else ""
        range_end = lower in {"and", "to", "or"} and previous[:1].isdigit()
        if lower in _CLAUSE_STOP and not range_end:
            break
        if _is_number(word) and out and not _QUALIFIER_BEFORE.search(" " + previous):
            break  # "... in 19 different states": another figure starts
        if len(out) >= _MAX_PREDICATE_WORDS:
            break
        out.append((word, start, end))
    while out and out[-1][0].lower() in {*_STOP, *_NOT_NOUN, "of", "the"}:
        out.pop()
    return out


def _group_before(text: str, paragraph: int, start: int) -> tuple[tuple[int, int], int] | None:
    """The noun of the group a bare count belongs to, in this paragraph before ``start``,
    and where its phrase ("Of the 123 victims") starts."""
    found = None
    for match in _GROUP.finditer(text, max(paragraph, start - 400), start):
        if match.group(1) not in _NOT_NOUN and not _is_verb(match.group(1)):
            found = match.span(1), match.start()
    return found


def _governor_before(text: str, floor: int, start: int) -> tuple[tuple[int, int], str] | None:
    """The event word governing a number from before it: "the arrest of 245" (noun),
    "identified 123" (verb)."""
    before = text[floor:start]
    noun = _NOUN_OF_BEFORE.search(before)
    if noun and noun.group(1) not in _NOT_GOVERNORS:
        return (floor + noun.start(1), floor + noun.end(1)), "noun"
    verb = _VERB_BEFORE.search(before)
    if verb and verb.group(1) not in _NOT_GOVERNORS:
        return (floor + verb.start(1), floor + verb.end(1)), "verb"
    return None


#: Verbs whose object is an amount of money and that read as its label ("will cost $4m").
_MONEY_VERBS = frozenset("cost costs worth valued priced".split())  # noqa: SIM905


def _word_before(text: str, floor: int, start: int, money: bool) -> tuple[int, int] | None:
    """The noun a measure hangs from ("a penalty of six months", "sales of 27 percent"), or
    for money a pricing verb ("will cost $4 million"): otherwise the measure names nothing."""
    before = text[floor:start]
    match = re.search(r"([a-z][a-z-]{2,})\s+of\s*$", before)
    if match is None and money:
        match = re.search(r"([a-z]{4,})\s*$", before)
        if match is not None and match.group(1) not in _MONEY_VERBS:
            match = None
    if match is None:
        return None
    word = match.group(1)
    if word in _NOT_NOUN or word in _STOP or _is_verb(word):
        return None
    if word in _NOT_GOVERNORS and word not in _MONEY_VERBS:
        return None
    return floor + match.start(1), floor + match.end(1)


def _spans(words: list[Word]) -> list[Part]:
    return [(s, e) for _, s, e in words]


@dataclass
class _Context:
    """Per-source state: where paragraphs start, for the group of a bare count."""

    text: str
    paragraph_starts: list[int]

    def paragraph(self, pos: int) -> int:
        return max((p for p in self.paragraph_starts if p <= pos), default=0)


def _describe(
    ctx: _Context, floor: int, start: int, end: int, limit: int, integer: bool
) -> tuple[list[Part], int, int, str | None] | None:
    """Label parts, citation start and end, and unit of the number at ``[start, end)``.

    ``floor`` is where the sentence starts (context never crosses it, except for the group
    of a bare count); ``start`` may already include an approximation word ("about 123").
    """
    text = ctx.text
    compound = _MEASURE_COMPOUND.match(text, end, limit)
    if compound:  # "five-week operation", "11-year-old girl"
        unit = compound.group(1).lower() + "s"
        phrase, _ = _noun_phrase(text, compound.end(), limit)
        if not phrase:
            return None
        what_end = phrase[-1][2]
        if compound.group(2):  # an age: "11-year-old girl" is the girl's age in years
            return ["age of", *_spans(phrase)], start, what_end, "years"
        return _spans(phrase), start, what_end, unit
    unit_match = _UNITS_AFTER.match(text[end:limit])
    if unit_match:  # "95 percent of voters", "a penalty of six months", "cost $4 million"
        unit_end = end + unit_match.end()
        phrase, _ = _noun_phrase(text, unit_end, limit)
        if phrase and text[unit_end : phrase[0][1]].strip().lower().startswith("of"):
            return _spans(phrase), start, phrase[-1][2], None
        before = _word_before(text, floor, start, money=False)
        if before is None:
            return None
        return [before], before[0], unit_end, None
    following = _words(text, end, limit)
    first = following[0][0].lower() if following else ""
    second = following[1][0] if len(following) > 1 else ""
    # "five less than three years old", "45 under 12": a bound, not "six more countries".
    bound = (first in {"less", "more", "fewer", "older", "younger"} and second == "than") or (
        first in {"under", "over", "between", "aged", "below", "above"} and _is_number(second)
    )
    if first and (_is_verb(first) or bound):
        group = _group_before(text, ctx.paragraph(floor), start)
        rest = _predicate(text, end, limit)
        if group is None or not rest:
            return None
        noun, phrase_start = group
        # The evidence is the count's own sentence; the group may come from an earlier one.
        lead = min(phrase_start, start) if phrase_start >= floor else start
        return [noun, *_spans(rest)], lead, rest[-1][2], None
    phrase, _ = _noun_phrase(text, end, limit)
    if not phrase:
        link = _LINK_BEFORE.search(text, floor, start)
        words = _words(text, link.start(1), link.end()) if link and integer else []
        nouns = [w for w in words[:2] if not _is_link(w[0])]
        if nouns and not any(
            w.lower() in _NOT_NOUN | _STOP | _PREPOSITIONS or _is_verb(w) for w, _, _ in nouns
        ):
            return ["age of", *_spans(nouns)], nouns[0][1], end, "years"
        if _CURRENCY_SIGN.search(text[max(floor, start - 1) : end]):
            before = _word_before(text, floor, start, money=True)
            if before is not None:
                return [before], before[0], end, None
        return None
    parts: list[Part] = _spans(phrase)
    lead, what_end = start, phrase[-1][2]
    qualifier = _QUALIFIER_AFTER.match(text, what_end, limit)
    if qualifier:  # "17 workers aged 18 to 25": the bound belongs to what is counted
        parts.append(qualifier.span(1))
        what_end = qualifier.end()
    participle = _PARTICIPLE_AFTER.match(text, what_end, limit)
    if participle and participle.group(1) not in _NOT_PARTICIPLES:
        parts.append(participle.span(1))
        what_end = participle.end()
        complement = _complement(text, what_end, limit)
        if complement:
            parts += _spans(complement)
            what_end = complement[-1][2]
    elif governor := _governor_before(text, floor, start):
        span, kind = governor
        lead = span[0]
        parts = [span, "of", *parts] if kind == "noun" else [*parts, span]
        if kind == "verb" and text[span[0] : span[1]].endswith("ing"):
            parts = [span, *_spans(phrase)]
    return parts, lead, what_end, None


_CURRENCY_SIGN = re.compile(r"[$€£¥]")


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


def background_context(sentence: str, own_year: int | None) -> str | None:
    """The words placing a sentence in another time than the event's, or None.

    "In 2012" when the cluster's own year is not 2012 (or unknown), "last year", "a
    decade ago". A full date ("Nov. 2, 2012") is how an article dates its own event, so a
    year only counts in a period phrase ("in", "since", "during" ..., or "2012's").
    """
    for match in _PERIOD.finditer(sentence):
        year = match.group(1) or match.group(2)
        if year is not None and own_year is not None and int(year) == own_year:
            continue
        return match.group().strip()
    return None


def cluster_year(sources: list[Source]) -> int | None:
    """The year the cluster's event is in: the latest publication year, else a year that
    two or more sources name in a period phrase, else unknown."""
    published = [int(s.published[:4]) for s in sources if s.published]
    if published:
        return max(published)
    named: dict[int, set[str]] = {}
    for source in sources:
        for match in _PERIOD.finditer(source.text):
            year = match.group(1) or match.group(2)
            if year is not None:
                named.setdefault(int(year), set()).add(source.id)
    shared = [year for year, ids in named.items() if len(ids) >= 2]
    return max(shared, key=lambda y: (len(named[y]), y)) if shared else None


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
        if mention.start < qualified_until and _QUALIFIER_BEFORE.search(
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
        integer = float(mention.value).is_integer() and 0 < mention.value <= 120
        described = _describe(ctx, floor, start, mention.end, limit, integer)
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
