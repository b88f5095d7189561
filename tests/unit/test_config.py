"""Where settings come from: flag > env var > profile > default, and the profile file itself."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dbt_cloud.config import Settings, metadata_url_for, normalize_host, read_profile, write_profile
from dbt_cloud.errors import ConfigError
from tests.conftest import TOKEN, invoke
from tests.support.recorded_api import RecordedApi


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("cloud.getdbt.com", "https://cloud.getdbt.com"),
        ("ab123.us1.dbt.com", "https://ab123.us1.dbt.com"),
        ("emea.dbt.com/", "https://emea.dbt.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("HTTPS://au.dbt.com", "https://au.dbt.com"),
    ],
)
def test_host_as_bare_name_or_url(given: str, expected: str) -> None:
    assert normalize_host(given) == expected


@pytest.mark.parametrize("bad", ["", "ftp://x.com", "https://", "https://x.com/api/v2", "x.com:notaport"])
def test_malformed_hosts_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError):
        normalize_host(bad)


def test_discovery_api_lives_beside_each_host() -> None:
    assert metadata_url_for("https://cloud.getdbt.com") == "https://metadata.cloud.getdbt.com/graphql"
    assert metadata_url_for("https://emea.dbt.com") == "https://metadata.emea.dbt.com/graphql"
    assert metadata_url_for("https://ab123.us1.dbt.com") == "https://ab123.metadata.us1.dbt.com/graphql"
    assert metadata_url_for("http://127.0.0.1:8000") == "http://127.0.0.1:8000/graphql"


def test_profile_file_is_private_and_merged(isolated_environment: Path) -> None:
    path = write_profile("work", {"api_token": "secret-1", "account_id": 5})
    write_profile("work", {"dbt_cloud_host": "emea.dbt.com"})
    assert path == isolated_environment
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_profile("work") == {"api_token": "secret-1", "account_id": 5, "dbt_cloud_host": "emea.dbt.com"}


def test_a_broken_profile_file_is_one_clear_error(isolated_environment: Path) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text("[profiles.default\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.resolve({})
    isolated_environment.write_text('[profiles.default]\naccount_id = "seven"\n')
    with pytest.raises(ConfigError, match="account_id must be int"):
        Settings.resolve({})


def test_an_unknown_named_profile_is_an_error_but_a_missing_default_is_not() -> None:
    assert Settings.resolve({}).api_token is None
    with pytest.raises(ConfigError, match="No profile named 'prod'"):
        Settings.resolve({}, profile="prod")


def test_settings_repr_hides_the_token() -> None:
    assert TOKEN not in repr(Settings(api_token=TOKEN))


def test_precedence_flag_over_env_over_profile(api: RecordedApi) -> None:
    write_profile("default", {"api_token": TOKEN, "account_id": 111, "dbt_cloud_host": api.url, "job_id": 9})
    # profile alone
    assert invoke(["job", "get"]).exit_code == 0
    assert api.requests[-1].path == "/api/v2/accounts/111/jobs/9/"
    # env over profile
    assert invoke(["job", "get"], env={"DBT_CLOUD_ACCOUNT_ID": "222", "DBT_CLOUD_JOB_ID": "8"}).exit_code == 0
    assert api.requests[-1].path == "/api/v2/accounts/222/jobs/8/"
    # flag over env
    outcome = invoke(["job", "get", "--account-id", "333", "--job-id", "7"], env={"DBT_CLOUD_ACCOUNT_ID": "222"})
    assert outcome.exit_code == 0
    assert api.requests[-1].path == "/api/v2/accounts/333/jobs/7/"


def test_named_profile_from_flag_or_env(api: RecordedApi) -> None:
    write_profile("staging", {"api_token": TOKEN, "account_id": 44, "dbt_cloud_host": api.url})
    assert invoke(["--profile", "staging", "account", "get"]).exit_code == 0
    assert api.requests[-1].path == "/api/v2/accounts/44/"
    assert invoke(["account", "get"], env={"DBT_CLOUD_PROFILE": "staging"}).exit_code == 0
    outcome = invoke(["--profile", "nope", "account", "get"])
    assert outcome.exit_code == 2
    assert "No profile named 'nope'" in outcome.stderr


def test_configure_writes_a_profile_that_then_works(api: RecordedApi, isolated_environment: Path) -> None:
    outcome = invoke(
        ["configure", "--profile", "local", "--api-token", TOKEN, "--account-id", "123456", "--dbt-cloud-host", api.url]
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert TOKEN not in outcome.stderr + outcome.stdout
    assert stat.S_IMODE(isolated_environment.stat().st_mode) == 0o600
    assert invoke(["--profile", "local", "account", "get"]).exit_code == 0
    assert api.requests[-1].headers["authorization"] == f"Token {TOKEN}"


def test_configure_without_values_or_with_a_bad_host_is_a_usage_error() -> None:
    assert invoke(["configure"]).exit_code == 2
    outcome = invoke(["configure", "--dbt-cloud-host", "https://x.com/path"])
    assert outcome.exit_code == 2
    assert "without a path" in outcome.stderr


def test_command_timeout_overrides_the_root_timeout(api: RecordedApi) -> None:
    from tests.support.recorded_api import Reply

    api.fail_next(Reply(200, delay=1.0), times=3)
    outcome = invoke(
        ["--max-retries", "0", "job", "get", "--job-id", "1", "--timeout", "0.2"],
        env={"DBT_CLOUD_API_TOKEN": TOKEN, "DBT_CLOUD_HOST": api.url, "DBT_CLOUD_ACCOUNT_ID": "1"},
    )
    assert outcome.exit_code == 1
    assert "timed out" in outcome.stderr


def test_python_callers_get_the_environment_without_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_CLOUD_API_TOKEN", TOKEN)
    monkeypatch.setenv("DBT_CLOUD_ACCOUNT_ID", "42")
    monkeypatch.setenv("DBT_CLOUD_HOST", "emea.dbt.com")
    settings = Settings.resolve({})
    assert settings.api_token == TOKEN
    assert settings.account_id == 42
    assert settings.base_url == "https://emea.dbt.com"
    assert settings.graphql_url == "https://metadata.emea.dbt.com/graphql"
    assert Settings.resolve({"account_id": 7}).account_id == 7, "a given value wins over the environment"


def test_a_malformed_number_in_the_environment_is_reported_by_the_option(api: RecordedApi) -> None:
    env = {"DBT_CLOUD_API_TOKEN": TOKEN, "DBT_CLOUD_HOST": api.url, "DBT_CLOUD_ACCOUNT_ID": "12x"}
    outcome = invoke(["job", "get", "--job-id", "1"], env=env)
    assert outcome.exit_code == 2
    assert "'12x' is not a valid integer" in outcome.stderr
    assert invoke(["account", "list"], env=env).exit_code == 0, "a command without --account-id is unaffected"


def test_overlay_changes_only_what_is_given_and_checks_it_like_resolve() -> None:
    base = Settings(api_token=TOKEN, base_url="https://emea.dbt.com", account_id=1, timeout=5.0, max_retries=2)
    assert base.overlay({"api_token": None, "dbt_cloud_host": None}) is base
    changed = base.overlay({"dbt_cloud_host": "ab123.us1.dbt.com", "account_id": 7}, max_retries=0)
    assert (changed.base_url, changed.account_id, changed.api_token) == ("https://ab123.us1.dbt.com", 7, TOKEN)
    assert (changed.timeout, changed.max_retries) == (5.0, 0)
    assert changed.sources["account_id"] == "command line"
    with pytest.raises(ConfigError, match="malformed"):
        base.overlay({"api_token": "two words"})
    with pytest.raises(ConfigError, match="Invalid dbt Cloud host"):
        base.overlay({"dbt_cloud_host": "ftp://x.com"})


def test_an_option_of_a_setting_hands_over_only_what_was_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are resolved once, by Settings.resolve: click reads neither the variable nor the
    default of a setting's option, though its help names both."""
    import click

    from dbt_cloud.cli.setting_option import SettingOption

    monkeypatch.setenv("DBT_CLOUD_TIMEOUT", "7")
    option = SettingOption(["--timeout"], type=float, default=30.0, show_default=True, envvar="DBT_CLOUD_TIMEOUT")
    command = click.Command("c", params=[option], callback=lambda timeout: timeout)
    assert command.main([], standalone_mode=False) is None
    assert command.main(["--timeout", "3"], standalone_mode=False) == 3.0
    assert "30.0" in (option.get_help_record(click.Context(command)) or ("", ""))[1]
    assert Settings.resolve({}).timeout == 7.0, "the variable is read where the settings are resolved"
    assert Settings.resolve({}, timeout=3.0).timeout == 3.0


def test_a_malformed_root_variable_is_refused_as_click_refuses_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_CLOUD_MAX_RETRIES", "99")
    with pytest.raises(ConfigError, match=r"'--max-retries': 99 is not in the range 0<=x<=20"):
        Settings.resolve({})
    outcome = invoke(["job", "list", "--api-token", TOKEN, "--account-id", "1"])
    assert outcome.exit_code == 2
    assert outcome.stderr.strip().splitlines() == [
        "Error: Invalid value for '--max-retries': 99 is not in the range 0<=x<=20. (see 'dbt-cloud --help')"
    ]


def test_the_wait_outage_window_comes_from_env_then_profile_then_default(
    monkeypatch: pytest.MonkeyPatch, isolated_environment: Path
) -> None:
    assert Settings.resolve({}).wait_outage == 900.0, "a quarter of an hour by default"
    write_profile("default", {"api_token": TOKEN, "wait_outage": "20m"})
    assert Settings.resolve({}).wait_outage == 1200.0
    write_profile("default", {"wait_outage": 300})
    assert Settings.resolve({}).wait_outage == 300.0, "seconds as a number too"
    monkeypatch.setenv("DBT_CLOUD_WAIT_OUTAGE", "1h")
    assert Settings.resolve({}).wait_outage == 3600.0, "the variable wins over the profile"
    monkeypatch.setenv("DBT_CLOUD_WAIT_OUTAGE", "soon")
    with pytest.raises(ConfigError, match=r"'--wait-outage' \(from DBT_CLOUD_WAIT_OUTAGE\): 'soon' is not a duration"):
        Settings.resolve({})
    monkeypatch.delenv("DBT_CLOUD_WAIT_OUTAGE")
    write_profile("default", {"wait_outage": "-5m"})
    with pytest.raises(ConfigError, match="wait_outage: '-5m' is not a duration"):
        Settings.resolve({})


def test_a_bad_wait_outage_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = invoke(["run", "watch", "1", "--wait-outage", "forever", "--api-token", TOKEN, "--account-id", "1"])
    assert outcome.exit_code == 2
    assert "'forever' is not a duration" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    monkeypatch.setenv("DBT_CLOUD_WAIT_OUTAGE", "x")
    outcome = invoke(["run", "watch", "1", "--api-token", TOKEN, "--account-id", "1"])
    assert outcome.exit_code == 2
    assert outcome.stderr.strip().splitlines()[-1].startswith("Error: Invalid value for '--wait-outage'")


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), 1e12, 0.01])
def test_a_library_callers_timeout_is_checked_as_the_option_checks_it(timeout: float) -> None:
    from dbt_cloud.config import connection_limits

    with pytest.raises(ConfigError, match=r"The timeout must be from 0\.1 to 1000000 seconds"):
        connection_limits(timeout, None)
