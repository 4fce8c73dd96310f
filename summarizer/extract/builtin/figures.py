"""Figures for the built-in extractor: each number with the phrase saying what it counts.

Numbers come from ``summarizer.text.numbers.find_numbers`` (digits, "1,655", word numbers such
as "five"). What a number counts is, in English news, almost always the noun phrase that
follows it ("245 people", "23 of the suspects"); when a verb follows instead ("45 were
under 12 years old") the short predicate is kept, which still says what the figure is.
Years, calendar days and clock times are dates, not figures, and are left to
``builtin_times``.

A bare noun ("245 people") does not say what happened to what was counted, and two
outlets rarely pick the same noun ("245 people" / "245 suspects"), so the governing
context travels with it: the event noun before ("the arrest of 245 people" →
"arrest of people"), a participle before or after ("identified 123 victims", "245 people
were arrested" → "victims identified", "people arrested"), or the group a bare count
belongs to ("Of the 123 victims, 110 lived ..." → "of the victims lived ..."). The
citation grows to cover the words the description uses. Numbers that only qualify
another figure ("45 were under 12 years old", "Nine were between the ages of 4 and 6")
are bounds of that figure, not counts, and are not reported on their own; an age written
as "11-year-old girl" is typed as an age (unit "years").
"""

from __future__ import annotations

import re

from summarizer.core.events import GroundedFigure
from summarizer.core.source import Source
from summarizer.extract.builtin.spans import cite
from summarizer.text.numbers import find_numbers

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
    r"degrees?\b|hours?\b|minutes?\b|days?\b|weeks?\b|months?\b|years?\b)",
    re.IGNORECASE,
)
_CURRENCY_BEFORE = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
#: Words after which the counted phrase has ended.
_STOP = frozenset(
    """
    and or but that which who whom whose when where while because after before since
    during from to in on at by for with as than about said says according if though
    although
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_MAX_WHAT_WORDS = 6
_VERBS = frozenset(
    """
    is are was were be been being has have had will would could can may might do did
    """.split()  # noqa: SIM905 - a word list reads better as prose
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
    r"\s+(?:(?:were|was|are|is|have been|has been|had been|will be|being)\s+)?"
    r"(?:(?:also|later|reportedly|allegedly|all|since|then)\s+)?([a-z]{3,}(?:ed|en))\b"
)
_NOT_PARTICIPLES = frozenset({"aged", "based", "been", "even", "often", "seen", "then"})
_ANTECEDENT = re.compile(
    r"\b[Oo]f\s+(?:the|those|these|its|their)\s+(?:[\w,.]+\s+)?([a-z][a-z-]+)\s*,\s*$"
)
_MEASURE_COMPOUND = re.compile(
    r"-(year|month|week|day|hour|minute|mile|kilometre|kilometer|meter|metre|foot|"
    r"acre|ton|tonne|story|storey|point|man|member)s?(-old)?\b-?",
    re.IGNORECASE,
)


def _is_predicate_verb(word: str) -> bool:
    """Whether a count's first following word is a verb ("45 were ...", "110 lived ...")."""
    lower = word.lower()
    return lower in _VERBS or (word.islower() and len(lower) > 4 and lower.endswith("ed"))


def _what(text: str, end: int, limit: int) -> tuple[str, int, bool]:
    """The phrase after a number (up to a clause boundary), where it ends, and whether it
    is a predicate ("were under age 3") rather than a counted noun phrase."""
    words: list[tuple[str, int, int]] = []
    pos = end
    predicate = False
    while len(words) < _MAX_WHAT_WORDS + (3 if predicate else 0):
        gap = re.match(r"[ \t-]*", text[pos:limit])
        pos += gap.end() if gap else 0
        match = _WORD.match(text, pos, limit)
        if not match:
            break
        word = match.group().lower()
        if not words:
            predicate = _is_predicate_verb(match.group())
        comparative = bool(words) and words[-1][0].lower() in {"less", "more", "fewer"}
        previous = words[-1][0] if words else ""
        range_end = word in {"and", "to", "or"} and previous[:1].isdigit()
        if range_end:
            following = _WORD.match(text, match.end() + 1, limit)
            range_end = bool(following and following.group()[:1].isdigit())
        # "110 lived in the United States": a predicate runs on past prepositions.
        runs_on = predicate and word in {"in", "on", "at", "to", "from", "for", "by", "with"}
        if word in _STOP and not ((word == "than" and comparative) or range_end or runs_on):
            break
        if word[:1].isdigit() and predicate and not _QUALIFIER_BEFORE.search(text[pos - 12 : pos]):
            break  # "... in 19 different states": another figure starts
        # "45 were under 12 years old": a leading verb starts the predicate, keep it;
        # "245 people were arrested": a later verb ends the counted noun phrase.
        if word in _VERBS and words:
            break
        words.append((match.group(), match.start(), match.end()))
        pos = match.end()
    # "23 of the suspects": what is counted is "suspects", cited with the "of the".
    while words and words[-1][0].lower() in {"of", "the", "a", "an", *_STOP}:
        words.pop()
    if not words:
        return "", end, False
    # "23 of the suspects" counts part of a group: the "of" stays, so a merger can tell
    # it from a total ("245 suspects") instead of seeing a conflict.
    return " ".join(w for w, _, _ in words), words[-1][2], predicate


def _governor_before(text: str, floor: int, start: int) -> tuple[str, int, str] | None:
    """The event word governing a number from before it: ("arrest", start, "noun") for
    "the arrest of 245", ("identified", start, "verb") for "identified 123"."""
    before = text[floor:start]
    noun = _NOUN_OF_BEFORE.search(before)
    if noun and noun.group(1) not in _NOT_GOVERNORS:
        return noun.group(1), floor + noun.start(1), "noun"
    verb = _VERB_BEFORE.search(before)
    if verb and verb.group(1) not in _NOT_GOVERNORS:
        return verb.group(1), floor + verb.start(1), "verb"
    return None


def _describe(
    text: str, floor: int, start: int, end: int, limit: int
) -> tuple[str, int, int, str | None] | None:
    """What the number at ``[start, end)`` counts, the span that says so, and a unit.

    ``floor`` is where the sentence starts (context never crosses it); ``start`` may
    already include an approximation word ("about 123").
    """
    unit = None
    after = end
    compound = _MEASURE_COMPOUND.match(text, end, limit)
    if compound:  # "five-week operation", "11-year-old girl"
        unit = compound.group(1).lower() + "s"
        after = compound.end()
    what, what_end, predicate = _what(text, after, limit)
    if compound:
        if compound.group(2):  # an age: "11-year-old girl" is the girl's age in years
            what, unit = (f"age of {what}" if what else "age"), "years"
        what_end = max(what_end, compound.end())
        what = what or compound.group(1).lower()
        return what, start, what_end, unit
    if not what:
        return None
    lead = start
    if predicate:
        antecedent = _ANTECEDENT.search(text[floor:start])
        if antecedent:  # "Of the 123 victims, 110 lived in ..."
            what, lead = f"of the {antecedent.group(1)} {what}", floor + antecedent.start()
        return what, lead, what_end, unit
    participle = _PARTICIPLE_AFTER.match(text, what_end, limit)
    if participle and participle.group(1) not in _NOT_PARTICIPLES:
        what, what_end = f"{what} {participle.group(1)}", participle.end()
    elif governor := _governor_before(text, floor, start):
        word, lead, kind = governor
        if kind == "noun" and not what.lower().startswith("of "):
            what = f"{word} of {what}"
        else:
            what = f"{what} {word}"
    return what, lead, what_end, unit


def _sentence_span(source: Source, pos: int) -> tuple[int, int]:
    for start, end in source.sentences:
        if start <= pos < end:
            return start, end
    newline = source.text.find("\n", pos)
    floor = source.text.rfind("\n", 0, pos) + 1
    return floor, len(source.text) if newline < 0 else newline


def find_figures(source: Source) -> list[GroundedFigure]:
    """Every counted number in ``source`` with its phrase, unit and approximation flag."""
    text = source.text
    figures: list[GroundedFigure] = []
    seen: set[tuple[float, str]] = set()
    qualified_until = -1  # end of the last figure's description
    for mention in find_numbers(text):
        if _is_date_or_year(text, mention.start, mention.end, mention.text):
            continue
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
        described = _describe(text, floor, start, mention.end, limit)
        if described is None:
            # "It will cost $4 million.": nothing follows, so the words before say what.
            before = re.search(r"((?:[A-Za-z][\w'’-]*\s+){1,4})\$?$", text[floor : mention.start])
            if not before:
                continue
            what, lead, what_end, unit = (
                before.group(1).strip(),
                floor + before.start(1),
                mention.end,
                None,
            )
        else:
            what, lead, what_end, unit = described
        if (mention.value, what.lower()) in seen:
            continue
        seen.add((mention.value, what.lower()))
        if currency in _CURRENCY_BEFORE:
            unit = _CURRENCY_BEFORE[currency]
        elif unit is None and (unit_match := _UNITS_AFTER.match(text[mention.end : limit])):
            unit = unit_match.group(1).strip().lower()
        start = min(start, lead)
        qualified_until = max(qualified_until, what_end)
        figures.append(
            GroundedFigure(
                what=what,
                value=float(mention.value),
                unit=unit,
                approximate=approx is not None and not _BOUND.match(approx.group().lower()),
                evidence=text[start:what_end].strip(),
                citation=cite(source, start, what_end),
            )
        )
    return figures
