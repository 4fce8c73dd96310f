"""Numbers as written in news prose: parse them, find them, and check that a value is backed.

This module is the basis of guarantee 2 ("every number written in a summary sentence appears
in a span cited by that sentence"). The summary checker calls :func:`find_numbers` on the
sentence and :func:`contains_number` on each cited span, so the two sides must agree on what
a number is: "five" and "5", "1,655" and "1655", "2 million" and "2,000,000" are one value.

Decisions (each one a trade between catching invented numbers and false alarms):

* Digits are always numbers: "245", "1,655" (comma groups of exactly three digits),
  "5.5", "2012", "Nov. 28" -> 28, "11-year-old" -> 11, "45%" -> 45, digit ordinals
  "28th" / "3rd" -> 28 / 3 (they are how dates are written).
* A scale word joins the number before it: "2 million", "two million", "$2.5 billion",
  "a hundred", "a dozen" -> 12, "two dozen" -> 24, "half a dozen" -> 6.
* Magnitude suffixes glued to digits are read as news usage: "1.2m" -> 1,200,000,
  "5k" -> 5,000, "3bn" -> 3e9, "2tn" -> 2e12; a bare "b" only after a currency sign ("$2b").
  So "100m sprint" reads as 100 million on *both* sides, which keeps the check consistent.
* Vague plurals are not numbers: "dozens", "hundreds", "thousands of people" -> nothing,
  because no single value is claimed.
* Word ordinals ("first", "third", "twenty-third") are not numbers: they rank rather than
  count and "first"/"second" are mostly idiom. ``parse_number("third")`` is ``None``.
* "half" parses to 0.5 with :func:`parse_number`, but :func:`find_numbers` does not report
  it ("half-brother", "first half", "half of them" are rarely a checkable figure).
* The word "one" on its own is not reported by :func:`find_numbers` ("one of the", "no one",
  "one day" are pronouns and idiom far more often than counts); it is inside a larger number
  ("twenty-one", "one hundred", "one million"). :func:`contains_number` *does* accept a lone
  "one" (and "half") as backing, so a sentence saying "1 victim" is backed by "one victim".
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

__all__ = ["NumberMention", "contains_number", "find_numbers", "parse_number"]


@dataclass(frozen=True, slots=True)
class NumberMention:
    """One number written in a text: its value and where it is (``text == source[start:end]``)."""

    value: float
    start: int
    end: int
    text: str


_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ORDINALS = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth", "fortieth",
    "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth", "hundredth",
    "thousandth", "millionth", "billionth",
}  # fmt: skip
_NUMBER_WORDS = {*_UNITS, *_TENS, *_SCALES, "hundred", "dozen"}
_SUFFIX_SCALE = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
_CURRENCY = "$€£¥₹"

# Digits: comma-grouped thousands or a plain run, an optional decimal part, then an optional
# glued suffix (magnitude or ordinal or "%"). Not preceded by a letter, digit or decimal point
# so "A4", "x2" and the "5" of ".5" are not read; "COVID-19" gives 19, as a reader would.
_DIGITS = re.compile(
    r"(?<![\w.])(?P<cur>[" + _CURRENCY + r"]\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?P<frac>\.\d+)?"
    r"(?:(?P<suffix>k|mn|bn|b|tn|m)(?![a-z])|(?P<ord>st|nd|rd|th)(?![a-z]))?"
    r"(?P<pct>\s?%)?",
    re.IGNORECASE,
)
# A scale word after digits: "2 million", "2.5 billion", "3 dozen" ("hundred" too: "2 hundred").
_SCALE_AFTER = re.compile(r"[\s-]+(?P<w>thousand|million|billion|trillion|hundred|dozen)\b", re.I)
_PERCENT_WORD = re.compile(r"\bper\s?cent\b")
#: The only words a number run can start, continue or be cut by ("and", "a", "half", an
#: ordinal), each a whole word (a maximal run of ASCII letters). Scanning for these alone
#: gives the same runs as tokenising every word: two of them that are not adjacent in the
#: text have a word between them, so they fail ``_joined`` exactly as the word between
#: would have ended the run. A long article has a few dozen of them among thousands of words.
_RUN_WORDS = "|".join(
    sorted({*_NUMBER_WORDS, *_ORDINALS, "a", "an", "and", "half"}, key=len, reverse=True)
)
_RUN_WORD = re.compile(rf"(?<![A-Za-z])(?:{_RUN_WORDS})(?![A-Za-z])", re.IGNORECASE | re.ASCII)
#: The same on a lower-cased text, four times faster than the case-blind pattern. Lower
#: casing keeps every offset and which characters are ASCII letters, except for the only
#: two characters where it does not ("İ" grows to two, the Kelvin sign becomes "k").
_RUN_WORD_LOWER = re.compile(rf"(?<![a-z])(?:{_RUN_WORDS})(?![a-z])")
_LOWER_CHANGES = ("\u0130", "\u212a")


def parse_number(text: str) -> float | None:
    """Read one whole string as a number, or ``None`` when it is not exactly one number.

    Accepts what :func:`find_numbers` finds ("1,655", "twenty-three", "$2.5 billion", "45%",
    "a dozen", "a hundred", "1.2m") plus "half" (0.5) and a lone "one"; rejects vague or
    ordinal words ("dozens", "third") and strings holding anything else.
    """
    stripped = text.strip().rstrip(".").strip()
    if stripped.lower() in ("a", "an"):
        return None
    mentions = _scan(stripped, lenient=True)
    if len(mentions) != 1:
        return None
    mention = mentions[0]
    # Anything left besides a currency sign or a percent word means the string is a phrase
    # containing a number ("245 people"), not a number.
    leftover = (stripped[: mention.start] + " " + stripped[mention.end :]).lower()
    leftover = _PERCENT_WORD.sub(" ", leftover).strip(_CURRENCY + " %")
    return None if leftover else mention.value


def find_numbers(text: str) -> list[NumberMention]:
    """Every number *claimed* in ``text``, in order, each once ("1,655" is one, not 1 and 655).

    Conservative on words (see the module notes: a lone "one" and "half" are not reported),
    complete on digits. Use it on the sentence whose numbers must be backed.
    """
    if len(text) > CACHED_CHARS:
        return _scan(text, lenient=False)
    return list(_claimed(text))


def contains_number(value: float, text: str) -> bool:
    """Whether ``value`` is written in ``text`` in any form ("5"/"five", "1655"/"1,655").

    Generous on purpose (a lone "one", "half" count): this is the *backing* side of the check.
    """
    if len(text) > CACHED_CHARS:
        return any(_same(value, m.value) for m in _scan(text, lenient=True))
    return any(_same(value, found) for found in _backing_values(text))


#: Texts up to this long (quotes, sentences) have their scan cached; longer ones do not.
CACHED_CHARS = 2000


@functools.lru_cache(maxsize=8192)
def _backing_values(text: str) -> tuple[float, ...]:
    """The lenient scan's values, cached: a writer's checks ask of the same quotes for every
    number of every sentence and every re-ask, and the scan is a pure function of the text."""
    return tuple(m.value for m in _scan(text, lenient=True))


@functools.lru_cache(maxsize=8192)
def _claimed(text: str) -> tuple[NumberMention, ...]:
    """:func:`find_numbers` of a short text, cached: the merger asks it of each fact up to
    three times, and the figure and draft checks of the same quotes again."""
    return tuple(_scan(text, lenient=False))


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _scan(text: str, *, lenient: bool) -> list[NumberMention]:
    mentions = _digit_mentions(text) + _word_mentions(text, lenient=lenient)
    mentions.sort(key=lambda m: m.start)
    # A word mention inside a digit mention ("2 dozen" read as digits+scale and "dozen" alone)
    # is dropped: the longer reading wins.
    kept: list[NumberMention] = []
    for m in mentions:
        if kept and m.start < kept[-1].end:
            if m.end - m.start > kept[-1].end - kept[-1].start:
                kept[-1] = m
            continue
        kept.append(m)
    return kept


def _digit_mentions(text: str) -> list[NumberMention]:
    found: list[NumberMention] = []
    for match in _DIGITS.finditer(text):
        value = float(match["num"].replace(",", "") + (match["frac"] or ""))
        end = match.end()
        suffix = (match["suffix"] or "").lower()
        if suffix == "b" and not match["cur"]:
            suffix = ""
            end = match.end("frac") if match["frac"] else match.end("num")
        if suffix:
            value *= _SUFFIX_SCALE[suffix]
        elif not match["ord"] and not match["pct"]:
            scale = _SCALE_AFTER.match(text, end)
            if scale:
                value *= _word_scale(scale["w"].lower())
                end = scale.end()
        start = match.start("cur") if match["cur"] else match.start("num")
        found.append(NumberMention(value, start, end, text[start:end]))
    return found


def _word_scale(word: str) -> float:
    if word == "hundred":
        return 100.0
    if word == "dozen":
        return 12.0
    return _SCALES[word]


def _word_mentions(text: str, *, lenient: bool) -> list[NumberMention]:
    """Group runs of number words ("twenty-three", "one hundred and five", "a dozen")."""
    words = _run_words(text)
    found: list[NumberMention] = []
    i = 0
    while i < len(words):
        group_end = _number_run(text, words, i)
        if group_end == i:
            i += 1
            continue
        run = words[i:group_end]
        i = group_end
        if run[0][0] in ("a", "an") and len(run) == 1:
            continue
        if _followed_by_ordinal(text, words, group_end):
            continue  # "twenty-third": an ordinal, not 20
        value = _evaluate([w for w, _, _ in run])
        if value is None:
            continue
        start, end = run[0][1], run[-1][2]
        if [w for w, _, _ in run] == ["one"] and not lenient:
            continue
        if run[0][0] == "half" and len(run) == 1 and not lenient:
            continue
        found.append(NumberMention(value, start, end, text[start:end]))
    return found


def _run_words(text: str) -> list[tuple[str, int, int]]:
    """Each word of ``_RUN_WORD`` in ``text``: lower-cased, start, end."""
    if any(char in text for char in _LOWER_CHANGES):
        return [(m.group().lower(), m.start(), m.end()) for m in _RUN_WORD.finditer(text)]
    return [(m.group(), m.start(), m.end()) for m in _RUN_WORD_LOWER.finditer(text.lower())]


def _number_run(text: str, words: list[tuple[str, int, int]], i: int) -> int:
    """Index just past the run of number words starting at ``words[i]`` (``i`` if none).

    Words join across a single space or hyphen, and across "and" after "hundred" or a scale
    word ("one hundred and five"). A units word right after another units word starts a new
    number ("two three" is two numbers), as does anything after a closed "dozen".
    """
    first = words[i][0]
    j = i
    if first == "half":
        half_dozen = _joined(text, words, i, 3) and [w for w, _, _ in words[i + 1 : i + 3]]
        return i + 3 if half_dozen == ["a", "dozen"] else i + 1
    if first in ("a", "an"):
        nxt = words[i + 1][0] if _joined(text, words, i, 2) else ""
        if nxt in ("hundred", "dozen", *_SCALES):
            j = i + 1
        else:
            return i
    elif first not in _NUMBER_WORDS:
        return i
    prev = words[j][0]
    j += 1
    while j < len(words) and _joined(text, words, j - 1, 2):
        word = words[j][0]
        if word == "and" and prev in ("hundred", *_SCALES) and j + 1 < len(words):
            if _joined(text, words, j, 2) and words[j + 1][0] in {*_UNITS, *_TENS}:
                prev = words[j + 1][0]
                j += 2
                continue
            break
        if word not in _NUMBER_WORDS or prev == "dozen":
            break
        if word in _UNITS and (prev in _UNITS or (prev in _TENS and _UNITS[word] >= 10)):
            break
        if word in _TENS and (prev in _UNITS or prev in _TENS):
            break
        prev = word
        j += 1
    return j


def _joined(text: str, words: list[tuple[str, int, int]], i: int, count: int) -> bool:
    """Whether ``words[i : i + count]`` are separated only by single spaces or hyphens."""
    if i + count > len(words):
        return False
    for k in range(i, i + count - 1):
        gap = text[words[k][2] : words[k + 1][1]]
        if gap not in (" ", "-", "\u2010", "\u2011"):
            return False
    return True


def _followed_by_ordinal(text: str, words: list[tuple[str, int, int]], j: int) -> bool:
    return j < len(words) and words[j][0] in _ORDINALS and _joined(text, words, j - 1, 2)


def _evaluate(run: list[str]) -> float | None:
    if run[0] == "half":
        return 6.0 if run[1:] == ["a", "dozen"] else 0.5
    total = 0.0
    current = 0.0
    seen = False
    for word in run:
        if word == "and":
            continue
        if word in ("a", "an"):
            current = 1.0
        elif word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word in _TENS:
            current += _TENS[word]
            seen = True
        elif word == "hundred":
            current = (current or 1.0) * 100
            seen = True
        elif word == "dozen":
            current = (current or 1.0) * 12
            seen = True
        elif word in _SCALES:
            total += (current or 1.0) * _SCALES[word]
            current = 0.0
            seen = True
        else:
            return None
    return total + current if seen else None
