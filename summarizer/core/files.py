"""Output files: write a result where the user asked without destroying what is there.

Every command with an output (``summarize``, ``extract``, ``render``, ``batch`` and its
``prepare``/``collect``, ``eval -o``) goes through this module, so the rule is written once:

* a **regular file**, or a path that does not exist yet, is replaced **atomically** (a
  temporary file in the same folder, flushed, then renamed over the target), so a crash or
  Ctrl-C never leaves half a file; an existing file keeps its mode (a read-only file stays
  read-only) and, where we may, its owner;
* a **symlink** is followed and its target written by the same rule: the link stays a link;
* a **character device or FIFO** (``/dev/null``, ``/dev/stdout``, ``/dev/full``, a named pipe)
  is written to directly: renaming over it would replace the device with a file, which is
  what ``-o /dev/full`` did as root;
* a **directory**, a missing parent folder, or a place we may not write is refused with one
  line naming the path, and :func:`check_output_path` says so *before* any work starts, so a
  typo in ``-o`` never costs a whole run (or its model calls).

Append-only outputs (the batch's JSONL, resumed across runs) use :func:`check_output_path`
too, then open :func:`output_target` themselves, and resume only a regular file
(:func:`is_resumable`): a device or FIFO has nothing to read back.

:func:`write_output` also takes the text as an iterable of pieces, so a large output (the
Batch API requests file) streams into the temporary file instead of being held whole.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from summarizer.core.errors import BadInputError


def output_target(path: Path) -> Path:
    """The path a write lands on: symlinks followed (a dangling link names its target)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def is_resumable(path: Path) -> bool:
    """A regular file (or none yet) behind ``path``: one that can be read back and cut."""
    target = output_target(path)
    return not target.exists() or target.is_file()


def check_output_path(path: Path) -> None:
    """Refuse, with one line naming ``path``, an output that could not be written.

    Checked before any work: a directory, a missing parent folder, a read-only file or a
    folder we may not create files in. Devices and FIFOs pass (they are written directly).
    """
    target = output_target(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise BadInputError(str(path), f"cannot write ({error.strerror})") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise BadInputError(str(path), "is a directory; give a file name to write")
        if stat.S_ISREG(info.st_mode) and not os.access(target, os.W_OK):
            raise BadInputError(str(path), "cannot write (permission denied)")
        if stat.S_ISREG(info.st_mode):
            _check_folder(path, target.parent)
        return
    _check_folder(path, target.parent)


def _check_folder(path: Path, folder: Path) -> None:
    parent = folder if str(folder) else Path(".")
    if not parent.is_dir():
        raise BadInputError(str(path), f"cannot write: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BadInputError(str(path), f"cannot write: folder {parent} is not writable")


def write_output(path: Path, text: str | Iterable[str | bytes]) -> None:
    """Write ``text`` (UTF-8; a string or its pieces) to ``path`` by the rules of this module.

    An exception while the pieces are produced leaves a regular file as it was.
    """
    pieces: Iterable[str | bytes] = (text,) if isinstance(text, str) else text
    target = output_target(path)
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise BadInputError(str(path), f"cannot write ({error.strerror})") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise BadInputError(str(path), "is a directory; give a file name to write")
    try:
        if info is not None and not stat.S_ISREG(info.st_mode):
            _write_in_place(target, pieces)
        else:
            _replace_atomically(target, pieces, info)
    except OSError as error:
        raise BadInputError(str(path), f"cannot write ({error.strerror or error})") from None


def _encoded(pieces: Iterable[str | bytes]) -> Iterable[bytes]:
    for piece in pieces:
        yield piece.encode("utf-8") if isinstance(piece, str) else piece


def _write_in_place(target: Path, pieces: Iterable[str | bytes]) -> None:
    """Devices, FIFOs, sockets: open and write; never rename over them."""
    fd = os.open(target, os.O_WRONLY | os.O_APPEND)
    try:
        for data in _encoded(pieces):
            write_all(fd, data)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until all of ``data`` is written (a pipe or device may take part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _replace_atomically(
    target: Path, pieces: Iterable[str | bytes], info: os.stat_result | None
) -> None:
    """Temporary file beside the target, fsync'd, then renamed over it (mode kept)."""
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for data in _encoded(pieces):
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if info is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        else:
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
            with contextlib.suppress(OSError):  # only root may give a file to someone else
                os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
