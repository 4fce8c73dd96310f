"""The Ray-free half of Ray batch runs: cluster keys, content hashes, records, OUTDIR state.

Kept out of ``ray_data.py`` so it can be tested (and reused) without Ray installed, and so
``ray_data.py`` stays the only module that imports ``ray``.

Why it is shaped this way:

* **Cluster ids are the key.** Ray reads input files in parallel blocks, so there are no
  input line numbers to key on (the local batch keys on ``(line, id)``). A cluster's id is
  its JSONL ``id``; a cluster without one gets ``sha256:<16 hex digits>`` of its content, so
  the same line gets the same id on every run and on every machine.
* **Content hashes decide duplicates.** The hash covers the cluster's content without its
  id, with nulls dropped, so a raw line (:func:`lines_of`) and the same line read by
  ``read_json`` (which adds nulls for columns other rows have) describe the same content.
* **Lines end at ``\n`` only**, as in the local batch. Ray's ``read_text`` splits on every
  Unicode line break (``str.splitlines``), which cuts a valid JSONL line at a raw U+2028
  inside a quoted article and turns one cluster into two bad lines.
  Two lines with one id and different content: the one with the smaller hash is
  summarised (chosen by content, not position, so a rerun chooses the same one) and each
  other gets a failure record of stage ``duplicate`` naming it. Identical lines are one
  cluster.
* **Records are the local batch's, without ``line``.** In the dataset every record has the
  five string columns of :data:`RECORD_FIELDS` (``result`` as JSON text, so the Arrow
  schema is the same for summaries and failures); in OUTDIR each record is one JSON line
  shaped exactly like a ``summarizer batch`` line minus ``line``.
* **OUTDIR is the truth.** Every part file is written whole under a temporary name and
  renamed, so a killed run leaves complete files only. A rerun reads the ids already there
  and skips them; :func:`finish_output` then removes any second record of one id (from an
  orphaned worker of a killed run still writing after the rerun read OUTDIR), so the final
  directory holds exactly one record per cluster.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from summarizer.batch.tally import STATUS_FAILED, StatusTally
from summarizer.core.errors import BadInputError

RECORD_FIELDS = ("cluster_id", "status", "stage", "error", "result")
STAGE_INPUT = "input"
STAGE_DUPLICATE = "duplicate"
#: Failure stages that ``--retry-failed`` keeps: running them again fails the same way.
PERMANENT_STAGES = frozenset({STAGE_INPUT, STAGE_DUPLICATE})
PART_PREFIX = "part-"
PART_SUFFIX = ".jsonl"
TEMP_PREFIX = ".tmp-"
HASH_ID_PREFIX = "sha256:"


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class KeyedLine:
    """One input row with its key: the cluster id, the content hash, and a line to parse.

    ``line`` is the JSON text :func:`summarizer.sources.load.parse_cluster` reads (the id
    filled in when it was missing), or the raw line when it is not a JSON object.
    """

    cluster_id: str
    content_hash: str
    line: bytes
    is_object: bool


def _plain(value: Any) -> Any:
    """Arrow/numpy/pandas values as JSON values; nulls inside objects are dropped."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return _plain(tolist())
    return value


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def lines_of(data: bytes) -> Iterator[bytes]:
    """The non-blank lines of a JSONL file's bytes, split at ``\n`` as the local batch does."""
    for raw in data.split(b"\n"):
        if raw.strip():
            yield raw


def split_file(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``read_binary_files`` row (a whole file) as its lines, each with the file's path.

    It lives here, not beside the actor, because Ray imports a task function's module in
    the worker that runs it: this module is light, so the read task does not load the
    pipeline (pydantic models, the extractor) only to split lines.
    """
    return [{"text": line, "path": row["path"]} for line in lines_of(row["bytes"])]


def file_keys(path: str) -> KeyPlan:
    """The key pass over one local JSONL file, read here (no Ray task, no worker start).

    Streamed a line at a time (binary iteration ends lines at ``\n``, as :func:`lines_of`
    does), so a corpus-sized input never sits whole in the driver's memory.
    """
    with open(path, "rb") as handle:
        lines = (raw.rstrip(b"\n") for raw in handle if raw.strip())
        return plan_keys(((k.cluster_id, k.content_hash) for k in map(_key_text, lines)), path)


def local_lines(path: str) -> tuple[list[bytes], KeyPlan]:
    """A local JSONL file's lines (split as :func:`lines_of` does) and its key pass, in one read.

    For inputs small enough to hand to Ray from the driver; :func:`file_keys` streams instead.
    """
    with open(path, "rb") as handle:
        lines = list(lines_of(handle.read()))
    keys = [_key_text(line) for line in lines]
    return lines, plan_keys(((k.cluster_id, k.content_hash) for k in keys), path)


def _key_text(line: bytes) -> KeyedLine:
    return key_row({"text": line})


def key_row(row: Mapping[str, Any]) -> KeyedLine:
    """Key one dataset row: a cluster record (``id``, ``sources``) or a raw JSONL ``text`` line."""
    if "sources" in row:
        record: Any = _plain(row)
    else:
        raw = row.get("text")
        text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else str(raw or "")
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            data = text.strip().encode("utf-8", "surrogateescape")
            digest = _digest(data)
            return KeyedLine(HASH_ID_PREFIX + digest[:16], digest, data, False)
        record = _plain(record)
    content = {k: v for k, v in record.items() if k != "id"}
    digest = _digest(_dumps(content))
    given = record.get("id")
    cluster_id = str(given) if given is not None and str(given) else HASH_ID_PREFIX + digest[:16]
    return KeyedLine(cluster_id, digest, _dumps({**content, "id": cluster_id}), True)


@dataclass(frozen=True)
class KeyPlan:
    """What the key pass found: which content wins for each id seen on several lines."""

    #: Cluster id -> content hash of the one line that is summarised (ids on >1 line only).
    winners: dict[str, str] = field(default_factory=dict)
    #: Failure records for the losing lines (one per distinct losing content).
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    #: Lines identical to another line (same id, same content): summarised once.
    identical: int = 0


def plan_keys(keys: Iterable[tuple[str, str]], origin: str = "input") -> KeyPlan:
    """Group ``(cluster_id, content_hash)`` pairs of every input line into a :class:`KeyPlan`."""
    hashes: dict[str, list[str]] = defaultdict(list)
    for cluster_id, content_hash in keys:
        hashes[cluster_id].append(content_hash)
    plan = KeyPlan()
    identical = 0
    for cluster_id, seen in hashes.items():
        if len(seen) == 1:
            continue
        distinct = sorted(set(seen))
        identical += len(seen) - len(distinct)
        winner = distinct[0]
        plan.winners[cluster_id] = winner
        for loser in distinct[1:]:
            plan.duplicates.append(
                failure(
                    cluster_id,
                    STAGE_DUPLICATE,
                    f"{origin}: cluster id {cluster_id!r} is used by lines with different "
                    f"content; the one with content sha256 {winner[:12]} was summarised, "
                    f"this one (sha256 {loser[:12]}) was not: give each cluster its own id",
                )
            )
    return KeyPlan(plan.winners, plan.duplicates, identical)


# --------------------------------------------------------------------------- records


def failure(cluster_id: str | None, stage: str, error: str) -> dict[str, Any]:
    return {
        "cluster_id": cluster_id,
        "status": STATUS_FAILED,
        "stage": stage,
        "error": error,
        "result": None,
    }


def summary(cluster_id: str, status: str, result_json: str) -> dict[str, Any]:
    return {
        "cluster_id": cluster_id,
        "status": status,
        "stage": None,
        "error": None,
        "result": result_json,
    }


def bad_line_record(keyed: KeyedLine, error: BadInputError) -> dict[str, Any]:
    return failure(keyed.cluster_id, STAGE_INPUT, str(error))


def jsonl_line(record: Mapping[str, Any]) -> bytes:
    """One OUTDIR line: the local batch's record shape (without ``line``), result inlined.

    The result is already JSON text, so it is spliced in rather than parsed and dumped
    again (it is most of the bytes).
    """
    head: dict[str, Any] = {"cluster_id": record["cluster_id"], "status": record["status"]}
    result = record.get("result")
    if record["status"] == STATUS_FAILED or result is None:
        head["stage"] = record.get("stage")
        head["error"] = record.get("error")
        return json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return f'{text[:-1]},"result":{result}}}\n'.encode()


def part_name(records: Iterable[Mapping[str, Any]]) -> str:
    """A part file's name from the keys it holds: a retried write task rewrites the same file.

    Ray retries a task whose worker died; had it already renamed its file into place, a
    random name would make a second copy of the same records.
    """
    digest = hashlib.sha256()
    for record in records:
        digest.update(str(record["cluster_id"]).encode())
        digest.update(b"\0" + str(record.get("stage")).encode() + b"\n")
    return f"{PART_PREFIX}{digest.hexdigest()[:24]}{PART_SUFFIX}"


# --------------------------------------------------------------------------- OUTDIR


class OutputFS(Protocol):
    """The few file operations OUTDIR needs, on a local folder or an object store."""

    def list(self) -> list[str]: ...
    def read(self, name: str) -> bytes: ...
    def write(self, name: str, data: bytes) -> None: ...
    def delete(self, name: str) -> None: ...


class LocalDir:
    """OUTDIR on local disk: whole files, fsync'd, renamed into place (atomic)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def list(self) -> list[str]:
        if not os.path.isdir(self.path):
            return []
        return sorted(os.listdir(self.path))

    def read(self, name: str) -> bytes:
        with open(os.path.join(self.path, name), "rb") as handle:
            return handle.read()

    def write(self, name: str, data: bytes) -> None:
        os.makedirs(self.path, exist_ok=True)
        final = os.path.join(self.path, name)
        temporary = os.path.join(self.path, f"{TEMP_PREFIX}{os.getpid()}-{name}")
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
        with contextlib.suppress(OSError):  # make the rename itself durable
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.path, name))


class ArrowDir:
    """OUTDIR on anything ``pyarrow.fs`` opens (``s3://``, ``gs://``...): objects are atomic."""

    def __init__(self, uri: str) -> None:
        import pyarrow.fs as pafs

        self.fs, root = pafs.FileSystem.from_uri(uri)
        self.root = root.rstrip("/")
        self._selector = pafs.FileSelector(self.root, allow_not_found=True)

    def list(self) -> list[str]:
        infos = self.fs.get_file_info(self._selector)
        return sorted(info.base_name for info in infos if info.is_file)

    def read(self, name: str) -> bytes:
        with self.fs.open_input_stream(f"{self.root}/{name}") as stream:
            return bytes(stream.read())

    def write(self, name: str, data: bytes) -> None:
        with self.fs.open_output_stream(f"{self.root}/{name}") as stream:
            stream.write(data)

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError, OSError):
            self.fs.delete_file(f"{self.root}/{name}")


def output_dir(location: str) -> OutputFS:
    """A local folder for plain paths and ``file://``, ``pyarrow.fs`` for other URIs."""
    if location.startswith("file://"):
        return LocalDir(location[len("file://") :])
    if "://" in location:
        return ArrowDir(location)
    return LocalDir(location)


def _parts(out: OutputFS) -> Iterator[str]:
    for name in out.list():
        if name.startswith(PART_PREFIX) and name.endswith(PART_SUFFIX):
            yield name


#: The start of a line :func:`jsonl_line` wrote: id, status and, for failures, the stage.
_HEAD = re.compile(
    rb'\{"cluster_id":("(?:[^"\\]|\\.)*"|null),"status":"([a-z]+)"'
    rb'(?:,"stage":("(?:[^"\\]|\\.)*"|null))?'
)


def _head(raw: bytes) -> dict[str, Any] | None:
    """``cluster_id``, ``status``, ``stage`` read off a line's start, or ``None``.

    A summary's line is mostly its result; counting and de-duplicating need only the
    head, so a line this module wrote is not parsed whole (lines of any other shape are).
    """
    match = _HEAD.match(raw)
    if match is None or not raw.rstrip().endswith(b"}"):
        return None
    cluster_id, status, stage = match.groups()
    return {
        "cluster_id": json.loads(cluster_id),
        "status": status.decode(),
        "stage": json.loads(stage) if stage else None,
    }


def _records(data: bytes, where: str) -> Iterator[dict[str, Any]]:
    """The records of a part file (only their heads where :func:`_head` reads them)."""
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        record = _head(raw)
        if record is None:
            try:
                record = json.loads(raw)
                if not isinstance(record, dict) or "status" not in record:
                    raise ValueError
            except ValueError:
                raise BadInputError(
                    f"{where}:{number}", "is not a batch result line; choose another output folder"
                ) from None
        record["_raw"] = raw
        yield record


@dataclass
class Finished(StatusTally):
    """What OUTDIR already holds: the ids with a record, and the final counts."""

    #: cluster id -> status, for summary and ordinary failure records.
    ids: dict[str, str] = field(default_factory=dict)
    #: cluster ids whose duplicate-line failure records are already written.
    duplicate_ids: set[str] = field(default_factory=set)
    #: Second records of one id found (and, in :func:`finish_output`, removed).
    repeats: int = 0

    @property
    def total(self) -> int:
        return self.complete + self.partial + self.failed


def scan_output(out: OutputFS, *, retry_failed: bool = False) -> Finished:
    """Read OUTDIR: leftover temporary files are deleted; ``retry_failed`` drops failures.

    Failure records of stage ``input`` and ``duplicate`` are kept by ``retry_failed``: the
    same line would fail the same way.
    """
    for name in out.list():
        if name.startswith(TEMP_PREFIX):
            out.delete(name)
    if retry_failed:
        for name in list(_parts(out)):
            records = list(_records(out.read(name), name))
            kept = [
                r
                for r in records
                if r.get("status") != STATUS_FAILED or r.get("stage") in PERMANENT_STAGES
            ]
            if len(kept) != len(records):
                _rewrite(out, name, kept)
    return finish_output(out, remove_repeats=False)


def _rewrite(out: OutputFS, name: str, records: list[dict[str, Any]]) -> None:
    """Write back the kept lines of a part file byte for byte (nothing is re-encoded)."""
    if records:
        out.write(name, b"".join(r["_raw"] + b"\n" for r in records))
    else:
        out.delete(name)


def finish_output(out: OutputFS, *, remove_repeats: bool = True) -> Finished:
    """Count OUTDIR's records by status, one record per key (extra ones removed if asked).

    Files are visited in name order and the first record of a key is kept, so the choice
    is the same whoever runs it.
    """
    state = Finished()
    for name in list(_parts(out)):
        records = list(_records(out.read(name), name))
        kept: list[dict[str, Any]] = []
        for record in records:
            cluster_id = str(record.get("cluster_id"))
            status = str(record.get("status"))
            if record.get("stage") == STAGE_DUPLICATE:
                state.duplicate_ids.add(cluster_id)
            elif cluster_id in state.ids:
                state.repeats += 1
                continue
            else:
                state.ids[cluster_id] = status
            kept.append(record)
            state.tally(status)
        if remove_repeats and len(kept) != len(records):
            _rewrite(out, name, kept)
    return state
