"""Loading sources: every input form, clean-up, sentence offsets, repeated text."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_sources import LocalServer, Reply, serve
from hypothesis import given
from hypothesis import strategies as st

from summarizer.core.errors import BadInputError
from summarizer.core.source import Source, make_source, normalize_published
from summarizer.sources import iter_clusters, load_sources
from summarizer.sources.fetch import extract_html, fetch_url
from summarizer.text.clean import (
    normalize_text,
    remove_repeated_text,
    split_sentences,
    strip_trailing_headlines,
)

SUNFLOWER = Path(__file__).resolve().parent.parent / "fixtures" / "operation-sunflower"

ARTICLE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Police rescue 123 children - Example News</title>
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/login">Sign in</a></nav>
<article>
<h1>Police rescue 123 children in five-week operation</h1>
<p>An international police operation into child exploitation led to the arrest of 245 people
and the rescue of 123 children, officials announced on Thursday in Washington.</p>
<p>John Morton, director of the agency, said 23 of the suspects were arrested in six other
countries, though he declined to name them for operational reasons.</p>
<p>Thirteen of the children were rescued outside the United States during the operation,
which ran from November 1 to December 7.</p>
</article>
<footer>Copyright 2013 Example News. All rights reserved.</footer>
</body></html>
"""


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve() as running:
        yield running


def sentences_of(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


# ----------------------------------------------------------------------- normalize_text


def test_normalize_text_applies_every_rule() -> None:
    raw = (
        "  Cafe\u0301 \u200bopens\u00a0\t today.\r\n"
        "It is\u00ad  big. \r\n\r\n\r\n\r\nEnd\u2060. \ufeff"
    )
    assert normalize_text(raw) == "Café opens today.\nIt is big.\n\nEnd."
    assert unicodedata.is_normalized("NFC", normalize_text(raw))


def test_normalize_text_is_idempotent_on_clean_text() -> None:
    clean = "One line.\n\nAnother paragraph here."
    assert normalize_text(clean) == clean


# ---------------------------------------------------------------------- split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones at 5 p.m. Sunday. They talked.",
            ["Mr. Smith met Dr. Jones at 5 p.m. Sunday.", "They talked."],
        ),
        (
            "The U.S. Immigration and Customs Enforcement agency acted. "
            "It grew in the U.S. He said.",
            [
                "The U.S. Immigration and Customs Enforcement agency acted.",
                "It grew in the U.S.",
                "He said.",
            ],
        ),
        (
            "It was Nov. 28 in St. Louis. Acme Inc. said so. John F. Kennedy spoke.",
            ["It was Nov. 28 in St. Louis.", "Acme Inc. said so.", "John F. Kennedy spoke."],
        ),
        (
            "Growth was 5.5 percent. Revenue hit $1.5 billion.",
            ["Growth was 5.5 percent.", "Revenue hit $1.5 billion."],
        ),
        (
            "Wait... what? Yes... The end!",
            ["Wait... what?", "Yes...", "The end!"],
        ),
        (
            '"I can\'t," he said. "Why?" he asked. "We are done." Then he left.',
            ['"I can\'t," he said.', '"Why?" he asked.', '"We are done."', "Then he left."],
        ),
        (
            "He spoke (briefly.) Then left. “It is over.” She agreed.",
            ["He spoke (briefly.)", "Then left.", "“It is over.”", "She agreed."],
        ),
        (
            "Headline without a period\nFirst sentence. Second one\n\n  Third.  ",
            ["Headline without a period", "First sentence.", "Second one", "Third."],
        ),
    ],
)
def test_split_sentences_handles_hard_cases(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_split_sentences_offsets_index_the_text() -> None:
    text = "  First one.   Second one!\n\nThird? "
    spans = split_sentences(text)
    assert spans == ((2, 12), (15, 26), (28, 34))
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one!", "Third?"]


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"'U.S.Mr()5")), max_size=200))
def test_split_sentences_spans_are_ordered_stripped_and_cover_all_text(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    covered = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        assert "\n" not in piece
        covered += sum(1 for char in piece if not char.isspace())
        previous_end = end
    assert covered == sum(1 for char in text if not char.isspace())


# ------------------------------------------------------------------ remove_repeated_text


def test_sunflower_article_comes_out_once() -> None:
    raw = (SUNFLOWER / "source-1.txt").read_text(encoding="utf-8")
    source = make_source("S1", raw)
    assert source.text.count("245 people") == 1
    assert source.text.count("1,655") == 1
    lines = raw.strip().split("\n")
    assert len(lines) == 11  # the paragraph, then its 10 sentences one per line
    for sentence in lines[1:]:
        assert source.text.count(sentence) == 1, sentence
    assert [source.text[s:e] for s, e in source.sentences] == lines[1:]
    assert len(source.text) < len(raw) / 2 + 10


def test_repeated_paragraph_is_dropped_and_count_is_reported() -> None:
    first = "The storm flooded forty homes in the valley overnight. Rescuers worked until dawn."
    text = f"{first}\n\nThe mayor declared an emergency.\n\n{first}\n\nSchools stay closed."
    new_text, removed = remove_repeated_text(text)
    assert new_text == f"{first}\n\nThe mayor declared an emergency.\n\nSchools stay closed."
    assert removed == len(text) - len(new_text)


def test_later_sentence_contained_in_an_earlier_one_is_dropped() -> None:
    text = (
        "In a statement, officials confirmed that 245 suspects were arrested in total.\n"
        "More may follow. Officials confirmed that 245 suspects were arrested in total. "
        "The operation continues."
    )
    new_text, removed = remove_repeated_text(text)
    assert new_text == (
        "In a statement, officials confirmed that 245 suspects were arrested in total.\n"
        "More may follow. The operation continues."
    )
    assert removed == len(text) - len(new_text)


def test_later_sentence_that_adds_words_is_kept() -> None:
    text = (
        "Officials confirmed that 245 suspects were arrested in total. More may follow.\n"
        "In other news, officials confirmed that 245 suspects were arrested in total."
    )
    assert remove_repeated_text(text) == (text, 0)


def test_short_recurring_sentences_are_kept() -> None:
    text = (
        "The minister resigned on Tuesday morning after the vote. He said.\n"
        "Protesters gathered outside parliament for hours. He said.\n"
        "Yes. No. Maybe. Yes. No. Maybe."
    )
    assert remove_repeated_text(text) == (text, 0)


def test_short_sentence_inside_a_repeated_block_goes_with_it() -> None:
    block = "The bridge collapsed during the evening rush hour yesterday. He said. It was awful."
    text = f"{block}\n{block}"
    assert remove_repeated_text(text)[0] == block


_SENTENCES = [
    "He said.",
    "Yes.",
    "The storm flooded forty homes in the valley overnight.",
    "Rescuers from three counties worked until dawn on Sunday.",
    "The mayor declared a state of emergency.",
    "Schools will stay closed for the rest of the week.",
]


@given(
    st.lists(
        st.tuples(st.sampled_from(_SENTENCES), st.sampled_from([" ", "\n", "\n\n"])),
        max_size=25,
    )
)
def test_removing_repeats_never_loses_a_sentence(parts: list[tuple[str, str]]) -> None:
    text = normalize_text("".join(sentence + gap for sentence, gap in parts))
    new_text, removed = remove_repeated_text(text)
    assert removed == len(text) - len(new_text) >= 0
    flat = " ".join(new_text.split()).casefold()
    for sentence in {sentence for sentence, _ in parts}:
        assert sentence.casefold() in flat
    # Long sentences survive exactly once; short ones may legitimately recur.
    for sentence in _SENTENCES[2:]:
        if sentence in text:
            assert new_text.count(sentence) == 1


def test_text_without_repeats_is_untouched() -> None:
    text = "One sentence here. Another one there.\n\nA third paragraph."
    assert remove_repeated_text(text) == (text, 0)


# ---------------------------------------------------------------------------- make_source


def test_make_source_normalises_and_splits() -> None:
    source = make_source(
        "S7",
        "  Title line\r\n\r\nDr.\u00a0Who arrived.  It rained. ",
        title=" A  title ",
        url="https://example.org/a",
        origin="a.txt",
    )
    assert source.text == "Title line\n\nDr. Who arrived. It rained."
    assert [source.text[s:e] for s, e in source.sentences] == [
        "Title line",
        "Dr. Who arrived.",
        "It rained.",
    ]
    assert (source.id, source.title, source.url, source.origin) == (
        "S7",
        "A title",
        "https://example.org/a",
        "a.txt",
    )


# ---------------------------------------------------------------------------- load_sources


def test_txt_and_md_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Plain text article. It has two sentences.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# The headline\n\nMarkdown body text.\n", encoding="utf-8")
    loaded = load_sources([str(tmp_path / "a.txt"), tmp_path / "b.md"])
    assert [s.id for s in loaded.sources] == ["S1", "S2"]
    assert loaded.sources[0].text == "Plain text article. It has two sentences."
    assert loaded.sources[0].origin == str(tmp_path / "a.txt")
    assert loaded.sources[1].title == "The headline"
    assert loaded.sources[1].text == "# The headline\n\nMarkdown body text."
    assert loaded.warnings == []


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffCafé reopened.".encode())
    assert load_sources([path]).sources[0].text == "Café reopened."


def test_folder_is_sorted_by_name_and_skips_clutter(tmp_path: Path) -> None:
    for name, body in [
        ("source-10.txt", "Tenth."),
        ("source-2.txt", "Second."),
        ("source-1.txt", "First."),
    ]:
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "notes.json").write_text('{"not": "an article"}', encoding="utf-8")
    (tmp_path / "corrupt.txt").write_bytes(b"abc\x00\x00\x01def")
    (tmp_path / "blank.txt").write_text(" \n\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.txt").write_text("Not read: folders are not recursive.")
    loaded = load_sources([tmp_path])
    assert [s.text for s in loaded.sources] == ["First.", "Second.", "Tenth."]
    assert [s.id for s in loaded.sources] == ["S1", "S2", "S3"]
    warnings = "\n".join(loaded.warnings)
    assert len(loaded.warnings) == 4
    for name in ("image.png", "notes.json", "corrupt.txt", "blank.txt"):
        assert name in warnings
    assert f"{tmp_path}: skipped 1 subfolder(s)" in warnings and "sub" in warnings


def test_sunflower_fixture_folder() -> None:
    loaded = load_sources([SUNFLOWER])
    assert [s.id for s in loaded.sources] == ["S1", "S2"]
    assert loaded.sources[0].text.count("245 people") == 1
    assert any("repeated text" in warning for warning in loaded.warnings)
    # source-2 has no repeated text; its only notice is the cut related-story headlines.
    source_2 = [warning for warning in loaded.warnings if "source-2" in warning]
    assert len(source_2) == 1 and "trailing headlines" in source_2[0]
    for source in loaded.sources:
        assert all(source.text[s:e].strip() == source.text[s:e] for s, e in source.sentences)


def test_stdin_text_and_bytes() -> None:
    assert load_sources(["-"], stdin=io.StringIO("From a pipe.")).sources[0].text == "From a pipe."
    wrapped = io.TextIOWrapper(io.BytesIO("Naïve bytes.\n".encode()), encoding="utf-8")
    source = load_sources(["-"], stdin=wrapped).sources[0]
    assert (source.text, source.origin) == ("Naïve bytes.", "<stdin>")


def test_text_argument_and_source_passthrough() -> None:
    given_source = make_source("custom", "Already built.")
    loaded = load_sources(["Inline article.\nSecond line.", given_source])
    assert [s.id for s in loaded.sources] == ["S1", "custom"]
    assert loaded.sources[1] is given_source


def test_html_file_uses_the_extractor(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    source = load_sources([path]).sources[0]
    assert "arrest of 245 people" in source.text
    assert "Sign in" not in source.text and "Copyright" not in source.text
    assert source.title is not None and "123 children" in source.title


def test_html_file_honours_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "latin.htm"
    path.write_bytes(
        ARTICLE_HTML.replace("utf-8", "iso-8859-1")
        .replace("Washington", "Montréal")
        .encode("latin-1")
    )
    assert "Montréal" in load_sources([path]).sources[0].text


def test_extract_html_returns_title_and_text() -> None:
    article = extract_html(ARTICLE_HTML, origin="page.html")
    assert article.title is not None
    assert "John Morton" in article.text and "\n" in article.text
    # "Copyright 2013" in the footer is not a publication date (no extensive search).
    assert article.published is None


def test_url_html(server: LocalServer) -> None:
    url = server.url("/news", Reply(ARTICLE_HTML.encode()))
    loaded = load_sources([url])
    source = loaded.sources[0]
    assert (source.id, source.url, source.origin) == ("S1", url, url)
    assert "123 children" in source.text and "Sign in" not in source.text


def test_url_honours_response_charset(server: LocalServer) -> None:
    body = "Le maire de Montréal a parlé à la presse.".encode("latin-1")
    url = server.url("/fr", Reply(body, content_type="text/plain; charset=iso-8859-1"))
    page = fetch_url(url, timeout_s=5, max_bytes=10_000)
    assert page.text == "Le maire de Montréal a parlé à la presse."
    assert page.warnings == ()


def test_url_follows_redirects(server: LocalServer) -> None:
    target = server.url("/final", Reply(b"Final text.", content_type="text/plain"))
    start = server.url("/start", Reply(status=302, headers=(("Location", target),)))
    page = fetch_url(start, timeout_s=5, max_bytes=10_000)
    assert (page.url, page.text) == (target, "Final text.")


def test_jsonl_single_cluster_keeps_ids(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    record = {
        "id": "c1",
        "sources": [
            {"id": "apnews", "title": "T", "url": "https://x.org", "text": "First article."},
            {"text": "Second article."},
        ],
    }
    path.write_text(json.dumps(record) + "\n\n", encoding="utf-8")
    loaded = load_sources([path])
    assert [s.id for s in loaded.sources] == ["apnews", "S2"]
    assert loaded.sources[0].title == "T" and loaded.sources[0].url == "https://x.org"


def test_jsonl_cluster_warnings_reach_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    text = "A long enough sentence about the flood in the valley. It rained."
    record = {"sources": [{"text": f"{text}\n{text}"}, {"text": text}]}
    path.write_text(json.dumps(record), encoding="utf-8")
    loaded = load_sources([path])
    assert [s.text for s in loaded.sources] == [text]
    assert any("repeated text" in warning for warning in loaded.warnings)
    assert any("same text" in warning for warning in loaded.warnings)


def test_iter_clusters_streams_good_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"id": "a", "sources": [{"text": "Alpha one."}], "reference": "Ref."}),
        "",
        "{not json",
        json.dumps({"sources": [{"id": "x", "text": "Beta."}, {"id": "y", "text": "Gamma."}]}),
        json.dumps({"id": "c", "sources": [{"id": "x", "text": "  "}]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_clusters(path))
    assert [item.line_no for item in items] == [1, 3, 4, 5]
    first, bad_json, second, no_text = items
    assert first.cluster is not None and first.cluster.id == "a"
    assert first.cluster.reference == "Ref."
    assert first.cluster.sources[0].origin == f"{path}:1 S1"
    assert bad_json.error is not None and f"{path}:3" in str(bad_json.error)
    assert second.cluster is not None and second.cluster.id == "line-4"
    assert [s.id for s in second.cluster.sources] == ["x", "y"]
    assert no_text.error is not None and "has no text" in str(no_text.error)


def test_iter_clusters_handles_many_lines(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number in range(10_000):
            record = {"id": f"c{number}", "sources": [{"text": f"Event number {number} happened."}]}
            handle.write(json.dumps(record) + "\n")
    count = 0
    for item in iter_clusters(path):
        assert item.cluster is not None
        count += 1
    assert count == 10_000


def test_multinews_document_expands_to_articles(tmp_path: Path) -> None:
    path = tmp_path / "multi.txt"
    path.write_text(
        "First story. NEWLINE_CHAR NEWLINE_CHAR Its second paragraph. ||||| Second story. "
        "story_separator_special_tag Third story. |||||  ",
        encoding="utf-8",
    )
    loaded = load_sources([path])
    assert [s.text for s in loaded.sources] == [
        "First story.\n\nIts second paragraph.",
        "Second story.",
        "Third story.",
    ]
    assert [s.id for s in loaded.sources] == ["S1", "S2", "S3"]
    assert loaded.sources[1].origin == f"{path} (article 2)"


def test_identical_sources_are_merged_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Same words here.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Same words here.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Different words.", encoding="utf-8")
    loaded = load_sources([tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"])
    assert [s.text for s in loaded.sources] == ["Same words here.", "Different words."]
    assert [s.id for s in loaded.sources] == ["S1", "S3"]
    assert len(loaded.warnings) == 1
    assert "a.txt" in loaded.warnings[0] and "b.txt" in loaded.warnings[0]


def test_generated_ids_avoid_given_ones() -> None:
    given_source = make_source("S1", "Given first.")
    loaded = load_sources(["Typed text.\n", given_source])
    assert [s.id for s in loaded.sources] == ["S2", "S1"]


def test_sources_are_frozen_models() -> None:
    source = load_sources(["Some text.\n"]).sources[0]
    assert isinstance(source, Source)
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError
        source.text = "changed"  # type: ignore[misc]


def test_duplicate_given_ids_are_refused() -> None:
    with pytest.raises(BadInputError, match="source id X"):
        load_sources([make_source("X", "One."), make_source("X", "Two.")])


# -------------------------------------------------------------- strip_trailing_headlines


def test_sunflower_related_story_headlines_are_cut_and_reported() -> None:
    loaded = load_sources([SUNFLOWER / "source-2.txt"])
    (source,) = loaded.sources
    assert "18 rescued in child pornography raids" not in source.text
    assert "Mexican brothers" not in source.text
    assert source.text.endswith("to locate the girl.")
    assert any("removed 2 trailing headlines" in w and "source-2.txt" in w for w in loaded.warnings)
    assert all(source.text[s:e] for s, e in source.sentences)


@pytest.mark.parametrize(
    "text",
    [
        # Only headline-like lines: they are the content, nothing is cut.
        "Storm hits coast\nThousands without power",
        # A truncated last paragraph ends on a function word: not a headline.
        "The mayor spoke on Monday.\nOfficials said they would",
        # The line above the block does not end a sentence: the article was cut short.
        "The mayor spoke on Monday and\nStorm hits coast",
        # Real last lines end in sentence or quote punctuation.
        'The mayor spoke.\n"We will rebuild," she said.',
        "The mayor spoke.\nWhat happens next?",
        # A long unpunctuated last line is article text, not a headline.
        "The mayor spoke.\n" + " ".join(["Word"] * 25),
    ],
)
def test_text_that_is_not_trailing_furniture_is_kept(text: str) -> None:
    assert strip_trailing_headlines(text) == (text, [])


def test_several_trailing_headlines_are_cut_in_order() -> None:
    text = "Police arrested 5 people.\n\nRead More\n3 dead in crash, police say\n"
    assert strip_trailing_headlines(text) == (
        "Police arrested 5 people.",
        ["Read More", "3 dead in crash, police say"],
    )


def test_cluster_lines_report_cut_headlines(tmp_path: Path) -> None:
    record = {"id": "c1", "sources": [{"id": "a", "text": "Police arrested 5 people.\nNext Story"}]}
    path = tmp_path / "clusters.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (line,) = list(iter_clusters(path))
    assert line.cluster is not None
    assert line.cluster.sources[0].text == "Police arrested 5 people."
    assert any("trailing headline" in w for w in line.cluster.warnings)


def test_dateline_state_abbreviation_does_not_end_a_sentence() -> None:
    from summarizer.text.clean import split_sentences

    text = "SYCAMORE, Ill. (AP) -- A judge freed him. He moved to Springfield, Ill. The end came."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "SYCAMORE, Ill. (AP) -- A judge freed him.",
        "He moved to Springfield, Ill.",
        "The end came.",
    ]


# ------------------------------------------------------------------- publication dates

DATED_HTML = ARTICLE_HTML.replace(
    "</head>",
    '<meta property="article:published_time" content="2013-01-17T10:05:00-05:00"></head>',
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-11-03", "2016-11-03"),
        ("2016-11-03 05:10:42", "2016-11-03"),
        ("2016-11-03T23:30:00-05:00", "2016-11-03"),  # the publisher's day, not UTC's
        ("2016/11/3", "2016-11-03"),
        ("Thu, 03 Nov 2016 05:10:42 GMT", "2016-11-03"),
        ("November 3, 2016", "2016-11-03"),
        ("Nov. 3, 2016", "2016-11-03"),
        ("3 Sept 2016", "2016-09-03"),
        ("None", None),
        ("null", None),
        ("", None),
        ("garbage", None),
        ("Thursday", None),
        ("2016-13-45", None),
        ("0001-01-01", None),
        ("03/11/2016", None),  # day-first or month-first: ambiguous
        (None, None),
        (1478131200, None),
    ],
)
def test_normalize_published(value: object, expected: str | None) -> None:
    assert normalize_published(value) == expected


def test_source_normalises_published_and_never_refuses_it() -> None:
    assert Source(id="a", text="x", published="2016-11-03 05:10:42").published == "2016-11-03"
    assert Source(id="b", text="x", published="None").published is None
    assert make_source("c", "Police spoke.", published="not a date").published is None


def test_jsonl_sources_carry_their_publication_date(tmp_path: Path) -> None:
    record = {
        "id": "c1",
        "sources": [
            {"id": "a", "text": "Police spoke Thursday.", "published": "2016-11-03 05:10:42"},
            {"id": "b", "text": "Officials met.", "published": "None"},
            {"id": "c", "text": "A judge ruled.", "published": "soon"},
            {"id": "d", "text": "Rain fell.", "date": "2016-11-08"},
            {"id": "e", "text": "Snow fell.", "published": "None", "date": "2016-11-09"},
            {"id": "f", "text": "Wind blew."},
        ],
    }
    path = tmp_path / "clusters.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (line,) = list(iter_clusters(path))
    assert line.cluster is not None and line.error is None
    expected = {
        "a": "2016-11-03",
        "b": None,
        "c": None,
        "d": "2016-11-08",
        "e": "2016-11-09",
        "f": None,
    }
    assert {s.id: s.published for s in line.cluster.sources} == expected
    # The same file given as a source list (one cluster) keeps the dates.
    assert {s.id: s.published for s in load_sources([path]).sources} == expected


def test_html_file_takes_the_date_from_its_markup(tmp_path: Path) -> None:
    dated, undated = tmp_path / "dated.html", tmp_path / "undated.html"
    dated.write_text(DATED_HTML, encoding="utf-8")
    undated.write_text(ARTICLE_HTML, encoding="utf-8")
    # Loaded apart: the two pages hold the same text and would be merged into one source.
    assert load_sources([dated]).sources[0].published == "2013-01-17"
    assert load_sources([undated]).sources[0].published is None


def test_url_takes_the_date_from_the_page(server: LocalServer) -> None:
    url = server.url("/dated", Reply(DATED_HTML.encode()))
    assert fetch_url(url, timeout_s=5, max_bytes=100_000).published == "2013-01-17"
    assert load_sources([url]).sources[0].published == "2013-01-17"
    plain = server.url("/plain", Reply(b"Police spoke Thursday.", content_type="text/plain"))
    assert load_sources([plain]).sources[0].published is None


# ------------------------------------------------------ what inputs skip and how they fail


def test_subfolders_and_symlink_loops_are_skipped_with_one_counting_notice(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text("Police said five people died.", encoding="utf-8")
    (tmp_path / "archive").mkdir()
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # ELOOP when stat'ed
    loaded = load_sources([tmp_path])
    assert [s.text for s in loaded.sources] == ["Police said five people died."]
    notices = [w for w in loaded.warnings if "subfolder" in w]
    assert len(notices) == 1
    assert notices[0].startswith(f"{tmp_path}: skipped 2 subfolder(s)")
    assert "archive" in notices[0] and "loop" in notices[0]


def test_a_dead_url_among_good_files_is_a_failed_source(
    tmp_path: Path, server: LocalServer
) -> None:
    good = tmp_path / "a.txt"
    good.write_text("Police said five people died.", encoding="utf-8")
    dead = server.url("/gone", Reply(b"gone", status=404))
    loaded = load_sources([good, dead])
    assert [s.id for s in loaded.sources] == ["S1"]
    assert [(f.source_id, f.stage) for f in loaded.failures] == [("S2", "load")]
    assert loaded.failures[0].reason.startswith(f"{dead}: ")
    with pytest.raises(BadInputError, match="gone"):  # alone, it is still the run's error
        load_sources([dead])


@pytest.mark.parametrize(
    "text",
    ["Police said five people died in the raid.", "word " * 80],
)
def test_a_one_line_string_of_text_says_how_to_pass_text(text: str) -> None:
    with pytest.raises(BadInputError) as caught:
        load_sources([text])
    message = str(caught.value)
    assert "Source.from_text(text)" in message and "\n" not in message
    assert len(message) < 300  # the text is clipped in the message, never echoed whole


def test_a_missing_file_name_is_still_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file or directory"):
        load_sources([str(tmp_path / "nope.txt")])


def test_source_from_text_is_numbered_by_position_unless_given_an_id(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Police said five people died.", encoding="utf-8")
    unnamed = Source.from_text("The mayor spoke on Friday.", title="Notes")
    named = Source.from_text("Rescuers found 12 survivors.", id="wire")
    loaded = load_sources([path, unnamed, named])
    assert [s.id for s in loaded.sources] == ["S1", "S2", "wire"]
    assert loaded.sources[1].title == "Notes" and loaded.sources[1].sentences
    with pytest.raises(BadInputError, match="is empty"):
        Source.from_text("  \n ")


def test_a_source_built_directly_gets_sentences_or_is_refused() -> None:
    built = Source(id="a", text="Police said five people died. The mayor spoke.")
    assert [built.text[s:e] for s, e in built.sentences] == [
        "Police said five people died.",
        "The mayor spoke.",
    ]
    for text in ("", "   \n", "\u200b"):
        with pytest.raises(BadInputError, match="a: is empty"):
            Source(id="a", text=text)
    with pytest.raises(BadInputError, match="do not index its text"):
        Source(id="a", text="Short.", sentences=((0, 99),))
