"""``is_blank`` says exactly when ``normalize_text`` would leave nothing, at a strip's cost."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from summarizer.text.clean import is_blank, normalize_text

#: Categories where a character could vanish in normalisation: spaces, separators,
#: controls, format characters and combining marks, checked one by one; every other
#: code point is sampled (checking all 1.1 million takes seconds).
_SUSPECT = {"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me"}
_STRIDE = 31


def code_points() -> list[str]:
    out = []
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        if unicodedata.category(char) in _SUSPECT or char.isspace() or point % _STRIDE == 0:
            out.append(char)
    return out


def test_every_suspect_code_point_agrees_alone_and_among_blanks() -> None:
    wrong = [
        f"U+{ord(char):04X} in {text!r}"
        for char in code_points()
        for text in (char, f" {char}\n", f"{char}\u200b\t", f"\u00a0{char}{char}")
        if is_blank(text) != (normalize_text(text) == "")
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "blank"),
    [
        ("", True),
        (" \t\n\r\n", True),
        ("\u200b\u2060\ufeff\u00ad", True),  # zero-width only
        ("\u00a0\u3000\u2028\x1c\x85", True),  # exotic spaces and line breaks
        ("\u200ba", False),
        (" . ", False),
        ("\u0301", False),  # a lone combining mark is text, not space
    ],
)
def test_examples(text: str, blank: bool) -> None:
    assert is_blank(text) is blank
    assert (normalize_text(text) == "") is blank
