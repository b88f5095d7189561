"""`dbt-cloud configure`: store connection settings in a named profile (a 0600 file).

Two ways in. With flags, the values given are merged into the profile as they are (`--check` tries
them against the API first). In a terminal with no value flags, or with `--interactive`, it asks:
the host, the token (hidden), the account (picked from those the token can see, when it can see
them), default ids; then it tries the connection before saving, and says what answered. The file is
written only at the end, whole: Ctrl-C or a refusal leaves it as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import click

from dbt_cloud.cli.commands.local import DEFAULT_PORT
from dbt_cloud.cli.completing import PROFILES
from dbt_cloud.config import (
    connection_limits,
    normalize_host,
    read_profile,
    read_profiles,
    retry_budget_of,
    write_profile,
)
from dbt_cloud.defaults import DEFAULT_PROFILE
from dbt_cloud.errors import EXIT_FAILURE, AuthenticationError, ConfigError, DbtCloudError, UsageError
from dbt_cloud.terminal.prompts import Prompts

#: The multi-tenant hosts of dbt Cloud, with where they are.
REGIONS = (
    ("cloud.getdbt.com", "North America"),
    ("emea.dbt.com", "Europe, Middle East and Africa"),
    ("au.dbt.com", "Asia-Pacific"),
)
ACCESS_URL = "access URL"
LOCAL_RUNNER = "local runner"
#: Where `dbt-cloud local serve` listens by default.
LOCAL_RUNNER_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: The ids a profile may hold beyond the account, asked for last, each optional.
DEFAULT_IDS = (
    ("project_id", "Default project id"),
    ("environment_id", "Default environment id"),
    ("job_id", "Default job id"),
)
#: How many times a token the host refuses is asked for before going on without the account list.
TOKEN_ATTEMPTS = 3


@click.command("configure", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--profile",
    "profile_name",
    default=None,
    shell_complete=PROFILES,
    help="Profile to write [default: the root --profile, or 'default'].",
)
@click.option("--api-token", help="API token to store (kept in a file only you can read).")
@click.option("--account-id", type=click.IntRange(min=1), help="Default account id.")
@click.option(
    "--dbt-cloud-host",
    help=f"Host name or URL, e.g. emea.dbt.com, or {LOCAL_RUNNER_URL} for the local runner (dbt-cloud local serve).",
)
@click.option("--project-id", type=click.IntRange(min=1), help="Default project id.")
@click.option("--environment-id", type=click.IntRange(min=1), help="Default environment id.")
@click.option("--job-id", type=click.IntRange(min=1), help="Default job id.")
@click.option(
    "-i",
    "--interactive",
    is_flag=True,
    help="Ask for the settings (the default in a terminal when no value is given); values given are not asked.",
)
@click.option("--check", is_flag=True, help="Try the settings against the API before saving them.")
@click.option(
    "--list",
    "list_profiles",
    is_flag=True,
    help="List the CLI's profiles (the names --profile takes) with their host and account, and exit.",
)
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
    interactive: bool,
    check: bool,
    list_profiles: bool,
) -> None:
    """Store connection settings in a named CLI profile (--list shows them).

    In a terminal, with no values given, it asks for them (the token is read hidden), tries them
    and saves them. With values given as flags, they are merged into the profile as they are. The
    file is created readable by you alone. Flags and environment variables still take precedence
    over a profile.

    These are the CLI's own profiles, chosen with `--profile`; the `profile` command group is
    another thing: the API's project profiles (connection, credentials, attributes).
    """
    from dbt_cloud.cli.context import RootOptions

    root = ctx.find_object(RootOptions) or RootOptions()
    name = profile_name or root.profile or DEFAULT_PROFILE
    if list_profiles:
        stored_profiles = read_profiles()
        if stored_profiles:
            click.echo(profile_listing(stored_profiles, current=name))
        else:
            _status("No profiles yet: run `dbt-cloud configure` to write one.")
        return
    values = {
        "api_token": api_token.strip() if api_token else None,
        "account_id": account_id,
        "dbt_cloud_host": dbt_cloud_host,
        "project_id": project_id,
        "environment_id": environment_id,
        "job_id": job_id,
    }
    given = {key: value for key, value in values.items() if value is not None}
    if dbt_cloud_host is not None:
        normalize_host(dbt_cloud_host)  # refuse a malformed host now, not at the first request
    timeout, max_retries = connection_limits(root.timeout, root.max_retries)
    budget = retry_budget_of(root.retry_budget, {})  # not the profile's: configure may be repairing it
    connection = Connection(timeout=timeout, max_retries=max_retries, retry_budget=budget)
    if interactive or (not given and _in_a_terminal()):
        if not sys.stdin.isatty():
            raise UsageError("--interactive needs a terminal to ask in", hint="give the values as flags instead")
        from dbt_cloud.terminal.prompts import InquirerPrompts

        saved = Questions(InquirerPrompts(), connection).run(name, read_profile(name), given)
        if not saved:
            ctx.exit(EXIT_FAILURE)
        return
    if not given:
        raise UsageError(
            "Nothing to store: give at least one of --api-token, --account-id, --dbt-cloud-host, ...",
            hint="or run it in a terminal, or with --interactive, to be asked",
        )
    if check:
        _status(f"Connected: {connection.check({**read_profile(name), **given})}")
    path = write_profile(name, values)
    stored = ", ".join(key for key, value in values.items() if value is not None)
    _status(f"Saved {stored} to profile {name!r} in {path}")


def profile_listing(profiles: Mapping[str, Mapping[str, Any]], *, current: str) -> str:
    """One line per profile: its name (`*` marks the one this call would use), host and account;
    never the token, only whether one is stored."""
    from dbt_cloud.defaults import DEFAULT_HOST

    rows = [("", "PROFILE", "HOST", "ACCOUNT", "TOKEN")]
    for name, values in sorted(profiles.items()):
        account = values.get("account_id")
        rows.append(
            (
                "*" if name == current else "",
                name,
                str(values.get("dbt_cloud_host") or DEFAULT_HOST),
                "none" if account is None else str(account),
                "stored" if values.get("api_token") else "none",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def _in_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _status(line: str) -> None:
    """A line for the person on stderr, as the CLI writes its error line: `Error:` in red where
    colour is wanted, never the token."""
    from dbt_cloud.cli.context import say

    say(line)


class Connection:
    """Tries settings against the API, with the root's timeout and retries."""

    def __init__(self, *, timeout: float, max_retries: int, retry_budget: float | None = None) -> None:
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_budget = retry_budget

    def _client(self, values: Mapping[str, Any]) -> Any:
        from dbt_cloud.config import PROFILE_KEYS, Settings
        from dbt_cloud.http.client import DbtCloudClient

        known = {key: value for key, value in values.items() if key in PROFILE_KEYS}
        settings = Settings().overlay(
            known, timeout=self.timeout, max_retries=self.max_retries, retry_budget=self.retry_budget
        )
        settings.require_token()
        return DbtCloudClient(settings)

    def accounts(self, values: Mapping[str, Any]) -> list[tuple[int, str]]:
        """(id, name) of every account the token can see on the host."""
        from dbt_cloud.api.operations.account import AccountList

        with self._client(values) as client:
            data = client.send(AccountList()).data
        return [(item["id"], str(item.get("name") or "")) for item in data or [] if isinstance(item.get("id"), int)]

    def check(self, values: Mapping[str, Any]) -> str:
        """What answered, in a few words; the API's refusal (or the network's) as a DbtCloudError."""
        from dbt_cloud.api.operations.account import AccountGet, AccountList
        from dbt_cloud.urls import masked

        with self._client(values) as client:
            where = masked(client.settings.base_url)
            if values.get("account_id") is None:
                count = len(client.send(AccountList()).data or [])
                return f"{where} answered; the token can see {count} account{'s' if count != 1 else ''}"
            account = client.send(AccountGet(account_id=values["account_id"])).data or {}
        return f"{where} answered: account {account.get('id', values['account_id'])} ({account.get('name') or '?'})"


class Questions:
    """The interactive way: ask, try, save."""

    def __init__(self, prompts: Prompts, connection: Connection) -> None:
        self.prompts = prompts
        self.connection = connection

    def run(self, name: str, stored: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
        """Ask for what was not given, try it, save it (asking first if the try failed); whether it
        was saved."""
        profile = self.ask(stored, given)
        try:
            _status(f"Connected: {self.connection.check(profile)}")
        except DbtCloudError as exc:
            _status(f"Error: {exc.one_line()}")
            if not self.prompts.confirm("Save the profile anyway?", default=False):
                _status(f"Nothing saved; profile {name!r} is as it was.")
                return False
        path = write_profile(name, profile, replace=True)
        _status(f"Saved profile {name!r} in {path} (readable by you alone).")
        example = "dbt-cloud job list" if name == DEFAULT_PROFILE else f"dbt-cloud --profile {name} job list"
        _status(f"Try it: {example}")
        return True

    def ask(self, stored: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
        """The profile: what was given, then answers, over what is stored (kept where not asked)."""
        profile = {**stored, **given}
        if "dbt_cloud_host" not in given:
            profile["dbt_cloud_host"] = self.ask_host(stored.get("dbt_cloud_host"))
        if "api_token" not in given:
            profile["api_token"] = self.ask_token(stored.get("api_token"))
        if "account_id" not in given:
            profile["account_id"] = self.ask_account(
                profile, stored.get("account_id"), retoken="api_token" not in given
            )
        for key, label in DEFAULT_IDS:
            if key not in given:
                profile[key] = self.ask_optional_id(label, stored.get(key))
        return profile

    def ask_host(self, stored: str | None) -> str:
        choice, typed = _host_choice(stored)
        choices = [(f"{host} ({where})", host) for host, where in REGIONS]
        choices += [
            ("an account access URL (e.g. ab123.us1.dbt.com)", ACCESS_URL),
            ("a local runner (dbt-cloud local serve)", LOCAL_RUNNER),
        ]
        picked = self.prompts.choose("dbt Cloud host", choices, default=choice)
        if picked == ACCESS_URL:
            return self.prompts.text("Account access URL", default=typed, check=_host_problem).strip()
        if picked == LOCAL_RUNNER:
            return self.prompts.text("Local runner URL", default=typed or LOCAL_RUNNER_URL, check=_host_problem).strip()
        return picked

    def ask_token(self, stored: str | None) -> str:
        def problem(text: str) -> str | None:
            token = text.strip()
            if not token:
                return None if stored else "A token is needed (dbt Cloud: Account settings > API tokens)"
            if any(ch.isspace() or not ch.isprintable() for ch in token):
                return "That token has spaces or control characters in it"  # said without the token
            return None

        message = "API token (hidden; Enter keeps the stored one)" if stored else "API token (hidden)"
        answer = self.prompts.secret(message, check=problem).strip()
        return answer or str(stored)

    def ask_account(self, profile: dict[str, Any], stored: int | None, *, retoken: bool = False) -> int:
        """The account, picked from those the token can see; a token the host refuses is asked for
        again (`retoken`: it was typed here, not given as a flag) before the id is asked for."""
        accounts = self.listed_accounts(profile, retoken=retoken)
        if accounts:
            choices: list[tuple[str, int | None]] = [(f"{id_}  {name}", id_) for id_, name in accounts]
            choices.append(("another account id", None))
            picked = self.prompts.choose("Account", choices, default=stored)
            if picked is not None:
                return picked
        typed = self.prompts.text("Account id", default=str(stored or ""), check=_id_problem(required=True))
        return int(typed.strip())

    def listed_accounts(self, profile: dict[str, Any], *, retoken: bool) -> list[tuple[int, str]]:
        for attempt in range(1, TOKEN_ATTEMPTS + 1):
            try:
                return self.connection.accounts(profile)
            except AuthenticationError as exc:
                if not retoken or attempt == TOKEN_ATTEMPTS:
                    _status(f"Could not list the accounts of this token: {exc.one_line()}")
                    return []
                _status(f"The host refused this token ({exc.status_code}); type it again, or Ctrl-C to stop.")
                profile["api_token"] = self.ask_token(None)
            except DbtCloudError as exc:
                _status(f"Could not list the accounts of this token: {exc.one_line()}")
                return []
        return []  # pragma: no cover - the loop returns

    def ask_optional_id(self, label: str, stored: int | None) -> int | None:
        typed = self.prompts.text(
            f"{label} (optional; empty for none)", default=str(stored or ""), check=_id_problem(required=False)
        ).strip()
        return int(typed) if typed else None


def _host_choice(stored: str | None) -> tuple[str, str]:
    """The host question's answer for a stored host: the choice, and the text to offer for it."""
    if not stored:
        return REGIONS[0][0], ""
    try:
        url = normalize_host(stored)
    except ConfigError:
        return ACCESS_URL, stored
    host = urlsplit(url).hostname or ""
    if url == f"https://{host}" and host in {region for region, _ in REGIONS}:
        return host, ""
    if host in LOOPBACK:
        return LOCAL_RUNNER, stored
    return ACCESS_URL, stored


def _host_problem(text: str) -> str | None:
    try:
        normalize_host(text)
    except ConfigError as exc:
        return exc.one_line()
    return None


def _id_problem(*, required: bool) -> Any:
    def problem(text: str) -> str | None:
        value = text.strip()
        if not value:
            return "An id is needed" if required else None
        if not value.isdigit() or int(value) < 1:
            return "An id is a whole number, 1 or more"
        return None

    return problem
