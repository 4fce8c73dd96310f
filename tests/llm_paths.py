"""Run a test module's LLM tests through both ways of calling instructor.

Import :func:`instructor_path` into a test module (``from llm_paths import
instructor_path  # noqa: F401``) and every test there runs twice: through instructor's
public ``create`` and the SDK's ``chat.completions.create``, and through the per-call
shortcuts of :mod:`summarizer.llm.fastpath` and :mod:`summarizer.llm.send` (where the
installed instructor is one it was verified on; elsewhere the "fast" run is skipped,
because the client takes the public path anyway). :func:`http_stack` does the same for the
two HTTP stacks under the SDK, for modules that opt in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from summarizer.llm import fastpath, send


@pytest.fixture(autouse=True, params=["public", "fast"])
def instructor_path(request: pytest.FixtureRequest) -> Iterator[str]:
    path = str(request.param)
    if path == "fast" and not fastpath.supported():
        pytest.skip("the shortcut is not verified on this instructor version")
    previous = fastpath.enabled, send.enabled
    fastpath.enabled = send.enabled = path == "fast"
    try:
        yield path
    finally:
        fastpath.enabled, send.enabled = previous


@pytest.fixture(params=["httpx", "aiohttp"])
def http_stack(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test over both HTTP stacks under the SDK (``summarizer.llm.send.http_client``).

    Opt in with ``pytestmark = pytest.mark.usefixtures("http_stack")`` after importing it:
    every client the test opens takes that stack, whatever its settings say.
    """
    stack = str(request.param)
    chosen = send.http_client

    def forced(choice: str, *, cassette: bool) -> Any:
        return chosen(stack, cassette=cassette)

    monkeypatch.setattr(send, "http_client", forced)
    return stack
