"""The usable-label judgement against the hand-labelled sample of dev-cluster figures.

``tests/data/figure-labels/sample.jsonl`` holds 496 figures from ``multinews-dev.jsonl``
(90 labelled by the extractor before issue 11, 90 by an intermediate version, 60 by the
first final one, 64 and 64 by two intermediate versions of the labels11 work and 128 by
its last), each judged by hand by the rubric in ``RUBRIC.md``. Multi-News may not be
copied into the repository, so a figure is stored by reference (cluster, source, label
parts as offsets, value offsets) and its label is rebuilt here from ``../shared/data``;
the test is skipped where that data is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.eval.figure_labels import around_number, usable_label
from summarizer.extract.builtin.figures import join_parts
from summarizer.sources.load import iter_clusters
from summarizer.text.numbers import find_numbers

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "figure-labels" / "sample.jsonl"
MULTINEWS = HERE.parent.parent / "shared" / "data" / "multinews-dev.jsonl"
#: The judgement, reading each number in its sentence, must agree with the hand labels on
#: at least this share of each part. The first 180 lines ("before", "after"), the
#: `final` 60 and the `labels11a`/`labels11b` draws were all read while its rules were
#: written (measured 95%, 90%, 94%, 95%); the `labels11` draws were judged after the last
#: rule and no rule was fitted to them (measured 110/128, 86%, all but one miss lenient);
#: the `labels11c` draws likewise after the next pass (90/100; it accepts all 100, so it
#: agrees only as often as the hand labels say usable).
MIN_AGREEMENT = {
    "development": 0.9,
    "final": 0.85,
    "labels11a": 0.85,
    "labels11b": 0.85,
    "labels11": 0.8,
    "labels11c": 0.85,
}


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def test_sample_is_large_enough_and_every_figure_is_judged_with_a_reason() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert all(isinstance(r["usable"], bool) and r["reason"] for r in rows)
    assert {r["extractor"] for r in rows} == {"before", "after", *MIN_AGREEMENT} - {"development"}
    assert sum(r["extractor"] == "labels11" for r in rows) >= 60


def _part(row: dict[str, object]) -> str:
    tag = str(row["extractor"])
    return "development" if tag in {"before", "after"} else tag


@pytest.mark.skipif(not MULTINEWS.exists(), reason="../shared/data is not beside the repo")
def test_usable_label_agrees_with_the_hand_labels() -> None:
    clusters = {c.cluster.id: c.cluster for c in iter_clusters(MULTINEWS) if c.cluster}
    counts: dict[str, list[int]] = {}
    for row in _rows():
        cluster = clusters[str(row["cluster"])]
        text = next(s.text for s in cluster.sources if s.id == row["source"])
        start, end = row["value"]  # type: ignore[misc]
        # The offsets still point at the number: the loader builds the same text.
        mentions = find_numbers(text[start:end])
        assert mentions, (row, text[start:end])
        parts = [tuple(p) if isinstance(p, list) else p for p in row["label"]]  # type: ignore[attr-defined]
        label = join_parts(text, parts)
        assert label, row
        around = around_number(text, start, end, mentions[0].value)
        tally = counts.setdefault(_part(row), [0, 0])
        tally[0] += usable_label(label, around) is row["usable"]
        tally[1] += 1
    for part, (agree, total) in counts.items():
        assert agree / total >= MIN_AGREEMENT[part], f"{part}: agreement {agree}/{total}"
