"""A FIFO with a reader on the other end, for the tests of writes that must stream into one."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def fifo_with_reader(path: Path, timeout: float = 60) -> Iterator[list[bytes]]:
    """Make a FIFO at `path` and read it in a thread; after the block (and the writer's close) the
    list holds what was read, in one piece."""
    os.mkfifo(path)
    received: list[bytes] = []

    def read_all() -> None:
        with open(path, "rb") as reader:
            received.append(reader.read())

    thread = threading.Thread(target=read_all, daemon=True)
    thread.start()
    yield received
    thread.join(timeout=timeout)
