"""The drop-in promise, kept with the tool we replace: dbt-cloud-cli 0.9.1, unchanged, drives its
everyday flow against the local runner with only the host and token changed. It speaks only https,
so it reaches the runner through a TLS proxy whose certificate it is told to trust."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.dbt_cloud_cli import dbt_cloud_cli_0_9_1
from tests.support.local_runner import LocalRunner, start_local_runner
from tests.support.tls_proxy import TlsProxy


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    # Its own runner: the flow creates a job, which other tests' listings must not see.
    yield from start_local_runner(tmp_path_factory.mktemp("dbt-cloud-cli-runner"))


@pytest.fixture(scope="module")
def proxy(runner: LocalRunner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsProxy]:
    proxy = TlsProxy(runner.base_url, tmp_path_factory.mktemp("tls")).start()
    yield proxy
    proxy.stop()


class OldCli:
    def __init__(self, script: Path, runner: LocalRunner, proxy: TlsProxy) -> None:
        self.script = script
        keep = {key: value for key, value in os.environ.items() if not key.startswith(("DBT_CLOUD_", "REQUESTS_"))}
        self.env = {
            **keep,
            "DBT_CLOUD_HOST": proxy.host,  # 0.9.1 puts https:// before it
            "DBT_CLOUD_API_TOKEN": runner.token,
            "DBT_CLOUD_ACCOUNT_ID": str(runner.account_id),
            "REQUESTS_CA_BUNDLE": str(proxy.ca_bundle),
        }

    def __call__(self, *args: str) -> Any:
        done = subprocess.run(
            [str(self.script), *args], env=self.env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, f"dbt-cloud {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}"
        return done.stdout


@pytest.fixture(scope="module")
def old_cli(runner: LocalRunner, proxy: TlsProxy) -> OldCli:
    return OldCli(dbt_cloud_cli_0_9_1(), runner, proxy)


def data(stdout: str) -> Any:
    return json.loads(stdout)["data"]


def test_the_everyday_flow_of_dbt_cloud_cli_0_9_1_passes_over_https(old_cli: OldCli, runner: LocalRunner) -> None:
    project = str(runner.project_id)
    assert runner.project_id in [item["id"] for item in data(old_cli("project", "list"))]
    assert data(old_cli("project", "get", "--project-id", project))["id"] == runner.project_id
    environments = data(old_cli("environment", "list", "--project-id", project))
    assert runner.environment_id in [item["id"] for item in environments]

    created = data(
        old_cli(
            "job",
            "create",
            "--project-id",
            project,
            "--environment-id",
            str(runner.environment_id),
            "--name",
            "Made by dbt-cloud-cli 0.9.1",
            "--execute-steps",
            '["dbt seed"]',
        )
    )
    job_id = str(created["id"])
    assert data(old_cli("job", "get", "--job-id", job_id))["name"] == "Made by dbt-cloud-cli 0.9.1"
    assert created["id"] in [item["id"] for item in data(old_cli("job", "list", "--project-id", project))]

    # `job run --wait` prints progress lines, then the run's JSON; it exits 0 only if the run succeeded.
    old_cli("job", "run", "--job-id", job_id, "--cause", "dbt-cloud-cli 0.9.1", "--wait")
    runs = data(old_cli("run", "list", "--job-id", job_id))
    assert len(runs) == 1, runs
    assert runs[0]["status"] == 10, runs
    run_id = str(runs[0]["id"])
    assert data(old_cli("run", "get", "--run-id", run_id))["is_success"] is True

    assert "run_results.json" in data(old_cli("run", "list-artifacts", "--run-id", run_id))
    results = json.loads(old_cli("run", "get-artifact", "--run-id", run_id, "--path", "run_results.json"))
    assert {result["unique_id"].split(".")[0] for result in results["results"]} >= {"seed"}
