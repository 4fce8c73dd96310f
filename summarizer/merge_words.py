"""Word stems and set similarity: how the merge rules tell that two wordings say the same.

Figures, facts, quotes and times from different sources are matched on what their words
mean, not on their spelling, so every rule compares them through one folding: lemma-ish
stems (``stem``), with stopwords dropped and a few newsroom synonyms folded
(``content_stems``), compared as sets (``jaccard_index``, ``overlap_coefficient``). It
lives on its own because several merge modules and the writers (``summarizer.write``)
rely on the exact same folding; a second copy would drift and break merges silently.
"""

from __future__ import annotations

import re

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


def stem(word: str) -> str:
    """Lemma-ish folding of English inflections: 'arrests'/'arrested' → 'arrest'."""
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


def jaccard_index(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared share of both sets: strict, for "nearly the same wording"."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def overlap_coefficient(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared share of the smaller set: lenient, so a terse wording can match a long one."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0
