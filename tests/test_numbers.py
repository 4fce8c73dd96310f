"""Number parsing, finding and backing: the basis of guarantee 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.text import numbers
from summarizer.text.numbers import NumberMention, contains_number, find_numbers, parse_number

SOURCE_1 = (
    Path(__file__).resolve().parents[1] / "fixtures" / "operation-sunflower" / "source-1.txt"
).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("245", 245),
        ("1,655", 1655),
        ("5.5", 5.5),
        ("five", 5),
        ("Five", 5),
        ("twenty-three", 23),
        ("twenty three", 23),
        ("a dozen", 12),
        ("two dozen", 24),
        ("half a dozen", 6),
        ("two million", 2_000_000),
        ("2 million", 2_000_000),
        ("$2.5 billion", 2_500_000_000),
        ("45%", 45),
        ("45 percent", 45),
        ("1.2m", 1_200_000),
        ("£3bn", 3_000_000_000),
        ("$2b", 2_000_000_000),
        ("5k", 5_000),
        ("a hundred", 100),
        ("one hundred and five", 105),
        ("three thousand four hundred", 3400),
        ("one", 1),
        ("zero", 0),
        ("half", 0.5),
        ("28th", 28),
        ("2012", 2012),
        (" 17. ", 17),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    ["dozens", "hundreds", "thousands", "third", "twenty-third", "first", "a", "", "  ",
     "245 people", "two three", "n/a", "2b"],
)  # fmt: skip
def test_parse_number_refuses_what_is_not_exactly_one_number(text: str) -> None:
    assert parse_number(text) is None


def values(text: str) -> list[float]:
    return [m.value for m in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a sixteen-year-old boy", [16]),
        ("an 11-year-old girl", [11]),
        ("45 were under 12 years old", [45, 12]),
        ("the evening of Nov. 28.", [28]),
        ("In 2012, a record", [2012]),
        ("a record 1,655 people", [1655]),
        ("grew 5.5 percent", [5.5]),
        ("two million people", [2_000_000]),
        ("2 million people", [2_000_000]),
        ("a dozen officers", [12]),
        ("Thirteen of the children", [13]),
        ("twenty-one victims and 3 dozen eggs", [21, 36]),
        ("$2.5 billion in aid", [2_500_000_000]),
        ("ages 4-6", [4, 6]),
        ("at 5 p.m. Sunday", [5]),
        ("a 10,000-word source", [10_000]),
        ("the 1990s", [1990]),
    ],
)
def test_find_numbers_values(text: str, expected: list[float]) -> None:
    assert values(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "one of the suspects",
        "no one was hurt",
        "someone often said it",
        "dozens of people and hundreds more, thousands in all",
        "the first and third arrests",
        "the twenty-third day",
        "half of them left",
        "a woman and an officer",
    ],
)
def test_words_that_are_not_number_claims(text: str) -> None:
    assert find_numbers(text) == []


def test_mentions_carry_exact_offsets() -> None:
    text = "Police found 1,655 people, two million dollars and a dozen cars."
    mentions = find_numbers(text)
    assert [m.text for m in mentions] == ["1,655", "two million", "a dozen"]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    assert mentions[0] == NumberMention(1655.0, 13, 18, "1,655")


def test_every_number_of_the_sunflower_article() -> None:
    first_paragraph = SOURCE_1.split("\n")[0]
    found = values(first_paragraph)
    for expected in (245, 123, 23, 6, 13, 5, 1, 7, 45, 12, 3, 70, 53, 16, 11, 2, 2012, 1655, 292):
        assert expected in found, expected
    # "one-year anniversary" uses a lone "one": not reported, by decision.
    assert "one-year" not in [m.text for m in find_numbers(first_paragraph)]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5, "Five were under age 3."),
        (5, "including five less than three years old"),
        (1655, "a record 1,655 people"),
        (1655, "1655 people"),
        (2_000_000, "2 million"),
        (2_000_000, "two million"),
        (2_000_000, "2,000,000"),
        (16, "a sixteen-year-old boy"),
        (1, "one victim"),  # backing is generous: a lone "one" counts
        (0.5, "half of them"),
        (12, "a dozen"),
        (45, "45%"),
    ],
)
def test_contains_number(value: float, text: str) -> None:
    assert contains_number(value, text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1,655 people"),
        (655, "1,655 people"),
        (2, "2 million"),
        (246, "245 people"),
        (5, "5.5 percent"),
        (12, "dozens of people"),
        (3, "the third arrest"),
        (20, "the twenty-third day"),
    ],
)
def test_does_not_contain_number(value: float, text: str) -> None:
    assert not contains_number(value, text)


def test_a_summary_sentence_is_backed_by_its_spans_in_either_form() -> None:
    sentence = "Operation Sunflower led to 245 arrests and rescued five children under 3."
    span = "the arrest of 245 people ... including five less than three years old"
    assert all(contains_number(m.value, span) for m in find_numbers(sentence))
    assert not all(
        contains_number(m.value, "the arrest of 245 people") for m in find_numbers(sentence)
    )


@given(st.integers(0, 10**12))
def test_digits_with_and_without_grouping_are_the_same_number(n: int) -> None:
    grouped = f"{n:,}"
    assert parse_number(grouped) == n
    assert contains_number(n, f"about {grouped} people")
    assert contains_number(n, f"about {n} people")


@given(st.text(max_size=200))
def test_mentions_are_ordered_disjoint_slices_of_the_text(text: str) -> None:
    last_end = 0
    for mention in find_numbers(text):
        assert last_end <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.text
        last_end = mention.end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Word numbers are read from a lower-cased copy; the two characters whose lower case
        # is not one character or turns ASCII ("İ", the Kelvin sign) must not move or join
        # a word: here they are letters of neither "twenty" nor "three".
        ("\u0130 twenty-three and \u0130stanbul", [23]),
        ("\u212atwenty-three", [23]),
        ("TWENTY-THREE and İİ two hundred", [23, 200]),
        ("Twenty\u212athree", [20, 3]),
    ],
)
def test_word_numbers_where_lower_casing_would_move_or_merge_letters(
    text: str, expected: list[float]
) -> None:
    assert values(text) == pytest.approx(expected)
    for mention in find_numbers(text):
        assert text[mention.start : mention.end] == mention.text


WORDS_AND_GAPS = [
    *[
        "one",
        "two",
        "three",
        "five",
        "twelve",
        "twenty",
        "thirty",
        "hundred",
        "thousand",
        "million",
        "dozen",
    ],
    *[
        "a",
        "an",
        "and",
        "half",
        "first",
        "third",
        "twentieth",
        "seven",
        "teen",
        "Seventeen",
        "SIX",
        "people",
        "of",
    ],
    " ",
    " ",
    " ",
    "-",
    "  ",
    ", ",
    "\u0130",
    "\u212a",
    "5",
    "1,655",
    "x",
]


@given(st.lists(st.sampled_from(WORDS_AND_GAPS), max_size=14).map("".join))
def test_the_word_scan_equals_a_scan_of_every_word(text: str) -> None:
    # The scan looks only at words that can belong to a number; tokenising every word
    # (the definition) must give the same mentions, "a", "and", ordinals and all.
    assert find_numbers(text) == _reference(text, lenient=False)
    assert [m.value for m in numbers._scan(text, lenient=True)] == [
        m.value for m in _reference(text, lenient=True)
    ]


def _reference(text: str, *, lenient: bool) -> list[NumberMention]:
    """``_scan`` with the word list built the slow, obvious way: every ASCII word."""
    words = [(m.group().lower(), m.start(), m.end()) for m in re.finditer("[A-Za-z]+", text)]
    original = numbers._run_words
    numbers._run_words = lambda _text: words  # type: ignore[assignment]
    try:
        return numbers._scan(text, lenient=lenient)
    finally:
        numbers._run_words = original
