"""Phrases of English news prose for figure labels: word runs, noun phrases, predicates.

Labels are built from the source's own words (``Part``: a span, or a fixed connective such
as "age of"), so every label can be rebuilt from offsets. The word classes are small and
closed (articles, pronouns, auxiliaries, clause openers): the rules use syntax-ish cues
(a verb ends a noun phrase, punctuation ends a run), never lists of things counted.
"""

from __future__ import annotations

import re

from summarizer.text.numbers import parse_number

#: Words after which the counted phrase has ended.
STOP = frozenset(
    """
    and or but that which who whom whose when where while because after before since
    during from to in on at by for with as than about said says according if though
    although including like per each apiece annually now currently last over upon into
    under above below across via against among between off out up down back away
    along toward towards through throughout beyond within without amid despite near
    behind beside past onto inside outside
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Words that end a predicate ("were under 12 years old, including ..."): clause openers.
CLAUSE_STOP = frozenset(
    """
    and or but that which who whom whose when where while because after before since
    during said says according if though although including as
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
COPULA = frozenset("is are was were be been being".split())  # noqa: SIM905
AUX = frozenset(
    "has have had will would could can may might must should shall do does did".split()  # noqa: SIM905
)
#: Words that never head or end a noun phrase: articles, pronouns, negation.
NOT_NOUN = frozenset(
    """
    a an the this these those that it its he she they we you i them him her his their our
    us me my your not no there here then also just only very so such one ones what whatever
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: "-ing" words that are nouns ("three buildings", "two meetings"), not participles.
_ING_NOUNS = frozenset(
    """
    building meeting wedding funding spending housing training hearing killing shooting
    bombing morning evening ceiling painting recording offering filing listing opening
    ending setting ruling warning earnings savings thing sting swing spring string
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_MAX_NP_WORDS = 4
_MAX_PREDICATE_WORDS = 7
_MAX_COMPLEMENT_WORDS = 4
_TIME_WORDS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    tonight morning afternoon evening night week weekend month year time noon midnight dawn
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
PREPOSITIONS = frozenset(
    "in on at from to for of outside inside into near across abroad overseas".split()  # noqa: SIM905
)


#: Words after which a number only bounds another figure ("under 12", "ages of 4").
QUALIFIER_BEFORE = re.compile(
    r"\b(?:under|over|than|aged?|ages|of|between|and|to|or|older|younger|below|above)\s*$",
    re.IGNORECASE,
)

Part = tuple[int, int] | str
Word = tuple[str, int, int]


def join_parts(text: str, parts: tuple[Part, ...] | list[Part]) -> str:
    """The label text of ``parts`` (spans of ``text`` or fixed words), space-joined."""
    out = [p if isinstance(p, str) else text[p[0] : p[1]] for p in parts]
    return " ".join(" ".join(out).split())


def word_run(text: str, pos: int, limit: int, gaps: str = r"[ \t]*-[ \t]*|[ \t]*") -> list[Word]:
    """Words from ``pos`` while only spaces (or a hyphen) separate them: punctuation ends."""
    out: list[Word] = []
    while pos < limit and len(out) < 12:
        gap = re.match(gaps, text[pos:limit])
        step = gap.end() if gap else 0
        if out and step == 0:
            break
        if not out and step == 0 and pos < limit and not text[pos].isalnum():
            break
        match = _WORD.match(text, pos + step, limit)
        if not match:
            break
        out.append((match.group(), match.start(), match.end()))
        pos = match.end()
    return out


#: Irregular past forms: "seven previous elections won a larger majority" ends the noun
#: phrase at "won" as "arrested" would.
_IRREGULAR_PAST = frozenset(
    """
    won got made took came went gave saw said told found left kept held led ran met paid
    sold sent spent stood brought bought caught fought thought taught felt lost meant
    became began drew drove fell flew grew knew rose spoke stole wore wrote hit
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def is_verb(word: str) -> bool:
    lower = word.lower()
    if lower in COPULA or lower in AUX or (word.islower() and lower in _IRREGULAR_PAST):
        return True
    return word.islower() and len(lower) > 3 and lower.endswith("ed") and not lower.endswith("eed")


def noun_phrase(text: str, pos: int, limit: int) -> tuple[list[Word], bool]:
    """The noun phrase starting at ``pos`` and whether it was a part ("of the suspects")."""
    words = word_run(text, pos, limit)
    partitive = False
    if len(words) >= 2 and words[0][0].lower() == "worth" and words[1][0].lower() == "of":
        words = words[1:]  # "$1 billion worth of the stock": the stock is what is measured
    if len(words) >= 2 and words[0][0].lower() in {"of", "out"}:
        skip = 1 + (words[1][0].lower() == "of")
        if skip < len(words) and words[skip][0].lower() in {
            "the",
            "those",
            "these",
            "its",
            "their",
        }:
            skip += 1
        words, partitive = words[skip:], True
    phrase: list[Word] = []
    for index, (word, start, end) in enumerate(words):
        lower = word.lower()
        if word[:1].isdigit() or is_verb(word) or lower in STOP:
            break
        if not phrase and is_number(word):
            break  # "five of the seven previous elections": a count of a count, not a noun
        if lower in NOT_NOUN and not (lower == "one" and phrase):
            break
        if lower == "of" and phrase and index + 1 < len(words):
            following = words[index + 1][0].lower()
            if following in NOT_NOUN or following in STOP or is_number(following):
                break
        elif lower == "of":
            break
        gerund = lower.endswith("ing") and lower not in _ING_NOUNS and len(lower) > 4
        if gerund and len(phrase) >= 2 and phrase[-2][0].lower() == "of":
            phrase.append((word, start, end))
            break  # "counts of human trafficking": the gerund heads the "of" phrase
        if gerund:
            break  # "seven ranging from", "12 people living in": a participle, not a noun
        previous = phrase[-1][0] if phrase else ""
        plain = previous.islower() or len(phrase) == 1  # not "House of Cards star"
        after_plural = plain and _plural_word(previous) and lower != "of"
        after_plural = after_plural and not previous.endswith(("'", "’"))  # "officers' home"
        if after_plural and word.islower() and not _plural_word(word):
            break  # "39 percent of Americans approve of": a plural head ends the phrase
        if phrase and word[:1].isupper() and phrase[-1][0][:1].islower() and phrase[-1][0] != "of":
            if len(phrase) == 1 and _modifies_name(phrase[0][0], words[index:]):
                phrase = []  # "a 2-month-old national Occupy movement": it modifies the name
            break  # "three dogs Tuesday": a name after the noun starts something else
        if phrase and _finite_s_verb(previous, word, words[index + 1 : index + 2]):
            break  # "the launch window opens July 31", "Braden Scott sits up": a verb
        if lower.endswith("ly") and len(lower) > 4:
            break  # "reports annually", "patients overall": an adverb ends the phrase
        has_of = any(w.lower() == "of" for w, _, _ in phrase)
        if len(phrase) >= _MAX_NP_WORDS + (3 if has_of else 0):
            break
        phrase.append((word, start, end))
    phrase = _before_enumeration(text, phrase)
    while phrase and phrase[-1][0].lower() in {"of", *NOT_NOUN}:
        phrase.pop()
    if phrase and phrase[0][0] in {"Most", "More", "Many", "All", "Some", "Other"}:
        phrase = []
    while len(phrase) > 1 and phrase[0][0] in {"more", "other", "total", "additional"}:
        phrase = phrase[1:]  # "three more attackers", "258,000 total patients": the noun
    named = partitive and _plural_word(phrase[0][0]) if phrase else False  # "of Americans"
    if len(phrase) == 1 and phrase[0][0][:1].isupper() and not phrase[0][0].isupper() and not named:
        phrase = []  # "24 Global", "Twelve Apostles": a name, not what is counted
    if phrase and "-" in phrase[-1][0] and len(phrase) == 1:
        phrase = []  # "two sub-equal", "4,000 long-distance": a modifier without its noun
    return phrase, partitive


#: Adjective endings: one such word cut off by a name modifies the name, it counts nothing.
_ADJECTIVE_END = re.compile(r"[a-z](?:al|ic|ous|ful|ish)$")


def _modifies_name(word: str, rest: list[Word]) -> bool:
    """Whether an adjective-like ``word`` before the capitalised ``rest`` modifies a
    compound name ("national Occupy Wall Street movement": a common noun ends the name),
    rather than a noun before a name of its own ("official Ahmed Ali said")."""
    if not _ADJECTIVE_END.search(word):
        return False
    names = 0
    while names < len(rest) and rest[names][0][:1].isupper():
        names += 1
    if names == len(rest):
        return False
    after = rest[names][0]
    return not (is_verb(after) or after.lower() in STOP | NOT_NOUN | _TIME_WORDS)


_MONTH_WORDS = frozenset(
    "january february march april may june july august september october november december".split()  # noqa: SIM905
)
#: Particles and directions that complete a verb ("jumped into action", "sits up").
PARTICLES = frozenset("into onto up down out off away back".split())  # noqa: SIM905


def _finite_s_verb(previous: str, word: str, following: list[Word]) -> bool:
    """Whether ``word``, an "-s" form after a singular noun or a name, is the verb of a
    clause rather than a plural head: "window opens July 31", "Scott sits up", "plan
    costs the city" (an object, number, date or particle follows) are clauses; "soccer
    fans", "police officers" are not (nothing of the kind follows)."""
    if not word.islower() or not _plural_word(word) or _plural_word(previous) or not following:
        return False
    after = following[0][0]
    lower = after.lower()
    month = after[:1].isupper() and lower in _MONTH_WORDS  # not "patients may"
    return lower in _OBJECT_PRONOUNS or month or lower in PARTICLES or is_number(after)


#: Determiners and pronouns that only open an object: "that" and "a" also follow a noun
#: ("systems that diagnose", "two drinks a day"), so they are not among them.
_OBJECT_PRONOUNS = frozenset("the his her their its him them me us it our my your".split())  # noqa: SIM905


def _before_enumeration(text: str, phrase: list[Word]) -> list[Word]:
    """The phrase without an "of" that opens a list of names: "the three major towns of
    Kidal, Gao and Timbuktu" are the towns, and Kidal is one of them, not their place."""
    heads = [w for w, _, _ in phrase]
    if "of" not in heads[1:]:
        return phrase
    at = heads.index("of", 1)
    if at + 1 >= len(phrase) or not heads[at + 1][:1].isupper():
        return phrase
    names = r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*"
    if re.match(rf"\s*,\s*{names}\s*(?:,|and\b|or\b)|\s+(?:and|or)\s+[A-Z]", text[phrase[-1][2] :]):
        return phrase[:at]
    return phrase


def _plural_word(word: str) -> bool:
    """A regular plural ("patients", "officers'"), not a possessive ("star's")."""
    lower = word.lower().rstrip("'’")
    if lower.endswith(("'s", "’s")):
        return False
    return len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is"))


def is_number(word: str) -> bool:
    return word[:1].isdigit() or parse_number(word.lower()) is not None


def complement(text: str, pos: int, limit: int) -> list[Word]:
    """A short phrase after a participle ("outside the United States", "the age of
    majority"), kept only when it ends at a clause boundary and holds no other number."""
    out: list[Word] = []
    for word, start, end in word_run(text, pos, limit):
        lower = word.lower()
        if is_number(word):
            return []  # "arrested in six more countries": another figure, left to itself
        if (lower in STOP and lower not in PREPOSITIONS) or is_verb(word):
            break
        if len(out) >= _MAX_COMPLEMENT_WORDS or lower in _TIME_WORDS:
            return []  # too long for a label, or a time ("on Monday"), not a place
        out.append((word, start, end))
    if out and out[0][0].lower() not in PREPOSITIONS | {"the", "a", "an"}:
        return []  # a complement opens with a preposition or an object
    infinitive = len(out) > 1 and out[0][0].lower() == "to" and out[1][0].islower()
    if infinitive and out[1][0].lower() not in {"the", "a", "an"}:
        return []  # "gathered to observe what": an infinitive, not a place
    while out and out[-1][0].lower() in {*STOP, *NOT_NOUN, "of"}:
        out.pop()
    if out and out[-1][0].endswith("ing") and out[-1][0].lower() not in _ING_NOUNS:
        return []  # "suspected of bringing": cut before the gerund's object
    return out


def predicate(text: str, pos: int, limit: int) -> list[Word]:
    """What a bare count is said to be: "were under age 3" → "under age 3"."""
    words = word_run(text, pos, limit)
    while words and (words[0][0].lower() in COPULA or words[0][0].lower() in AUX):
        words = words[1:]
    while words and words[0][0].lower() in {"since", "also", "all", "now", "still"}:
        words = words[1:]
    out: list[Word] = []
    for word, start, end in words:
        lower = word.lower()
        previous = out[-1][0] if out else ""
        range_end = lower in {"and", "to", "or"} and previous[:1].isdigit()
        if lower in CLAUSE_STOP and not range_end:
            break
        if is_number(word) and out and not QUALIFIER_BEFORE.search(" " + previous):
            break  # "... in 19 different states": another figure starts
        if len(out) >= _MAX_PREDICATE_WORDS:
            break
        out.append((word, start, end))
    while out and out[-1][0].lower() in {*STOP, *NOT_NOUN, "of", "the"}:
        out.pop()
    return out


def spans(words: list[Word]) -> list[Part]:
    return [(s, e) for _, s, e in words]


#: Capitalised words that may stand right before a count: titles of a sentence's first
#: words are excluded already; these are approximations and headline words.
_NAME_EXCEPTIONS = frozenset("about around nearly some only just more than over".split())  # noqa: SIM905


def in_name_or_code(text: str, floor: int, start: int, end: int) -> bool:
    """Whether a number is part of a name, a code or a compound rather than a count: "U.S.
    Highway 101", "Xbox 360", "FTSE 100", "Planet Nine" (a capitalised word right before
    it, not the sentence's first), "Fig. 6", "U.S. 278" (an abbreviation right before it),
    "2013-14", "888-580-8477", "47%-36%" (joined by hyphens to other numbers), "nine-to-33"
    and "half-dozen" (joined to a word before it, unless an age follows: "then-18-year-old"),
    "+0.88%" (a signed change), "one in 10", "for every 100,000" (the denominator of a
    ratio), "top 10" (the size of a ranking), "40 30" (numbers in a row: an axis or a
    table), "the Two Fat Ladies" (a number word capitalised mid-sentence)."""
    before_text = text[floor:start]
    if re.match(r"[-–]\d", text[end : end + 2]) or re.search(r"\d%?[-–]$", before_text):
        return True
    if re.search(r"[A-Za-z][-–]$", before_text) and not re.match(r"-\w+-olds?\b", text[end:]):
        return True
    if re.search(r"(?:^|[\s(])(?:[A-Z][a-z]{0,2}\.)+ ?$|[+±]$", before_text):
        return True
    if re.search(r"\b(?:one|1|a)\s+in\s+$|\b(?:top|every|per)\s+$", before_text, re.I):
        return True  # "one in 10", "for every 100,000", "the top 10 books": a ratio, a rank
    if text[start:end][:1].isupper() and re.search(r"[a-z,]\s+$", before_text):
        return True  # "the Two Fat Ladies programmes": a capitalised number inside a name
    if re.search(r"\d\s+$", before_text) or re.match(r"\s+\d", text[end : end + 2]):
        return True  # "50 Number of Reports 40 30 Ave Events": a chart axis or table
    before = re.search(r"(?:^|\s)([A-Z][\w.&'’-]*) $", before_text)
    if before is None or floor + before.start(1) == floor:
        return False
    word = before.group(1).rstrip(".")
    return word.lower() not in _NAME_EXCEPTIONS


#: "in the region of", "over the course of", "at the height of": a preposition, an article
#: and a noun before "of" make a compound preposition; the noun is not what is measured.
_COMPOUND_PREPOSITION = re.compile(
    r"\b(?:in|over|on|at|for|by|within|under|during|throughout|to)\s+the\s+$", re.IGNORECASE
)


def compound_preposition(text: str, floor: int, noun_start: int) -> bool:
    """Whether the noun at ``noun_start`` (before "of" and a number) is the middle of a
    compound preposition ("costing in the region of $1.5bn", "over the course of seven
    years"), which names no thing the number measures."""
    return _COMPOUND_PREPOSITION.search(text[floor:noun_start]) is not None


def possessor(phrase: list[Word]) -> list[Part]:
    """The phrase up to its possessor: "boy's symptoms" → "boy" (the age is the boy's)."""
    out: list[Part] = []
    for word, start, end in phrase:
        if word.endswith(("'s", "’s")):
            return [*out, (start, end - 2)]
        out.append((start, end))
    return out


#: "-ing" forms whose past participle is not the stem plus "-ed".
_IRREGULAR_PARTICIPLES = {
    "leaving": "left", "hitting": "hit", "holding": "held", "taking": "taken",
    "making": "made", "bringing": "brought", "sending": "sent", "selling": "sold",
    "losing": "lost", "finding": "found", "keeping": "kept", "catching": "caught",
    "striking": "struck", "shooting": "shot", "beating": "beaten", "putting": "put",
    "cutting": "cut", "getting": "got", "giving": "given", "seeing": "seen",
    "hurting": "hurt", "feeding": "fed", "leading": "led", "stealing": "stolen",
    "driving": "driven", "drawing": "drawn", "throwing": "thrown", "setting": "set",
}  # fmt: skip


def past_participle(gerund: str) -> str:
    """The past participle of an "-ing" verb, so that "wounding 12 people" is labelled
    "people wounded": the stem plus "-ed" ("injuring" → "injured", "stopping" →
    "stopped"), "-ied" after a consonant "y", or the irregular form."""
    lower = gerund.lower()
    if lower in _IRREGULAR_PARTICIPLES:
        return _IRREGULAR_PARTICIPLES[lower]
    stem = lower[:-3]
    if stem.endswith("e"):
        return stem + "d"
    if stem.endswith("y") and len(stem) > 2 and stem[-2] not in "aeiou":
        return stem[:-1] + "ied"
    return stem + "ed"


#: Words that open a verb's object: after a bare "-ed" form they make it an active verb
#: ("two women accosted him"), not what happened to the counted thing.
_OBJECT_OPENERS = frozenset(
    """
    the a an his her their its him them me us it this that these those our my your they
    he she we
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


#: Adverbs that may follow a participle without leaving it incomplete.
_ADVERBS = frozenset(
    """
    yesterday today tonight overnight here there again too early late home soon later
    earlier already still together nationwide worldwide abroad
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def verb_cut_off(text: str, pos: int, limit: int, passive: bool) -> bool:
    """Whether the "-ed" form ending at ``pos`` would end the label cut off from what
    it needs: an object ("the two female suspects coated their hands", "women accosted
    him", "Five men had claimed they"; unless a "were"/"been" makes it passive) or a
    complement ("victims were pronounced dead", "belts composed of particles").
    Called only when ``complement`` took nothing."""
    following = word_run(text, pos, limit)
    if not following or not re.match(r"[ \t]", text[pos : pos + 1]):
        return False  # punctuation or the sentence's end: the participle stands alone
    word = following[0][0]
    lower = word.lower()
    if lower in _TIME_WORDS or lower in _ADVERBS or lower.endswith("ly"):
        return False  # "people arrested Tuesday", "protesters detained overnight"
    if not passive and (lower in _OBJECT_OPENERS or is_number(word) or word[:1].isupper()):
        return True
    if not passive and lower in PARTICLES:
        return True  # "boys jumped into action", "men broke off": the verb needs its particle
    if lower == "to" and len(following) > 1 and following[1][0].islower():
        return following[1][0].lower() not in {"the", "a", "an"}  # "managed to escape"
    return lower == "of" or (
        word.islower() and lower not in STOP and lower not in PREPOSITIONS and not is_verb(word)
    )


#: Words naming a kind of quantity, not whose: "a bid of $17,525", "a cost of $300
#: million" say nothing of what was bid on or what cost it, so they are no label; nor
#: does a direction ("north of 50 percent").
QUANTITY_WORDS = frozenset(
    """
    cost costs price bid stake share rate risk speed speeds worth value length height
    weight distance period sum size level average total space span stretch term odds
    chance chances probability capability capacity angle scale load north south east west
    peak high low record maximum minimum
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Nouns that are plural without an "s": a count above one has a plural head.
_PLURALS = frozenset(
    """
    people children men women police staff personnel cattle feet teeth mice geese data
    media troops fish sheep deer aircraft offspring youth clergy crew
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def plural_head(phrase: list[tuple[str, int, int]]) -> bool:
    """Whether a counted phrase's head is plural ("70 girls", "flybys of Venus"): "three
    longer", "two-term senator", "the 3400 block of Applejack Terrace" have a singular
    head because the number is not counting them (a comparison, a compound, an address)."""
    words = [w for w, _, _ in phrase]
    head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
    lower = head.lower()
    if lower in _PLURALS or (head.isupper() and len(head) > 1 and head.endswith("s")):
        return True
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is"))
