"""The smaller frictions of first contact (issue 18, point 14): ids as arguments alike, the two
kinds of profile told apart, `configure --list`, the runner's real port in help, and menus that
sort numbers as numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dbt_cloud.catalog.loading import load_catalog, natural_key
from dbt_cloud.cli.commands.local import DEFAULT_PORT
from tests.conftest import invoke
from tests.support.catalog_artifacts import table, write_catalog
from tests.support.local_runner import LocalRunner


def test_run_get_cancel_and_list_artifacts_take_the_id_as_watch_and_logs_do(
    local_cli: Any, local_runner: LocalRunner
) -> None:
    (job_id,) = local_runner.seed_jobs(1, name="Positional ids")
    (run_id,) = local_runner.seed_runs(job_id, 1)
    by_argument = local_cli("run", "get", str(run_id))
    assert by_argument.exit_code == 0, by_argument.stderr
    assert json.loads(by_argument.stdout)["data"]["id"] == run_id
    by_option = local_cli("run", "get", "--run-id", str(run_id))
    assert json.loads(by_option.stdout)["data"]["id"] == run_id
    listed = local_cli("run", "list-artifacts", str(run_id))
    assert listed.exit_code == 0, listed.stderr
    both = local_cli("run", "get", str(run_id), "--run-id", str(run_id + 1))
    assert both.exit_code == 2
    assert both.stderr_lines == [f"Error: RUN_ID {run_id} and --run-id {run_id + 1} disagree"]
    for command in ("get", "cancel", "list-artifacts", "watch", "logs"):
        usage = invoke(["run", command, "--help"]).stdout.splitlines()[0]
        assert usage.endswith("[OPTIONS] [RUN_ID]"), usage


def test_the_cli_profile_and_the_api_profile_group_are_told_apart_in_help() -> None:
    root = " ".join(invoke(["--help"]).stdout.split())
    assert "--profile TEXT CLI profile to read settings from" in root
    assert "not the `profile` group, which is the API's project profiles" in root
    assert "profile Project profiles of the API (not the CLI's --profile)." in root
    configure = " ".join(invoke(["configure", "--help"]).stdout.split())
    assert "the `profile` command group is another thing" in configure


def test_configure_list_shows_the_cli_profiles_without_their_tokens(isolated_environment: Path) -> None:
    empty = invoke(["configure", "--list"])
    assert empty.exit_code == 0
    assert empty.stdout == ""
    assert empty.stderr_lines == ["No profiles yet: run `dbt-cloud configure` to write one."]
    assert invoke(["configure", "--api-token", "secret-token-xyz", "--account-id", "5"]).exit_code == 0
    host = f"http://127.0.0.1:{DEFAULT_PORT}"
    assert invoke(["--profile", "ci", "configure", "--dbt-cloud-host", host]).exit_code == 0
    listed = invoke(["--profile", "ci", "configure", "--list"])
    assert listed.exit_code == 0, listed.stderr
    assert [line.split() for line in listed.stdout.splitlines()] == [
        ["PROFILE", "HOST", "ACCOUNT", "TOKEN"],
        ["*", "ci", host, "none", "none"],
        ["default", "cloud.getdbt.com", "5", "stored"],
    ]
    assert "secret-token-xyz" not in listed.stdout


def test_the_host_example_in_help_is_the_runners_real_port() -> None:
    text = " ".join(invoke(["configure", "--help"]).stdout.split())
    assert f"http://127.0.0.1:{DEFAULT_PORT} for the local runner" in text
    assert "127.0.0.1:8000" not in text


def test_schema_menus_sort_numbers_as_numbers(tmp_path: Path) -> None:
    tables = [table(f"model.shop.model_{n}", ["id"], schema=f"mart_{n % 3 * 5}") for n in (10, 2, 1, 21, 3)]
    catalog = load_catalog(write_catalog(tmp_path, *tables))
    assert [key[1] for key, _ in catalog.schemas("model")] == ["mart_0", "mart_5", "mart_10"]
    names = [entry.name for entry in catalog.entries_in("model", ("db", "mart_0"))]
    assert names == ["model_3", "model_21"]
    assert sorted(["model_10", "Model_2", "model_1"], key=natural_key) == ["model_1", "Model_2", "model_10"]
