"""Run a test module's LLM tests through both ways of calling instructor.

Import :func:`instructor_path` into a test module (``from llm_paths import
instructor_path  # noqa: F401``) and every test there runs twice: through instructor's
public ``create`` and the SDK's ``chat.completions.create``, and through the per-call
shortcuts of :mod:`summarizer.llm.fastpath` and :mod:`summarizer.llm.send` (where the
installed instructor is one it was verified on; elsewhere the "fast" run is skipped,
because the client takes the public path anyway).
"""

from __future__ import annotations

from collections.abc import Iterator

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
