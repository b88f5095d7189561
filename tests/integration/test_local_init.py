"""`dbt-cloud local init` run twice: the second finds what the first registered, says so, and
leaves the profile alone; `--new` registers another copy."""

from __future__ import annotations

import json
from pathlib import Path

from dbt_cloud.config import read_profile
from dbt_cloud.local.bootstrap import database_path
from dbt_cloud.local.store import Store
from tests.conftest import invoke


def _init(data_dir: Path, *args: str) -> tuple[dict[str, object], list[str]]:
    outcome = invoke(["local", "init", "--data-dir", str(data_dir), *args])
    assert outcome.exit_code == 0, outcome.stderr
    return json.loads(outcome.stdout), outcome.stderr_lines


def _count(data_dir: Path, kind: str) -> int:
    store = Store(database_path(data_dir))
    try:
        return len(store.all(kind))
    finally:
        store.close()


def test_init_twice_finds_the_demo_it_registered_and_keeps_the_profile(tmp_path: Path) -> None:
    first, _ = _init(tmp_path)
    profile = read_profile("local")
    assert profile["project_id"] == first["project_id"]

    second, lines = _init(tmp_path)
    assert second == first, "the same ids, jobs included"
    assert _count(tmp_path, "project") == 1
    assert _count(tmp_path, "job") == 3
    assert any(f"Project {first['project_id']} is already registered" in line for line in lines), lines
    assert "Profile 'local' is kept as it is." in lines
    assert read_profile("local") == profile, "the token and ids in the profile did not change"


def test_init_again_writes_the_profile_when_it_is_missing(tmp_path: Path) -> None:
    first, _ = _init(tmp_path, "--save-profile", "")
    assert read_profile("local") == {}
    second, lines = _init(tmp_path)
    assert second == first
    assert read_profile("local")["project_id"] == first["project_id"]
    assert any(line.startswith("Saved the runner's URL") for line in lines)


def test_new_registers_another_copy_and_points_the_profile_at_it(tmp_path: Path) -> None:
    first, _ = _init(tmp_path)
    again, lines = _init(tmp_path, "--new")
    assert again["project_id"] != first["project_id"]
    assert set(again["jobs"].values()).isdisjoint(first["jobs"].values())  # type: ignore[attr-defined]
    assert _count(tmp_path, "project") == 2
    assert not any("already registered" in line for line in lines)
    assert read_profile("local")["project_id"] == again["project_id"]


def test_another_folder_is_registered_beside_the_demo(tmp_path: Path) -> None:
    project = tmp_path / "own_project"
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: own_project\nversion: '1.0'\nprofile: own\n")
    data_dir = tmp_path / "data"
    demo, _ = _init(data_dir, "--save-profile", "")
    own, _ = _init(data_dir, "--project-dir", str(project), "--save-profile", "")
    assert own["project_id"] != demo["project_id"]
    assert set(own["jobs"]) == {"build", "docs"}  # type: ignore[arg-type]
    again, _ = _init(data_dir, "--project-dir", str(project), "--save-profile", "")
    assert again == own
