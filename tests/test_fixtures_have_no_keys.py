"""No file under fixtures/ (cassettes included) holds anything that looks like a secret.

The scanner is tested on planted strings too: a scanner that matches nothing would let
this test pass forever.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What keys look like: OpenAI/Anthropic-style ``sk-...``, bearer tokens, Google API keys,
#: and any header/field/parameter named like a key with a non-trivial value.
PATTERNS = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=\-]{8,}", re.IGNORECASE),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"),
    re.compile(
        r"""(?ix)
        \b(?:api[_-]?key|x-api-key|authorization|access[_-]?token|secret|openai-organization)
        ["']?\s*[:=]\s*(?:-\s*)?["']?
        (?!null\b|none\b|""|''|\[\]|\{\})
        [A-Za-z0-9._~+/=\-]{8,}
        """
    ),
]


def find_secrets(text: str) -> list[str]:
    return [m.group(0) for pattern in PATTERNS for m in pattern.finditer(text)]


def scanned_files() -> list[Path]:
    files = [p for p in (ROOT / "fixtures").rglob("*") if p.is_file()]
    files += [p for p in (ROOT / "tests").rglob("cassettes/**/*") if p.is_file()]
    return sorted(files)


def test_there_are_fixtures_to_scan() -> None:
    assert any(p.name.startswith("source-") for p in scanned_files())


@pytest.mark.parametrize("path", scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_holds_no_key(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    assert find_secrets(text) == []


@pytest.mark.parametrize(
    "planted",
    [
        "sk-test-THISISAFAKEKEY1234567890",
        "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
        "sk-ant-api03-abcdefghijklmnop",
        "authorization:\n      - Bearer abcdef123456",
        "Authorization: Bearer eyJhbGciOi.J9",
        '"api_key": "0123456789abcdef"',
        "api-key:\n    - 0123456789abcdef",
        "x-api-key: 0123456789abcdef",
        "https://example.com/v1?key=x&api_key=0123456789abcdef",
        "AIzaSyA1234567890abcdefghijklmnopqrstu",
        "openai-organization: org-0123456789ab",
    ],
)
def test_the_scanner_finds_planted_keys(planted: str, tmp_path: Path) -> None:
    cassette = tmp_path / "cassette.yaml"
    cassette.write_text(f"interactions:\n- request:\n    body: hello\n{planted}\n")
    assert find_secrets(cassette.read_text())


@pytest.mark.parametrize(
    "benign",
    [
        "api_key: null",
        "The skeptic said sk-8 was fine.",
        "authorization was granted by the court",
        "the secret: yes",
        "content-type: application/json",
    ],
)
def test_the_scanner_ignores_ordinary_text(benign: str) -> None:
    assert find_secrets(benign) == []
