"""Actor and place merging: which names, written differently, are one entity.

Sources name the same person or agency in many ways ("Morton" / "John Morton" / "ICE
Director John Morton", "ICE" / "Immigration and Customs Enforcement (ICE)" / "U.S.
Immigration and Customs Enforcement"), so names are matched on their words and acronyms,
not their spelling: one name's words contained in the other's with the same last word,
or an acronym matching the other's initials. A short name that fits two different full
names ("Morton" with "John Morton" and "Jane Morton") joins neither, because a false
merge would attribute one person's role to another. Name matching is a job of its own,
with nothing in common with figure or fact matching but the tokeniser.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from summarizer.core.events import GroundedActor, SourceEvent
from summarizer.core.results import MergedActor, MergedPlace
from summarizer.core.schema import ActorKind
from summarizer.merge.citations import cited_source_ids, unique_citations
from summarizer.text.words import WORD

_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "dr", "sir", "prof", "the"})
_ACRONYM_SKIP = frozenset({"and", "of", "the", "for", "on", "in", "de", "&"})
_PAREN = re.compile(r"\(([^()]*)\)")


def _unique_text(values: Iterable[str]) -> list[str]:
    """First-seen distinct strings, compared case- and space-insensitively."""
    seen: dict[str, str] = {}
    for value in values:
        key = " ".join(value.lower().split())
        if key:
            seen.setdefault(key, value.strip())
    return list(seen.values())


@dataclass(frozen=True)
class _Name:
    raw: str
    words: tuple[str, ...]
    acronyms: frozenset[str]  # what this name may be abbreviated to
    as_acronym: str | None  # this name read as an acronym ("ICE", "U.S.")


def _name(raw: str) -> _Name:
    """Parse a name into comparable words and acronym keys."""
    parenthetical = [p.strip() for p in _PAREN.findall(raw)]
    outer = _PAREN.sub(" ", raw)
    tokens = [t for t in WORD.findall(outer) if not t[0].isdigit()]
    words = tuple(w for w in (t.lower().replace(".", "") for t in tokens) if w not in _TITLE_WORDS)
    letters = "".join(
        (t.replace(".", "") if t.replace(".", "").isupper() else t[0]).lower()
        for t in tokens
        if t.lower() not in _ACRONYM_SKIP
    )
    acronyms = {letters} if len(tokens) > 1 else set()
    first = tokens[0].replace(".", "") if tokens else ""
    if len(tokens) > 2 and first.isupper():
        acronyms.add(letters[len(first) :])  # "U.S. Immigration and ..." is also "ICE"
    acronyms.update(p.replace(".", "").lower() for p in parenthetical if p)
    single = tokens[0].replace(".", "") if len(tokens) == 1 else ""
    as_acronym = single.lower() if len(single) >= 2 and single.isupper() else None
    return _Name(raw, words, frozenset(a for a in acronyms if len(a) >= 2), as_acronym)


def _names_match(a: _Name, b: _Name) -> bool:
    if a.words == b.words and a.words:
        return True
    if a.as_acronym and (a.as_acronym in b.acronyms or a.as_acronym == b.as_acronym):
        return True
    if b.as_acronym and b.as_acronym in a.acronyms:
        return True
    if not a.words or not b.words or a.words[-1] != b.words[-1]:
        return False
    short, long = sorted((a, b), key=lambda n: len(n.words))
    return set(short.words) <= set(long.words)


def _names_clash(a: _Name, b: _Name) -> bool:
    """Two full names that cannot be the same entity ('John Morton' vs 'Jane Morton')."""
    return len(a.words) > 1 and len(b.words) > 1 and not _names_match(a, b)


def _cluster_names(names: Sequence[_Name], compatible: Callable[[int, int], bool]) -> list[int]:
    """Cluster index per name: longest names found clusters, shorter ones join when unambiguous."""
    by_length = sorted(range(len(names)), key=lambda i: (-len(names[i].words), i))
    clusters: list[list[int]] = []
    assignment = [-1] * len(names)
    for i in by_length:
        fits = [
            c
            for c, members in enumerate(clusters)
            if any(_names_match(names[i], names[m]) and compatible(i, m) for m in members)
            and not any(_names_clash(names[i], names[m]) for m in members)
        ]
        if len(fits) == 1:
            clusters[fits[0]].append(i)
            assignment[i] = fits[0]
        else:
            clusters.append([i])
            assignment[i] = len(clusters) - 1
    return assignment


def _display_name(variants: Sequence[str]) -> str:
    """The most used multi-word variant (fewest words on ties), else the most used name."""
    counts = Counter(variants)
    first_seen = {v: i for i, v in reversed(list(enumerate(variants)))}
    multi = [v for v in counts if len(v.split()) > 1] or list(counts)
    return min(multi, key=lambda v: (-counts[v], len(v.split()), first_seen[v]))


def merge_actors(mentions: Sequence[GroundedActor], order: dict[str, int]) -> list[MergedActor]:
    """Actors across name variants (same kind, or one OTHER), most-cited first, numbered A1.."""
    names = [_name(m.name) for m in mentions]

    def compatible(i: int, j: int) -> bool:
        ki, kj = mentions[i].kind, mentions[j].kind
        return ki == kj or ActorKind.OTHER in (ki, kj)

    assignment = _cluster_names(names, compatible)
    grouped: dict[int, list[int]] = {}
    for index, cluster in enumerate(assignment):
        grouped.setdefault(cluster, []).append(index)
    built = []
    for members in grouped.values():
        members.sort()
        group = [mentions[i] for i in members]
        citations = unique_citations((m.citation for m in group), order)
        variants = [m.name.strip() for m in group]
        name = _display_name(variants)
        kinds = Counter(m.kind for m in group)
        kind = max(kinds, key=lambda k: (kinds[k], -[m.kind for m in group].index(k)))
        actor = MergedActor(
            id="",
            name=name,
            kind=kind,
            aliases=[v for v in _unique_text(variants) if v != name],
            roles=_unique_text(m.role for m in group),
            citations=citations,
            source_ids=cited_source_ids(citations, order),
        )
        built.append((members[0], len(group), actor))
    built.sort(key=lambda b: (-len(b[2].source_ids), -b[1], b[0]))
    return [
        actor.model_copy(update={"id": f"A{index}"})
        for index, (_, _, actor) in enumerate(built, start=1)
    ]


def merge_places(events: Sequence[SourceEvent], order: dict[str, int]) -> list[MergedPlace]:
    """Places across name variants, in first-mention order, numbered P1.."""
    mentions = [p for e in events for p in e.where]
    names = [_name(p.name) for p in mentions]
    assignment = _cluster_names(names, lambda i, j: True)
    grouped: dict[int, list[int]] = {}
    for index, cluster in enumerate(assignment):
        grouped.setdefault(cluster, []).append(index)
    clusters = sorted((sorted(m) for m in grouped.values()), key=lambda m: m[0])
    out = []
    for index, members in enumerate(clusters, start=1):
        group = [mentions[i] for i in members]
        variants = [p.name.strip() for p in group]
        name = _display_name(variants)
        citations = unique_citations((p.citation for p in group), order)
        out.append(
            MergedPlace(
                id=f"P{index}",
                name=name,
                aliases=[v for v in _unique_text(variants) if v != name],
                citations=citations,
                source_ids=cited_source_ids(citations, order),
            )
        )
    return out
