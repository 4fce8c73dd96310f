"""The usable-label judgement against the hand-labelled sample of dev-cluster figures.

``tests/data/figure-labels/sample.jsonl`` holds 240 figures from ``multinews-dev.jsonl``
(90 labelled by the extractor before issue 11, 90 by an intermediate version, 60 by the
final one), each judged by hand by the rubric in ``RUBRIC.md``. Multi-News may not be
copied into the repository, so a figure is stored by reference (cluster, source, label
parts as offsets, value offsets) and its label is rebuilt here from ``../shared/data``;
the test is skipped where that data is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.eval.figure_labels import usable_label
from summarizer.extract.builtin.figures import join_parts
from summarizer.sources.load import iter_clusters
from summarizer.text.numbers import find_numbers

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "figure-labels" / "sample.jsonl"
MULTINEWS = HERE.parent.parent / "shared" / "data" / "multinews-dev.jsonl"
#: The judgement must agree with the hand labels on at least this share of the sample.
#: Measured: 202/240 (84%); the misses are mostly labels that read as a noun phrase but
#: name the wrong thing (the number is part of a name), which the label alone cannot show.
MIN_AGREEMENT = 0.8


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def test_sample_is_large_enough_and_every_figure_is_judged_with_a_reason() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert all(isinstance(r["usable"], bool) and r["reason"] for r in rows)
    assert {r["extractor"] for r in rows} == {"before", "after", "final"}


@pytest.mark.skipif(not MULTINEWS.exists(), reason="../shared/data is not beside the repo")
def test_usable_label_agrees_with_the_hand_labels() -> None:
    clusters = {c.cluster.id: c.cluster for c in iter_clusters(MULTINEWS) if c.cluster}
    agree = 0
    rows = _rows()
    for row in rows:
        cluster = clusters[str(row["cluster"])]
        text = next(s.text for s in cluster.sources if s.id == row["source"])
        start, end = row["value"]  # type: ignore[misc]
        # The offsets still point at the number: the loader builds the same text.
        assert find_numbers(text[start:end]), (row, text[start:end])
        parts = [tuple(p) if isinstance(p, list) else p for p in row["label"]]  # type: ignore[attr-defined]
        label = join_parts(text, parts)
        assert label, row
        agree += usable_label(label) is row["usable"]
    assert agree / len(rows) >= MIN_AGREEMENT, f"agreement {agree}/{len(rows)}"
