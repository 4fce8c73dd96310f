"""Fetching web pages and pulling the article out of HTML.

A URL is just another input, so every way it can fail (timeout, HTTP error, a PDF or
image behind the link, a page too large, a page with no article in it) becomes a
``BadInputError`` whose one-line message names the URL; callers never see an
``httpx`` exception.

Main-text extraction is trafilatura's job, not ours: regexes over HTML keep menus,
cookie banners and related-story lists that an LLM would then summarise and cite.

Decoding: a charset declared by the server (``Content-Type``) wins, then a byte-order
mark, then a ``<meta charset>`` in the first few kilobytes, then UTF-8. Web pages are
often slightly mis-encoded, so undecodable bytes are replaced (U+FFFD) and reported as a
warning on the page rather than refusing the whole article; local files are stricter
(see ``summarizer.sources.load``) because the user can fix those.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from summarizer.core.errors import BadInputError

if TYPE_CHECKING:
    import httpx

#: Media types we can turn into article text; anything else is refused by name.
TEXT_TYPES = frozenset({"text/html", "text/plain", "application/xhtml+xml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_USER_AGENT = "summarizer/0.1 (+https://pypi.org/project/summarizer/)"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class HtmlArticle:
    """What an HTML page holds for us: its main text, title and publication date if known."""

    title: str | None
    text: str
    #: The date found in the page's markup, as trafilatura reports it (``YYYY-MM-DD``).
    published: str | None = None


@dataclass(frozen=True)
class FetchedPage:
    """The article behind a URL: final URL after redirects, title if known, main text."""

    url: str
    title: str | None
    text: str
    #: Non-fatal problems worth telling the user (e.g. bytes replaced while decoding).
    warnings: tuple[str, ...] = field(default=())
    #: Publication date from the page's markup (``YYYY-MM-DD``), when it declares one.
    published: str | None = None


def sniff_html_charset(data: bytes) -> str | None:
    """Charset announced inside an HTML document (BOM or ``<meta charset>``), if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _decode(data: bytes, declared: str | None, sniff_html: bool, origin: str) -> tuple[str, str]:
    """Decode a response body; returns ``(text, warning or "")``."""
    charset = declared or (sniff_html_charset(data) if sniff_html else None) or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    if charset.lower().replace("_", "-") in {"utf-8", "utf8"}:
        charset = "utf-8-sig"  # drop a BOM if one is present
    try:
        return data.decode(charset), ""
    except UnicodeDecodeError as exc:
        warning = (
            f"{origin}: bytes not valid in its declared charset {charset} "
            f"(first at offset {exc.start}) were replaced"
        )
        return data.decode(charset, errors="replace"), warning


def _date_params() -> dict[str, Any]:
    """htmldate settings: dates declared in markup (meta tags, JSON-LD, ``<time>``, URL) only.

    The publication date anchors "Thursday" and "yesterday", so a wrong one invents
    facts. htmldate's extensive search would fall back to any date-like string in the
    page (a date the article talks about, a copyright line); no date is the safer answer.
    """
    return {
        "original_date": True,
        "extensive_search": False,
        "max_date": dt.date.today().isoformat(),
    }


def extract_html(html: str, *, origin: str) -> HtmlArticle:
    """Return the main text, title and publication date of an HTML page.

    No article in it is a bad input. Paragraphs come back one per line, which
    ``split_sentences`` treats as hard sentence breaks. Reader comments are left out:
    they are not the article.
    """
    import trafilatura  # slow import (~0.3 s); only paid when HTML is actually read

    try:
        document = trafilatura.bare_extraction(
            html,
            url=origin if "://" in origin else None,
            include_comments=False,
            with_metadata=True,
            date_extraction_params=_date_params(),
        )
    except Exception as exc:  # trafilatura/lxml raise a wide variety on broken markup
        raise BadInputError(origin, f"could not parse HTML ({type(exc).__name__})") from exc
    text = getattr(document, "text", None) if document is not None else None
    if not isinstance(text, str) or not text.strip():
        raise BadInputError(origin, "no article text found in the HTML")
    title = getattr(document, "title", None)
    date = getattr(document, "date", None)
    return HtmlArticle(
        title=(title.strip() or None) if isinstance(title, str) else None,
        text=text,
        published=(date.strip() or None) if isinstance(date, str) else None,
    )


def _http_error_reason(response: httpx.Response) -> str:
    phrase = response.reason_phrase or ""
    return f"HTTP {response.status_code} {phrase}".strip()


def _read_limited(
    response: httpx.Response, url: str, max_bytes: int, deadline: float, timeout_s: float
) -> bytes:
    """Read the body, refusing bodies over ``max_bytes`` without downloading them whole."""
    declared_length = response.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > max_bytes:
        problem = f"is {int(declared_length):,} bytes, over the {max_bytes:,} byte limit"
        raise BadInputError(url, problem)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise BadInputError(url, f"is larger than the {max_bytes:,} byte limit")
        # httpx's timeout is per read; a server trickling bytes must not hold us forever.
        if time.monotonic() > deadline:
            raise BadInputError(url, f"timed out after {timeout_s:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_url(url: str, *, timeout_s: float, max_bytes: int) -> FetchedPage:
    """Download ``url`` and return its main text; every failure is a ``BadInputError``.

    ``timeout_s`` bounds the whole exchange (connect, headers and body), not only each
    socket read, and ``max_bytes`` is enforced while streaming.
    """
    import httpx  # lazy: 0.15 s (with its CLI's rich), and only URL inputs need it

    deadline = time.monotonic() + timeout_s
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(timeout_s),
                follow_redirects=True,
                headers={"User-Agent": _USER_AGENT, "Accept": "text/html, text/plain;q=0.9"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise BadInputError(url, _http_error_reason(response))
            content_type = response.headers.get("content-type", "")
            media_type = content_type.split(";")[0].strip().lower()
            if media_type and media_type not in TEXT_TYPES:
                raise BadInputError(url, f"serves {media_type}, not text")
            body = _read_limited(response, url, max_bytes, deadline, timeout_s)
            final_url = str(response.url)
            declared = response.charset_encoding
    except httpx.TimeoutException as exc:
        raise BadInputError(url, f"timed out after {timeout_s:g} s") from exc
    except httpx.TooManyRedirects as exc:
        raise BadInputError(url, "too many redirects") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise BadInputError(url, "is not a valid http(s) URL") from exc
    except httpx.ConnectError as exc:
        raise BadInputError(url, f"could not connect ({_first_line(exc)})") from exc
    except httpx.HTTPError as exc:
        raise BadInputError(url, f"download failed ({_first_line(exc)})") from exc

    is_html = media_type != "text/plain" and (
        media_type in _HTML_TYPES or body.lstrip()[:1] == b"<"
    )
    text, warning = _decode(body, declared, sniff_html=is_html, origin=url)
    warnings = (warning,) if warning else ()
    if not is_html:
        if not text.strip():
            raise BadInputError(url, "is empty")
        return FetchedPage(url=final_url, title=None, text=text, warnings=warnings)
    article = extract_html(text, origin=url)
    return FetchedPage(
        url=final_url,
        title=article.title,
        text=article.text,
        warnings=warnings,
        published=article.published,
    )


def _first_line(exc: BaseException) -> str:
    """A short, single-line reason from an exception (messages must stay one line)."""
    message = str(exc).strip().splitlines()
    return message[0] if message else type(exc).__name__
