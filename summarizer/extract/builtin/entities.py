"""People, organisations and places without a model or a gazetteer.

English news capitalises names, so a run of capitalised words (allowing "of", "and",
"for", "the" inside: "National Center for Missing and Exploited Children") is a name
candidate. What kind of name it is comes from cheap, general cues rather than lists of
known entities: a title before it ("Director John Morton"), a speech verb next to it, an
appositive after it ("John Morton, director of ..."), an organisation word inside it
("Agency", "Police", "University"), an all-capitals acronym, a place word ("County",
"Valley") or a locative preposition before it ("in Kansas"). Later mentions by surname
or acronym count towards the first full mention, so the most-mentioned actors rank first.
Wrong guesses are possible (that is the price of no model); every item is still cited
exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.core.events import GroundedActor, GroundedPlace
from summarizer.core.schema import ActorKind
from summarizer.core.source import Source
from summarizer.extract.builtin import ner as builtin_ner
from summarizer.extract.builtin.ner import Entity
from summarizer.extract.builtin.spans import cite, trim
from summarizer.text.rank import STOPWORDS

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[A-Z][A-Za-z'’.&-]*[A-Za-z]|[A-Z]|[a-z]+")
#: Calendar words are capitalised but are times, not names (``builtin_times`` has them).
_CALENDAR = frozenset(
    """
    january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday and of the
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_CONNECTORS = frozenset({"of", "and", "for", "the", "de", "la", "van", "von", "al", "del", "&"})
TITLES = frozenset(
    """
    mr mr. mrs mrs. ms ms. dr dr. president vice director mayor governor gov gov.
    senator sen sen. representative rep rep. judge justice chief inspector officer
    sergeant sgt sgt. lieutenant lt lt. captain capt capt. commissioner minister
    secretary king queen prince princess pope coach chairman chairwoman ceo spokesman
    spokeswoman sheriff detective agent attorney general prosecutor professor prof prof.
    dean bishop rev rev. sir lord lady chancellor premier ambassador deputy
    superintendent commander colonel col col. major manager
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
ORG_WORDS = frozenset(
    """
    agency department police ministry inc inc. corp corp. co co. ltd ltd. llc plc
    university college school association center centre council committee commission
    party bank court institute foundation office service services enforcement
    administration bureau union group organization organisation company church hospital
    times post news press journal tribune herald army navy force forces guard club team
    league federation network airlines airways motors board authority security
    investigations reuters congress senate parliament government fund corporation
    society cubs
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
PLACE_WORDS = frozenset(
    """
    city county state states valley river street avenue road island islands province
    region district mountains mountain lake bay beach park square plaza hall airport
    station bridge coast sea ocean peninsula republic kingdom village town
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: Acronyms that name countries rather than organisations.
COUNTRY_ACRONYMS = frozenset({"US", "U.S.", "UK", "U.K.", "UAE", "USA", "U.S.A.", "EU"})
_SPEECH = re.compile(
    r"^\s*(?:,\s*)?(?:said|says|told|added|noted|explained|stated|wrote|asked|announced|"
    r"according)\b"
)
_SPEECH_BEFORE = re.compile(r"\b(?:said|says|told|added|noted|according to)\s*$")
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|from|near|to|across|outside|inside|into|throughout|around|toward|towards)"
    r"(?:\s+the)?\s*$"
)
_APPOSITIVE = re.compile(r"^,\s+((?:the\s+|a\s+|an\s+)?[a-z][^,.;:\"“”]{2,80})(?=[,.;])")


@dataclass(slots=True)
class Name:
    """One capitalised run: where it is, its words, and the kind the cues point to."""

    start: int
    end: int
    words: list[str]
    kind: ActorKind | None = None
    place: bool = False
    role: str = ""
    role_span: tuple[int, int] | None = None
    mentions: int = 1
    aliases: set[str] = field(default_factory=set)
    #: The kind came from a cue strong enough to trust without a model's agreement
    #: (a title before the name, an organisation word inside it).
    sure: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _sentence_starts(source: Source) -> set[int]:
    starts = {start for start, _ in source.sentences}
    starts.update(m.end() for m in re.finditer(r"(?:^|[.!?][\"”’)]?\s+|\n\s*)", source.text))
    return starts


def _runs(source: Source) -> list[Name]:
    """Capitalised runs, with sentence-initial function words and connectors trimmed."""
    text = source.text
    starts = _sentence_starts(source)
    runs: list[Name] = []
    current: list[re.Match[str]] = []

    def flush() -> None:
        while current and not current[-1].group()[0].isupper():
            current.pop()
        while current and current[0].start() in starts:
            word = current[0].group()
            lowered = word.lower()
            common = lowered in STOPWORDS or lowered in _CONNECTORS
            seen_lower = re.search(rf"\b{re.escape(lowered)}\b", text) is not None
            if common or (len(current) == 1 and seen_lower):
                current.pop(0)
                while current and not current[0].group()[0].isupper():
                    current.pop(0)
            else:
                break
        if current and all(m.group().lower() in _CALENDAR for m in current):
            current.clear()
        if current:
            start, end = current[0].start(), current[-1].end()
            start, end = trim(text, start, end, " .,")
            if end > start:
                runs.append(Name(start, end, [m.group() for m in current]))
        current.clear()

    last_end = -1
    for match in _TOKEN.finditer(text):
        gap = text[last_end : match.start()] if last_end >= 0 else ""
        word = match.group()
        adjacent = last_end >= 0 and re.fullmatch(r"[ ]|[ ]?-[ ]?", gap) is not None
        if current and not adjacent:
            flush()
        if word[0].isupper() or (
            current and word in _CONNECTORS and current[-1].group()[0].isupper()
        ):
            current.append(match)
        elif current:
            flush()
        last_end = match.end()
    flush()
    return runs


def _is_clause(phrase: str) -> bool:
    """Whether words after a comma are a clause (they hold a finite verb) or start with a
    quantifier ("some of those ..."), so they cannot be an appositive role."""
    words = phrase.lower().split()
    finite = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "said"}
    return bool(words) and (
        words[0] in {"some", "many", "most", "all", "few"} or bool(finite & set(words))
    )


def _classify(source: Source, name: Name) -> None:
    text = source.text
    lowered = [w.lower() for w in name.words]
    before, after = text[max(0, name.start - 40) : name.start], text[name.end : name.end + 120]
    title_at = max((i for i, w in enumerate(lowered[:-1]) if w in TITLES), default=-1)
    if title_at >= 0 and any(w[0].isupper() for w in name.words[title_at + 1 :]):
        name.role = " ".join(name.words[: title_at + 1])
        name.words = name.words[title_at + 1 :]
        name.start = text.index(name.words[0], name.start)
        name.kind, name.sure = ActorKind.PERSON, True
    if name.kind is None:
        if any(w in ORG_WORDS for w in lowered):
            name.kind, name.sure = ActorKind.ORGANIZATION, True
        elif len(name.words) == 1 and name.text in COUNTRY_ACRONYMS:
            name.kind, name.place = ActorKind.COUNTRY, True
        elif len(name.words) == 1 and re.fullmatch(r"[A-Z]{2,6}|(?:[A-Z]\.){2,}", name.text):
            name.kind = ActorKind.ORGANIZATION
        elif any(w in PLACE_WORDS for w in lowered[1:]) or _LOCATIVE_BEFORE.search(before):
            name.place = True
        elif 2 <= len(name.words) <= 4 and (
            _SPEECH.match(after) or _SPEECH_BEFORE.search(before) or _APPOSITIVE.match(after)
        ):
            name.kind = ActorKind.PERSON
    appositive = _APPOSITIVE.match(after)
    if appositive and _is_clause(appositive.group(1)):
        appositive = None  # ", some of those arrested ... were ...": a clause, not a role
    if appositive and name.kind is not None and not name.role:
        name.role = appositive.group(1).strip()
        name.role_span = (name.end + appositive.start(1), name.end + appositive.end(1))


#: Words that start a role as a verb phrase: auxiliaries and the verbs of news reports.
_ROLE_VERBS = frozenset(
    """
    is are was were has have had will would could can may might must should did does do
    said says told added announced reported reports asked called warned urged denied
    confirmed declined plans wants wanted faces faced leads led runs ran made makes took
    takes gave gives won wins lost loses met meets became becomes works worked
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
#: A role stops at the end of the clause: punctuation or a new clause's first word.
_ROLE_END = re.compile(r"[.,;:!?\"“”()]|\s(?:which|who|whom|whose|while|but|because)\s")
MAX_ROLE_WORDS = 12


def is_verb_phrase_start(word: str) -> bool:
    """Whether ``word`` can open a verb phrase ("determined that ...", "reports citing")."""
    lower = word.lower()
    return word.islower() and (
        lower in _ROLE_VERBS or (len(lower) > 3 and lower.endswith("ed") and lower[-3] != "e")
    )


def _fallback_role(source: Source, name: Name) -> str:
    """What the actor did: the verb phrase right after a mention, up to the end of its
    clause, or nothing. A run of words that is not a verb phrase or does not end within
    ``MAX_ROLE_WORDS`` ("reports citing the", "aimed at child pornography and sexual")
    is a fragment, and a fragment is worse than no role."""
    text = source.text
    start = name.end
    relative = re.match(r"\s+(?:which|who)\s+", text[start:])
    if relative:  # "the Center, which is now asking ...": the clause is about the name
        start += relative.end() - 1
    end_match = _ROLE_END.search(text, start, start + 400)
    end = end_match.start() if end_match else min(len(text), start + 400)
    words = text[start:end].split()
    if not words or len(words) > MAX_ROLE_WORDS or not is_verb_phrase_start(words[0]):
        return ""
    if words[-1].lower() in STOPWORDS and words[-1].lower() not in {"it", "them", "him", "her"}:
        return ""
    return " ".join(words)


#: Head words of names that are operations, laws or events, never people or groups:
#: "Operation Sunflower", "Affordable Care Act", "World Series", "Hurricane Sandy".
_NOT_ACTOR_FIRST = frozenset("operation project hurricane typhoon cyclone storm".split())  # noqa: SIM905
_NOT_ACTOR_LAST = frozenset(
    """
    act law bill treaty accord accords agreement convention war games olympics cup
    championship championships series festival summit conference awards award prize
    election elections marathon tournament expo initiative program programme protocol
    amendment doctrine bowl prix day week
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def names_a_thing(words: list[str]) -> bool:
    """Whether a capitalised name is an operation, law or event rather than an actor."""
    lowered = [w.lower().strip(".") for w in words]
    return bool(lowered) and (lowered[0] in _NOT_ACTOR_FIRST or lowered[-1] in _NOT_ACTOR_LAST)


#: What each NER label makes of a name: an actor kind, or a place (kind None).
_NER_KINDS: dict[str, tuple[ActorKind | None, bool]] = {
    "PERSON": (ActorKind.PERSON, False),
    "ORG": (ActorKind.ORGANIZATION, False),
    "NORP": (ActorKind.GROUP, False),
    "GPE": (None, True),
    "LOC": (None, True),
    "FAC": (None, True),
}


def _from_entity(source: Source, entity: Entity) -> Name:
    """A name with the model's boundaries and kind, and the rules' title and role cues.

    An organisation word inside the name overrides the model's label: "British Transport
    Police" is an organisation whatever the model's guess; a place stays a place even if
    it is an acronym, which the rules alone would take for an organisation.
    """
    name = Name(entity.start, entity.end, source.text[entity.start : entity.end].split())
    kind, place = _NER_KINDS.get(entity.label, (ActorKind.OTHER, False))
    if any(w.lower() in ORG_WORDS for w in name.words) and entity.label != "PERSON":
        kind, place, name.sure = ActorKind.ORGANIZATION, False, True
    if place and name.text in COUNTRY_ACRONYMS:
        kind = ActorKind.COUNTRY
    name.kind, name.place = kind, place
    _classify(source, name)
    if place and not name.sure:
        name.kind = kind
    return name


def _adjective(source: Source, entity: Entity) -> bool:
    """A nationality or party adjective ("Brazilian driver") rather than a group
    ("Democrats", "Brits"): the model tags both NORP, only the plural names actors."""
    return entity.label == "NORP" and not source.text[entity.start : entity.end].endswith("s")


def _combine(source: Source, runs: list[Name], found: list[Entity]) -> list[Name]:
    """Names from the model's entities, plus rule names the model has no better span for.

    A rule name with a sure cue (a title, an organisation word) wins over the entities it
    overlaps: the model splits "U.S. Immigration and Customs Enforcement" in two and keeps
    titles out of its spans. Any other rule name is kept only where the model found a name
    too, and then with the model's span: capitalisation alone glues credits and headline
    words to names ("GETTY Max Verstappen") and calls events ("World Series") actors.
    """
    names: list[Name] = []
    claimed: set[int] = set()
    for run in runs:
        overlapping = {i for i, e in enumerate(found) if e.start < run.end and run.start < e.end}
        if run.sure:
            claimed |= overlapping
            names.append(run)
        elif run.place and run.kind is None:
            # "in Croydon": the preposition says place even where the model says
            # organisation or event ("at the Brazilian Grand Prix"); the model's span is
            # kept, and a person is never a place ("said to Hamilton").
            for i in overlapping:
                if found[i].label not in ("PERSON", "NORP"):
                    claimed.add(i)
                    name = _from_entity(source, found[i])
                    name.kind, name.place = None, True
                    names.append(name)
    names.extend(
        _from_entity(source, e)
        for i, e in enumerate(found)
        if i not in claimed and e.label in _NER_KINDS and not _adjective(source, e)
    )
    names.sort(key=lambda name: name.start)
    return names


def find_entities(source: Source) -> tuple[list[GroundedActor], list[GroundedPlace]]:
    """Actors (most mentioned first) and places of one source, each cited at first mention.

    With spaCy available (``builtin_ner``), the model's entities and the rules' sure cues
    are combined; otherwise the capitalisation rules alone find the names.
    """
    names = _runs(source)
    for name in names:
        _classify(source, name)
    found = builtin_ner.entities(source.text)
    if found is not None:
        names = _combine(source, names, found)
    entities: list[Name] = []
    by_key: dict[str, Name] = {}
    for name in names:
        key = name.text
        known = by_key.get(key)
        if known is None and len(name.words) == 1:
            # A surname or an acronym refers back to an earlier full mention.
            known = next(
                (
                    e
                    for e in entities
                    if (e.kind == ActorKind.PERSON and e.words[-1] == key)
                    or ("".join(w[0] for w in e.words if w[0].isupper()) == key and len(key) > 1)
                ),
                None,
            )
        if known is not None:
            known.mentions += 1
            if known.kind is None and name.kind is not None:
                known.kind = name.kind
            known.place = known.place or name.place
            if not known.role and name.role:
                known.role = name.role
            by_key[key] = known
            continue
        by_key[key] = name
        entities.append(name)
    actors: list[tuple[int, int, GroundedActor]] = []
    places: list[GroundedPlace] = []
    for entity in entities:
        if names_a_thing(entity.words):
            continue  # an operation, law or event: not a person, group or place
        if entity.place and entity.kind in (None, ActorKind.COUNTRY):
            citation = cite(source, entity.start, entity.end)
            places.append(
                GroundedPlace(name=entity.text, evidence=citation.quote, citation=citation)
            )
            continue
        kind = entity.kind
        if kind is None:
            if entity.mentions < 2 or len(entity.words) < 2:
                continue
            kind = ActorKind.OTHER
        end = entity.role_span[1] if entity.role_span else entity.end
        citation = cite(source, entity.start, end)
        role = entity.role or _fallback_role(source, entity)
        actor = GroundedActor(
            name=entity.text, kind=kind, role=role, evidence=citation.quote, citation=citation
        )
        actors.append((-entity.mentions, entity.start, actor))
    actors.sort(key=lambda item: (item[0], item[1]))
    return [actor for _, _, actor in actors], places
