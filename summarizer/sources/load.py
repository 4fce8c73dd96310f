"""Sources of one run: files, folders, stdin, URLs and inline text, each read once.

Everything downstream (extraction prompts, grounding, citations) works on
``Source.text``, so this module reads each input once and builds that text through
``summarizer.core.source.build_source`` (normalised, de-duplicated, split into sentences whose
offsets index it directly). Nothing later re-reads the input. Bytes become text by the rules of
``summarizer.sources.decode`` (UTF-8 or refused, binary refused, size limit); JSONL clusters and
Multi-News documents are ``summarizer.sources.clusters``.

Decisions worth knowing:

* **Binary and empty files** are refused when named directly and skipped with a warning
  inside a folder, where stray images or ``.DS_Store`` files are normal.
* **Folders** are read one level deep, in natural name order (``source-2`` before
  ``source-10``), taking only article formats (``.txt``, ``.md``, ``.html``,
  ``.jsonl``, no extension); hidden files are ignored and other files (``.json`` data,
  PDFs, images) are skipped with one warning listing them. A file named directly is read
  whatever its extension.
* **Size.** A file or page over ``max_bytes`` is refused: no news article is that
  large, and reading it whole would stall the run. JSONL files are streamed and exempt.
* **Repeated text** (``summarizer.text.clean.remove_repeated_text``): see that function for
  the rule.
* **Trailing headlines** (``summarizer.text.clean.strip_trailing_headlines``): related-story
  links pasted after an article are cut; see that function for the rule and its limits.
* **Identical sources** (same text after clean-up) are merged, keeping the first.
* **Publication date** (``Source.published``): JSONL's ``published`` (or ``date``) field,
  or the date trafilatura finds in an HTML page's markup. It is the only anchor for
  "Thursday" or "yesterday", so it is kept as a plain ``YYYY-MM-DD``; a value that does
  not parse (datasets write ``"None"``) becomes ``None`` rather than an error, because a
  missing date costs a few unresolved weekdays while a refused article costs the run.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from summarizer.core.errors import BadInputError
from summarizer.core.events import SourceFailure
from summarizer.core.source import Source, build_source, headline_warning
from summarizer.sources.clusters import (
    ClusterLine,
    is_multinews,
    iter_clusters,
    merge_identical,
    multinews_stories,
)
from summarizer.sources.decode import decode_text, read_file
from summarizer.sources.fetch import extract_html, fetch_url
from summarizer.text.clean import is_blank

__all__ = ["LoadedSources", "load_sources"]

# ------------------------------------------------------------------------------ loading

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
#: What a folder contributes: article formats only, so data files kept next to the
#: articles (``.json``, ``.csv``, images) are not mistaken for news. A file named
#: directly is read whatever its extension.
_FOLDER_SUFFIXES = frozenset(
    {"", ".txt", ".text", ".md", ".markdown"} | _HTML_SUFFIXES | _JSONL_SUFFIXES
)


@dataclass
class LoadedSources:
    """The sources of one run, in input order, plus notices for the user."""

    sources: list[Source]
    warnings: list[str] = field(default_factory=list)
    #: Inputs that could not be fetched (a dead URL among good files), by assigned id.
    failures: list[SourceFailure] = field(default_factory=list)


@dataclass
class _Raw:
    """One article before it becomes a Source (ids are assigned once all are known)."""

    text: str
    origin: str
    title: str | None = None
    url: str | None = None
    id: str | None = None
    source: Source | None = None
    published: str | None = None
    #: Set when a URL could not be fetched: that source fails, the others go on.
    failure: BadInputError | None = None


def _split_multinews(text: str, origin: str) -> list[_Raw]:
    """One raw article per Multi-News story (empty stories between separators vanish)."""
    raws = [
        _Raw(text=story, origin=f"{origin} (article {number})")
        for number, story in multinews_stories(text)
    ]
    if not raws:
        raise BadInputError(origin, "is empty")
    return raws


def _from_text(text: str, origin: str, title: str | None = None) -> list[_Raw]:
    if is_multinews(text):
        return _split_multinews(text, origin)
    if is_blank(text):
        raise BadInputError(origin, "is empty")
    return [_Raw(text=text, origin=origin, title=title)]


def _markdown_title(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0]
    if not first.startswith("# "):
        return None
    return first[2:].strip() or None


def _load_file(path: Path, max_bytes: int, warnings: list[str]) -> list[_Raw]:
    origin = str(path)
    suffix = path.suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return _load_jsonl(path, warnings)
    data = read_file(path, max_bytes)
    if suffix in _HTML_SUFFIXES:
        article = extract_html(decode_text(data, origin, html=True), origin=origin)
        return [
            _Raw(
                text=article.text,
                origin=origin,
                title=article.title,
                published=article.published,
            )
        ]
    text = decode_text(data, origin)
    return _from_text(text, origin, _markdown_title(text) if suffix == ".md" else None)


def _natural_key(path: Path) -> list[Any]:
    """Sort ``source-2`` before ``source-10``, as a person listing the folder would."""
    return [
        int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path.name)
    ]


def _load_folder(folder: Path, max_bytes: int, warnings: list[str]) -> list[_Raw]:
    try:
        entries = sorted(folder.iterdir(), key=_natural_key)
    except OSError as exc:
        raise BadInputError(str(folder), exc.strerror or "cannot be listed") from exc
    raws: list[_Raw] = []
    skipped: list[str] = []
    other_types: list[str] = []
    folders: list[str] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_file = entry.is_file()
        except OSError:  # a symlink loop (ELOOP) or a name the system cannot stat
            is_file = False
        if not is_file:
            folders.append(entry.name)
            continue
        if entry.suffix.lower() not in _FOLDER_SUFFIXES:
            other_types.append(entry.name)
            continue
        try:
            raws.extend(_load_file(entry, max_bytes, warnings))
        except BadInputError as exc:
            # Binary and empty files are normal clutter in a folder; anything else
            # (bad encoding, broken JSONL, HTML without article) is the user's to fix.
            if exc.problem == "is empty" or exc.problem.startswith("is a binary file"):
                skipped.append(entry.name)
                warnings.append(f"skipped {exc}")
                continue
            raise
    if folders:
        # Read one level deep on purpose (a subfolder is often another event, or an
        # archive); saying how many were passed over keeps the skip from being silent.
        warnings.append(
            f"{folder}: skipped {len(folders)} subfolder(s), broken link(s) or symlink loop(s) "
            "(folders are read one level deep): " + ", ".join(folders)
        )
    if other_types:
        warnings.append(
            f"{folder}: skipped {len(other_types)} file(s) that are not .txt/.md/.html/.jsonl: "
            + ", ".join(other_types)
        )
    if not raws:
        count = len(skipped) + len(other_types) + len(folders)
        kinds = "subfolders, empty, binary or not text" if folders else "empty, binary or not text"
        detail = f" ({count} skipped: {kinds})" if count else ""
        raise BadInputError(str(folder), f"holds no readable source file{detail}")
    return raws


def _load_jsonl(path: Path, warnings: list[str]) -> list[_Raw]:
    """A JSONL file given as a source list must hold exactly one cluster."""
    first: ClusterLine | None = None
    for item in iter_clusters(path):
        if item.error is not None:
            raise item.error
        if first is not None:
            raise BadInputError(
                str(path),
                "holds several clusters; use `summarizer batch` to summarise each of them",
            )
        first = item
    if first is None or first.cluster is None:
        raise BadInputError(str(path), "is empty")
    warnings.extend(first.cluster.warnings)
    # Ids from the cluster are kept; sources without one in the file got S1.. there.
    return [
        _Raw(text=s.text, origin=s.origin or str(path), id=s.id, source=s)
        for s in first.cluster.sources
    ]


def _read_stdin(stdin: TextIO) -> str:
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        return decode_text(buffer.read(), "<stdin>")
    try:
        return stdin.read()
    except UnicodeDecodeError as exc:
        raise BadInputError("<stdin>", f"is not valid UTF-8 (offset {exc.start})") from exc


def _expand(
    item: str | Path | Source,
    position: int,
    *,
    stdin: TextIO | None,
    timeout_s: float,
    max_bytes: int,
    warnings: list[str],
) -> list[_Raw]:
    if isinstance(item, Source):
        given = item.id if item.id_given else None
        return [_Raw(text=item.text, origin=item.origin or item.id, id=given, source=item)]
    if isinstance(item, str):
        if item == "-":
            return _from_text(_read_stdin(stdin if stdin is not None else sys.stdin), "<stdin>")
        if item.startswith(("http://", "https://")):
            try:
                page = fetch_url(item, timeout_s=timeout_s, max_bytes=max_bytes)
            except BadInputError as exc:
                # A page that is down is the web's fault, not the user's: like a source the
                # model failed on, it is reported by name and the others are summarised.
                return [_Raw(text="", origin=item, url=item, failure=exc)]
            warnings.extend(page.warnings)
            return [
                _Raw(
                    text=page.text,
                    origin=item,
                    title=page.title,
                    url=page.url,
                    published=page.published,
                )
            ]
        if "\n" in item:
            return _from_text(item, f"<text input {position}>")
    path = Path(item).expanduser()
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError:  # "File name too long": article text passed where a path goes
        exists = is_dir = False
    if is_dir:
        return _load_folder(path, max_bytes, warnings)
    if not exists:
        if isinstance(item, str) and _looks_like_text(item):
            raise BadInputError(_clip(item), NOT_A_PATH)
        raise BadInputError(str(item), "no such file or directory")
    return _load_file(path, max_bytes, warnings)


#: What a one-line string that is neither a path nor a URL is told: how to pass text.
NOT_A_PATH = (
    "is not an existing file or folder, nor an http(s) URL; to summarise article text, "
    "pass Source.from_text(text) (or text containing a newline; on the command line, "
    "pipe it to -)"
)


def _looks_like_text(item: str) -> bool:
    """A sentence rather than a mistyped path: words with spaces, or too long for a name."""
    return len(item.split()) >= 3 or len(item) > 255


def _clip(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 3] + "...")


def _assign_ids(raws: list[_Raw]) -> list[str]:
    """Given ids are kept; the others get ``S<position>``, skipping ids already taken."""
    given: dict[str, str] = {}
    for raw in raws:
        if raw.id is not None:
            if raw.id in given:
                problem = f"source id {raw.id} is also used by {given[raw.id]}"
                raise BadInputError(raw.origin, problem)
            given[raw.id] = raw.origin
    used = set(given)
    ids: list[str] = []
    for position, raw in enumerate(raws, 1):
        if raw.id is not None:
            ids.append(raw.id)
            continue
        number = position
        while f"S{number}" in used:
            number += 1
        ids.append(f"S{number}")
        used.add(ids[-1])
    return ids


def load_sources(
    inputs: Sequence[str | Path | Source],
    *,
    stdin: TextIO | None = None,
    timeout_s: float = 10.0,
    max_bytes: int = 5_000_000,
) -> LoadedSources:
    """Turn command-line style inputs into ``Source`` objects with ids S1, S2, ...

    A ``str`` is ``-`` (stdin), an ``http(s)://`` URL, article text if it contains a
    newline, or else a path (file or folder). Multi-News documents expand to one source
    per article and a single-cluster JSONL to its sources. Any unusable input raises
    ``BadInputError`` with a one-line message naming it, except a URL that cannot be
    fetched while other inputs load: that one is in ``failures`` (the run is partial).
    A ``Source`` made by ``Source.from_text`` without an id gets ``S<position>`` too.
    """
    if isinstance(inputs, (str, Path)):  # one input, not a sequence of characters
        inputs = [inputs]
    if not inputs:
        raise BadInputError("input", "no sources given")
    warnings: list[str] = []
    raws: list[_Raw] = []
    for position, item in enumerate(inputs, 1):
        raws.extend(
            _expand(
                item,
                position,
                stdin=stdin,
                timeout_s=timeout_s,
                max_bytes=max_bytes,
                warnings=warnings,
            )
        )
    built: list[Source] = []
    failures: list[SourceFailure] = []
    for raw, source_id in zip(raws, _assign_ids(raws), strict=True):
        if raw.failure is not None:
            failures.append(
                SourceFailure(source_id=source_id, stage="load", reason=str(raw.failure))
            )
            continue
        if raw.source is not None:
            # A Source built with Source.from_text and no id takes its place's id.
            same = raw.id is not None or raw.source.id == source_id
            built.append(raw.source if same else raw.source.model_copy(update={"id": source_id}))
            continue
        source, removed, headlines = build_source(
            source_id,
            raw.text,
            title=raw.title,
            url=raw.url,
            origin=raw.origin,
            published=raw.published,
        )
        if removed:
            warnings.append(f"{raw.origin}: removed {removed:,} characters of repeated text")
        if headlines:
            warnings.append(headline_warning(str(raw.origin), headlines))
        built.append(source)
    if not built:  # nothing to summarise: the (first) failure is the run's error
        first = next(raw.failure for raw in raws if raw.failure is not None)
        raise first
    return LoadedSources(
        sources=merge_identical(built, warnings), warnings=warnings, failures=failures
    )
