"""`dbt-cloud local`: the bundled local runner, a dbt-Cloud-compatible API that runs dbt on this machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from dbt_cloud.cli.group_examples import example_epilog
from dbt_cloud.cli.suggest import SuggestingGroup
from dbt_cloud.errors import ConfigError, UsageError

DEFAULT_PORT = 8765
CONTEXT = {"help_option_names": ["-h", "--help"]}


def _data_dir_option(function: Any) -> Any:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="DBT_CLOUD_LOCAL_DATA_DIR",
        show_envvar=True,
        help="Where the runner keeps its database, runs and warehouses [default: your data directory].",
    )(function)


#: What the `[local]` extra installs: module to look for -> package to name if it is missing.
LOCAL_EXTRA = {
    "starlette": "starlette",
    "uvicorn": "uvicorn",
    "dbt.cli": "dbt-core",
    "dbt.adapters.duckdb": "dbt-duckdb",
}


def _require_local_extra() -> None:
    # find_spec, not import: importing dbt-core here would cost seconds and the CLI needs none of it.
    from importlib.util import find_spec

    missing = []
    for module, package in LOCAL_EXTRA.items():
        try:
            found = find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(package)
    if missing:
        raise ConfigError(
            f"The local runner needs packages that are not installed ({', '.join(missing)})",
            hint="pip install 'dbt-cloud[local]'",
        )


def _resolve_data_dir(data_dir: Path | None) -> Path:
    from dbt_cloud.local.bootstrap import default_data_dir

    return (data_dir or default_data_dir()).expanduser().resolve()


@click.group("local", cls=SuggestingGroup, epilog=example_epilog("local"), context_settings=CONTEXT)
def group() -> None:
    """Local runner: a dbt Cloud API here that runs dbt for real.

    \b
    dbt-cloud local init               register the demo project (or --project-dir) with jobs
    dbt-cloud local serve              start the API on http://127.0.0.1:8765
    dbt-cloud --profile local job run --wait
    """


@group.command("serve", context_settings=CONTEXT)
@_data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it local).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port; 0 picks a free one."
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Runs executed at once; more wait in the queue [default: the number of CPU cores].",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print no line per run started and ended, nor on shutdown (errors still show).",
)
def serve_command(data_dir: Path | None, host: str, port: int, concurrency: int | None, quiet: bool) -> None:
    """Start the API server. It prints its URL once it listens; Ctrl-C stops it.

    On stderr: a line when a run starts and when it ends (its id, job, status and how long it
    ran), and one on shutdown; --quiet for none of them. Runs left queued or running by a server
    that died are marked errored when it starts.
    """
    _require_local_extra()
    from dbt_cloud.local.server import serve

    try:
        serve(_resolve_data_dir(data_dir), host=host, port=port, concurrency=concurrency, quiet=quiet)
    except KeyboardInterrupt:
        # Ctrl-C is how a server is stopped: it has said "Stopped" already, so no "Aborted." after it.
        return
    except OSError as error:
        raise UsageError(f"Cannot listen on {host}:{port}: {error.strerror or error}") from None


@group.command("init", context_settings=CONTEXT)
@_data_dir_option
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="A dbt project folder to register [default: the bundled demo project].",
)
@click.option("--name", default=None, help="Project name [default: the folder's name].")
@click.option(
    "--save-profile",
    default="local",
    show_default=True,
    help="Save host, a new token and the ids in this dbt-cloud profile ('' to skip).",
)
@click.option(
    "--url",
    default=f"http://127.0.0.1:{DEFAULT_PORT}",
    show_default=True,
    help="The server's URL to save in the profile.",
)
@click.option(
    "--new",
    "register_new",
    is_flag=True,
    help="Register the folder again as another project, even if it is registered already.",
)
def init_command(
    data_dir: Path | None,
    project_dir: Path | None,
    name: str | None,
    save_profile: str,
    url: str,
    register_new: bool,
) -> None:
    """Register a dbt project with an environment and jobs; print their ids as JSON.

    The project's repository is the folder itself: runs execute it in place, with its own
    profiles.yml (or ~/.dbt/profiles.yml), or with a DuckDB warehouse made for it when it has none.
    Run again on the same folder, it prints what it registered the first time and leaves the
    profile as it is; --new registers another copy.
    """
    _require_local_extra()
    from dbt_cloud.config import read_profiles
    from dbt_cloud.local.bootstrap import (
        database_path,
        demo_project_dir,
        ensure_account,
        find_registered,
        register_project,
    )
    from dbt_cloud.local.store import Store

    folder = _resolve_data_dir(data_dir)
    target = project_dir or demo_project_dir()
    if not (target / "dbt_project.yml").is_file():
        raise UsageError(f"No dbt_project.yml in {target}: --project-dir must be a dbt project folder")
    # Read before anything is registered: a profile file that cannot be read stops init untouched.
    profile_exists = bool(save_profile) and save_profile in read_profiles()
    store = Store(database_path(folder))
    try:
        account_id, _ = ensure_account(store)
        registered = None if register_new else find_registered(store, account_id, target)
        found = registered is not None
        if registered is None:
            registered = register_project(store, account_id, target, folder, name=name)
        # A second init keeps the profile it finds: it may hold the token scripts use already.
        write = bool(save_profile) and not (found and profile_exists)
        token = store.create_token(account_id, f"init {registered.project_id}") if write else None
    finally:
        store.close()
    if found:
        click.echo(
            f"Project {registered.project_id} is already registered from {target.resolve()}: "
            "nothing new was made (--new registers another).",
            err=True,
        )
    if token is not None:
        from dbt_cloud.config import write_profile

        path = write_profile(
            save_profile,
            {
                "api_token": token,
                "account_id": account_id,
                "dbt_cloud_host": url,
                "project_id": registered.project_id,
                "environment_id": registered.environment_id,
                "job_id": registered.jobs.get("build"),
            },
        )
        click.echo(f"Saved the runner's URL, a new token and these ids to profile {save_profile!r} ({path}).", err=True)
        click.echo(f"Next: dbt-cloud local serve, then dbt-cloud --profile {save_profile} job run --wait", err=True)
    elif found and save_profile:
        click.echo(f"Profile {save_profile!r} is kept as it is.", err=True)
    click.echo(json.dumps(registered.as_dict(), indent=2))


@group.group("token", context_settings=CONTEXT)
def token_group() -> None:
    """API tokens of the local runner."""


@token_group.command("create", context_settings=CONTEXT)
@_data_dir_option
@click.option("--account-id", type=click.IntRange(min=1), default=None, help="Account [default: the first one].")
@click.option("--name", default="cli", show_default=True, help="A name to recognise the token by.")
def token_create(data_dir: Path | None, account_id: int | None, name: str) -> None:
    """Create a token and print it on stdout (only its digest is stored: keep it)."""
    from dbt_cloud.local.bootstrap import database_path, ensure_account
    from dbt_cloud.local.store import Store

    store = Store(database_path(_resolve_data_dir(data_dir)))
    try:
        first, _ = ensure_account(store)
        chosen = account_id or first
        if store.get("account", chosen) is None:
            raise UsageError(f"Account {chosen} does not exist in this runner")
        click.echo(store.create_token(chosen, name))
    finally:
        store.close()


@token_group.command("list", context_settings=CONTEXT)
@_data_dir_option
def token_list(data_dir: Path | None) -> None:
    """List tokens (their first characters, account and name; never the token)."""
    from dbt_cloud.local.bootstrap import database_path
    from dbt_cloud.local.store import Store

    path = database_path(_resolve_data_dir(data_dir))
    if not path.exists():
        click.echo("[]")
        return
    store = Store(path)
    try:
        click.echo(json.dumps(store.tokens(), indent=2))
    finally:
        store.close()
