"""GitHub Actions mode (`--github`; on by itself where GITHUB_ACTIONS=true): what a workflow gets
from a command besides the answer on stdout.

- Workflow commands, on stderr: `::add-mask::` for the token before any request is sent,
  `::group::`/`::endgroup::` around status output that belongs together (the progress of a wait,
  a failed step's log), `::error::` for the error line and `::warning::` for what the summary
  could not say. Why stderr: stdout carries the answer that scripts pipe to jq, and the Actions
  runner reads workflow commands from both streams of a step (actions/runner's ScriptHandler
  attaches an OutputManager, the command parser, to stdout and to stderr alike).
- For a command that answers with a run (`job run`, `run get`, `run watch`, `run retry`): the step
  outputs `run-id`, `status`, `run-url` and `artifact-paths` (the files the command's downloads
  saved), appended to $GITHUB_OUTPUT, and a Markdown summary (job, run and link, status, duration,
  git, and for a failed run the failed nodes of run_results.json) appended to $GITHUB_STEP_SUMMARY.

The reporter is one more listener of the invocation's events, like the progress renderers, and
reads the answer the command printed: the commands do not know it is there. The files are appended
to, as GitHub expects; everything written passes through `redact`, so the token never reaches them.
Writing them is best effort: a failure is said on stderr and never changes the exit code.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt_cloud.events import Event, FileSaved, RunStatusChanged, SectionEnded, SectionStarted
from dbt_cloud.redact import redact

if TYPE_CHECKING:
    from dbt_cloud.http.client import DbtCloudClient

OUTPUT_ENV_VAR = "GITHUB_OUTPUT"
SUMMARY_ENV_VAR = "GITHUB_STEP_SUMMARY"
#: The title of our annotations, so they read as ours among the others of a workflow run.
ANNOTATION_TITLE = "dbt-cloud"
#: Statuses of a node in run_results.json that fail a dbt invocation (`warn` does not).
FAILED_NODE_STATUSES = ("error", "fail", "runtime error")
#: Failed nodes listed in a summary at most, and characters of each message.
MAX_FAILED_NODES = 50
MAX_MESSAGE_CHARS = 300
RUN_RESULTS = "run_results.json"


# --- workflow commands ---------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message: the runner reads up to the end of the line, and unescapes."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, which also ends at `,` and must not hold `:`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, message: str = "", **properties: str) -> str:
    """`::name key=value,...::message`, escaped as the runner expects."""
    given = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def error_annotation(message: str) -> str:
    """The `::error::` line for an error the CLI reports (already redacted by the caller)."""
    return workflow_command("error", message, title=ANNOTATION_TITLE)


# --- the files of a step -------------------------------------------------------------------------


def output_entry(name: str, value: str) -> str:
    """One step output in $GITHUB_OUTPUT's `name<<DELIMITER` form, which takes any value (several
    lines included); the delimiter is random, so no value can end the entry early."""
    import secrets

    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    if delimiter in value or delimiter in name:  # pragma: no cover - 128 random bits
        raise ValueError("the output delimiter occurs in the value")
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def append_to(path: str, text: str) -> None:
    """A plain append, as GitHub reads these files after the step: other writers of the same
    step (earlier commands of a `run:` script) keep what they wrote."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(redact(text))


# --- what a run's summary says -------------------------------------------------------------------


@dataclass(frozen=True)
class FailedNode:
    """A node of run_results.json that failed: a model that errored, a test that failed."""

    unique_id: str
    status: str
    message: str


def failed_nodes(run_results: Any) -> list[FailedNode]:
    """The failed nodes of a run_results.json document, in its order."""
    results = run_results.get("results") if isinstance(run_results, dict) else None
    if not isinstance(results, list):
        raise ValueError("it has no list of results")
    found = []
    for result in results:
        if not isinstance(result, dict):
            continue
        status = str(result.get("status") or "").lower()
        if status in FAILED_NODE_STATUSES:
            message = result.get("message")
            found.append(
                FailedNode(str(result.get("unique_id") or "?"), status, message if isinstance(message, str) else "")
            )
    return found


def run_in(answer: Any) -> dict[str, Any] | None:
    """The run object of an answer (`{"status": ..., "data": run}` or the run itself), or None
    when the answer is something else (a job, a list of runs, an artifact)."""
    data = answer.get("data", answer) if isinstance(answer, dict) and "data" in answer else answer
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("id"), int) and isinstance(data.get("status"), int) and "job_definition_id" in data:
        return data
    return None


def status_word(run: Mapping[str, Any]) -> str:
    """The `status` output: success, error, cancelled, queued, starting or running."""
    from dbt_cloud.api.runs import status_name

    return status_name(run).lower()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The text on one line, cut to `limit` characters."""
    from dbt_cloud.terminal.output import clip as clip_to

    return clip_to(_one_line(text), limit)


def md_text(text: str) -> str:
    """Text shown as it is in Markdown (and in a table cell): its markup characters escaped. Redacted
    first: an escaped token would no longer be found by the redaction of the whole summary."""
    escaped = []
    for char in _one_line(redact(text)):
        if char in "\\`*_[]<>|#~":
            escaped.append("\\" + char)
        else:
            escaped.append(char)
    return "".join(escaped)


def md_code(text: str) -> str:
    """Text as inline code; a cell's `|` escaped, since GitHub splits table rows before code spans."""
    text = _one_line(redact(text)).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def md_link(label: str, url: str) -> str:
    safe = redact(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{md_text(label)}]({safe})"


STATUS_ICONS = {"success": "✅", "error": "❌", "cancelled": "🚫"}


def summary_markdown(
    run: Mapping[str, Any],
    *,
    url: str | None,
    job_name: str | None = None,
    cause: str | None = None,
    failed: list[FailedNode] | None = None,
    failed_note: str | None = None,
    artifact_paths: list[str] | None = None,
) -> str:
    """The job summary of a run: who, what, how it ended, and for a failed run what failed."""
    from dbt_cloud.api.runs import format_seconds, run_duration, status_name

    status = status_name(run)
    run_id = run.get("id")
    icon = STATUS_ICONS.get(status.lower(), "⏳")
    lines = [f"### {icon} dbt Cloud run {md_text(str(run_id))}: {md_text(status)}", ""]
    job_id = run.get("job_definition_id") or run.get("job_id")
    if job_name or job_id is not None:
        job = f"{md_text(job_name)} (job {job_id})" if job_name else f"job {job_id}"
        lines.append(f"- **Job:** {job}")
    lines.append(f"- **Run:** {md_link(str(run_id), url) if url else md_text(str(run_id))}")
    lines.append(f"- **Status:** {md_text(status)}")
    duration = run_duration(run)
    if duration is not None:
        lines.append(f"- **Duration:** {format_seconds(duration)}")
    sha, branch = run.get("git_sha"), run.get("git_branch")
    if sha or branch:
        where = " on ".join(md_code(str(part)) for part in (sha, branch) if part)
        lines.append(f"- **Git:** {where}")
    cause = cause or _cause(run)
    if cause:
        lines.append(f"- **Cause:** {md_text(clip(cause, 200))}")
    if artifact_paths:
        lines.append(f"- **Artifacts:** {', '.join(md_code(path) for path in artifact_paths)}")
    if failed_note:
        lines.append(f"- **Failed nodes:** {md_text(failed_note)}")
    elif failed == []:
        lines.append("- **Failed nodes:** none in `run_results.json` (the run failed outside dbt's nodes)")
    if failed:
        lines += ["", f"#### Failed nodes ({len(failed)})", "", "| Node | Status | Message |", "| --- | --- | --- |"]
        for node in failed[:MAX_FAILED_NODES]:
            lines.append(f"| {md_code(node.unique_id)} | {md_text(node.status)} | {md_text(clip(node.message))} |")
        if len(failed) > MAX_FAILED_NODES:
            lines += ["", f"… and {len(failed) - MAX_FAILED_NODES} more (see run_results.json)."]
    return "\n".join(lines) + "\n\n"


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
        if isinstance(account_id, int) and (_job_name(run) is None or _cause(run) is None or failed_run):
            try:
                answer = get_run(client(), account_id, int(run["id"]), steps=failed_run, related=("job", "trigger"))
                detailed = run_of(answer)
            except DbtCloudError:
                pass  # the name and the steps are a courtesy; the run as answered is what counts
        job_name = _job_name(run) or _job_name(detailed)
        cause = _cause(run) or _cause(detailed)
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


def _job_name(run: Mapping[str, Any]) -> str | None:
    job = run.get("job")
    name = job.get("name") if isinstance(job, dict) else None
    return name if isinstance(name, str) and name else None


def _cause(run: Mapping[str, Any]) -> str | None:
    trigger = run.get("trigger")
    cause = trigger.get("cause") if isinstance(trigger, dict) else None
    return cause if isinstance(cause, str) and cause.strip() else None


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
