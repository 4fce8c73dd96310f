"""Dates and times, resolved to ISO 8601 where the text itself allows it.

Resolution rules, in order of trust:

* A full date ("December 7, 2012", "7 December 2012", "2012-12-07") becomes ``YYYY-MM-DD``.
* A year alone ("in 2012") becomes ``YYYY``; a month and year becomes ``YYYY-MM``.
* A range ("from November 1 to December 7, 2012") becomes ``start/end``.
* A day and month without a year ("Nov. 2"), a weekday ("Thursday") and "today",
  "yesterday", "tomorrow" are resolved only when the publication date is known:
  ``Source.published`` (from the input's metadata), else a ``/YYYY/MM/DD/`` path in the
  source URL. The year is the publication year (the previous one if the month lies more
  than a month after publication), a weekday is the latest such day on or before
  publication. Otherwise ``iso`` stays ``None`` and the phrase is kept as written: a
  guessed date would be an invented fact.
* Clock times ("5 p.m.", "12:47 a.m.") are kept as written with the ISO date of the day
  they are attached to, if any.
"""

from __future__ import annotations

import datetime as dt
import re

from summarizer.core.events import GroundedTime
from summarizer.core.source import Source
from summarizer.extract.builtin.spans import cite

_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept", "septem"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = (
    r"(?P<month{n}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?P<day{n}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year{n}>1[89]\d\d|20\d\d)"


def _date(n: int) -> str:
    """A date pattern whose groups are named ``month{n}a`` ... (see ``_part``)."""

    def part(template: str, alt: str) -> str:
        return template.format(n=f"{n}{alt}")

    return (
        rf"(?:{part(_MONTH, 'a')}\s+{part(_DAY, 'a')}(?:,?\s+{part(_YEAR, 'a')})?(?![\d:])"
        rf"|{part(_DAY, 'b')}\s+(?:of\s+)?{part(_MONTH, 'b')}(?:,?\s+{part(_YEAR, 'b')})?"
        rf"|{part(_MONTH, 'c')},?\s+{part(_YEAR, 'c')})"
    )


def _part(groups: dict[str, str | None], kind: str, n: int) -> str | None:
    return next((groups[f"{kind}{n}{alt}"] for alt in "abc" if groups.get(f"{kind}{n}{alt}")), None)


_CLOCK = r"(?:\d{1,2}(?::\d\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)|\d{1,2}:\d\d)"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PATTERN = re.compile(
    rf"(?:(?:from|between)\s+)?(?P<first>{_date(1)})(?:\s*(?:-|–|to|until|through)\s*"
    rf"(?P<second>{_date(2)}|{_DAY.format(n='3a')}(?:,?\s+{_YEAR.format(n='3a')})?))?"
    rf"|(?P<iso>\b(?:1[89]|20)\d\d-[01]\d-[0-3]\d\b)"
    rf"|(?:(?P<clock>{_CLOCK})\s+(?:on\s+)?)?{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?"
    rf"(?:\s+{_CLOCK})?"
    rf"|\b(?P<relative>today|yesterday|tomorrow|tonight)\b"
    rf"|\b(?:in|since|by|until|during|of|from)\s+(?P<yearonly>1[89]\d\d|20\d\d)\b(?![-\d]|,\d)",
    re.IGNORECASE,
)
_PUBLISHED_IN_URL = re.compile(r"/((?:19|20)\d\d)/([01]?\d)/([0-3]?\d)(?:/|$)")


def publication_date(source: Source) -> dt.date | None:
    """The source's own publication date, else the one its URL carries (``/2016/11/03/``).

    Metadata wins: a URL date is often the day a story was first filed, not the day of
    the version read.
    """
    if source.published is not None:
        try:
            return dt.date.fromisoformat(source.published)
        except ValueError:  # only a Source made with model_construct skips normalisation
            pass
    match = _PUBLISHED_IN_URL.search(source.url or "")
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _iso(
    month: str | None, day: str | None, year: str | None, published: dt.date | None
) -> str | None:
    if month is None:
        return None
    number = _MONTH_NUMBERS[month.lower().rstrip(".")]
    if year is None:
        if published is None:
            return None
        resolved_year = published.year - (1 if number > published.month + 1 else 0)
    else:
        resolved_year = int(year)
    if day is None:
        return f"{resolved_year:04d}-{number:02d}"
    try:
        return dt.date(resolved_year, number, int(day)).isoformat()
    except ValueError:
        return None


def _weekday_iso(weekday: str, published: dt.date | None) -> str | None:
    if published is None:
        return None
    back = (published.weekday() - _WEEKDAYS.index(weekday.lower())) % 7
    return (published - dt.timedelta(days=back)).isoformat()


def _resolve(match: re.Match[str], published: dt.date | None) -> str | None:
    groups = match.groupdict()
    if groups["iso"]:
        return str(groups["iso"])
    if groups["yearonly"]:
        return str(groups["yearonly"])
    if groups["relative"]:
        if published is None:
            return None
        offset = {"yesterday": -1, "tomorrow": 1}.get(groups["relative"].lower(), 0)
        return (published + dt.timedelta(days=offset)).isoformat()
    if groups["weekday"]:
        return _weekday_iso(groups["weekday"], published)
    year1 = _part(groups, "year", 1)
    year2 = _part(groups, "year", 2) or _part(groups, "year", 3)
    month1 = _part(groups, "month", 1)
    first = _iso(month1, _part(groups, "day", 1), year1 or year2, published)
    if not groups["second"]:
        return first
    month2 = _part(groups, "month", 2) or month1
    day2 = _part(groups, "day", 2) or _part(groups, "day", 3)
    second = _iso(month2, day2, year2 or year1, published)
    return f"{first}/{second}" if first and second else None


def find_times(source: Source) -> list[GroundedTime]:
    """Time expressions of ``source`` in text order, one per distinct phrase."""
    published = publication_date(source)
    times: list[GroundedTime] = []
    seen: set[str] = set()
    for match in _PATTERN.finditer(source.text):
        start = match.start("first") if match.group("first") else match.start()
        if match.group("yearonly"):
            start = match.start("yearonly")
        citation = cite(source, start, match.end())
        if citation.quote in seen:
            continue
        seen.add(citation.quote)
        if match.group("first") and not re.search(r"\d", citation.quote):
            continue  # a bare month name ("May") is too often a word or a name
        times.append(
            GroundedTime(
                text=citation.quote,
                iso=_resolve(match, published),
                evidence=citation.quote,
                citation=citation,
            )
        )
    return times
