"""A real HTTP server on 127.0.0.1 that keeps state like dbt Cloud does, for the composite commands:
jobs that can be created, listed page by page, updated and deleted; runs that move through their
statuses as they are polled (queued -> starting -> running -> success or error), with steps, logs
and artifacts; cancel, rerun and retry.

Built on `RecordedApi` (its socket, request log and `fail_next` faults), with the recorded answers
as the shape of every object. The bundled local runner (which runs dbt for real) is to take over
the happy paths; `ScriptedServer` offers the same fixture interface (`base_url`, `token`,
`account_id`, `project_id`, `environment_id`, `jobs`, `env()`, `seed_runs`, `seed_jobs`) so a test
does not care which one it gets.

How a run goes is decided by its job's steps: a step containing `fail` fails, one containing
`sleep` never ends (until cancelled); otherwise the run succeeds. Each GET of a run moves it one
status on.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

from tests.support.recorded_api import (
    Handler,
    LoggedRequest,
    RecordedApi,
    Reply,
    envelope,
    sample,
)

ACCOUNT_ID = 123456
PROJECT_ID = 270542
ENVIRONMENT_ID = 222656
STATUS_NAMES = {1: "Queued", 2: "Starting", 3: "Running", 10: "Success", 20: "Error", 30: "Cancelled"}
JOB_SERVER_FIELDS = ("id", "created_at", "updated_at", "raw_dbt_version", "cron_humanized", "next_run")
BASE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def _stamp(seconds: float) -> str:
    return (BASE_TIME + timedelta(seconds=seconds)).isoformat()


@dataclass
class ScriptedRun:
    """A run and how it goes: `script` is the status each poll moves it to, the last one stays."""

    data: dict[str, Any]
    script: list[int]
    steps: list[str]
    failing_step: int | None = None
    polls: int = 0
    cancelled: bool = False
    #: (step index or None for "the last step", path) -> content
    artifacts: dict[tuple[int | None, str], bytes] = field(default_factory=dict)

    @property
    def status(self) -> int:
        if self.cancelled:
            return 30
        return self.script[min(self.polls, len(self.script) - 1)]

    def advance(self) -> None:
        self.polls += 1

    def view(self, *, with_steps: bool) -> dict[str, Any]:
        status = self.status
        run = dict(self.data)
        finished = status in (10, 20, 30)
        run.update(
            status=status,
            status_humanized=STATUS_NAMES[status],
            in_progress=status in (1, 2, 3),
            is_complete=finished,
            is_success=status == 10,
            is_error=status == 20,
            is_cancelled=status == 30,
            finished_at=_stamp(90 + self.data["id"] % 7) if finished else None,
        )
        if with_steps:
            run["run_steps"] = self._steps(status)
        return run

    def _steps(self, status: int) -> list[dict[str, Any]]:
        """Steps as far as the run has got: while running, the first step is done and the second
        has half its log; at the end, every step up to the failing one."""
        names = ["Clone git repository", *[f"Invoke dbt with `{step}`" for step in self.steps]]
        if status in (1, 2):
            return []
        shown = names[:2] if status == 3 else names
        steps = []
        for number, name in enumerate(shown, 1):
            failing = self.failing_step == number and status == 20
            lines = [f"{name}: line {n}" for n in range(1, 6)]
            if failing:
                lines += ["Database Error in model customers", '  column "oops" does not exist', "Done. ERROR=1"]
            partial = status == 3 and number == 2
            logs = "\n".join(lines[:2]) + "\n" if partial else "\n".join(lines) + "\n"
            step_status = 3 if partial else (20 if failing else (30 if status == 30 and number == len(shown) else 10))
            steps.append(
                {
                    "id": self.data["id"] * 100 + number,
                    "run_id": self.data["id"],
                    "account_id": self.data["account_id"],
                    "index": number,
                    "name": name,
                    "status": step_status,
                    "status_humanized": STATUS_NAMES[step_status],
                    "logs": logs,
                }
            )
            if failing:
                break
        return steps


class ScriptedApi(RecordedApi):
    """The recorded API plus stateful jobs and runs (their routes answered first)."""

    def __init__(self, token: str, account_id: int = ACCOUNT_ID) -> None:
        super().__init__(token=token)
        self.account = account_id
        self.jobs: dict[int, dict[str, Any]] = {}
        self.scripted_runs: dict[int, ScriptedRun] = {}
        self.state = threading.RLock()
        self._next_job = 1000
        self._next_run = 50000
        self._next_environment = 300000
        self.routes = [
            (method, re.compile(f"^{pattern}$"), handler) for method, pattern, handler in SCRIPTED_ROUTES
        ] + self.routes  # first: RecordedApi's routes for jobs and runs answer fixed samples

    # -- state --------------------------------------------------------------------------------

    def add_job(self, **fields: Any) -> dict[str, Any]:
        with self.state:
            self._next_job += 1
            job = copy.deepcopy(sample("job_get_response")["data"])
            job.update(
                id=self._next_job,
                account_id=self.account,
                project_id=PROJECT_ID,
                environment_id=ENVIRONMENT_ID,
                created_at=_stamp(self._next_job),
                updated_at=_stamp(self._next_job),
            )
            job.update(fields)
            self.jobs[job["id"]] = job
            return job

    def add_run(self, job: dict[str, Any], *, status: int | None = None) -> ScriptedRun:
        """A run of `job`: scripted from its steps, or fixed at `status` (a seeded row)."""
        with self.state:
            self._next_run += 1
            data = copy.deepcopy(sample("run_get_response")["data"])
            data.update(
                id=self._next_run,
                account_id=self.account,
                project_id=job["project_id"],
                environment_id=job["environment_id"],
                job_definition_id=job["id"],
                job_id=job["id"],
                created_at=_stamp(0),
                href=None,
            )
            steps = [*job.get("execute_steps", [])]
            if job.get("generate_docs"):
                steps.append("dbt docs generate")
            failing = next((n for n, step in enumerate(steps, 2) if "fail" in step), None)
            if status is not None:
                script = [status]
            elif any("sleep" in step for step in steps):
                script = [1, 2, 3]
            elif failing is not None:
                script = [1, 2, 3, 20]
            else:
                script = [1, 2, 3, 10]
            run = ScriptedRun(data, script, steps, failing)
            last = len(steps) + 1
            run.artifacts[(None, "manifest.json")] = json.dumps({"metadata": {"run": run.data["id"]}}).encode()
            for number, step in enumerate(steps, 2):
                results = {"results": [{"adapter_response": {"rows_affected": 1} if "docs" not in step else {}}]}
                run.artifacts[(number, "run_results.json")] = json.dumps({"step": step, **results}).encode()
            run.artifacts[(None, "run_results.json")] = run.artifacts.get((last, "run_results.json"), b"{}")
            self.scripted_runs[run.data["id"]] = run
            return run

    def run(self, run_id: int) -> ScriptedRun:
        return self.scripted_runs[run_id]

    # -- answers --------------------------------------------------------------------------------

    def page(self, items: list[dict[str, Any]], request: LoggedRequest) -> Reply:
        query = {key: values[-1] for key, values in request.query.items()}
        order = query.get("order_by", "id")
        key = order.lstrip("-")
        items = sorted(items, key=lambda item: (item.get(key) is None, item.get(key)), reverse=order.startswith("-"))
        offset = int(query.get("offset", 0))
        limit = min(int(query.get("limit", 100)), self.page_cap)
        chunk = items[offset : offset + limit]
        filters = {"account_id": self.account, "limit": limit, "offset": offset}
        extra = {"filters": filters, "order_by": order, "pagination": {"count": len(chunk), "total_count": len(items)}}
        return Reply.json(envelope(chunk, extra=extra))


def _not_found(what: str) -> Reply:
    return Reply.json(envelope(None, 404, f"{what} not found."), 404)


def _query(request: LoggedRequest) -> dict[str, str]:
    return {key: values[-1] for key, values in request.query.items()}


def _list_jobs(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    query = _query(request)
    with api.state:
        jobs = list(api.jobs.values())
    state = query.get("state")
    jobs = [job for job in jobs if str(job.get("state")) == state] if state else [j for j in jobs if j["state"] != 2]
    for name in ("project_id", "environment_id"):
        if name in query:
            jobs = [job for job in jobs if str(job.get(name)) == query[name]]
    if "name__icontains" in query:
        jobs = [job for job in jobs if query["name__icontains"].lower() in str(job.get("name", "")).lower()]
    return api.page(jobs, request)


def _create_job(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    problems = {
        name: ["This field is required."]
        for name in ("name", "project_id", "environment_id", "execute_steps")
        if body.get(name) in (None, "", [])
    }
    if problems:
        return Reply.json(envelope(problems, 400, "Invalid request"), 400)
    fields = {key: value for key, value in body.items() if key not in JOB_SERVER_FIELDS}
    job = api.add_job(**fields)
    return Reply.json(envelope(job, 201), 201)


def _job(api: ScriptedApi, job_id: int) -> dict[str, Any] | None:
    with api.state:
        return api.jobs.get(job_id)


def _get_job(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    job = _job(api, int(match.group(2)))
    return Reply.json(envelope(job)) if job else _not_found("Job")


def _update_job(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    job = _job(api, int(match.group(2)))
    if job is None:
        return _not_found("Job")
    body = request.body if isinstance(request.body, dict) else {}
    with api.state:
        job.update({key: value for key, value in body.items() if key not in JOB_SERVER_FIELDS})
        job["updated_at"] = _stamp(10_000)
    return Reply.json(envelope(job))


def _delete_job(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    job = _job(api, int(match.group(2)))
    if job is None:
        return _not_found("Job")
    with api.state:
        job["state"] = 2
    return Reply.json(envelope(job))


def _trigger(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    job = _job(api, int(match.group(2)))
    if job is None:
        return _not_found("Job")
    run = api.add_run(job)
    return Reply.json(envelope(run.view(with_steps=False)))


def _list_runs(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    query = _query(request)
    with api.state:
        runs = [run.view(with_steps=False) for run in api.scripted_runs.values()]
    for name, wire in (("job_definition_id", "job_definition_id"), ("project_id", "project_id")):
        if wire in query:
            runs = [run for run in runs if str(run.get(name)) == query[wire]]
    if "environment_id" in query:
        runs = [run for run in runs if str(run.get("environment_id")) == query["environment_id"]]
    if "status" in query:
        runs = [run for run in runs if str(run.get("status")) == query["status"]]
    return api.page(runs, request)


def _scripted(api: ScriptedApi, run_id: int) -> ScriptedRun | None:
    with api.state:
        return api.scripted_runs.get(run_id)


def _get_run(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    run = _scripted(api, int(match.group(2)))
    if run is None:
        return _not_found("Run")
    with api.state:
        run.advance()
        view = run.view(with_steps="run_steps" in _query(request).get("include_related", ""))
    return Reply.json(envelope(view))


def _cancel_run(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    run = _scripted(api, int(match.group(2)))
    if run is None:
        return _not_found("Run")
    with api.state:
        if run.status not in (10, 20, 30):
            run.cancelled = True
        view = run.view(with_steps=False)
    return Reply.json(envelope(view))


def _rerun(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    job = _job(api, int(match.group(2)))
    if job is None:
        return _not_found("Job")
    return Reply.json(envelope(api.add_run(job).view(with_steps=False)))


def _retry_run(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    run = _scripted(api, int(match.group(2)))
    if run is None:
        return _not_found("Run")
    if run.status != 20:
        return Reply.json(envelope(None, 400, "Only a failed run can be retried."), 400)
    job = _job(api, run.data["job_definition_id"]) or {}
    return Reply.json(envelope(api.add_run(job).view(with_steps=False)))


def _get_step(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    step_id = int(match.group(2))
    run = _scripted(api, step_id // 100)
    steps = [s for s in run.view(with_steps=True)["run_steps"] if s["id"] == step_id] if run else []
    if not steps:
        return _not_found("Step")
    step = dict(steps[0])
    if "debug_logs" in _query(request).get("include_related", ""):
        step["debug_logs"] = "".join(f"[debug] {line}\n" for line in step["logs"].splitlines())
    return Reply.json(envelope(step))


def _artifact(run: ScriptedRun, path: str, step: str | None) -> Reply:
    key = (int(step) if step else None, path)
    content = run.artifacts.get(key)
    if content is None:
        return Reply.json(envelope(None, 404, f"No artifact {path} for this run."), 404)
    return Reply(200, content, {"Content-Type": "application/octet-stream"})


def _run_artifact(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    run = _scripted(api, int(match.group(2)))
    if run is None:
        return _not_found("Run")
    return _artifact(run, unquote(match.group(3)), _query(request).get("step"))


def _job_artifact(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    job_id = int(match.group(2))
    with api.state:
        done = [r for r in api.scripted_runs.values() if r.data["job_definition_id"] == job_id and r.status == 10]
    if not done:
        return _not_found("Artifact")
    return _artifact(max(done, key=lambda r: r.data["id"]), unquote(match.group(3)), None)


def _create_environment(api: ScriptedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    with api.state:
        api._next_environment += 1
        environment = {**sample("environment_create_response")["data"], **body, "id": api._next_environment}
    environment["project_id"] = int(match.group(2))
    return Reply.json(envelope(environment, 201), 201)


A = r"/api/v2/accounts/(\d+)"
SCRIPTED_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", A + r"/jobs/", _list_jobs),
    ("POST", A + r"/jobs/", _create_job),
    ("GET", A + r"/jobs/(\d+)/", _get_job),
    ("POST", A + r"/jobs/(\d+)/", _update_job),
    ("DELETE", A + r"/jobs/(\d+)/", _delete_job),
    ("POST", A + r"/jobs/(\d+)/run/", _trigger),
    ("POST", A + r"/jobs/(\d+)/rerun/", _rerun),
    ("GET", A + r"/jobs/(\d+)/artifacts/(.+)", _job_artifact),
    ("GET", A + r"/runs/", _list_runs),
    ("GET", A + r"/runs/(\d+)/", _get_run),
    ("POST", A + r"/runs/(\d+)/cancel/", _cancel_run),
    ("POST", A + r"/runs/(\d+)/retry/", _retry_run),
    ("GET", A + r"/runs/(\d+)/artifacts/(.+)", _run_artifact),
    ("GET", A + r"/steps/(\d+)/", _get_step),
    ("POST", r"/api/v3/accounts/(\d+)/projects/(\d+)/environments/", _create_environment),
]


class ScriptedServer:
    """The fixture interface the local runner offers, on a `ScriptedApi`."""

    def __init__(self, token: str) -> None:
        self.api = ScriptedApi(token).start()
        self.token = token
        self.account_id = ACCOUNT_ID
        self.project_id = PROJECT_ID
        self.environment_id = ENVIRONMENT_ID
        self.jobs = {
            "build": self.api.add_job(name="Build", execute_steps=["dbt build"])["id"],
            "failing": self.api.add_job(name="Failing", execute_steps=["dbt deps", "dbt build --select fail"])["id"],
            "docs": self.api.add_job(name="Docs", execute_steps=["dbt build"], generate_docs=True)["id"],
            "slow": self.api.add_job(name="Slow", execute_steps=["dbt run-operation sleep"])["id"],
        }

    @property
    def base_url(self) -> str:
        return self.api.url

    def env(self) -> dict[str, str]:
        return {
            "DBT_CLOUD_HOST": self.base_url,
            "DBT_CLOUD_API_TOKEN": self.token,
            "DBT_CLOUD_ACCOUNT_ID": str(self.account_id),
        }

    def seed_runs(self, job_id: int, count: int, status: int) -> list[int]:
        job = self.api.jobs[job_id]
        return [self.api.add_run(job, status=status).data["id"] for _ in range(count)]

    def seed_jobs(self, count: int, **fields: Any) -> list[int]:
        return [
            self.api.add_job(**{"name": f"Seeded job {n}", "execute_steps": ["dbt build"], **fields})["id"]
            for n in range(1, count + 1)
        ]

    def stop(self) -> None:
        self.api.stop()
