"""Writing a file whole or not at all: the one way this tool writes files.

The content goes to a temporary file beside the target, which is renamed over it only when
complete. An error, a lost connection or Ctrl-C leaves the old file as it was and no partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from dbt_cloud.errors import InputError


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


@contextmanager
def atomic_write(path: Path, *, mode: int | None = None, durable: bool = True) -> Iterator[IO[bytes]]:
    """A binary handle whose content replaces `path` when the block ends without an error.

    `mode` sets the file's permissions (0600 for secrets); by default they are what a plain
    write would give. `durable` flushes the content to disk before the rename, so that even a
    power cut cannot leave an empty file under the name; what can be fetched again (a download)
    may skip that cost.
    """
    directory = path.parent
    if not directory.is_dir():
        raise InputError(f"Cannot write {path}: the directory {directory} does not exist")
    if path.is_dir():
        raise InputError(f"Cannot write {path}: it is a directory")
    final_mode = _default_mode(path) if mode is None else mode
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror}") from None
    try:
        os.fchmod(descriptor, final_mode)
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
