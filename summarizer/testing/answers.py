"""Default answers of the fake OpenAI server: valid extractions and summaries built from the
article in the prompt, so a pipeline run against it exercises grounding, merging and writing
with answers a real model could give.
"""

from __future__ import annotations

import re
from typing import Any

from summarizer.testing.scripted import Action, FakeRequest, Reply, content_text
from summarizer.text.readability import content_words, dangling_opener, near_duplicate

# --------------------------------------------------------------------------- default answers

#: A sentence: up to . ! ? (not after an initial like the "U." of "U.S.") or a line end.
_SENTENCE = re.compile(r"\S[^\n]*?(?:(?<!\b[A-Z])(?<!\.[A-Z])[.!?]+[\"'”’)]*(?=\s|$)|(?=\n)|$)")
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\w)|(?<![\w.,])\d+(?:\.\d+)?(?!\w)")


def article_sentences(text: str) -> list[str]:
    """Sentences of ``text`` exactly as written (each a substring), in order."""
    return [s for s in _SENTENCE.findall(text) if len(s) > 20]


def extraction_for(article: str, *, max_facts: int = 5) -> dict[str, Any]:
    """A valid, grounded ``EventExtraction`` dict: first sentences as facts, numbers as figures."""
    sentences = article_sentences(article)[:max_facts]
    figures = []
    for sentence in sentences:
        for match in _NUMBER.finditer(sentence):
            figures.append(
                {
                    "what": "number mentioned",
                    "value": float(match.group().replace(",", "")),
                    "unit": None,
                    "approximate": False,
                    "evidence": sentence,
                }
            )
    headline = sentences[0] if sentences else (article.strip()[:80] or "No text")
    return {
        "headline": headline,
        "event_type": "other",
        "when": [],
        "where": [],
        "actors": [],
        "figures": figures,
        "quotes": [],
        "facts": [{"statement": s, "evidence": s} for s in sentences],
    }


def ungrounded_extraction(article: str) -> dict[str, Any]:
    """Like :func:`extraction_for`, but every evidence is words the article does not contain."""
    value = extraction_for(article)
    invented = "The minister said seventeen elephants were seen dancing on the moon."
    for item in value["facts"]:
        item["evidence"] = invented
    value["figures"] = []
    return value


def extraction_responder(request: FakeRequest) -> Action:
    """Default responder: a valid extraction of the article in the request."""
    return Reply(extraction_for(request.article))


_ITEM_FACT = re.compile(r"^(F\d+) \[[^\]]*\] (.+)$", re.M)
_SENTENCE_RANGE = re.compile(r"(\d+) to (\d+) sentences")


def summary_for(request: FakeRequest) -> dict[str, Any]:
    """A valid SummaryDraft for a writer request: one sentence per listed fact, citing it.

    Each sentence is the fact's own statement, so every number it holds is in the cited
    fact's evidence whenever the fact itself is backed. Like a writer obeying the
    readability validators, it skips a fact that repeats an earlier pick or opens with a
    pronoun or connective (``text.readability``), unless that leaves too few sentences.
    """
    facts = _ITEM_FACT.findall(request.user_text)
    system = " ".join(
        content_text(m.get("content")) for m in request.messages if m.get("role") == "system"
    )
    limits = _SENTENCE_RANGE.search(system)
    most = int(limits.group(2)) if limits else 10
    fewest = int(limits.group(1)) if limits else 1
    picked: list[tuple[str, str]] = []
    picked_words: list[frozenset[str]] = []  # each pick's words once (the server's CPU
    for fact_id, text in facts:  # is the benchmarks' too: they share the machine)
        if len(picked) == most:
            break
        words = content_words(text)
        if dangling_opener(text) or any(near_duplicate(words, seen) for seen in picked_words):
            continue
        picked.append((fact_id, text))
        picked_words.append(words)
    if len(picked) < fewest:
        picked = facts
    sentences = [{"text": text, "fact_ids": [fact_id]} for fact_id, text in picked[:most]]
    return {"headline": facts[0][1] if facts else "Summary", "sentences": sentences}


def pipeline_responder(request: FakeRequest) -> Action:
    """Answers both LLM rounds of a run: extraction requests and writer requests."""
    if request.article_id is None and request.user_text.lstrip().startswith("Items:"):
        return Reply(summary_for(request))
    return extraction_responder(request)


def ungrounded_responder(request: FakeRequest) -> Action:
    """Always answers with evidence that is not in the source (re-asks included)."""
    return Reply(ungrounded_extraction(request.article))
