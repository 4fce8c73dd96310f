"""LLM-facing models: what the model is asked to fill for one source.

Lean on purpose: the JSON schema of these models is sent with every extraction call, so
field names are short, descriptions are one line, and nothing the model cannot know
(ids, spans, statuses) appears here. Grounded result models live in ``results.py``.

Every leaf item carries ``evidence``: a verbatim quote from the source. Validators in
``extract.py`` align it to the source text and re-ask the model when it does not align.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class EventType(StrEnum):
    """A small ACE-like vocabulary; ``other`` when nothing fits."""

    ARREST = "arrest"
    ATTACK = "attack"
    ACCIDENT = "accident"
    DISASTER = "disaster"
    ELECTION = "election"
    COURT_RULING = "court_ruling"
    LEGISLATION = "legislation"
    PROTEST = "protest"
    ANNOUNCEMENT = "announcement"
    BUSINESS = "business"
    DEATH = "death"
    HEALTH = "health"
    SPORTS = "sports"
    INVESTIGATION = "investigation"
    OTHER = "other"


class ActorKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    GROUP = "group"
    COUNTRY = "country"
    OTHER = "other"


EVIDENCE = Field(description="verbatim words copied from the article")


class Time(BaseModel):
    text: str = Field(description="the time phrase as written")
    iso: str | None = Field(None, description="ISO date or range (YYYY-MM-DD/YYYY-MM-DD) if known")
    evidence: str = EVIDENCE


class Place(BaseModel):
    name: str
    evidence: str = EVIDENCE


class Actor(BaseModel):
    name: str
    kind: ActorKind
    role: str = Field(description="what they did or are, in a few words")
    evidence: str = EVIDENCE


class Figure(BaseModel):
    what: str = Field(description="what is counted or measured")
    value: float
    unit: str | None = None
    approximate: bool = False
    evidence: str = Field(description="verbatim words from the article containing the number")


class DirectQuote(BaseModel):
    speaker: str
    evidence: str = Field(description="the quoted words, verbatim")


class Fact(BaseModel):
    statement: str = Field(description="one short self-contained statement")
    evidence: str = EVIDENCE


class EventExtraction(BaseModel):
    """The event one article reports. Empty lists are fine; invented items are not."""

    headline: str = Field(description="one sentence")
    event_type: EventType
    when: list[Time] = []
    where: list[Place] = []
    actors: list[Actor] = []
    figures: list[Figure] = []
    quotes: list[DirectQuote] = []
    facts: list[Fact] = Field(default=[], description="the key facts, most important first")


#: Item lists of ``EventExtraction`` whose elements carry ``evidence``, in schema order.
ITEM_FIELDS: tuple[str, ...] = ("when", "where", "actors", "figures", "quotes", "facts")
