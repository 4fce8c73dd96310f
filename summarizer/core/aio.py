"""One asyncio rule for CPU-heavy steps that share a loop with model calls: I/O goes first.

Why it exists: a batch run keeps dozens of model calls in flight on one event loop while
the same loop parses clusters, validates answers, merges events and assembles results,
steps of 10-50 ms each that never yield. ``asyncio`` runs, on each turn, the callbacks
queued in the turn before (``call_soon``) and only then the I/O callbacks that the turn's
``select`` found, so an answer that has arrived waits behind every heavy step already
queued, while its call keeps its concurrency slot; and so does the hand-over of a freed
slot to the next request. ``await asyncio.sleep(0)`` does not change that order (the task
is queued with ``call_soon`` like the rest).

A timer does: timers that are due are queued after that turn's I/O callbacks, so
:func:`yield_to_io` before a heavy step lets every answer that has already arrived be read,
and its slot be passed on, first. It costs one loop turn for that cluster, none for any
slot. Measured on this 2-core machine (``benchmarks/scaleout.py``'s LLM path: 4,000 calls,
L = 0.5 s, ``--concurrency 64``, share of the ideal over the fake server's busy window):
one process 0.75 and 0.76 without it against 0.81 and 0.83 with it (two interleaved
pairs); two Ray workers a mean gain of 0.02 over seven interleaved pairs (6 of 7 ahead),
and ``--repeat 3`` rounds of 0.88, 0.89, 0.86 against 0.83, 0.84, 0.83 earlier that day.
Where it is called: before a cluster is parsed (the batch runners), before merging and
before assembling (``pipeline``), and once a model call has given its slot back, before
instructor validates the answer (``llm.client``).
"""

from __future__ import annotations

import asyncio

__all__ = ["yield_to_io"]

#: Any positive delay makes a timer (``sleep(0)`` takes the plain ``call_soon`` path); this
#: one is due on the next turn at once, so an idle loop does not wait for it.
_DUE_AT_ONCE_S = 1e-6


async def yield_to_io() -> None:
    """Let the I/O that has already arrived (answers, freed slots) run before the caller goes on."""
    await asyncio.sleep(_DUE_AT_ONCE_S)
