"""What to do next, in the command line's words: the hint of an error line.

The library's errors say what went wrong and carry what the command line needs to say what to do
(the status code and URL of a refusal, the host, port and reason of a connection failure, the
setting at fault); this module turns that into an option, an environment variable or a command to
run. In GitHub mode the hint names the workflow's secret and `env:` entry instead of `dbt-cloud
configure`, which nobody can answer there.
"""

from __future__ import annotations

import re

from dbt_cloud.config import ENV_VARS
from dbt_cloud.defaults import MAX_RETRIES_ENV_VAR, TIMEOUT_ENV_VAR
from dbt_cloud.errors import (
    APIConnectionError,
    APIStatusError,
    ConfigError,
    DbtCloudError,
    NotTheApiError,
)

#: The statuses whose hint does not depend on what was asked.
STATUS_HINTS: dict[int, str] = {
    401: "check --api-token or DBT_CLOUD_API_TOKEN",
    403: "check that the token belongs to this account (--account-id) and may do this",
    429: "rate limited: wait a moment and try again, or raise --max-retries",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0")
#: The local runner's words for a path it has no route for (dbt_cloud/local/app.py).
NOT_IMPLEMENTED = "The local runner does not implement"
#: An artifact's URL, `/runs/{id}/artifacts/{path}` (a file of a run).
ARTIFACT_PATH = re.compile(r"/runs/(\d+)/artifacts/[^?]+")
#: The variables of the root options (`--timeout`, `--max-retries`), named by ConfigError.setting.
ROOT_VARIABLES = (TIMEOUT_ENV_VAR, MAX_RETRIES_ENV_VAR)
#: The settings that have an option and a variable, by the option's name.
OPTIONS = {"api_token": "--api-token", "account_id": "--account-id", "dbt_cloud_host": "--dbt-cloud-host"}


def add_hint(error: DbtCloudError, *, github: bool) -> None:
    """Give `error` the command line's hint, unless the command that raised it gave one already."""
    if not error.hint:
        error.hint = hint_for(error, github=github)


def hint_for(error: DbtCloudError, *, github: bool) -> str | None:
    if isinstance(error, ConfigError):
        return _setting_hint(error.setting, github=github)
    if isinstance(error, APIStatusError):
        return _status_hint(error)
    if isinstance(error, APIConnectionError):
        return _connection_hint(error)
    if isinstance(error, NotTheApiError):
        return "check --dbt-cloud-host: it should name a dbt Cloud host or the local runner"
    return None


def missing_setting_hint(setting: str, *, github: bool) -> str | None:
    """For an option that is missing everywhere (flag, environment, profile)."""
    return _setting_hint(setting, github=github)


def _setting_hint(setting: str | None, *, github: bool) -> str | None:
    if setting == "profile":
        return "create it with `dbt-cloud configure --profile NAME`"
    if setting in ROOT_VARIABLES:
        return "see 'dbt-cloud --help'"
    if setting not in OPTIONS:
        return None
    variable = ENV_VARS[setting]
    if github:
        if setting == "api_token":
            return (
                f"add the token as a repository secret and set it in the step's env: "
                f"{variable}: ${{{{ secrets.{variable} }}}}"
            )
        return f"set {variable} in the step's env, or pass {OPTIONS[setting]}"
    return f"pass {OPTIONS[setting]}, set {variable}, or store it with `dbt-cloud configure`"


def _status_hint(error: APIStatusError) -> str | None:
    code = error.status_code
    if code >= 500:
        return "dbt Cloud had a problem; try again later"
    if code != 404:
        return STATUS_HINTS.get(code)
    if _local_runner_lacks(error):
        return "it answers the endpoints docs/local-runner.md lists; send this one to a dbt Cloud account"
    artifact = ARTIFACT_PATH.search(error.url)
    if artifact:
        return f"`dbt-cloud run list-artifacts --run-id {artifact.group(1)}` lists the files the run has"
    return "check the ids and --dbt-cloud-host"


def _local_runner_lacks(error: APIStatusError) -> bool:
    body = error.body
    status = body.get("status") if isinstance(body, dict) else None
    message = status.get("user_message") if isinstance(status, dict) else None
    return isinstance(message, str) and message.startswith(NOT_IMPLEMENTED)


def _connection_hint(error: APIConnectionError) -> str | None:
    local = error.host in LOCAL_HOSTS
    if error.reason == "refused":
        if local:
            return f"nothing listens on port {error.port}: start the local runner with `dbt-cloud local serve`"
        return "check --dbt-cloud-host and the network"
    if error.reason == "unknown_host":
        return "check --dbt-cloud-host or DBT_CLOUD_HOST"
    if error.reason == "tls":
        return "check --dbt-cloud-host"
    if error.reason == "timeout":
        return "raise --timeout, or check the network"
    if error.reason == "deadline":
        return "the server is sending very slowly; raise --timeout, or check the network"
    if error.reason is None:
        return "check --dbt-cloud-host and the network"
    return None
