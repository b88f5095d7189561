"""Files are written whole or not at all, with the permissions a plain write would give."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dbt_cloud.errors import InputError
from dbt_cloud.files import atomic_write


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
