"""LLM-facing models: what the model is asked to fill for one source.

Lean on purpose: the JSON schema of these models is sent with every extraction call, so
field names are short, descriptions are one line, and nothing the model cannot know
(ids, spans, statuses) appears here. Grounded result models live in ``results.py``.

Every leaf item carries ``evidence``: a verbatim quote from the source. Validators in
``extract.py`` align it to the source text and re-ask the model when it does not align.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from summarizer.text.grounding import align
from summarizer.text.numbers import contains_number


def _drop_titles(schema: dict[str, Any]) -> None:
    """Property titles only repeat the field names: about a sixth of the schema, paid per call.

    The model's own title stays: instructor names the tool after it.
    """
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)


class Lean(BaseModel):
    """Base of every LLM-facing model: no titles in the JSON schema sent to the model."""

    model_config = ConfigDict(json_schema_extra=_drop_titles)


class EventType(StrEnum):
    """ACE-like event type; other when nothing fits."""

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


def _article(info: ValidationInfo) -> Any:
    """The text evidence must come from, when validating with instructor's ``context=``.

    Without a context (parsing a cached or recorded answer, or the last answer after the
    re-asks ran out) the checks are skipped and ``extract.py`` grounds and drops items itself.
    """
    context = info.context
    return context.get("article") if isinstance(context, dict) else None


class Evidenced(Lean):
    """An item backed by a verbatim quote; the validator is what makes instructor re-ask."""

    evidence: str = EVIDENCE

    @field_validator("evidence")
    @classmethod
    def _evidence_is_in_article(cls, value: str, info: ValidationInfo) -> str:
        article = _article(info)
        if article is None:
            return value
        alignment = align(value, article)
        if not alignment.ok:
            shown = value if len(value) <= 120 else value[:117] + "..."
            why = f" ({alignment.reason})" if alignment.reason else ""
            raise ValueError(
                f"evidence {shown!r} is not in the article{why}: copy one passage of the "
                "article word for word, or remove this item"
            )
        return value


class Time(Evidenced):
    text: str = Field(description="the time phrase as written")
    iso: str | None = Field(None, description="ISO date or range (YYYY-MM-DD/YYYY-MM-DD) if known")


class Place(Evidenced):
    name: str


class Actor(Evidenced):
    name: str
    kind: ActorKind
    role: str = Field(description="what they did or are, in a few words")


class Figure(Evidenced):
    what: str = Field(description="what is counted or measured")
    value: float
    unit: str | None = None
    approximate: bool = False
    evidence: str = Field(description="verbatim words from the article containing the number")

    @model_validator(mode="after")
    def _value_is_in_evidence(self, info: ValidationInfo) -> Figure:
        if _article(info) is not None and not contains_number(self.value, self.evidence):
            raise ValueError(
                f"value {self.value:g} does not appear in its evidence {self.evidence!r}: "
                "quote the words that contain this number, or fix the value"
            )
        return self


class DirectQuote(Evidenced):
    speaker: str
    evidence: str = Field(description="the quoted words, verbatim")


class Fact(Evidenced):
    statement: str = Field(description="one short self-contained statement")


class EventExtraction(Lean):
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
