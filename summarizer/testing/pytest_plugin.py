"""pytest plugin (auto-loaded via the ``pytest11`` entry point): LLM cassettes, fake server.

For users' own test suites: record the real LLM exchanges of a test once, commit the
cassette, and replay it offline afterwards, with keys scrubbed (see ``recording.py``).

    @pytest.mark.llm_cassette                  # cassettes/<module>/<test>.yaml beside the test
    async def test_summary():
        result = await summarize_async(["a.txt", "b.txt"], model="gpt-4o-mini")

    @pytest.mark.llm_cassette("cassettes/sunflower.yaml")   # an explicit path
    def test_other(llm_cassette): ...                        # the fixture yields the path

``--llm-record=auto`` (default) replays a cassette that exists and records one that does
not; ``replay`` never records (use it in CI: a missing answer fails the test); ``record``
re-records every cassette. ``SUMMARIZER_CASSETTE_MODE`` sets the same from the
environment. The ``fake_openai`` fixture gives a started :class:`FakeOpenAI` server.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from summarizer.llm.recording import CassetteMode, use_cassette

if TYPE_CHECKING:  # aiohttp is imported only by suites that use the fake server
    from summarizer.testing.fake_openai import FakeOpenAI

_MODES = ("auto", "replay", "record")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("summarizer")
    group.addoption(
        "--llm-record",
        choices=_MODES,
        default=None,
        help="LLM cassettes: auto (replay if present, else record), replay (never record), "
        "record (re-record all). Default: $SUMMARIZER_CASSETTE_MODE or auto.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "llm_cassette(path=None): record/replay this test's LLM HTTP exchanges "
        "(default path cassettes/<module>/<test>.yaml next to the test file)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A marked test uses the fixture without having to name it."""
    for item in items:
        if item.get_closest_marker("llm_cassette") is not None:
            names = getattr(item, "fixturenames", None)
            if isinstance(names, list) and "llm_cassette" not in names:
                names.insert(0, "llm_cassette")


def cassette_mode(config: pytest.Config) -> CassetteMode:
    mode = config.getoption("--llm-record") or os.environ.get("SUMMARIZER_CASSETTE_MODE") or "auto"
    if mode not in _MODES:
        raise pytest.UsageError(f"SUMMARIZER_CASSETTE_MODE={mode!r}: expected one of {_MODES}")
    return cast(CassetteMode, mode)


def cassette_path(request: pytest.FixtureRequest) -> Path:
    test_dir = Path(str(request.node.path)).parent
    marker = request.node.get_closest_marker("llm_cassette")
    if marker is not None and marker.args:
        given = Path(str(marker.args[0]))
        return given if given.is_absolute() else test_dir / given
    module = Path(str(request.node.path)).stem
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    return test_dir / "cassettes" / module / f"{name}.yaml"


@pytest.fixture
def llm_cassette(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Record or replay every LLM HTTP exchange of the test; yields the cassette path."""
    path = cassette_path(request)
    with use_cassette(path, cassette_mode(request.config)):
        yield path


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started fake OpenAI-compatible server on 127.0.0.1 (``.base_url``, ``.requests``)."""
    from summarizer.testing.fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        yield server
