"""The usable-label judgement against the hand-labelled sample of dev-cluster figures.

``tests/data/figure-labels/sample.jsonl`` holds 304 figures from ``multinews-dev.jsonl``
(90 labelled by the extractor before issue 11, 90 by an intermediate version, 60 by the
first final one, 64 by the extractor after the labels11 work), each judged by hand by
the rubric in ``RUBRIC.md``. Multi-News may not be
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
#: at least this share of each part. Measured: 171/180 (95%) on the first 180 lines and
#: 56/60 (93%) on the `final` 60 (both seen while its rules were written), 48/64 (75%) on
#: the `labels11` draw, which no rule was fitted to: the honest figure, still lenient.
MIN_AGREEMENT = {"development": 0.9, "held out": 0.9, "labels11": 0.7}


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def test_sample_is_large_enough_and_every_figure_is_judged_with_a_reason() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert all(isinstance(r["usable"], bool) and r["reason"] for r in rows)
    assert {r["extractor"] for r in rows} == {"before", "after", "final", "labels11"}


def _part(index: int, row: dict[str, object]) -> str:
    if row["extractor"] == "labels11":
        return "labels11"
    return "development" if index < 180 else "held out"


@pytest.mark.skipif(not MULTINEWS.exists(), reason="../shared/data is not beside the repo")
def test_usable_label_agrees_with_the_hand_labels() -> None:
    clusters = {c.cluster.id: c.cluster for c in iter_clusters(MULTINEWS) if c.cluster}
    counts: dict[str, list[int]] = {}
    for index, row in enumerate(_rows()):
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
        agree, total = counts.setdefault(_part(index, row), [0, 0])
        counts[_part(index, row)] = [
            agree + (usable_label(label, around) is row["usable"]),
            total + 1,
        ]
    for part, (agree, total) in counts.items():
        assert agree / total >= MIN_AGREEMENT[part], f"{part}: agreement {agree}/{total}"
