"""Figures for the built-in extractor: each number with the phrase saying what it counts.

Numbers come from ``summarizer.numbers.find_numbers`` (digits, "1,655", word numbers such
as "five"). What a number counts is, in English news, almost always the noun phrase that
follows it ("245 people", "23 of the suspects"); when a verb follows instead ("45 were
under 12 years old") the short predicate is kept, which still says what the figure is.
Years, calendar days and clock times are dates, not figures, and are left to
``builtin_times``.
"""

from __future__ import annotations

import re

from summarizer.builtin_spans import cite
from summarizer.events import GroundedFigure
from summarizer.numbers import find_numbers
from summarizer.sources import Source

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


def _what(text: str, end: int, limit: int) -> tuple[str, int]:
    """The phrase after a number (up to a clause boundary) and where it ends."""
    words: list[tuple[str, int, int]] = []
    pos = end
    while len(words) < _MAX_WHAT_WORDS:
        gap = re.match(r"[ \t-]*", text[pos:limit])
        pos += gap.end() if gap else 0
        match = _WORD.match(text, pos, limit)
        if not match:
            break
        word = match.group().lower()
        comparative = bool(words) and words[-1][0].lower() in {"less", "more", "fewer"}
        if word in _STOP and not (word == "than" and comparative):
            break
        # "45 were under 12 years old": a leading verb starts the predicate, keep it;
        # "245 people were arrested": a later verb ends the counted noun phrase.
        if word in _VERBS and words:
            break
        words.append((match.group(), match.start(), match.end()))
        pos = match.end()
    # "23 of the suspects": what is counted is "suspects", cited with the "of the".
    while words and words[-1][0].lower() in {"of", "the", "a", "an"}:
        words.pop()
    if not words:
        return "", end
    # "23 of the suspects" counts part of a group: the "of" stays, so a merger can tell
    # it from a total ("245 suspects") instead of seeing a conflict.
    return " ".join(w for w, _, _ in words), words[-1][2]


def _sentence_end(source: Source, pos: int) -> int:
    for start, end in source.sentences:
        if start <= pos < end:
            return end
    newline = source.text.find("\n", pos)
    return len(source.text) if newline < 0 else newline


def find_figures(source: Source) -> list[GroundedFigure]:
    """Every counted number in ``source`` with its phrase, unit and approximation flag."""
    text = source.text
    figures: list[GroundedFigure] = []
    seen: set[tuple[float, str]] = set()
    for mention in find_numbers(text):
        if _is_date_or_year(text, mention.start, mention.end, mention.text):
            continue
        limit = _sentence_end(source, mention.start)
        what, what_end = _what(text, mention.end, limit)
        lead_start = mention.start
        if not what:
            # "It will cost $4 million.": nothing follows, so the words before say what.
            before = re.search(r"((?:[A-Za-z][\w'’-]*\s+){1,4})\$?$", text[: mention.start])
            if not before:
                continue
            what, lead_start = before.group(1).strip(), before.start(1)
        if (mention.value, what.lower()) in seen:
            continue
        seen.add((mention.value, what.lower()))
        start = mention.start
        unit = None
        if lead_start < start:
            what_end = mention.end
        sign_inside = mention.text[:1] in _CURRENCY_BEFORE  # find_numbers keeps "$" in "$4m"
        currency = mention.text[:1] if sign_inside else text[max(0, start - 1) : start]
        if currency in _CURRENCY_BEFORE:
            unit = _CURRENCY_BEFORE[currency]
            start -= 0 if sign_inside else 1
        elif unit_match := _UNITS_AFTER.match(text[mention.end : limit]):
            unit = unit_match.group(1).strip().lower()
        window = max(0, start - 24)
        approx = _APPROX_BEFORE.search(text[window:start])
        if approx:
            start = window + approx.start()
        start = min(start, lead_start)
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
