"""Prompt templates: one file per LLM task, loaded by name, hashed for cache keys.

A template file holds chat messages separated by marker lines ``--- system ---`` and
``--- user ---``. Article text never appears in a template: it enters only through a
``{{ variable }}`` placeholder, because instructor renders every message through Jinja
once a validation context is given (a ``{%`` inside an article would otherwise break
rendering, and an unknown ``{{ x }}`` would silently vanish).

Templates ship inside the wheel as ``summarizer/prompts/`` (see pyproject's
force-include); in a source checkout they are read from the top-level ``prompts/``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_MARKER = re.compile(r"^--- (system|user|assistant) ---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    name: str
    #: First 12 hex digits of the SHA-256 of the template file: recorded in results and
    #: part of cache keys, so editing a prompt invalidates what it produced.
    hash: str
    messages: tuple[tuple[str, str], ...]

    def render_messages(self) -> list[dict[str, str]]:
        """Messages for instructor, placeholders left for it to fill from ``context``."""
        return [{"role": role, "content": content} for role, content in self.messages]


def _prompt_dir() -> Path:
    packaged = resources.files("summarizer").joinpath("prompts")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "prompts"


def prompt_names() -> list[str]:
    return sorted(p.stem for p in _prompt_dir().glob("*.md"))


@functools.cache
def load_prompt(name: str) -> Prompt:
    path = _prompt_dir() / f"{name}.md"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KeyError(f"no prompt named {name!r} (have: {', '.join(prompt_names())})") from None
    text = raw.decode("utf-8")
    parts = _MARKER.split(text)
    # parts = [preamble, role1, body1, role2, body2, ...]; the preamble is a comment.
    messages = tuple(
        (role, body.strip("\n")) for role, body in zip(parts[1::2], parts[2::2], strict=True)
    )
    if not messages:
        raise ValueError(f"prompt {path} has no '--- system ---' / '--- user ---' sections")
    return Prompt(name=name, hash=hashlib.sha256(raw).hexdigest()[:12], messages=messages)
