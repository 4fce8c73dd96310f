"""Sources: turning every input form into ``Source`` objects, read once.

Everything downstream (extraction prompts, grounding, citations) works on
``Source.text``, so this module reads each input once and builds that text through
``summarizer.text.clean`` (normalised, de-duplicated, split into sentences whose offsets index
it directly). Nothing later re-reads the input.

Decisions worth knowing:

* **Encoding.** Local files and stdin must be UTF-8 (a UTF-8 byte-order mark is
  accepted). Bytes that are not are *refused*, with the byte offset and an ``iconv``
  hint, rather than decoded with replacement: a wrongly decoded article yields
  quotes that no longer match the user's file, and the fix takes the user one command.
  UTF-16/32 files (byte-order mark) get their own hint. HTML files honour their
  ``<meta charset>``. Web pages are lenient instead (see ``summarizer.sources.fetch``).
* **Binary files** (a NUL byte, or more than 10% control characters in the first
  8 KiB) are refused when named directly and skipped with a warning inside a folder,
  where stray images or ``.DS_Store`` files are normal. Empty files likewise.
* **Folders** are read one level deep, in natural name order (``source-2`` before
  ``source-10``), taking only article formats (``.txt``, ``.md``, ``.html``,
  ``.jsonl``, no extension); hidden files are ignored and other files (``.json`` data,
  PDFs, images) are skipped with one warning listing them. A file named directly is read
  whatever its extension.
* **Size.** A file or page over ``max_bytes`` is refused: no news article is that
  large, and reading it whole would stall the run. JSONL files are streamed and exempt.
* **Repeated text** (``summarizer.text.remove_repeated_text``): see that function for
  the rule.
* **Trailing headlines** (``summarizer.text.strip_trailing_headlines``): related-story
  links pasted after an article are cut; see that function for the rule and its limits.
* **Identical sources** (same text after clean-up) are merged, keeping the first.
* **Publication date** (``Source.published``): JSONL's ``published`` (or ``date``) field,
  or the date trafilatura finds in an HTML page's markup. It is the only anchor for
  "Thursday" or "yesterday", so it is kept as a plain ``YYYY-MM-DD``; a value that does
  not parse (datasets write ``"None"``) becomes ``None`` rather than an error, because a
  missing date costs a few unresolved weekdays while a refused article costs the run.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from summarizer.core.errors import BadInputError
from summarizer.core.source import (
    Cluster,
    Source,
    _build_source,
    _headline_warning,
    normalize_published,
)
from summarizer.sources.fetch import extract_html, fetch_url, sniff_html_charset
from summarizer.text.clean import (
    normalize_text,
)

# ----------------------------------------------------------------------------- decoding

_SNIFF_BYTES = 8192
_CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13} | {127})
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _check_not_binary(data: bytes, origin: str) -> None:
    head = data[:_SNIFF_BYTES]
    if head.startswith(_UTF16_32_BOMS):
        raise BadInputError(
            origin, "is UTF-16/UTF-32 text; convert it to UTF-8, e.g. iconv -f utf-16 -t utf-8"
        )
    if b"\x00" in head:
        raise BadInputError(origin, "is a binary file (contains NUL bytes), not text")
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    if controls > len(head) // 10:
        raise BadInputError(origin, "is a binary file (mostly control characters), not text")


def decode_text(data: bytes, origin: str, *, html: bool = False) -> str:
    """Decode file/stdin bytes, refusing binary data and anything that is not UTF-8.

    HTML honours its own ``<meta charset>``; everything else must be UTF-8 (see the
    module docstring for why we refuse rather than replace).
    """
    if not data.strip():
        raise BadInputError(origin, "is empty")
    _check_not_binary(data, origin)
    encoding = "utf-8-sig"
    if html:
        declared = sniff_html_charset(data)
        if declared and declared.lower().replace("_", "-") not in {"utf-8", "utf8"}:
            encoding = declared
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise BadInputError(origin, f"declares an unknown charset {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex().upper()
        raise BadInputError(
            origin,
            f"is not valid {'UTF-8' if encoding == 'utf-8-sig' else encoding} "
            f"(byte 0x{bad} at offset {exc.start}); convert it to UTF-8, "
            "e.g. iconv -f latin1 -t utf-8",
        ) from exc


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError as exc:
        raise BadInputError(str(path), "permission denied") from exc
    except OSError as exc:
        raise BadInputError(str(path), exc.strerror or "cannot be read") from exc
    if len(data) > max_bytes:
        raise BadInputError(str(path), f"is larger than the {max_bytes:,} byte limit")
    return data


# ------------------------------------------------------------------------------ loading

_MULTINEWS_SEPARATOR = re.compile(r"\|\|\|\|\||story_separator_special_tag")
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


def _is_multinews(text: str) -> bool:
    return "NEWLINE_CHAR" in text or _MULTINEWS_SEPARATOR.search(text) is not None


def _split_multinews(text: str, origin: str) -> list[_Raw]:
    """One raw article per Multi-News story (empty stories between separators vanish)."""
    stories = _MULTINEWS_SEPARATOR.split(text.replace("NEWLINE_CHAR", "\n"))
    raws = [
        _Raw(text=story, origin=f"{origin} (article {number})")
        for number, story in enumerate(stories, 1)
        if normalize_text(story)
    ]
    if not raws:
        raise BadInputError(origin, "is empty")
    return raws


def _from_text(text: str, origin: str, title: str | None = None) -> list[_Raw]:
    if _is_multinews(text):
        return _split_multinews(text, origin)
    if not normalize_text(text):
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
    data = _read_file(path, max_bytes)
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
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_file():
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
    if other_types:
        warnings.append(
            f"{folder}: skipped {len(other_types)} file(s) that are not .txt/.md/.html/.jsonl: "
            + ", ".join(other_types)
        )
    if not raws:
        count = len(skipped) + len(other_types)
        detail = f" ({count} skipped: empty, binary or not text)" if count else ""
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
        return [_Raw(text=item.text, origin=item.origin or item.id, id=item.id, source=item)]
    if isinstance(item, str):
        if item == "-":
            return _from_text(_read_stdin(stdin if stdin is not None else sys.stdin), "<stdin>")
        if item.startswith(("http://", "https://")):
            page = fetch_url(item, timeout_s=timeout_s, max_bytes=max_bytes)
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
    if path.is_dir():
        return _load_folder(path, max_bytes, warnings)
    if not path.exists():
        raise BadInputError(str(item), "no such file or directory")
    return _load_file(path, max_bytes, warnings)


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


def _merge_identical(sources: list[Source], warnings: list[str]) -> list[Source]:
    first_by_text: dict[str, Source] = {}
    kept: list[Source] = []
    for source in sources:
        original = first_by_text.get(source.text)
        if original is None:
            first_by_text[source.text] = source
            kept.append(source)
            continue
        warnings.append(
            f"{source.origin or source.id} has the same text as {original.origin or original.id}; "
            f"kept once as {original.id}"
        )
    return kept


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
    ``BadInputError`` with a one-line message naming it.
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
    for raw, source_id in zip(raws, _assign_ids(raws), strict=True):
        if raw.source is not None:
            built.append(raw.source)
            continue
        source, removed, headlines = _build_source(
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
            warnings.append(_headline_warning(str(raw.origin), headlines))
        built.append(source)
    return LoadedSources(sources=_merge_identical(built, warnings), warnings=warnings)


# --------------------------------------------------------------------------- JSONL clusters


@dataclass(frozen=True)
class ClusterLine:
    """One line of a clusters JSONL: a cluster, or the error that line caused."""

    line_no: int
    cluster: Cluster | None
    error: BadInputError | None


def _parse_cluster(raw_line: bytes, where: str, line_no: int) -> Cluster:
    try:
        record = json.loads(raw_line)
    except UnicodeDecodeError as exc:
        problem = f"is not valid UTF-8 (byte offset {exc.start} in the line)"
        raise BadInputError(where, problem) from exc
    except json.JSONDecodeError as exc:
        raise BadInputError(where, f"is not valid JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise BadInputError(where, "is not a JSON object")
    items = record.get("sources")
    if not isinstance(items, list) or not items:
        raise BadInputError(where, 'has no "sources" list')
    sources: list[Source] = []
    warnings: list[str] = []
    seen_ids: set[str] = set()
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise BadInputError(where, f"source {number} is not a JSON object")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadInputError(where, f"source {number} has no text")
        given = item.get("id")
        source_id = str(given) if given is not None and str(given) else f"S{number}"
        if source_id in seen_ids:
            raise BadInputError(where, f"source id {source_id} is used twice")
        seen_ids.add(source_id)
        title = item.get("title")
        url = item.get("url")
        try:
            source, removed, headlines = _build_source(
                source_id,
                text,
                title=title if isinstance(title, str) else None,
                url=url if isinstance(url, str) and url else None,
                origin=f"{where} {source_id}",
                published=normalize_published(item.get("published"))
                or normalize_published(item.get("date")),
            )
        except BadInputError as exc:  # text made only of zero-width characters
            raise BadInputError(where, f"source {number} has no text") from exc
        if removed:
            warnings.append(f"{where} {source_id}: removed {removed:,} characters of repeated text")
        if headlines:
            warnings.append(_headline_warning(f"{where} {source_id}", headlines))
        sources.append(source)
    given_id = record.get("id")
    cluster_id = str(given_id) if given_id is not None and str(given_id) else f"line-{line_no}"
    reference = record.get("reference")
    kept = _merge_identical(sources, warnings)
    return Cluster(
        id=cluster_id,
        sources=kept,
        reference=reference if isinstance(reference, str) else None,
        warnings=warnings,
    )


def parse_cluster(raw_line: bytes, where: str, line_no: int = 0) -> Cluster:
    """One JSONL cluster line, parsed exactly as ``iter_clusters`` parses each of its lines.

    Public for runners that get lines from elsewhere (Ray Data reads files in blocks);
    ``where`` names the line in messages and source origins.
    """
    return _parse_cluster(raw_line, where, line_no)


def _iter_lines(path: Path) -> Iterator[ClusterLine]:
    with path.open("rb") as handle:
        for line_no, raw_line in enumerate(handle, 1):
            if not raw_line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                yield ClusterLine(line_no, _parse_cluster(raw_line, where, line_no), None)
            except BadInputError as exc:
                yield ClusterLine(line_no, None, exc)


def iter_clusters(path: Path) -> Iterator[ClusterLine]:
    """Stream the clusters of a JSONL file, one line at a time (memory stays flat).

    A bad line becomes an item carrying a ``BadInputError`` naming ``file:line`` and
    iteration goes on, so a batch run can report it and continue. A missing or
    unreadable file raises at once, before any iteration.
    """
    path = Path(path)
    if not path.exists():
        raise BadInputError(str(path), "no such file or directory")
    if path.is_dir():
        raise BadInputError(str(path), "is a folder, not a JSONL file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise BadInputError(str(path), exc.strerror or "cannot be read") from exc
    return _iter_lines(path)
