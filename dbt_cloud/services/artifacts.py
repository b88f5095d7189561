"""Downloading artifacts: several at once, each streamed to a temporary file beside its target and
renamed only when complete (the client's `download`), and the choice of the step whose artifacts
describe the models (`--step auto`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from dbt_cloud.api.runs import materialization_step
from dbt_cloud.errors import DbtCloudError, InputError
from dbt_cloud.services.runs import get_run, run_of

if TYPE_CHECKING:
    from dbt_cloud.api.operation import CommandModel
    from dbt_cloud.http.client import DbtCloudClient

#: Downloads running at once: enough to hide latency, few enough to be kind to the API.
DOWNLOAD_WORKERS = 4


@dataclass(frozen=True)
class Download:
    """One artifact to fetch: the command model that asks for it, and where it goes (None: stdout)."""

    label: str
    command: CommandModel
    destination: Path | None


@dataclass(frozen=True)
class DownloadResult:
    download: Download
    bytes_written: int = 0
    error: DbtCloudError | None = None


def target_in(directory: Path, artifact_path: str, *, make_folders: bool = True) -> Path:
    """Where artifact `artifact_path` (`manifest.json`, `run/proj/models/x.sql`) goes under
    `directory`; it can never land outside `directory`. The folders it needs are made unless
    `make_folders` is false (for checking every path before any folder is made)."""
    parts = PurePosixPath(artifact_path).parts
    if not parts or artifact_path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise InputError(f"Invalid artifact path {artifact_path!r}")
    target = directory.joinpath(*parts)
    if make_folders:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"Cannot create the folder {target.parent}: {exc.strerror}") from None
    return target


def download_one(client: DbtCloudClient, download: Download) -> DownloadResult:
    try:
        written = client.download(download.command.request(), download.destination)
    except DbtCloudError as exc:
        return DownloadResult(download, 0, exc)
    return DownloadResult(download, written)


def download_all(
    client: DbtCloudClient, downloads: list[Download], *, workers: int = DOWNLOAD_WORKERS
) -> list[DownloadResult]:
    """Every download tried, concurrently; results in the order given. A failed one leaves no file
    (and an existing file at its target untouched); the others still complete."""
    if len(downloads) <= 1:
        return [download_one(client, item) for item in downloads]
    with ThreadPoolExecutor(max_workers=min(workers, len(downloads))) as pool:
        return list(pool.map(lambda item: download_one(client, item), downloads))


@dataclass(frozen=True)
class StepChoice:
    """The step `--step auto` picked, and why, for the status line."""

    index: int | None
    name: str | None

    def describe(self) -> str:
        if self.index is None:
            return "no step ran dbt build/run/seed/snapshot: using the last step"
        return f"using step {self.index} ({self.name}), the last step that built models"


def choose_step(client: DbtCloudClient, account_id: int, run_id: int) -> StepChoice:
    """The step of the run that ran models: jobs ending with `dbt docs generate` answer that
    step's run_results.json by default, whose `adapter_response` entries are empty."""
    run: dict[str, Any] = run_of(get_run(client, account_id, run_id, steps=True))
    step = materialization_step(run)
    if step is None or not isinstance(step.get("index"), int):
        return StepChoice(None, None)
    return StepChoice(int(step["index"]), str(step.get("name") or ""))
