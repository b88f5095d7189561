"""The local runner under load and faults: 20 runs triggered at once over three environments and
two jobs each, queued beyond --concurrency, all end with the status of their job and artifacts of
their own, with no "database is locked"; a worker killed mid-run errors that run with a message
that says so, while the server goes on serving and the next run works."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.local_runner import LocalRunner
from tests.support.tiny_project import BROKEN, prepare_tiny

pytestmark = pytest.mark.slow  # 20 dbt runs, two at a time: about a minute on a busy machine

CONCURRENCY = 2
#: (environment, job, how many): 20 runs, several of one job, over three environments (runs of
#: one environment take turns, as on dbt Cloud, so they are spread for the slots to stay busy).
PLAN = [(0, "build", 6), (0, BROKEN, 1), (1, "build", 4), (1, BROKEN, 3), (2, "build", 3), (2, BROKEN, 3)]
EXPECTED = {"build": (10, "model.tiny_project.numbers", "success"), BROKEN: (20, "model.tiny_project.broken", "error")}
SECONDS = 600


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalRunner, list[Any]]]:
    folder = tmp_path_factory.mktemp("load")
    runner = LocalRunner(folder / "data")
    registered = prepare_tiny(runner, folder / "tiny", projects=3)
    runner.start(concurrency=CONCURRENCY)
    yield runner, registered
    runner.stop()


def _account(runner: LocalRunner) -> str:
    return f"/api/v2/accounts/{runner.account_id}"


def test_twenty_runs_at_once_end_right_with_their_own_artifacts(loaded: tuple[LocalRunner, list[Any]]) -> None:
    runner, registered = loaded
    wanted = [(registered[env].jobs[key], key) for env, key, count in PLAN for _ in range(count)]
    assert len(wanted) == 20

    def trigger(job: tuple[int, str]) -> tuple[int, str]:
        with runner.http() as http:
            answer = http.post(f"{_account(runner)}/jobs/{job[0]}/run/", json={"cause": "load"})
        assert answer.status_code == 200, answer.text
        return int(answer.json()["data"]["id"]), job[1]

    with ThreadPoolExecutor(max_workers=20) as pool:
        runs = dict(pool.map(trigger, wanted))
    assert len(runs) == 20

    # While they go: never more than --concurrency at work, and the rest queued behind them.
    most_at_work, most_queued = 0, 0
    deadline = time.monotonic() + SECONDS
    with runner.http() as http:
        while True:
            listed = http.get(f"{_account(runner)}/runs/", params={"limit": 100}).json()["data"]
            statuses = Counter(run["status"] for run in listed if run["id"] in runs)
            most_at_work = max(most_at_work, statuses[2] + statuses[3])
            most_queued = max(most_queued, statuses[1])
            if sum(statuses[status] for status in (10, 20, 30)) == len(runs):
                break
            assert time.monotonic() < deadline, f"runs still going: {statuses}"
            time.sleep(0.2)
    assert most_at_work <= CONCURRENCY
    assert most_queued > CONCURRENCY, "runs waited in the queue beyond --concurrency"

    invocations = set()
    with runner.http() as http:
        for run_id, key in runs.items():
            run = http.get(f"{_account(runner)}/runs/{run_id}/").json()["data"]
            status, node, outcome = EXPECTED[key]
            assert run["status"] == status, (run_id, key, run["status_message"])
            results = http.get(f"{_account(runner)}/runs/{run_id}/artifacts/run_results.json")
            assert results.status_code == 200, (run_id, results.text)
            document = results.json()
            assert [(r["unique_id"], r["status"]) for r in document["results"]] == [(node, outcome)]
            invocations.add(document["metadata"]["invocation_id"])
            assert "database is locked" not in (run["status_message"] or "")
    assert len(invocations) == 20, "each run has run_results.json of its own"
    assert not [line for line in runner.output if "database is locked" in line or "Traceback" in line]


def test_a_worker_killed_mid_run_errors_that_run_and_the_next_run_works(
    loaded: tuple[LocalRunner, list[Any]],
) -> None:
    runner, registered = loaded
    store = runner.store()
    try:
        job = {**store.get("job", registered[2].jobs["build"])}  # type: ignore[dict-item]
        del job["id"]
        spin = store.insert(
            "job",
            {
                **job,
                "name": "Spins",
                "execute_steps": ["dbt run-operation spin"],
                "execution": {"timeout_seconds": 120},
            },
        )
    finally:
        store.close()
    with runner.http() as http:
        run_id = http.post(f"{_account(runner)}/jobs/{spin['id']}/run/", json={"cause": "victim"}).json()["data"]["id"]
        deadline = time.monotonic() + SECONDS
        while True:
            steps = http.get(f"{_account(runner)}/runs/{run_id}/", params={"include_related": "run_steps"}).json()[
                "data"
            ]["run_steps"]
            if any(step["name"].startswith("Invoke dbt") and step["status"] == 3 for step in steps):
                break
            assert time.monotonic() < deadline, "the spinning step never started"
            time.sleep(0.1)
    store = runner.store()
    try:
        pid = store.get_run(run_id)["worker_pid"]  # type: ignore[index]
    finally:
        store.close()
    os.kill(pid, signal.SIGKILL)
    ended = runner.wait_for_run(run_id)
    assert ended["status"] == 20
    assert ended["status_message"].startswith(
        "The run's worker process exited unexpectedly (killed by SIGKILL) during step 4 (Invoke dbt with "
    ), ended["status_message"]
    with runner.http() as http:
        assert http.get(f"{_account(runner)}/jobs/").status_code == 200, "the server goes on serving"
        after = http.post(f"{_account(runner)}/jobs/{registered[2].jobs['build']}/run/", json={"cause": "after"})
    assert runner.wait_for_run(int(after.json()["data"]["id"]))["status"] == 10, "the same environment runs again"
