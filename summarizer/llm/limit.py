"""The one concurrency limit of a run, served by priority.

Every HTTP request of an :class:`~summarizer.llm.client.LLM` waits here, inside the retry
loops (a request backing off after a 429 gives its slot to another call). Kept apart from
the client because it is plain asyncio: it knows nothing of openai or instructor.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator

__all__ = ["DEFAULT_OVERTAKE", "FIRST_ROUND", "SECOND_ROUND", "PriorityLimit"]

#: Priorities for :meth:`LLM.create`: a call that finishes a cluster whose first round is
#: done (the writer) goes before calls that start new work, so results come out early and
#: a killed run loses less. Higher goes first.
FIRST_ROUND = 0
SECOND_ROUND = 1

#: How many later arrivals may overtake a waiting call by priority: large enough that a
#: writer call passes the whole queue of a batch run's first-round calls (about
#: 2 x concurrency clusters x sources), finite so that no call waits forever.
DEFAULT_OVERTAKE = 4096


class PriorityLimit:
    """One concurrency limit shared by every call of a run, served by priority.

    ``asyncio.Semaphore`` serves waiters first-in-first-out; in a batch run that makes the
    writer call of an early cluster queue behind the extraction calls of every cluster
    admitted after it, so the first result appears only after most of the in-flight
    clusters have been extracted. Here, when all slots are taken, a waiter with a higher
    priority goes first and equal priorities keep arrival order. Throughput does not change:
    a freed slot is handed straight to the next waiter (no slot sits idle, and no newcomer
    can barge in ahead of the queue).

    No starvation: a waiter is ranked as if it had arrived ``overtake x priority`` arrivals
    earlier, so a call can be overtaken by at most ``overtake`` later arrivals per step of
    priority between them, however long a stream of higher-priority calls lasts.

    Not bound to an event loop until calls wait, so an :class:`LLM` may be closed and used
    again under another ``asyncio.run``.
    """

    def __init__(self, slots: int, *, overtake: int = DEFAULT_OVERTAKE) -> None:
        if slots < 1:
            raise ValueError(f"a concurrency limit needs at least 1 slot, got {slots}")
        self.slots = slots
        self.overtake = overtake
        self._free = slots
        # (rank, arrival, future): the heap's smallest rank is served next; a cancelled
        # waiter's entry stays until it reaches the top and is then skipped.
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @property
    def in_use(self) -> int:
        """Slots held now."""
        return self.slots - self._free

    @property
    def waiting(self) -> int:
        """Calls waiting for a slot now."""
        return sum(1 for _, _, future in self._waiters if not future.done())

    async def acquire(self, priority: int = FIRST_ROUND) -> None:
        # Invariant: a free slot never coexists with a live waiter (``_hand_over`` runs on
        # every release), so a free slot can be taken without looking at the queue.
        if self._free > 0:
            self._free -= 1
            return
        arrival = next(self._arrivals)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (arrival - priority * self.overtake, arrival, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # granted, then cancelled before it ran: pass the slot on
            raise

    def release(self) -> None:
        self._free += 1
        self._hand_over()

    def _hand_over(self) -> None:
        while self._free > 0 and self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if future.done():
                continue  # cancelled while waiting
            self._free -= 1
            future.set_result(None)

    @contextlib.asynccontextmanager
    async def slot(self, priority: int = FIRST_ROUND) -> AsyncIterator[None]:
        """Hold one slot for the body of an ``async with``."""
        await self.acquire(priority)
        try:
            yield
        finally:
            self.release()
