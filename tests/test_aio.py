"""``yield_to_io``: I/O that has already arrived runs before the caller's next (heavy) step."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

from summarizer.core.aio import yield_to_io


async def order_after(pause: Callable[[], Awaitable[None]]) -> list[str]:
    """Which runs first once ``pause`` returns: a socket's ready callback, or the caller."""
    loop = asyncio.get_running_loop()
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    order: list[str] = []

    def readable() -> None:
        reader.recv(16)
        loop.remove_reader(reader)
        order.append("io")

    try:
        loop.add_reader(reader, readable)
        writer.send(b"answer")  # the bytes are there before the caller pauses
        await pause()
        order.append("caller")
        await asyncio.sleep(0.05)  # let the callback run if it has not yet
        return order
    finally:
        loop.remove_reader(reader)
        reader.close()
        writer.close()


async def test_arrived_io_runs_before_the_caller_goes_on() -> None:
    assert await order_after(yield_to_io) == ["io", "caller"]


async def test_a_bare_sleep_zero_would_not_let_it() -> None:
    # The reason the helper uses a timer: sleep(0) requeues the caller ahead of the I/O
    # callbacks of the next loop turn. If asyncio ever changes this, the helper's
    # docstring (and its measurement) needs a second look.
    assert await order_after(lambda: asyncio.sleep(0)) == ["caller", "io"]
