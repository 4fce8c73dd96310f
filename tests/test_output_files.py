"""Output files never destroy what is at the path (summarizer.core.files)."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.core.errors import BadInputError
from summarizer.core.files import check_output_path, write_output


def test_a_new_file_is_created_with_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    umask = os.umask(0o022)
    try:
        write_output(target, "{}\n")
    finally:
        os.umask(umask)
    assert target.read_text() == "{}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary left


def test_an_existing_file_is_replaced_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    target.chmod(0o640)
    write_output(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_read_only_file_stays_read_only(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    target.chmod(0o444)
    if os.geteuid() == 0:  # root may write it; it must not become writable
        write_output(target, "new")
        assert target.read_text() == "new"
    else:
        with pytest.raises(BadInputError, match="permission denied"):
            check_output_path(target)
        assert target.read_text() == "old"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_output(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    check_output_path(link)
    write_output(link, "x")
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text() == "x"


def test_a_character_device_is_written_not_replaced() -> None:
    devnull = Path("/dev/null")
    check_output_path(devnull)
    write_output(devnull, "discarded")
    assert stat.S_ISCHR(devnull.stat().st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_device_is_one_clear_error_and_stays_a_device() -> None:
    with pytest.raises(BadInputError, match=r"/dev/full: cannot write \(No space left"):
        write_output(Path("/dev/full"), "x" * 10_000)
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)


def test_a_fifo_is_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_output(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_directory_is_refused_before_and_at_write(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="is a directory"):
        check_output_path(tmp_path)
    with pytest.raises(BadInputError, match="is a directory"):
        write_output(tmp_path, "x")
    assert tmp_path.is_dir()


def test_a_missing_parent_folder_is_refused_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "nodir" / "x.json"
    with pytest.raises(BadInputError) as caught:
        check_output_path(target)
    assert str(target) in str(caught.value)
    assert "does not exist" in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(BadInputError, match="not writable"):
            check_output_path(folder / "x.json")
    finally:
        folder.chmod(0o755)


def test_pieces_stream_into_one_file(tmp_path: Path) -> None:
    target = tmp_path / "requests.jsonl"
    write_output(
        target, (f'{{"n": {n}}}\n' if n % 2 else f'{{"n": {n}}}\n'.encode() for n in range(5))
    )
    assert [line for line in target.read_text().splitlines()] == [f'{{"n": {n}}}' for n in range(5)]


def test_a_failure_while_producing_pieces_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "requests.jsonl"
    target.write_text("old\n")

    def pieces() -> Iterator[str]:
        yield "new line\n"
        raise RuntimeError("input went away")

    with pytest.raises(RuntimeError):
        write_output(target, pieces())
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["requests.jsonl"]
