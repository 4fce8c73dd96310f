"""Text clean-up and sentence offsets: the canonical form every citation indexes.

Citations are character spans into ``Source.text``, and quotes typed by a model must
align with it, so the text is fixed once, by pure functions with no I/O: normalised
(``normalize_text``), de-duplicated (``remove_repeated_text``), stripped of related-story
headlines pasted after the article (``strip_trailing_headlines``), and split into
sentences (``split_sentences``). They live apart from ``summarizer.sources.load`` because they
are about text, not about where it came from: loaders call them, and so can anything
that needs sentence offsets for a text that never was a file.
"""

from __future__ import annotations

import re
import unicodedata

# --------------------------------------------------------------------------- text clean-up

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060\u00ad"))
# Exotic horizontal spaces (NBSP, thin, ideographic...) become plain spaces, and exotic
# line breaks plain newlines, so that quotes typed by a model align with the text.
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\r\n?|[\v\f\x1c-\x1e\x85\u2028\u2029]")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Canonical form of article text: NFC, no zero-width characters, single spaces,
    stripped lines, and paragraph breaks kept (at most one blank line in a row)."""
    text = _NEWLINES.sub("\n", text)
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def is_blank(text: str) -> bool:
    """Whether :func:`normalize_text` would leave nothing of ``text``, without building it.

    Normalising removes only whitespace and zero-width characters (NFC maps no other
    character to either; ``tests/test_text_blank.py`` checks every space, control, format
    and combining code point and a sample of the rest), so this is a strip, not the whole
    clean-up: it runs on every ``Source`` built, whose text was normalised a moment before.
    """
    return not text.translate(_ZERO_WIDTH).strip()


# ------------------------------------------------------------------------ sentence splitter

# A terminator run plus any closing quotes/brackets, followed by whitespace or the end.
_TERMINATOR = re.compile(r"(?:[.!?]+|…)[\"'”’)\]»]*(?=\s|$)")
_NEXT_TOKEN = re.compile(r"\s*(\S+)")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_OPENERS = "\"'“‘([«"
_AGENCY_TAG = re.compile(r"\([A-Z][A-Za-z]{1,9}\)")
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")
#: Words that are usually followed by a period that does not end the sentence.
#: Titles come before a name, so their period never ends a sentence ("Dr. Who").
_TITLES = _word_set(
    """
    mr mrs ms mx dr prof sen rep gov gen col lt sgt capt cmdr adm maj cpl pvt brig
    rev hon pres supt det insp atty messrs mme mlle mt ft
    """
)
#: Abbreviations that may also close a sentence ("... Acme Inc. The company ...").
_ABBREVIATIONS = _word_set(
    """
    st ave blvd rd hwy jr sr inc corp ltd co llc plc bros dept univ assn est approx vs v cf etc al
    jan feb mar apr jun jul aug sep sept oct nov dec no nos vol fig p pp ca
    """
)
#: AP-style US state abbreviations, matched with their capital ("Ill." but not "ill."), as
#: in datelines: "SYCAMORE, Ill. (AP) -- ...".
_STATES = _word_set(
    """
    Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo
    Mont Neb Nev Okla Ore Pa Tenn Tex Vt Va Wash Wis Wyo
    """
)
#: Capitalised words that typically open a sentence: after an ambiguous abbreviation
#: ("in the U.S. The ...", "at 5 p.m. He ...") they signal a real boundary.
_STARTERS = _word_set(
    """
    A An The This That These Those It Its He She They We I You His Her Their Our My
    There Here But And Or So Yet Now Then However Meanwhile Also In On At As After
    Before When While If Although Though Because Since Still Many Some Most No Not
    What Who Why How Where Which Asked According Earlier Later Today Yesterday Officials
    Police Authorities
    """
)


def _is_abbreviation(word: str) -> bool:
    """Whether ``word`` (ending with its period) is an abbreviation or an initial."""
    core = word.lstrip(_OPENERS)
    if _DOTTED.fullmatch(core):  # U.S. a.m. D.C. e.g.
        return True
    stem = core[:-1]
    if len(stem) == 1 and stem.isalpha():  # initials: John F. Kennedy
        return True
    return stem.lower() in _ABBREVIATIONS or stem in _STATES


def _ends_sentence(line: str, match: re.Match[str]) -> bool:
    following = _NEXT_TOKEN.match(line, match.end())
    if following is None:
        return True
    token = following.group(1)
    first = next((c for c in token if c.isalnum()), "")
    if first.islower():  # '"Why?" he asked', 'approx. five', '... and then'
        return False
    terminator = match.group()
    if terminator[0] != "." or terminator.startswith(".."):
        return True
    word_start = line.rfind(" ", 0, match.start()) + 1
    word = line[word_start : match.start() + 1]
    if word.lstrip(_OPENERS)[:-1].lower() in _TITLES:
        return False
    if not _is_abbreviation(word):
        return True
    # Ambiguous: "U.S. Immigration" continues, "the U.S. He said" does not, and neither
    # does a dateline's agency: "SYCAMORE, Ill. (AP) -- ...".
    if _AGENCY_TAG.match(token):
        return False
    return token[0] in _OPENERS or token.rstrip(",;:") in _STARTERS


def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` of each sentence of ``text``, without surrounding whitespace.

    Rule-based and download-free. A newline always ends a sentence (paragraphs and
    headlines are units of their own); inside a line, ``.``/``!``/``?``/``…`` end one
    unless the next word starts in lower case, the period closes a title (``Dr.``), or
    it closes an abbreviation, initial or dotted acronym (``Inc.``, ``F.``, ``U.S.``)
    that is not followed by a typical sentence opener ("The", "He", a quote...).
    """
    spans: list[tuple[int, int]] = []
    for line_match in re.finditer(r"[^\n]+", text):
        line = line_match.group()
        offset = line_match.start()
        start = 0
        for match in _TERMINATOR.finditer(line):
            if not _ends_sentence(line, match):
                continue
            _add_span(spans, line, offset, start, match.end())
            start = match.end()
        _add_span(spans, line, offset, start, len(line))
    return tuple(spans)


def _add_span(spans: list[tuple[int, int]], line: str, offset: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + start + lead, offset + start + lead + len(stripped)))


# ------------------------------------------------------------------------- repeated text

#: A sentence needs this many words to be dropped on its own as a repeat.
MIN_REPEAT_WORDS = 6
_KEY_TRANS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_WS = re.compile(r"\s+")


def _key(sentence: str) -> str:
    return _WS.sub(" ", sentence.translate(_KEY_TRANS).casefold()).strip()


def remove_repeated_text(text: str) -> tuple[str, int]:
    """Drop repeated sentences and paragraphs, keeping the first occurrence.

    Returns the new text and the number of characters removed.

    Rule: a sentence is a *repeat* when its text (compared case-folded, with quotes,
    dashes and whitespace unified) already occurred earlier in the article, anywhere,
    even inside a longer sentence. Repeats come in *runs* of consecutive sentences
    (paragraph breaks do not interrupt a run). A run is removed when it contains at least
    one sentence of ``MIN_REPEAT_WORDS`` words or more; a run made only of short
    sentences ("He said.", "Advertisement") is kept, because short sentences legitimately
    recur. So a paragraph pasted twice, or an article repeated sentence by sentence,
    loses its copy whole (short sentences inside it included), while an isolated
    recurring "He said." stays. Lines left empty disappear.
    """
    spans = split_sentences(text)
    if len(spans) < 2:
        return text, 0
    keys = [_key(text[s:e]) for s, e in spans]
    joined_parts: list[str] = []
    key_starts: list[int] = []
    position = 0
    for key in keys:
        key_starts.append(position)
        joined_parts.append(key)
        position += len(key) + 1
    joined = "\n".join(joined_parts)

    repeated = [
        index > 0 and joined.find(key, 0, max(key_starts[index] - 1, 0)) != -1
        for index, key in enumerate(keys)
    ]
    drop = [False] * len(spans)
    index = 0
    while index < len(spans):
        if not repeated[index]:
            index += 1
            continue
        run_end = index
        while run_end < len(spans) and repeated[run_end]:
            run_end += 1
        if any(len(keys[i].split()) >= MIN_REPEAT_WORDS for i in range(index, run_end)):
            for i in range(index, run_end):
                drop[i] = True
        index = run_end
    if not any(drop):
        return text, 0
    return _rebuild(text, spans, drop)


def _rebuild(text: str, spans: tuple[tuple[int, int], ...], drop: list[bool]) -> tuple[str, int]:
    """Cut dropped sentences out line by line, keeping the original spacing elsewhere."""
    lines_out: list[str] = []
    span_index = 0
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        pieces: list[str] = []
        previous_end = line_start
        had_sentence = False
        while span_index < len(spans) and spans[span_index][0] < line_end:
            start, end = spans[span_index]
            had_sentence = True
            if not drop[span_index]:
                if pieces:  # keep the original spacing before this sentence
                    pieces.append(text[previous_end:start])
                pieces.append(text[start:end])
            previous_end = end
            span_index += 1
        if pieces or not had_sentence:
            lines_out.append("".join(pieces) if had_sentence else line)
        line_start = line_end + 1
    new_text = _MANY_NEWLINES.sub("\n\n", "\n".join(lines_out)).strip()
    return new_text, len(text) - len(new_text)


# ---------------------------------------------------------------------- trailing headlines

#: A trailing line longer than this (in words) is article text, even without a full stop.
MAX_HEADLINE_WORDS = 18
_SENTENCE_END = re.compile(r"""[.!?…:;,"'”’)\]]\s*$""")
#: A line ending on one of these was cut mid-sentence (truncated article), not a headline.
_DANGLING = frozenset(
    """a an the of to in on at for by with from and or but that which who as is are was were
    be has have had will would could should may might can their his her its our your this""".split()  # noqa: SIM905
)
_LINE_WORD = re.compile(r"[\w'’-]+")


def _is_headline_line(line: str) -> bool:
    words = _LINE_WORD.findall(line)
    return (
        0 < len(words) <= MAX_HEADLINE_WORDS
        and (line[:1].isupper() or line[:1].isdigit())
        and not _SENTENCE_END.search(line)
        and words[-1].lower() not in _DANGLING
    )


def strip_trailing_headlines(text: str) -> tuple[str, list[str]]:
    """Cut related-story headlines left at the end of an article; return text and cut lines.

    Rule: walking up from the last line, each non-empty line that looks like a headline
    is cut: at most ``MAX_HEADLINE_WORDS`` words, starting with a capital or a digit, not
    ending in sentence or quote punctuation (``. ! ? : ; , " ) …``) and not ending on a
    function word ("... said the", a truncated sentence). The cut happens only when the
    line just above the cut block ends a sentence, so a truncated article ("... officials
    said they would") keeps its last line, and never when nothing with a full stop would
    remain (a text made only of headlines is all content).

    Limits: a headline that ends with "?" or "!" stays; a genuine short last line without
    punctuation (a sign-off such as "Reporting by Jane Doe") is cut too, which costs
    nothing to a summary; furniture in the middle of an article is left alone.
    """
    lines = text.split("\n")
    index = len(lines)
    cut: list[str] = []
    while index > 0:
        line = lines[index - 1].strip()
        if line and not _is_headline_line(line):
            break
        if line:
            cut.append(line)
        index -= 1
    if not cut:
        return text, []
    kept = "\n".join(lines[:index]).rstrip()
    last = kept.rsplit("\n", 1)[-1].strip()
    if not kept or not re.search(r"""[.!?…]["'”’)\]]?$""", last):
        return text, []
    return kept, cut[::-1]
