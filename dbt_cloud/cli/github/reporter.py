"""The GitHub reporter: one more listener of a command's events, which masks the token, folds
sections into groups, annotates, and at the end writes the step outputs and the summary."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt_cloud.cli.github.summary import (
    RUN_RESULTS,
    FailedNode,
    failed_nodes,
    run_cause,
    run_in,
    run_job_name,
    status_word,
    summary_markdown,
)
from dbt_cloud.cli.github.workflow import (
    ANNOTATION_TITLE,
    OUTPUT_ENV_VAR,
    SUMMARY_ENV_VAR,
    append_to,
    output_entry,
    workflow_command,
)
from dbt_cloud.events import Event, FileSaved, RunStatusChanged, SectionEnded, SectionStarted
from dbt_cloud.redact import redact

if TYPE_CHECKING:
    from dbt_cloud.http.client import DbtCloudClient


# --- the reporter --------------------------------------------------------------------------------


class GitHubReporter:
    """GitHub Actions mode for one command line: an event handler of its invocations, and the
    writer of its step outputs and summary at the end (`finish`)."""

    def __init__(self, write: Callable[[str], None], environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.output_file = env.get(OUTPUT_ENV_VAR) or None
        self.summary_file = env.get(SUMMARY_ENV_VAR) or None
        self._write = write
        self._lock = threading.Lock()
        self._masked: set[str] = set()
        self._saved: list[str] = []
        self._last_status: RunStatusChanged | None = None

    # -- workflow commands --------------------------------------------------------------------

    def mask(self, secret: str | None) -> None:
        """Ask the runner to hide `secret` in the log from now on. Written as it is (not redacted):
        this line is the one place the token is meant to appear, and the runner hides the line."""
        if not secret:
            return
        with self._lock:
            if secret in self._masked:
                return
            self._masked.add(secret)
        self._write(workflow_command("add-mask", secret))

    def warn(self, message: str) -> None:
        self._write(workflow_command("warning", redact(message), title=ANNOTATION_TITLE))

    def __call__(self, event: Event) -> None:
        if isinstance(event, SectionStarted):
            self._write(workflow_command("group", redact(event.title)))
        elif isinstance(event, SectionEnded):
            self._write(workflow_command("endgroup"))
        elif isinstance(event, RunStatusChanged):
            self._last_status = event
        elif isinstance(event, FileSaved):
            with self._lock:
                self._saved.append(os.path.abspath(event.path))

    # -- the end of the command ---------------------------------------------------------------

    @property
    def saved_paths(self) -> list[str]:
        """The files saved, each once, sorted: downloads finish in any order."""
        with self._lock:
            return sorted(set(self._saved))

    def finish(self, answer: Any, *, base_url: str, client: Callable[[], DbtCloudClient] | None = None) -> None:
        """Write the step outputs and the summary of what the command answered. Never raises:
        the command's own outcome stands whatever happens here."""
        try:
            self._finish(answer, base_url=base_url, client=client)
        except Exception as exc:  # noqa: BLE001 - the outputs are a courtesy to the workflow
            self.warn(f"Could not write the step outputs and summary: {type(exc).__name__}: {exc}")

    def _finish(self, answer: Any, *, base_url: str, client: Callable[[], DbtCloudClient] | None) -> None:
        from dbt_cloud.api.runs import run_url

        run = run_in(answer) or self._run_from_events()
        paths = self.saved_paths
        outputs: dict[str, str] = {}
        url = None
        if run is not None:
            url = run_url(run, base_url)
            outputs["run-id"] = str(run["id"])
            outputs["status"] = status_word(run)
            if url:
                outputs["run-url"] = url
        if paths:
            outputs["artifact-paths"] = "\n".join(paths)
        if outputs and self.output_file:
            self._append(self.output_file, "".join(output_entry(name, value) for name, value in outputs.items()))
        if run is not None and self.summary_file:
            details = RunDetails.fetch(run, client, paths) if client is not None else RunDetails()
            if details.note:
                self.warn(f"The job summary lists no failed nodes: {details.note}")
            markdown = summary_markdown(
                run,
                url=url,
                job_name=details.job_name,
                cause=details.cause,
                failed=details.failed,
                failed_note=details.note,
                artifact_paths=paths,
            )
            self._append(self.summary_file, markdown)

    def _run_from_events(self) -> dict[str, Any] | None:
        """The run as the last status change saw it, when no answer was printed (a wait that timed
        out): enough for the outputs."""
        event = self._last_status
        if event is None:
            return None
        run: dict[str, Any] = {"id": event.run_id, "status": event.status, "status_humanized": event.status_humanized}
        if event.url:
            run["href"] = event.url
        return run

    def _append(self, path: str, text: str) -> None:
        try:
            append_to(path, text)
        except OSError as exc:
            self.warn(f"Could not write to {path}: {exc.strerror or exc}")


@dataclass(frozen=True)
class RunDetails:
    """What the summary adds to the run as answered: the job's name, the trigger's cause and, for
    a failed run, its failed nodes (or why they are not known)."""

    job_name: str | None = None
    cause: str | None = None
    failed: list[FailedNode] | None = None
    note: str | None = None

    @classmethod
    def fetch(cls, run: Mapping[str, Any], client: Callable[[], DbtCloudClient], saved: list[str]) -> RunDetails:
        from dbt_cloud.api.runs import ERROR, failed_step, run_status
        from dbt_cloud.errors import DbtCloudError
        from dbt_cloud.services.runs import get_run, run_of

        failed_run = run_status(run) == ERROR
        detailed: Mapping[str, Any] = run
        account_id = run.get("account_id")
        if isinstance(account_id, int) and (run_job_name(run) is None or run_cause(run) is None or failed_run):
            try:
                answer = get_run(client(), account_id, int(run["id"]), steps=failed_run, related=("job", "trigger"))
                detailed = run_of(answer)
            except DbtCloudError:
                pass  # the name and the steps are a courtesy; the run as answered is what counts
        job_name = run_job_name(run) or run_job_name(detailed)
        cause = run_cause(run) or run_cause(detailed)
        if not failed_run:
            return cls(job_name=job_name, cause=cause)
        local = next((path for path in saved if os.path.basename(path) == RUN_RESULTS), None)
        try:
            if local is not None:
                with open(local, encoding="utf-8") as handle:
                    document = json.load(handle)
            elif isinstance(account_id, int):
                step = failed_step(detailed)
                document = _fetch_run_results(client(), account_id, int(run["id"]), step.index if step else None)
            else:
                raise ValueError("the run names no account to ask for it")
            return cls(job_name=job_name, cause=cause, failed=failed_nodes(document))
        except (DbtCloudError, OSError, ValueError) as exc:
            reason = exc.one_line() if isinstance(exc, DbtCloudError) else str(exc)
            return cls(job_name=job_name, cause=cause, note=f"{RUN_RESULTS} could not be read ({reason})")


def _fetch_run_results(client: DbtCloudClient, account_id: int, run_id: int, step: int | None) -> Any:
    """run_results.json of the failed step (the last step's may never have run), else the run's."""
    from dbt_cloud.api.operations.run import RunGetArtifact
    from dbt_cloud.errors import NotFoundError

    steps: list[int | None] = [step, None] if step is not None else [None]
    for index, chosen in enumerate(steps):
        request = RunGetArtifact(account_id=account_id, run_id=run_id, path=RUN_RESULTS, step=chosen).request()
        try:
            content = client.read_raw(request)
        except NotFoundError:
            if index == len(steps) - 1:
                raise
            continue
        return json.loads(content.decode("utf-8"))
    raise ValueError("no step had it")  # pragma: no cover - the loop returns or raises
