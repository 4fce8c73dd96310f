"""Bytes → text for files and stdin: UTF-8 or refused, never decoded with replacement.

* **Encoding.** Local files and stdin must be UTF-8 (a UTF-8 byte-order mark is
  accepted). Bytes that are not are *refused*, with the byte offset and an ``iconv``
  hint, rather than decoded with replacement: a wrongly decoded article yields
  quotes that no longer match the user's file, and the fix takes the user one command.
  UTF-16/32 files (byte-order mark) get their own hint. HTML files honour their
  ``<meta charset>``. Web pages are lenient instead (see ``summarizer.sources.fetch``).
* **Binary files** (a NUL byte, or more than 10% control characters in the first
  8 KiB) are refused; the folder loader turns that refusal into a skip with a warning.
* **Size.** A file over ``max_bytes`` is refused (:func:`read_file`): no news article is
  that large, and reading it whole would stall the run.
"""

from __future__ import annotations

from pathlib import Path

from summarizer.core.errors import BadInputError
from summarizer.sources.fetch import sniff_html_charset

__all__ = ["decode_text", "read_file"]

_SNIFF_BYTES = 8192
_CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13} | {127})
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _check_not_binary(data: bytes, origin: str) -> None:
    head = data[:_SNIFF_BYTES]
    if head.startswith(_UTF16_32_BOMS):
        raise BadInputError(
            origin, "is UTF-16/UTF-32 text; convert it to UTF-8, e.g. iconv -f utf-16 -t utf-8"
        )
    if b"\x00" in head:
        raise BadInputError(origin, "is a binary file (contains NUL bytes), not text")
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    if controls > len(head) // 10:
        raise BadInputError(origin, "is a binary file (mostly control characters), not text")


def decode_text(data: bytes, origin: str, *, html: bool = False) -> str:
    """Decode file/stdin bytes, refusing binary data and anything that is not UTF-8.

    HTML honours its own ``<meta charset>``; everything else must be UTF-8 (see the
    module docstring for why we refuse rather than replace).
    """
    if not data.strip():
        raise BadInputError(origin, "is empty")
    _check_not_binary(data, origin)
    encoding = "utf-8-sig"
    if html:
        declared = sniff_html_charset(data)
        if declared and declared.lower().replace("_", "-") not in {"utf-8", "utf8"}:
            encoding = declared
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise BadInputError(origin, f"declares an unknown charset {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex().upper()
        raise BadInputError(
            origin,
            f"is not valid {'UTF-8' if encoding == 'utf-8-sig' else encoding} "
            f"(byte 0x{bad} at offset {exc.start}); convert it to UTF-8, "
            "e.g. iconv -f latin1 -t utf-8",
        ) from exc


def read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError as exc:
        raise BadInputError(str(path), "permission denied") from exc
    except OSError as exc:
        raise BadInputError(str(path), exc.strerror or "cannot be read") from exc
    if len(data) > max_bytes:
        raise BadInputError(str(path), f"is larger than the {max_bytes:,} byte limit")
    return data
