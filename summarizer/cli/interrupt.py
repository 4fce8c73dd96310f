"""Ctrl-C within a second in every command, with the clean stop tried first.

``asyncio.run`` answers the first Ctrl-C by cancelling the main task, which takes effect at
the task's next real suspension. Work that never suspends (the built-in extractor, ROUGE
and the peer summaries of ``eval`` are plain CPU work inside coroutines) therefore ran to
its end: ``eval`` went on for 25 s after Ctrl-C and then exited 130. :func:`run_async`
keeps the clean stop (cancellation runs every ``finally`` and ``async with`` exit, so an
LLM client closes, a batch flushes its complete lines) and adds a deadline: if the run is
still going :data:`GRACE_S` seconds after Ctrl-C, or Ctrl-C comes a second time,
``KeyboardInterrupt`` is raised wherever the main thread is. Either way the command exits
130 (``cli.main``).

A command that wires SIGINT itself (``batch``: ``loop.add_signal_handler`` to stop reading
and flush) replaces this handler while it runs, which is what it wants.
"""

from __future__ import annotations

import _thread
import asyncio
import contextlib
import signal
import threading
from collections.abc import Coroutine
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds between the clean stop being asked and the forced one.
GRACE_S = 0.7


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` where Ctrl-C raises ``KeyboardInterrupt`` within a second."""
    if threading.current_thread() is not threading.main_thread():
        return asyncio.run(coroutine)  # signals reach the main thread only
    state = _Interrupt()
    previous = signal.signal(signal.SIGINT, state.handle)
    try:
        with asyncio.Runner() as runner:
            state.loop = runner.get_loop()
            try:
                return runner.run(state.main(coroutine))
            except asyncio.CancelledError:
                if state.count:
                    raise KeyboardInterrupt from None
                raise
    finally:
        state.disarm()
        signal.signal(signal.SIGINT, previous)


class _Interrupt:
    """The SIGINT handler of one run: cancel first, force on a repeat or after the grace."""

    def __init__(self) -> None:
        self.count = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[Any] | None = None
        self._timer: threading.Timer | None = None

    async def main(self, coroutine: Coroutine[Any, Any, T]) -> T:
        self.task = asyncio.current_task()
        return await coroutine

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count > 1 or self.task is None or self.loop is None or self.task.done():
            self._quiet()
            raise KeyboardInterrupt
        self.task.cancel()
        # Wake the loop if it sleeps in select(); harmless when the thread is computing.
        self.loop.call_soon_threadsafe(lambda: None)
        self._timer = threading.Timer(GRACE_S, _thread.interrupt_main)
        self._timer.daemon = True
        self._timer.start()

    def _quiet(self) -> None:
        """Tasks ended by the forced interrupt are not reported as errors at shutdown."""
        if self.loop is not None:
            self.loop.set_exception_handler(lambda loop, context: None)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with contextlib.suppress(Exception):
            if self.loop is not None and not self.loop.is_closed():
                self.loop.set_exception_handler(None)
