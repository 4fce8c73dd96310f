"""Draw the figures to hand-label: half from the old extractor's labels, half from today's.

Run from the repository root: ``python tests/data/figure-labels/build_candidates.py
OLD.json candidates.jsonl`` (first draw; ``OLD.json`` is a dump of the figures of the
extractor before issue 11: cluster, source, label text, value, citation start/end), or
``... more 60 final sample.jsonl more.jsonl [SEED]`` (a further draw from today's
extractor, none already in the sample; seed 2026 drew `final`, 1111 and 1112
`labels11a` and `labels11b`, 1113 and 1114 `labels11`, 1115 and 1116 `labels11c`), or
``... show more.jsonl`` (each candidate as label, value and its context, for judging
blind to the judgement). Writes one candidate a
line, by reference only (offsets into the loader's text, no Multi-News words), for a
person to add ``usable`` and ``reason`` to; ``show`` prints them with their sentence to
judge. A label is stored as parts: ``[start, end]`` spans of the source text, or a short
fixed word the extractor adds ("age of").
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from summarizer.extract.builtin.extractor import builtin_events  # noqa: F401 - same loader path
from summarizer.extract.builtin.figures import cluster_year, found_figures, join_parts
from summarizer.sources.load import iter_clusters
from summarizer.text.numbers import find_numbers

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "multinews-dev.jsonl"
PER_SIDE = 90


def _parts_of(label: str, text: str, start: int, end: int) -> list[object]:
    """Each label word located in order inside the citation; a word not there is fixed."""
    parts: list[object] = []
    pos = start
    for word in label.split():
        at = text.find(word, pos, end)
        if at < 0:
            at = text.find(word, start, end)
        if at < 0:
            parts.append(word)
            continue
        parts.append([at, at + len(word)])
        pos = at + len(word)
    return parts


def _value_span(text: str, start: int, end: int, value: float) -> list[int] | None:
    for mention in find_numbers(text[start:end]):
        if abs(mention.value - value) < 1e-9:
            return [start + mention.start, start + mention.end]
    return None


def main(old_path: str, out_path: str) -> None:
    clusters = {line.cluster.id: line.cluster for line in iter_clusters(DATA) if line.cluster}
    rng = random.Random(11)
    old = json.loads(Path(old_path).read_text(encoding="utf-8"))
    rows: list[dict[str, object]] = []
    for item in rng.sample(old, PER_SIDE):
        text = next(s.text for s in clusters[item["cluster"]].sources if s.id == item["source"])
        span = _value_span(text, item["start"], item["end"], item["value"])
        parts = _parts_of(item["what"], text, item["start"], item["end"])
        rows.append(
            dict(
                cluster=item["cluster"],
                source=item["source"],
                label=parts,
                value=span,
                extractor="before",
            )
        )
    new = []
    for cluster in clusters.values():
        year = cluster_year(cluster.sources)
        for source in cluster.sources:
            for found in found_figures(source, year):
                new.append((cluster.id, source.id, found))
    for cluster_id, source_id, found in rng.sample(new, PER_SIDE):
        rows.append(
            dict(
                cluster=cluster_id,
                source=source_id,
                label=[list(p) if isinstance(p, tuple) else p for p in found.parts],
                value=list(found.value_span),
                extractor="after",
            )
        )
    rng.shuffle(rows)  # judged blind to which extractor made the label
    with open(out_path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


def more(count: int, tag: str, sample_path: str, out_path: str, seed: int = 2026) -> None:
    """Draw ``count`` more figures from today's extractor, none already in the sample:
    a held-out set for the judgement (it was refined on the first draw) and a hand
    estimate of today's usable share."""
    clusters = {line.cluster.id: line.cluster for line in iter_clusters(DATA) if line.cluster}
    taken = {
        (r["cluster"], r["source"], tuple(r["value"] or ()))
        for r in map(json.loads, Path(sample_path).read_text(encoding="utf-8").splitlines())
    }
    pool = []
    for cluster in clusters.values():
        year = cluster_year(cluster.sources)
        for source in cluster.sources:
            for found in found_figures(source, year):
                if (cluster.id, source.id, found.value_span) not in taken:
                    pool.append((cluster.id, source.id, found))
    rng = random.Random(seed)
    with open(out_path, "w", encoding="utf-8") as handle:
        for cluster_id, source_id, found in rng.sample(pool, count):
            parts = [list(p) if isinstance(p, tuple) else p for p in found.parts]
            row = dict(
                cluster=cluster_id,
                source=source_id,
                label=parts,
                value=list(found.value_span),
                extractor=tag,
            )
            handle.write(json.dumps(row) + "\n")


def show(path: str) -> None:
    """Print each candidate as ``n [label] = 'value' :: context``: what the labeller sees
    (no verdict of ``usable_label``, no extractor)."""
    clusters = {line.cluster.id: line.cluster for line in iter_clusters(DATA) if line.cluster}
    for n, row in enumerate(map(json.loads, Path(path).read_text(encoding="utf-8").splitlines())):
        text = next(s.text for s in clusters[row["cluster"]].sources if s.id == row["source"])
        start, end = row["value"]
        parts = [tuple(p) if isinstance(p, list) else p for p in row["label"]]
        context = " ".join(text[max(0, start - 90) : end + 90].split())
        print(f"{n} [{join_parts(text, parts)}] = {text[start:end]!r} :: {context}")


if __name__ == "__main__":
    if sys.argv[1] == "show":
        show(sys.argv[2])
    elif sys.argv[1] == "more":
        seed = int(sys.argv[6]) if len(sys.argv) > 6 else 2026
        more(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], seed)
    else:
        main(sys.argv[1], sys.argv[2])
