"""Keep the garbage collector's full passes off a batch process's start-up heap.

Why it exists (measured on ``benchmarks/scaleout.py``'s LLM path, 4,000 calls at
L = 0.5 s, ``--concurrency 64``, two Ray workers): each worker spent 3.4-3.7 s of a
37 s run in the cyclic collector, and each full (generation-2) pass stopped its event
loop for 450-580 ms. A full pass walks every container object alive, and most of them
were made at start-up and live for the whole run: the modules, classes and compiled
schemas of Ray, pyarrow, pandas and pydantic. While the loop is stopped, every answered
request holds its slot of the concurrency budget, so the pauses showed up directly as
calls per second below the ideal. With that heap frozen (:func:`gc.freeze`), a full pass
costs about 240 ms and collector time is about 2.2 s per worker. Five interleaved pairs
of runs gave 0.82-0.89 of the ideal with the freeze (mean 0.86) against 0.82-0.85
without (mean 0.84); the machine's own drift is of the same size. On the built-in path a
worker's collector time halves (2.0 s to 1.0 s for 500 clusters, full passes 290 ms to
50 ms).

Collection itself is unchanged: thresholds stay Python's, and objects made after the
freeze are collected as before. Only processes summarizer owns call this (the command
line and the Ray workers), never the library on a caller's behalf: freezing is a
process-wide choice that belongs to whoever owns the process.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_heap"]


def freeze_startup_heap() -> int:
    """Move every object tracked now out of the collector's reach; return how many.

    Call once the process has imported and built what it keeps for the whole run.
    Garbage alive at that moment is kept too; at start-up that is a few objects, and a
    full collection first would cost a pass over the very heap this avoids walking.
    """
    gc.freeze()
    return gc.get_freeze_count()
