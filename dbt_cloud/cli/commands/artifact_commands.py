"""What `run get-artifact` and `job get-artifact` share: the options (several `--path` values into
`--output-dir`, `--step N|auto`, `-f -` for stdout) and the download with its progress bar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dbt_cloud.cli.commands.base import Invocation, Options, output_file_option
from dbt_cloud.cli.commands.composite import status_stream
from dbt_cloud.cli.paths import CleanPath
from dbt_cloud.errors import UsageError

if TYPE_CHECKING:
    from dbt_cloud.api.operation import CommandModel

AUTO = "auto"


@dataclass(frozen=True, kw_only=True)
class ArtifactOptions(Options):
    """`get-artifact`'s options (`artifact_params`)."""

    paths: tuple[str, ...] = ()
    step_choice: str | None = None
    output_dir: Path | None = None


def artifact_params() -> list[click.Parameter]:
    return [
        click.Option(
            ["--path", "paths"],
            multiple=True,
            help="Path of the artifact, e.g. manifest.json or run/project/models/x.sql; repeat it "
            "(with --output-dir) to fetch several at once. [required]",
        ),
        click.Option(
            ["--step", "step_choice"],
            help="Step whose artifacts to get (1 is the first; default the last), or 'auto': the last "
            "step that ran dbt build/run/seed/snapshot, whose run_results.json describes the models.",
        ),
        output_file_option("File to write the artifact to ('-' for stdout)."),
        click.Option(
            ["--output-dir", "output_dir"],
            type=CleanPath(file_okay=False, path_type=Path),
            help="Folder to write the artifacts into, each under its own path.",
        ),
    ]


def prepare_paths(values: dict[str, Any]) -> dict[str, Any]:
    """The model's one `path` field gets the first --path; each is checked when it is asked for."""
    paths = values.get("paths") or ()
    values["path"] = paths[0] if paths else None
    return values


def parse_step(text: str | None) -> int | str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value == AUTO:
        return AUTO
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise UsageError(f"Invalid value for --step: {text!r} is neither a step number (1, 2, ...) nor 'auto'")


def fetch(invocation: Invocation, commands: list[CommandModel], labels: list[str]) -> None:
    """Download each artifact to its place: stdout or `-f` for one, `--output-dir` for several.
    A single failure is the command's error; with several, every one is tried and the failures
    are listed, then the exit code is 1."""
    from dbt_cloud.cli.progress import DownloadBar, is_terminal
    from dbt_cloud.errors import PartialFailureError
    from dbt_cloud.services.artifacts import Download, download_all, target_in

    options = invocation.options_as(ArtifactOptions)
    directory: Path | None = options.output_dir
    target = options.output_file or "-"
    if len(commands) > 1 and directory is None:
        raise UsageError("Several --path values need --output-dir to put them in")
    if directory is not None and target != "-":
        raise UsageError("Give -f/--file (one artifact) or --output-dir (any number), not both")
    if directory is not None:
        for label in labels:  # a refused path leaves no folder behind: all are checked first
            target_in(directory, label, make_folders=False)
        destinations: list[Path | None] = [target_in(directory, label) for label in labels]
    else:
        destinations = [None if target == "-" else Path(target)]
    downloads = [
        Download(label, command, dest) for label, command, dest in zip(labels, commands, destinations, strict=True)
    ]
    stream = status_stream(invocation)
    bar = DownloadBar(stream, live=is_terminal(stream))
    invocation.listeners.append(bar)
    try:
        results = download_all(invocation.client, downloads)
    finally:
        bar.close()
    if len(results) == 1 and results[0].error is not None:
        raise results[0].error
    failed = 0
    for result in results:
        if result.error is not None:
            failed += 1
            invocation.status(f"Failed {result.download.label}: {result.error.one_line()}")
        elif result.download.destination is not None:
            invocation.status(f"Wrote {result.bytes_written} bytes to {result.download.destination}")
    if failed:
        raise PartialFailureError(f"{failed} of {len(results)} artifacts could not be downloaded")
