"""Sources and clusters: the article every later stage cites, and how one is built.

A ``Source``'s ``text`` is what every citation indexes (``text[start:end]``), so a source is
always built through :func:`make_source`: normalised, repeated text and trailing
related-story headlines removed, sentences split with offsets into that very text.
Loading sources from files, folders, URLs and JSONL is the ``summarizer.sources`` stage.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator, model_validator

from summarizer.core.errors import BadInputError
from summarizer.text.clean import (
    is_blank,
    normalize_text,
    remove_repeated_text,
    split_sentences,
    strip_trailing_headlines,
)


class Source(BaseModel):
    """One article: stable id, normalised text, and sentence spans into that text.

    Build one from article text with :meth:`from_text` (the loaders' clean-up: repeated
    text and trailing headlines removed). A ``Source`` constructed directly keeps its
    ``text`` exactly as given, so offsets the caller holds stay valid, and gets its sentence
    offsets split when it has none. Empty or whitespace text, and sentence offsets that do
    not index the text, are a ``BadInputError``: a source with nothing to cite would
    otherwise give an empty summary reported as "complete".
    """

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    #: Where it came from (a path, URL, ``<stdin>`` or ``file.jsonl:3``), for messages.
    origin: str | None = None
    #: ``(start, end)`` of each sentence in ``text``.
    sentences: tuple[tuple[int, int], ...] = ()
    #: Publication date as ``YYYY-MM-DD`` (see ``normalize_published``), when known.
    published: str | None = None

    #: False when the id was left to the loader (``from_text`` without ``id``), which then
    #: numbers it by position like any other input.
    _id_given: bool = PrivateAttr(default=True)

    @field_validator("published", mode="before")
    @classmethod
    def _normalize_published(cls, value: object) -> str | None:
        return normalize_published(value)

    @model_validator(mode="before")
    @classmethod
    def _with_sentences(cls, data: Any) -> Any:
        """A source built directly from text gets its sentence offsets (text kept as given)."""
        if isinstance(data, dict) and not data.get("sentences"):
            text = data.get("text")
            if isinstance(text, str):  # otherwise pydantic names the type error
                return {**data, "sentences": split_sentences(text)}
        return data

    @model_validator(mode="after")
    def _citable(self) -> Source:
        where = self.origin or self.id
        if is_blank(self.text):
            raise BadInputError(where, "is empty")
        for start, end in self.sentences:
            if not 0 <= start < end <= len(self.text):
                raise BadInputError(
                    where, f"sentence offsets ({start}, {end}) do not index its text"
                )
        return self

    @property
    def id_given(self) -> bool:
        """Whether the id was chosen by the caller (a loader keeps it) or left to the loader."""
        return self._id_given

    @classmethod
    def from_text(
        cls,
        text: str,
        id: str | None = None,
        title: str | None = None,
        url: str | None = None,
        published: object = None,
    ) -> Source:
        """A source from article text: the public way to pass text rather than a path.

        Without ``id``, ``load_sources`` and ``summarize`` give it ``S<position>`` like any
        other input (a lone source here is ``S1``). Empty text is a ``BadInputError``.
        """
        source = make_source(
            id if id is not None else "S1",
            text,
            title=title,
            url=url,
            origin=None if id is not None else "<text>",
            published=published,
        )
        source._id_given = id is not None
        return source


class Cluster(BaseModel):
    """Several sources about one event, with an optional reference summary (for eval)."""

    id: str
    sources: list[Source]
    reference: str | None = None
    warnings: list[str] = []


# ------------------------------------------------------------------------------ Source

_WS = re.compile(r"\s+")
#: ``2016-11-03``, ``2016-11-03 05:10:42``, ``2016-11-03T05:10:42+01:00``, ``2016/11/03``.
_ISO_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:$|[T\s_])")
_WRITTEN_DATE_FORMATS = ("%B %d, %Y", "%B %d %Y", "%b %d, %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")
#: Earlier years are placeholders (``0001-01-01``) rather than news dates.
_FIRST_YEAR = 1900


def _plausible(date: dt.date) -> str | None:
    return date.isoformat() if date.year >= _FIRST_YEAR else None


def normalize_published(value: object) -> str | None:
    """A publication date as ``YYYY-MM-DD``, or ``None`` for anything that is not one.

    The date is taken as written, ignoring time and zone: "Thursday" in the article means
    the publisher's Thursday, and converting ``2016-11-03T01:00-05:00`` to UTC would move
    it to the wrong day. Day-first or month-first numerals (``03/11/2016``) are ambiguous
    and refused.
    """
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    if not isinstance(value, str):
        return None
    text = _WS.sub(" ", value).strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        try:
            return _plausible(dt.date(year, month, day))
        except ValueError:  # 2016-13-45
            return None
    try:  # RFC 2822, as in RSS feeds and HTTP headers: "Thu, 03 Nov 2016 05:10:42 GMT"
        return _plausible(email.utils.parsedate_to_datetime(text).date())
    except (TypeError, ValueError, IndexError):
        pass
    written = text.replace(".", "").replace("Sept ", "Sep ")
    for pattern in _WRITTEN_DATE_FORMATS:  # "November 3, 2016", "3 Nov 2016"
        try:
            return _plausible(dt.datetime.strptime(written, pattern).date())
        except ValueError:
            continue
    return None


def _clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    cleaned = _WS.sub(" ", normalize_text(title)).strip()
    return cleaned or None


def _clean_text(text: str, where: str) -> tuple[str, int, list[str]]:
    """Normalised text without repeated text and trailing headlines, and what was removed."""
    normalized = normalize_text(text)
    if not normalized:
        raise BadInputError(where, "is empty")
    deduplicated, removed = remove_repeated_text(normalized)
    deduplicated, headlines = strip_trailing_headlines(deduplicated)
    return deduplicated, removed, headlines


def build_source(
    id: str,
    text: str,
    *,
    title: str | None,
    url: str | None,
    origin: str | None,
    published: object = None,
) -> tuple[Source, int, list[str]]:
    """The ``Source``, plus what clean-up removed (characters of repeated text, trailing
    headlines) so that each loader can word its own warning naming where the text came from."""
    deduplicated, removed, headlines = _clean_text(text, origin or id)
    source = Source(
        id=id,
        text=deduplicated,
        title=_clean_title(title),
        url=url,
        origin=origin,
        sentences=split_sentences(deduplicated),
        published=normalize_published(published),
    )
    return source, removed, headlines


def headline_warning(origin: str, headlines: list[str]) -> str:
    """The notice for removed trailing headlines: the first three shown, each clipped."""
    shown = "; ".join(f'"{h if len(h) <= 80 else h[:77] + "..."}"' for h in headlines[:3])
    more = f" and {len(headlines) - 3} more" if len(headlines) > 3 else ""
    count = f"{len(headlines)} trailing headline{'s' if len(headlines) > 1 else ''}"
    return f"{origin}: removed {count} (related-story links): {shown}{more}"


def make_source(
    id: str,
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    origin: str | None = None,
    published: object = None,
) -> Source:
    """Build a ``Source``: normalise, drop repeated text and trailing headlines, split sentences.

    Empty or whitespace-only text is a ``BadInputError`` naming ``origin`` (or ``id``);
    a ``published`` value that is not a date is dropped (see ``normalize_published``).
    """
    return build_source(id, text, title=title, url=url, origin=origin, published=published)[0]
