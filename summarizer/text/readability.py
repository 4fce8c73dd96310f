"""What makes a summary unreadable to an editor, as plain string rules kept in one place.

Four faults, each a general property of text rather than of any one article:

* **near-duplicate**: two sentences of one summary that share half or more of their
  content words (``near_duplicate``): measured against the *shorter* sentence, because a
  short sentence whose every fact reappears inside a longer one is still said twice;
* **dangling opener**: a sentence opening with a pronoun or connective ("He", "They",
  "But", "The other", "However") or attributed only to a bare pronoun ("..., he said.")
  whose antecedent is not in the sentence (``dangling_opener``). Such a sentence reads
  only right after the sentence it continues, which the callers decide (adjacent spans of
  one source for extracts, see ``continues``);
* **page furniture**: captions ("FILE - In this ... photo"), archive, newsletter and share
  notices, bylines, datelines, "More from ..." (``furniture``);
* **broken headline**: fewer than four words, a caption or furniture, a bare subordinate
  clause ("After calling it Project Natal for more than a year"), or a line ending on a
  function word ("... it is") (``headline_problems``).

The extractive writer uses them to choose, the LLM writer's validators to re-ask, and
``summarizer eval`` to count, so all three agree on what "readable" means. Pure functions
over strings and offsets: nothing here knows about sources, models or results.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.text.words import content_stems, overlap_coefficient

#: Share of the shorter sentence's content words found in the other that makes a repeat.
NEAR_DUPLICATE_SHARE = 0.5
#: A headline shorter than this (in words) is a label, not a clause.
MIN_HEADLINE_WORDS = 4
#: Characters between two spans of one source that still count as "the next sentence"
#: (whitespace, a closing quote, a paragraph break).
ADJACENT_GAP = 6

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")

#: Openers that point back at something said before.
_PRONOUNS = frozenset(
    """he she it they them him her his hers its their theirs this these those that such
    there's it's that's they're he's she's""".split()  # noqa: SIM905
)
_CONNECTIVES = frozenset(
    """but however also and yet still so thus hence therefore meanwhile moreover furthermore
    additionally besides nevertheless nonetheless instead otherwise likewise similarly
    then later afterward afterwards again nor or""".split()  # noqa: SIM905
)
#: Two-word openers with the same pointing-back role.
_PHRASE_OPENERS = (
    "the other",
    "the others",
    "the two",
    "the latter",
    "the former",
    "the same",
    "in addition",
    "as a result",
    "even so",
    "on the other hand",
    "at the same time",
    "other",
    "another",
    "others",
)
#: "..., he said." with no name in the sentence: the speaker is in some other sentence.
_PRONOUN_ATTRIBUTION = re.compile(
    r"\b(?:he|she|they)\s+(?:said|says|added|adds|told|tells|explained|noted|continued|"
    r"wrote|writes|recalled|insisted|argued|warned|stated)\b",
    re.IGNORECASE,
)

#: Quoted words, which name nobody as the speaker of the quote around them.
_QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?")
_PERSONAL = frozenset(["i", "we", "you", "me", "us", "our", "my", "your"])

#: Page furniture: notices that belong to the page around an article, not to the news.
_FURNITURE = re.compile(
    r"""
    \bweb\s+collections?\b | \bArchive-It\b | \bWayback\s+Machine\b
    | \b(?:sign\s+up|subscribe|register)\s+(?:for|to)\s+(?:our|the|a|free)\b[^.]{0,40}?
      \b(?:newsletters?|alerts?|updates|emails?|digest)\b
    | \bour\s+(?:daily\s+|weekly\s+|free\s+)?newsletters?\b | \bsubscribe\s+(?:now|today|here)\b
    | \bfollow\s+us\s+on\b | \bclick\s+here\b | \bread\s+more\s*(?::|$|»|>)
    | \bcontinue\s+reading\b | \bshare\s+this\s+(?:story|article|page)\b
    | \bshare\s+on\s+(?:facebook|twitter)\b | \bemail\s+this\s+(?:story|article)\b
    | ^\s*More\s+(?:from|on)\s | ^\s*More\s+(?:stories|news|coverage)\b
    | ^\s*(?:Related|Watch|Listen|Advertisement|Caption|Photo|Image|Credit)\s*:
    | \ball\s+rights\s+reserved\b | \bcopyright\s+(?:\d{4}|©) | ©\s*\d{4}
    | \bcontributed\s+to\s+this\s+report\b | \b(?:additional\s+)?(?:reporting|editing)\s+by\b
    | \bphoto\s*(?:by|credit|courtesy)\b | \bimage\s+(?:copyright|caption|courtesy)\b
    | \bGetty\s+Images\b | \bAP\s+Photo\b | \bhandout\s+photo\b
    | ^\s*(?:Posted|Updated|Published|Last\s+(?:updated|modified))\s*(?::|on\b)
    | \benable\s+javascript\b | \byour\s+browser\b | \buses?\s+cookies\b
    | \bterms\s+of\s+(?:use|service)\b | \bprivacy\s+policy\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
#: Captions, bylines and datelines, which only their capitals tell apart from prose.
_CASED = re.compile(
    r"""
    ^\s*FILE\s*[-–—]
    | \bIn\s+this\s+
      (?:(?:[A-Z][a-z]{0,8}\.?|\d{1,4},?|file|undated|handout|courtesy|provided)\s+){0,6}
      (?:photo|image|picture|frame\s+grab|video\s+grab)
    | ^\s*(?:By|Written\s+by|Posted\s+by)\s+[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+
      \s*(?:$|[,|/]|and\s)
    | ^\s*(?:[A-Z][A-Za-z.'’-]*,?\s+){1,4}\((?:AP|CNN|AFP|UPI|Reuters|Bloomberg|BBC|NPR|Xinhua)\)
    | ^\s*[A-Z]{3,}(?:\s+[A-Z]{2,})*,?\s+(?:[A-Z][a-z.]+\s+)?(?:[-–—]{1,2}|\(\w+\))\s
    """,
    re.VERBOSE,
)

#: A headline ending on one of these was cut mid-clause.
_FUNCTION_WORDS = frozenset(
    """a an the of to in on at for by with from into onto about over under after before and
    or but nor that which who whom whose as is are was were be been being am has have had
    will would could should may might can must do does did this these those their his her
    its our your my than then if when while because since until though although so very
    not no also just more most""".split()  # noqa: SIM905 - a word list reads better as prose
)
#: Opening a headline with one of these, with no comma to close it, leaves a bare clause.
_SUBORDINATORS = frozenset(
    """after before when while because since although though if unless until as once
    whether whenever wherever""".split()  # noqa: SIM905
)


#: Texts up to this long (sentences, quotes) are cached; longer ones are folded each time.
CACHED_CHARS = 2000


def content_words(text: str) -> frozenset[str]:
    """The folded content words two sentences are compared on (stems, numbers kept).

    Cached for sentence-sized texts (a pure function of the text): writers and their
    validators compare each sentence with every earlier one, on every draft and re-ask.
    """
    if len(text) > CACHED_CHARS:
        return frozenset(content_stems(text))
    return _cached_words(text)


@functools.lru_cache(maxsize=8192)
def _cached_words(text: str) -> frozenset[str]:
    return frozenset(content_stems(text))


def near_duplicate(a: str | frozenset[str], b: str | frozenset[str]) -> bool:
    """True when the shorter sentence shares half or more of its content words with the other.

    Takes texts or ``content_words`` sets (callers comparing many pairs fold once).
    """
    left = content_words(a) if isinstance(a, str) else a
    right = content_words(b) if isinstance(b, str) else b
    if not left or not right:
        return False
    return overlap_coefficient(left, right) >= NEAR_DUPLICATE_SHARE


def _leading_words(text: str, count: int) -> list[str]:
    stripped = text.lstrip(" \"'“‘([«—–-")
    return [w.lower().strip("'’") for w in _WORD.findall(stripped[:80])[:count]]


_DEMONSTRATIVES = frozenset(["this", "that", "these", "those"])
#: "This year", "That night": a demonstrative before a time word points at the calendar.
_TIME_NOUNS = frozenset(
    """year week month morning afternoon evening night weekend summer winter spring fall
    autumn time season""".split()  # noqa: SIM905
)


def dangling_opener(text: str) -> bool:
    """True when the sentence leans on an earlier one it does not contain.

    Either it opens with a pronoun or connective ("He", "They", "But", "However", "The
    other", "Another"), or its only speaker is a bare pronoun ("..., he said.", "said
    she") with no capitalised name anywhere before it in the sentence.
    """
    words = _leading_words(text, 4)
    if not words:
        return False
    if words[0] in _PRONOUNS or words[0] in _CONNECTIVES:
        return not (len(words) > 1 and words[0] in _DEMONSTRATIVES and words[1] in _TIME_NOUNS)
    joined = " ".join(words)
    if any(joined == p or joined.startswith(p + " ") for p in _PHRASE_OPENERS):
        return True
    match = _PRONOUN_ATTRIBUTION.search(text)
    return match is not None and not _names_before(text, match.start())


def _names_before(text: str, end: int) -> bool:
    """Whether a capitalised word that could name a speaker appears before ``end``."""
    unquoted = _QUOTED.sub(" ", text[:end])
    words = re.findall(r"[A-Za-z][\w'’.-]*", unquoted)
    skip = _PRONOUNS | _CONNECTIVES | _FUNCTION_WORDS | _PERSONAL
    return any(w[0].isupper() and w.lower().strip("'’.") not in skip for w in words)


def furniture(text: str) -> bool:
    """True when the sentence is, or carries, page furniture rather than news."""
    return _FURNITURE.search(text) is not None or _CASED.search(text) is not None


@dataclass(frozen=True, slots=True)
class Span:
    """Where a sentence's words sit in a source, for the adjacency test of ``continues``."""

    source_id: str
    start: int
    end: int


def continues(previous: Sequence[Span], current: Sequence[Span]) -> bool:
    """True when some span of ``current`` comes right after a span of ``previous``.

    "Right after" means the same source, starting within ``ADJACENT_GAP`` characters of
    where the earlier span ends (or overlapping it: two sentences citing one span).
    """
    for before in previous:
        for after in current:
            if after.source_id != before.source_id:
                continue
            if before.start <= after.start and after.start - before.end <= ADJACENT_GAP:
                return True
    return False


def headline_problems(headline: str) -> list[str]:
    """Why a line cannot stand as a headline (empty when it can), worded as instructions."""
    text = " ".join(headline.split())
    words = _WORD.findall(text)
    if len(words) < MIN_HEADLINE_WORDS:
        return [
            f"the headline has {len(words)} word(s); write a complete clause of at least "
            f"{MIN_HEADLINE_WORDS} words saying what happened."
        ]
    problems = []
    if furniture(text):
        problems.append(
            "the headline is a photo caption or page notice; say what happened instead."
        )
    last = words[-1].lower().strip("'’")
    if last in _FUNCTION_WORDS:
        problems.append(f"the headline ends on {words[-1]!r}, mid-clause; finish the clause.")
    first = words[0].lower()
    if first in _SUBORDINATORS and "," not in text:
        problems.append(
            f"the headline is a bare subordinate clause (opens with {words[0]!r}); "
            "state the main event."
        )
    elif first in _PRONOUNS or first in _CONNECTIVES:
        problems.append(
            f"the headline opens with {words[0]!r}, which points at something not said; "
            "name who or what."
        )
    if not any(c.islower() for c in text):
        problems.append("the headline is in capitals only; write it as a sentence.")
    return problems


def broken_headline(headline: str) -> bool:
    """True when ``headline_problems`` finds anything."""
    return bool(headline_problems(headline))


#: A wire dateline before the sentence proper: "SAN FRANCISCO — ", "SPOKANE, Wash. - ",
#: "LONDON (Reuters) -- ". Place names in capitals, an optional state, then a dash.
_DATELINE = re.compile(
    r"^\s*(?!FILE\b)[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+)*(?:,\s+[A-Z][A-Za-z.]+(?:\s+[A-Z][a-z.]+)?)?"
    r"\s*(?:\([A-Za-z .]+\)\s*)?[-–—]{1,2}\s+(?=\S)"
)


def strip_dateline(text: str) -> str:
    """``text`` without a leading wire dateline (the rest is the sentence proper)."""
    match = _DATELINE.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    return rest if rest[:1].isupper() or rest[:1] in "\"“'‘" else text


def unbalanced_quotes(text: str) -> bool:
    """True when a quotation opens or closes outside the sentence (a quote split in two)."""
    curly = text.count("“") != text.count("”")
    straight = text.count('"') % 2 == 1
    return curly or straight
