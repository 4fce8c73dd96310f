"""Direct quotes and who said them, from the attribution patterns of English news.

Recognised: ``"...," he said`` · ``"...," said X`` · ``"...," X said`` · ``X said: "..."``
· ``X said "..."``, and a quote that directly continues an attributed one in the same
paragraph (``"...," Morton said. "We are ..."``). A pronoun speaker ("he", "she") is
resolved to the nearest person named before the quote; unresolvable quotes are kept with
the pronoun rather than dropped, because the words are still exact. The citation covers
the quoted words only, without the quotation marks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.core.events import GroundedActor, GroundedQuote
from summarizer.core.schema import ActorKind
from summarizer.core.source import Source
from summarizer.extract.builtin.spans import cite

_QUOTE = re.compile(r"[\"“]([^\"“”\n]{12,1200}?)[\"”]")
_VERB = (
    r"(?:said|says|added|told\s+\w+|noted|explained|stated|wrote|asked|insisted|argued|"
    r"recalled|continued|declared|warned|tweeted)"
)
_NAME = r"(?:[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|of|the|and))*|he|she|they|it|we|I)"
_AFTER = [
    re.compile(rf"^\s*(?P<speaker>{_NAME})\s+{_VERB}\b"),
    re.compile(rf"^\s*{_VERB}\s+(?P<speaker>{_NAME})"),
]
_BEFORE = re.compile(rf"(?P<speaker>{_NAME})(?:,[^,\"“]{{3,80}},)?\s+{_VERB}\s*[:,]?\s*$")
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})


def _resolve(speaker: str, at: int, people: Sequence[GroundedActor], text: str) -> str:
    """Turn a pronoun or surname into the full name of the nearest preceding person."""
    lowered = speaker.lower()
    if lowered in _PRONOUNS:
        best, best_pos = speaker, -1
        for person in people:
            for token in {person.name, person.name.split()[-1]}:
                pos = text.rfind(token, 0, at)
                if pos > best_pos:
                    best, best_pos = person.name, pos
        return best
    for person in people:
        if speaker == person.name.split()[-1] or speaker.endswith(person.name):
            return person.name
    return speaker


def find_quotes(source: Source, actors: Sequence[GroundedActor]) -> list[GroundedQuote]:
    """Attributed direct quotes of ``source``; ``actors`` resolve pronouns and surnames."""
    text = source.text
    people = [a for a in actors if a.kind is ActorKind.PERSON]
    quotes: list[GroundedQuote] = []
    seen: set[str] = set()
    previous_speaker: str | None = None
    previous_end = -1
    for match in _QUOTE.finditer(text):
        inner = match.group(1)
        if len(inner.split()) < 3:
            continue
        after = text[match.end() : match.end() + 80]
        before = text[max(0, match.start() - 120) : match.start()]
        speaker = None
        for pattern in _AFTER:
            found = pattern.match(after)
            if found:
                speaker = found.group("speaker")
                break
        if speaker is None and (found := _BEFORE.search(before)):
            speaker = found.group("speaker")
        gap = text[previous_end : match.start()] if previous_end >= 0 else "\n"
        if speaker is None and previous_speaker and "\n" not in gap and len(gap) < 200:
            speaker = previous_speaker
        previous_end = match.end()
        if speaker is None:
            previous_speaker = None
            continue
        speaker = _resolve(speaker, match.start(), people, text)
        previous_speaker = speaker
        if inner in seen:
            continue
        seen.add(inner)
        citation = cite(source, match.start(1), match.end(1))
        quotes.append(GroundedQuote(speaker=speaker, evidence=citation.quote, citation=citation))
    return quotes
