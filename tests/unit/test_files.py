"""Files are written whole or not at all, with the permissions a plain write would give."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dbt_cloud.errors import InputError, OutputWriteError
from dbt_cloud.files import atomic_write, writable_problem
from tests.support.fifo import fifo_with_reader


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_umask_mode_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.json"
        with atomic_write(fresh) as handle:
            handle.write(b"{}")
        assert mode(fresh) == 0o640
    finally:
        os.umask(old)
    existing = tmp_path / "existing.json"
    existing.write_text("old")
    existing.chmod(0o604)
    with atomic_write(existing) as handle:
        handle.write(b"new")
    assert existing.read_text() == "new"
    assert mode(existing) == 0o604


def test_secrets_get_owner_only(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "secret.toml", mode=0o600) as handle:
        handle.write(b"x")
    assert mode(tmp_path / "secret.toml") == 0o600


def test_an_error_inside_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old")

    def interrupted_write() -> None:
        with atomic_write(target) as handle:
            handle.write(b"half")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_write()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_missing_directory_or_a_directory_target_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"), atomic_write(tmp_path / "no" / "x"):
        pass
    with pytest.raises(InputError, match="is a directory"), atomic_write(tmp_path):
        pass


# --- what is at the path decides how it is written ---------------------------------------------


def test_a_symlink_stays_a_link_and_its_target_gets_the_content(tmp_path: Path) -> None:
    target = tmp_path / "real" / "answer.json"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with atomic_write(link) as handle:
        handle.write(b"new")
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert target.read_text() == "new"
    assert mode(target) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["answer.json"]  # the temporary went there, and away


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    with atomic_write(link) as handle:
        handle.write(b"made")
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text() == "made"


def test_a_fifo_is_streamed_into_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    with fifo_with_reader(fifo, timeout=30) as received, atomic_write(fifo) as handle:
        handle.write(b"through ")
        handle.write(b"the pipe")
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_dev_null_is_written_into_not_replaced() -> None:
    before = os.lstat("/dev/null")
    with atomic_write(Path("/dev/null")) as handle:
        handle.write(b"gone")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_character_device_made_here_is_written_into(tmp_path: Path) -> None:
    node = tmp_path / "null-like"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the numbers of /dev/null
    with atomic_write(node) as handle:
        handle.write(b"x" * 100_000)
    assert stat.S_ISCHR(node.lstat().st_mode)
    assert node.lstat().st_rdev == os.makedev(1, 3)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_dev_full_is_a_write_error_and_the_node_stays() -> None:
    before = os.lstat("/dev/full")
    with pytest.raises(OutputWriteError, match="Could not write /dev/full: No space left on device"):  # noqa: SIM117
        with atomic_write(Path("/dev/full")) as handle:
            handle.write(b"{}")
    after = os.lstat("/dev/full")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert OutputWriteError("x").exit_code == 1


def test_a_path_with_a_nul_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="NUL"), atomic_write(tmp_path / "a\0b"):
        pass
    assert writable_problem(tmp_path / "a\0b") is not None


def test_the_check_before_sending_knows_each_kind_of_target(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert writable_problem(fifo) is None
    assert writable_problem(Path("/dev/null")) is None
    assert writable_problem(Path("/dev/stdout")) is None
    assert writable_problem(tmp_path / "new.json") is None
    assert "is a directory" in (writable_problem(tmp_path) or "")
    assert "does not exist" in (writable_problem(tmp_path / "no" / "x.json") or "")
    link = tmp_path / "into-nowhere.json"
    link.symlink_to(tmp_path / "no" / "x.json")
    assert "does not exist" in (writable_problem(link) or "")  # the folder of the link's target counts
