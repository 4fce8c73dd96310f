"""Word stems and set similarity: how the merge rules tell that two wordings say the same.

Figures, facts, quotes and times from different sources are matched on what their words
mean, not on their spelling, so every rule compares them through one folding: lemma-ish
stems (``stem``), with stopwords dropped and a few newsroom synonyms folded
(``content_stems``), compared as sets (``jaccard_index``, ``overlap_coefficient``). It
lives on its own because several merge modules and the writers (``summarizer.write.writer``)
rely on the exact same folding; a second copy would drift and break merges silently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

#: A word (possibly an acronym with dots: "U.S."), or a number with separators.
WORD = re.compile(r"[A-Za-z]+(?:\.[A-Za-z])*\.?|\d+(?:[.,]\d+)*")
_STOPWORD_TEXT = """a an the of in on at to for from by with and or as is are was were be been being
    that this these those it its their his her who whom which what number total count amount
    than into about over during after before since per has have had"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
#: A possessive ending ("girl's", "Obama’s"): WORD would leave a stray "s" word behind.
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['’]s\b")
_IRREGULAR = {
    "children": "child",
    "people": "person",
    "persons": "person",
    "men": "man",
    "women": "woman",
    "dead": "kill",
    "death": "kill",
    "deaths": "kill",
    "died": "kill",
    "slain": "kill",
    "killed": "kill",
}
#: Newsroom synonyms folded after stemming; deliberately few: each one is a merge risk.
_SYNONYMS = {
    "apprehend": "arrest",
    "detain": "arrest",
    "wound": "injur",
    "hurt": "injur",
    "individual": "person",
}


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Lemma-ish folding of English inflections: 'arrests'/'arrested' → 'arrest'.

    Cached: a pure function of one word, asked of the same few thousand words all run long.
    """
    word = word.lower().replace(".", "")
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.isdigit():
        return word
    if len(word) > 4 and word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith(("sses", "shes", "ches", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return _SYNONYMS.get(word, word)


def content_stems(text: str) -> list[str]:
    """Stems of the words that say what something is about, in text order."""
    if len(text) > CACHED_CHARS:
        return _content_stems(text)
    return list(_cached_content_stems(text))


#: Texts up to this long (facts, labels, quotes) have their stems cached: the merger, the
#: figure labeller and the writer's checks stem the same short texts again and again.
CACHED_CHARS = 1000


@functools.lru_cache(maxsize=16384)
def _cached_content_stems(text: str) -> tuple[str, ...]:
    return tuple(_content_stems(text))


def _content_stems(text: str) -> list[str]:
    out = []
    for match in WORD.finditer(_POSSESSIVE.sub("", text)):
        raw = match.group().lower()
        if raw.rstrip(".") in _STOPWORDS:
            continue
        if raw[0].isdigit():
            out.append(raw.replace(",", ""))
        else:
            out.append(stem(raw))
    return out


def name_stems(text: str) -> list[str]:
    """Stems of the named entities in a short description, in text order.

    A description ("age of Maria Ridulph", "people killed in Gaza", "arrests by ICE")
    capitalises names and little else, so a name is a capitalised word after the first
    (the first may be capitalised only because it starts the text: "Hours", "People
    killed") or an acronym anywhere ("ICE", "U.S."). Stopwords ("The", "Of") never count.
    Unit and measure words that a headline-style label capitalises ("Miles West of
    Chicago") would count as names; both sides must then capitalise them alike, which a
    conflict rule can afford (it only makes conflicts rarer).
    """
    out = []
    for index, match in enumerate(WORD.finditer(_POSSESSIVE.sub("", text))):
        word = match.group()
        letters = word.replace(".", "")
        if not letters or not letters[0].isupper() or letters.lower() in _STOPWORDS:
            continue
        acronym = len(letters) >= 2 and letters.isupper()
        if index > 0 or acronym:
            out.append(stem(word))
    return out


#: Capitalised words that name no particular entity: pronouns and words a sentence-initial
#: position or a quotation capitalises, titles ("Mr Ross", "President Saleh": the name
#: that follows is the entity), days and months (every sub-event has one).
_COMMON_CAPITALISED_TEXT = """i he she it we they you his her hers its our their my your him them
    me us this that
    there here then but so yet if when while where why how what who not no yes also all
    mr mrs ms dr sir madam prof gov sen rep gen col lt sgt st mt president vice prime
    minister secretary judge chief director senator governor mayor officer
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec"""
_COMMON_CAPITALISED = frozenset(_COMMON_CAPITALISED_TEXT.split())
#: Endings that derive a people or adjective from a place ("Mexico" → "Mexican",
#: "China" → "Chinese", "Yemen" → "Yemeni"): such words describe a whole country, never
#: which sub-event, so two sentences sharing only "Mexican" are not about one thing.
_DEMONYM_ENDINGS = ("ians", "ian", "ans", "an", "ns", "n", "ese", "is", "i", "ish")


def _is_demonym(word: str, names: frozenset[str]) -> bool:
    """Whether ``word`` (lower case) is derived from another name of the same text."""
    for ending in _DEMONYM_ENDINGS:
        if len(word) > len(ending) + 3 and word.endswith(ending):
            base = word[: -len(ending)]
            if any(
                name != word and len(name) >= 4 and (name == base or name[:-1] == base)
                for name in names
            ):
                return True
    return False


@dataclass
class SentenceNames:
    """The named entities of each sentence of one text, for the figure-context rule.

    A name is a capitalised word or acronym that is not a stopword nor a common
    capitalised word (``_COMMON_CAPITALISED``). A sentence's first word counts only when
    the same text also capitalises it inside a sentence ("Obama won 332 votes" next to
    "said Obama"): otherwise "Scientists", "More" or "The" would pass for names. Words
    derived from a place name of the same text ("Mexican" beside "Mexico", ``_is_demonym``)
    do not count. Built once per source: the capitalisation evidence is the whole text.
    """

    text: str
    sentences: Sequence[tuple[int, int]]
    _inside: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        inside: set[str] = set()
        for start, end in self.sentences:
            for index, word in enumerate(_words(self.text[start:end])):
                if index > 0 and _capitalised(word):
                    inside.add(word.replace(".", "").lower())
        self._inside = frozenset(inside)

    def demonym(self, word: str) -> bool:
        """Whether ``word`` derives from a place name of this text ("Mexican", "Americans")."""
        return _is_demonym(word.replace(".", "").lower(), self._inside)

    def around(self, start: int, end: int) -> frozenset[str]:
        """Name stems of every sentence that the span ``start:end`` touches."""
        spans = [(a, b) for a, b in self.sentences if a < max(end, start + 1) and start < b]
        out: set[str] = set()
        for a, b in spans or [(start, end)]:
            for index, word in enumerate(_words(self.text[a:b])):
                letters = word.replace(".", "")
                lower = letters.lower()
                acronym = len(letters) >= 2 and letters.isupper()
                if not _capitalised(word) or lower in _COMMON_CAPITALISED:
                    continue
                if index == 0 and not acronym and lower not in self._inside:
                    continue
                if not acronym and _is_demonym(lower, self._inside):
                    continue
                out.add(stem(word))
        return frozenset(out)


def _words(text: str) -> list[str]:
    return [m.group() for m in WORD.finditer(_POSSESSIVE.sub("", text))]


def _capitalised(word: str) -> bool:
    letters = word.replace(".", "")
    return bool(letters) and letters[0].isupper() and letters.lower() not in _STOPWORDS


def jaccard_index(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared share of both sets: strict, for "nearly the same wording"."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def overlap_coefficient(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared share of the smaller set: lenient, so a terse wording can match a long one."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0
