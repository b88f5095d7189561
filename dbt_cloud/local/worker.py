"""One run, executed in a process of its own: each step through dbt-core's `dbtRunner.invoke`.

dbt-core keeps global state (flags, adapters, the event manager), so two invocations at once in
one process are unsafe; each run gets its own process, forked from a warm process that has
already imported dbt (the executor's forkserver preloads this module), so a run does not pay
dbt's import time. The worker writes its progress to the store itself (SQLite WAL allows it),
and only while the run is still in progress: a cancel or a timeout decided by the server wins.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner  # imported at module level on purpose: this is what gets preloaded

from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.planning import DBT, RunPlan, Step
from dbt_cloud.local.status import RunStatus
from dbt_cloud.local.store import Store
from dbt_cloud.local.views import IN_PROGRESS

#: Files of the target directory kept per step (the rest of the target directory is kept per run).
STEP_ARTIFACTS = ("run_results.json", "manifest.json", "catalog.json", "sources.json", "semantic_manifest.json")
#: Subcommands that take `--threads` (others, such as `deps` or `clean`, reject it).
#: Colour codes dbt puts in its console messages; the API's logs are plain text.
ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")
PROFILE_COMMANDS = {
    "build",
    "run",
    "test",
    "seed",
    "snapshot",
    "compile",
    "docs",
    "source",
    "show",
    "list",
    "ls",
    "retry",
    "run-operation",
    "parse",
    "clone",
}


def execute_run(plan: RunPlan) -> None:
    """Entry point of the worker process."""
    run_dir = Path(plan.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    _send_console_output_to(run_dir / "console.log")
    _exit_with_server(plan.server_pid)
    os.environ.update(plan.env)
    os.chdir(plan.project_dir)
    store = Store(Path(plan.db_path))
    target = run_dir / "target"
    target.mkdir(exist_ok=True)
    _restore_parse_cache(plan, target)
    if plan.resume_from:
        # `dbt retry` picks up where the failed run stopped, from that run's results and manifest.
        for name in ("run_results.json", "manifest.json"):
            source = Path(plan.resume_from) / name
            if source.exists():
                shutil.copy2(source, target / name)
    started = to_api(now())
    if not store.update_run(
        plan.run_id, only_if_status=[RunStatus.STARTING], status=RunStatus.RUNNING, started_at=started
    ):
        return  # cancelled while starting
    failure: str | None = None
    for index, step in enumerate(plan.steps, start=1):
        if not _still_running(store, plan.run_id):
            return
        ok = _run_step(store, plan, index, step, target)
        if not ok and not step.may_fail:
            failure = f"Step {index} failed: {step.name}"
            break
    _save_parse_cache(plan, target)
    finished = to_api(now())
    store.update_run(
        plan.run_id,
        only_if_status=IN_PROGRESS,
        status=RunStatus.ERROR if failure else RunStatus.SUCCESS,
        status_message=failure,
        finished_at=finished,
        artifacts_saved=True,
        has_docs_generated=(target / "catalog.json").exists(),
        has_sources_generated=(target / "sources.json").exists(),
    )


def dbt_arguments(command: str, plan: RunPlan, target: Path, log_dir: Path) -> list[str]:
    """The arguments for dbtRunner: the step's own, then where to read and write."""
    words = shlex.split(command)
    if words and words[0] == "dbt":
        words = words[1:]
    if not words:
        raise ValueError(f"not a dbt command: {command!r}")
    arguments = [*words, "--project-dir", plan.project_dir, "--log-path", str(log_dir)]
    if words[0] in PROFILE_COMMANDS:
        arguments += ["--profiles-dir", plan.profiles_dir, "--target-path", str(target)]
    return arguments


def _run_step(store: Store, plan: RunPlan, index: int, step: Step, target: Path) -> bool:
    step_dir = Path(plan.run_dir) / "steps" / str(index)
    log_dir = step_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = step_dir / "console.log"
    step_id = store.add_step(plan.run_id, plan.account_id, index, step.name, step.command, RunStatus.RUNNING)
    store.update_step(step_id, log_path=str(log_file), debug_log_path=str(log_dir / "dbt.log"))
    with log_file.open("a", encoding="utf-8") as log:

        def write_log(event: Any) -> None:
            # The lines dbt prints on its console (info and above), with its time prefix.
            if event.info.level in ("info", "warn", "error") and event.info.msg:
                log.write(f"{datetime.now():%H:%M:%S}  {ANSI_CODES.sub('', event.info.msg)}\n")
                log.flush()

        if step.kind != DBT:
            # The steps dbt Cloud takes before dbt runs: here the repository is the local folder and
            # the profile was written when the run was planned, so they only say so.
            log.write(f"{datetime.now():%H:%M:%S}  {step.note}\n")
            store.update_step(step_id, status=RunStatus.SUCCESS, finished_at=to_api(now()))
            return True
        log.write(f"{datetime.now():%H:%M:%S}  Running: {step.command}\n")
        try:
            arguments = dbt_arguments(step.command, plan, target, log_dir)
            result = dbtRunner(callbacks=[write_log]).invoke(arguments)
            ok = bool(result.success)
            if result.exception is not None:
                log.write(f"{datetime.now():%H:%M:%S}  Error: {result.exception}\n")
        except Exception as error:  # noqa: BLE001 - any failure of a step is that step's error, logged
            log.write(f"{datetime.now():%H:%M:%S}  Error: {error}\n")
            ok = False
        log.flush()
    _keep_step_artifacts(target, step_dir)
    if _still_running(store, plan.run_id):
        store.update_step(step_id, status=RunStatus.SUCCESS if ok else RunStatus.ERROR, finished_at=to_api(now()))
    return ok


def _keep_step_artifacts(target: Path, step_dir: Path) -> None:
    keep = step_dir / "artifacts"
    keep.mkdir(exist_ok=True)
    for name in STEP_ARTIFACTS:
        source = target / name
        if source.exists():
            shutil.copy2(source, keep / name)


def _still_running(store: Store, run_id: int) -> bool:
    run = store.get_run(run_id)
    return run is not None and run["status"] in IN_PROGRESS


def _restore_parse_cache(plan: RunPlan, target: Path) -> None:
    if plan.parse_cache and Path(plan.parse_cache).exists():
        shutil.copy2(plan.parse_cache, target / "partial_parse.msgpack")


def _save_parse_cache(plan: RunPlan, target: Path) -> None:
    produced = target / "partial_parse.msgpack"
    if plan.parse_cache and produced.exists():
        cache = Path(plan.parse_cache)
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        shutil.copy2(produced, temporary)
        os.replace(temporary, cache)


def _send_console_output_to(path: Path) -> None:
    # dbt prints its console log to stdout; the server's terminal is not the place for it.
    sys.stdout.flush()
    sys.stderr.flush()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)


def _exit_with_server(server_pid: int) -> None:
    # If the server dies (even by SIGKILL), a run must not go on writing to the store: the next
    # server start marks it errored, and an orphan still running dbt would contradict that. The
    # worker's parent is the forkserver, which outlives the server while it has children, so the
    # server itself is watched.
    def watch() -> None:
        while True:
            time.sleep(0.25)
            if not _alive(server_pid):
                os._exit(3)

    if server_pid:
        threading.Thread(target=watch, name="server-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # A killed server not yet reaped by its parent is a zombie: dead all the same.
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
