"""The Ray-free half of Ray batch runs: keys, duplicate plans, record lines, OUTDIR state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.batch.ray_ids import (
    HASH_ID_PREFIX,
    LocalDir,
    failure,
    file_keys,
    finish_output,
    jsonl_line,
    key_row,
    lines_of,
    part_name,
    plan_keys,
    scan_output,
    split_file,
    summary,
)
from summarizer.core.errors import BadInputError

CLUSTER = {"id": "c1", "sources": [{"id": "S1", "text": "Five boats sank in Leeds on Monday."}]}


def test_a_line_and_the_same_cluster_read_as_columns_have_one_key() -> None:
    from_text = key_row({"text": json.dumps(CLUSTER)})
    # read_json adds nulls for columns that other lines have: they are not content.
    as_columns = key_row(
        {**CLUSTER, "reference": None, "sources": [{**CLUSTER["sources"][0], "title": None}]}
    )
    assert from_text.cluster_id == as_columns.cluster_id == "c1"
    assert from_text.content_hash == as_columns.content_hash
    assert from_text.is_object and json.loads(from_text.line)["id"] == "c1"


def test_a_cluster_without_id_gets_a_stable_content_hash_id() -> None:
    anonymous = {"sources": CLUSTER["sources"]}
    first, again = key_row({"text": json.dumps(anonymous)}), key_row(anonymous)
    assert first.cluster_id == again.cluster_id
    assert first.cluster_id.startswith(HASH_ID_PREFIX) and len(first.cluster_id) == 7 + 16
    other = key_row({"sources": [{"text": "Six boats sank."}]})
    assert other.cluster_id != first.cluster_id


def test_a_bad_line_is_keyed_by_its_bytes() -> None:
    bad = key_row({"text": "not json at all"})
    assert not bad.is_object and bad.cluster_id.startswith(HASH_ID_PREFIX)
    assert key_row({"text": "not json at all\n"}).cluster_id == bad.cluster_id


def test_duplicate_ids_one_winner_by_content_and_one_failure_per_other_content() -> None:
    plan = plan_keys([("a", "h2"), ("a", "h1"), ("b", "h9"), ("a", "h2"), ("c", "h3")], "in.jsonl")
    assert plan.winners == {"a": "h1"}
    assert plan.identical == 1
    assert [(r["cluster_id"], r["stage"]) for r in plan.duplicates] == [("a", "duplicate")]
    assert "in.jsonl" in plan.duplicates[0]["error"]


def test_record_lines_have_the_local_batch_shape_without_line() -> None:
    result = {"headline": "H", "sentences": []}
    done = json.loads(jsonl_line(summary("c1", "complete", json.dumps(result))))
    assert done == {"cluster_id": "c1", "status": "complete", "result": result}
    assert list(done) == ["cluster_id", "status", "result"]
    failed = json.loads(jsonl_line(failure("c2", "extract", "boom")))
    assert failed == {"cluster_id": "c2", "status": "failed", "stage": "extract", "error": "boom"}


def test_part_names_follow_their_keys() -> None:
    one = [summary("a", "complete", "{}"), failure("b", "llm", "x")]
    assert part_name(one) == part_name(list(one))
    assert part_name(one) != part_name(one[:1])


def _write(out: LocalDir, records: list[dict[str, object]]) -> None:
    out.write(part_name(records), b"".join(jsonl_line(r) for r in records))


def test_resume_state_repeats_and_retry_failed(tmp_path: Path) -> None:
    out = LocalDir(str(tmp_path / "out"))
    _write(out, [summary("a", "complete", "{}"), failure("b", "llm", "429")])
    _write(out, [summary("a", "partial", "{}"), failure("c", "input", "bad line")])
    (tmp_path / "out" / ".tmp-123-part-x.jsonl").write_bytes(b'{"torn')

    state = scan_output(out)
    assert not any(name.startswith(".tmp-") for name in out.list())  # leftovers removed
    assert state.ids == {"a": "complete", "b": "failed", "c": "failed"} or state.ids == {
        "a": "partial",
        "b": "failed",
        "c": "failed",
    }
    assert state.repeats == 1

    final = finish_output(out)  # the second record of "a" is removed for good
    assert final.repeats == 1 and finish_output(out).repeats == 0
    lines = [json.loads(raw) for name in out.list() for raw in out.read(name).splitlines()]
    assert sorted(r["cluster_id"] for r in lines) == ["a", "b", "c"]

    retried = scan_output(out, retry_failed=True)  # the llm failure goes, the bad line stays
    assert set(retried.ids) == {"a", "c"}


def test_lines_end_at_newline_only_and_blank_lines_are_dropped() -> None:
    data = "a\u2028b\r\n\n  \nc\x0bd\n\x1ce".encode()
    assert list(lines_of(data)) == ["a\u2028b\r".encode(), b"c\x0bd", b"\x1ce"]


def test_the_driver_key_pass_equals_the_rows_one(tmp_path: Path) -> None:
    lines = [
        json.dumps(CLUSTER),
        json.dumps({**CLUSTER, "sources": [{"id": "S1", "text": "Other."}]}),  # c1 again
        json.dumps({"sources": CLUSTER["sources"]}),
        "{not json",
        json.dumps(CLUSTER),  # identical to the first
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    rows = [key_row({"text": line.encode()}) for line in lines]
    expected = plan_keys(((k.cluster_id, k.content_hash) for k in rows), str(path))
    assert file_keys(str(path)) == expected
    assert expected.identical == 1 and len(expected.duplicates) == 1


def test_outdir_heads_are_read_off_odd_ids_and_kept_bytes_unchanged(tmp_path: Path) -> None:
    out = LocalDir(str(tmp_path / "out"))
    odd = 'quote " backslash \\ \u00e9t\u00e9 \U0001f600 "status":"failed"'
    _write(out, [summary(odd, "complete", '{"x": "\\"status\\": 1"}'), failure(odd, "llm", "x")])
    _write(out, [failure("dup", "duplicate", "d"), summary("n", "partial", "{}")])
    before = {name: out.read(name) for name in out.list()}
    state = finish_output(out, remove_repeats=False)
    assert state.ids == {odd: "complete", "n": "partial"} and state.duplicate_ids == {"dup"}
    assert (state.complete, state.partial, state.failed, state.repeats) == (1, 1, 1, 1)
    finish_output(out)  # the repeat of the odd id goes; every other line is byte for byte
    after = b"".join(out.read(name) for name in sorted(out.list()))
    kept = b"".join(before[name] for name in sorted(before)).split(b"\n")
    assert after.split(b"\n") == [kept[0], *kept[2:]]


def test_a_foreign_line_is_parsed_whole_and_a_broken_one_refused(tmp_path: Path) -> None:
    out = LocalDir(str(tmp_path / "out"))
    out.write("part-a.jsonl", b'{"status": "complete", "cluster_id": "x", "result": {}}\n')
    assert finish_output(out).ids == {"x": "complete"}
    out.write("part-b.jsonl", b'{"cluster_id":"y","status":"complete","result":{"a"\n')
    with pytest.raises(BadInputError):
        finish_output(out)


def test_split_file_keeps_each_line_with_its_file_and_splits_only_at_newlines() -> None:
    data = b'{"id": "a"}\n\n{"id": "b\xe2\x80\xa8c"}\r\n'  # a raw U+2028 inside a line
    rows = split_file({"bytes": data, "path": "in/x.jsonl"})
    assert [row["path"] for row in rows] == ["in/x.jsonl", "in/x.jsonl"]
    assert [row["text"] for row in rows] == [b'{"id": "a"}', b'{"id": "b\xe2\x80\xa8c"}\r']


def test_the_read_task_module_loads_neither_the_pipeline_nor_pydantic() -> None:
    # Ray imports a task function's module in the worker running it: the read task runs
    # split_file, so this module must stay light (no pipeline, no pydantic models).
    probe = (
        "import sys, summarizer.batch.ray_ids; "
        "print(sorted(m for m in ('summarizer.pipeline', 'pydantic', 'ray') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
