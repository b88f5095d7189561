"""Writing a file whole or not at all, into whatever is at the path: the one way this tool writes files.

What is at the path decides how:

- a regular file, or nothing yet: the content goes to a temporary file beside it, renamed over it
  only when complete, so an error, a lost connection or Ctrl-C leaves the old file as it was and no
  partial file. A symlink is resolved first: the link stays a link and its target gets the content.
- a FIFO, a character or block device, or a path that leads to one of this process's descriptors
  (`/dev/stdout`, `/dev/fd/3`): the content streams straight in. A rename would replace the node
  with a regular file, and whoever reads the pipe or the terminal would get nothing.

`read_bytes` is the reading side: a file's bytes, or one line saying why they cannot be had.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dbt_cloud.errors import InputError, OutputWriteError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

#: Links into these lead to an open descriptor (`/dev/stdout` -> `/proc/self/fd/1`): what the
#: descriptor is open on (a pipe, a terminal, a file the shell opened) must be written into, not
#: replaced.
_DESCRIPTOR_DIRECTORIES = ("/proc/", "/dev/fd/")
#: As the kernel's limit on following symlinks (ELOOP).
_MAX_LINK_HOPS = 40


def _default_mode(path: Path) -> int:
    """The mode a plain `open()` would give: the existing file's, else 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        pass
    umask = 0o022
    try:  # read without changing it: os.umask() would race with other threads creating files
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o666 & ~umask


def _through_descriptor(path: Path) -> bool:
    """Whether the path, link by link, leads into /proc/…/fd or /dev/fd: a process's descriptor."""
    current = os.path.abspath(path)
    for _ in range(_MAX_LINK_HOPS):
        if current.startswith(_DESCRIPTOR_DIRECTORIES):
            return True
        try:
            link = os.readlink(current)
        except OSError:  # not a link (or gone): the end of the chain
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return False


def _streams(path: Path) -> bool:
    """Whether `path` is written into rather than replaced (see the module's docstring)."""
    if _through_descriptor(path):
        return True
    try:
        status = os.stat(path)  # follows links: what the content would land in
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror}") from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError(f"Cannot write {path}: it is a directory")
    return not stat.S_ISREG(status.st_mode)


def writable_problem(path: Path) -> str | None:
    """What stands in the way of writing `path`, checked before anything is sent (a trigger must
    not be lost for want of a directory), or None."""
    if "\0" in str(path):
        return f"{str(path)!r} contains a NUL character"
    try:
        if _streams(path):
            return None if os.access(path, os.W_OK) else f"cannot write to {path} (permission denied)"
    except InputError as exc:
        return exc.message
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        return f"the directory {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"cannot write in {folder}"
    return None


class _Sink(io.FileIO):
    """The handle callers write to: every byte written (a raw write may take only part of it),
    and a failure of the disk or the reader (`/dev/full`, a closed pipe) told as one line."""

    def __init__(self, descriptor: int, label: Path) -> None:
        super().__init__(descriptor, "wb", closefd=True)
        self.label = label

    def write(self, data: ReadableBuffer, /) -> int:
        view = memoryview(data).cast("B")
        done = 0
        try:
            while done < len(view):
                done += super().write(view[done:]) or 0
        except OSError as exc:
            raise OutputWriteError(f"Could not write {self.label}: {exc.strerror or exc}") from None
        return done


@contextmanager
def atomic_write(path: Path, *, mode: int | None = None, durable: bool = True) -> Iterator[IO[bytes]]:
    """A binary handle whose content lands at `path` when the block ends without an error.

    A regular file (or a new one) is replaced whole, through a temporary file beside it; a FIFO,
    a device or a descriptor's path (`/dev/stdout`) is written into as the content comes.
    `mode` sets a new regular file's permissions (0600 for secrets); by default they are what a
    plain write would give. `durable` flushes the content to disk before the rename, so that even
    a power cut cannot leave an empty file under the name; what can be fetched again (a download)
    may skip that cost.
    """
    if "\0" in str(path):
        raise InputError(f"Cannot write {str(path)!r}: the name contains a NUL character")
    if _streams(path):
        with _stream_into(path) as handle:
            yield handle
        return
    real = Path(os.path.realpath(path))  # a symlink stays a link; its target gets the content
    if not real.parent.is_dir():
        raise InputError(f"Cannot write {path}: the directory {real.parent} does not exist")
    final_mode = _default_mode(real) if mode is None else mode
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".part", dir=real.parent)
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror}") from None
    try:
        os.fchmod(descriptor, final_mode)
        with _Sink(descriptor, path) as handle:
            yield handle
            handle.flush()
            if durable:
                _sync(handle, path)
        os.replace(temporary, real)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _stream_into(path: Path) -> Iterator[IO[bytes]]:
    # O_APPEND: through a descriptor open on a file (`> out` in the shell), the content follows what
    # was written there before rather than overwriting it; a pipe or a device does not care.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise OutputWriteError(f"Could not write {path}: {exc.strerror or exc}") from None
    with _Sink(descriptor, path) as handle:
        yield handle


def _sync(handle: _Sink, path: Path) -> None:
    try:
        os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputWriteError(f"Could not write {path}: {exc.strerror or exc}") from None


def read_bytes(path: Path, named: str, kind: str = "file") -> bytes:
    """The bytes of the file at `path`, or an InputError in one line for each way it can fail
    (missing, a directory, unreadable, a NUL in the name); `named` is how the line names it and
    `kind` what it should have been ("JSON file")."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{named} does not exist") from None
    except IsADirectoryError:
        raise InputError(f"{named} is a directory, not a {kind}") from None
    except PermissionError:
        raise InputError(f"{named} cannot be read (permission denied)") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise InputError(f"{named} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
