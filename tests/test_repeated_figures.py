"""One figure worded differently by two sources is one fact: the writer states it once.

The near-duplicate rule compares words, and two sources giving the same count rarely share
half of them ("12 of the suspects were detained in Spain and France" against "All but 12
of the suspects were held in Portugal itself"). The merger already knows they are one
figure (one row of the figures table, citing both), so the extractive writer refuses a
sentence whose every figure an earlier chosen sentence gives.
"""

from __future__ import annotations

from summarizer.core.results import MergedEvent
from summarizer.core.source import Source
from summarizer.extract.builtin.extractor import builtin_events
from summarizer.merge.merger import merge_events
from summarizer.write.extractive import write_extractive

S1 = (
    "Police in Portugal arrested 40 people in a fraud inquiry on Tuesday, officials said. "
    "Investigators said 12 of the suspects were detained in Spain and France. "
    "The inquiry began after banks reported unusual transfers last spring."
)


def _merged(second: str) -> tuple[MergedEvent, list[Source]]:
    sources = [Source(id="S1", text=S1), Source(id="S2", text=second)]
    return merge_events(builtin_events(sources), sources), sources


def _sentences(second: str) -> list[str]:
    merged, sources = _merged(second)
    return [s.text for s in write_extractive(merged, sources=sources).sentences]


def test_a_figure_two_sources_word_differently_is_one_row_and_one_sentence() -> None:
    second = (
        "A fraud inquiry led by Portuguese police ended with 40 arrests this week. "
        "All but 12 of the suspects were held in Portugal itself. "
        "Prosecutors expect the first trials to open next year in Lisbon."
    )
    merged, _ = _merged(second)
    assert {f.value: sorted(f.source_ids) for f in merged.figures} == {
        40: ["S1", "S2"],
        12: ["S1", "S2"],
    }
    sentences = _sentences(second)
    assert sum("40" in s for s in sentences) == 1
    assert sum("12" in s for s in sentences) == 1
    # A sentence with no figure is judged by its words only, and this one is new.
    assert "Prosecutors expect the first trials to open next year in Lisbon." in sentences


def test_a_sentence_that_adds_a_figure_of_its_own_is_kept() -> None:
    second = (
        "All but 12 of the suspects were held in Portugal, where officers searched 7 banks. "
        "Prosecutors expect the first trials to open next year in Lisbon."
    )
    sentences = _sentences(second)
    assert any(s.startswith("All but 12") for s in sentences)
