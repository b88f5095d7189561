"""Settings: where the token, account id and host come from, and the profile file that holds them.

Precedence, highest first: command-line flag > environment variable > profile file > built-in default.
`Settings.resolve` is the one place that applies it: the command line hands it only what was typed
(its options never read their environment variables themselves), and it reads the environment, the
profile and the defaults. The environment variables are those of dbt-cloud-cli, so existing CI
setups keep working unchanged.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dbt_cloud.errors import ConfigError
from dbt_cloud.files import atomic_write
from dbt_cloud.redact import register as register_secret
from dbt_cloud.urls import checked_url, masked, shown

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from dbt_cloud.defaults import (
    CONFIG_FILE_ENV_VAR,
    DEFAULT_HOST,
    DEFAULT_MAX_RETRIES,
    DEFAULT_PROFILE,
    DEFAULT_RETRY_BUDGET,
    DEFAULT_TIMEOUT,
    DEFAULT_WAIT_OUTAGE,
    MAX_RETRIES_ENV_VAR,
    MAX_SECONDS,
    PROFILE_ENV_VAR,
    RETRY_BUDGET_ENV_VAR,
    TIMEOUT_ENV_VAR,
    WAIT_OUTAGE_ENV_VAR,
)
from dbt_cloud.durations import parse_duration

#: Setting name -> environment variable. The first six are dbt-cloud-cli's.
ENV_VARS: dict[str, str] = {
    "api_token": "DBT_CLOUD_API_TOKEN",
    "account_id": "DBT_CLOUD_ACCOUNT_ID",
    "dbt_cloud_host": "DBT_CLOUD_HOST",
    "project_id": "DBT_CLOUD_PROJECT_ID",
    "environment_id": "DBT_CLOUD_ENVIRONMENT_ID",
    "job_id": "DBT_CLOUD_JOB_ID",
    "metadata_url": "DBT_CLOUD_METADATA_URL",
}

#: Keys a profile may hold, with the type each must have.
PROFILE_KEYS: dict[str, type] = {
    "api_token": str,
    "account_id": int,
    "dbt_cloud_host": str,
    "project_id": int,
    "environment_id": int,
    "job_id": int,
    "metadata_url": str,
}

#: Keys of the connection's limits a profile may hold (a flag or variable still comes first).
LIMIT_KEYS: dict[str, type] = {"retry_budget": float}
#: Keys a profile may hold beyond the connection's: how long waits ride out an API outage (seconds
#: as a number, or a duration such as "15m").
TIMING_KEYS = ("wait_outage",)


def config_file() -> Path:
    """The profile file: `$DBT_CLOUD_CONFIG`, else `config.toml` in the user's config directory."""
    explicit = os.environ.get(CONFIG_FILE_ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    return user_config_dir() / "config.toml"


def user_config_dir() -> Path:
    """The user's config directory of this tool, where click's `get_app_dir("dbt-cloud")` puts it
    (so existing profiles stay found), without importing click: the library loads no click."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA") or Path.home()) / "dbt-cloud"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "dbt-cloud"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "dbt-cloud"


def read_profiles(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every profile in the file, or none when the file does not exist."""
    path = path or config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read the profile file {path}: {exc.strerror}") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The profile file {path} is not valid TOML: {exc}") from None
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"The profile file {path} has a 'profiles' entry that is not a table")
    return {str(name): dict(values) for name, values in profiles.items() if isinstance(values, dict)}


def read_profile(name: str, path: Path | None = None, *, required: bool = False) -> dict[str, Any]:
    """One profile's settings. A missing default profile is simply empty; a missing named one is an
    error when the user asked for it by name."""
    path = path or config_file()
    profiles = read_profiles(path)
    if name not in profiles:
        if required:
            known = ", ".join(sorted(profiles)) or "none"
            raise ConfigError(f"No profile named {name!r} in {path} (profiles there: {known})", setting="profile")
        return {}
    profile = profiles[name]
    for key, value in profile.items():
        if key in TIMING_KEYS:
            _profile_duration(name, path, key, value)
            continue
        expected = PROFILE_KEYS.get(key) or LIMIT_KEYS.get(key)
        if expected is None:
            raise ConfigError(f"Profile {name!r} in {path} has an unknown key {key!r}")
        accepted = (int, float) if expected is float else expected  # TOML writes 90 for 90.0
        if not isinstance(value, accepted) or isinstance(value, bool):
            raise ConfigError(
                f"Profile {name!r} in {path}: {key} must be {expected.__name__}, not {type(value).__name__}"
            )
    return profile


def _profile_duration(name: str, path: Path, key: str, value: Any) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"Profile {name!r} in {path}: {key}: {exc}") from None


def wait_outage_setting(stored: Mapping[str, Any], profile_name: str) -> float:
    """How long a wait rides out failed polls: DBT_CLOUD_WAIT_OUTAGE,
    else the profile's `wait_outage`, else the default (the `--wait-outage` flag, where a command
    has it, is laid over this by the command)."""
    text = _env_text(WAIT_OUTAGE_ENV_VAR)
    if text is not None:
        try:
            return parse_duration(text)
        except ValueError as exc:
            raise ConfigError(f"Invalid value for '--wait-outage' (from {WAIT_OUTAGE_ENV_VAR}): {exc}") from None
    if "wait_outage" in stored:
        return _profile_duration(profile_name, config_file(), "wait_outage", stored["wait_outage"])
    return DEFAULT_WAIT_OUTAGE


def write_profile(name: str, values: Mapping[str, Any], path: Path | None = None, *, replace: bool = False) -> Path:
    """Store a profile, merged over what the file already holds for it (or, with `replace`, as
    exactly the values given); None values are left out. Other profiles are kept as they are.

    The file holds a token, so it is created 0600 inside a 0700 directory, and it is replaced
    atomically: a crash never leaves a half-written profile file.
    """
    import tomli_w

    path = path or config_file()
    profiles = read_profiles(path)
    given = {k: v for k, v in values.items() if v is not None}
    merged = given if replace else {**profiles.get(name, {}), **given}
    unknown = sorted(set(merged) - set(PROFILE_KEYS) - set(LIMIT_KEYS) - set(TIMING_KEYS))
    if unknown:
        raise ConfigError(f"Unknown profile keys: {', '.join(unknown)}")
    profiles[name] = merged
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = tomli_w.dumps({"profiles": profiles})
    with atomic_write(path, mode=0o600) as handle:  # it holds the token: owner only
        handle.write(text.encode("utf-8"))
    return path


def normalize_host(host: str, setting: str = "--dbt-cloud-host") -> str:
    """The base URL for a host given as a bare name (`emea.dbt.com`) or as a URL
    (`http://127.0.0.1:8765` for the local runner). `setting` names where it came from, for the
    one line that refuses a malformed one (exit 2)."""
    if not host.strip():
        raise ConfigError(f"Invalid dbt Cloud host ({setting}) {shown(host)}: it is empty", setting="dbt_cloud_host")
    parts = checked_url(host, f"dbt Cloud host ({setting})", default_scheme="https")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            f"Invalid dbt Cloud host ({setting}) {shown(host)}: give the host only, without a path",
            hint="for example ab123.us1.dbt.com",
        )
    register_url_password(parts.password)
    return f"{parts.scheme.lower()}://{parts.netloc}"


def normalize_metadata_url(url: str, setting: str = "DBT_CLOUD_METADATA_URL") -> str:
    """The Discovery API URL as given, once it is a usable http(s) URL (exit 2 otherwise)."""
    parts = checked_url(url, f"Discovery API URL ({setting})")
    register_url_password(parts.password)
    return url.strip()


def register_url_password(password: str | None) -> None:
    """A password in a host URL (`http://user:pw@host`) is a secret as the token is: masked
    wherever the token would be."""
    if password:
        from urllib.parse import unquote

        register_secret(password)
        register_secret(unquote(password))


def setting_name(key: str, source: str | None) -> str:
    """Where a setting came from, as an error line names it: its flag, variable or profile."""
    if source is None or source == "command line":
        return "--" + key.replace("_", "-")
    return source


def metadata_url_for(base_url: str) -> str:
    """The Discovery (GraphQL) API endpoint that belongs to an Administrative API host.

    dbt Cloud serves it on a sibling host: `metadata.cloud.getdbt.com`, `ab123.metadata.us1.dbt.com`
    for account-prefixed hosts, `metadata.emea.dbt.com`. Any other host (the local runner, a proxy)
    is assumed to serve `/graphql` itself.
    """
    parts = urlsplit(base_url)
    name = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    labels = name.split(".")
    if name == "cloud.getdbt.com" or (len(labels) == 3 and name.endswith(".dbt.com")):
        return f"{parts.scheme}://metadata.{name}{port}/graphql"
    if len(labels) == 4 and name.endswith(".dbt.com"):
        prefix, rest = labels[0], ".".join(labels[1:])
        return f"{parts.scheme}://{prefix}.metadata.{rest}{port}/graphql"
    return f"{base_url}/graphql"


def _env_text(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def _env_value(name: str, kind: type) -> Any:
    """An environment variable as the setting's type; None when unset, or when a number does not
    parse (`Settings.invalid` keeps the text, for the command's own option to report)."""
    text = _env_text(name)
    if text is None:
        return None
    if kind is int:  # every int setting is an id: 0 names nothing either
        return int(text) if text.isdigit() and int(text) > 0 else None
    return text


def connection_limits(timeout: float | None, max_retries: int | None) -> tuple[float, int]:
    """The timeout and retries: given, else DBT_CLOUD_TIMEOUT / DBT_CLOUD_MAX_RETRIES, else the
    defaults. A malformed variable is refused here, naming the root option it stands for."""
    if timeout is None:
        timeout = _env_number(
            TIMEOUT_ENV_VAR, "--timeout", float, "a valid float range", minimum=0.1, maximum=MAX_SECONDS
        )
    elif not 0.1 <= timeout <= MAX_SECONDS:  # a library caller's value (the option checks its own); NaN too
        raise ConfigError(f"The timeout must be from 0.1 to {MAX_SECONDS:.0f} seconds, not {timeout}")
    if max_retries is None:
        max_retries = _env_number(
            MAX_RETRIES_ENV_VAR, "--max-retries", int, "a valid integer range", minimum=0, maximum=20
        )
    return (
        DEFAULT_TIMEOUT if timeout is None else float(timeout),
        DEFAULT_MAX_RETRIES if max_retries is None else int(max_retries),
    )


def retry_budget_of(given: float | None, stored: Mapping[str, Any]) -> float:
    """The retry budget: given (--retry-budget), else DBT_CLOUD_RETRY_BUDGET, else the profile's
    `retry_budget`, else the default. A malformed variable is refused, naming the option."""
    if given is None:
        given = _env_number(
            RETRY_BUDGET_ENV_VAR, "--retry-budget", float, "a valid float range", minimum=0, maximum=MAX_SECONDS
        )
    if given is None and "retry_budget" in stored:
        given = float(stored["retry_budget"])
        if not 0 <= given <= MAX_SECONDS:  # NaN too: it compares false
            raise ConfigError(
                f"The profile's retry_budget must be from 0 to {MAX_SECONDS:.0f} seconds, not {given}",
                setting="profile",
            )
    return DEFAULT_RETRY_BUDGET if given is None else float(given)


def _env_number(
    name: str, option: str, kind: type[float] | type[int], what: str, *, minimum: float, maximum: float | None = None
) -> Any:
    """The root option's variable, checked as click checks the option (the same words)."""
    text = _env_text(name)
    if text is None:
        return None
    setting = name  # the variable at fault: the command line points at its root option's help
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(f"Invalid value for '{option}': {text!r} is not {what}.", setting=setting) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"Invalid value for '{option}': {text!r} is not a finite number.", setting=setting)
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"x>={minimum}" if maximum is None else f"{minimum}<=x<={maximum}"
        raise ConfigError(f"Invalid value for '{option}': {value} is not in the range {bounds}.", setting=setting)
    return value


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings for one invocation. `repr` never shows the token."""

    api_token: str | None = field(default=None, repr=False)
    base_url: str = f"https://{DEFAULT_HOST}"
    account_id: int | None = None
    project_id: int | None = None
    environment_id: int | None = None
    job_id: int | None = None
    metadata_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    #: Seconds a request safe to repeat keeps being retried (see dbt_cloud.http.retry).
    retry_budget: float = DEFAULT_RETRY_BUDGET
    #: Seconds of consecutive failed polls a wait for a run rides out (`--wait-outage`).
    wait_outage: float = DEFAULT_WAIT_OUTAGE
    profile: str = DEFAULT_PROFILE
    #: Where each value came from, for error messages ("from DBT_CLOUD_HOST", ...).
    sources: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: Setting -> the text of its environment variable, where that is no number: left unset, for
    #: the option of a command that uses the setting to refuse (a command that does not, runs).
    invalid: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def resolve(
        cls,
        given: Mapping[str, Any],
        *,
        profile: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_budget: float | None = None,
    ) -> Settings:
        """Settings from the values given (flags, None where unset), then the environment
        variables, the profile file and the defaults; `timeout` and `max_retries` likewise (flag,
        DBT_CLOUD_TIMEOUT / DBT_CLOUD_MAX_RETRIES, default), `retry_budget` too (flag,
        DBT_CLOUD_RETRY_BUDGET, the profile's `retry_budget`, default). The CLI passes what click parsed; Python
        callers may pass nothing and get what the CLI would read."""
        profile_name = profile or os.environ.get(PROFILE_ENV_VAR) or DEFAULT_PROFILE
        explicit_profile = profile is not None or PROFILE_ENV_VAR in os.environ
        stored = read_profile(profile_name, required=explicit_profile)
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        invalid: dict[str, str] = {}
        for key, kind in PROFILE_KEYS.items():
            from_env = _env_value(ENV_VARS[key], kind)
            if from_env is None and given.get(key) is None and _env_text(ENV_VARS[key]) is not None:
                invalid[key] = str(_env_text(ENV_VARS[key]))
            if given.get(key) is not None:
                values[key] = given[key]
                sources[key] = "command line"
            elif from_env is not None:
                values[key] = from_env
                sources[key] = ENV_VARS[key]
            elif key in stored:
                values[key] = stored[key]
                sources[key] = f"profile {profile_name!r}"
        host = values.get("dbt_cloud_host") or DEFAULT_HOST
        base_url = normalize_host(str(host), setting_name("dbt_cloud_host", sources.get("dbt_cloud_host")))
        metadata_url = values.get("metadata_url")
        if metadata_url is not None:
            metadata_url = normalize_metadata_url(
                str(metadata_url), setting_name("metadata_url", sources.get("metadata_url"))
            )
        token = _checked_token(values.get("api_token"))
        timeout, max_retries = connection_limits(timeout, max_retries)
        budget = retry_budget_of(retry_budget, stored)
        wait_outage = wait_outage_setting(stored, profile_name)
        return cls(
            api_token=token,
            base_url=base_url,
            account_id=values.get("account_id"),
            project_id=values.get("project_id"),
            environment_id=values.get("environment_id"),
            job_id=values.get("job_id"),
            metadata_url=metadata_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_budget=budget,
            wait_outage=wait_outage,
            profile=profile_name,
            sources=sources,
            invalid=invalid,
        )

    def overlay(
        self,
        given: Mapping[str, Any],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_budget: float | None = None,
    ) -> Settings:
        """These settings with the values given laid over them (None leaves a value as it is),
        checked as `resolve` checks them. A program that built its connection once (a runner
        given a client) uses this instead of `resolve`: its settings stand in for the environment
        and the profile, and only what it passes for one call changes."""
        changes: dict[str, Any] = {}
        sources = dict(self.sources)
        for key in PROFILE_KEYS:
            value = given.get(key)
            if value is None:
                continue
            sources[key] = "command line"
            if key == "dbt_cloud_host":
                changes["base_url"] = normalize_host(str(value))
            elif key == "metadata_url":
                changes["metadata_url"] = normalize_metadata_url(str(value), "--metadata-url")
            elif key == "api_token":
                changes["api_token"] = _checked_token(value)
            else:
                changes[key] = value
        if timeout is not None:
            changes["timeout"] = timeout
        if max_retries is not None:
            changes["max_retries"] = max_retries
        if retry_budget is not None:
            changes["retry_budget"] = retry_budget
        return replace(self, **changes, sources=sources) if changes else self

    def __repr__(self) -> str:
        # Written out rather than dataclass's: the URLs are shown with any password masked.
        shown_fields = []
        for item in fields(self):
            if not item.repr:
                continue
            value = getattr(self, item.name)
            if item.name in ("base_url", "metadata_url") and isinstance(value, str):
                value = masked(value)
            shown_fields.append(f"{item.name}={value!r}")
        return f"Settings({', '.join(shown_fields)})"

    @property
    def url_password(self) -> str | None:
        """The password of the host URL's user part, if it has one: a secret, as the token is."""
        return urlsplit(self.base_url).password

    def require_token(self) -> str:
        if not self.api_token:
            raise ConfigError("No API token given", setting="api_token")
        return self.api_token

    @property
    def graphql_url(self) -> str:
        return self.metadata_url or metadata_url_for(self.base_url)


def _checked_token(token: Any) -> str | None:
    """The token stripped, refused when malformed, and registered so that nothing prints it."""
    if token is None:
        return None
    text = str(token).strip()
    # Non-ASCII too: a header carries ASCII only, and no dbt Cloud token has anything else.
    if not text or not text.isascii() or any(ch.isspace() or not ch.isprintable() for ch in text):
        # Said without the value: a malformed token is still a secret.
        raise ConfigError(
            "The API token is malformed (empty, or contains spaces, control or non-ASCII characters)",
            setting="api_token",
        )
    register_secret(text)
    return text
