"""Every bad input is a BadInputError with one line naming the file, URL or line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_sources import LocalServer, Reply, serve

from summarizer.core.errors import BadInputError
from summarizer.core.source import make_source
from summarizer.sources import iter_clusters, load_sources
from summarizer.sources.fetch import extract_html


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve() as running:
        yield running


def refused(inputs: list[str | Path], **options: object) -> str:
    """The message of the BadInputError that loading ``inputs`` raises (checked one line)."""
    with pytest.raises(BadInputError) as caught:
        load_sources(inputs, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message
    assert caught.value.exit_code == 2
    return message


# ------------------------------------------------------------------------------ files


def test_missing_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    assert refused([missing]) == f"{missing}: no such file or directory"


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", "\u200b\u2060\n".encode()])
def test_empty_or_whitespace_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert refused([path]) == f"{path}: is empty"


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert refused([path]) == f"{path}: is a binary file (contains NUL bytes), not text"


def test_binary_file_of_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15] * 50) + b"some text")
    assert "is a binary file (mostly control characters)" in refused([path])


def test_invalid_utf8_is_refused_with_offset_and_hint(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le café est fermé.".encode("latin-1"))
    message = refused([path])
    assert message.startswith(f"{path}: is not valid UTF-8 (byte 0xE9 at offset 6)")
    assert "iconv -f latin1 -t utf-8" in message


def test_utf16_file_gets_its_own_hint(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Hello world.".encode("utf-16"))
    assert "UTF-16" in refused([path])


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100, encoding="utf-8")
    assert refused([path], max_bytes=100) == f"{path}: is larger than the 100 byte limit"


def test_html_file_without_article(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><script>var a = 1;</script></body></html>", encoding="utf-8")
    assert refused([path]) == f"{path}: no article text found in the HTML"
    with pytest.raises(BadInputError, match="no article text"):
        extract_html("", origin="x.html")


def test_empty_stdin() -> None:
    assert refused(["-"], stdin=io.StringIO("  \n")) == "<stdin>: is empty"


def test_invalid_utf8_on_stdin() -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"caf\xe9"), encoding="utf-8")
    assert refused(["-"], stdin=stdin).startswith("<stdin>: is not valid UTF-8 (byte 0xE9")


def test_make_source_on_empty_text_names_the_origin() -> None:
    with pytest.raises(BadInputError, match=r"^a\.txt: is empty$"):
        make_source("S1", " \n ", origin="a.txt")
    with pytest.raises(BadInputError, match=r"^S4: is empty$"):
        make_source("S4", "")


def test_no_inputs() -> None:
    assert "no sources given" in refused([])


# ----------------------------------------------------------------------------- folders


def test_empty_folder(tmp_path: Path) -> None:
    assert refused([tmp_path]) == f"{tmp_path}: holds no readable source file"


def test_folder_of_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4")
    message = refused([tmp_path])
    assert (
        message
        == f"{tmp_path}: holds no readable source file (3 skipped: empty, binary or not text)"
    )


def test_badly_encoded_file_in_a_folder_is_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Fine.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("Fermé.".encode("latin-1"))
    assert refused([tmp_path]).startswith(f"{tmp_path / 'b.txt'}: is not valid UTF-8")


# ------------------------------------------------------------------------------- JSONL


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "is not a JSON object"),
        (json.dumps({"id": "x"}), 'has no "sources" list'),
        (json.dumps({"sources": []}), 'has an empty "sources" list'),
        (json.dumps({"sources": {"text": "A."}}), 'has no "sources" list'),
        (
            json.dumps({"sources": [{"text": "Fine."}, {"title": "no text"}]}),
            "source 2 has no text",
        ),
        (json.dumps({"sources": [{"text": "   "}]}), "source 1 has no text"),
        (json.dumps({"sources": [{"text": "\u200b"}]}), "source 1 has no text"),
        (json.dumps({"sources": ["just a string"]}), "source 1 is not a JSON object"),
        (
            json.dumps({"sources": [{"id": "a", "text": "A."}, {"id": "a", "text": "B."}]}),
            "source id a is used twice",
        ),
    ],
)
def test_bad_jsonl_line_is_an_error_item(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "clusters.jsonl"
    good = json.dumps({"id": "ok", "sources": [{"text": "A good line."}]})
    path.write_text(f"{good}\n{line}\n{good}\n", encoding="utf-8")
    items = list(iter_clusters(path))
    assert [(item.line_no, item.error is None) for item in items] == [
        (1, True),
        (2, False),
        (3, True),
    ]
    error = items[1].error
    assert error is not None
    assert str(error).startswith(f"{path}:2: {problem}")
    assert "\n" not in str(error)


def test_bad_jsonl_line_given_as_source_list(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text("{oops\n", encoding="utf-8")
    assert refused([path]).startswith(f"{path}:1: is not valid JSON")


def test_invalid_utf8_jsonl_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"sources": [{"text": "caf\xe9"}]}\n')
    error = next(iter_clusters(path)).error
    assert error is not None and str(error).startswith(f"{path}:1: is not valid UTF-8")


def test_jsonl_with_several_clusters_points_to_batch(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    lines = [json.dumps({"id": str(n), "sources": [{"text": f"Story {n}."}]}) for n in range(3)]
    path.write_text("\n".join(lines), encoding="utf-8")
    message = refused([path])
    assert message.startswith(f"{path}: holds several clusters")
    assert "summarizer batch" in message


def test_missing_or_empty_jsonl(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file or directory"):
        iter_clusters(tmp_path / "absent.jsonl")
    path = tmp_path / "blank.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    assert list(iter_clusters(path)) == []
    assert refused([path]) == f"{path}: is empty"


# -------------------------------------------------------------------------------- URLs


def test_url_404(server: LocalServer) -> None:
    url = f"{server.base_url}/missing"
    assert refused([url]) == f"{url}: HTTP 404 Not Found"


def test_url_server_error(server: LocalServer) -> None:
    url = server.url("/boom", Reply(b"oops", status=500))
    assert refused([url]) == f"{url}: HTTP 500 Internal Server Error"


def test_url_timeout(server: LocalServer) -> None:
    url = server.url("/slow", Reply(b"late", delay_s=30))
    assert refused([url], timeout_s=0.5) == f"{url}: timed out after 0.5 s"


def test_url_trickling_body_hits_the_overall_timeout(server: LocalServer) -> None:
    url = server.url("/trickle", Reply(b"x" * 200, content_type="text/plain", trickle_s=0.1))
    assert refused([url], timeout_s=0.5) == f"{url}: timed out after 0.5 s"


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "application/json"])
def test_url_non_text_content_type(server: LocalServer, content_type: str) -> None:
    url = server.url("/file", Reply(b"\x89PNG", content_type=content_type))
    assert refused([url]) == f"{url}: serves {content_type}, not text"


def test_url_too_large(server: LocalServer) -> None:
    url = server.url("/big", Reply(b"a" * 5000, content_type="text/plain"))
    assert refused([url], max_bytes=1000) == f"{url}: is 5,000 bytes, over the 1,000 byte limit"


def test_url_too_large_without_content_length(server: LocalServer) -> None:
    url = server.url("/stream", Reply(b"a" * 50, content_type="text/plain", trickle_s=0.001))
    assert refused([url], max_bytes=20) == f"{url}: is larger than the 20 byte limit"


def test_url_html_without_article(server: LocalServer) -> None:
    url = server.url("/blank", Reply(b"<html><body></body></html>"))
    assert refused([url]) == f"{url}: no article text found in the HTML"


def test_url_empty_text(server: LocalServer) -> None:
    url = server.url("/nothing", Reply(b"  \n", content_type="text/plain"))
    assert refused([url]) == f"{url}: is empty"


def test_url_connection_refused(server: LocalServer) -> None:
    closed_port_url = "http://127.0.0.1:9/article"
    assert refused([closed_port_url]).startswith(f"{closed_port_url}: could not connect")


def test_invalid_json_keeps_its_line_and_column_wording(tmp_path: Path) -> None:
    path = tmp_path / "clusters.jsonl"
    path.write_bytes(b'{"sources": [{"text": "tab\there"}]}\n')
    error = next(iter(iter_clusters(path))).error
    assert error is not None
    assert str(error) == (
        f"{path}:1: is not valid JSON (Invalid control character at line 1 column 27)"
    )
