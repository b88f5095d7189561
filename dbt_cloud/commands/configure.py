"""`dbt-cloud configure`: store connection settings in a named profile (0600 file)."""

from __future__ import annotations

import click

from dbt_cloud.config import normalize_host, write_profile
from dbt_cloud.defaults import DEFAULT_PROFILE
from dbt_cloud.errors import UsageError


@click.command("configure", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--profile", "profile_name", default=None, help="Profile to write [default: the root --profile, or 'default']."
)
@click.option("--api-token", help="API token to store (kept in a file only you can read).")
@click.option("--account-id", type=click.IntRange(min=1), help="Default account id.")
@click.option("--dbt-cloud-host", help="Host name or URL, e.g. emea.dbt.com or http://127.0.0.1:8000.")
@click.option("--project-id", type=click.IntRange(min=1), help="Default project id.")
@click.option("--environment-id", type=click.IntRange(min=1), help="Default environment id.")
@click.option("--job-id", type=click.IntRange(min=1), help="Default job id.")
@click.pass_context
def configure(
    ctx: click.Context,
    profile_name: str | None,
    api_token: str | None,
    account_id: int | None,
    dbt_cloud_host: str | None,
    project_id: int | None,
    environment_id: int | None,
    job_id: int | None,
) -> None:
    """Store connection settings in a named profile.

    Values given here are merged into the profile; the file is created readable by you alone.
    Flags and environment variables still take precedence over a profile.
    """
    from dbt_cloud.cli import RootOptions

    root = ctx.find_object(RootOptions)
    name = profile_name or (root.profile if root else None) or DEFAULT_PROFILE
    values = {
        "api_token": api_token.strip() if api_token else None,
        "account_id": account_id,
        "dbt_cloud_host": dbt_cloud_host,
        "project_id": project_id,
        "environment_id": environment_id,
        "job_id": job_id,
    }
    if all(value is None for value in values.values()):
        raise UsageError("Nothing to store: give at least one of --api-token, --account-id, --dbt-cloud-host, ...")
    if dbt_cloud_host is not None:
        normalize_host(dbt_cloud_host)  # refuse a malformed host now, not at the first request
    path = write_profile(name, values)
    stored = ", ".join(key for key, value in values.items() if value is not None)
    click.echo(f"Saved {stored} to profile {name!r} in {path}", err=True)
