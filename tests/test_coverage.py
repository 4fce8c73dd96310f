"""The word-coverage target of the extractive writer (``text.coverage``), on hand-made text."""

from __future__ import annotations

from collections import Counter

import pytest

from summarizer.text.coverage import coverage_gain, digest_tokens, expected_digest


def test_digest_tokens_keep_function_words_and_fold_inflections() -> None:
    tokens = digest_tokens("The police arrested 245 people; the arrests went on.")
    assert tokens["the"] == 2  # function words count: a digest is made of them too
    assert tokens["arrest"] == 2  # "arrested" and "arrests" are one word
    assert tokens["245"] == 1


def test_every_source_weighs_the_same_however_long() -> None:
    short = [Counter({"flood": 1})]
    long = [Counter({"bridge": 1})] * 20
    target = expected_digest([short, long], words=10)
    assert target["flood"] == pytest.approx(target["bridge"]) == pytest.approx(5.0)
    assert sum(target.values()) == pytest.approx(10.0)


def test_the_top_of_an_article_weighs_more_than_its_end() -> None:
    sentences = [Counter({"lead": 1}), *[Counter({"filler": 1})] * 8, Counter({"tail": 1})]
    target = expected_digest([sentences], words=100, half_life=3.0)
    assert target["lead"] > target["tail"] > 0


def test_words_the_sources_share_are_expected_more_often() -> None:
    one = [Counter({"flood": 1, "mayor": 1})]
    two = [Counter({"flood": 1, "bridge": 1})]
    target = expected_digest([one, two], words=4)
    assert target["flood"] == pytest.approx(2 * target["mayor"])


def test_no_words_no_target() -> None:
    assert expected_digest([], words=100) == {}
    assert expected_digest([[Counter()]], words=100) == {}


def test_gain_is_clipped_at_the_expected_count() -> None:
    target = {"flood": 2.0, "town": 0.5}
    sentence = Counter({"flood": 3, "town": 1, "unrelated": 4})
    assert coverage_gain(sentence, target, Counter()) == pytest.approx(2.5)
    assert coverage_gain(sentence, target, Counter({"flood": 1})) == pytest.approx(1.5)
    # Once the summary has enough of every target word, repeating them gains nothing.
    assert coverage_gain(sentence, target, Counter({"flood": 2, "town": 1})) == 0.0
