"""Every malformed host or URL, from a flag, an environment variable or a profile, is exit 2 with one
line that names the setting and says what is wrong; nothing is sent (the host would be unusable)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke

#: (what is typed, words the error line must hold)
MALFORMED = [
    ("http://[::1", "not a valid url"),
    ("http://%zz", "not a host name"),
    ("ftp://x", "scheme must be http or https"),
    ("http://", "no host name"),
    ("host:notaport", "port 'notaport'"),
    ("http://h:99999", "port '99999'"),
    ("http://h:", "port after ':' is missing"),
    ("cloud getdbt.com", "spaces or control characters"),
    ("cloud.getdbt.com\x01", "spaces or control characters"),
    ("http://[zz]", "not a valid url"),
    ("https://emea.dbt.com/api", "without a path"),
    ("http://u:secretpw@%zz", "not a host name"),
]

#: Blank is malformed when typed or stored; a blank variable is unset, as CI templates leave them.
BLANK = [("  ", "empty")]

ENV = {"DBT_CLOUD_API_TOKEN": "dbtc_hosttest", "DBT_CLOUD_ACCOUNT_ID": "1"}


def check(outcome_args: list[str], env: dict[str, str], setting: str, says: str) -> None:
    outcome = invoke(outcome_args, env=env)
    assert outcome.exit_code == 2, outcome.stderr
    assert outcome.stdout == ""
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    line = outcome.stderr_lines[0]
    assert line.startswith("Error: Invalid dbt Cloud host"), line
    assert setting in line, line
    assert says in line.lower(), line
    assert "unexpected" not in line.lower()
    assert "secretpw" not in outcome.stderr, "a password in the URL is not echoed"


@pytest.mark.parametrize(("host", "says"), MALFORMED + BLANK)
def test_a_malformed_host_flag(host: str, says: str) -> None:
    check(["job", "list", "--dbt-cloud-host", host], ENV, "(--dbt-cloud-host)", says)


@pytest.mark.parametrize(("host", "says"), MALFORMED)
def test_a_malformed_host_variable(host: str, says: str) -> None:
    check(["job", "list"], {**ENV, "DBT_CLOUD_HOST": host}, "(DBT_CLOUD_HOST)", says)


@pytest.mark.parametrize(("host", "says"), MALFORMED + BLANK)
def test_a_malformed_host_in_a_profile(host: str, says: str, isolated_environment: Path) -> None:
    isolated_environment.parent.mkdir(parents=True, exist_ok=True)
    isolated_environment.write_text(f"[profiles.default]\ndbt_cloud_host = {json.dumps(host)}\n")
    check(["job", "list"], ENV, "(profile 'default')", says)


def test_a_malformed_discovery_url_is_refused_too() -> None:
    outcome = invoke(["job", "list"], env={**ENV, "DBT_CLOUD_METADATA_URL": "http://[::1/graphql"})
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == [
        "Error: Invalid Discovery API URL (DBT_CLOUD_METADATA_URL) 'http://[::1/graphql': it is not a valid URL"
        " (invalid IPv6 URL)"
    ]


def test_good_hosts_still_resolve() -> None:
    from dbt_cloud.config import normalize_host

    assert normalize_host("emea.dbt.com") == "https://emea.dbt.com"
    assert normalize_host("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert normalize_host("http://[::1]:8000") == "http://[::1]:8000"
    assert normalize_host("ab123.us1.dbt.com") == "https://ab123.us1.dbt.com"
