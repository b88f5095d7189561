"""Waiting for a run from the command line: the options, the progress on stderr, Ctrl-C, the
artifacts of the finished run, and the exit code that says how the run ended.

Used by `job run --wait`, `run retry --wait` and `run watch`. The waiting itself is
`dbt_cloud.services.waiter.wait_for_run`; this module only decides what a person sees and what happens on
a timeout or an interrupt.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from dbt_cloud.cli.commands.base import Invocation, Options
from dbt_cloud.cli.commands.composite import DURATION, status_stream
from dbt_cloud.cli.paths import CleanPath
from dbt_cloud.cli.seconds import Seconds
from dbt_cloud.cli.setting_option import SettingOption
from dbt_cloud.defaults import DEFAULT_WAIT_OUTAGE, WAIT_OUTAGE_ENV_VAR

DEFAULT_POLL_INTERVAL = 10.0
DEFAULT_ARTIFACTS = ("manifest.json", "run_results.json")


def wait_params(*, wait_flag: bool) -> list[click.Parameter]:
    """The options of waiting; `wait_flag` adds dbt-cloud-cli's `--wait/--no-wait` (a command
    that always waits, like `run watch`, has none)."""
    params: list[click.Parameter] = []
    if wait_flag:
        params.append(
            click.Option(
                ["--wait/--no-wait", "wait"],
                default=False,
                help="Wait for the run to finish; exit 0 if it succeeded, 1 if it failed or was cancelled.",
            )
        )
    params += [
        click.Option(
            ["--wait-timeout", "wait_timeout"],
            type=DURATION,
            help="Stop waiting after this long (90, 90s, 15m, 2h) and exit 1; the run goes on "
            "unless --cancel-on-timeout. Implies waiting.",
        ),
        click.Option(
            ["--poll-interval", "poll_interval"],
            type=Seconds(0.01),
            default=DEFAULT_POLL_INTERVAL,
            show_default=True,
            help="Longest pause between two looks at the run, in seconds (the first comes after about 1 s).",
        ),
        wait_outage_option(),
        click.Option(
            ["--cancel-on-timeout", "cancel_on_timeout"],
            is_flag=True,
            help="Cancel the run when --wait-timeout passes.",
        ),
        click.Option(
            ["--cancel-on-interrupt/--no-cancel-on-interrupt", "cancel_on_interrupt"],
            default=None,
            help="On Ctrl-C, cancel the run (or leave it running). Default: ask on a terminal, leave it otherwise.",
        ),
        click.Option(
            ["--download-artifacts", "download_artifacts"],
            type=CleanPath(file_okay=False, path_type=Path),
            help="When the run has finished, download its artifacts into this folder (implies waiting).",
        ),
        click.Option(
            ["--artifact", "artifacts"],
            multiple=True,
            help=f"An artifact for --download-artifacts (repeatable) [default: {', '.join(DEFAULT_ARTIFACTS)}].",
        ),
    ]
    return params


def wait_outage_option() -> click.Option:
    """`--wait-outage`: how long API trouble is ridden out while waiting (a setting: the flag, then
    DBT_CLOUD_WAIT_OUTAGE, then the profile's `wait_outage`; `Settings.wait_outage` holds the rest)."""
    return SettingOption(
        ["--wait-outage", "wait_outage"],
        type=DURATION,
        envvar=WAIT_OUTAGE_ENV_VAR,
        show_envvar=True,
        setting="wait_outage",
        help="Keep waiting through this long of API trouble (5xx, 429, refused connections, timeouts) "
        f"before giving up [default: {DEFAULT_WAIT_OUTAGE / 60:.0f}m].",
    )


def outage_window(invocation: Invocation, given: float | None) -> float:
    """The flag's value, else the setting (environment, profile, default)."""
    return invocation.settings.wait_outage if given is None else float(given)


@dataclass(frozen=True, kw_only=True)
class WaitOptions(Options):
    """The options of waiting for a run (`wait_params`), with `-f/--file` for the answer."""

    wait: bool = False
    wait_timeout: float | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    wait_outage: float | None = None
    cancel_on_timeout: bool = False
    cancel_on_interrupt: bool | None = None
    download_artifacts: Path | None = None
    artifacts: tuple[str, ...] = ()

    @property
    def wants_wait(self) -> bool:
        """--wait, or an option that only makes sense when waiting."""
        return bool(self.wait or self.download_artifacts or self.wait_timeout is not None)


def print_or_watch(invocation: Invocation, account_id: int, answer_document: Any) -> None:
    """After a trigger: print its answer, or wait for the run it started and print that."""
    if not invocation.options_as(WaitOptions).wants_wait:
        invocation.print(answer_document)
        return
    data = answer_document.get("data") if isinstance(answer_document, dict) else None
    run_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(run_id, int):
        from dbt_cloud.errors import InvalidResponseError

        raise InvalidResponseError("The trigger answer names no run id to wait for")
    watch(invocation, account_id, run_id)


def watch(invocation: Invocation, account_id: int, run_id: int) -> None:
    """Wait for the run, show its progress, then print it; raise if it did not succeed."""
    from dbt_cloud.cli.progress import RunProgress, is_terminal
    from dbt_cloud.errors import RunFailedError, RunTimeoutError
    from dbt_cloud.services.runs import cancel_run
    from dbt_cloud.services.waiter import PollPolicy, wait_for_run

    options = invocation.options_as(WaitOptions)
    stream = status_stream(invocation)
    progress = RunProgress(stream, live=is_terminal(stream), clock=invocation.clock)
    invocation.listeners.append(progress)
    client = invocation.client
    policy = PollPolicy(
        max_seconds=float(options.poll_interval or DEFAULT_POLL_INTERVAL),
        outage_seconds=outage_window(invocation, options.wait_outage),
    )
    with invocation.section(f"Waiting for run {run_id}"):
        try:
            result = wait_for_run(
                client,
                account_id,
                run_id,
                poll=policy,
                timeout=options.wait_timeout,
                steps=True,  # the progress names the step that is running
                sleep=progress.sleeper(invocation.sleep),
                clock=invocation.clock,
            )
        except RunTimeoutError as exc:
            progress.close()
            if options.cancel_on_timeout:
                cancel_run(client, account_id, run_id)
                exc.message += "; the run was cancelled"
            else:
                exc.hint = exc.hint or "it goes on running; pass --cancel-on-timeout to cancel it instead"
            raise
        except KeyboardInterrupt:
            progress.close()
            _interrupted(invocation, account_id, run_id)
            raise
        progress.close()
    run = result.run
    failed_downloads = 0
    if options.download_artifacts:
        failed_downloads = _download_artifacts(invocation, account_id, run_id, required=result.succeeded)
    invocation.print(result.document)
    if not result.succeeded:
        url = _url(invocation, run)
        raise RunFailedError(_failure_message(invocation, account_id, run), hint=f"see {url}" if url else None)
    if failed_downloads:
        from dbt_cloud.errors import PartialFailureError

        raise PartialFailureError(f"The run succeeded, but {failed_downloads} artifact(s) could not be downloaded")


def _url(invocation: Invocation, run: dict[str, Any]) -> str | None:
    from dbt_cloud.api.runs import run_url

    return run_url(run, invocation.settings.base_url)


def _failure_message(invocation: Invocation, account_id: int, run: dict[str, Any]) -> str:
    """Name the step that failed and show the end of its log on stderr; return the error line."""
    from dbt_cloud.api.runs import failed_step, status_name
    from dbt_cloud.errors import DbtCloudError
    from dbt_cloud.services.runs import get_run, run_of

    run_id = run.get("id")
    message = f"Run {run_id} ended with status {status_name(run)}"
    try:
        detailed = run_of(get_run(invocation.client, account_id, int(run["id"]), steps=True))
    except DbtCloudError:
        return message  # the steps are a courtesy; the run's own status is what counts
    failure = failed_step(detailed)
    if failure is None:
        return message
    where = f"step {failure.index}" if failure.index is not None else "a step"
    invocation.status(f"Failed {where}: {failure.name}")
    with invocation.section(f"Log of the failed {where}: {failure.name}"):
        for line in failure.log_tail:
            invocation.status(f"  | {line}")
    return f"{message} at {where} ({failure.name})"


def _interrupted(invocation: Invocation, account_id: int, run_id: int) -> None:
    """Ctrl-C while waiting: cancel the run if asked to (or if the person says so), else leave it."""
    from dbt_cloud.errors import DbtCloudError
    from dbt_cloud.services.runs import cancel_run

    choice = invocation.options_as(WaitOptions).cancel_on_interrupt
    if choice is None and invocation.embedding is None and sys.stdin.isatty() and sys.stderr.isatty():
        try:
            choice = click.confirm(f"\nCancel run {run_id}?", default=False, err=True)
        except click.Abort:
            choice = False
    if choice:
        try:
            cancel_run(invocation.client, account_id, run_id)
        except DbtCloudError as exc:
            invocation.status(f"Could not cancel run {run_id}: {exc.one_line()}")
        else:
            invocation.status(f"Cancelled run {run_id}.")
    else:
        invocation.status(f"Stopped waiting; run {run_id} goes on.")


def _download_artifacts(invocation: Invocation, account_id: int, run_id: int, *, required: bool) -> int:
    """Fetch the chosen artifacts of the finished run; return how many failed. A failed run may
    lack some, so then a missing one is only mentioned."""
    from dbt_cloud.api.operations.run import RunGetArtifact
    from dbt_cloud.cli.progress import DownloadBar, is_terminal
    from dbt_cloud.services.artifacts import Download, download_all, target_in

    options = invocation.options_as(WaitOptions)
    if options.download_artifacts is None:
        return 0
    directory = Path(options.download_artifacts)
    directory.mkdir(parents=True, exist_ok=True)
    paths = list(options.artifacts or DEFAULT_ARTIFACTS)
    downloads = [
        Download(path, RunGetArtifact(account_id=account_id, run_id=run_id, path=path), target_in(directory, path))
        for path in paths
    ]
    stream = status_stream(invocation)
    bar = DownloadBar(stream, live=is_terminal(stream))
    invocation.listeners.append(bar)
    try:
        results = download_all(invocation.client, downloads)
    finally:
        bar.close()
    failed = 0
    for result in results:
        if result.error is None:
            invocation.status(f"Wrote {result.bytes_written} bytes to {result.download.destination}")
        else:
            failed += 1
            invocation.status(f"Could not download {result.download.label}: {result.error.one_line()}")
    return failed if required else 0
