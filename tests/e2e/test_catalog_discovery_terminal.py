"""`demo data-catalog --environment-id`: the catalog explorer browsing an environment's applied state
through the local runner's Discovery API, in a real pseudo-terminal, after a real run of the demo's
docs job in an environment of its own."""

from __future__ import annotations

import sys

import pytest

from dbt_cloud.local.bootstrap import demo_project_dir, register_project
from tests.support.local_runner import LocalRunner
from tests.support.terminal import VirtualTerminal

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def environment_id(local_runner: LocalRunner) -> int:
    store = local_runner.store()
    try:
        registered = register_project(store, local_runner.account_id, demo_project_dir(), local_runner.data_dir)
    finally:
        store.close()
    with local_runner.http() as http:
        answer = http.post(
            f"/api/v2/accounts/{local_runner.account_id}/jobs/{registered.jobs['docs']}/run/", json={"cause": "tui"}
        )
    run = local_runner.wait_for_run(int(answer.json()["data"]["id"]), timeout=600)
    assert run["status"] == 10, run
    return registered.environment_id


def test_explore_an_environment_through_the_discovery_api(local_runner: LocalRunner, environment_id: int) -> None:
    command = [sys.executable, "-m", "dbt_cloud", "demo", "data-catalog", "--environment-id", str(environment_id)]
    terminal = VirtualTerminal([*command, "--title-font", "standard"], rows=100, columns=110, env=local_runner.env())
    try:
        screen = terminal.wait_for("What do you want to explore?")
        assert " > model (9)\n   seed (3)\n   source (1)\n   Search columns by name\n   Quit" in screen

        terminal.press("enter")  # model
        terminal.wait_for("Schema of the models")
        terminal.press("enter")  # its one schema
        screen = terminal.wait_for(f"Models in demo-environment-{environment_id}.main")
        assert "dim_stations  (base table, 16 columns)" in screen
        terminal.press(*["down"] * 2, "enter")  # daily_revenue, dim_members, dim_stations
        screen = terminal.wait_for("dim_stations: what next?")
        lines = screen.splitlines()
        assert "model.dbt_cloud_demo.dim_stations" in lines
        assert "  owner        fleet-ops@loopbikes.example" in lines
        assert "  columns (16)" in lines
        assert any(line.startswith("     1  station_id") and "tests: not_null, unique" in line for line in lines)
        assert "        Identifier of a docking station, as the web shop and the dock feed both number them." in lines

        terminal.press("ctrl-c")
        assert terminal.wait_for_exit() == 130
    finally:
        terminal.close()
