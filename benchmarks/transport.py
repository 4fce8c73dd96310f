"""Client CPU per model call over openai's two HTTP stacks, on the same server and requests.

    python benchmarks/transport.py [--calls 2000] [--concurrency 64] [--latency 0.1]
                                   [--rounds 2]

``--http httpx`` is the SDK's default (httpx2 over httpcore, anyio and h11);
``--http aiohttp`` is openai's documented ``DefaultAioHttpClient`` (what ``--http auto``
picks when no cassette is open). Each round sends the same chat-completion request
(an article of the bundled example, as an extraction would) ``--calls`` times with
``--concurrency`` in flight to the fake OpenAI server of ``summarizer.testing``, started as
its own process so that its CPU is not counted, and reports this process's CPU per call
(user + system) and the calls per second; the stacks alternate, round by round, so that
a machine that slows down mid-run does not favour either. The ratio is what to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import openai
from openai.types.chat import ChatCompletion
from scaleout import ServerProcess

from summarizer.llm import send

EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"


async def one_round(base_url: str, stack: str, calls: int, concurrency: int) -> tuple[float, float]:
    """CPU seconds per call and calls per second of one stack."""
    article = sorted(EXAMPLE.glob("*.txt"))[0].read_text(encoding="utf-8")
    body = {
        "model": "fake-model",
        "messages": [
            {"role": "system", "content": "Extract the event. Quote exactly."},
            {"role": "user", "content": f'<article id="a">\n{article}\n</article>'},
        ],
    }
    client = openai.AsyncOpenAI(
        api_key="test-key",
        base_url=base_url,
        max_retries=0,
        http_client=send.http_client(stack, cassette=False),
    )
    slots = asyncio.Semaphore(concurrency)

    async def call() -> None:
        async with slots:
            await client.post("/chat/completions", cast_to=ChatCompletion, body=body)

    async with client:
        await call()  # connect and warm up outside the measurement
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.gather(*(call() for _ in range(calls)))
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    return cpu / calls, calls / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    server = ServerProcess(options.latency)
    seen: dict[str, list[float]] = {"httpx": [], "aiohttp": []}
    try:
        for _ in range(options.rounds):
            for stack in seen:
                per_call, rate = asyncio.run(
                    one_round(server.base_url, stack, options.calls, options.concurrency)
                )
                seen[stack].append(per_call)
                print(json.dumps({"http": stack, "cpu_ms_per_call": round(1000 * per_call, 2),
                                  "calls_per_s": round(rate)}))  # fmt: skip
    finally:
        server.close()
    best = {stack: min(values) for stack, values in seen.items()}
    print(json.dumps({"aiohttp_over_httpx_cpu": round(best["aiohttp"] / best["httpx"], 2)}))


if __name__ == "__main__":
    main()
