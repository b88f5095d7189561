"""What the Markdown summary of a run says ($GITHUB_STEP_SUMMARY): its failed nodes from
run_results.json, its status, and Markdown that a run's text cannot break. Pure functions of the run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dbt_cloud.redact import redact

#: Statuses of a node in run_results.json that fail a dbt invocation (`warn` does not).
FAILED_NODE_STATUSES = ("error", "fail", "runtime error")
#: Failed nodes listed in a summary at most, and characters of each message.
MAX_FAILED_NODES = 50
MAX_MESSAGE_CHARS = 300
RUN_RESULTS = "run_results.json"


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
    cause = cause or run_cause(run)
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


def run_job_name(run: Mapping[str, Any]) -> str | None:
    job = run.get("job")
    name = job.get("name") if isinstance(job, dict) else None
    return name if isinstance(name, str) and name else None


def run_cause(run: Mapping[str, Any]) -> str | None:
    trigger = run.get("trigger")
    cause = trigger.get("cause") if isinstance(trigger, dict) else None
    return cause if isinstance(cause, str) and cause.strip() else None
