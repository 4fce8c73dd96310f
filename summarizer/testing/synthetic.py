"""Synthetic news-like clusters for batch tests and benchmarks.

Deterministic for a seed, with numbers, places and days in every sentence so extraction,
grounding and merging have real work to do; no corpus is needed (and Multi-News may not
be copied into the repository).
"""

from __future__ import annotations

import random
from typing import Any

WORDS = [
    "council",
    "police",
    "storm",
    "river",
    "minister",
    "school",
    "hospital",
    "court",
    "bridge",
    "market",
    "village",
    "company",
    "union",
    "airport",
    "harbour",
    "museum",
    "festival",
    "station",
    "factory",
    "election",
    "mayor",
    "judge",
    "officer",
    "engineer",
    "nurse",
    "teacher",
    "farmer",
    "driver",
    "pilot",
]
PLACES = ["Leeds", "Porto", "Osaka", "Quito", "Tartu", "Perth", "Accra", "Lyon"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def article(rng: random.Random, place: str, sentences: int) -> str:
    """Plain sentences, each with a count, a place and a day."""
    out = []
    for _ in range(sentences):
        a, b, c, d = rng.sample(WORDS, 4)
        out.append(
            f"The {a} in {place} said {rng.randint(2, 950)} {b}s were affected by the "
            f"{c} closure on {rng.choice(DAYS)}, and the {d} expects more news soon."
        )
    return " ".join(out)


def cluster(
    rng: random.Random, number: int, sources: int, sentences: int = 14, prefix: str = "cluster"
) -> dict[str, Any]:
    """One cluster line in the JSONL format ``summarizer batch`` reads."""
    place = rng.choice(PLACES)
    return {
        "id": f"{prefix}-{number}",
        "sources": [
            {"id": f"S{i}", "text": article(rng, place, sentences)} for i in range(1, sources + 1)
        ],
    }
